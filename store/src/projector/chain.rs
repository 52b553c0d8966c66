//! Records about the log and the chain: which records apply (positions, copies, replays, dead
//! letters), commits of blocks, reverts to a common ancestor, tokens discovered, undecoded logs.

use std::sync::atomic::Ordering::Relaxed;

use alloy::primitives::Address;
use registrar_log::{Metrics, RawRecord};
use registrar_schemas::{BlockNumber, BlocksCommitted, LogRecord, Reverted, TokenDiscovered, UndecodedLog};
use rocksdb::{Direction, IteratorMode};
use tracing::{debug, info, warn};

use super::*;
use crate::{
    codec::{put_bytes, Codec},
    db::decode,
    tables::ChainStatus,
    tables::*,
    StoreError,
};

impl Tx<'_> {
    /// Applies one record; returns the number of token events it held.
    pub(super) fn apply_one(
        &mut self,
        raw: &RawRecord,
        record: Result<LogRecord, StoreError>,
        metrics: &Metrics,
    ) -> Result<usize, StoreError> {
        let finalized = self.finalized();
        let record = record.and_then(|r| match acceptable(&r, finalized) {
            Ok(()) => Ok(r),
            Err(reason) => Err(StoreError::Unacceptable { partition: raw.partition, offset: raw.offset, reason }),
        });
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                warn!(target: "projector", partition = raw.partition.0, offset = raw.offset.0, error = %e, "log record is not a valid record, kept as a dead letter");
                let mut value = Vec::new();
                put_bytes(&mut value, e.to_string().as_bytes());
                put_bytes(&mut value, &raw.bytes);
                self.put_untracked::<DeadLetters>(
                    &RecordKey { partition: raw.partition.0, offset: raw.offset.0 },
                    &value,
                );
                self.dead_letters.push((raw.clone(), e.to_string()));
                metrics.dead_letters.fetch_add(1, Relaxed);
                return Ok(0);
            }
        };
        // Within a partition, positions grow from one revert to the next: a record at or below
        // the last one applied is a copy (a broker without idempotent appends retried it). A
        // dead letter put back by `registrar dlq replay` is applied out of order, once: its
        // dead-letter offset is remembered beside the dead letters.
        let position = record.position();
        let replay = match raw.replayed {
            Some(at) => {
                let marker = RecordKey { partition: REPLAYS, offset: at };
                if self.get::<DeadLetters>(&marker)?.is_some() {
                    debug!(target: "projector", partition = self.partition, offset = raw.offset.0, dlq_offset = at, "dropping a second replay of a dead letter");
                    metrics.duplicates_dropped.fetch_add(1, Relaxed);
                    return Ok(0);
                }
                self.put_untracked::<DeadLetters>(&marker, &Vec::new());
                true
            }
            None => false,
        };
        if let Some(p) = position.filter(|_| !replay) {
            if self.position.is_some_and(|applied| p <= applied) {
                debug!(target: "projector", partition = self.partition, offset = raw.offset.0, block = p.0, log_index = p.1, "dropping a copy of an applied record");
                metrics.duplicates_dropped.fetch_add(1, Relaxed);
                return Ok(0);
            }
            self.position = Some(p);
        }
        match record {
            LogRecord::Event(e) => {
                self.event(&e, metrics)?;
                Ok(1)
            }
            LogRecord::TokenDiscovered(t) => self.token_discovered(&t).map(|_| 0),
            LogRecord::Undecoded(u) => self.undecoded(&u, metrics).map(|_| 0),
            LogRecord::Committed(c) => self.committed(&c).map(|_| 0),
            LogRecord::Reverted(r) => self.reverted(&r, metrics).map(|_| 0),
        }
    }

    /// A token seen for the first time. Ingest sends a token's discovery again after a restart or
    /// a failed append: a known token keeps its metadata (its own events, T-REX's
    /// `UpdatedTokenInformation`, may have changed it since) and only the earliest block stays.
    pub(super) fn token_discovered(&mut self, t: &TokenDiscovered) -> Result<(), StoreError> {
        let meta = match self.get::<Tokens>(&t.address)? {
            Some(existing) => TokenMeta { discovered_block: existing.discovered_block.min(t.block.0), ..existing },
            None => TokenMeta {
                name: t.name.clone(),
                symbol: t.symbol.clone(),
                decimals: t.decimals,
                discovered_block: t.block.0,
            },
        };
        self.put_untracked::<Tokens>(&t.address, &meta);
        Ok(())
    }

    pub(super) fn undecoded(&mut self, u: &UndecodedLog, metrics: &Metrics) -> Result<(), StoreError> {
        self.track_undo(u.meta.block.number.0)?;
        self.note_block(u.meta.block.number.0, u.meta.block.hash, u.meta.block.timestamp)?;
        let key = BlockLogKey { block: u.meta.block.number.0, log_index: u.meta.log_index };
        self.put::<Undecoded>(&key, &LogRecord::Undecoded(u.clone()).encode())?;
        metrics.undecoded_logs.fetch_add(1, Relaxed);
        Ok(())
    }

    pub(super) fn committed(&mut self, c: &BlocksCommitted) -> Result<(), StoreError> {
        let previous_finalized = self.status.map_or(0, |s| s.finalized_block.0);
        // What the API calls final stops at the indexed block; what is kept for undo stops at
        // the chain's finalized block, which a backfill far behind the head is below of.
        let finalized = c.finalized.0.min(c.block.0).max(previous_finalized);
        self.chain_finalized = self.chain_finalized.max(c.finalized.0);
        self.status = Some(ChainStatus {
            chain_id: c.chain_id,
            indexed_block: c.block,
            indexed_hash: c.block_hash,
            head_block: c.head,
            finalized_block: BlockNumber(finalized),
        });
        if finalized > previous_finalized {
            // Changes at or below the finalized block can no longer be reverted.
            let from = UndoKey { partition: self.partition, block: 0, seq: 0 }.encode();
            let to = UndoKey { partition: self.partition, block: finalized + 1, seq: 0 }.encode();
            self.batch.delete_range_cf(self.db.cf::<Undo>(), from, to);
        }
        Ok(())
    }

    /// Undoes the partition's changes above the ancestor ([`acceptable`] has set aside a revert
    /// below the finalized block: its undo records are gone).
    pub(super) fn reverted(&mut self, r: &Reverted, metrics: &Metrics) -> Result<(), StoreError> {
        self.undo_block = None;
        // Any holder may come back to an older state.
        self.cache.clear();
        let start = UndoKey { partition: self.partition, block: r.common_ancestor.0 + 1, seq: 0 }.encode();
        let mut entries = Vec::new();
        for item in self.db.db.iterator_cf(self.db.cf::<Undo>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            let key = UndoKey::decode(&k).map_err(crate::db::corrupt::<Undo>)?;
            if key.partition != self.partition {
                break;
            }
            let value = decode::<Undo>(&v)?;
            entries.push((key, value));
        }
        // Newest change first, so each key ends with the value it had before the oldest one.
        entries.sort_by_key(|(k, _)| std::cmp::Reverse(k.seq));
        let undone = entries.len();
        for (key, entry) in entries {
            let table = table_name(entry.table).ok_or(StoreError::Corrupt {
                table: Undo::NAME,
                source: crate::CodecError { what: "table id", expected: 1, found: 0 },
            })?;
            self.write_raw(entry.table, table, entry.key, entry.previous)?;
            self.batch.delete_cf(self.db.cf::<Undo>(), key.encode());
        }
        // Checkpoints of the top holders after abandoned blocks describe no state of the chain.
        for item in self.db.db.iterator_cf(self.db.cf::<Tokens>(), IteratorMode::Start) {
            let (k, _) = item?;
            let token = Address::decode(&k).map_err(crate::db::corrupt::<Tokens>)?;
            let from = RankKey { token, block: r.common_ancestor.0 + 1, rank: 0 }.encode();
            let to = RankKey { token, block: u64::MAX, rank: u32::MAX }.encode();
            self.batch.delete_range_cf(self.db.cf::<TopCheckpoints>(), from, to);
        }
        self.position = self.position.map(|p| p.min((r.common_ancestor.0, u32::MAX)));
        if let Some(status) = self.status.as_mut().filter(|s| s.indexed_block > r.common_ancestor) {
            status.indexed_block = r.common_ancestor;
            status.indexed_hash = r.common_ancestor_hash;
        }
        metrics.reorgs.fetch_add(1, Relaxed);
        info!(target: "projector", common_ancestor = r.common_ancestor.0, abandoned_tip = r.abandoned_tip.0, undone, "reverted to common ancestor");
        Ok(())
    }
}

