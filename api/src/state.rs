use std::sync::Arc;

use registrar_archive::Archive;
use registrar_log::{EventLog, Metrics};
use registrar_store::{ReadBudget, StateDb};

use crate::auth::{ApiKey, KeyStore, LabelStore};

/// Blocking reads (RocksDB scans, archive searches, report builds) running at once, across all
/// requests: one client's scans wait here instead of filling tokio's blocking pool, and a request
/// past its deadline stops waiting.
pub const READ_SLOTS: usize = 8;

/// The slots of [`READ_SLOTS`].
#[derive(Clone)]
pub struct ReadPool(Arc<tokio::sync::Semaphore>);

impl Default for ReadPool {
    fn default() -> Self {
        ReadPool(Arc::new(tokio::sync::Semaphore::new(READ_SLOTS)))
    }
}

impl ReadPool {
    /// Runs `f` on the blocking pool once a slot is free, within a [`ReadBudget`]: when the
    /// caller stops waiting (its client went away, its deadline passed), the budget is cancelled
    /// and the store's scans end at their next check, freeing the slot.
    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, crate::ApiError> {
        let permit = self.0.clone().acquire_owned().await.map_err(|e| crate::ApiError::Internal(e.to_string()))?;
        let budget = ReadBudget::new(std::time::Instant::now() + crate::REQUEST_DEADLINE);
        let _cancel_when_dropped = CancelOnDrop(budget.clone());
        tokio::task::spawn_blocking(move || {
            let out = budget.run(f);
            drop(permit);
            out
        })
        .await
        .map_err(|e| crate::ApiError::Internal(e.to_string()))
    }
}

/// Cancels a read when the future waiting for it is dropped (or done: then it changes nothing).
struct CancelOnDrop(ReadBudget);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

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
    /// The API keys (`data_dir/api-keys.json`): who may publish, and who may see identities.
    pub keys: Arc<KeyStore>,
    /// Off-chain labels of holders (`data_dir/holder-labels.jsonl`), private like identities.
    pub labels: Arc<LabelStore>,
    /// The slots blocking reads take turns in.
    pub reads: ReadPool,
    /// Live subscriptions' slots and shutdown.
    pub live: crate::live::Live,
}

impl ApiState {
    /// Whether the caller's API key (authenticated once per request; `None` for anonymous
    /// readers) may see `token`'s holders' identity fields: an issuer or regulator key for the
    /// token, or an admin key. Anonymous readers see balances and aggregates only.
    pub fn may_see_identities(&self, caller: Option<&ApiKey>, token: alloy::primitives::Address) -> bool {
        caller.is_some_and(|k| k.may_see_identities(&format!("{token:#x}")))
    }

    /// What a report may show the caller beyond balances: `None` for readers who may not see
    /// `token`'s identity fields, else the token's holder labels (see [`crate::reports::build`]).
    pub fn private_view(
        &self,
        caller: Option<&ApiKey>,
        token: alloy::primitives::Address,
    ) -> Option<std::collections::BTreeMap<alloy::primitives::Address, String>> {
        self.may_see_identities(caller, token).then(|| self.labels.of_token(token))
    }

    /// The valid API key whose secret is `secret`, if any (reads the key file: once a request).
    pub async fn key(&self, secret: String) -> Option<ApiKey> {
        let keys = self.keys.clone();
        tokio::task::spawn_blocking(move || keys.authenticate(&secret).ok().flatten()).await.ok().flatten()
    }

    /// Runs an archive operation on the blocking pool: hashing, RocksDB and tantivy block.
    pub async fn archive<T, F>(&self, f: F) -> Result<T, crate::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> Result<T, crate::ApiError> + Send + 'static,
    {
        let archive = self.archive.clone().ok_or(crate::ApiError::NoArchive)?;
        self.reads.run(move || f(&archive)).await?
    }

    /// Runs a store read on the blocking pool: RocksDB scans must not stall the runtime.
    pub async fn read<T, F>(&self, f: F) -> Result<T, crate::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&StateDb) -> Result<T, registrar_store::StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        self.reads.run(move || f(&db)).await?.map_err(crate::ApiError::from)
    }
}
