//! The records of investor registers: DS Protocol's registry service and lock managers, and
//! ST-20's whitelists. A DS investor is a string id with wallets, a country and attributes; an
//! ST-20 investor is a wallet on a transfer manager's whitelist.

use alloy::primitives::{Address, B256, U256};

/// What happened to a DS investor ([`crate::TokenEvent::Investor`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum InvestorAction {
    /// `DSRegistryServiceInvestorAdded`.
    #[default]
    Added = 1,
    /// `DSRegistryServiceInvestorRemoved`.
    Removed = 2,
    /// `DSRegistryServiceInvestorChanged` (dstoken 1.x `updateInvestor`): the facts follow in
    /// their own events.
    Changed = 3,
    /// `DSRegistryServiceInvestorCountryChanged`: `country` (ISO 3166-1 alpha-2 as DS keeps it).
    CountryChanged = 4,
    /// `DSRegistryServiceInvestorAttributeChanged`: `attribute` (1 KYC, 2 accredited, 4
    /// qualified, 8 professional) is `value` (0 pending, 1 approved, 2 rejected) until `expiry`.
    AttributeChanged = 5,
    /// `DSRegistryServiceWalletAdded`: `wallet` belongs to the investor.
    WalletAdded = 6,
    /// `DSRegistryServiceWalletRemoved`.
    WalletRemoved = 7,
    /// `DSRegistryServiceOmnibusWalletAdded`: `wallet` is an omnibus wallet of the investor.
    OmnibusWalletAdded = 8,
    /// `DSRegistryServiceOmnibusWalletRemoved`.
    OmnibusWalletRemoved = 9,
    /// Lock manager `InvestorFullyLocked`: nothing of the investor's may move.
    FullyLocked = 10,
    /// Lock manager `InvestorFullyUnlocked`.
    FullyUnlocked = 11,
    /// Lock manager `InvestorPaused`.
    Paused = 12,
    /// Lock manager `InvestorUnpaused`.
    Unpaused = 13,
    /// Lock manager `InvestorLiquidateOnlySet`: `value` 1 enabled, 0 disabled.
    LiquidateOnlySet = 14,
}

impl InvestorAction {
    pub const ALL: [InvestorAction; 14] = [
        InvestorAction::Added,
        InvestorAction::Removed,
        InvestorAction::Changed,
        InvestorAction::CountryChanged,
        InvestorAction::AttributeChanged,
        InvestorAction::WalletAdded,
        InvestorAction::WalletRemoved,
        InvestorAction::OmnibusWalletAdded,
        InvestorAction::OmnibusWalletRemoved,
        InvestorAction::FullyLocked,
        InvestorAction::FullyUnlocked,
        InvestorAction::Paused,
        InvestorAction::Unpaused,
        InvestorAction::LiquidateOnlySet,
    ];

    pub fn event_name(self) -> &'static str {
        match self {
            InvestorAction::Added => "DSRegistryServiceInvestorAdded",
            InvestorAction::Removed => "DSRegistryServiceInvestorRemoved",
            InvestorAction::Changed => "DSRegistryServiceInvestorChanged",
            InvestorAction::CountryChanged => "DSRegistryServiceInvestorCountryChanged",
            InvestorAction::AttributeChanged => "DSRegistryServiceInvestorAttributeChanged",
            InvestorAction::WalletAdded => "DSRegistryServiceWalletAdded",
            InvestorAction::WalletRemoved => "DSRegistryServiceWalletRemoved",
            InvestorAction::OmnibusWalletAdded => "DSRegistryServiceOmnibusWalletAdded",
            InvestorAction::OmnibusWalletRemoved => "DSRegistryServiceOmnibusWalletRemoved",
            InvestorAction::FullyLocked => "InvestorFullyLocked",
            InvestorAction::FullyUnlocked => "InvestorFullyUnlocked",
            InvestorAction::Paused => "InvestorPaused",
            InvestorAction::Unpaused => "InvestorUnpaused",
            InvestorAction::LiquidateOnlySet => "InvestorLiquidateOnlySet",
        }
    }

    pub fn from_u8(v: u8) -> Option<Self> {
        InvestorAction::ALL.into_iter().find(|a| *a as u8 == v)
    }
}

/// A DS investor's change: the fields the action uses are set, the others are empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvestorChange {
    pub action: InvestorAction,
    /// The investor's id in the registry.
    pub id: String,
    pub wallet: Address,
    pub country: String,
    pub attribute: U256,
    pub value: U256,
    pub expiry: U256,
    pub proof_hash: String,
    /// Who made the change, where the event names it.
    pub sender: Address,
}

/// A DS lock created (`locked`) or removed. A wallet's lock names `wallet`, an investor's names
/// `investor`. The investor-based lock manager emits both for one lock made through a wallet
/// (`HolderLocked` then `Locked`): ingest marks the wallet's copy as not `counted`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockChange {
    pub locked: bool,
    pub wallet: Address,
    pub investor: String,
    pub value: U256,
    /// The reason code (0 manual, 1 issuance, ...) and its text.
    pub reason: U256,
    pub reason_text: String,
    /// When the lock stops holding (seconds; 0: until removed).
    pub release_time: U256,
    /// The partition of the partitioned lock managers (dstoken 2.x-3.x).
    pub partition: Option<B256>,
    /// Whether this event is the lock's record (see above).
    pub counted: bool,
}

impl LockChange {
    pub fn event_name(&self) -> &'static str {
        match (self.investor.is_empty(), self.partition.is_some(), self.locked) {
            (true, false, true) => "Locked",
            (true, false, false) => "Unlocked",
            (false, false, true) => "HolderLocked",
            (false, false, false) => "HolderUnlocked",
            (true, true, true) => "LockedPartition",
            (true, true, false) => "UnlockedPartition",
            (false, true, true) => "HolderLockedPartition",
            (false, true, false) => "HolderUnlockedPartition",
        }
    }
}

/// An ST-20 general transfer manager's whitelist entry for `investor`: it may send from
/// `can_send_after`, receive from `can_receive_after` (seconds), until `expiry`, and buy in the
/// offering if `can_buy`. v1.0-v1.3 entries have no expiry nor offering permission (zero, false).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WhitelistEntry {
    pub investor: Address,
    pub added_by: Address,
    pub added_at: U256,
    pub can_send_after: U256,
    pub can_receive_after: U256,
    pub expiry: U256,
    pub can_buy: bool,
}

/// Which rule event a [`crate::TokenEvent::ComplianceRule`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleForm {
    /// `DSComplianceUIntRuleSet`.
    Uint = 1,
    /// `DSComplianceBoolRuleSet` (0 false, 1 true).
    Bool = 2,
    /// `DSComplianceStringToUIntMapRuleSet`: `key` is the map's key.
    Map = 3,
    /// `DSWalletManagerReservedSlotsSet`: `key` is `wallet/country/accreditation status`.
    ReservedSlots = 4,
}

impl RuleForm {
    pub const ALL: [RuleForm; 4] = [RuleForm::Uint, RuleForm::Bool, RuleForm::Map, RuleForm::ReservedSlots];

    pub fn event_name(self) -> &'static str {
        match self {
            RuleForm::Uint => "DSComplianceUIntRuleSet",
            RuleForm::Bool => "DSComplianceBoolRuleSet",
            RuleForm::Map => "DSComplianceStringToUIntMapRuleSet",
            RuleForm::ReservedSlots => "DSWalletManagerReservedSlotsSet",
        }
    }

    pub fn from_u8(v: u8) -> Option<Self> {
        RuleForm::ALL.into_iter().find(|f| *f as u8 == v)
    }
}
