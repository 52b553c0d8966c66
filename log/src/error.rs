use registrar_schemas::{DecodeError, LogOffset};

use crate::{kafka::KafkaLogError, Partition};

/// Everything that can go wrong reading or appending the event log.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),
    #[error("corrupt log: an offset key of {found} bytes (expected 8)")]
    BadOffset { found: usize },
    #[error("log record at partition {partition} offset {offset} is not a valid record: {source}")]
    BadRecord { partition: Partition, offset: LogOffset, source: DecodeError },
    #[error(transparent)]
    Kafka(#[from] KafkaLogError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

impl LogError {
    /// Whether trying the same operation again may succeed: a busy RocksDB, I/O, or a broker that
    /// was away. A corrupt or undecodable record stays what it is.
    pub fn is_retryable(&self) -> bool {
        match self {
            LogError::Rocks(e) => matches!(
                e.kind(),
                rocksdb::ErrorKind::Busy | rocksdb::ErrorKind::TryAgain | rocksdb::ErrorKind::TimedOut
            ),
            LogError::Io(_) => true,
            LogError::Kafka(e) => e.is_retryable(),
            LogError::BadOffset { .. } | LogError::BadRecord { .. } => false,
        }
    }
}
