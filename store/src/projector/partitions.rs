//! ERC-1400 partition balances.

use alloy::primitives::{Address, B256};
use registrar_log::Metrics;
use tracing::warn;

use super::*;
use crate::{tables::*, StoreError};

impl Tx<'_> {
    /// Changes `holder`'s balance in `partition` (the zero address: the partition's supply).
    pub(super) fn change_partition(
        &mut self,
        token: Address,
        holder: Address,
        partition: B256,
        block: u64,
        metrics: &Metrics,
        change: Change,
    ) -> Result<(), StoreError> {
        let key = PartitionKey { token, holder, partition };
        let history = PartitionBlockKey { token, holder, partition, block };
        self.change_amount::<PartitionBalances, PartitionHistory>(&key, &history, metrics, change, || {
            warn!(target: "projector", %token, %holder, %partition, block, "event takes more than the partition holds, clamped")
        })
    }
}
