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

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
        Arc,
    },
};

use alloy::primitives::{Address, B256, U256};
use registrar_schemas::{
    AdminAction, BlocksCommitted, ChainEvent, IdentityAction, LogOffset, LogRecord, Move, MoveKind, PoolAssetAction,
    Reverted, TokenDiscovered, TokenEvent, UndecodedLog,
};
use rocksdb::{Direction, IteratorMode, WriteBatch};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::{
    codec::{put_bytes, Codec},
    db::decode,
    query::ChainStatus,
    tables::*,
    StateDb, StoreError,
};
use registrar_log::{wait_for_records, EventLog, Metrics, RawRecord};

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
}

impl Projector {
    pub fn new(db: Arc<StateDb>, metrics: Arc<Metrics>) -> Self {
        if let Ok(Some(status)) = db.chain_status() {
            metrics.indexed_block.store(status.indexed_block, Relaxed);
            metrics.finalized_block.store(status.finalized_block, Relaxed);
        }
        Projector {
            db,
            metrics,
            index_deletes: AtomicU64::new(0),
            compacting: Arc::new(AtomicBool::new(false)),
            partitions: 1,
        }
    }

    /// The offset of the last record applied from `partition`.
    pub fn applied_offset(&self, partition: u32) -> Result<Option<LogOffset>, StoreError> {
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
        // A revert reads the undo table, so what comes before it is committed first.
        let mut start = 0;
        while start < records.len() {
            let mut tx = Tx::begin(&self.db, partition, self.partitions)?;
            let mut end = start;
            while end < records.len() {
                let is_revert = matches!(decoded[end], Some(Ok(LogRecord::Reverted(_))));
                if is_revert && end > start {
                    break;
                }
                let record = decoded[end].take().expect("each record is applied once");
                outcome.events += tx.apply_one(&records[end], record, &self.metrics)?;
                end += 1;
                if is_revert {
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
            tx.commit(last)?;
            self.maybe_compact(index_deletes);
            outcome.records += end - start;
            outcome.last_offset = Some(last);
            start = end;
        }
        if let Some(status) = self.db.chain_status()? {
            self.metrics.indexed_block.store(status.indexed_block, Relaxed);
            self.metrics.finalized_block.store(status.finalized_block, Relaxed);
        }
        self.metrics.events_applied.fetch_add(outcome.events as u64, Relaxed);
        Ok(outcome)
    }
}

impl Projector {
    /// Reads up to `batch` records of `partition` after its applied offset from `log` and
    /// applies them; an outcome of zero records means the partition is caught up.
    pub fn apply_next(&self, log: &dyn EventLog, partition: u32, batch: usize) -> Result<ApplyOutcome, StoreError> {
        let from = self.db.applied_offset(partition)?.map_or(LogOffset(0), LogOffset::next);
        let records = log.read(partition, from, batch)?;
        if records.is_empty() {
            return Ok(ApplyOutcome::default());
        }
        let outcome = self.apply_from(&records, Some(log))?;
        if let Some(last) = outcome.last_offset {
            log.acknowledge(partition, last);
        }
        Ok(outcome)
    }
}

/// How far the state is behind one partition of the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionLag {
    pub partition: u32,
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
    (0..log.partitions())
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
            info!(target: "projector", "projector stopped");
            return Ok(());
        }
        changes.borrow_and_update();
        let mut applied = 0;
        for partition in 0..projector.partitions {
            match projector.apply_next(log.as_ref(), partition, batch) {
                Ok(outcome) => {
                    failures = 0;
                    applied += outcome.records;
                    if outcome.records > 0 {
                        debug!(target: "projector", partition, records = outcome.records, events = outcome.events, last = ?outcome.last_offset, "applied batch");
                    }
                }
                Err(e) if e.is_retryable() => {
                    failures += 1;
                    let pause = std::time::Duration::from_millis(200 * u64::from(failures.min(25)));
                    warn!(target: "projector", partition, error = %e, ?pause, "cannot read the log, trying again");
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

/// One write batch, with a read-your-writes overlay and undo recording.
struct Tx<'a> {
    db: &'a StateDb,
    partition: u32,
    partitions: u32,
    /// Records that cannot be decoded, with the reason, for the log's dead-letter topic.
    dead_letters: Vec<(RawRecord, String)>,
    batch: WriteBatch,
    overlay: HashMap<(u8, Vec<u8>), Option<Vec<u8>>>,
    status: Option<ChainStatus>,
    /// The position of the last record applied from the partition, see [`MetaKey::Position`].
    position: Option<(u64, u32)>,
    undo_seq: u64,
    /// The block whose changes are being recorded for undo, `None` when they are final.
    undo_block: Option<u64>,
    /// Deletions from the holder index, which leave tombstones.
    index_deletes: u64,
}

impl<'a> Tx<'a> {
    fn begin(db: &'a StateDb, partition: u32, partitions: u32) -> Result<Self, StoreError> {
        let undo_seq = match db.get::<Meta>(&MetaKey::UndoSeq)? {
            Some(b) => u64::decode(&b).map_err(crate::db::corrupt::<Meta>)?,
            None => 0,
        };
        Ok(Tx {
            db,
            partition,
            partitions,
            dead_letters: Vec::new(),
            batch: WriteBatch::default(),
            overlay: HashMap::new(),
            status: db.partition_status(partition, partitions)?,
            position: match db.get::<Meta>(&MetaKey::Position(partition))? {
                Some(b) => Some(<(u64, u32)>::decode(&b).map_err(crate::db::corrupt::<Meta>)?),
                None => None,
            },
            undo_seq,
            undo_block: None,
            index_deletes: 0,
        })
    }

    fn commit(mut self, last: LogOffset) -> Result<(), StoreError> {
        self.put_untracked::<Meta>(&MetaKey::Applied(self.partition), &last.0.encode());
        self.put_untracked::<Meta>(&MetaKey::UndoSeq, &self.undo_seq.encode());
        if let Some(position) = self.position {
            self.put_untracked::<Meta>(&MetaKey::Position(self.partition), &position.encode());
        }
        if let Some(status) = self.status {
            if self.partitions == 1 {
                self.put_untracked::<Meta>(&MetaKey::Chain, &status.encode());
            } else {
                self.put_untracked::<Meta>(&MetaKey::PartitionChain(self.partition), &status.encode());
                if let Some(combined) = self.combined_status(status)? {
                    self.put_untracked::<Meta>(&MetaKey::Chain, &combined.encode());
                }
            }
        }
        self.db.db.write(self.batch)?;
        Ok(())
    }

    /// The chain as far as every partition has it: the least advanced partition's block,
    /// `None` until each partition has seen a committed block.
    fn combined_status(&self, own: ChainStatus) -> Result<Option<ChainStatus>, StoreError> {
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

    fn get_raw(&self, table: u8, cf: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(v) = self.overlay.get(&(table, key.to_vec())) {
            return Ok(v.clone());
        }
        Ok(self.db.db.get_cf(self.db.cf_named(cf), key)?)
    }

    fn get<T: Table>(&self, key: &T::Key) -> Result<Option<T::Value>, StoreError> {
        self.get_raw(T::ID, T::NAME, &key.encode())?.map(|b| decode::<T>(&b)).transpose()
    }

    /// Writes `value` (or deletes, if `None`), first keeping the previous value for undo when the
    /// change belongs to a block that is not final yet.
    fn write_raw(
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

    fn put<T: Table>(&mut self, key: &T::Key, value: &T::Value) -> Result<(), StoreError> {
        self.write_raw(T::ID, T::NAME, key.encode(), Some(value.encode()))
    }

    fn delete<T: Table>(&mut self, key: &T::Key) -> Result<(), StoreError> {
        self.write_raw(T::ID, T::NAME, key.encode(), None)
    }

    /// A write that is never undone: checkpoints and metadata.
    fn put_untracked<T: Table>(&mut self, key: &T::Key, value: &T::Value) {
        let key = key.encode();
        let value = value.encode();
        self.batch.put_cf(self.db.cf::<T>(), &key, &value);
        self.overlay.insert((T::ID, key), Some(value));
    }

    /// Applies one record; returns the number of token events it held.
    fn apply_one(
        &mut self,
        raw: &RawRecord,
        record: Result<LogRecord, StoreError>,
        metrics: &Metrics,
    ) -> Result<usize, StoreError> {
        let finalized = self.status.map_or(0, |s| s.finalized_block);
        let record = record.and_then(|r| match acceptable(&r, finalized) {
            Ok(()) => Ok(r),
            Err(reason) => Err(StoreError::Unacceptable { partition: raw.partition, offset: raw.offset, reason }),
        });
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                warn!(target: "projector", partition = raw.partition, offset = raw.offset.0, error = %e, "log record is not a valid record, kept as a dead letter");
                let mut value = Vec::new();
                put_bytes(&mut value, e.to_string().as_bytes());
                put_bytes(&mut value, &raw.bytes);
                self.put_untracked::<DeadLetters>(
                    &RecordKey { partition: raw.partition, offset: raw.offset.0 },
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
        let position = match &record {
            LogRecord::Event(e) => Some((e.meta.block.number.0, e.meta.log_index)),
            LogRecord::Undecoded(u) => Some((u.meta.block.number.0, u.meta.log_index)),
            LogRecord::Committed(c) => Some((c.block.0, u32::MAX)),
            LogRecord::TokenDiscovered(_) | LogRecord::Reverted(_) => None,
        };
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

    fn track_undo(&mut self, block: u64) {
        let finalized = self.status.map_or(0, |s| s.finalized_block);
        self.undo_block = (self.status.is_none() || block > finalized).then_some(block);
    }

    /// Keeps the hash and time of a block that holds events. (Range ends are not kept: where
    /// ranges end depends on how ingest read the chain, and the state must not.)
    fn note_block(&mut self, number: u64, hash: alloy::primitives::B256, timestamp: u64) -> Result<(), StoreError> {
        let known = self.get::<Blocks>(&number)?;
        let info = BlockInfo { hash, timestamp };
        if known != Some(info) {
            self.put::<Blocks>(&number, &info)?;
        }
        Ok(())
    }

    fn event(&mut self, e: &ChainEvent, metrics: &Metrics) -> Result<(), StoreError> {
        let token = e.meta.contract;
        let block = e.meta.block.number.0;
        self.track_undo(block);
        self.note_block(block, e.meta.block.hash, e.meta.block.timestamp)?;
        self.audit(e)?;
        match e.event {
            TokenEvent::Transfer { from, to, value } => self.move_balance(e, from, to, value, metrics)?,
            TokenEvent::Move(ref m) => {
                if m.moves_balance {
                    self.move_balance(e, m.from, m.to, m.value, metrics)?;
                }
                if let Some(partition) = m.partition {
                    // The zero address keeps the partition's supply: an issuance adds to it, a
                    // redemption takes from it, a transfer leaves it.
                    let sender = if m.from.is_zero() { Change::Add(m.value) } else { Change::Sub(m.value) };
                    self.change_partition(token, m.from, partition, block, metrics, sender)?;
                    let recipient = if m.to.is_zero() { Change::Sub(m.value) } else { Change::Add(m.value) };
                    self.change_partition(token, m.to, partition, block, metrics, recipient)?;
                }
            }
            TokenEvent::ChangedPartition { holder, from_partition, to_partition, value } => {
                for account in [holder, Address::ZERO] {
                    self.change_partition(token, account, from_partition, block, metrics, Change::Sub(value))?;
                    self.change_partition(token, account, to_partition, block, metrics, Change::Add(value))?;
                }
            }
            // Kept in the audit trail only.
            TokenEvent::OperatorChanged { .. } => {}
            TokenEvent::Admin { action, subject, ref values } => {
                let as_word = |a: Address| a.into_word();
                let member = match action {
                    AdminAction::AgentAdded => Some((MemberKind::Agent, as_word(subject), true, vec![])),
                    AdminAction::AgentRemoved => Some((MemberKind::Agent, as_word(subject), false, vec![])),
                    AdminAction::ModuleAdded => Some((MemberKind::Module, as_word(subject), true, vec![])),
                    AdminAction::ModuleRemoved => Some((MemberKind::Module, as_word(subject), false, vec![])),
                    AdminAction::ClaimTopicAdded | AdminAction::ClaimTopicRemoved => values.first().map(|t| {
                        (MemberKind::ClaimTopic, B256::from(*t), action == AdminAction::ClaimTopicAdded, vec![])
                    }),
                    AdminAction::TrustedIssuerAdded | AdminAction::ClaimTopicsUpdated => {
                        Some((MemberKind::TrustedIssuer, as_word(subject), true, values.clone()))
                    }
                    AdminAction::TrustedIssuerRemoved => {
                        Some((MemberKind::TrustedIssuer, as_word(subject), false, vec![]))
                    }
                    _ => None,
                };
                if let Some((kind, member, present, topics)) = member {
                    let key = MemberBlockKey { contract: token, kind, member, block };
                    self.put::<MemberHistory>(&key, &Membership { present, topics })?;
                }
                let kind = match action {
                    AdminAction::IdentityRegistryAdded => Some(LinkKind::IdentityRegistry),
                    AdminAction::ComplianceAdded => Some(LinkKind::Compliance),
                    AdminAction::IdentityStorageSet => Some(LinkKind::IdentityStorage),
                    AdminAction::ClaimTopicsRegistrySet => Some(LinkKind::ClaimTopics),
                    AdminAction::TrustedIssuersRegistrySet => Some(LinkKind::TrustedIssuers),
                    _ => None,
                };
                if let Some(kind) = kind {
                    self.set_link(token, kind, subject, block)?;
                }
            }
            // The storage's events are the investors' identities; the registry's say the same
            // thing for the writes that went through that registry, and are kept in the log only.
            TokenEvent::Identity { action, investor, identity, previous, country } => match action {
                IdentityAction::Stored => {
                    self.set_identity(token, investor, block, |_| IdentityRecord { identity, country })?
                }
                IdentityAction::Unstored => self.set_identity(token, investor, block, |_| IdentityRecord::default())?,
                IdentityAction::CountryModified => {
                    self.set_identity(token, investor, block, |r| IdentityRecord { country, ..r })?
                }
                IdentityAction::Modified if !investor.is_zero() => {
                    self.set_identity(token, investor, block, |r| IdentityRecord { identity, ..r })?
                }
                IdentityAction::Modified => {
                    // Ingest could not tell the wallet (the change went through another contract):
                    // every wallet of the old identity in this storage.
                    for investor in self.wallets_of(token, previous)? {
                        self.set_identity(token, investor, block, |r| IdentityRecord { identity, ..r })?;
                    }
                }
                IdentityAction::Registered
                | IdentityAction::Removed
                | IdentityAction::Updated
                | IdentityAction::CountryUpdated => {}
            },
            TokenEvent::TokenInformation { ref name, ref symbol, decimals, .. } => {
                if let Some(mut meta) = self.get::<Tokens>(&token)? {
                    meta.name = name.clone();
                    meta.symbol = symbol.clone();
                    meta.decimals = decimals;
                    self.put::<Tokens>(&token, &meta)?;
                }
            }
            // Ingest follows the suite; the state has no part in the event itself.
            TokenEvent::SuiteDeployed { .. } => {}
            TokenEvent::DelegateChanged { delegator, to_delegate, .. } => {
                let key = HolderKey { token, holder: delegator };
                if self.get::<Delegates>(&key)? != Some(to_delegate) {
                    self.put::<Delegates>(&key, &to_delegate)?;
                    self.put::<DelegateHistory>(&HolderBlockKey { token, holder: delegator, block }, &to_delegate)?;
                }
            }
            TokenEvent::DelegateVotesChanged { delegate, votes, .. } => {
                let key = HolderKey { token, holder: delegate };
                if self.get::<Votes>(&key)?.unwrap_or_default() != votes {
                    self.put::<Votes>(&key, &votes)?;
                    self.put::<VoteHistory>(&HolderBlockKey { token, holder: delegate, block }, &votes)?;
                }
            }
            TokenEvent::VoteCast { voter, proposal_id, support, weight, ref reason } => {
                let vote = VoteValue {
                    voter,
                    proposal_id,
                    support,
                    weight,
                    reason: reason.clone(),
                    tx_hash: e.meta.tx_hash,
                    timestamp: e.meta.block.timestamp,
                };
                self.put::<VotesCast>(&EventKey { token, block, log_index: e.meta.log_index }, &vote)?;
            }
            TokenEvent::Snapshot { id } => self.corporate_action(e, CorporateActionKind::Snapshot, id, |_| {})?,
            TokenEvent::StockSplit { id, numerator, denominator } => {
                self.corporate_action(e, CorporateActionKind::StockSplit, id, |a| {
                    a.a = numerator;
                    a.b = denominator;
                })?
            }
            TokenEvent::Buyback { id, seller, amount, price } => {
                self.corporate_action(e, CorporateActionKind::Buyback, id, |a| {
                    a.account = seller;
                    a.amount = amount;
                    a.a = price;
                })?
            }
            TokenEvent::BondStatus { class_id, nonce_id, defaulted, ref reason } => {
                let kind = if defaulted { CorporateActionKind::Defaulted } else { CorporateActionKind::Matured };
                self.corporate_action(e, kind, U256::ZERO, |a| {
                    a.a = class_id;
                    a.b = nonce_id;
                    a.text = reason.clone();
                })?
            }
            TokenEvent::Distribution { kind, account, amount } => {
                let value = DistributionValue {
                    kind: kind as u8,
                    account,
                    amount,
                    tx_hash: e.meta.tx_hash,
                    timestamp: e.meta.block.timestamp,
                };
                self.put::<Distributions>(&EventKey { token, block, log_index: e.meta.log_index }, &value)?;
            }
            TokenEvent::BondMove { from, to, ref positions, .. } => {
                for p in positions {
                    // The zero address keeps each tranche's supply, as for partitions.
                    let sender = if from.is_zero() { Change::Add(p.amount) } else { Change::Sub(p.amount) };
                    self.change_bond(token, from, p.class_id, p.nonce_id, block, metrics, sender)?;
                    let recipient = if to.is_zero() { Change::Sub(p.amount) } else { Change::Add(p.amount) };
                    self.change_bond(token, to, p.class_id, p.nonce_id, block, metrics, recipient)?;
                }
            }
            // The shares move by the vault's own Transfer events; the underlying by these.
            TokenEvent::VaultDeposit { assets, .. } => self.change_pool(token, Address::ZERO, block, metrics, |p| {
                (p.amount.checked_add(assets), p.value.checked_add(assets))
            })?,
            TokenEvent::VaultWithdraw { assets, .. } => {
                self.change_pool(token, Address::ZERO, block, metrics, |p| {
                    (p.amount.checked_sub(assets), p.value.checked_sub(assets))
                })?
            }
            TokenEvent::VaultRequest { redeem, controller, owner, request_id, sender, amount } => {
                let key = EventKey { token, block, log_index: e.meta.log_index };
                let value = VaultRequestValue {
                    redeem,
                    controller,
                    owner,
                    request_id,
                    sender,
                    amount,
                    tx_hash: e.meta.tx_hash,
                    timestamp: e.meta.block.timestamp,
                };
                self.put::<VaultRequests>(&key, &value)?;
            }
            TokenEvent::PoolAsset { action, asset, amount, value } => match action {
                PoolAssetAction::Added => {
                    self.change_pool(token, asset, block, metrics, |p| {
                        (p.amount.checked_add(amount), p.value.checked_add(value))
                    })?;
                    self.change_pool(token, Address::ZERO, block, metrics, |p| {
                        (p.amount.checked_sub(value), p.value.checked_sub(value))
                    })?;
                }
                PoolAssetAction::Removed => {
                    self.change_pool(token, asset, block, metrics, |p| {
                        (p.amount.checked_sub(amount), p.value.checked_sub(value))
                    })?;
                    self.change_pool(token, Address::ZERO, block, metrics, |p| {
                        (p.amount.checked_add(value), p.value.checked_add(value))
                    })?;
                }
                PoolAssetAction::Revalued => {
                    self.change_pool(token, asset, block, metrics, |p| (Some(p.amount), Some(value)))?
                }
            },
            TokenEvent::TokensFrozen { holder, amount } => {
                self.update_holder(token, holder, block, metrics, |h| {
                    h.frozen = h.frozen.saturating_add(amount);
                    false
                })?;
            }
            TokenEvent::TokensUnfrozen { holder, amount } => {
                self.update_holder(token, holder, block, metrics, |h| {
                    let (f, underflow) = h.frozen.overflowing_sub(amount);
                    h.frozen = if underflow { U256::ZERO } else { f };
                    underflow
                })?;
            }
            TokenEvent::AddressFrozen { holder, frozen, agent: _ } => {
                self.update_holder(token, holder, block, metrics, |h| {
                    h.is_frozen = frozen;
                    false
                })?;
            }
            TokenEvent::Paused { agent: _ } => self.update_token(token, block, |t| t.paused = true)?,
            TokenEvent::Unpaused { agent: _ } => self.update_token(token, block, |t| t.paused = false)?,
            // The balance and the freezes moved by the events emitted before it.
            TokenEvent::RecoverySuccess { .. } => {}
            // The disclosure archive keeps these once they are final; the cap table has no part in them.
            TokenEvent::Document { .. } | TokenEvent::RootAnchored { .. } => {}
        }
        Ok(())
    }

    /// Moves `value` from `from` to `to` as an ERC-20 `Transfer` does: the transfer history, the
    /// balances and, for mints and burns, the supply.
    fn move_balance(
        &mut self,
        e: &ChainEvent,
        from: Address,
        to: Address,
        value: U256,
        metrics: &Metrics,
    ) -> Result<(), StoreError> {
        let token = e.meta.contract;
        let block = e.meta.block.number.0;
        let key = EventKey { token, block, log_index: e.meta.log_index };
        let row = TransferValue {
            from,
            to,
            value,
            tx_hash: e.meta.tx_hash,
            tx_index: e.meta.tx_index,
            timestamp: e.meta.block.timestamp,
        };
        self.put::<Transfers>(&key, &row)?;
        for account in [from, to] {
            let k = AccountEventKey { token, account, block, log_index: e.meta.log_index };
            self.put::<TransfersByAccount>(&k, &())?;
        }
        let mut supply_change = (U256::ZERO, U256::ZERO);
        if from.is_zero() {
            supply_change.0 = value;
        } else {
            self.update_holder(token, from, block, metrics, |h| {
                let (b, underflow) = h.balance.overflowing_sub(value);
                h.balance = if underflow { U256::ZERO } else { b };
                underflow
            })?;
        }
        if to.is_zero() {
            supply_change.1 = value;
        } else {
            self.update_holder(token, to, block, metrics, |h| {
                h.balance = h.balance.saturating_add(value);
                false
            })?;
        }
        if supply_change != (U256::ZERO, U256::ZERO) {
            self.update_token(token, block, |t| {
                t.total_supply = t.total_supply.saturating_add(supply_change.0).saturating_sub(supply_change.1);
            })?;
        }
        Ok(())
    }

    /// Changes `holder`'s balance in `partition` (the zero address: the partition's supply).
    fn change_partition(
        &mut self,
        token: Address,
        holder: Address,
        partition: B256,
        block: u64,
        metrics: &Metrics,
        change: Change,
    ) -> Result<(), StoreError> {
        let key = PartitionKey { token, holder, partition };
        let history = PartitionBlockKey { token, holder, partition, block };
        self.change_amount::<PartitionBalances, PartitionHistory>(&key, &history, metrics, change, || {
            warn!(target: "projector", %token, %holder, %partition, block, "event takes more than the partition holds, clamped")
        })
    }

    /// Applies `change` to the amount under `latest` and records the result under `history`
    /// (a zero amount leaves `latest`); more taken than held is clamped at zero, logged by
    /// `anomaly` and counted.
    fn change_amount<L: Table<Value = U256>, H: Table<Value = U256>>(
        &mut self,
        latest: &L::Key,
        history: &H::Key,
        metrics: &Metrics,
        change: Change,
        anomaly: impl FnOnce(),
    ) -> Result<(), StoreError> {
        let old = self.get::<L>(latest)?.unwrap_or_default();
        let new = match change {
            Change::Add(v) => old.saturating_add(v),
            Change::Sub(v) => old.checked_sub(v).unwrap_or_else(|| {
                anomaly();
                metrics.balance_anomalies.fetch_add(1, Relaxed);
                U256::ZERO
            }),
        };
        if new == old {
            return Ok(());
        }
        if new.is_zero() {
            self.delete::<L>(latest)?;
        } else {
            self.put::<L>(latest, &new)?;
        }
        self.put::<H>(history, &new)
    }

    /// Adds a corporate action of the event's token, filled in by `fill`.
    fn corporate_action(
        &mut self,
        e: &ChainEvent,
        kind: CorporateActionKind,
        id: U256,
        fill: impl FnOnce(&mut CorporateActionValue),
    ) -> Result<(), StoreError> {
        let mut action = CorporateActionValue {
            kind,
            id,
            account: Address::ZERO,
            amount: U256::ZERO,
            a: U256::ZERO,
            b: U256::ZERO,
            text: String::new(),
            tx_hash: e.meta.tx_hash,
            timestamp: e.meta.block.timestamp,
        };
        fill(&mut action);
        let key = EventKey { token: e.meta.contract, block: e.meta.block.number.0, log_index: e.meta.log_index };
        self.put::<CorporateActions>(&key, &action)
    }

    /// Changes `holder`'s ERC-3475 balance of (`class`, `nonce`) (the zero address: the supply).
    #[allow(clippy::too_many_arguments)]
    fn change_bond(
        &mut self,
        token: Address,
        holder: Address,
        class: U256,
        nonce: U256,
        block: u64,
        metrics: &Metrics,
        change: Change,
    ) -> Result<(), StoreError> {
        let key = BondKey { token, holder, class, nonce };
        let history = BondBlockKey { token, holder, class, nonce, block };
        self.change_amount::<BondBalances, BondHistory>(&key, &history, metrics, change, || {
            warn!(target: "projector", %token, %holder, %class, %nonce, block, "bond event takes more than held, clamped")
        })
    }

    /// Changes a pool's holding of `asset` (zero: the underlying); `change` gives the new amount
    /// and value, `None` where the event takes more than there is (clamped at zero, counted).
    fn change_pool(
        &mut self,
        pool: Address,
        asset: Address,
        block: u64,
        metrics: &Metrics,
        change: impl FnOnce(AssetPosition) -> (Option<U256>, Option<U256>),
    ) -> Result<(), StoreError> {
        let key = HolderKey { token: pool, holder: asset };
        let old = self.get::<PoolAssets>(&key)?.unwrap_or_default();
        let (amount, value) = change(old);
        if amount.is_none() || value.is_none() {
            warn!(target: "projector", %pool, %asset, block, "pool event takes more than the pool holds, clamped");
            metrics.balance_anomalies.fetch_add(1, Relaxed);
        }
        let new = AssetPosition { amount: amount.unwrap_or_default(), value: value.unwrap_or_default() };
        if new == old {
            return Ok(());
        }
        if new == AssetPosition::default() {
            self.delete::<PoolAssets>(&key)?;
        } else {
            self.put::<PoolAssets>(&key, &new)?;
        }
        self.put::<PoolAssetHistory>(&HolderBlockKey { token: pool, holder: asset, block }, &new)
    }

    /// Points `contract`'s link of `kind` at `target` from `block` on.
    fn set_link(&mut self, contract: Address, kind: LinkKind, target: Address, block: u64) -> Result<(), StoreError> {
        let key = LinkKey { contract, kind };
        if self.get::<Links>(&key)? == Some(target) {
            return Ok(());
        }
        self.put::<Links>(&key, &target)?;
        self.put::<LinkHistory>(&LinkBlockKey { contract, kind, block }, &target)
    }

    /// Changes `investor`'s identity record in identity registry storage `storage`.
    fn set_identity(
        &mut self,
        storage: Address,
        investor: Address,
        block: u64,
        change: impl FnOnce(IdentityRecord) -> IdentityRecord,
    ) -> Result<(), StoreError> {
        let key = HolderKey { token: storage, holder: investor };
        let old = self.get::<Identities>(&key)?.unwrap_or_default();
        let new = change(old);
        if new == old {
            return Ok(());
        }
        if new.identity.is_zero() && new.country == 0 {
            self.delete::<Identities>(&key)?;
        } else {
            self.put::<Identities>(&key, &new)?;
        }
        self.put::<IdentityHistory>(&HolderBlockKey { token: storage, holder: investor, block }, &new)
    }

    /// The wallets whose identity in `storage` is `identity`, this batch's writes included.
    fn wallets_of(&self, storage: Address, identity: Address) -> Result<Vec<Address>, StoreError> {
        let mut found: std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>> = Default::default();
        let prefix = storage.to_vec();
        let cf = self.db.cf::<Identities>();
        for item in self.db.db.iterator_cf(cf, IteratorMode::From(&prefix, Direction::Forward)) {
            let (k, v) = item?;
            if !k.starts_with(&prefix) {
                break;
            }
            found.insert(k.to_vec(), Some(v.to_vec()));
        }
        for ((table, k), v) in &self.overlay {
            if *table == Identities::ID && k.starts_with(&prefix) {
                found.insert(k.clone(), v.clone());
            }
        }
        let mut out = Vec::new();
        for (k, v) in found {
            let Some(v) = v else { continue };
            if decode::<Identities>(&v)?.identity == identity {
                out.push(HolderKey::decode(&k).map_err(crate::db::corrupt::<Identities>)?.holder);
            }
        }
        Ok(out)
    }

    /// Adds agent and custody actions to the audit trail.
    fn audit(&mut self, e: &ChainEvent) -> Result<(), StoreError> {
        let zero = Address::ZERO;
        let mut partition = B256::ZERO;
        let (action, account, counterparty, amount, agent, identity) = match e.event {
            TokenEvent::AddressFrozen { holder, frozen, agent } => {
                let action = if frozen { AuditAction::FreezeWallet } else { AuditAction::UnfreezeWallet };
                (action, holder, zero, U256::ZERO, agent, zero)
            }
            TokenEvent::TokensFrozen { holder, amount } => {
                (AuditAction::FreezeTokens, holder, zero, amount, zero, zero)
            }
            TokenEvent::TokensUnfrozen { holder, amount } => {
                (AuditAction::UnfreezeTokens, holder, zero, amount, zero, zero)
            }
            TokenEvent::Paused { agent } => (AuditAction::Pause, zero, zero, U256::ZERO, agent, zero),
            TokenEvent::Unpaused { agent } => (AuditAction::Unpause, zero, zero, U256::ZERO, agent, zero),
            TokenEvent::RecoverySuccess { lost_wallet, new_wallet, investor_onchain_id } => {
                (AuditAction::Recovery, lost_wallet, new_wallet, U256::ZERO, zero, investor_onchain_id)
            }
            TokenEvent::Move(Move { kind: MoveKind::ControllerTransfer, operator, from, to, value, .. }) => {
                (AuditAction::ControllerTransfer, from, to, value, operator, zero)
            }
            TokenEvent::Move(Move { kind: MoveKind::ForcedTransfer, operator, from, to, value, .. }) => {
                (AuditAction::ForcedTransfer, from, to, value, operator, zero)
            }
            TokenEvent::Move(Move { kind: MoveKind::ControllerRedemption, operator, from, value, .. }) => {
                (AuditAction::ControllerRedemption, from, zero, value, operator, zero)
            }
            TokenEvent::OperatorChanged { operator, holder, partition: p, authorized } => {
                partition = p.unwrap_or_default();
                let action = if authorized { AuditAction::AuthorizeOperator } else { AuditAction::RevokeOperator };
                (action, holder, zero, U256::ZERO, operator, zero)
            }
            TokenEvent::Admin { action: AdminAction::AgentAdded, subject, .. } => {
                (AuditAction::AgentAdded, subject, zero, U256::ZERO, zero, zero)
            }
            TokenEvent::Admin { action: AdminAction::AgentRemoved, subject, .. } => {
                (AuditAction::AgentRemoved, subject, zero, U256::ZERO, zero, zero)
            }
            TokenEvent::Admin { action: AdminAction::OwnershipTransferred, subject, ref values } => {
                let previous = values.first().map_or(zero, |v| Address::from_word(B256::from(*v)));
                (AuditAction::OwnershipTransferred, subject, previous, U256::ZERO, zero, zero)
            }
            TokenEvent::Transfer { .. }
            | TokenEvent::Move(_)
            | TokenEvent::ChangedPartition { .. }
            | TokenEvent::Document { .. }
            | TokenEvent::RootAnchored { .. }
            | TokenEvent::Admin { .. }
            | TokenEvent::Identity { .. }
            | TokenEvent::TokenInformation { .. }
            | TokenEvent::SuiteDeployed { .. }
            | TokenEvent::VaultDeposit { .. }
            | TokenEvent::VaultWithdraw { .. }
            | TokenEvent::VaultRequest { .. }
            | TokenEvent::PoolAsset { .. }
            | TokenEvent::DelegateChanged { .. }
            | TokenEvent::DelegateVotesChanged { .. }
            | TokenEvent::VoteCast { .. }
            | TokenEvent::Snapshot { .. }
            | TokenEvent::StockSplit { .. }
            | TokenEvent::Buyback { .. }
            | TokenEvent::Distribution { .. }
            | TokenEvent::BondMove { .. }
            | TokenEvent::BondStatus { .. } => return Ok(()),
        };
        let key = EventKey { token: e.meta.contract, block: e.meta.block.number.0, log_index: e.meta.log_index };
        let entry = AuditEntry {
            action,
            account,
            counterparty,
            amount,
            agent,
            identity,
            partition,
            tx_hash: e.meta.tx_hash,
            timestamp: e.meta.block.timestamp,
        };
        self.put::<AuditTrail>(&key, &entry)
    }

    /// Changes a holder; `change` returns true if the event asked for more than there was (an
    /// anomaly that is counted and logged, and clamps at zero instead of wrapping).
    fn update_holder(
        &mut self,
        token: Address,
        holder: Address,
        block: u64,
        metrics: &Metrics,
        change: impl FnOnce(&mut HolderState) -> bool,
    ) -> Result<(), StoreError> {
        let key = HolderKey { token, holder };
        let old = self.get::<Holders>(&key)?.unwrap_or_default();
        let mut new = old;
        if change(&mut new) {
            warn!(target: "projector", %token, %holder, block, "event takes an amount below zero, clamped");
            metrics.balance_anomalies.fetch_add(1, Relaxed);
        }
        if !new.balance.is_zero() && new.first_acquired == 0 {
            new.first_acquired = block;
        }
        if new == old {
            return Ok(());
        }
        if old.is_listed() {
            self.delete::<HoldersByBalance>(&BalanceIndexKey { token, balance: old.balance, holder })?;
            self.index_deletes += 1;
        }
        if new.is_listed() {
            self.put::<HoldersByBalance>(&BalanceIndexKey { token, balance: new.balance, holder }, &new)?;
        }
        let held = |h: &HolderState| u64::from(!h.balance.is_zero());
        let listed = |h: &HolderState| u64::from(h.is_listed());
        if held(&old) != held(&new) || listed(&old) != listed(&new) {
            self.update_token(token, block, |t| {
                t.holder_count = t.holder_count + held(&new) - held(&old);
                t.listed_count = t.listed_count + listed(&new) - listed(&old);
            })?;
        }
        self.put::<Holders>(&key, &new)?;
        self.put::<HolderHistory>(&HolderBlockKey { token, holder, block }, &new)
    }

    fn update_token(
        &mut self,
        token: Address,
        block: u64,
        change: impl FnOnce(&mut TokenState),
    ) -> Result<(), StoreError> {
        let old = self.get::<TokenStates>(&token)?.unwrap_or_default();
        let mut new = old;
        change(&mut new);
        if new == old {
            return Ok(());
        }
        self.put::<TokenStates>(&token, &new)?;
        self.put::<TokenHistory>(&TokenBlockKey { token, block }, &new)
    }

    fn token_discovered(&mut self, t: &TokenDiscovered) -> Result<(), StoreError> {
        let discovered_block = match self.get::<Tokens>(&t.address)? {
            Some(existing) => existing.discovered_block.min(t.block.0),
            None => t.block.0,
        };
        let meta = TokenMeta { name: t.name.clone(), symbol: t.symbol.clone(), decimals: t.decimals, discovered_block };
        self.put_untracked::<Tokens>(&t.address, &meta);
        Ok(())
    }

    fn undecoded(&mut self, u: &UndecodedLog, metrics: &Metrics) -> Result<(), StoreError> {
        self.track_undo(u.meta.block.number.0);
        self.note_block(u.meta.block.number.0, u.meta.block.hash, u.meta.block.timestamp)?;
        let key = BlockLogKey { block: u.meta.block.number.0, log_index: u.meta.log_index };
        self.put::<Undecoded>(&key, &LogRecord::Undecoded(u.clone()).encode())?;
        metrics.undecoded_logs.fetch_add(1, Relaxed);
        Ok(())
    }

    fn committed(&mut self, c: &BlocksCommitted) -> Result<(), StoreError> {
        let previous_finalized = self.status.map_or(0, |s| s.finalized_block);
        let finalized = c.finalized.0.min(c.block.0).max(previous_finalized);
        self.status = Some(ChainStatus {
            chain_id: c.chain_id.0,
            indexed_block: c.block.0,
            indexed_hash: c.block_hash,
            head_block: c.head.0,
            finalized_block: finalized,
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
    fn reverted(&mut self, r: &Reverted, metrics: &Metrics) -> Result<(), StoreError> {
        self.undo_block = None;
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
        self.position = self.position.map(|p| p.min((r.common_ancestor.0, u32::MAX)));
        if let Some(status) = self.status.as_mut().filter(|s| s.indexed_block > r.common_ancestor.0) {
            status.indexed_block = r.common_ancestor.0;
            status.indexed_hash = r.common_ancestor_hash;
        }
        metrics.reorgs.fetch_add(1, Relaxed);
        info!(target: "projector", common_ancestor = r.common_ancestor.0, abandoned_tip = r.abandoned_tip.0, undone, "reverted to common ancestor");
        Ok(())
    }
}
/// The partition number under which the dead-letter table remembers the dead letters a replay
/// put back (by dead-letter offset): no partition has it.
const REPLAYS: u32 = u32::MAX;

/// The highest block a record may name: far above any chain (a chain of one block a millisecond
/// reaches it in 35 years), far below what would freeze a partition (a record at block
/// `u64::MAX` would make every later record look like a copy).
pub const MAX_BLOCK: u64 = 1 << 40;

/// Whether a well-formed record can be applied: anything else (written to the log by someone
/// other than ingest, or by a broken one) is set aside as a dead letter instead of stopping the
/// projector on every start or freezing its partition.
fn acceptable(record: &LogRecord, finalized: u64) -> Result<(), String> {
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

/// A change of a partition balance.
#[derive(Clone, Copy)]
enum Change {
    Add(U256),
    Sub(U256),
}