/// The partition number under which the dead-letter table remembers the dead letters a replay
/// put back (by dead-letter offset): no partition has it.
pub(super) const REPLAYS: u32 = u32::MAX;

/// The highest block a record may name: far above any chain (a chain of one block a millisecond
/// reaches it in 35 years), far below what would freeze a partition (a record at block
/// `u64::MAX` would make every later record look like a copy).
pub const MAX_BLOCK: u64 = 1 << 40;

/// Whether a well-formed record can be applied: anything else (written to the log by someone
/// other than ingest, or by a broken one) is set aside as a dead letter instead of stopping the
/// projector on every start or freezing its partition.
pub(super) fn acceptable(record: &LogRecord, finalized: u64) -> Result<(), String> {
    let block = match record {
        LogRecord::Event(e) => e.meta.block.number.0,
        LogRecord::Undecoded(u) => u.meta.block.number.0,
        LogRecord::Committed(c) => {
            if c.block.0 > c.head.0 || c.finalized.0 > c.head.0 {
                return Err(format!(
                    "a commit of block {} with head {} and finalized block {}: the head is below them",
                    c.block.0, c.head.0, c.finalized.0
                ));
            }
            c.head.0
        }
        LogRecord::Reverted(r) => {
            if r.common_ancestor.0 >= r.abandoned_tip.0 {
                return Err(format!(
                    "a revert to block {} from tip {}: the ancestor must be below the tip",
                    r.common_ancestor.0, r.abandoned_tip.0
                ));
            }
            if r.common_ancestor.0 < finalized {
                return Err(StoreError::RevertBelowFinalized { target: r.common_ancestor.0, finalized }.to_string());
            }
            r.abandoned_tip.0
        }
        LogRecord::TokenDiscovered(_) => 0,
    };
    if block > MAX_BLOCK {
        return Err(format!("block {block} is beyond any chain (at most {MAX_BLOCK})"));
    }
    Ok(())
}
