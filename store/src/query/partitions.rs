//! ERC-1400 partition balances as of a block.

use alloy::primitives::{Address, B256, U256};

use super::*;
use crate::{tables::*, StateDb, StoreError};

impl StateDb {
    /// `holder`'s non-zero ERC-1410 balances by partition after `block`, by partition. The zero
    /// address gives each partition's total supply.
    pub fn partitions_at(&self, token: Address, holder: Address, block: u64) -> Result<Vec<(B256, U256)>, StoreError> {
        let mut prefix = token.to_vec();
        prefix.extend_from_slice(holder.as_slice());
        Ok(self.partition_balances(&prefix, block)?.into_iter().map(|((_, p), v)| (p, v)).collect())
    }

    /// Every account's non-zero balances by partition after `block`, by account then partition
    /// (the zero address: the supply of each partition).
    pub fn partition_register(
        &self,
        token: Address,
        block: u64,
    ) -> Result<std::collections::BTreeMap<Address, Vec<(B256, U256)>>, StoreError> {
        let mut out: std::collections::BTreeMap<Address, Vec<(B256, U256)>> = Default::default();
        for ((holder, partition), value) in self.partition_balances(token.as_slice(), block)? {
            out.entry(holder).or_default().push((partition, value));
        }
        Ok(out)
    }

    /// The partition balances under a key prefix after `block`, non-zero ones, in key order.
    pub(super) fn partition_balances(&self, prefix: &[u8], block: u64) -> Result<Vec<PartitionEntry>, StoreError> {
        self.history_at::<PartitionHistory, _>(prefix, block, |k| ((k.holder, k.partition), k.block), |v| !v.is_zero())
    }
}
