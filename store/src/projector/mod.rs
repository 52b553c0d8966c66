//! Applies log records to the state, in order, exactly once.
//!
//! Each call to [`Projector::apply`] writes the state changes of a run of records of one
//! partition and the offset of the last one in one `WriteBatch`. Changes to blocks above the
//! finalized block also write the previous value of every key they touch to the `Undo` table,
//! tagged with the partition; a [`Reverted`] record replays that partition's in reverse to restore
//! the state as of the common ancestor. The state of a token lives in one partition, so each
//! partition's revert is complete on its own.
//!
//! Each partition keeps its own view of the chain (the last committed block); the view the API
//! sees is the least advanced one. A record (event or commit) at or below the partition's
//! position is a copy a broker's retry left, and is dropped.

use std::sync::{
    atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
    Arc,
};

use alloy::primitives::U256;
use registrar_schemas::{LogOffset, LogRecord};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use registrar_log::{wait_for_records, EventLog, Metrics, Partition, RawRecord, Stage};

use self::tx::Tx;
use crate::{StateDb, StoreError};

mod audit;
mod balances;
mod cache;
mod capital;
mod chain;
mod checkpoint;
pub(crate) use checkpoint::{CHECKPOINT_EVERY, CHECKPOINT_SIZE};
mod event;
mod investors;
mod partitions;
mod pools;
mod trex;
mod tx;

/// What one [`Projector::apply`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ApplyOutcome {
    pub records: usize,
    pub events: usize,
    pub last_offset: Option<LogOffset>,
}

/// Holder-index deletions after which the index is compacted in the background.
const INDEX_DELETES_BEFORE_COMPACTION: u64 = 20_000;

/// The only writer of the state database.
pub struct Projector {
    db: Arc<StateDb>,
    metrics: Arc<Metrics>,
    /// Holder-index deletions since the last compaction.
    index_deletes: AtomicU64,
    compacting: Arc<AtomicBool>,
    /// The partitions of the log it reads.
    partitions: u32,
    /// Holders' latest states, kept between batches.
    cache: std::sync::Mutex<cache::HolderCache>,
    /// Holder changes per token since its last checkpoint of the top holders (in memory: after a
    /// restart a checkpoint comes later, never wrongly).
    since_checkpoint: std::sync::Mutex<std::collections::HashMap<alloy::primitives::Address, u64>>,
}

impl Projector {
    pub fn new(db: Arc<StateDb>, metrics: Arc<Metrics>) -> Self {
        if let Ok(Some(status)) = db.chain_status() {
            metrics.indexed_block.store(status.indexed_block.0, Relaxed);
            metrics.finalized_block.store(status.finalized_block.0, Relaxed);
        }
        Projector {
            db,
            metrics,
            index_deletes: AtomicU64::new(0),
            compacting: Arc::new(AtomicBool::new(false)),
            partitions: 1,
            cache: Default::default(),
            since_checkpoint: Default::default(),
        }
    }

    /// The offset of the last record applied from `partition`.
    pub fn applied_offset(&self, partition: Partition) -> Result<Option<LogOffset>, StoreError> {
        self.db.applied_offset(partition)
    }

    /// A projector of a log with `partitions` partitions (1 unless told).
    pub fn with_partitions(mut self, partitions: u32) -> Self {
        self.partitions = partitions.max(1);
        self
    }

    /// Starts a background compaction of the holder index once enough tombstones piled up.
    fn maybe_compact(&self, deletes: u64) {
        let total = self.index_deletes.fetch_add(deletes, Relaxed) + deletes;
        if total < INDEX_DELETES_BEFORE_COMPACTION || self.compacting.swap(true, Relaxed) {
            return;
        }
        self.index_deletes.store(0, Relaxed);
        let (db, compacting) = (self.db.clone(), self.compacting.clone());
        let spawned = std::thread::Builder::new().name("compact-index".into()).spawn(move || {
            db.compact_holder_index();
            compacting.store(false, Relaxed);
            debug!(target: "projector", "holder index compacted");
        });
        if let Err(e) = spawned {
            warn!(target: "projector", error = %e, "cannot start index compaction");
            self.compacting.store(false, Relaxed);
        }
    }

