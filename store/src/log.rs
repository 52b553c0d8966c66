//! The event log: an append-only sequence of encoded [`LogRecord`]s numbered from zero.
//!
//! [`EmbeddedLog`] keeps it in a RocksDB of its own, beside the state: deleting the state and
//! replaying the log rebuilds it. The Kafka log implements the same trait.

use std::{path::Path, sync::Mutex};

use registrar_schemas::{LogOffset, LogRecord};
use rocksdb::{Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use tokio::sync::watch;

use crate::StoreError;

/// A partition of the log. The embedded log has one, partition 0.
pub type Partition = u32;

/// A record as stored: decoding is the reader's business, so a malformed record can be set
/// aside with its offset instead of stopping the reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRecord {
    pub partition: Partition,
    pub offset: LogOffset,
    pub bytes: Vec<u8>,
    /// Put back into the log by `registrar dlq replay` from this offset of the dead-letter topic
    /// (the reader checked that the dead letter there holds these bytes): it is out of order by
    /// nature, so the projector applies it even below the partition's position, once.
    pub replayed: Option<u64>,
}

impl RawRecord {
    pub fn new(partition: Partition, offset: LogOffset, bytes: Vec<u8>) -> Self {
        RawRecord { partition, offset, bytes, replayed: None }
    }

    pub fn decode(&self) -> Result<LogRecord, StoreError> {
        LogRecord::decode(&self.bytes).map_err(|source| StoreError::BadRecord {
            partition: self.partition,
            offset: self.offset,
            source,
        })
    }
}

/// An append-only log of records in partitions, each totally ordered. A record about one
/// contract goes to one partition (all records of a token stay in order in one place); a record
/// about the chain (`Committed`, `Reverted`) goes to every partition, so each partition alone says
/// what is final and what a reorg voided.
pub trait EventLog: Send + Sync {
    /// The number of partitions, numbered from 0.
    fn partitions(&self) -> u32 {
        1
    }

    /// The partition `record` goes to; `None` for a record that goes to every partition.
    fn partition_of(&self, record: &LogRecord) -> Option<Partition>;

    /// Appends `records` in order and durably, each to its partition(s) for which `keep` says
    /// yes (a restarted writer skips what is already there). When it returns `Ok`, everything is
    /// in the log; on an error a prefix of each partition's share may be.
    fn append_where(
        &self,
        records: &[LogRecord],
        keep: &(dyn Fn(Partition, &LogRecord) -> bool + Sync),
    ) -> Result<(), StoreError>;

    /// Appends `records` to their partitions.
    fn append(&self, records: &[LogRecord]) -> Result<(), StoreError> {
        self.append_where(records, &|_, _| true)
    }

    /// Up to `max` records of `partition` from `from` on, in order. Offsets grow but need not be
    /// contiguous.
    fn read(&self, partition: Partition, from: LogOffset, max: usize) -> Result<Vec<RawRecord>, StoreError>;

    /// The last `max` records of `partition`, in order: how a restarted ingest finds where it
    /// left off.
    fn tail(&self, partition: Partition, max: usize) -> Result<Vec<RawRecord>, StoreError>;

    /// The offset the next record appended to `partition` will get.
    fn end(&self, partition: Partition) -> Result<LogOffset, StoreError>;

    /// Changes after appends this process makes. Readers of a log that other processes append
    /// to also poll every [`EventLog::idle_wait`].
    fn subscribe(&self) -> watch::Receiver<u64>;

    /// How long a reader that caught up waits before it reads again without a notification.
    fn idle_wait(&self) -> std::time::Duration {
        std::time::Duration::from_millis(500)
    }

    /// Tells the log that everything of `partition` up to `offset` is applied (informative:
    /// Kafka shows it as the consumer group's lag).
    fn acknowledge(&self, _partition: Partition, _offset: LogOffset) {}

