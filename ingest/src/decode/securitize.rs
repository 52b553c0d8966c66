//! Securitize DS Protocol: the token, the registry service, the lock managers, the trust
//! service, the wallet manager, the compliance configuration and every contract's service links,
//! in every form of their published versions (`registrar_schemas::abi::ds`, `ds_v1`).

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolEvent,
};
use registrar_schemas::{
    abi::{ds, ds_v1},
    AdminAction, InvestorAction, InvestorChange, LockChange, Move, MoveKind, RuleForm, TokenEvent,
};

use super::{admin, movement_for, word, Decoder};

/// A lock event: every form has the value, reason code and text and release time; `$owner`
/// gives its wallet, investor and partition.
macro_rules! lock_decoder {
    ($event:path, $locked:expr, |$e:ident| $owner:expr) => {
        decoder!($event, |$e| {
            let (wallet, investor, partition) = $owner;
            lock($locked, wallet, investor, $e.value, $e.reason, $e.reasonString, $e.releaseTime, partition)
        })
    };
}

/// The DS signatures.
pub(super) static DECODERS: &[Decoder] = &[
    // Securitize DS Protocol: the token.
    decoder!(ds::Issue, |e| movement_for(MoveKind::Issue, Address::ZERO, Address::ZERO, e.to, e.value, String::new())),
    decoder!(ds::Burn, |e| movement_for(MoveKind::Burn, Address::ZERO, e.burner, Address::ZERO, e.value, e.reason)),
    decoder!(ds::Seize, |e| movement_for(MoveKind::Seize, Address::ZERO, e.from, e.to, e.value, e.reason)),
    decoder!(ds_v1::Burn, |e| movement_for(
        MoveKind::Burn,
        Address::ZERO,
        e.burner,
        Address::ZERO,
        e.value,
        String::new()
    )),
    decoder!(ds_v1::IssueByPartition, |e| partitioned(
        MoveKind::Issue,
        Address::ZERO,
        e.to,
        e.value,
        String::new(),
        e.partition
    )),
    decoder!(ds_v1::BurnByPartition, |e| partitioned(
        MoveKind::Burn,
        e.burner,
        Address::ZERO,
        e.value,
        e.reason,
        e.partition
    )),
    decoder!(ds_v1::SeizeByPartition, |e| partitioned(MoveKind::Seize, e.from, e.to, e.value, e.reason, e.partition)),
    decoder!(ds_v1::TransferByPartition, |e| partitioned(
        MoveKind::TransferByPartition,
        e.from,
        e.to,
        e.value,
        String::new(),
        e.partition
    )),
    decoder!(ds::WalletAdded, |e| admin(AdminAction::DsWalletAdded, e.wallet, vec![])),
    decoder!(ds::WalletRemoved, |e| admin(AdminAction::DsWalletRemoved, e.wallet, vec![])),
    decoder!(ds::TxShares, |e| admin(AdminAction::DsTxShares, e.to, vec![word(e.from), e.shares, e.multiplier])),
    // The registry service.
    decoder!(ds::DSRegistryServiceInvestorAdded, |e| investor(InvestorAction::Added, e.investorId, e.sender)),
    decoder!(ds::DSRegistryServiceInvestorRemoved, |e| investor(InvestorAction::Removed, e.investorId, e.sender)),
    decoder!(ds_v1::DSRegistryServiceInvestorChanged, |e| investor(InvestorAction::Changed, e._investorId, e._sender)),
    decoder!(ds::DSRegistryServiceInvestorCountryChanged, |e| TokenEvent::Investor(InvestorChange {
        action: InvestorAction::CountryChanged,
        id: e.investorId,
        country: e.country,
        sender: e.sender,
        ..InvestorChange::default()
    })),
    decoder!(ds::DSRegistryServiceInvestorAttributeChanged, |e| TokenEvent::Investor(InvestorChange {
        action: InvestorAction::AttributeChanged,
        id: e.investorId,
        attribute: e.attributeId,
        value: e.value,
        expiry: e.expiry,
        proof_hash: e.proofHash,
        sender: e.sender,
        ..InvestorChange::default()
    })),
    decoder!(ds::DSRegistryServiceWalletAdded, |e| wallet(
        InvestorAction::WalletAdded,
        e.wallet,
        e.investorId,
        e.sender
    )),
    decoder!(ds::DSRegistryServiceWalletRemoved, |e| wallet(
        InvestorAction::WalletRemoved,
        e.wallet,
        e.investorId,
        e.sender
    )),
    decoder!(ds::DSRegistryServiceOmnibusWalletAdded, |e| wallet(
        InvestorAction::OmnibusWalletAdded,
        e.omnibusWallet,
        e.investorId,
        Address::ZERO
    )),
    decoder!(ds::DSRegistryServiceOmnibusWalletRemoved, |e| wallet(
        InvestorAction::OmnibusWalletRemoved,
        e.omnibusWallet,
        e.investorId,
        Address::ZERO
    )),
    // The lock managers: a wallet's locks, an investor's, and both in a partition.
    lock_decoder!(ds::Locked, true, |e| (e.who, String::new(), None)),
    lock_decoder!(ds::Unlocked, false, |e| (e.who, String::new(), None)),
    lock_decoder!(ds::HolderLocked, true, |e| (Address::ZERO, e.holderId, None)),
    lock_decoder!(ds::HolderUnlocked, false, |e| (Address::ZERO, e.holderId, None)),
    lock_decoder!(ds_v1::InvestorLocked, true, |e| (Address::ZERO, e.investorId, None)),
    lock_decoder!(ds_v1::InvestorUnlocked, false, |e| (Address::ZERO, e.investorId, None)),
    lock_decoder!(ds_v1::LockedPartition, true, |e| (e.who, String::new(), Some(e.partition))),
    lock_decoder!(ds_v1::UnlockedPartition, false, |e| (e.who, String::new(), Some(e.partition))),
    lock_decoder!(ds_v1::HolderLockedPartition, true, |e| (Address::ZERO, e.investorId, Some(e.partition))),
    lock_decoder!(ds_v1::HolderUnlockedPartition, false, |e| (Address::ZERO, e.investorId, Some(e.partition))),
    decoder!(ds_v1::InvestorFullyLocked, |e| investor(InvestorAction::FullyLocked, e.investorId, Address::ZERO)),
    decoder!(ds_v1::InvestorFullyUnlocked, |e| investor(InvestorAction::FullyUnlocked, e.investorId, Address::ZERO)),
    decoder!(ds_v1::InvestorPaused, |e| investor(InvestorAction::Paused, e.investorId, Address::ZERO)),
    decoder!(ds_v1::InvestorUnpaused, |e| investor(InvestorAction::Unpaused, e.investorId, Address::ZERO)),
    decoder!(ds_v1::InvestorLiquidateOnlySet, |e| TokenEvent::Investor(InvestorChange {
        action: InvestorAction::LiquidateOnlySet,
        id: e.investorId,
        value: U256::from(e.enabled),
        ..InvestorChange::default()
    })),
    // Trust service, wallet manager, compliance configuration, service consumers.
    decoder!(ds::DSTrustServiceRoleAdded, |e| admin(
        AdminAction::DsRoleAdded,
        e.targetAddress,
        vec![U256::from(e.role), word(e.sender)]
    )),
    decoder!(ds::DSTrustServiceRoleRemoved, |e| admin(
        AdminAction::DsRoleRemoved,
        e.targetAddress,
        vec![U256::from(e.role), word(e.sender)]
    )),
    decoder!(ds_v1::DSTrustServiceRoleAdded, |e| admin(
        AdminAction::DsRoleAdded,
        e._address,
        vec![U256::from(e._role)]
    )),
    decoder!(ds_v1::DSTrustServiceRoleRemoved, |e| admin(
        AdminAction::DsRoleRemoved,
        e._address,
        vec![U256::from(e._role)]
    )),
    decoder!(ds::DSWalletManagerSpecialWalletAdded, |e| admin(
        AdminAction::DsSpecialWalletAdded,
        e.wallet,
        vec![U256::from(e.walletType), word(e.sender)]
    )),
    decoder!(ds::DSWalletManagerSpecialWalletRemoved, |e| admin(
        AdminAction::DsSpecialWalletRemoved,
        e.wallet,
        vec![U256::from(e.walletType), word(e.sender)]
    )),
    decoder!(ds::DSWalletManagerReservedSlotsSet, |e| rule(
        RuleForm::ReservedSlots,
        "reservedSlots".into(),
        format!("{}/{}/{}", e.wallet, e.country, e.accreditationStatus),
        U256::ZERO,
        e.slots
    )),
    decoder!(ds::DSComplianceUIntRuleSet, |e| rule(RuleForm::Uint, e.ruleName, String::new(), e.prevValue, e.newValue)),
    decoder!(ds::DSComplianceBoolRuleSet, |e| rule(
        RuleForm::Bool,
        e.ruleName,
        String::new(),
        U256::from(e.prevValue),
        U256::from(e.newValue)
    )),
    decoder!(ds::DSComplianceStringToUIntMapRuleSet, |e| rule(
        RuleForm::Map,
        e.ruleName,
        e.keyValue,
        e.prevValue,
        e.newValue
    )),
    decoder!(ds::DSServiceSet, |e| admin(AdminAction::DsServiceSet, e.serviceAddress, vec![e.serviceId])),
];