    /// Applies `records` of one partition, which must come after its applied offset in order:
    /// a checkpoint never moves backwards. Malformed records are kept as dead letters in the
    /// state.
    pub fn apply(&self, records: &[RawRecord]) -> Result<ApplyOutcome, StoreError> {
        self.apply_from(records, None)
    }

    /// [`Projector::apply`], handing dead letters to `log` too before moving past them.
    pub fn apply_from(&self, records: &[RawRecord], log: Option<&dyn EventLog>) -> Result<ApplyOutcome, StoreError> {
        let Some(partition) = records.first().map(|r| r.partition) else { return Ok(ApplyOutcome::default()) };
        let applied = self.db.applied_offset(partition)?;
        let mut expected = applied.map_or(LogOffset(0), LogOffset::next);
        for r in records {
            if r.partition != partition || r.offset < expected {
                return Err(StoreError::CheckpointGap { partition: r.partition, applied, next: r.offset });
            }
            expected = r.offset.next();
        }
        let mut outcome = ApplyOutcome::default();
        let mut decoded: Vec<Option<Result<LogRecord, StoreError>>> =
            records.iter().map(|r| Some(r.decode().map_err(StoreError::from))).collect();
        // A revert reads the undo table, so what comes before it is committed first. The end of a
        // block ends a batch too when a token is due a checkpoint of its top holders (the state is
        // then exactly after that block), and so does the last block commit of the records.
        let last_commit = decoded.iter().rposition(|r| matches!(r, Some(Ok(LogRecord::Committed(_)))));
        let mut start = 0;
        let mut cache = self.cache.lock().expect("holder cache lock poisoned");
        while start < records.len() {
            let mut tx = Tx::begin(&self.db, &mut cache, partition.0, self.partitions, records.len() - start)?;
            let mut end = start;
            let mut boundary = None;
            let mut reverted_to = None;
            while end < records.len() {
                let is_revert = matches!(decoded[end], Some(Ok(LogRecord::Reverted(_))));
                if is_revert && end > start {
                    break;
                }
                if let Some(Ok(LogRecord::Reverted(r))) = &decoded[end] {
                    reverted_to = Some(r.common_ancestor.0);
                }
                let record = decoded[end].take().expect("each record is applied once");
                outcome.events += tx.apply_one(&records[end], record, &self.metrics)?;
                end += 1;
                boundary = block_ended(tx.position, decoded.get(end));
                if is_revert || Some(end - 1) == last_commit || (boundary.is_some() && self.checkpoint_due(&tx.changes))
                {
                    break;
                }
            }
            let last = records[end - 1].offset;
            let index_deletes = tx.index_deletes;
            // A dead letter is safely elsewhere before the checkpoint moves past it.
            if let Some(log) = log {
                for (record, error) in &tx.dead_letters {
                    log.dead_letter(record, error)?;
                }
            }
            let changes = tx.commit(last)?;
            self.db.publish(reverted_to)?;
            self.checkpoint_top_holders(changes, boundary)?;
            self.maybe_compact(index_deletes);
            outcome.records += end - start;
            outcome.last_offset = Some(last);
            start = end;
        }
        if let Some(status) = self.db.chain_status()? {
            self.metrics.indexed_block.store(status.indexed_block.0, Relaxed);
            self.metrics.finalized_block.store(status.finalized_block.0, Relaxed);
        }
        self.metrics.events_applied.fetch_add(outcome.events as u64, Relaxed);
        Ok(outcome)
    }
}

/// The block the state is exactly after, if the last record applied (at `position`) ended one:
/// it was the block's commit, or the next record is of a later block.
fn block_ended(position: Option<(u64, u32)>, next: Option<&Option<Result<LogRecord, StoreError>>>) -> Option<u64> {
    let (block, log_index) = position?;
    if log_index == u32::MAX {
        return Some(block);
    }
    match next {
        Some(Some(Ok(r))) => r.position().filter(|(next, _)| *next > block).map(|_| block),
        _ => None,
    }
}

