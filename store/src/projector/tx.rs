//! One write batch: a read-your-writes overlay over the state, undo records for changes above
//! the finalized block, and the commit that writes the batch with the partition's offset.
//!
//! A key is written to RocksDB once per batch, with its last value: the overlay keeps what the
//! batch changed and [`Tx::commit`] writes it. Changes of final blocks to holders and token
//! aggregates are folded in memory ([`FoldedHolder`]) and written at the commit, so a holder touched
//! by a thousand transfers costs one state row, one balance-index move and one history row per
//! block. Rows that are only ever added (transfers, their account index) skip the overlay.
//! Changes of blocks above the finalized block go through the overlay one by one, with undo
//! records, as a reorg needs them.

use alloy::primitives::Address;
use registrar_log::RawRecord;
use registrar_schemas::LogOffset;
use rocksdb::WriteBatch;

use super::cache::{HashMap, HolderCache};
use crate::{codec::Codec, db::decode, tables::ChainStatus, tables::*, StateDb, StoreError};

/// One write batch, with a read-your-writes overlay and undo recording.
pub(super) struct Tx<'a> {
    pub(super) db: &'a StateDb,
    /// Holders' latest states as committed, kept between batches.
    pub(super) cache: &'a mut HolderCache,
    pub(super) partition: u32,
    pub(super) partitions: u32,
    /// Records that cannot be decoded, with the reason, for the log's dead-letter topic.
    pub(super) dead_letters: Vec<(RawRecord, String)>,
    pub(super) batch: WriteBatch,
    /// The last value of every key the batch changed (`None`: deleted), written at the commit.
    pub(super) overlay: HashMap<(u8, Vec<u8>), Option<Vec<u8>>>,
    /// Holders changed by final blocks in this batch; see [`Tx::flush_folded`].
    pub(super) holders: HashMap<HolderKey, FoldedHolder>,
    /// Token aggregates changed by final blocks in this batch, as they are now.
    pub(super) tokens: HashMap<Address, TokenState>,
    /// The holders' states this batch writes, for the cache once it is written.
    pub(super) committed_holders: Vec<(HolderKey, HolderState)>,
    /// The last block noted in [`Blocks`], to skip the lookup for its next events.
    noted_block: Option<(u64, BlockInfo)>,
    pub(super) status: Option<ChainStatus>,
    /// The finalized block the partition's last commit announced, above the indexed block
    /// while ingest is behind (see [`ChainFinalized`]).
    pub(super) chain_finalized: u64,
    /// The position of the last record applied from the partition, see [`Positions`].
    pub(super) position: Option<(u64, u32)>,
    pub(super) undo_seq: u64,
    /// The block whose changes are being recorded for undo, `None` when they are final.
    pub(super) undo_block: Option<u64>,
    /// Deletions from the holder index, which leave tombstones.
    pub(super) index_deletes: u64,
    /// History rows written per token in this batch.
    pub(super) changes: HashMap<Address, u64>,
}

impl<'a> Tx<'a> {
    pub(super) fn begin(
        db: &'a StateDb,
        cache: &'a mut HolderCache,
        partition: u32,
        partitions: u32,
        records: usize,
    ) -> Result<Self, StoreError> {
        let undo_seq = db.get::<UndoSequence>(&())?.unwrap_or(0);
        Ok(Tx {
            db,
            cache,
            partition,
            partitions,
            dead_letters: Vec::new(),
            // About a dozen keys of ~100 bytes a transfer: grown once, not record by record.
            batch: WriteBatch::with_capacity_bytes(records.min(1 << 16) * 1024),
            overlay: HashMap::default(),
            holders: HashMap::default(),
            tokens: HashMap::default(),
            committed_holders: Vec::new(),
            noted_block: None,
            status: db.partition_status(partition, partitions)?,
            chain_finalized: db.get::<ChainFinalized>(&partition)?.unwrap_or(0),
            position: db.get::<Positions>(&partition)?,
            undo_seq,
            undo_block: None,
            index_deletes: 0,
            changes: HashMap::default(),
        })
    }

