//! Token events: each one dispatched to the protocol family it changes.

use alloy::primitives::{Address, U256};
use registrar_log::Metrics;
use registrar_schemas::{ChainEvent, IdentityAction, PoolAssetAction, TokenEvent};

use super::*;
use crate::{tables::*, StoreError};

impl Tx<'_> {
    pub(super) fn event(&mut self, e: &ChainEvent, metrics: &Metrics) -> Result<(), StoreError> {
        let token = e.meta.contract;
        let block = e.meta.block.number.0;
        self.track_undo(block)?;
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
            TokenEvent::Admin { action, subject, ref values } => self.admin(token, action, subject, values, block)?,
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
            TokenEvent::Snapshot { id } => self.corporate_action(e, id, CorporateActionDetail::Snapshot)?,
            TokenEvent::StockSplit { id, numerator, denominator } => {
                self.corporate_action(e, id, CorporateActionDetail::StockSplit { numerator, denominator })?
            }
            TokenEvent::Buyback { id, seller, amount, price } => {
                self.corporate_action(e, id, CorporateActionDetail::Buyback { seller, amount, price })?
            }
            TokenEvent::BondStatus { class_id, nonce_id, defaulted, ref reason } => {
                let detail = if defaulted {
                    CorporateActionDetail::Defaulted { class_id, nonce_id, reason: reason.clone() }
                } else {
                    CorporateActionDetail::Matured { class_id, nonce_id }
                };
                self.corporate_action(e, U256::ZERO, detail)?
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
                // The register counts a bond contract's units across its classes and nonces (a
                // holder's balance, the supply, the journal's one row per event); `holder { bonds }`
                // and the register's tranche columns split them.
                let units = positions.iter().fold(U256::ZERO, |s, p| s.saturating_add(p.amount));
                if !(from.is_zero() && to.is_zero()) {
                    self.move_balance(e, from, to, units, metrics)?;
                }
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
            TokenEvent::Investor(ref change) => self.investor(token, change, block)?,
            TokenEvent::Lock(ref lock) => self.lock(token, lock, block)?,
            TokenEvent::Whitelist(ref entry) => self.whitelist(token, entry, block)?,
            TokenEvent::ComplianceRule { form, ref rule, ref key, value, .. } => {
                self.compliance_rule(token, form, rule, key, value, block)?
            }
            // ST-20 checkpoints are record dates, as snapshots are.
            TokenEvent::CheckpointCreated { id, .. } => {
                self.corporate_action(e, id, CorporateActionDetail::Snapshot)?
            }
            TokenEvent::TransfersFrozen { frozen } => self.update_token(token, block, |t| t.paused = frozen)?,
            TokenEvent::Paused { agent: _ } => self.update_token(token, block, |t| t.paused = true)?,
            TokenEvent::Unpaused { agent: _ } => self.update_token(token, block, |t| t.paused = false)?,
            // The balance and the freezes moved by the events emitted before it.
            TokenEvent::RecoverySuccess { .. } => {}
            // An allowance moves nothing; the log keeps it.
            TokenEvent::Approval { .. } => {}
            // The disclosure archive keeps these once they are final; the cap table has no part in them.
            TokenEvent::Document { .. } | TokenEvent::RootAnchored { .. } => {}
        }
        Ok(())
    }
}