impl Projector {
    /// Reads up to `batch` records of `partition` after its applied offset from `log` and
    /// applies them; an outcome of zero records means the partition is caught up.
    pub fn apply_next(
        &self,
        log: &dyn EventLog,
        partition: Partition,
        batch: usize,
    ) -> Result<ApplyOutcome, StoreError> {
        let started = std::time::Instant::now();
        let from = self.db.applied_offset(partition)?.map_or(LogOffset(0), LogOffset::next);
        let records = log.read(partition, from, batch)?;
        if records.is_empty() {
            return Ok(ApplyOutcome::default());
        }
        let outcome = self.apply_from(&records, Some(log))?;
        self.metrics.stage_time(Stage::Project, started.elapsed());
        if let Some(last) = outcome.last_offset {
            log.acknowledge(partition, last);
        }
        Ok(outcome)
    }
}

/// How far the state is behind one partition of the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionLag {
    pub partition: Partition,
    /// One past the last offset applied.
    pub applied: u64,
    /// The offset the next appended record will get.
    pub end: u64,
}

impl PartitionLag {
    pub fn behind(&self) -> u64 {
        self.end.saturating_sub(self.applied)
    }
}

/// Where the state stands against each partition of `log`.
pub fn partition_lags(log: &dyn EventLog, db: &StateDb) -> Result<Vec<PartitionLag>, StoreError> {
    Partition::all(log.partitions())
        .map(|partition| {
            let end = log.end(partition)?.0;
            let applied = db.applied_offset(partition)?.map_or(0, |o| o.0 + 1);
            Ok(PartitionLag { partition, applied, end })
        })
        .collect()
}

/// The records of `log` the state has not applied yet, over all partitions (0: caught up).
pub fn records_behind(log: &dyn EventLog, db: &StateDb) -> Result<u64, StoreError> {
    Ok(partition_lags(log, db)?.iter().map(PartitionLag::behind).sum())
}

/// Runs the projector until `shutdown` turns true: reads each partition of the log from its
/// applied offset on and applies it in batches of up to `batch` records, taking the partitions
/// in turn, and waits for appends when all are caught up. An error that retrying may fix (the
/// broker is away) pauses it; others stop it. Blocking: run it on a thread of its own.
pub fn run_projector(
    log: Arc<dyn EventLog>,
    projector: Projector,
    batch: usize,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), StoreError> {
    let projector = projector.with_partitions(log.partitions());
    let mut changes = log.subscribe();
    // Waiting for appends needs a timer; this thread's own small runtime provides it.
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    let mut failures = 0u32;
    loop {
        if *shutdown.borrow() {
            projector.db.persist()?;
            info!(target: "projector", "projector stopped");
            return Ok(());
        }
        changes.borrow_and_update();
        let mut applied = 0;
        for partition in Partition::all(projector.partitions) {
            match projector.apply_next(log.as_ref(), partition, batch) {
                Ok(outcome) => {
                    failures = 0;
                    applied += outcome.records;
                    if outcome.records > 0 {
                        debug!(target: "projector", partition = partition.0, records = outcome.records, events = outcome.events, last = ?outcome.last_offset, "applied batch");
                    }
                }
                Err(e) if e.is_retryable() => {
                    failures += 1;
                    let pause = std::time::Duration::from_millis(200 * u64::from(failures.min(25)));
                    warn!(target: "projector", partition = partition.0, error = %e, ?pause, "cannot read the log, trying again");
                    rt.block_on(async {
                        tokio::select! {
                            _ = tokio::time::sleep(pause) => {}
                            _ = shutdown.changed() => {}
                        }
                    });
                }
                Err(e) => return Err(e),
            }
        }
        if applied == 0 {
            // Caught up: sleep until the log grows or shutdown, with a timeout as a safety net.
            wait_for_records(&rt, &mut changes, log.idle_wait(), &mut shutdown);
        }
    }
}

/// A change of an amount (a balance in a partition, a bond tranche, a pool holding).
#[derive(Clone, Copy)]
pub(super) enum Change {
    Add(U256),
    Sub(U256),
}
