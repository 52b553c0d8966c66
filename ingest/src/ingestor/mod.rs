//! The ingest loop: find where the log left off, backfill to the head in parallel ranges, then
//! follow the head. Before each append it checks that the node's chain still contains the last
//! appended block; when it does not, it appends a revert to the last common block and goes on
//! from there.
//!
//! # Restarts on a partitioned log
//! An append to several partitions is not atomic: a crash can leave one partition with a range's
//! records and its commit and another with a prefix of its share. A restarted ingest reads the
//! tail of every partition; it starts again after the least advanced partition's last commit,
//! and remembers for each partition the position (block, log index) of the last record it
//! holds. Records at or below a partition's position are not sent to it again, so no record is
//! ever in the log twice. This is sound because the positions are checked against the node
//! first: the highest block any partition holds must still be on the node's chain (its hash
//! commits to every block below it); if it is not, or the partitions disagree about a block's
//! hash (a crash in the middle of appending a revert), a revert to the last block the node
//! still has goes to every partition, and positions above it are forgotten.
//!
//! # Appends and acknowledgements
//! A range's records are queued, and its commit is appended only once everything queued before
//! it is acknowledged, so no partition holds a commit with a gap below it, whatever the broker
//! lost; the commit is on its way while the next range is read and queued, and a step ends only
//! when everything it queued is acknowledged. A revert is appended alone and awaited. A failed
//! acknowledgement makes ingest read the tails again, as after a restart; records past the last
//! commit are found there and not sent again. (Queuing further ranges before the last one's
//! events are acknowledged was tried: against tansu, the Kafka kill -9 and broker-restart test
//! then lost one block's records in about one run in four; see BENCHMARKS.md.)

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use alloy::{primitives::Address, rpc::types::Log};
use registrar_log::{EventLog, Metrics};
use registrar_schemas::{BlockRef, LogRecord, Position};
use tokio::sync::watch;
use tracing::{error, info, warn};

mod calls;
mod fetch;
mod follow;
mod reorg;
mod resume;
mod step;

use self::fetch::fetch_range;

use crate::{AdaptiveRange, BlockWindow, IngestError, Rpc};

/// What to ingest and how.
#[derive(Clone, Debug)]
pub struct IngestConfig {
    /// The tokens: their logs are read, their metadata announced (`TokenDiscovered`).
    pub contracts: Vec<Address>,
    /// Contracts whose logs are read that are not tokens (the disclosure anchor).
    pub watch_only: Vec<Address>,
    /// T-REX factories: the contracts of each suite they deploy are followed from then on.
    pub factories: Vec<Address>,
    /// The first block to read when the log is empty.
    pub from_block: u64,
    /// Blocks on top of a block before it is final.
    pub confirmations: u64,
    pub initial_range: u64,
    pub max_range: u64,
    /// `eth_getLogs` ranges in flight during backfill.
    pub concurrency: usize,
    /// Recent block hashes kept to find a common ancestor.
    pub reorg_window: usize,
    /// How often to ask for a new head over http.
    pub poll_interval: Duration,
    /// Show a progress bar during backfill (when stderr is a terminal).
    pub progress: bool,
    /// Stop once this block is appended (benchmarks, one-off backfills).
    pub stop_at: Option<u64>,
    /// How long a node that lacks the last appended block, but agrees with every block it has,
    /// is taken for behind (a replica of a load balancer) before its chain is taken for a
    /// shorter branch and reverted to.
    pub behind_grace: Duration,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            contracts: Vec::new(),
            watch_only: Vec::new(),
            factories: Vec::new(),
            from_block: 0,
            confirmations: 12,
            // Small first: a dense chain answers a large range with more logs than fit in
            // memory comfortably; the range doubles quickly where the chain is sparse.
            initial_range: 10,
            max_range: 10_000,
            concurrency: 4,
            reorg_window: 1024,
            poll_interval: Duration::from_secs(1),
            progress: true,
            stop_at: None,
            behind_grace: Duration::from_secs(30),
        }
    }
}

/// The most bytes of an undecodable log's data kept in its record.
pub const MAX_UNDECODED_DATA: usize = 64 << 10;

/// The logs and headers of one block range, checked against each other.
pub(super) struct RangeData {
    pub(super) from: u64,
    pub(super) to: u64,
    pub(super) logs: Vec<Log>,
    pub(super) blocks: BTreeMap<u64, BlockRef>,
    pub(super) end: BlockRef,
}

