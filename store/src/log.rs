//! The event log: an append-only sequence of encoded [`LogRecord`]s numbered from zero.
//!
//! [`EmbeddedLog`] keeps it in a RocksDB of its own, beside the state: deleting the state and
//! replaying the log rebuilds it. The Kafka log implements the same trait.

use std::{path::Path, sync::Mutex};

use registrar_schemas::{LogOffset, LogRecord};
use rocksdb::{Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use tokio::sync::watch;

use crate::StoreError;

/// A record as stored: decoding is the reader's business, so a malformed record can be set
/// aside with its offset instead of stopping the reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRecord {
    pub offset: LogOffset,
    pub bytes: Vec<u8>,
}

impl RawRecord {
    pub fn decode(&self) -> Result<LogRecord, StoreError> {
        LogRecord::decode(&self.bytes).map_err(|source| StoreError::BadRecord { offset: self.offset, source })
    }
}

/// An append-only, totally ordered log of records.
pub trait EventLog: Send + Sync {
    /// Appends `records` atomically and durably: all of them or none. Returns the offset of the
    /// last one, `None` if `records` is empty.
    fn append(&self, records: &[LogRecord]) -> Result<Option<LogOffset>, StoreError>;

    /// Up to `max` records from `from` on, in order.
    fn read(&self, from: LogOffset, max: usize) -> Result<Vec<RawRecord>, StoreError>;

    /// The last `max` records, in order: how a restarted ingest finds where it left off.
    fn tail(&self, max: usize) -> Result<Vec<RawRecord>, StoreError>;

    /// The offset the next appended record will get, i.e. the number of records.
    fn end(&self) -> LogOffset;

    /// Watches [`EventLog::end`]; changes after every append.
    fn subscribe(&self) -> watch::Receiver<LogOffset>;
}

/// Blocks the calling reader thread until the log ends past `next`, `shutdown` changes, or half a
/// second passes (a safety net against a missed wake-up). `rt` is the reader's own small runtime.
pub(crate) fn wait_for_records(
    rt: &tokio::runtime::Runtime,
    end: &mut watch::Receiver<LogOffset>,
    next: LogOffset,
    shutdown: &mut watch::Receiver<bool>,
) {
    rt.block_on(async {
        tokio::select! {
            _ = end.wait_for(|e| *e > next) => {}
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
        }
    });
}

/// The log in its own RocksDB: key = offset (8 bytes, big-endian), value = the record.
pub struct EmbeddedLog {
    db: DB,
    /// The next offset; the lock also serialises appends.
    next: Mutex<LogOffset>,
    end_tx: watch::Sender<LogOffset>,
}

impl EmbeddedLog {
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
        let (end_tx, _) = watch::channel(next);
        Ok(EmbeddedLog { db, next: Mutex::new(next), end_tx })
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
    fn append(&self, records: &[LogRecord]) -> Result<Option<LogOffset>, StoreError> {
        if records.is_empty() {
            return Ok(None);
        }
        let mut next = self.next.lock().expect("log lock poisoned");
        let mut batch = WriteBatch::default();
        let mut offset = *next;
        for record in records {
            batch.put(offset.0.to_be_bytes(), record.encode());
            offset = offset.next();
        }
        let mut wo = WriteOptions::default();
        // An appended record is acknowledged: it must survive a crash of the machine too.
        wo.set_sync(true);
        self.db.write_opt(batch, &wo)?;
        *next = offset;
        self.end_tx.send_replace(offset);
        Ok(Some(LogOffset(offset.0 - 1)))
    }

    fn read(&self, from: LogOffset, max: usize) -> Result<Vec<RawRecord>, StoreError> {
        let start = from.0.to_be_bytes();
        let mut out = Vec::with_capacity(max.min(4096));
        for item in self.db.iterator(IteratorMode::From(&start, Direction::Forward)).take(max) {
            let (key, value) = item?;
            out.push(RawRecord { offset: decode_offset(&key)?, bytes: value.into_vec() });
        }
        Ok(out)
    }

    fn tail(&self, max: usize) -> Result<Vec<RawRecord>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator(IteratorMode::End).take(max) {
            let (key, value) = item?;
            out.push(RawRecord { offset: decode_offset(&key)?, bytes: value.into_vec() });
        }
        out.reverse();
        Ok(out)
    }

    fn end(&self) -> LogOffset {
        *self.next.lock().expect("log lock poisoned")
    }

    fn subscribe(&self) -> watch::Receiver<LogOffset> {
        self.end_tx.subscribe()
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
            assert_eq!(log.end(), LogOffset(0));
            assert_eq!(log.append(&[]).unwrap(), None);
            assert_eq!(log.append(&[committed(1), committed(2)]).unwrap(), Some(LogOffset(1)));
            assert_eq!(log.append(&[committed(3)]).unwrap(), Some(LogOffset(2)));
            assert_eq!(*log.subscribe().borrow(), LogOffset(3));
        }
        let log = EmbeddedLog::open(dir.path()).unwrap();
        assert_eq!(log.end(), LogOffset(3));
        let all: Vec<_> = log.read(LogOffset(0), 10).unwrap().iter().map(|r| r.decode().unwrap()).collect();
        assert_eq!(all, vec![committed(1), committed(2), committed(3)]);
        let from1 = log.read(LogOffset(1), 1).unwrap();
        assert_eq!(from1.len(), 1);
        assert_eq!(from1[0].offset, LogOffset(1));
        let tail: Vec<_> = log.tail(2).unwrap().iter().map(|r| r.offset.0).collect();
        assert_eq!(tail, vec![1, 2]);
    }
}
