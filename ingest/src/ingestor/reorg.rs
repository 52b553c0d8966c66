//! Reorg detection: the last appended block must still be on the node's chain; when it is not,
//! a revert to the last common block is appended.

use registrar_schemas::{BlockNumber, ChainId, LogRecord, Reverted};
use tracing::{info_span, warn, Instrument};

use super::*;
use crate::IngestError;

impl Ingestor {
    /// Compares the last appended block with the node's chain; on a mismatch appends a revert
    /// to the newest block both share.
    pub(super) async fn check_reorg(&mut self) -> Result<(), IngestError> {
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
            self.append_now(vec![revert]).await?;
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
}
