//! One write batch: a read-your-writes overlay over the state, undo records for changes above
//! the finalized block, and the commit that writes the batch with the partition's offset.

use std::collections::HashMap;

use registrar_log::RawRecord;
use registrar_schemas::LogOffset;
use rocksdb::WriteBatch;

use crate::{codec::Codec, db::decode, tables::ChainStatus, tables::*, StateDb, StoreError};

/// One write batch, with a read-your-writes overlay and undo recording.
pub(super) struct Tx<'a> {
    pub(super) db: &'a StateDb,
    pub(super) partition: u32,
    pub(super) partitions: u32,
    /// Records that cannot be decoded, with the reason, for the log's dead-letter topic.
    pub(super) dead_letters: Vec<(RawRecord, String)>,
    pub(super) batch: WriteBatch,
    pub(super) overlay: HashMap<(u8, Vec<u8>), Option<Vec<u8>>>,
    pub(super) status: Option<ChainStatus>,
    /// The position of the last record applied from the partition, see [`Positions`].
    pub(super) position: Option<(u64, u32)>,
    pub(super) undo_seq: u64,
    /// The block whose changes are being recorded for undo, `None` when they are final.
    pub(super) undo_block: Option<u64>,
    /// Deletions from the holder index, which leave tombstones.
    pub(super) index_deletes: u64,
}

impl<'a> Tx<'a> {
    pub(super) fn begin(db: &'a StateDb, partition: u32, partitions: u32) -> Result<Self, StoreError> {
        let undo_seq = db.get::<UndoSequence>(&())?.unwrap_or(0);
        Ok(Tx {
            db,
            partition,
            partitions,
            dead_letters: Vec::new(),
            batch: WriteBatch::default(),
            overlay: HashMap::new(),
            status: db.partition_status(partition, partitions)?,
            position: db.get::<Positions>(&partition)?,
            undo_seq,
            undo_block: None,
            index_deletes: 0,
        })
    }

    pub(super) fn commit(mut self, last: LogOffset) -> Result<(), StoreError> {
        let (partition, undo_seq) = (self.partition, self.undo_seq);
        self.put_untracked::<AppliedOffsets>(&partition, &last.0);
        self.put_untracked::<UndoSequence>(&(), &undo_seq);
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
        self.db.db.write(self.batch)?;
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
        let handle = self.db.cf_named(cf);
        match &value {
            Some(v) => self.batch.put_cf(handle, &key, v),
            None => self.batch.delete_cf(handle, &key),
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

    /// A write that is never undone: checkpoints and metadata.
    pub(super) fn put_untracked<T: Table>(&mut self, key: &T::Key, value: &T::Value) {
        let key = key.encode();
        let value = value.encode();
        self.batch.put_cf(self.db.cf::<T>(), &key, &value);
        self.overlay.insert((T::ID, key), Some(value));
    }

    /// Marks the changes that follow as belonging to `block`: kept for undo unless it is final.
    pub(super) fn track_undo(&mut self, block: u64) {
        let finalized = self.status.map_or(0, |s| s.finalized_block.0);
        self.undo_block = (self.status.is_none() || block > finalized).then_some(block);
    }

    /// Keeps the hash and time of a block that holds events. (Range ends are not kept: where
    /// ranges end depends on how ingest read the chain, and the state must not.)
    pub(super) fn note_block(
        &mut self,
        number: u64,
        hash: alloy::primitives::B256,
        timestamp: u64,
    ) -> Result<(), StoreError> {
        let known = self.get::<Blocks>(&number)?;
        let info = BlockInfo { hash, timestamp };
        if known != Some(info) {
            self.put::<Blocks>(&number, &info)?;
        }
        Ok(())
    }
}
