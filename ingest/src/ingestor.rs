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

use std::{
    collections::{BTreeMap, BTreeSet},
    io::IsTerminal,
    sync::{atomic::Ordering::Relaxed, Arc, Mutex},
    time::{Duration, Instant},
};

use alloy::{primitives::Address, rpc::types::Log};
use futures::{stream::FuturesOrdered, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use registrar_log::{EventLog, Metrics, Partition};
use registrar_schemas::{
    AdminAction, BlockNumber, BlockRef, BlocksCommitted, ChainEvent, ChainId, EventMeta, IdentityAction, LogRecord,
    Reverted, TokenDiscovered, TokenEvent, UndecodedLog,
};
use tokio::sync::watch;
use tracing::{debug, error, info, info_span, warn, Instrument};

use crate::{decode_log, rpc::Call, settle_transactions, AdaptiveRange, BlockWindow, Decoded, IngestError, Rpc};

/// What to ingest and how.
#[derive(Clone, Debug)]
pub struct IngestConfig {
    pub contracts: Vec<Address>,
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
struct RangeData {
    from: u64,
    to: u64,
    logs: Vec<Log>,
    blocks: BTreeMap<u64, BlockRef>,
    end: BlockRef,
}

/// Appends what the watched contracts emit to the log.
pub struct Ingestor {
    rpc: Arc<Rpc>,
    log: Arc<dyn EventLog>,
    metrics: Arc<Metrics>,
    config: IngestConfig,
    range: Arc<Mutex<AdaptiveRange>>,
    window: BlockWindow,
    chain_id: u64,
    /// The next block to read.
    next_block: u64,
    /// The highest finalized block announced in the log.
    finalized: u64,
    /// Metadata records waiting for the next append.
    discoveries: Vec<LogRecord>,
    /// Per partition, the position of the last record it holds, found at start: records at or
    /// below it are there already and are not sent again.
    sent: Vec<Option<Position>>,
    /// The partitions' tails disagree: append a revert before anything else.
    force_revert: bool,
    /// Since when the node has lacked the last appended block while agreeing with the rest.
    behind_since: Option<Instant>,
    /// Every contract whose logs are read: the configured ones, the factories, and the suite
    /// contracts followed from the tokens' views and from events.
    watched: BTreeSet<Address>,
    /// `watched` grew during an append: ranges read ahead with the old set are read again.
    watch_changed: bool,
    /// The watched tokens that are T-REX tokens (they name an identity registry): their
    /// transfers' transactions are read to tell forced transfers.
    trex_tokens: BTreeSet<Address>,
}

/// Where a record sits in the chain: block, then log index; a block's commit comes after its
/// logs.
type Position = (u64, u32);

/// The position of a record, `None` for records that have none (token metadata, reverts).
fn position(record: &LogRecord) -> Option<Position> {
    match record {
        LogRecord::Event(e) => Some((e.meta.block.number.0, e.meta.log_index)),
        LogRecord::Undecoded(u) => Some((u.meta.block.number.0, u.meta.log_index)),
        LogRecord::Committed(c) => Some((c.block.0, u32::MAX)),
        LogRecord::TokenDiscovered(_) | LogRecord::Reverted(_) => None,
    }
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
            watched: config.contracts.iter().chain(&config.factories).copied().collect(),
            watch_changed: false,
            trex_tokens: BTreeSet::new(),
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

    /// Every partition's tail, read on a blocking thread (the Kafka log waits for the broker).
    async fn read_tails(&self) -> Result<Vec<Vec<LogRecord>>, IngestError> {
        let (log, window) = (self.log.clone(), self.config.reorg_window);
        tokio::task::spawn_blocking(move || read_tails(log.as_ref(), window)).await?
    }

    /// Rebuilds the position, the finalized block, the recent hash chain and what each partition
    /// holds from the partitions' tails.
    fn resume_from(&mut self, tails: Vec<Vec<LogRecord>>) {
        self.window = BlockWindow::new(self.config.reorg_window);
        self.sent = vec![None; tails.len()];
        let mut next: Option<u64> = None;
        let mut hashes: BTreeMap<u64, alloy::primitives::B256> = BTreeMap::new();
        let mut conflict: Option<u64> = None;
        for (partition, tail) in tails.into_iter().enumerate() {
            if tail.is_empty() {
                next = Some(self.config.from_block);
                continue;
            }
            // What this partition holds after its last revert.
            let mut seen: Vec<(u64, alloy::primitives::B256)> = Vec::new();
            let mut commit_next = None;
            for record in &tail {
                match record {
                    LogRecord::Event(e) => seen.push((e.meta.block.number.0, e.meta.block.hash)),
                    LogRecord::Undecoded(u) => seen.push((u.meta.block.number.0, u.meta.block.hash)),
                    LogRecord::TokenDiscovered(_) => {}
                    LogRecord::Committed(c) => {
                        seen.push((c.block.0, c.block_hash));
                        commit_next = Some(c.block.0 + 1);
                        self.finalized = self.finalized.max(c.finalized.0);
                        self.chain_id = c.chain_id.0;
                    }
                    LogRecord::Reverted(r) => {
                        seen.retain(|(n, _)| *n <= r.common_ancestor.0);
                        seen.push((r.common_ancestor.0, r.common_ancestor_hash));
                        commit_next = Some(r.common_ancestor.0 + 1);
                        self.sent[partition] = Some((r.common_ancestor.0, u32::MAX));
                    }
                }
                if let Some(p) = position(record) {
                    self.sent[partition] = Some(p);
                }
            }
            for (n, h) in seen {
                match hashes.insert(n, h) {
                    Some(other) if other != h => conflict = Some(conflict.map_or(n, |c| c.min(n))),
                    _ => {}
                }
            }
            let commit_next = commit_next.unwrap_or(self.config.from_block);
            next = Some(next.map_or(commit_next, |n| n.min(commit_next)));
        }
        if let Some(c) = conflict {
            // A revert reached some partitions only: send one again to all, below the
            // disagreement.
            warn!(target: "ingest", block = c, "partitions disagree about a block, reverting below it");
            hashes.split_off(&c);
            self.force_revert = true;
        }
        for (n, h) in hashes {
            self.window.insert(n, h);
        }
        if let Some(next) = next {
            self.next_block = next.min(self.window.tip().map_or(u64::MAX, |(t, _)| t + 1));
        }
        if let Some((tip, _)) = self.window.tip() {
            self.metrics.ingest_block.store(tip, Relaxed);
        }
    }

    /// Reads metadata of every configured contract, and finds the contracts to follow with
    /// them: the suites the factories deployed before `next_block`, and the registries and
    /// compliance each token's views point to now. The records go out with the next append.
    async fn discover_tokens(&mut self) -> Result<(), IngestError> {
        let mut tokens = self.config.contracts.clone();
        if !self.config.factories.is_empty() && self.next_block > self.config.from_block {
            let logs =
                self.rpc.logs(&self.config.factories, self.config.from_block, self.next_block - 1, &self.range).await?;
            for log in logs {
                if let Decoded::Event(TokenEvent::SuiteDeployed { token, .. }) =
                    decode_log(log.topics(), &log.data().data)
                {
                    tokens.push(token);
                }
            }
        }
        for &address in &tokens {
            self.discover_token(address).await?;
        }
        // The views' links, and theirs in turn (a registry's storage).
        let mut queue: Vec<Address> = tokens;
        while let Some(contract) = queue.pop() {
            let links = self.rpc.suite_links(contract).await?;
            if links.identity_registry.is_some() {
                self.trex_tokens.insert(contract);
            }
            for linked in links.all {
                if self.watched.insert(linked) {
                    info!(target: "ingest", %contract, %linked, "following linked contract");
                    queue.push(linked);
                }
            }
        }
        Ok(())
    }

    async fn discover_token(&mut self, address: Address) -> Result<(), IngestError> {
        let (name, symbol, decimals) = self.rpc.token_metadata(address).await?;
        info!(target: "ingest", %address, name, symbol, decimals, "watching token");
        self.watched.insert(address);
        self.discoveries.push(LogRecord::TokenDiscovered(TokenDiscovered {
            chain_id: ChainId(self.chain_id),
            address,
            name,
            symbol,
            decimals,
            block: BlockNumber(self.next_block),
        }));
        Ok(())
    }

    /// Checks for a reorg, then reads and appends everything up to the head. Returns whether
    /// ingest is caught up.
    async fn step(&mut self, shutdown: &watch::Receiver<bool>) -> Result<bool, IngestError> {
        let head = self.rpc.head().await?;
        self.metrics.chain_head_block.store(head, Relaxed);
        self.check_reorg().await?;
        let target = match self.config.stop_at {
            Some(stop) => head.min(stop),
            None => head,
        };
        if self.next_block > target {
            return Ok(true);
        }
        let start = self.next_block;
        let progress = self.progress_bar(start, target);
        let started = Instant::now();
        let mut last_report = Instant::now();
        let mut contracts: Arc<[Address]> = self.watched.iter().copied().collect();
        let (rpc, range) = (self.rpc.clone(), self.range.clone());
        // Blocks above this are read one by one, by hash (see `fetch_range`).
        let final_below = head.saturating_sub(self.config.confirmations).max(self.finalized);
        let mut inflight = FuturesOrdered::new();
        let mut next = start;
        loop {
            if self.watch_changed {
                // Ranges read ahead without the contracts just followed: read them again.
                self.watch_changed = false;
                inflight = FuturesOrdered::new();
                next = self.next_block;
                contracts = self.watched.iter().copied().collect();
            }
            while inflight.len() < self.config.concurrency.max(1) && next <= target {
                let size = range.lock().expect("range lock poisoned").size();
                let end = (next + size - 1).min(target);
                // Spawned, so the reads go on while a range is being appended.
                let fetch =
                    tokio::spawn(fetch_range(rpc.clone(), contracts.clone(), range.clone(), next, end, final_below));
                inflight.push_back(AbortOnDrop(fetch));
                next = end + 1;
            }
            let Some(data) = inflight.next().await else { break };
            let data = match data? {
                Ok(data) => data,
                Err(e) => return Err(self.explain(e, head).await),
            };
            // Appending consumes ranges in order, so `self` is free again here.
            if let Err(e) = self.append_range(data, head).await {
                return Err(self.explain(e, head).await);
            }
            self.metrics.backfill_range_blocks.store(self.range.lock().expect("range lock poisoned").size(), Relaxed);
            if let Some(bar) = &progress {
                bar.set_position(self.next_block - start);
            } else if last_report.elapsed() > Duration::from_secs(5) && target > start + 1 {
                last_report = Instant::now();
                info!(target: "ingest", block = self.next_block - 1, target, blocks_per_s = ((self.next_block - start) as f64 / started.elapsed().as_secs_f64()) as u64, "backfilling");
            }
            if *shutdown.borrow() {
                break;
            }
        }
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        Ok(self.next_block > target)
    }

    /// A read of a block at or below `head` that failed because the chain changed under the
    /// step: the node has no such block (any more), or its head went back below `head` (a reorg
    /// to a shorter branch between reading the head and reading its blocks; nodes answer that
    /// with errors of their own, e.g. anvil's `BlockOutOfRangeError`). Such an error becomes
    /// `Inconsistent`, and the next step checks for the reorg and starts over; any other error
    /// stands.
    async fn explain(&self, e: IngestError, head: u64) -> IngestError {
        match e {
            IngestError::MissingBlock(n) => {
                IngestError::Inconsistent(format!("the node has no block {n}, its head was {head}"))
            }
            IngestError::Rpc { .. } => match self.rpc.head().await {
                Ok(now) if now < head => {
                    IngestError::Inconsistent(format!("the node's head went back from {head} to {now}: {e}"))
                }
                _ => e,
            },
            e => e,
        }
    }

    fn progress_bar(&self, start: u64, target: u64) -> Option<ProgressBar> {
        if !self.config.progress || !std::io::stderr().is_terminal() || target - start < 1000 {
            return None;
        }
        let bar = ProgressBar::new(target - start + 1);
        bar.set_style(
            ProgressStyle::with_template("backfill {bar:40} {pos}/{len} blocks {per_sec} eta {eta}")
                .expect("static template"),
        );
        Some(bar)
    }

    /// Whether a node without block `tip` is behind rather than on a shorter branch: the newest
    /// block of ours at or below its head is still its block, and it has not been behind for
    /// longer than [`IngestConfig::behind_grace`] (a chain that stays shorter was reverted).
    async fn node_is_behind(&mut self, tip: u64) -> Result<bool, IngestError> {
        let since = *self.behind_since.get_or_insert_with(Instant::now);
        if since.elapsed() > self.config.behind_grace {
            warn!(target: "ingest", tip, waited_s = since.elapsed().as_secs(), "the node stayed below the appended tip: taking it for a shorter branch");
            return Ok(false);
        }
        let head = self.rpc.head().await?;
        let Some((number, hash)) = self.window.newest_first().find(|(n, _)| *n <= head) else { return Ok(false) };
        match self.rpc.block(number).await {
            Ok(block) => Ok(block.hash == hash),
            Err(IngestError::MissingBlock(_)) => Ok(true),
            Err(e) => Err(e),
        }
    }

    /// Compares the last appended block with the node's chain; on a mismatch appends a revert
    /// to the newest block both share.
    async fn check_reorg(&mut self) -> Result<(), IngestError> {
        let Some((tip, tip_hash)) = self.window.tip() else { return Ok(()) };
        if !self.force_revert {
            match self.rpc.block(tip).await {
                Ok(block) if block.hash == tip_hash => {
                    self.behind_since = None;
                    return Ok(());
                }
                Ok(_) => {}
                Err(IngestError::MissingBlock(_)) => {
                    // The node has no block at our tip: a node behind the others of a load
                    // balancer, or a chain that went back to a shorter branch. While the blocks
                    // it has agree with ours, it is taken for behind, for a while.
                    if self.node_is_behind(tip).await? {
                        return Err(IngestError::Inconsistent(format!(
                            "the node has no block {tip} yet (behind the block ingest appended last); waiting for it"
                        )));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        self.behind_since = None;
        let span = info_span!(target: "ingest", "reorg", tip);
        async {
            let mut ancestor = None;
            // The lowest block of ours the node's chain no longer has.
            let mut lowest_gone = tip;
            for (number, hash) in self.window.newest_first().collect::<Vec<_>>() {
                match self.rpc.block(number).await {
                    Ok(block) if block.hash == hash => {
                        ancestor = Some((number, hash));
                        break;
                    }
                    Ok(_) | Err(IngestError::MissingBlock(_)) => lowest_gone = number,
                    Err(e) => return Err(e),
                }
            }
            let Some((mut number, mut hash)) = ancestor else {
                return Err(IngestError::ReorgTooDeep { window: self.window.len(), lowest: self.window.lowest().unwrap_or(0) });
            };
            if number < self.finalized && lowest_gone > self.finalized {
                // The window is sparse below the blocks read one by one (blocks without logs of
                // ours are not in it, e.g. after a restart): every block of ours that changed is
                // above the finalized block, and final blocks do not change. Revert to it.
                let block = self.rpc.block(self.finalized).await?;
                (number, hash) = (self.finalized, block.hash);
            }
            if number < self.finalized {
                return Err(IngestError::ReorgBelowFinality { ancestor: number, finalized: self.finalized });
            }
            warn!(target: "ingest", common_ancestor = number, abandoned_tip = tip, depth = tip - number, "chain reorganised, reverting");
            let revert = LogRecord::Reverted(Reverted {
                chain_id: ChainId(self.chain_id),
                common_ancestor: BlockNumber(number),
                common_ancestor_hash: hash,
                abandoned_tip: BlockNumber(tip),
            });
            self.append(vec![revert]).await?;
            self.force_revert = false;
            self.window.truncate_above(number);
            self.next_block = number + 1;
            for sent in self.sent.iter_mut().flatten() {
                *sent = (*sent).min((number, u32::MAX));
            }
            Ok(())
        }
        .instrument(span)
        .await
    }

    /// Turns a range into records and appends them with the commit of its last block, after
    /// checking that the block it builds on is still on the node's chain.
    async fn append_range(&mut self, data: RangeData, head: u64) -> Result<(), IngestError> {
        if data.from != self.next_block {
            return Err(IngestError::Inconsistent(format!(
                "range starts at {}, expected {}",
                data.from, self.next_block
            )));
        }
        if let Some((tip, tip_hash)) = self.window.tip() {
            let now = self.rpc.block_hash(tip).await?;
            if now != tip_hash {
                return Err(IngestError::Inconsistent(format!("block {tip} changed from {tip_hash} to {now}")));
            }
        }
        let mut records = std::mem::take(&mut self.discoveries);
        records.reserve(data.logs.len() + 1);
        let mut blocks = data.blocks.clone();
        for log in &data.logs {
            records.push(self.record(log, &blocks)?);
        }
        self.follow(&mut records, &mut blocks, data.to).await?;
        self.read_back(&mut records).await?;
        settle_transactions(&mut records);
        let finalized = head.saturating_sub(self.config.confirmations).max(self.finalized);
        records.push(LogRecord::Committed(BlocksCommitted {
            chain_id: ChainId(self.chain_id),
            block: BlockNumber(data.to),
            block_hash: data.end.hash,
            head: BlockNumber(head),
            finalized: BlockNumber(finalized),
        }));
        self.append(records).await?;
        for b in blocks.values() {
            self.window.insert(b.number.0, b.hash);
        }
        self.window.insert(data.to, data.end.hash);
        self.next_block = data.to + 1;
        self.finalized = finalized;
        self.metrics.ingest_block.store(data.to, Relaxed);
        Ok(())
    }

    /// A log as a record: its event, or the log kept whole when no decoder accepts it.
    fn record(&self, log: &Log, blocks: &BTreeMap<u64, BlockRef>) -> Result<LogRecord, IngestError> {
        let number = log.block_number.ok_or(IngestError::IncompleteLog("block number"))?;
        let block = *blocks.get(&number).ok_or(IngestError::MissingBlock(number))?;
        let meta = EventMeta {
            chain_id: ChainId(self.chain_id),
            block,
            tx_hash: log.transaction_hash.ok_or(IngestError::IncompleteLog("transaction hash"))?,
            tx_index: u32::try_from(log.transaction_index.ok_or(IngestError::IncompleteLog("transaction index"))?)
                .map_err(|_| IngestError::IncompleteLog("transaction index within 32 bits"))?,
            log_index: u32::try_from(log.log_index.ok_or(IngestError::IncompleteLog("log index"))?)
                .map_err(|_| IngestError::IncompleteLog("log index within 32 bits"))?,
            contract: log.address(),
        };
        Ok(match decode_log(log.topics(), &log.data().data) {
            Decoded::Event(event) => LogRecord::Event(ChainEvent { meta, event }),
            Decoded::Undecodable(reason) => {
                warn!(target: "ingest", block = number, tx = %meta.tx_hash, log_index = meta.log_index, contract = %meta.contract, reason, "undecodable log kept as undecoded");
                // A log's data can be as large as its gas allows; a record must fit the log's
                // message size. The log can be read again from the chain by its coordinates.
                let data = &log.data().data;
                let (data, reason) = if data.len() > MAX_UNDECODED_DATA {
                    let note = format!(
                        "{reason}; data cut to its first {MAX_UNDECODED_DATA} of {} bytes (keccak256 {})",
                        data.len(),
                        alloy::primitives::keccak256(data)
                    );
                    (data.slice(..MAX_UNDECODED_DATA), note)
                } else {
                    (data.clone(), reason)
                };
                LogRecord::Undecoded(UndecodedLog { meta, topics: log.topics().to_vec(), data, reason })
            }
        })
    }

    /// Follows the contracts a range's events name: the suites a factory deployed, and the
    /// registries and compliance a T-REX contract was pointed to. Their logs from the block that
    /// names them to `to` join the range (so a suite's first events, emitted in the deploying
    /// transaction, are kept), and so do the contracts those logs name in turn. Logs a followed
    /// contract emitted before that block are not read (a registry linked after it was used).
    async fn follow(
        &mut self,
        records: &mut Vec<LogRecord>,
        blocks: &mut BTreeMap<u64, BlockRef>,
        to: u64,
    ) -> Result<(), IngestError> {
        let mut scanned = 0;
        let mut grew = false;
        loop {
            let mut found: BTreeMap<Address, u64> = BTreeMap::new();
            let mut tokens = Vec::new();
            for r in &records[scanned..] {
                let LogRecord::Event(e) = r else { continue };
                let block = e.meta.block.number.0;
                let named: Vec<Address> = match &e.event {
                    TokenEvent::SuiteDeployed {
                        token,
                        identity_registry,
                        identity_storage,
                        trusted_issuers,
                        claim_topics,
                        compliance,
                    } if self.config.factories.contains(&e.meta.contract) => {
                        tokens.push(*token);
                        vec![
                            *token,
                            *identity_registry,
                            *identity_storage,
                            *trusted_issuers,
                            *claim_topics,
                            *compliance,
                        ]
                    }
                    TokenEvent::Admin {
                        action:
                            AdminAction::IdentityRegistryAdded
                            | AdminAction::ComplianceAdded
                            | AdminAction::IdentityStorageSet
                            | AdminAction::ClaimTopicsRegistrySet
                            | AdminAction::TrustedIssuersRegistrySet,
                        subject,
                        ..
                    } => vec![*subject],
                    _ => continue,
                };
                for a in named.into_iter().filter(|a| !a.is_zero() && !self.watched.contains(a)) {
                    found.entry(a).or_insert(block);
                }
            }
            scanned = records.len();
            let Some(from) = found.values().min().copied() else { break };
            let contracts: Vec<Address> = found.keys().copied().collect();
            info!(target: "ingest", from, to, contracts = ?contracts, "following new contracts");
            self.watched.extend(&contracts);
            self.watch_changed = true;
            grew = true;
            for log in self.rpc.logs(&contracts, from, to, &self.range).await? {
                let (Some(n), Some(h)) = (log.block_number, log.block_hash) else {
                    return Err(IngestError::IncompleteLog("block hash"));
                };
                let block = match blocks.get(&n) {
                    Some(b) => *b,
                    None => *blocks.entry(n).or_insert(self.rpc.block(n).await?),
                };
                if block.hash != h {
                    return Err(IngestError::Inconsistent(format!(
                        "log of block {n} has hash {h}, the block does not"
                    )));
                }
                records.push(self.record(&log, blocks)?);
            }
            for token in tokens {
                // A factory's suite: a T-REX token.
                self.trex_tokens.insert(token);
                let before = self.discoveries.len();
                self.discover_token(token).await?;
                records.extend(self.discoveries.drain(before..));
            }
        }
        if grew {
            // Metadata first, then chain order.
            records.sort_by_key(position);
        }
        Ok(())
    }

    /// Reads back with `eth_call` what events leave out: T-REX's indexed token name and symbol
    /// (the log holds their hashes) and the country of a newly stored identity (the event has
    /// none). The views are read as of the event's block.
    async fn read_back(&self, records: &mut [LogRecord]) -> Result<(), IngestError> {
        // A transaction read for one event serves the others of the range (an identity update
        // emits an event in the registry and one in its storage).
        let mut transactions = Transactions::default();
        self.mark_forced_transfers(records, &mut transactions).await?;
        for r in records.iter_mut() {
            let LogRecord::Event(e) = r else { continue };
            let (contract, block) = (e.meta.contract, e.meta.block.number.0);
            match &mut e.event {
                TokenEvent::TokenInformation { name, symbol, .. } => {
                    (*name, *symbol) = self.rpc.token_strings_at(contract, block).await?;
                }
                TokenEvent::Identity { action: IdentityAction::Stored, investor, country, .. } => {
                    *country = self.rpc.investor_country(contract, *investor, true, block).await?;
                }
                TokenEvent::Identity { action: IdentityAction::Registered, investor, country, .. } => {
                    *country = self.rpc.investor_country(contract, *investor, false, block).await?;
                }
                // The events name no wallet; the agent's call does: the transaction's own, or
                // one made inside it (through an agent manager or a multisig).
                TokenEvent::Identity {
                    action: IdentityAction::Updated | IdentityAction::Modified,
                    investor,
                    identity,
                    ..
                } if investor.is_zero() => {
                    // A transaction the node no longer has is not traced either (a reorg).
                    let Some(own) = transactions.own(&self.rpc, e.meta.tx_hash).await? else { continue };
                    let wallet = match updated_wallet(&[own], *identity) {
                        Some(wallet) => Some(wallet),
                        None => updated_wallet(transactions.traced(&self.rpc, e.meta.tx_hash).await?, *identity),
                    };
                    if let Some(wallet) = wallet {
                        *investor = wallet;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A T-REX agent's `forcedTransfer` emits a plain `Transfer`: the transactions of T-REX
    /// tokens' transfers are read, and each transfer a `forcedTransfer` or `batchForcedTransfer`
    /// call on the token made (same sender, recipient and amount) is recorded as forced, with the
    /// agent that called. A transaction sent to another contract (an agent manager, a multisig,
    /// a DvD) is traced to find the calls it made to the token; a node that does not trace
    /// leaves those transfers plain.
    async fn mark_forced_transfers(
        &self,
        records: &mut [LogRecord],
        cache: &mut Transactions,
    ) -> Result<(), IngestError> {
        if self.trex_tokens.is_empty() {
            return Ok(());
        }
        let mut transactions = BTreeSet::new();
        for r in records.iter() {
            if let LogRecord::Event(e) = r {
                if matches!(e.event, TokenEvent::Transfer { .. }) && self.trex_tokens.contains(&e.meta.contract) {
                    transactions.insert((e.meta.tx_hash, e.meta.contract));
                }
            }
        }
        for (tx, token) in transactions {
            let Some(own) = cache.own(&self.rpc, tx).await? else { continue };
            let mut forced = if own.to == Some(token) {
                forced_transfers(&[own], token)
            } else {
                forced_transfers(cache.traced(&self.rpc, tx).await?, token)
            };
            for r in records.iter_mut() {
                if forced.is_empty() {
                    break;
                }
                let LogRecord::Event(e) = r else { continue };
                if e.meta.tx_hash != tx || e.meta.contract != token {
                    continue;
                }
                let TokenEvent::Transfer { from, to, value } = e.event else { continue };
                let Some(i) = forced.iter().position(|f| (f.0, f.1, f.2) == (from, to, value)) else { continue };
                let agent = forced.remove(i).3;
                e.event = TokenEvent::Move(registrar_schemas::Move {
                    kind: registrar_schemas::MoveKind::ForcedTransfer,
                    partition: None,
                    operator: agent,
                    from,
                    to,
                    value,
                    moves_balance: true,
                });
            }
        }
        Ok(())
    }

    /// Appends `records`, leaving out of each partition what it already holds.
    async fn append(&self, records: Vec<LogRecord>) -> Result<(), IngestError> {
        let log = self.log.clone();
        let n = records.len() as u64;
        let sent = self.sent.clone();
        tokio::task::spawn_blocking(move || {
            log.append_where(&records, &|partition: Partition, record: &LogRecord| match (
                position(record),
                sent.get(partition as usize).copied().flatten(),
            ) {
                (Some(p), Some(held)) => p > held,
                _ => true,
            })
        })
        .await??;
        self.metrics.log_records_appended.fetch_add(n, Relaxed);
        Ok(())
    }
}

/// A spawned task that is cancelled when its handle is dropped (ingest stopping or failing
/// leaves no reads running behind it).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

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

/// The transactions `read_back` fetched for one range, each read once: their own call and,
/// where that does not explain an event, the calls made inside them.
#[derive(Default)]
struct Transactions {
    own: std::collections::HashMap<alloy::primitives::B256, Option<Call>>,
    traced: std::collections::HashMap<alloy::primitives::B256, Vec<Call>>,
}

impl Transactions {
    /// The transaction's own call (sender, recipient, input).
    async fn own(&mut self, rpc: &Rpc, hash: alloy::primitives::B256) -> Result<Option<Call>, IngestError> {
        if let Some(found) = self.own.get(&hash) {
            return Ok(found.clone());
        }
        let found = rpc.transaction(hash).await?;
        self.own.insert(hash, found.clone());
        Ok(found)
    }

    /// Every call the transaction made (a multisig's or an agent manager's calls to a token
    /// included); none when the node does not trace.
    async fn traced(&mut self, rpc: &Rpc, hash: alloy::primitives::B256) -> Result<&[Call], IngestError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.traced.entry(hash) {
            slot.insert(rpc.traced_calls(hash).await?.unwrap_or_default());
        }
        Ok(&self.traced[&hash])
    }
}

/// The wallet a T-REX `updateIdentity` (registry) or `modifyStoredIdentity` (storage) call among
/// `calls` gave the identity `new`.
fn updated_wallet(calls: &[Call], new: Address) -> Option<Address> {
    use alloy::sol_types::SolCall;
    use registrar_schemas::abi::trex::ITREXIdentityCalls as I;
    calls.iter().find_map(|c| {
        I::updateIdentityCall::abi_decode(&c.input)
            .map(|c| (c._userAddress, c._identity))
            .or_else(|_| I::modifyStoredIdentityCall::abi_decode(&c.input).map(|c| (c._userAddress, c._identity)))
            .ok()
            .filter(|(_, identity)| *identity == new)
            .map(|(wallet, _)| wallet)
    })
}

/// The transfers `calls` forced on `token` (`forcedTransfer`, `batchForcedTransfer`): sender,
/// recipient, amount, and the agent (the caller as the token sees it).
fn forced_transfers(calls: &[Call], token: Address) -> Vec<(Address, Address, alloy::primitives::U256, Address)> {
    use alloy::sol_types::SolCall;
    use registrar_schemas::abi::trex::ITREXForcedTransfers as F;
    let mut forced = Vec::new();
    for c in calls.iter().filter(|c| c.to == Some(token)) {
        if let Ok(f) = F::forcedTransferCall::abi_decode(&c.input) {
            forced.push((f._from, f._to, f._amount, c.from));
        } else if let Ok(b) = F::batchForcedTransferCall::abi_decode(&c.input) {
            for ((from, to), amount) in b._fromList.iter().zip(&b._toList).zip(&b._amounts) {
                forced.push((*from, *to, *amount, c.from));
            }
        }
    }
    forced
}

/// Reads the logs of `[from, to]` and the headers of the blocks that hold them, and checks that
/// each log is what was asked for: of a watched contract, in the range, with its block's hash (a
/// mismatch means the chain moved under the reads, or the node answered something else).
///
/// Blocks above `final_below` (not final yet) are read one by one: the header first, then the
/// logs of that block's hash. Each such block's hash goes to the reorg window, so a reorg finds
/// its exact common ancestor, and no log of a block that was replaced between two reads (or that
/// a node's range index still holds after a reorg) can be taken for a log of its replacement.
async fn fetch_range(
    rpc: Arc<Rpc>,
    contracts: Arc<[Address]>,
    range: Arc<Mutex<AdaptiveRange>>,
    from: u64,
    to: u64,
    final_below: u64,
) -> Result<RangeData, IngestError> {
    let ranged_to = to.min(final_below);
    let mut logs = if from <= ranged_to { rpc.logs(&contracts, from, ranged_to, &range).await? } else { Vec::new() };
    let mut numbers: BTreeSet<u64> = logs.iter().filter_map(|l| l.block_number).collect();
    if from <= ranged_to {
        numbers.insert(ranged_to);
    }
    let requests: Vec<_> = numbers.into_iter().map(|n| rpc.block(n)).collect();
    let fetched: Vec<Result<BlockRef, IngestError>> =
        futures::stream::iter(requests).buffer_unordered(8).collect().await;
    let mut blocks = BTreeMap::new();
    for b in fetched {
        let b = b?;
        blocks.insert(b.number.0, b);
    }
    // Blocks not final yet: each by its hash.
    let unfinal = (from.max(final_below.saturating_add(1))..=to).map(|n| {
        let (rpc, contracts) = (rpc.clone(), contracts.clone());
        async move {
            let block = rpc.block(n).await?;
            let logs = rpc.logs_at_hash(&contracts, block.hash).await?;
            Ok::<_, IngestError>((block, logs))
        }
    });
    let read: Vec<Result<(BlockRef, Vec<Log>), IngestError>> =
        futures::stream::iter(unfinal).buffered(8).collect().await;
    for r in read {
        let (block, block_logs) = r?;
        if let Some(parent) = blocks.get(&(block.number.0 - 1)) {
            if parent.hash != block.parent_hash {
                return Err(IngestError::Inconsistent(format!(
                    "block {} does not build on the block {} read before it",
                    block.number.0,
                    block.number.0 - 1
                )));
            }
        }
        blocks.insert(block.number.0, block);
        logs.extend(block_logs);
    }
    logs.sort_by_key(|l| (l.block_number, l.log_index));
    // The same log twice in one answer (a node or proxy that serves a range twice): kept once;
    // two different logs at one position are a node contradicting itself.
    let before = logs.len();
    let mut contradiction = None;
    logs.dedup_by(|b, a| {
        let same_place = (a.block_number, a.log_index) == (b.block_number, b.log_index);
        if same_place && a != b {
            contradiction = Some((a.block_number, a.log_index));
        }
        same_place && a == b
    });
    if let Some((block, index)) = contradiction {
        return Err(IngestError::Inconsistent(format!(
            "the node answered two different logs at block {block:?} index {index:?}"
        )));
    }
    if logs.len() < before {
        debug!(target: "ingest", from, to, copies = before - logs.len(), "the node answered some logs twice");
    }
    for log in &logs {
        check_log(log, &contracts, from, to)?;
        let (Some(n), Some(h)) = (log.block_number, log.block_hash) else {
            return Err(IngestError::IncompleteLog("block hash"));
        };
        if blocks.get(&n).map(|b| b.hash) != Some(h) {
            return Err(IngestError::Inconsistent(format!("log of block {n} has hash {h}, the block does not")));
        }
    }
    let end = *blocks.get(&to).ok_or(IngestError::MissingBlock(to))?;
    Ok(RangeData { from, to, logs, blocks, end })
}

/// A log the node answered for a filter: it must match the filter (a node that answers
/// something else, a misconfigured proxy, a lagging replica, is not trusted with the register).
fn check_log(log: &Log, contracts: &[Address], from: u64, to: u64) -> Result<(), IngestError> {
    if log.removed {
        return Err(IngestError::Inconsistent(format!("log removed in block {:?}", log.block_number)));
    }
    if !contracts.contains(&log.address()) {
        return Err(IngestError::Inconsistent(format!(
            "the node answered a log of {:#x}, which was not asked for",
            log.address()
        )));
    }
    match log.block_number {
        Some(n) if (from..=to).contains(&n) => {}
        Some(n) => {
            return Err(IngestError::Inconsistent(format!(
                "the node answered a log of block {n} for blocks {from} to {to}"
            )))
        }
        None => return Err(IngestError::IncompleteLog("block number")),
    }
    Ok(())
}

/// The decoded tails of every partition, oldest record first (on a blocking thread: the Kafka
/// log waits for the broker). A tail reaches back to the partition's last commit or revert,
/// growing as needed; a partition that holds records but none of those cannot say where it
/// stands: that is an error.
fn read_tails(log: &dyn EventLog, reorg_window: usize) -> Result<Vec<Vec<LogRecord>>, IngestError> {
    let mut tails = Vec::new();
    for partition in 0..log.partitions() {
        let mut want = reorg_window.max(64) * 8;
        let tail = loop {
            let raw = log.tail(partition, want)?;
            let mut tail = Vec::with_capacity(raw.len());
            for r in &raw {
                match r.decode() {
                    Ok(record) => tail.push(record),
                    // Not ingest's: someone else wrote it; the projector sets it aside.
                    Err(e) => {
                        warn!(target: "ingest", partition, offset = r.offset.0, error = %e, "skipping a record that is not a valid record")
                    }
                }
            }
            let positioned = tail.iter().any(|r| matches!(r, LogRecord::Committed(_) | LogRecord::Reverted(_)));
            if positioned || raw.is_empty() {
                break tail;
            }
            if raw.len() < want {
                return Err(IngestError::LostPosition { records: log.end(partition)?.0 });
            }
            want *= 4;
        };
        tails.push(tail);
    }
    Ok(tails)
}

#[cfg(test)]
mod tests {
    use alloy::primitives::B256;
    use registrar_schemas::TokenEvent;

    use super::*;

    fn block(n: u64, fork: u8) -> BlockRef {
        BlockRef {
            number: BlockNumber(n),
            hash: B256::repeat_byte(fork ^ n as u8),
            parent_hash: B256::ZERO,
            timestamp: 0,
        }
    }

    fn event(n: u64, log_index: u32, fork: u8) -> LogRecord {
        LogRecord::Event(ChainEvent {
            meta: EventMeta {
                chain_id: ChainId(1),
                block: block(n, fork),
                tx_hash: B256::ZERO,
                tx_index: 0,
                log_index,
                contract: Address::ZERO,
            },
            event: TokenEvent::Paused { agent: Address::ZERO },
        })
    }

    fn committed(n: u64, fork: u8) -> LogRecord {
        LogRecord::Committed(BlocksCommitted {
            chain_id: ChainId(1),
            block: BlockNumber(n),
            block_hash: block(n, fork).hash,
            head: BlockNumber(n),
            finalized: BlockNumber(n.saturating_sub(10)),
        })
    }

    async fn ingestor(partitions: usize) -> (tempfile::TempDir, Ingestor) {
        let metrics = Arc::new(Metrics::default());
        let rpc =
            Rpc::connect(crate::RpcConfig { url: "http://127.0.0.1:9".into(), ..Default::default() }, metrics.clone())
                .await
                .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let log = registrar_log::EmbeddedLog::open(dir.path()).unwrap();
        let mut i =
            Ingestor::new(Arc::new(rpc), Arc::new(log), metrics, IngestConfig { from_block: 3, ..Default::default() });
        i.sent = vec![None; partitions];
        (dir, i)
    }

    /// A crash in the middle of a two-partition append: partition 0 has the range and its commit,
    /// partition 1 a prefix of its share. Ingest goes back to block 6 and sends neither partition
    /// what it has.
    #[tokio::test]
    async fn a_partial_append_resumes_after_the_least_advanced_commit() {
        let (_dir, mut i) = ingestor(2).await;
        let p0 = vec![committed(5, 0), event(6, 0, 0), event(7, 2, 0), committed(7, 0)];
        let p1 = vec![committed(5, 0), event(6, 1, 0)];
        i.resume_from(vec![p0, p1]);
        assert_eq!(i.next_block, 6);
        assert_eq!(i.sent, vec![Some((7, u32::MAX)), Some((6, 1))]);
        assert_eq!(i.window.tip(), Some((7, block(7, 0).hash)), "positions are checked against the chain at 7");
        assert!(!i.force_revert);
    }

    /// A partition that never got anything starts from `from_block`; the log being empty too.
    #[tokio::test]
    async fn an_empty_partition_starts_from_the_first_block() {
        let (_dir, mut i) = ingestor(2).await;
        i.resume_from(vec![vec![committed(5, 0)], vec![]]);
        assert_eq!(i.next_block, 3);
        let (_dir, mut i) = ingestor(1).await;
        i.resume_from(vec![vec![]]);
        assert_eq!((i.next_block, i.sent.clone()), (3, vec![None]));
    }

    /// A revert that reached partition 0 only: partition 1 still holds the abandoned fork's block
    /// 6. The partitions disagree about block 6, so ingest reverts below it first.
    #[tokio::test]
    async fn partitions_that_disagree_force_a_revert() {
        let (_dir, mut i) = ingestor(2).await;
        let revert = LogRecord::Reverted(Reverted {
            chain_id: ChainId(1),
            common_ancestor: BlockNumber(5),
            common_ancestor_hash: block(5, 0).hash,
            abandoned_tip: BlockNumber(6),
        });
        let p0 = vec![committed(5, 0), event(6, 0, 0), committed(6, 0), revert, event(6, 0, 0xf0), committed(6, 0xf0)];
        let p1 = vec![committed(5, 0), event(6, 1, 0), committed(6, 0)];
        i.resume_from(vec![p0, p1]);
        assert!(i.force_revert);
        assert_eq!(i.window.tip(), Some((5, block(5, 0).hash)));
        assert!(i.next_block <= 6);
    }
}
