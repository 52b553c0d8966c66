//! A historical top-N by balance without the token's whole history: the checkpoint of the top
//! holders at or before the block, corrected by the holders changed since
//! ([`crate::tables::TopCheckpoints`], [`crate::tables::HolderChanges`]).

use std::collections::HashMap;

use alloy::primitives::{hex, Address};
use rocksdb::{Direction, IteratorMode};

use super::*;
use crate::{
    codec::Codec,
    db::{corrupt, decode},
    projector::CHECKPOINT_SIZE,
    tables::*,
    StateDb, StoreError,
};

/// Most holders changed since the checkpoint a query reads; past it the history is scanned.
const MAX_CHANGED: usize = 4 * crate::projector::CHECKPOINT_EVERY as usize;

impl StateDb {
    /// The page of `token`'s holders by descending balance after `block` from the nearest
    /// checkpoint at or before it: its rows, with every holder changed between the checkpoint and
    /// `block` read again at `block`. Exact for rows that sort before the checkpoint's last row
    /// (by balance, then address: a holder the checkpoint left out sorted after that row then,
    /// and still does unless it changed since); `None` when the page reaches that row, when no
    /// checkpoint precedes `block`, or when too many holders changed since: the caller then reads
    /// the history.
    pub(super) fn holders_from_checkpoint(
        &self,
        token: Address,
        block: u64,
        first: usize,
        after: Option<&[u8]>,
    ) -> Result<Option<HoldersPage>, StoreError> {
        let Some((at, top)) = self.top_checkpoint(token, block)? else { return Ok(None) };
        // The checkpoint holds every listed holder when it has fewer rows than it may; else every
        // holder it left out sorted after its last row then, and still does unless changed since.
        let floor = (top.len() >= CHECKPOINT_SIZE)
            .then(|| {
                top.last().map(|r| sort_key(HolderOrder::BalanceDesc, &HolderRow { address: r.holder, state: r.state }))
            })
            .flatten();
        let mut holders: HashMap<Address, HolderState> = top.into_iter().map(|r| (r.holder, r.state)).collect();
        let Some(changed) = self.holders_changed(token, at + 1, block)? else { return Ok(None) };
        // Each changed holder's history row of the last block that changed it, by its exact key.
        let changed: Vec<(Address, u64)> = changed.into_iter().collect();
        let keys: Vec<Vec<u8>> =
            changed.iter().map(|&(holder, b)| HolderBlockKey { token, holder, block: b }.encode()).collect();
        let cf = self.cf::<HolderHistory>();
        let states = self.db.batched_multi_get_cf(cf, keys.iter().map(Vec::as_slice), false);
        for ((holder, _), state) in changed.into_iter().zip(states) {
            let state = match state? {
                Some(v) => decode::<HolderHistory>(&v)?,
                None => return Ok(None),
            };
            if state.is_listed() {
                holders.insert(holder, state);
            } else {
                holders.remove(&holder);
            }
        }
        let mut rows: Vec<(Vec<u8>, HolderRow)> = holders
            .into_iter()
            .map(|(address, state)| {
                let row = HolderRow { address, state };
                (sort_key(HolderOrder::BalanceDesc, &row), row)
            })
            .collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let skip = after.map_or(0, |c| rows.partition_point(|(k, _)| k.as_slice() <= c));
        // The page and the row after it (for `has_next`) must sort before the floor to be exact.
        let needed = rows.iter().skip(skip).take(first + 1);
        if let Some(floor) = &floor {
            if needed.clone().count() <= first || needed.clone().any(|(k, _)| k >= floor) {
                return Ok(None);
            }
        }
        let has_next = rows.len() > skip + first;
        let page: Vec<_> = rows.into_iter().skip(skip).take(first).collect();
        let end_cursor = page.last().map(|(k, _)| hex::encode(k));
        Ok(Some(Page { rows: page.into_iter().map(|(_, r)| r).collect(), has_next, end_cursor }))
    }

    /// The blocks after which `token`'s top holders were checkpointed, oldest first.
    pub fn top_checkpoint_blocks(&self, token: Address) -> Result<Vec<u64>, StoreError> {
        let mut out = Vec::new();
        let start = RankKey { token, block: 0, rank: 0 }.encode();
        for item in self.db.iterator_cf(self.cf::<TopCheckpoints>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, _) = item?;
            let key = RankKey::decode(&k).map_err(corrupt::<TopCheckpoints>)?;
            if key.token != token {
                break;
            }
            if key.rank == 0 {
                out.push(key.block);
            }
        }
        Ok(out)
    }

    /// The newest checkpoint of `token`'s top holders at or before `block`: its block and rows.
    fn top_checkpoint(&self, token: Address, block: u64) -> Result<Option<(u64, Vec<RankedHolder>)>, StoreError> {
        let mut it = self.db.raw_iterator_cf(self.cf::<TopCheckpoints>());
        it.seek_for_prev(RankKey { token, block, rank: u32::MAX }.encode());
        let at = match it.key() {
            Some(k) => RankKey::decode(k).map_err(corrupt::<TopCheckpoints>)?,
            None => {
                it.status()?;
                return Ok(None);
            }
        };
        if at.token != token {
            return Ok(None);
        }
        let start = RankKey { token, block: at.block, rank: 0 }.encode();
        let mut rows = Vec::with_capacity(at.rank as usize + 1);
        for item in self.db.iterator_cf(self.cf::<TopCheckpoints>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            let key = RankKey::decode(&k).map_err(corrupt::<TopCheckpoints>)?;
            if key.token != token || key.block != at.block {
                break;
            }
            rows.push(decode::<TopCheckpoints>(&v)?);
        }
        Ok(Some((at.block, rows)))
    }

    /// The holders of `token` changed in blocks `from..=to`, each once with the last of those
    /// blocks that changed it; `None` past [`MAX_CHANGED`] changes.
    fn holders_changed(&self, token: Address, from: u64, to: u64) -> Result<Option<HashMap<Address, u64>>, StoreError> {
        let mut last: HashMap<Address, u64> = HashMap::new();
        for (n, key) in self.changes_from(token, from, Address::ZERO, to).enumerate() {
            let key = key?;
            if n >= MAX_CHANGED {
                return Ok(None);
            }
            // Blocks ascend: the last one seen is the newest.
            last.insert(key.holder, key.block);
        }
        Ok(Some(last))
    }
}
