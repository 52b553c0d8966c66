//! The audit trail of agent and custody actions.

use alloy::primitives::{Address, B256, U256};
use registrar_schemas::{AdminAction, ChainEvent, Move, MoveKind, TokenEvent};

use super::*;
use crate::{tables::*, StoreError};

impl Tx<'_> {
    /// Adds agent and custody actions to the audit trail.
    pub(super) fn audit(&mut self, e: &ChainEvent) -> Result<(), StoreError> {
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
            TokenEvent::Move(Move {
                kind: MoveKind::ControllerTransfer | MoveKind::ForceTransfer,
                operator,
                from,
                to,
                value,
                ..
            }) => (AuditAction::ControllerTransfer, from, to, value, operator, zero),
            TokenEvent::Move(Move { kind: MoveKind::ForcedTransfer, operator, from, to, value, .. }) => {
                (AuditAction::ForcedTransfer, from, to, value, operator, zero)
            }
            TokenEvent::Move(Move { kind: MoveKind::Seize, operator, from, to, value, .. }) => {
                (AuditAction::Seizure, from, to, value, operator, zero)
            }
            TokenEvent::Move(Move {
                kind: MoveKind::ControllerRedemption | MoveKind::ForceBurn,
                operator,
                from,
                value,
                ..
            }) => (AuditAction::ControllerRedemption, from, zero, value, operator, zero),
            TokenEvent::TransfersFrozen { frozen } => {
                (if frozen { AuditAction::Pause } else { AuditAction::Unpause }, zero, zero, U256::ZERO, zero, zero)
            }
            // A wallet's lock (the investor's own lock is kept with the investor's wallets).
            TokenEvent::Lock(ref l) if l.counted => {
                partition = l.partition.unwrap_or_default();
                let action = if l.locked { AuditAction::Lock } else { AuditAction::Unlock };
                (action, l.wallet, zero, l.value, zero, zero)
            }
            TokenEvent::Admin { action: AdminAction::DsRoleAdded, subject, ref values } => {
                (AuditAction::RoleGranted, subject, zero, values.first().copied().unwrap_or_default(), zero, zero)
            }
            TokenEvent::Admin { action: AdminAction::DsRoleRemoved, subject, ref values } => {
                (AuditAction::RoleRevoked, subject, zero, values.first().copied().unwrap_or_default(), zero, zero)
            }
            TokenEvent::Admin { action: AdminAction::ControllerSet, subject, ref values } => {
                let previous = values.first().map_or(zero, |v| Address::from_word(B256::from(*v)));
                (AuditAction::ControllerSet, subject, previous, U256::ZERO, zero, zero)
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
            | TokenEvent::Approval { .. }
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
            | TokenEvent::BondStatus { .. }
            | TokenEvent::Investor(_)
            | TokenEvent::Lock(_)
            | TokenEvent::Whitelist(_)
            | TokenEvent::ComplianceRule { .. }
            | TokenEvent::CheckpointCreated { .. } => return Ok(()),
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
}
