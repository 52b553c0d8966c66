//! The state database: one RocksDB with a column family per table.

use std::path::Path;

use alloy::primitives::{Keccak256, B256};
use registrar_log::{Partition, RocksMemory};
use registrar_schemas::LogOffset;
use rocksdb::{BlockBasedOptions, Cache, ColumnFamily, ColumnFamilyDescriptor, IteratorMode, Options, DB};

use crate::{
    codec::Codec,
    tables::ChainStatus,
    tables::{HoldersByBalance, Meta, MetaKey, Table, ALL_TABLES},
    StoreError,
};

/// Memory all memtables of the state may use together.
const MEMTABLE_BUDGET: usize = 64 << 20;
/// The block cache shared by all tables.
const BLOCK_CACHE: usize = 64 << 20;

/// The projected state. Shared by the projector (the only writer) and the API (readers).
pub struct StateDb {
    pub(crate) db: DB,
}

impl StateDb {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        // Memory is bounded across all tables: memtables share one budget, blocks one cache.
        opts.set_db_write_buffer_size(MEMTABLE_BUDGET);
        let cache = Cache::new_lru_cache(BLOCK_CACHE);
        let cfs = ALL_TABLES.iter().map(|name| {
            let mut cf = Options::default();
            cf.set_compression_type(rocksdb::DBCompressionType::Lz4);
            cf.set_write_buffer_size(MEMTABLE_BUDGET / 4);
            let mut table = BlockBasedOptions::default();
            table.set_block_cache(&cache);
            // Most projector reads are point reads, many for keys that do not exist yet.
            table.set_bloom_filter(10.0, false);
            cf.set_block_based_table_factory(&table);
            if *name == HoldersByBalance::NAME {
                // Every balance change deletes an index key; files dense with tombstones are
                // compacted early so that scans do not wade through them.
                cf.add_compact_on_deletion_collector_factory(1_000, 200, 0.2);
            }
            ColumnFamilyDescriptor::new(*name, cf)
        });
        let db = DB::open_cf_descriptors(&opts, path, cfs)?;
        Ok(StateDb { db })
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

    /// The offset of the last record applied from `partition`, `None` before the first.
    pub fn applied_offset(&self, partition: Partition) -> Result<Option<LogOffset>, StoreError> {
        Ok(self
            .get::<Meta>(&MetaKey::Applied(partition.0))?
            .map(|b| u64::decode(&b))
            .transpose()
            .map_err(corrupt::<Meta>)?
            .map(LogOffset))
    }

    /// The applied offset of every partition applied from, by partition.
    pub fn applied_offsets(&self) -> Result<Vec<(u32, LogOffset)>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf::<Meta>(), IteratorMode::Start) {
            let (k, v) = item?;
            if let Ok(MetaKey::Applied(p)) = MetaKey::decode(&k) {
                out.push((p, LogOffset(u64::decode(&v).map_err(corrupt::<Meta>)?)));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Where the projected chain stands, `None` before the first committed block. With several
    /// partitions, the view of the least advanced one: every answer is complete up to it.
    pub fn chain_status(&self) -> Result<Option<ChainStatus>, StoreError> {
        self.status_at(MetaKey::Chain)
    }

    /// Where one partition of `partitions` says the chain stands.
    pub(crate) fn partition_status(&self, partition: u32, partitions: u32) -> Result<Option<ChainStatus>, StoreError> {
        self.status_at(if partitions == 1 { MetaKey::Chain } else { MetaKey::PartitionChain(partition) })
    }

    fn status_at(&self, key: MetaKey) -> Result<Option<ChainStatus>, StoreError> {
        self.get::<Meta>(&key)?.map(|b| ChainStatus::decode(&b)).transpose().map_err(corrupt::<Meta>)
    }

    /// Compacts the holder index, dropping the tombstones that balance changes leave at the
    /// front of each token's range. Logical content is unchanged.
    pub fn compact_holder_index(&self) {
        self.db.compact_range_cf(self.cf::<HoldersByBalance>(), None::<&[u8]>, None::<&[u8]>);
    }

    /// A Keccak-256 over every key and value of every table, in order: two stores with the same
    /// digest hold the same bytes, checkpoint and undo records included.
    pub fn digest(&self) -> Result<B256, StoreError> {
        self.digest_of(ALL_TABLES)
    }

    /// A digest of what the chain determines: every table but the checkpoint, the undo records
    /// and the dead letters, which depend on how the log was written and read. Two stores that
    /// indexed the same final chain have the same state digest, whatever reorgs one went through.
    pub fn state_digest(&self) -> Result<B256, StoreError> {
        let business: Vec<&str> = ALL_TABLES
            .iter()
            .copied()
            .filter(|t| ![Meta::NAME, crate::tables::Undo::NAME, crate::tables::DeadLetters::NAME].contains(t))
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
