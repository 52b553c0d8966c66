use std::sync::Arc;

use registrar_store::{archive::Archive, EventLog, Metrics, StateDb};

/// What every handler and resolver can reach.
#[derive(Clone)]
pub struct ApiState {
    pub db: Arc<StateDb>,
    pub metrics: Arc<Metrics>,
    /// The log the projector reads, to tell whether it has caught up.
    pub log: Option<Arc<dyn EventLog>>,
    /// Blocks on top of a block before it is final; `/ready` allows this much lag.
    pub confirmations: u64,
    /// The disclosure archive, when this server keeps one.
    pub archive: Option<Arc<Archive>>,
}

impl ApiState {
    /// Runs an archive operation on the blocking pool: hashing, RocksDB and tantivy block.
    pub async fn archive<T, F>(&self, f: F) -> Result<T, crate::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> Result<T, crate::ApiError> + Send + 'static,
    {
        let archive = self.archive.clone().ok_or(crate::ApiError::NoArchive)?;
        tokio::task::spawn_blocking(move || f(&archive)).await.map_err(|e| crate::ApiError::Internal(e.to_string()))?
    }

    /// Runs a store read on the blocking pool: RocksDB scans must not stall the runtime.
    pub async fn read<T, F>(&self, f: F) -> Result<T, crate::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&StateDb) -> Result<T, registrar_store::StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| crate::ApiError::Internal(e.to_string()))?
            .map_err(crate::ApiError::from)
    }
}