/// Appends what the watched contracts emit to the log.
pub struct Ingestor {
    pub(super) rpc: Arc<Rpc>,
    pub(super) log: Arc<dyn EventLog>,
    pub(super) metrics: Arc<Metrics>,
    pub(super) config: IngestConfig,
    pub(super) range: Arc<Mutex<AdaptiveRange>>,
    pub(super) window: BlockWindow,
    pub(super) chain_id: u64,
    /// The next block to read.
    pub(super) next_block: u64,
    /// The highest finalized block announced in the log.
    pub(super) finalized: u64,
    /// Metadata records waiting for the next append.
    pub(super) discoveries: Vec<LogRecord>,
    /// Per partition, the position of the last record it holds, found at start: records at or
    /// below it are there already and are not sent again.
    pub(super) sent: Vec<Option<Position>>,
    /// The partitions' tails disagree: append a revert before anything else.
    pub(super) force_revert: bool,
    /// Since when the node has lacked the last appended block while agreeing with the rest.
    pub(super) behind_since: Option<Instant>,
    /// Every contract whose logs are read: the configured ones, the factories, and the suite
    /// contracts followed from the tokens' views and from events.
    pub(super) watched: BTreeSet<Address>,
    /// `watched` grew during an append: ranges read ahead with the old set are read again.
    pub(super) watch_changed: bool,
    /// The watched tokens that are T-REX tokens (they name an identity registry): their
    /// transfers' transactions are read to tell forced transfers.
    pub(super) trex_tokens: BTreeSet<Address>,
    /// Appends queued and not acknowledged yet, oldest first, with their number of records.
    pub(super) in_flight: std::collections::VecDeque<(registrar_log::PendingAppend, u64)>,
    /// The commit of the last range queued, appended once everything before it is acknowledged.
    pub(super) pending_commit: Option<LogRecord>,
}

impl Ingestor {
    pub fn new(rpc: Arc<Rpc>, log: Arc<dyn EventLog>, metrics: Arc<Metrics>, config: IngestConfig) -> Self {
        let range = Arc::new(Mutex::new(AdaptiveRange::new(config.initial_range, 1, config.max_range)));
        let window = BlockWindow::new(config.reorg_window);
        Ingestor {
            rpc,
            log,
            metrics,
            next_block: config.from_block,
            range,
            window,
            chain_id: 0,
            finalized: 0,
            discoveries: Vec::new(),
            sent: Vec::new(),
            force_revert: false,
            behind_since: None,
            watched: config.contracts.iter().chain(&config.watch_only).chain(&config.factories).copied().collect(),
            watch_changed: false,
            trex_tokens: BTreeSet::new(),
            in_flight: Default::default(),
            pending_commit: None,
            config,
        }
    }

    /// Runs until `shutdown` turns true, `stop_at` is reached, or an error that retrying cannot
    /// fix. An append in progress always completes: what is acknowledged is in the log.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> Result<(), IngestError> {
        let tails = self.read_tails().await?;
        self.resume_from(tails);
        let chain_id = self.rpc.chain_id().await?;
        if self.chain_id != 0 && self.chain_id != chain_id {
            return Err(IngestError::ChainChanged { expected: self.chain_id, found: chain_id });
        }
        self.chain_id = chain_id;
        self.discover_tokens().await?;
        info!(target: "ingest", chain_id, next_block = self.next_block, contracts = self.watched.len(), "ingest started");
        let mut heads = if self.rpc.is_pubsub() { Some(self.rpc.subscribe_heads().await?) } else { None };
        let mut log_failures = 0u32;
        loop {
            if *shutdown.borrow() {
                info!(target: "ingest", next_block = self.next_block, "ingest stopped");
                return Ok(());
            }
            match self.step(&shutdown).await {
                Ok(caught_up) => {
                    if self.config.stop_at.is_some_and(|s| self.next_block > s) {
                        info!(target: "ingest", block = self.next_block - 1, "reached --stop-at block");
                        return Ok(());
                    }
                    if !caught_up {
                        continue;
                    }
                }
                Err(e @ IngestError::Inconsistent(_)) => {
                    warn!(target: "ingest", error = %e, "chain changed while reading, starting over from the last appended block");
                }
                Err(IngestError::Log(e)) if e.is_retryable() => {
                    // The log is away (a broker outage). Part of an append may have landed:
                    // find out from the log itself, as after a restart, once it is back.
                    log_failures += 1;
                    let pause = Duration::from_millis(500 * u64::from(log_failures.min(20)));
                    warn!(target: "ingest", error = %e, ?pause, "cannot append to the event log, pausing");
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = shutdown.changed() => {}
                    }
                    match self.read_tails().await {
                        Ok(tails) => {
                            self.resume_from(tails);
                            log_failures = 0;
                            // The failed append may have carried the token metadata: send it again
                            // (applying it twice changes nothing).
                            self.discoveries.clear();
                            if let Err(e) = self.discover_tokens().await {
                                warn!(target: "ingest", error = %e, "cannot read token metadata again");
                            }
                        }
                        Err(e) => warn!(target: "ingest", error = %e, "event log still away"),
                    }
                    continue;
                }
                Err(e) => {
                    error!(target: "ingest", error = %e, retryable = e.is_retryable(), "ingest failed");
                    return Err(e);
                }
            }
            // Caught up: wait for a new head.
            let poll = tokio::time::sleep(self.config.poll_interval);
            match heads.as_mut() {
                Some(sub) => tokio::select! {
                    head = sub.recv() => if let Err(tokio::sync::broadcast::error::RecvError::Closed) = head {
                        warn!(target: "ingest", "head subscription closed, polling instead");
                        heads = None;
                    },
                    _ = poll => {}
                    _ = shutdown.changed() => {}
                },
                None => tokio::select! {
                    _ = poll => {}
                    _ = shutdown.changed() => {}
                },
            }
        }
    }
}

/// A spawned task that is cancelled when its handle is dropped (ingest stopping or failing
/// leaves no reads running behind it).
pub(super) struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> std::future::Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