    /// Writes the batch; answers its history rows per token (for the checkpoints of the top
    /// holders).
    pub(super) fn commit(mut self, last: LogOffset) -> Result<HashMap<Address, u64>, StoreError> {
        self.flush_folded()?;
        let (partition, undo_seq) = (self.partition, self.undo_seq);
        self.put_untracked::<AppliedOffsets>(&partition, &last.0);
        self.put_untracked::<UndoSequence>(&(), &undo_seq);
        let chain_finalized = self.chain_finalized;
        self.put_untracked::<ChainFinalized>(&partition, &chain_finalized);
        if let Some(position) = self.position {
            self.put_untracked::<Positions>(&partition, &position);
        }
        if let Some(status) = self.status {
            if self.partitions == 1 {
                self.put_untracked::<ChainStatuses>(&ChainView::Combined, &status);
            } else {
                self.put_untracked::<ChainStatuses>(&ChainView::Partition(self.partition), &status);
                if let Some(combined) = self.combined_status(status)? {
                    self.put_untracked::<ChainStatuses>(&ChainView::Combined, &combined);
                }
            }
        }
        // In key order, table by table: the memtables' skip lists insert a run of ascending keys
        // faster than the same keys in hash order.
        let mut overlay: Vec<_> = std::mem::take(&mut self.overlay).into_iter().collect();
        overlay.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for ((table, key), value) in overlay {
            let handle = self.db.cf_named(table_name(table).expect("the overlay holds tables by id"));
            match value {
                Some(v) => self.batch.put_cf(handle, key, v),
                None => self.batch.delete_cf(handle, key),
            }
        }
        // The event log is the durable record: a batch lost in a crash is applied again from the
        // checkpoint that was lost with it. Flushes are atomic across tables (see `StateDb::open`),
        // so what survives is always the state as of one whole batch.
        let mut options = rocksdb::WriteOptions::default();
        options.disable_wal(true);
        self.db.db.write_opt(self.batch, &options)?;
        self.cache.commit(std::mem::take(&mut self.committed_holders));
        Ok(self.changes)
    }

    /// Writes the holders and token aggregates folded in memory: each changed holder's last
    /// history row, its state and its balance-index entry once (the entry moves only if the
    /// balance did), each token's aggregates once (their history rows went through the overlay).
    pub(super) fn flush_folded(&mut self) -> Result<(), StoreError> {
        if self.holders.is_empty() && self.tokens.is_empty() {
            return Ok(());
        }
        let undo_block = self.undo_block.take();
        for (key, FoldedHolder { before, now, block }) in std::mem::take(&mut self.holders) {
            let (token, holder) = (key.token, key.holder);
            self.holder_history(token, holder, block, &now, false)?;
            let (old_entry, new_entry) = (
                before.is_listed().then_some(BalanceIndexKey { token, balance: before.balance, holder }),
                now.is_listed().then_some(BalanceIndexKey { token, balance: now.balance, holder }),
            );
            if let Some(old) = old_entry.filter(|old| Some(old) != new_entry.as_ref()) {
                self.delete::<HoldersByBalance>(&old)?;
                self.index_deletes += 1;
            }
            if let Some(new) = new_entry.filter(|_| now != before) {
                self.put::<HoldersByBalance>(&new, &now)?;
            }
            self.put::<Holders>(&key, &now)?;
            self.committed_holders.push((key, now));
        }
        for (token, now) in std::mem::take(&mut self.tokens) {
            self.put::<TokenStates>(&token, &now)?;
        }
        self.undo_block = undo_block;
        Ok(())
    }

    /// The chain as far as every partition has it: the least advanced partition's block,
    /// `None` until each partition has seen a committed block.
    pub(super) fn combined_status(&self, own: ChainStatus) -> Result<Option<ChainStatus>, StoreError> {
        let mut combined = own;
        for p in (0..self.partitions).filter(|p| *p != self.partition) {
            let Some(other) = self.db.partition_status(p, self.partitions)? else { return Ok(None) };
            if other.indexed_block < combined.indexed_block {
                combined.indexed_block = other.indexed_block;
                combined.indexed_hash = other.indexed_hash;
            }
            combined.head_block = combined.head_block.max(other.head_block);
            combined.finalized_block = combined.finalized_block.min(other.finalized_block);
        }
        Ok(Some(combined))
    }

