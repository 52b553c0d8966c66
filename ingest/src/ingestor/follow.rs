//! Following T-REX suites: tokens discovered, their registries and compliance read from their
//! views and from events, and added to the watched contracts.

use std::collections::BTreeMap;

use alloy::primitives::Address;
use registrar_schemas::{BlockNumber, BlockRef, ChainId, LogRecord, TokenDiscovered, TokenEvent};
use tracing::info;

use super::*;
use crate::{decode_log, Decoded, IngestError};

impl Ingestor {
    /// Reads metadata of every configured contract, and finds the contracts to follow with
    /// them: the suites the factories deployed before `next_block`, and the registries and
    /// compliance each token's views point to now. The records go out with the next append.
    pub(super) async fn discover_tokens(&mut self) -> Result<(), IngestError> {
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

    pub(super) async fn discover_token(&mut self, address: Address) -> Result<(), IngestError> {
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

    /// Follows the contracts a range's events name: the suites a factory deployed, and the
    /// registries and compliance a T-REX contract was pointed to. Their logs from the block that
    /// names them to `to` join the range (so a suite's first events, emitted in the deploying
    /// transaction, are kept), and so do the contracts those logs name in turn. Logs a followed
    /// contract emitted before that block are not read (a registry linked after it was used).
    pub(super) async fn follow(
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
                let named = linked_contracts(&e.event);
                if named.is_empty() {
                    continue;
                }
                if let TokenEvent::SuiteDeployed { token, .. } = &e.event {
                    // Only a watched factory's suites are followed.
                    if !self.config.factories.contains(&e.meta.contract) {
                        continue;
                    }
                    tokens.push(*token);
                }
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
            records.sort_by_key(LogRecord::position);
        }
        Ok(())
    }
}

/// The contracts an event links its contract to, which ingest follows from then on: a factory's
/// new suite, a token's identity registry and compliance, a registry's storage and topic and
/// issuer registries (`AdminAction::link`). Every event is named, so one that links contracts
/// cannot be added without deciding here whether it is followed.
fn linked_contracts(event: &TokenEvent) -> Vec<Address> {
    match event {
        TokenEvent::SuiteDeployed {
            token,
            identity_registry,
            identity_storage,
            trusted_issuers,
            claim_topics,
            compliance,
        } => {
            vec![*token, *identity_registry, *identity_storage, *trusted_issuers, *claim_topics, *compliance]
        }
        TokenEvent::Admin { action, subject, values } if action.link(values).is_some() => vec![*subject],
        TokenEvent::Admin { .. } => Vec::new(),
        TokenEvent::Transfer { .. }
        | TokenEvent::Approval { .. }
        | TokenEvent::TokensFrozen { .. }
        | TokenEvent::TokensUnfrozen { .. }
        | TokenEvent::AddressFrozen { .. }
        | TokenEvent::Paused { .. }
        | TokenEvent::Unpaused { .. }
        | TokenEvent::RecoverySuccess { .. }
        | TokenEvent::Document { .. }
        | TokenEvent::RootAnchored { .. }
        | TokenEvent::Move(_)
        | TokenEvent::ChangedPartition { .. }
        | TokenEvent::OperatorChanged { .. }
        | TokenEvent::Identity { .. }
        | TokenEvent::TokenInformation { .. }
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
        | TokenEvent::TransfersFrozen { .. } => Vec::new(),
    }
}