/// A DS partitioned token's movement: the partition it left or entered.
pub(super) fn partitioned(
    kind: MoveKind,
    from: Address,
    to: Address,
    value: U256,
    reason: String,
    partition: B256,
) -> TokenEvent {
    TokenEvent::Move(Move {
        kind,
        partition: Some(partition),
        operator: Address::ZERO,
        from,
        to,
        value,
        reason,
        moves_balance: true,
    })
}

pub(super) fn investor(action: InvestorAction, id: String, sender: Address) -> TokenEvent {
    TokenEvent::Investor(InvestorChange { action, id, sender, ..InvestorChange::default() })
}

pub(super) fn wallet(action: InvestorAction, wallet: Address, id: String, sender: Address) -> TokenEvent {
    TokenEvent::Investor(InvestorChange { action, id, wallet, sender, ..InvestorChange::default() })
}

/// A DS lock of a wallet (`investor` empty) or of an investor (`wallet` zero).
#[allow(clippy::too_many_arguments)]
pub(super) fn lock(
    locked: bool,
    wallet: Address,
    investor: String,
    value: U256,
    reason: U256,
    reason_text: String,
    release_time: U256,
    partition: Option<B256>,
) -> TokenEvent {
    TokenEvent::Lock(LockChange {
        locked,
        wallet,
        investor,
        value,
        reason,
        reason_text,
        release_time,
        partition,
        counted: true,
    })
}

pub(super) fn rule(form: RuleForm, rule: String, key: String, previous: U256, value: U256) -> TokenEvent {
    TokenEvent::ComplianceRule { form, rule, key, previous, value }
}
