//! Following the event log: ERC-1643 documents and `RootAnchored` anchors archived once final.

use std::sync::atomic::Ordering::Relaxed;

use registrar_merkle::{AnchorRef, HexHash, LeafRecord, TreeSize};
use registrar_schemas::{ChainEvent, LogRecord, TokenEvent};
use rocksdb::WriteBatch;
use tracing::{error, info, warn};

use crate::{store::*, *};

impl Archive {
    /// Where to read the event log from after a restart.
    pub fn chain_resume_from(&self) -> Result<u64, ArchiveError> {
        Ok(self.db.get_cf(self.cf(META), META_RESUME_FROM)?.map(|b| read_u64(&b)).transpose()?.unwrap_or(0))
    }

    /// Takes event log records in order: holds document and anchor events until their block is
    /// final, drops them if a reorg voids them, archives them when final. Blocking.
    pub fn apply_log(&self, records: &[(u64, LogRecord)]) -> Result<(), ArchiveError> {
        let Some(last) = records.last().map(|(o, _)| *o) else { return Ok(()) };
        for (offset, record) in records {
            match record {
                LogRecord::Event(e) => {
                    let wanted = match &e.event {
                        TokenEvent::Document { .. } => true,
                        TokenEvent::RootAnchored { .. } => self.options.anchor_contract == Some(e.meta.contract),
                        TokenEvent::Transfer { .. }
                        | TokenEvent::TokensFrozen { .. }
                        | TokenEvent::TokensUnfrozen { .. }
                        | TokenEvent::AddressFrozen { .. }
                        | TokenEvent::Paused { .. }
                        | TokenEvent::Unpaused { .. }
                        | TokenEvent::RecoverySuccess { .. }
                        | TokenEvent::Move(_)
                        | TokenEvent::ChangedPartition { .. }
                        | TokenEvent::OperatorChanged { .. }
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
                        | TokenEvent::BondStatus { .. }
                        | TokenEvent::Investor(_)
                        | TokenEvent::Lock(_)
                        | TokenEvent::Whitelist(_)
                        | TokenEvent::ComplianceRule { .. }
                        | TokenEvent::CheckpointCreated { .. }
                        | TokenEvent::TransfersFrozen { .. }
                        | TokenEvent::Approval { .. } => false,
                    };
                    if wanted {
                        self.state.lock().expect("archive lock").pending.push_back((*offset, e.clone()));
                    }
                }
                LogRecord::Reverted(r) => {
                    let mut state = self.state.lock().expect("archive lock");
                    state.pending.retain(|(_, e)| e.meta.block.number <= r.common_ancestor);
                }
                LogRecord::Committed(c) => loop {
                    let next = {
                        let mut state = self.state.lock().expect("archive lock");
                        match state.pending.front() {
                            Some((_, e)) if e.meta.block.number <= c.finalized => {
                                let archived = state.archived_through;
                                state.pending.pop_front().map(|(offset, e)| (offset, e, archived))
                            }
                            _ => None,
                        }
                    };
                    let Some((offset, event, archived)) = next else { break };
                    // Archived before a restart: the resumed read passes over it again.
                    if archived.is_none_or(|a| a < offset) {
                        self.archive_final(offset, &event)?;
                    }
                },
                LogRecord::TokenDiscovered(_) | LogRecord::Undecoded(_) => {}
            }
        }
        let resume = {
            let state = self.state.lock().expect("archive lock");
            state.pending.front().map_or(last + 1, |(o, _)| *o)
        };
        self.db.put_cf(self.cf(META), META_RESUME_FROM, be(resume))?;
        Ok(())
    }

    pub(crate) fn archive_final(&self, offset: u64, e: &ChainEvent) -> Result<(), ArchiveError> {
        match &e.event {
            TokenEvent::Document { action, name, uri, document_hash } => {
                let trimmed: Vec<u8> = name.iter().copied().take_while(|b| *b != 0).collect();
                let name_text = String::from_utf8(trimmed).ok().filter(|s| !s.is_empty());
                let doc = ChainDocument {
                    event: action.event_name().to_string(),
                    chain_id: e.meta.chain_id.0,
                    token: show(&e.meta.contract),
                    name: format!("{name:#x}"),
                    name_text: name_text.clone(),
                    uri: uri.clone(),
                    document_hash: format!("{document_hash:#x}"),
                    tx_hash: format!("{:#x}", e.meta.tx_hash),
                    block_number: e.meta.block.number.0,
                    block_hash: format!("{:#x}", e.meta.block.hash),
                    log_index: e.meta.log_index,
                };
                let content = json(&doc);
                let blob = self.blobs.put(&content[..], u64::MAX)?;
                let kind = match action {
                    registrar_schemas::DocumentAction::Updated => "erc1643-updated",
                    registrar_schemas::DocumentAction::Removed => "erc1643-removed",
                    registrar_schemas::DocumentAction::Set => "erc1400-document",
                };
                let leaf = LeafRecord {
                    content_hash: blob.hash,
                    chain_id: e.meta.chain_id.0,
                    token: e.meta.contract.into_array(),
                    kind: kind.into(),
                    timestamp: e.meta.block.timestamp,
                    salt: rand::random(),
                };
                let title = format!("{} {}", doc.event, name_text.as_deref().unwrap_or(&doc.name));
                let text = chain_text(&title, uri);
                let d = self.append(leaf, title, None, text::JSON, blob.size, Source::Chain(doc), Some(offset))?;
                self.search.add(&d, &text)?;
                self.search.commit(d.leaf_index + 1)?;
                info!(target: "archive", leaf = d.leaf_index, block = e.meta.block.number.0, "on-chain document archived");
            }
            TokenEvent::RootAnchored { sequence, tree_size, root } => {
                let ours = self.root_at(TreeSize(*tree_size)).ok();
                let matches = ours == Some(root.0);
                if matches {
                    self.options.metrics.archive_anchored_size.fetch_max(*tree_size, Relaxed);
                } else {
                    self.options.metrics.anchor_root_mismatches.fetch_add(1, Relaxed);
                    error!(target: "archive", tree_size, anchored = %root, "an anchored root is not this archive's root at that size");
                }
                let a = AnchorRecord {
                    sequence: *sequence,
                    tree_size: *tree_size,
                    root: HexHash(root.0),
                    at: AnchorRef {
                        chain_id: e.meta.chain_id.0,
                        contract: show(&e.meta.contract),
                        tx_hash: format!("{:#x}", e.meta.tx_hash),
                        block_number: e.meta.block.number.0,
                        block_hash: format!("{:#x}", e.meta.block.hash),
                    },
                    matches,
                };
                let mut batch = WriteBatch::default();
                batch.put_cf(self.cf(ANCHORS), be(*tree_size), json(&a));
                batch.put_cf(self.cf(META), META_ARCHIVED_THROUGH, be(offset));
                self.db.write_opt(batch, &synced())?;
                self.state.lock().expect("archive lock").archived_through = Some(offset);
                info!(target: "archive", tree_size, block = a.at.block_number, "anchor final");
            }
            other => warn!(target: "archive", event = other.name(), "not an archive event"),
        }
        Ok(())
    }
}
