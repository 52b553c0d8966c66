//! The journal: transfers, the audit trail, blocks by number and time, undecoded logs, dead letters.

use alloy::primitives::{hex, Address};
use registrar_schemas::{LogRecord, UndecodedLog};
use rocksdb::{Direction, IteratorMode};

use super::*;
use crate::{
    codec::{Codec, CodecError, Reader},
    db::{corrupt, decode},
    tables::*,
    StateDb, StoreError,
};

impl StateDb {
    /// The audit trail of `token` in blocks `from..=to`: (block, log index, entry), in chain order.
    pub fn audit_trail(&self, token: Address, from: u64, to: u64) -> Result<Vec<(u64, u32, AuditEntry)>, StoreError> {
        let start = EventKey { token, block: from, log_index: 0 }.encode();
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf::<AuditTrail>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            let key = EventKey::decode(&k).map_err(corrupt::<AuditTrail>)?;
            if key.token != token || key.block > to {
                break;
            }
            out.push((key.block, key.log_index, decode::<AuditTrail>(&v)?));
        }
        Ok(out)
    }

    /// Transfers of `token` up to `as_of`, matching `filter`, by block and log index.
    pub fn transfers(
        &self,
        token: Address,
        filter: TransferFilter,
        as_of: u64,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<TransferRow>, StoreError> {
        let after = parse_cursor(after, "transfer cursor")?;
        if after.as_ref().is_some_and(|c| c.len() != 12) {
            return Err(bad_cursor("transfer cursor"));
        }
        let upper = filter.block_lte.map_or(as_of, |b| b.min(as_of));
        let lower = filter.block_gte.unwrap_or(0);
        // Scan the account index when an account is given, else the token's transfers.
        let indexed = filter.account.or(filter.from).or(filter.to);
        let (table_prefix, cf) = match indexed {
            Some(account) => ([token.as_slice(), account.as_slice()].concat(), self.cf::<TransfersByAccount>()),
            None => (token.to_vec(), self.cf::<Transfers>()),
        };
        let mut start = table_prefix.clone();
        match &after {
            Some(c) => start.extend_from_slice(c),
            None => start.extend_from_slice(&lower.to_be_bytes()),
        }
        let mut rows = Vec::new();
        let mut has_next = false;
        for item in self.db.iterator_cf(cf, IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            if !k.starts_with(&table_prefix) {
                break;
            }
            let place = &k[table_prefix.len()..];
            if after.as_deref() == Some(place) {
                continue;
            }
            let mut r = Reader::new("event place", place);
            let (block, log_index) = (r.u64().map_err(corrupt::<Transfers>)?, r.u32().map_err(corrupt::<Transfers>)?);
            if block < lower {
                continue;
            }
            if block > upper {
                break;
            }
            let t = if indexed.is_some() {
                match self.get::<Transfers>(&EventKey { token, block, log_index })? {
                    Some(t) => t,
                    None => continue,
                }
            } else {
                decode::<Transfers>(&v)?
            };
            if filter.from.is_some_and(|f| f != t.from)
                || filter.to.is_some_and(|to| to != t.to)
                || filter.account.is_some_and(|a| a != t.from && a != t.to)
            {
                continue;
            }
            if rows.len() == first {
                has_next = true;
                break;
            }
            rows.push(TransferRow {
                from: t.from,
                to: t.to,
                value: t.value,
                block_number: block,
                log_index,
                tx_hash: t.tx_hash,
                tx_index: t.tx_index,
                timestamp: t.timestamp,
            });
        }
        let end_cursor = rows.last().map(|r| {
            let mut c = r.block_number.to_be_bytes().to_vec();
            c.extend_from_slice(&r.log_index.to_be_bytes());
            hex::encode(c)
        });
        Ok(Page { rows, has_next, end_cursor })
    }

    /// Logs of watched contracts that no decoder accepted, oldest first.
    pub fn undecoded(&self, first: usize) -> Result<Vec<UndecodedLog>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf::<Undecoded>(), IteratorMode::Start).take(first) {
            let (_, v) = item?;
            if let LogRecord::Undecoded(record) = LogRecord::decode(&v)
                .map_err(|_| corrupt::<Undecoded>(CodecError { what: "undecoded log", expected: 0, found: v.len() }))?
            {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// The number of log records set aside as dead letters (the markers of replayed ones, under
    /// partition `u32::MAX`, are not records).
    pub fn dead_letter_count(&self) -> Result<usize, StoreError> {
        let mut count = 0;
        for item in self.db.iterator_cf(self.cf::<DeadLetters>(), IteratorMode::Start) {
            let (key, _) = item?;
            crate::budget::check()?;
            if !key.starts_with(&u32::MAX.to_be_bytes()) {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The hash and time of `block`, if it holds events of a watched contract.
    pub fn block_info(&self, block: u64) -> Result<Option<BlockInfo>, StoreError> {
        self.get::<Blocks>(&block)
    }

    /// The last block with events whose time is at or before `timestamp` (seconds). A binary
    /// search over the block numbers (block times never decrease along the chain): a few dozen
    /// seeks, not a scan of every block, whatever the chain's length.
    pub fn block_at_time(&self, timestamp: u64) -> Result<Option<(u64, BlockInfo)>, StoreError> {
        let (mut lo, mut hi) = (0u64, u64::MAX);
        let mut found = None;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.first_timed_block_from(mid)? {
                Some((n, info)) if n < hi && info.timestamp <= timestamp => {
                    lo = n + 1;
                    found = Some((n, info));
                }
                _ => hi = mid,
            }
        }
        Ok(found)
    }

    /// The first block at or after `from` whose time is known.
    pub(super) fn first_timed_block_from(&self, from: u64) -> Result<Option<(u64, BlockInfo)>, StoreError> {
        let start = from.encode();
        for item in self.db.iterator_cf(self.cf::<Blocks>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            let info = decode::<Blocks>(&v)?;
            if info.timestamp != 0 {
                return Ok(Some((u64::decode(&k).map_err(corrupt::<Blocks>)?, info)));
            }
        }
        Ok(None)
    }
}