    pub(super) fn get_raw(&self, table: u8, cf: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(v) = self.overlay.get(&(table, key.to_vec())) {
            return Ok(v.clone());
        }
        Ok(self.db.db.get_cf(self.db.cf_named(cf), key)?)
    }

    pub(super) fn get<T: Table>(&self, key: &T::Key) -> Result<Option<T::Value>, StoreError> {
        self.get_raw(T::ID, T::NAME, &key.encode())?.map(|b| decode::<T>(&b)).transpose()
    }

    /// Writes `value` (or deletes, if `None`), first keeping the previous value for undo when the
    /// change belongs to a block that is not final yet.
    pub(super) fn write_raw(
        &mut self,
        table: u8,
        cf: &'static str,
        key: Vec<u8>,
        value: Option<Vec<u8>>,
    ) -> Result<(), StoreError> {
        if let Some(block) = self.undo_block {
            let previous = self.get_raw(table, cf, &key)?;
            if previous == value {
                return Ok(());
            }
            let undo = UndoValue { table, key: key.clone(), previous };
            let undo_key = UndoKey { partition: self.partition, block, seq: self.undo_seq };
            self.batch.put_cf(self.db.cf::<Undo>(), undo_key.encode(), undo.encode());
            self.undo_seq += 1;
        }
        self.overlay.insert((table, key), value);
        Ok(())
    }

    pub(super) fn put<T: Table>(&mut self, key: &T::Key, value: &T::Value) -> Result<(), StoreError> {
        self.write_raw(T::ID, T::NAME, key.encode(), Some(value.encode()))
    }

    pub(super) fn delete<T: Table>(&mut self, key: &T::Key) -> Result<(), StoreError> {
        self.write_raw(T::ID, T::NAME, key.encode(), None)
    }

    /// Adds a row no record wrote before (its key names the event): straight into the batch when
    /// the block is final, as nothing in the batch reads such rows back; through the overlay with
    /// an undo record otherwise.
    pub(super) fn insert<T: Table>(&mut self, key: &T::Key, value: &T::Value) -> Result<(), StoreError> {
        if self.undo_block.is_some() {
            return self.put::<T>(key, value);
        }
        self.batch.put_cf(self.db.cf::<T>(), key.encode(), value.encode());
        Ok(())
    }

    /// A write that is never undone: checkpoints and metadata.
    pub(super) fn put_untracked<T: Table>(&mut self, key: &T::Key, value: &T::Value) {
        self.overlay.insert((T::ID, key.encode()), Some(value.encode()));
    }

    /// The highest block no reorg can change: the chain's finalized block as the last commit
    /// announced it, even where the state has not reached it yet.
    pub(super) fn finalized(&self) -> u64 {
        self.status.map_or(0, |s| s.finalized_block.0).max(self.chain_finalized)
    }

    /// Marks the changes that follow as belonging to `block`: kept for undo unless it is final.
    pub(super) fn track_undo(&mut self, block: u64) -> Result<(), StoreError> {
        let finalized = self.finalized();
        self.undo_block = (self.status.is_none() || block > finalized).then_some(block);
        if self.undo_block.is_some() {
            // What final blocks folded in memory is written before the changes that may be undone.
            self.flush_folded()?;
        }
        Ok(())
    }

    /// Keeps the hash and time of a block that holds events. (Range ends are not kept: where
    /// ranges end depends on how ingest read the chain, and the state must not.)
    pub(super) fn note_block(
        &mut self,
        number: u64,
        hash: alloy::primitives::B256,
        timestamp: u64,
    ) -> Result<(), StoreError> {
        let info = BlockInfo { hash, timestamp };
        if self.noted_block == Some((number, info)) {
            return Ok(());
        }
        let known = self.get::<Blocks>(&number)?;
        if known != Some(info) {
            self.put::<Blocks>(&number, &info)?;
            self.put::<BlockNumbers>(&hash, &number)?;
        }
        self.noted_block = Some((number, info));
        Ok(())
    }
}

/// A holder changed by final blocks in this batch: its state before the batch and now (it may
/// have changed back; it is written anyway, as each change would have been), and the block of
/// the last change, whose history row is not written yet.
pub(super) struct FoldedHolder {
    pub(super) before: HolderState,
    pub(super) now: HolderState,
    pub(super) block: u64,
}
