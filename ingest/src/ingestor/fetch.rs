//! A range's logs and headers turned into records and appended.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{atomic::Ordering::Relaxed, Arc, Mutex},
};

use alloy::{primitives::Address, rpc::types::Log};
use futures::StreamExt;
use registrar_log::{KeepRecord, Partition, Stage};
use registrar_schemas::{
    BlockNumber, BlockRef, BlocksCommitted, ChainEvent, ChainId, EventMeta, LogRecord, UndecodedLog,
};
use tracing::{debug, warn};

use super::*;
use crate::{decode_log, settle, AdaptiveRange, Decoded, IngestError, Rpc};

impl Ingestor {
    /// Turns a range into records and appends them with the commit of its last block, after
    /// checking that the block it builds on is still on the node's chain.
    pub(super) async fn append_range(&mut self, data: RangeData, head: u64) -> Result<(), IngestError> {
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
        // Decode → read → settle: each log is decoded on its own, what the events leave out is
        // read from the chain, and the records the log gets are built once from both.
        let started = std::time::Instant::now();
        let mut decoded = Vec::with_capacity(data.logs.len());
        let mut blocks = data.blocks.clone();
        for log in &data.logs {
            decoded.push(self.record(log, &blocks)?);
        }
        self.follow(&mut decoded, &mut blocks, data.to).await?;
        let reads = self.read_range(&decoded).await?;
        let mut records = std::mem::take(&mut self.discoveries);
        records.reserve(decoded.len() + 1);
        records.extend(settle(decoded, &reads));
        let finalized = head.saturating_sub(self.config.confirmations).max(self.finalized);
        let commit = LogRecord::Committed(BlocksCommitted {
            chain_id: ChainId(self.chain_id),
            block: BlockNumber(data.to),
            block_hash: data.end.hash,
            head: BlockNumber(head),
            finalized: BlockNumber(finalized),
        });
        self.metrics.stage_time(Stage::Decode, started.elapsed());
        let started = std::time::Instant::now();
        self.append(records).await?;
        // The commit goes once everything below it is acknowledged, and is on its way while the
        // next range is read and queued.
        self.pending_commit = Some(commit);
        self.commit_appended().await?;
        self.metrics.stage_time(Stage::Append, started.elapsed());
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
    pub(super) fn record(&self, log: &Log, blocks: &BTreeMap<u64, BlockRef>) -> Result<LogRecord, IngestError> {
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

    /// Starts appending `records`, leaving out of each partition what it already holds, and
    /// goes on while the log acknowledges them (see [`EventLog::start_append`]);
    /// [`Ingestor::await_appends`] waits for them.
    pub(super) async fn append(&mut self, records: Vec<LogRecord>) -> Result<(), IngestError> {
        let log = self.log.clone();
        let n = records.len() as u64;
        let sent = self.sent.clone();
        let keep: Box<KeepRecord> = Box::new(move |partition: Partition, record: &LogRecord| {
            match (record.position(), sent.get(partition.0 as usize).copied().flatten()) {
                (Some(p), Some(held)) => p > held,
                _ => true,
            }
        });
        // Queuing blocks while the producer's queue is full.
        let pending = tokio::task::spawn_blocking(move || log.start_append(records, keep)).await??;
        self.in_flight.push_back((pending, n));
        Ok(())
    }

    /// Appends `records` and waits until the log holds them and everything before them.
    pub(super) async fn append_now(&mut self, records: Vec<LogRecord>) -> Result<(), IngestError> {
        self.append(records).await?;
        self.await_appends().await
    }

    /// Waits until the log holds everything queued, then queues the commit of the last range
    /// queued: a commit is appended only once everything below it is acknowledged.
    pub(super) async fn commit_appended(&mut self) -> Result<(), IngestError> {
        self.await_appends().await?;
        if let Some(commit) = self.pending_commit.take() {
            self.append(vec![commit]).await?;
        }
        Ok(())
    }

    /// [`Ingestor::commit_appended`], then waits for the commit too.
    pub(super) async fn commit_and_await(&mut self) -> Result<(), IngestError> {
        self.commit_appended().await?;
        self.await_appends().await
    }

    /// Waits until the log holds everything queued.
    pub(super) async fn await_appends(&mut self) -> Result<(), IngestError> {
        while let Some((pending, n)) = self.in_flight.pop_front() {
            if let Err(e) = pending.await {
                // What follows it failed too, or will: ingest reads the log again (`resume_from`).
                self.in_flight.clear();
                self.pending_commit = None;
                return Err(e.into());
            }
            self.metrics.log_records_appended.fetch_add(n, Relaxed);
        }
        Ok(())
    }
}

/// A log the node answered for a filter: it must match the filter (a node that answers
/// something else, a misconfigured proxy, a lagging replica, is not trusted with the register).
pub(super) fn check_log(log: &Log, contracts: &[Address], from: u64, to: u64) -> Result<(), IngestError> {
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

/// Reads the logs of `[from, to]` and the headers of the blocks that hold them, and checks that
/// each log is what was asked for: of a watched contract, in the range, with its block's hash (a
/// mismatch means the chain moved under the reads, or the node answered something else).
///
/// Blocks above `final_below` (not final yet) are read one by one: the header first, then the
/// logs of that block's hash. Each such block's hash goes to the reorg window, so a reorg finds
/// its exact common ancestor, and no log of a block that was replaced between two reads (or that
/// a node's range index still holds after a reorg) can be taken for a log of its replacement.
pub(super) async fn fetch_range(
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
