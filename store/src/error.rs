use registrar_log::{LogError, Partition};
use registrar_schemas::LogOffset;

use crate::CodecError;

/// Everything that can go wrong in the state store, or reading the log it follows.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),
    #[error("corrupt value in table {table}: {source}")]
    Corrupt { table: &'static str, source: CodecError },
    #[error("checkpoint of partition {partition} would move backwards: applied {applied:?}, next record {next}")]
    CheckpointGap { partition: Partition, applied: Option<LogOffset>, next: LogOffset },
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("revert to block {target} is below the finalized block {finalized}: its changes were not kept")]
    RevertBelowFinalized { target: u64, finalized: u64 },
    #[error("log record at partition {partition} offset {offset} cannot be applied: {reason}")]
    Unacceptable { partition: Partition, offset: LogOffset, reason: String },
    #[error("invalid {0}")]
    BadCursor(&'static str),
    #[error("nothing is indexed yet")]
    NotIndexed,
    #[error("block {requested} is not indexed yet: the latest indexed block is {indexed}")]
    BlockNotIndexed { requested: u64, indexed: u64 },
    #[error("no indexed block is as old as {timestamp}")]
    BeforeFirstBlock { timestamp: u64 },
    #[error("no indexed block has hash {0} (known: the indexed head and blocks with events of a watched contract)")]
    UnknownBlockHash(alloy::primitives::B256),
    #[error("the read was cancelled: the request that asked for it is gone or past its deadline")]
    Cancelled,
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "the state at {path} is in use by another process (a running registrar holds its lock): stop it first, or ask the running node (`/health`, `/metrics`, GraphQL `status`)"
    )]
    InUse { path: String },
}

impl StoreError {
    /// Whether trying the same operation again may succeed. Only I/O is; a corrupt value or a
    /// checkpoint gap stays what it is.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Rocks(e) => matches!(
                e.kind(),
                rocksdb::ErrorKind::Busy | rocksdb::ErrorKind::TryAgain | rocksdb::ErrorKind::TimedOut
            ),
            StoreError::Io(_) => true,
            StoreError::Log(e) => e.is_retryable(),
            StoreError::Corrupt { .. }
            | StoreError::CheckpointGap { .. }
            | StoreError::RevertBelowFinalized { .. }
            | StoreError::Unacceptable { .. }
            | StoreError::BadCursor(_)
            | StoreError::NotIndexed
            | StoreError::BlockNotIndexed { .. }
            | StoreError::BeforeFirstBlock { .. }
            | StoreError::UnknownBlockHash(_)
            | StoreError::Cancelled
            | StoreError::InUse { .. } => false,
        }
    }
}
