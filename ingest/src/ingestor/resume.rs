//! Where a restarted ingest goes on: the tails of every partition, the least advanced commit, and
//! the position each partition already holds.

use std::{collections::BTreeMap, sync::atomic::Ordering::Relaxed};

use registrar_log::{EventLog, Partition};
use registrar_schemas::LogRecord;
use tracing::warn;

use super::*;
use crate::{BlockWindow, IngestError};

impl Ingestor {
    /// Every partition's tail, read on a blocking thread (the Kafka log waits for the broker).
    pub(super) async fn read_tails(&self) -> Result<Vec<Vec<LogRecord>>, IngestError> {
        let (log, window) = (self.log.clone(), self.config.reorg_window);
        tokio::task::spawn_blocking(move || read_tails(log.as_ref(), window)).await?
    }

    /// Rebuilds the position, the finalized block, the recent hash chain and what each partition
    /// holds from the partitions' tails.
    pub(super) fn resume_from(&mut self, tails: Vec<Vec<LogRecord>>) {
        // Appends still on their way are what the tails are read to find out about.
        self.in_flight.clear();
        self.pending_commit = None;
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
                if let Some(p) = record.position() {
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
}

/// The decoded tails of every partition, oldest record first (on a blocking thread: the Kafka
/// log waits for the broker). A tail reaches back to the partition's last commit or revert,
/// growing as needed; a partition that holds records but none of those cannot say where it
/// stands: that is an error.
pub(super) fn read_tails(log: &dyn EventLog, reorg_window: usize) -> Result<Vec<Vec<LogRecord>>, IngestError> {
    let mut tails = Vec::new();
    for partition in Partition::all(log.partitions()) {
        let mut want = reorg_window.max(64) * 8;
        let tail = loop {
            let raw = log.tail(partition, want)?;
            let mut tail = Vec::with_capacity(raw.len());
            for r in &raw {
                match r.decode() {
                    Ok(record) => tail.push(record),
                    // Not ingest's: someone else wrote it; the projector sets it aside.
                    Err(e) => {
                        warn!(target: "ingest", partition = partition.0, offset = r.offset.0, error = %e, "skipping a record that is not a valid record")
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
    use registrar_schemas::{BlockNumber, BlocksCommitted, ChainEvent, ChainId, EventMeta, Reverted, TokenEvent};

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
