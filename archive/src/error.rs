use registrar_merkle::{Algorithm, ProofError};

use crate::SUBMITTABLE;

/// Why the archive refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("content is larger than the limit of {max} bytes")]
    TooLarge { max: u64 },
    #[error("content type {got:?} is not accepted: use one of {SUBMITTABLE:?}")]
    UnsupportedType { got: String },
    #[error("content is not valid {content_type}: {reason}")]
    BadContent { content_type: String, reason: String },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("invalid search: {0}")]
    BadSearch(String),
    #[error("not anchored yet: no anchor covers leaf {0}")]
    NotAnchored(u64),
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error("the archive was created with {stored}, not {configured}")]
    AlgorithmMismatch { stored: String, configured: Algorithm },
    #[error("blob {0} is missing")]
    MissingBlob(String),
    #[error("a write failed earlier; restart to recover from disk")]
    Poisoned,
    #[error("corrupt archive: {0}")]
    Corrupt(String),
    #[error("search index: {0}")]
    Search(String),
    #[error("event log: {0}")]
    Log(#[from] registrar_log::LogError),
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("anchor key: {0}")]
    AnchorKey(String),
    #[error("the anchor key's address {key} is not the owner {owner} of the anchor contract {contract}")]
    NotOwner { key: String, owner: String, contract: String },
    #[error("nonce {nonce} is held by a transaction the node will not replace at the fee ceiling of {ceiling} wei per gas (anchor.max_fee_per_gas_gwei)")]
    NonceHeld { nonce: u64, ceiling: u128 },
    #[error("{what}: {reason}")]
    Chain { what: &'static str, reason: String },
}

impl From<tantivy::TantivyError> for ArchiveError {
    fn from(e: tantivy::TantivyError) -> Self {
        ArchiveError::Search(e.to_string())
    }
}

impl ArchiveError {
    /// Whether the caller sent something wrong (as opposed to the archive failing).
    pub fn is_client_error(&self) -> bool {
        match self {
            ArchiveError::TooLarge { .. }
            | ArchiveError::UnsupportedType { .. }
            | ArchiveError::BadContent { .. }
            | ArchiveError::Invalid { .. }
            | ArchiveError::BadSearch(_)
            | ArchiveError::NotAnchored(_)
            | ArchiveError::Proof(_) => true,
            ArchiveError::AlgorithmMismatch { .. }
            | ArchiveError::MissingBlob(_)
            | ArchiveError::Poisoned
            | ArchiveError::Corrupt(_)
            | ArchiveError::Search(_)
            | ArchiveError::Log(_)
            | ArchiveError::Rocks(_)
            | ArchiveError::Io(_)
            | ArchiveError::AnchorKey(_)
            | ArchiveError::NotOwner { .. }
            | ArchiveError::NonceHeld { .. }
            | ArchiveError::Chain { .. } => false,
        }
    }

    /// Whether trying the same operation again may succeed: I/O, a busy RocksDB, the event log
    /// or the chain's node being away. A refused submission, a corrupt archive or a wrong key
    /// stays what it is.
    pub fn is_retryable(&self) -> bool {
        match self {
            ArchiveError::Io(_) | ArchiveError::Chain { .. } => true,
            ArchiveError::Log(e) => e.is_retryable(),
            ArchiveError::Rocks(e) => matches!(
                e.kind(),
                rocksdb::ErrorKind::Busy | rocksdb::ErrorKind::TryAgain | rocksdb::ErrorKind::TimedOut
            ),
            // A held nonce frees itself when the transaction holding it is mined.
            ArchiveError::NonceHeld { .. } => true,
            ArchiveError::TooLarge { .. }
            | ArchiveError::UnsupportedType { .. }
            | ArchiveError::BadContent { .. }
            | ArchiveError::Invalid { .. }
            | ArchiveError::BadSearch(_)
            | ArchiveError::NotAnchored(_)
            | ArchiveError::Proof(_)
            | ArchiveError::AlgorithmMismatch { .. }
            | ArchiveError::MissingBlob(_)
            | ArchiveError::Poisoned
            | ArchiveError::Corrupt(_)
            | ArchiveError::Search(_)
            | ArchiveError::AnchorKey(_)
            | ArchiveError::NotOwner { .. } => false,
        }
    }
}
