//! [`EmbeddedLog`]: the event log in a RocksDB of its own, beside the state, for one machine.

use std::{path::Path, sync::Mutex};

use registrar_schemas::{LogOffset, LogRecord};
use rocksdb::{Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use tokio::sync::watch;

use crate::{EventLog, LogError, Partition, RawRecord, RocksMemory};

/// The log in its own RocksDB: key = offset (8 bytes, big-endian), value = the record.
pub struct EmbeddedLog {
    db: DB,
    /// The next offset; the lock also serialises appends.
    next: Mutex<LogOffset>,
    appends: watch::Sender<u64>,
}

impl EmbeddedLog {
    /// What RocksDB holds in memory for the log, in bytes.
    pub fn memory(&self) -> Result<RocksMemory, LogError> {
        let int = |p: &str| self.db.property_int_value(p).map(|v| v.unwrap_or(0));
        Ok(RocksMemory {
            memtables: int("rocksdb.cur-size-all-mem-tables")?,
            block_cache: int("rocksdb.block-cache-usage")?,
            table_readers: int("rocksdb.estimate-table-readers-mem")?,
        })
    }

    pub fn open(path: &Path) -> Result<Self, LogError> {
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

fn decode_offset(key: &[u8]) -> Result<LogOffset, LogError> {
    let bytes: [u8; 8] = key.try_into().map_err(|_| LogError::BadOffset { found: key.len() })?;
    Ok(LogOffset(u64::from_be_bytes(bytes)))
}

impl EventLog for EmbeddedLog {
    fn partition_of(&self, _record: &LogRecord) -> Option<Partition> {
        Some(Partition(0))
    }

    fn append_where(
        &self,
        records: &[LogRecord],
        keep: &(dyn Fn(Partition, &LogRecord) -> bool + Sync),
    ) -> Result<(), LogError> {
        let mut next = self.next.lock().expect("log lock poisoned");
        let mut batch = WriteBatch::default();
        let mut offset = *next;
        for record in records.iter().filter(|r| keep(Partition(0), r)) {
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

    fn read(&self, partition: Partition, from: LogOffset, max: usize) -> Result<Vec<RawRecord>, LogError> {
        let start = from.0.to_be_bytes();
        let mut out = Vec::with_capacity(max.min(4096));
        for item in self.db.iterator(IteratorMode::From(&start, Direction::Forward)).take(max) {
            let (key, value) = item?;
            out.push(RawRecord::new(partition, decode_offset(&key)?, value.into_vec()));
        }
        Ok(out)
    }

    fn tail(&self, partition: Partition, max: usize) -> Result<Vec<RawRecord>, LogError> {
        let mut out = Vec::new();
        for item in self.db.iterator(IteratorMode::End).take(max) {
            let (key, value) = item?;
            out.push(RawRecord::new(partition, decode_offset(&key)?, value.into_vec()));
        }
        out.reverse();
        Ok(out)
    }

    fn end(&self, _partition: Partition) -> Result<LogOffset, LogError> {
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
            assert_eq!(log.end(Partition(0)).unwrap(), LogOffset(0));
            let changes = log.subscribe();
            log.append(&[]).unwrap();
            assert!(!changes.has_changed().unwrap(), "an empty append changes nothing");
            log.append(&[committed(1), committed(2)]).unwrap();
            log.append_where(&[committed(9), committed(3)], &|_, r| r != &committed(9)).unwrap();
            assert!(changes.has_changed().unwrap());
        }
        let log = EmbeddedLog::open(dir.path()).unwrap();
        assert_eq!(log.end(Partition(0)).unwrap(), LogOffset(3));
        let all: Vec<_> =
            log.read(Partition(0), LogOffset(0), 10).unwrap().iter().map(|r| r.decode().unwrap()).collect();
        assert_eq!(all, vec![committed(1), committed(2), committed(3)]);
        let from1 = log.read(Partition(0), LogOffset(1), 1).unwrap();
        assert_eq!(from1.len(), 1);
        assert_eq!(from1[0].offset, LogOffset(1));
        let tail: Vec<_> = log.tail(Partition(0), 2).unwrap().iter().map(|r| r.offset.0).collect();
        assert_eq!(tail, vec![1, 2]);
    }
}
