//! One step of the loop: read the head, backfill ranges in parallel or follow the head, append.

use std::{
    io::IsTerminal,
    sync::{atomic::Ordering::Relaxed, Arc},
    time::{Duration, Instant},
};

use alloy::primitives::Address;
use futures::{stream::FuturesOrdered, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use registrar_log::Stage;
use tokio::sync::watch;
use tracing::{info, warn};

use super::*;
use crate::IngestError;

impl Ingestor {
    /// Checks for a reorg, then reads and appends everything up to the head. Returns whether
    /// ingest is caught up.
    pub(super) async fn step(&mut self, shutdown: &watch::Receiver<bool>) -> Result<bool, IngestError> {
        let stepped = self.append_to_head(shutdown).await;
        // What was queued lands, with its commit, before anything else happens; if it does not,
        // the log is read again, whatever the step did.
        let started = Instant::now();
        let landed = self.commit_and_await().await;
        self.metrics.stage_time(Stage::Append, started.elapsed());
        landed?;
        stepped
    }

    async fn append_to_head(&mut self, shutdown: &watch::Receiver<bool>) -> Result<bool, IngestError> {
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
                let read = fetch_range(rpc.clone(), contracts.clone(), range.clone(), next, end, final_below);
                let metrics = self.metrics.clone();
                let fetch = tokio::spawn(async move {
                    let started = Instant::now();
                    let data = read.await;
                    metrics.stage_time(Stage::Fetch, started.elapsed());
                    data
                });
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
    pub(super) async fn explain(&self, e: IngestError, head: u64) -> IngestError {
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

    pub(super) fn progress_bar(&self, start: u64, target: u64) -> Option<ProgressBar> {
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
    pub(super) async fn node_is_behind(&mut self, tip: u64) -> Result<bool, IngestError> {
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
}
