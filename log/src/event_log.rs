//! The event log: an append-only sequence of encoded [`LogRecord`]s numbered from zero.
//!
//! [`EmbeddedLog`] keeps it in a RocksDB of its own, beside the state: deleting the state and
//! replaying the log rebuilds it. The Kafka log implements the same trait.

use registrar_schemas::{LogOffset, LogRecord};
use tokio::sync::watch;

use crate::LogError;

/// A partition of the log. The embedded log has one, partition 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Partition(pub u32);

impl Partition {
    /// Every partition of a log of `count` partitions, in order.
    pub fn all(count: u32) -> impl Iterator<Item = Partition> {
        (0..count).map(Partition)
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

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

    pub fn decode(&self) -> Result<LogRecord, LogError> {
        LogRecord::decode(&self.bytes).map_err(|source| LogError::BadRecord {
            partition: self.partition,
            offset: self.offset,
            source,
        })
    }
}

/// Which partitions a record goes to, of those it belongs in (see [`EventLog::append_where`]).
pub type KeepRecord = dyn Fn(Partition, &LogRecord) -> bool + Send + Sync;

/// The acknowledgements of an append on their way (see [`EventLog::start_append`]).
pub type PendingAppend = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), LogError>> + Send + Sync>>;

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
    ) -> Result<(), LogError>;

    /// Starts appending `records` as [`EventLog::append_where`] does and returns once they are
    /// queued, in order, with what resolves when the log holds them all (or says why not).
    /// Appends started one after another are queued in that order; a writer that must not
    /// append a record before everything below it is held (a commit) waits for the earlier
    /// appends first. The embedded log appends at once.
    fn start_append(&self, records: Vec<LogRecord>, keep: Box<KeepRecord>) -> Result<PendingAppend, LogError> {
        self.append_where(&records, &*keep)?;
        Ok(Box::pin(std::future::ready(Ok(()))))
    }

    /// Appends `records` to their partitions.
    fn append(&self, records: &[LogRecord]) -> Result<(), LogError> {
        self.append_where(records, &|_, _| true)
    }

    /// Up to `max` records of `partition` from `from` on, in order. Offsets grow but need not be
    /// contiguous.
    fn read(&self, partition: Partition, from: LogOffset, max: usize) -> Result<Vec<RawRecord>, LogError>;

    /// The last `max` records of `partition`, in order: how a restarted ingest finds where it
    /// left off.
    fn tail(&self, partition: Partition, max: usize) -> Result<Vec<RawRecord>, LogError>;

    /// The offset the next record appended to `partition` will get.
    fn end(&self, partition: Partition) -> Result<LogOffset, LogError>;

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
    fn dead_letter(&self, _record: &RawRecord, _error: &str) -> Result<(), LogError> {
        Ok(())
    }
}

/// Blocks the calling reader thread until this process appends to the log, `shutdown` changes,
/// or [`EventLog::idle_wait`] passes. `changes` must have been marked seen before the read that
/// found nothing, so that an append in between is not missed. `rt` is the reader's own runtime.
pub fn wait_for_records(
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
