//! The state database: one RocksDB with a column family per table.

use std::path::Path;

use alloy::primitives::{Keccak256, B256};
use registrar_log::{Partition, RocksMemory};
use registrar_schemas::LogOffset;
use rocksdb::{BlockBasedOptions, Cache, ColumnFamily, ColumnFamilyDescriptor, IteratorMode, Options, DB};

use crate::{
    codec::Codec,
    tables::ChainStatus,
    tables::{
        AppliedOffsets, ChainStatuses, ChainView, HoldersByBalance, Meta, MetaKey, Positions, Table, UndoSequence,
        ALL_TABLES,
    },
    StoreError,
};

/// Memory all memtables of the state may use together.
const MEMTABLE_BUDGET: usize = 64 << 20;
/// The block cache shared by all tables.
const BLOCK_CACHE: usize = 64 << 20;

/// The projected state. Shared by the projector (the only writer) and the API (readers).
pub struct StateDb {
    pub(crate) db: DB,
    /// The position after the last commit, for live readers.
    tip: tokio::sync::watch::Sender<crate::Tip>,
}

impl StateDb {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        // Memory is bounded across all tables: memtables share one budget, blocks one cache.
        opts.set_db_write_buffer_size(MEMTABLE_BUDGET);
        // The projector writes without the WAL (the event log is the durable record): every
        // table's memtable is flushed together, so a crash leaves the state of one whole batch,
        // checkpoint included, and the projector applies the log again from there.
        opts.set_atomic_flush(true);
        // One writer: the projector.
        opts.set_allow_concurrent_memtable_write(false);
        let cache = Cache::new_lru_cache(BLOCK_CACHE);
        let cfs = ALL_TABLES.iter().map(|name| {
            let mut cf = Options::default();
            // The first levels are rewritten soon by compactions: compressing them costs the
            // projector CPU (two cores) for files that do not live long.
            use rocksdb::DBCompressionType::{Lz4, None as Plain};
            cf.set_compression_per_level(&[Plain, Plain, Lz4, Lz4, Lz4, Lz4, Lz4]);
            cf.set_write_buffer_size(MEMTABLE_BUDGET / 4);
            let mut table = BlockBasedOptions::default();
            table.set_block_cache(&cache);
            // Most projector reads are point reads, many for keys that do not exist yet.
            table.set_bloom_filter(10.0, false);
            cf.set_block_based_table_factory(&table);
            // The projector's reads of keys that do not exist yet (a new holder) skip the
            // memtables' skip lists.
            cf.set_memtable_prefix_bloom_ratio(0.05);
            cf.set_memtable_whole_key_filtering(true);
            if *name == HoldersByBalance::NAME {
                // Every balance change deletes an index key; files dense with tombstones are
                // compacted early so that scans do not wade through them.
                cf.add_compact_on_deletion_collector_factory(1_000, 200, 0.2);
            }
            ColumnFamilyDescriptor::new(*name, cf)
        });
        let db = DB::open_cf_descriptors(&opts, path, cfs).map_err(|e| {
            // RocksDB's own words for a LOCK file another process holds.
            if e.kind() == rocksdb::ErrorKind::IOError && e.to_string().contains("lock") {
                StoreError::InUse { path: path.display().to_string() }
            } else {
                StoreError::Rocks(e)
            }
        })?;
        let state = StateDb { db, tip: tokio::sync::watch::Sender::new(crate::Tip::default()) };
        state.migrate_meta()?;
        let status = state.chain_status()?;
        state.tip.send_modify(|tip| tip.advance(status, None));
        Ok(state)
    }

    pub(crate) fn cf_named(&self, name: &str) -> &ColumnFamily {
        self.db.cf_handle(name).expect("every table is created at open")
    }

    pub(crate) fn cf<T: Table>(&self) -> &ColumnFamily {
        self.cf_named(T::NAME)
    }

    pub(crate) fn get<T: Table>(&self, key: &T::Key) -> Result<Option<T::Value>, StoreError> {
        match self.db.get_pinned_cf(self.cf::<T>(), key.encode())? {
            Some(bytes) => decode::<T>(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Wakes on every commit of the projector with where the state stands and its reverts.
    pub fn tip(&self) -> tokio::sync::watch::Receiver<crate::Tip> {
        self.tip.subscribe()
    }

    /// Tells live readers a batch was committed (after a revert to `reverted_to`, if it was one).
    pub(crate) fn publish(&self, reverted_to: Option<u64>) -> Result<(), StoreError> {
        let status = self.chain_status()?;
        self.tip.send_modify(|tip| tip.advance(status, reverted_to));
        Ok(())
    }

    /// The offset of the last record applied from `partition`, `None` before the first.
    pub fn applied_offset(&self, partition: Partition) -> Result<Option<LogOffset>, StoreError> {
        Ok(self.get::<AppliedOffsets>(&partition.0)?.map(LogOffset))
    }

    /// The applied offset of every partition applied from, by partition.
    pub fn applied_offsets(&self) -> Result<Vec<(u32, LogOffset)>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf::<AppliedOffsets>(), IteratorMode::Start) {
            let (k, v) = item?;
            let partition = u32::decode(&k).map_err(corrupt::<AppliedOffsets>)?;
            out.push((partition, LogOffset(decode::<AppliedOffsets>(&v)?)));
        }
        Ok(out)
    }

    /// Where the projected chain stands, `None` before the first committed block. With several
    /// partitions, the view of the least advanced one: every answer is complete up to it.
    pub fn chain_status(&self) -> Result<Option<ChainStatus>, StoreError> {
        self.get::<ChainStatuses>(&ChainView::Combined)
    }

    /// Where one partition of `partitions` says the chain stands.
    pub(crate) fn partition_status(&self, partition: u32, partitions: u32) -> Result<Option<ChainStatus>, StoreError> {
        let view = if partitions == 1 { ChainView::Combined } else { ChainView::Partition(partition) };
        self.get::<ChainStatuses>(&view)
    }

    /// Moves the checkpoints of a store written before the typed tables out of `Meta`, in one
    /// synced batch: opening an older store neither loses its position nor applies the log
    /// twice.
    fn migrate_meta(&self) -> Result<(), StoreError> {
        let mut batch = rocksdb::WriteBatch::default();
        let mut moved = 0;
        for item in self.db.iterator_cf(self.cf::<Meta>(), IteratorMode::Start) {
            let (k, v) = item?;
            let key = MetaKey::decode(&k).map_err(corrupt::<Meta>)?;
            match key {
                MetaKey::Applied(p) => {
                    let offset = u64::decode(&v).map_err(corrupt::<Meta>)?;
                    batch.put_cf(self.cf::<AppliedOffsets>(), p.encode(), offset.encode());
                }
                MetaKey::Chain | MetaKey::PartitionChain(_) => {
                    let status = ChainStatus::decode(&v).map_err(corrupt::<Meta>)?;
                    let view = match key {
                        MetaKey::PartitionChain(p) => ChainView::Partition(p),
                        _ => ChainView::Combined,
                    };
                    batch.put_cf(self.cf::<ChainStatuses>(), view.encode(), status.encode());
                }
                MetaKey::Position(p) => {
                    let position = <(u64, u32)>::decode(&v).map_err(corrupt::<Meta>)?;
                    batch.put_cf(self.cf::<Positions>(), p.encode(), position.encode());
                }
                MetaKey::UndoSeq => {
                    let seq = u64::decode(&v).map_err(corrupt::<Meta>)?;
                    batch.put_cf(self.cf::<UndoSequence>(), ().encode(), seq.encode());
                }
            }
            batch.delete_cf(self.cf::<Meta>(), &k);
            moved += 1;
        }
        if moved > 0 {
            let mut sync = rocksdb::WriteOptions::default();
            sync.set_sync(true);
            self.db.write_opt(batch, &sync)?;
        }
        Ok(())
    }

    /// Writes every table's memtable to disk, at once: what the projector wrote without the WAL
    /// survives a crash after this returns.
    pub fn persist(&self) -> Result<(), StoreError> {
        let cfs: Vec<&ColumnFamily> = ALL_TABLES.iter().map(|name| self.cf_named(name)).collect();
        self.db.flush_cfs_opt(&cfs, &rocksdb::FlushOptions::default())?;
        Ok(())
    }

    /// Compacts the holder index, dropping the tombstones that balance changes leave at the
    /// front of each token's range. Logical content is unchanged.
    pub fn compact_holder_index(&self) {
        self.db.compact_range_cf(self.cf::<HoldersByBalance>(), None::<&[u8]>, None::<&[u8]>);
    }

    /// A Keccak-256 over every key and value of every table, in order: two stores with the same
    /// digest hold the same bytes, checkpoint and undo records included (not the top-holder
    /// checkpoints, a cache placed by how the log was batched).
    pub fn digest(&self) -> Result<B256, StoreError> {
        let tables: Vec<&str> =
            ALL_TABLES.iter().copied().filter(|t| *t != crate::tables::TopCheckpoints::NAME).collect();
        self.digest_of(&tables)
    }

    /// A digest of what the chain determines: every table but the checkpoint, the undo records
    /// and the dead letters, which depend on how the log was written and read. Two stores that
    /// indexed the same final chain have the same state digest, whatever reorgs one went through.
    pub fn state_digest(&self) -> Result<B256, StoreError> {
        let business: Vec<&str> = ALL_TABLES
            .iter()
            .copied()
            .filter(|t| {
                ![
                    Meta::NAME,
                    AppliedOffsets::NAME,
                    ChainStatuses::NAME,
                    Positions::NAME,
                    UndoSequence::NAME,
                    crate::tables::ChainFinalized::NAME,
                    crate::tables::Undo::NAME,
                    crate::tables::DeadLetters::NAME,
                    crate::tables::TopCheckpoints::NAME,
                ]
                .contains(t)
            })
            .collect();
        self.digest_of(&business)
    }

    /// What RocksDB holds in memory for the state, in bytes: memtables of every table, the shared
    /// block cache, and the readers of table files (indexes and filters outside the cache).
    pub fn memory(&self) -> Result<RocksMemory, StoreError> {
        let int = |cf, p: &str| self.db.property_int_value_cf(cf, p).map(|v| v.unwrap_or(0));
        // One cache serves every table.
        let mut m = RocksMemory {
            block_cache: int(self.cf_named(Meta::NAME), "rocksdb.block-cache-usage")?,
            ..Default::default()
        };
        for name in ALL_TABLES {
            let cf = self.cf_named(name);
            m.memtables += int(cf, "rocksdb.cur-size-all-mem-tables")?;
            m.table_readers += int(cf, "rocksdb.estimate-table-readers-mem")?;
        }
        Ok(m)
    }

    /// Each table's digest and row count, to find where two states differ.
    pub fn table_digests(&self) -> Result<Vec<(&'static str, B256, u64)>, StoreError> {
        let mut out = Vec::new();
        for name in ALL_TABLES {
            let rows = self.db.iterator_cf(self.cf_named(name), IteratorMode::Start).count() as u64;
            out.push((*name, self.digest_of(&[name])?, rows));
        }
        Ok(out)
    }

    fn digest_of(&self, tables: &[&str]) -> Result<B256, StoreError> {
        let mut h = Keccak256::new();
        for name in tables {
            h.update((name.len() as u32).to_be_bytes());
            h.update(name.as_bytes());
            for item in self.db.iterator_cf(self.cf_named(name), IteratorMode::Start) {
                let (k, v) = item?;
                h.update((k.len() as u32).to_be_bytes());
                h.update(&k);
                h.update((v.len() as u32).to_be_bytes());
                h.update(&v);
            }
        }
        Ok(h.finalize())
    }
}

