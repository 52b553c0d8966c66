//! Event lists (corporate actions, distributions, votes, vault requests), pools and bonds.

use alloy::primitives::{hex, Address, U256};
use rocksdb::{Direction, IteratorMode};

use super::*;
use crate::{
    codec::Codec,
    db::{corrupt, decode},
    tables::*,
    StateDb, StoreError,
};

impl StateDb {
    /// A page of `token`'s corporate actions up to `as_of` matching `query` and `keep`.
    pub fn corporate_actions_page(
        &self,
        token: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&CorporateActionValue) -> bool,
    ) -> Result<Page<EventRow<CorporateActionValue>>, StoreError> {
        self.events_page::<CorporateActions>(token, as_of, query, keep)
    }

    /// A page of `token`'s distributions up to `as_of` matching `query` and `keep`.
    pub fn distributions_page(
        &self,
        token: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&DistributionValue) -> bool,
    ) -> Result<Page<EventRow<DistributionValue>>, StoreError> {
        self.events_page::<Distributions>(token, as_of, query, keep)
    }

    /// A page of the votes cast on `token`'s proposals up to `as_of`.
    pub fn votes_page(
        &self,
        token: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&VoteValue) -> bool,
    ) -> Result<Page<EventRow<VoteValue>>, StoreError> {
        self.events_page::<VotesCast>(token, as_of, query, keep)
    }

    /// A page of the ERC-7540 requests made to `pool` up to `as_of`.
    pub fn vault_requests_page(
        &self,
        pool: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&VaultRequestValue) -> bool,
    ) -> Result<Page<EventRow<VaultRequestValue>>, StoreError> {
        self.events_page::<VaultRequests>(pool, as_of, query, keep)
    }

    /// A page of an event table of `token`: rows up to `as_of` in `query`'s block range that
    /// `keep` accepts, in `query`'s order, after its cursor (block ‖ log index, hex).
    pub(super) fn events_page<T: Table<Key = EventKey>>(
        &self,
        token: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&T::Value) -> bool,
    ) -> Result<Page<EventRow<T::Value>>, StoreError> {
        let low = query.block_gte.unwrap_or(0);
        let high = query.block_lte.map_or(as_of, |b| b.min(as_of));
        let after = match parse_cursor(query.after.as_deref(), "event cursor")? {
            Some(c) => Some(<(u64, u32)>::decode(&c).map_err(|_| bad_cursor("event cursor"))?),
            None => None,
        };
        let (start, direction) = match (query.descending, after) {
            (false, Some((b, l))) => (EventKey { token, block: b, log_index: l }, Direction::Forward),
            (false, None) => (EventKey { token, block: low, log_index: 0 }, Direction::Forward),
            (true, Some((b, l))) => (EventKey { token, block: b, log_index: l }, Direction::Reverse),
            (true, None) => (EventKey { token, block: high, log_index: u32::MAX }, Direction::Reverse),
        };
        let mut rows = Vec::new();
        let mut has_next = false;
        for item in self.db.iterator_cf(self.cf::<T>(), IteratorMode::From(&start.encode(), direction)) {
            let (k, v) = item?;
            crate::budget::check()?;
            let key = EventKey::decode(&k).map_err(corrupt::<T>)?;
            let past_end = if query.descending { key.block < low } else { key.block > high };
            if key.token != token || past_end {
                break;
            }
            if key.block > high || key.block < low {
                continue;
            }
            if after == Some((key.block, key.log_index)) {
                continue;
            }
            let value = decode::<T>(&v)?;
            if !keep(&value) {
                continue;
            }
            if rows.len() == query.first {
                has_next = true;
                break;
            }
            rows.push((key.block, key.log_index, value));
        }
        let end_cursor = rows.last().map(|(b, l, _)| hex::encode((*b, *l).encode()));
        Ok(Page { rows, has_next, end_cursor })
    }

    /// A collateral pool's holdings after `block`, by asset (the zero address, first: the
    /// vault's underlying).
    pub fn pool_at(&self, pool: Address, block: u64) -> Result<Vec<(Address, AssetPosition)>, StoreError> {
        self.history_at::<PoolAssetHistory, _>(
            pool.as_slice(),
            block,
            |k| (k.holder, k.block),
            |p| *p != AssetPosition::default(),
        )
    }

    /// `holder`'s non-zero ERC-3475 balances after `block`: (class, nonce, amount), by class then
    /// nonce. The zero address gives each tranche's supply.
    pub fn bond_positions(
        &self,
        token: Address,
        holder: Address,
        block: u64,
    ) -> Result<Vec<(U256, U256, U256)>, StoreError> {
        let mut prefix = token.to_vec();
        prefix.extend_from_slice(holder.as_slice());
        let rows =
            self.history_at::<BondHistory, _>(&prefix, block, |k| ((k.class, k.nonce), k.block), |v| !v.is_zero())?;
        Ok(rows.into_iter().map(|((class, nonce), v)| (class, nonce, v)).collect())
    }
}
