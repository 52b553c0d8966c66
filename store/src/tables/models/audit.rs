//! The audit trail of agent and custody actions.

use alloy::primitives::{Address, B256, U256};

use crate::codec::{Codec, CodecError, Reader};

/// What an agent or custody action did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    FreezeWallet = 1,
    UnfreezeWallet = 2,
    FreezeTokens = 3,
    UnfreezeTokens = 4,
    Pause = 5,
    Unpause = 6,
    Recovery = 7,
    /// ERC-1644 `ControllerTransfer`: a forced transfer.
    ControllerTransfer = 8,
    /// ERC-1644 `ControllerRedemption`: a forced redemption.
    ControllerRedemption = 9,
    /// ERC-1410 `AuthorizedOperator(ByPartition)`: the holder let an operator move their tokens.
    AuthorizeOperator = 10,
    /// ERC-1410 `RevokedOperator(ByPartition)`.
    RevokeOperator = 11,
    /// T-REX `AgentAdded`: `account` is the new agent.
    AgentAdded = 12,
    /// T-REX `AgentRemoved`.
    AgentRemoved = 13,
    /// `OwnershipTransferred`: `account` is the new owner, `counterparty` the previous one.
    OwnershipTransferred = 14,
    /// T-REX `forcedTransfer` by an agent: `account` → `counterparty`.
    ForcedTransfer = 15,
    /// DS `Seize`: the issuer or transfer agent took `account`'s tokens to `counterparty`.
    Seizure = 16,
    /// A DS lock of `amount` on wallet `account` made (or, `Unlock`, removed); an investor's
    /// lock without a wallet names none.
    Lock = 17,
    Unlock = 18,
    /// DS trust service: `account` got (or lost) role `amount`.
    RoleGranted = 19,
    RoleRevoked = 20,
    /// ST-20 `SetController`: `account` is the new controller, `counterparty` the previous.
    ControllerSet = 21,
}

impl AuditAction {
    pub fn name(self) -> &'static str {
        match self {
            AuditAction::FreezeWallet => "freeze-wallet",
            AuditAction::UnfreezeWallet => "unfreeze-wallet",
            AuditAction::FreezeTokens => "freeze-tokens",
            AuditAction::UnfreezeTokens => "unfreeze-tokens",
            AuditAction::Pause => "pause",
            AuditAction::Unpause => "unpause",
            AuditAction::Recovery => "recovery",
            AuditAction::ControllerTransfer => "controller-transfer",
            AuditAction::ControllerRedemption => "controller-redemption",
            AuditAction::AuthorizeOperator => "authorize-operator",
            AuditAction::RevokeOperator => "revoke-operator",
            AuditAction::AgentAdded => "agent-added",
            AuditAction::AgentRemoved => "agent-removed",
            AuditAction::OwnershipTransferred => "ownership-transferred",
            AuditAction::ForcedTransfer => "forced-transfer",
            AuditAction::Seizure => "seizure",
            AuditAction::Lock => "lock",
            AuditAction::Unlock => "unlock",
            AuditAction::RoleGranted => "role-granted",
            AuditAction::RoleRevoked => "role-revoked",
            AuditAction::ControllerSet => "controller-set",
        }
    }

    pub(crate) fn from_u8(v: u8) -> Option<Self> {
        use AuditAction::*;
        [
            FreezeWallet,
            UnfreezeWallet,
            FreezeTokens,
            UnfreezeTokens,
            Pause,
            Unpause,
            Recovery,
            ControllerTransfer,
            ControllerRedemption,
            AuthorizeOperator,
            RevokeOperator,
            AgentAdded,
            AgentRemoved,
            OwnershipTransferred,
            ForcedTransfer,
            Seizure,
            Lock,
            Unlock,
            RoleGranted,
            RoleRevoked,
            ControllerSet,
        ]
        .into_iter()
        .find(|a| *a as u8 == v)
    }
}

/// One entry of the audit trail. `account` is the wallet acted on (for a recovery the lost one,
/// `counterparty` the new one and `identity` the investor's ONCHAINID; for a controller transfer
/// the recipient); `agent` is the agent, controller or operator the event names (zero when it
/// names none); `partition` the ERC-1410 partition an operator was authorised for (zero: all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub action: AuditAction,
    pub account: Address,
    pub counterparty: Address,
    pub amount: U256,
    pub agent: Address,
    pub identity: Address,
    pub partition: B256,
    pub tx_hash: B256,
    pub timestamp: u64,
}

impl Codec for AuditEntry {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.action as u8);
        for a in [self.account, self.counterparty] {
            out.extend_from_slice(a.as_slice());
        }
        out.extend_from_slice(&self.amount.to_be_bytes::<32>());
        for a in [self.agent, self.identity] {
            out.extend_from_slice(a.as_slice());
        }
        out.extend_from_slice(self.partition.as_slice());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("audit entry", bytes);
        let action = AuditAction::from_u8(r.u8()?).ok_or(CodecError { what: "audit action", expected: 1, found: 0 })?;
        let v = AuditEntry {
            action,
            account: r.address()?,
            counterparty: r.address()?,
            amount: r.u256()?,
            agent: r.address()?,
            identity: r.address()?,
            partition: r.b256()?,
            tx_hash: r.b256()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}