pub(crate) fn decode<T: Table>(bytes: &[u8]) -> Result<T::Value, StoreError> {
    T::Value::decode(bytes).map_err(corrupt::<T>)
}

pub(crate) fn corrupt<T: Table>(source: crate::CodecError) -> StoreError {
    StoreError::Corrupt { table: T::NAME, source }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::B256;
    use registrar_schemas::{BlockNumber, ChainId};

    use super::*;

    /// A store written before the typed checkpoint tables keeps its position when opened: its
    /// `Meta` entries move into them, and `Meta` is left empty.
    #[test]
    fn an_older_store_keeps_its_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let status = ChainStatus {
            chain_id: ChainId(31337),
            indexed_block: BlockNumber(42),
            indexed_hash: B256::repeat_byte(7),
            head_block: BlockNumber(45),
            finalized_block: BlockNumber(40),
        };
        {
            let old = StateDb::open(dir.path()).unwrap();
            let meta = old.cf::<Meta>();
            old.db.put_cf(meta, MetaKey::Applied(0).encode(), 41u64.encode()).unwrap();
            old.db.put_cf(meta, MetaKey::Applied(3).encode(), 7u64.encode()).unwrap();
            old.db.put_cf(meta, MetaKey::Chain.encode(), status.encode()).unwrap();
            old.db.put_cf(meta, MetaKey::PartitionChain(3).encode(), status.encode()).unwrap();
            old.db.put_cf(meta, MetaKey::Position(3).encode(), (42u64, 5u32).encode()).unwrap();
            old.db.put_cf(meta, MetaKey::UndoSeq.encode(), 99u64.encode()).unwrap();
        }
        let db = StateDb::open(dir.path()).unwrap();
        assert_eq!(db.applied_offset(Partition(0)).unwrap(), Some(LogOffset(41)));
        assert_eq!(db.applied_offsets().unwrap(), vec![(0, LogOffset(41)), (3, LogOffset(7))]);
        assert_eq!(db.chain_status().unwrap(), Some(status));
        assert_eq!(db.partition_status(3, 4).unwrap(), Some(status));
        assert_eq!(db.get::<Positions>(&3).unwrap(), Some((42, 5)));
        assert_eq!(db.get::<UndoSequence>(&()).unwrap(), Some(99));
        assert_eq!(db.db.iterator_cf(db.cf::<Meta>(), IteratorMode::Start).count(), 0, "Meta is emptied");
    }
}