    /// Sets aside a record that cannot be decoded, with the reason, before the reader moves past
    /// it. The embedded log keeps dead letters in the state only; Kafka also writes them to a
    /// dead-letter topic.
    fn dead_letter(&self, _record: &RawRecord, _error: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Blocks the calling reader thread until this process appends to the log, `shutdown` changes,
/// or [`EventLog::idle_wait`] passes. `changes` must have been marked seen before the read that
/// found nothing, so that an append in between is not missed. `rt` is the reader's own runtime.
pub(crate) fn wait_for_records(
    rt: &tokio::runtime::Runtime,
    changes: &mut watch::Receiver<u64>,
    idle: std::time::Duration,
    shutdown: &mut watch::Receiver<bool>,
) {
    rt.block_on(async {
        tokio::select! {
            _ = changes.changed() => {}
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep(idle) => {}
        }
    });
}

/// The log in its own RocksDB: key = offset (8 bytes, big-endian), value = the record.
pub struct EmbeddedLog {
    db: DB,
    /// The next offset; the lock also serialises appends.
    next: Mutex<LogOffset>,
    appends: watch::Sender<u64>,
}

impl EmbeddedLog {
    /// What RocksDB holds in memory for the log, in bytes.
    pub fn memory(&self) -> Result<crate::db::RocksMemory, StoreError> {
        let int = |p: &str| self.db.property_int_value(p).map(|v| v.unwrap_or(0));
        Ok(crate::db::RocksMemory {
            memtables: int("rocksdb.cur-size-all-mem-tables")?,
            block_cache: int("rocksdb.block-cache-usage")?,
            table_readers: int("rocksdb.estimate-table-readers-mem")?,
        })
    }

    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        opts.set_write_buffer_size(16 << 20);
        // The log is read sequentially: a small cache is enough.
        let mut table = rocksdb::BlockBasedOptions::default();
        table.set_block_cache(&rocksdb::Cache::new_lru_cache(8 << 20));
        opts.set_block_based_table_factory(&table);
        let db = DB::open(&opts, path)?;
        let next = match db.iterator(IteratorMode::End).next() {
            Some(item) => {
                let (key, _) = item?;
                LogOffset(decode_offset(&key)?.0 + 1)
            }
            None => LogOffset(0),
        };
        let (appends, _) = watch::channel(0);
        Ok(EmbeddedLog { db, next: Mutex::new(next), appends })
    }
}

fn decode_offset(key: &[u8]) -> Result<LogOffset, StoreError> {
    let bytes: [u8; 8] = key.try_into().map_err(|_| StoreError::Corrupt {
        table: "log",
        source: crate::CodecError { what: "log offset", expected: 8, found: key.len() },
    })?;
    Ok(LogOffset(u64::from_be_bytes(bytes)))
}

impl EventLog for EmbeddedLog {
    fn partition_of(&self, _record: &LogRecord) -> Option<Partition> {
        Some(0)
    }

    fn append_where(
        &self,
        records: &[LogRecord],
        keep: &(dyn Fn(Partition, &LogRecord) -> bool + Sync),
    ) -> Result<(), StoreError> {
        let mut next = self.next.lock().expect("log lock poisoned");
        let mut batch = WriteBatch::default();
        let mut offset = *next;
        for record in records.iter().filter(|r| keep(0, r)) {
            batch.put(offset.0.to_be_bytes(), record.encode());
            offset = offset.next();
        }
        if offset == *next {
            return Ok(());
        }
        let mut wo = WriteOptions::default();
        // An appended record is acknowledged: it must survive a crash of the machine too.
        wo.set_sync(true);
        self.db.write_opt(batch, &wo)?;
        *next = offset;
        self.appends.send_modify(|n| *n += 1);
        Ok(())
    }

    fn read(&self, partition: Partition, from: LogOffset, max: usize) -> Result<Vec<RawRecord>, StoreError> {
        let start = from.0.to_be_bytes();
        let mut out = Vec::with_capacity(max.min(4096));
        for item in self.db.iterator(IteratorMode::From(&start, Direction::Forward)).take(max) {
            let (key, value) = item?;
            out.push(RawRecord::new(partition, decode_offset(&key)?, value.into_vec()));
        }
        Ok(out)
    }

    fn tail(&self, partition: Partition, max: usize) -> Result<Vec<RawRecord>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator(IteratorMode::End).take(max) {
            let (key, value) = item?;
            out.push(RawRecord::new(partition, decode_offset(&key)?, value.into_vec()));
        }
        out.reverse();
        Ok(out)
    }

    fn end(&self, _partition: Partition) -> Result<LogOffset, StoreError> {
        Ok(*self.next.lock().expect("log lock poisoned"))
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.appends.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::B256;
    use registrar_schemas::{BlockNumber, BlocksCommitted, ChainId};

    fn committed(n: u64) -> LogRecord {
        LogRecord::Committed(BlocksCommitted {
            chain_id: ChainId(1),
            block: BlockNumber(n),
            block_hash: B256::repeat_byte(n as u8),
            head: BlockNumber(n),
            finalized: BlockNumber(0),
        })
    }

    #[test]
    fn appends_reads_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        {
            let log = EmbeddedLog::open(dir.path()).unwrap();
            assert_eq!(log.end(0).unwrap(), LogOffset(0));
            let changes = log.subscribe();
            log.append(&[]).unwrap();
            assert!(!changes.has_changed().unwrap(), "an empty append changes nothing");
            log.append(&[committed(1), committed(2)]).unwrap();
            log.append_where(&[committed(9), committed(3)], &|_, r| r != &committed(9)).unwrap();
            assert!(changes.has_changed().unwrap());
        }
        let log = EmbeddedLog::open(dir.path()).unwrap();
        assert_eq!(log.end(0).unwrap(), LogOffset(3));
        let all: Vec<_> = log.read(0, LogOffset(0), 10).unwrap().iter().map(|r| r.decode().unwrap()).collect();
        assert_eq!(all, vec![committed(1), committed(2), committed(3)]);
        let from1 = log.read(0, LogOffset(1), 1).unwrap();
        assert_eq!(from1.len(), 1);
        assert_eq!(from1[0].offset, LogOffset(1));
        let tail: Vec<_> = log.tail(0, 2).unwrap().iter().map(|r| r.offset.0).collect();
        assert_eq!(tail, vec![1, 2]);
    }
}
