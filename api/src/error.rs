use registrar_archive::ArchiveError;
use registrar_store::StoreError;

/// Why a request could not be answered. Shown to clients as a GraphQL error message.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid address {0:?}: expected 0x followed by 40 hex digits")]
    BadAddress(String),
    #[error("block {requested} is not indexed yet: the latest indexed block is {indexed}")]
    BlockNotIndexed { requested: u64, indexed: u64 },
    #[error("`first` must be between 0 and {max}, got {got}")]
    BadFirst { got: i32, max: i32 },
    #[error("invalid cursor")]
    BadCursor,
    #[error("nothing is indexed yet")]
    NotIndexed,
    #[error("the disclosure archive is not enabled on this server")]
    NoArchive,
    #[error("this needs an API key: send `Authorization: Bearer <key>`")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{0}")]
    Archive(#[from] ArchiveError),
    #[error("storage error: {0}")]
    Store(StoreError),
    #[error("api keys: {0}")]
    Keys(String),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// Whether the same request may succeed later: the index catching up, a store or archive
    /// that was busy. A bad argument or a refused key stays what it is.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::BlockNotIndexed { .. } | ApiError::NotIndexed | ApiError::Io(_) => true,
            ApiError::Store(e) => e.is_retryable(),
            ApiError::Archive(e) => e.is_retryable(),
            ApiError::BadAddress(_)
            | ApiError::BadFirst { .. }
            | ApiError::BadCursor
            | ApiError::NoArchive
            | ApiError::Unauthenticated
            | ApiError::Forbidden(_)
            | ApiError::Invalid { .. }
            | ApiError::Keys(_)
            | ApiError::Internal(_) => false,
        }
    }
}

impl From<StoreError> for ApiError {
    /// What the caller asked for that the state cannot answer is the caller's error, with the
    /// same words wherever it is asked; the rest is the store's.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotIndexed => ApiError::NotIndexed,
            StoreError::BlockNotIndexed { requested, indexed } => ApiError::BlockNotIndexed { requested, indexed },
            StoreError::BeforeFirstBlock { .. } => {
                ApiError::Invalid { field: "at", reason: "no indexed block is that old".into() }
            }
            e @ StoreError::UnknownBlockHash(_) => ApiError::Invalid { field: "hash", reason: e.to_string() },
            other => ApiError::Store(other),
        }
    }
}
