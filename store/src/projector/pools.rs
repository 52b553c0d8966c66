//! ERC-4626 / ERC-7540 pools: the holdings behind the shares.

use std::sync::atomic::Ordering::Relaxed;

use alloy::primitives::{Address, U256};
use registrar_log::Metrics;
use tracing::warn;

use super::*;
use crate::{tables::*, StoreError};

impl Tx<'_> {
    /// Changes a pool's holding of `asset` (zero: the underlying); `change` gives the new amount
    /// and value, `None` where the event takes more than there is (clamped at zero, counted).
    pub(super) fn change_pool(
        &mut self,
        pool: Address,
        asset: Address,
        block: u64,
        metrics: &Metrics,
        change: impl FnOnce(AssetPosition) -> (Option<U256>, Option<U256>),
    ) -> Result<(), StoreError> {
        let key = HolderKey { token: pool, holder: asset };
        let old = self.get::<PoolAssets>(&key)?.unwrap_or_default();
        let (amount, value) = change(old);
        if amount.is_none() || value.is_none() {
            warn!(target: "projector", %pool, %asset, block, "pool event takes more than the pool holds, clamped");
            metrics.balance_anomalies.fetch_add(1, Relaxed);
        }
        let new = AssetPosition { amount: amount.unwrap_or_default(), value: value.unwrap_or_default() };
        if new == old {
            return Ok(());
        }
        if new == AssetPosition::default() {
            self.delete::<PoolAssets>(&key)?;
        } else {
            self.put::<PoolAssets>(&key, &new)?;
        }
        self.put::<PoolAssetHistory>(&HolderBlockKey { token: pool, holder: asset, block }, &new)
    }
}
