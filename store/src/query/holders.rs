//! Holders as of a block: one, a page in any order, the whole register; delegations and votes.

use alloy::primitives::{hex, Address, U256};
use rocksdb::{Direction, IteratorMode};

use super::*;
use crate::{
    codec::Codec,
    db::{corrupt, decode},
    tables::*,
    HolderState, StateDb, StoreError,
};

/// A holder a block changed: the block, the holder, its state after the block.
pub type HolderChange = (u64, Address, HolderState);

impl StateDb {
    /// One account's state after `block`.
    pub fn holder_at(&self, token: Address, holder: Address, block: u64) -> Result<HolderState, StoreError> {
        Ok(self.holder_value_at::<HolderHistory>(token, holder, block)?.unwrap_or_default())
    }

    /// The holders of `token` each block changed, after the place `after` (a block and holder,
    /// both excluded) up to block `to`, in order, at most `first`, each with its state after that
    /// block; and whether more follow.
    pub fn holder_changes(
        &self,
        token: Address,
        after: (u64, Address),
        to: u64,
        first: usize,
    ) -> Result<(Vec<HolderChange>, bool), StoreError> {
        let mut rows = Vec::new();
        for key in self.changes_from(token, after.0, after.1, to) {
            let key = key?;
            if (key.block, key.holder) == after {
                continue;
            }
            if rows.len() == first {
                return Ok((rows, true));
            }
            rows.push((key.block, key.holder, self.holder_at(token, key.holder, key.block)?));
        }
        Ok((rows, false))
    }

    /// The keys of `HolderChanges` for `token` from block `block` and holder `holder` on, up to
    /// block `to`, in order: the scan `holder_changes` and the top holders' checkpoints share.
    pub(crate) fn changes_from(
        &self,
        token: Address,
        block: u64,
        holder: Address,
        to: u64,
    ) -> impl Iterator<Item = Result<BlockHolderKey, StoreError>> + '_ {
        let start = BlockHolderKey { token, block, holder }.encode();
        self.db
            .iterator_cf(self.cf::<HolderChanges>(), IteratorMode::From(&start, Direction::Forward))
            .map(|item| {
                let (k, _) = item?;
                crate::budget::check()?;
                BlockHolderKey::decode(&k).map_err(corrupt::<HolderChanges>)
            })
            .take_while(move |key| key.as_ref().map_or(true, |k| k.token == token && k.block <= to))
    }

    /// The listed holders (a balance or any frozen state) after `block`, sorted by `order`.
    pub fn holders_at(
        &self,
        token: Address,
        block: u64,
        order: HolderOrder,
        first: usize,
        after: Option<&str>,
    ) -> Result<HoldersPage, StoreError> {
        let after = parse_cursor(after, "holder cursor")?;
        if order == HolderOrder::BalanceDesc && block >= self.latest_block()? {
            return self.holders_by_balance(token, first, after);
        }
        if order == HolderOrder::BalanceDesc {
            if let Some(page) = self.holders_from_checkpoint(token, block, first, after.as_deref())? {
                return Ok(page);
            }
        }
        let mut rows: Vec<(Vec<u8>, HolderRow)> =
            self.listed_holders_at(token, block)?.into_iter().map(|row| (sort_key(order, &row), row)).collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let skip = match &after {
            Some(c) => rows.partition_point(|(k, _)| k <= c),
            None => 0,
        };
        let has_next = rows.len() > skip + first;
        let page: Vec<_> = rows.into_iter().skip(skip).take(first).collect();
        let end_cursor = page.last().map(|(k, _)| hex::encode(k));
        Ok(Page { rows: page.into_iter().map(|(_, r)| r).collect(), has_next, end_cursor })
    }

    /// The fast path: the latest block, by descending balance, read off the balance index.
    pub(super) fn holders_by_balance(
        &self,
        token: Address,
        first: usize,
        after: Option<Vec<u8>>,
    ) -> Result<HoldersPage, StoreError> {
        let mut start = token.to_vec();
        if let Some(c) = &after {
            start.extend_from_slice(c);
        }
        let mut rows = Vec::with_capacity(first.min(1024));
        let mut has_next = false;
        let mut end_cursor = None;
        for item in self.db.iterator_cf(self.cf::<HoldersByBalance>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            if !k.starts_with(token.as_slice()) {
                break;
            }
            if after.as_deref() == Some(&k[20..]) {
                continue;
            }
            if rows.len() == first {
                has_next = true;
                break;
            }
            let key = BalanceIndexKey::decode(&k).map_err(corrupt::<HoldersByBalance>)?;
            let state = decode::<HoldersByBalance>(&v)?;
            end_cursor = Some(hex::encode(&k[20..]));
            rows.push(HolderRow { address: key.holder, state });
        }
        Ok(Page { rows, has_next, end_cursor })
    }

    /// The holder register of `token` as of `block`: every account holding a balance or any
    /// frozen state after that block, by address.
    pub fn holder_register(&self, token: Address, block: u64) -> Result<Vec<HolderRow>, StoreError> {
        self.listed_holders_at(token, block)
    }

    /// Every listed holder after `block`, from the history table.
    pub(super) fn listed_holders_at(&self, token: Address, block: u64) -> Result<Vec<HolderRow>, StoreError> {
        let rows =
            self.history_at::<HolderHistory, _>(token.as_slice(), block, |k| (k.holder, k.block), |h| h.is_listed())?;
        Ok(rows.into_iter().map(|(address, state)| HolderRow { address, state }).collect())
    }

    /// The newest row of a (token, holder, block) history table at or before `block`.
    pub(super) fn holder_value_at<T: Table<Key = HolderBlockKey>>(
        &self,
        token: Address,
        holder: Address,
        block: u64,
    ) -> Result<Option<T::Value>, StoreError> {
        // Token and holder (20 bytes each) make a holder.
        self.value_at::<T>(&HolderBlockKey { token, holder, block }, 40)
    }

    /// Whom `holder` delegated `token` votes to after `block` (ERC-5805).
    pub fn delegate_at(&self, token: Address, holder: Address, block: u64) -> Result<Option<Address>, StoreError> {
        Ok(self.holder_value_at::<DelegateHistory>(token, holder, block)?.filter(|a| !a.is_zero()))
    }

    /// `delegate`'s voting power in `token` after `block` (ERC-5805).
    pub fn votes_at(&self, token: Address, delegate: Address, block: u64) -> Result<U256, StoreError> {
        Ok(self.holder_value_at::<VoteHistory>(token, delegate, block)?.unwrap_or_default())
    }
}
