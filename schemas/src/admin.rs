//! The administrative events of token suites ([`crate::TokenEvent::Admin`]): roles, owners,
//! modules and the links between a suite's contracts (T-REX registries and compliance, DS
//! services, ST-20 transfer managers), which the projector records and ingest follows.

use alloy::primitives::U256;

/// Which administrative event an [`TokenEvent::Admin`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdminAction {
    AgentAdded = 1,
    AgentRemoved = 2,
    /// OpenZeppelin `OwnershipTransferred`: `subject` is the new owner, `values[0]` the previous.
    OwnershipTransferred = 3,
    /// OpenZeppelin `Initialized`: `values[0]` is the version.
    Initialized = 4,
    /// Token: its identity registry is `subject`.
    IdentityRegistryAdded = 5,
    /// Token: its compliance contract is `subject`.
    ComplianceAdded = 6,
    /// Identity registry: its storage is `subject`.
    IdentityStorageSet = 7,
    ClaimTopicsRegistrySet = 8,
    TrustedIssuersRegistrySet = 9,
    /// Identity registry storage: `subject` may now write to it.
    IdentityRegistryBound = 10,
    IdentityRegistryUnbound = 11,
    /// Modular compliance.
    ModuleAdded = 12,
    ModuleRemoved = 13,
    TokenBound = 14,
    TokenUnbound = 15,
    /// `values[0]` is the function selector called on module `subject`.
    ModuleInteraction = 16,
    /// Claim topics registry: `values[0]` is the topic.
    ClaimTopicAdded = 17,
    ClaimTopicRemoved = 18,
    /// Trusted issuers registry: issuer `subject` for the claim topics in `values`.
    TrustedIssuerAdded = 19,
    TrustedIssuerRemoved = 20,
    ClaimTopicsUpdated = 21,
    /// Factory: it deployed contract `subject`.
    ContractDeployed = 22,
    /// Factory: its implementation authority is `subject`.
    ImplementationAuthoritySet = 23,
    /// Factory: its identity factory is `subject`.
    IdFactorySet = 24,
    /// DS trust service: `subject` has role `values[0]` (1 master, 2 issuer, 4 exchange, 8
    /// transfer agent); `values[1]` is the sender where the event names it.
    DsRoleAdded = 25,
    DsRoleRemoved = 26,
    /// DS service consumer: the contract uses `subject` as service `values[0]`.
    DsServiceSet = 27,
    /// DS wallet manager: `subject` is a special wallet of type `values[0]` (platform, issuer).
    DsSpecialWalletAdded = 28,
    DsSpecialWalletRemoved = 29,
    /// DS token: `subject` joined or left the token's list of wallets with a balance.
    DsWalletAdded = 30,
    DsWalletRemoved = 31,
    /// DS token `TxShares`: `subject` (the recipient) got `values[1]` shares at multiplier
    /// `values[2]` from `values[0]` (an address as a number).
    DsTxShares = 32,
    /// ST-20 module `subject` added: `values[0]` is its name (bytes32), the rest its types.
    St20ModuleAdded = 33,
    /// ST-20 module `subject` removed, archived or unarchived: `values` are its types.
    St20ModuleRemoved = 34,
    St20ModuleArchived = 35,
    St20ModuleUnarchived = 36,
    /// ST-20 `SetController`: `subject` is the new controller, `values[0]` the previous.
    ControllerSet = 37,
    /// ST-20 `DisableController`: no controller ever again.
    ControllerDisabled = 38,
}

/// The DS services a [`AdminAction::DsServiceSet`] links, by the ids of `IDSServiceConsumer`.
pub const DS_TRUST_SERVICE: u64 = 1;
pub const DS_TOKEN: u64 = 2;
pub const DS_REGISTRY_SERVICE: u64 = 4;
pub const DS_COMPLIANCE_SERVICE: u64 = 8;
pub const DS_WALLET_MANAGER: u64 = 32;
pub const DS_LOCK_MANAGER: u64 = 64;
pub const DS_COMPLIANCE_CONFIGURATION: u64 = 256;
/// The ST-20 module type of transfer managers, whose whitelists ingest follows.
pub const ST20_TRANSFER_MANAGER: u8 = 2;

/// A link between the contracts of a T-REX suite that an [`AdminAction`] sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SuiteLink {
    /// A token's identity registry.
    IdentityRegistry,
    /// A token's compliance contract.
    Compliance,
    /// An identity registry's storage.
    IdentityStorage,
    /// An identity registry's claim topics registry.
    ClaimTopics,
    /// An identity registry's trusted issuers registry.
    TrustedIssuers,
    /// A DS contract's services ([`AdminAction::DsServiceSet`]).
    DsTrustService,
    DsToken,
    DsRegistry,
    DsCompliance,
    DsWalletManager,
    DsLockManager,
    DsComplianceConfiguration,
    /// An ST-20 token's transfer manager (a module of type 2).
    TransferManager,
}

impl AdminAction {
    pub const ALL: [AdminAction; 38] = [
        AdminAction::AgentAdded,
        AdminAction::AgentRemoved,
        AdminAction::OwnershipTransferred,
        AdminAction::Initialized,
        AdminAction::IdentityRegistryAdded,
        AdminAction::ComplianceAdded,
        AdminAction::IdentityStorageSet,
        AdminAction::ClaimTopicsRegistrySet,
        AdminAction::TrustedIssuersRegistrySet,
        AdminAction::IdentityRegistryBound,
        AdminAction::IdentityRegistryUnbound,
        AdminAction::ModuleAdded,
        AdminAction::ModuleRemoved,
        AdminAction::TokenBound,
        AdminAction::TokenUnbound,
        AdminAction::ModuleInteraction,
        AdminAction::ClaimTopicAdded,
        AdminAction::ClaimTopicRemoved,
        AdminAction::TrustedIssuerAdded,
        AdminAction::TrustedIssuerRemoved,
        AdminAction::ClaimTopicsUpdated,
        AdminAction::ContractDeployed,
        AdminAction::ImplementationAuthoritySet,
        AdminAction::IdFactorySet,
        AdminAction::DsRoleAdded,
        AdminAction::DsRoleRemoved,
        AdminAction::DsServiceSet,
        AdminAction::DsSpecialWalletAdded,
        AdminAction::DsSpecialWalletRemoved,
        AdminAction::DsWalletAdded,
        AdminAction::DsWalletRemoved,
        AdminAction::DsTxShares,
        AdminAction::St20ModuleAdded,
        AdminAction::St20ModuleRemoved,
        AdminAction::St20ModuleArchived,
        AdminAction::St20ModuleUnarchived,
        AdminAction::ControllerSet,
        AdminAction::ControllerDisabled,
    ];

    /// What the action links its contract to, if it is a link between the contracts of a T-REX
    /// suite (a token's registry and compliance, a registry's storage and topic and issuer
    /// registries), a DS contract's service, or an ST-20 token's transfer manager. The projector
    /// records the link; ingest follows the linked contract.
    pub fn link(self, values: &[U256]) -> Option<SuiteLink> {
        use AdminAction as A;
        match self {
            A::DsServiceSet => match values.first().and_then(|v| u64::try_from(*v).ok())? {
                DS_TRUST_SERVICE => Some(SuiteLink::DsTrustService),
                DS_TOKEN => Some(SuiteLink::DsToken),
                DS_REGISTRY_SERVICE => Some(SuiteLink::DsRegistry),
                DS_COMPLIANCE_SERVICE => Some(SuiteLink::DsCompliance),
                DS_WALLET_MANAGER => Some(SuiteLink::DsWalletManager),
                DS_LOCK_MANAGER => Some(SuiteLink::DsLockManager),
                DS_COMPLIANCE_CONFIGURATION => Some(SuiteLink::DsComplianceConfiguration),
                _ => None,
            },
            A::St20ModuleAdded | A::St20ModuleUnarchived
                if values
                    .iter()
                    .skip(usize::from(self == A::St20ModuleAdded))
                    .any(|t| *t == U256::from(ST20_TRANSFER_MANAGER)) =>
            {
                Some(SuiteLink::TransferManager)
            }
            A::DsRoleAdded
            | A::DsRoleRemoved
            | A::DsSpecialWalletAdded
            | A::DsSpecialWalletRemoved
            | A::DsWalletAdded
            | A::DsWalletRemoved
            | A::DsTxShares
            | A::St20ModuleAdded
            | A::St20ModuleRemoved
            | A::St20ModuleArchived
            | A::St20ModuleUnarchived
            | A::ControllerSet
            | A::ControllerDisabled => None,
            A::IdentityRegistryAdded => Some(SuiteLink::IdentityRegistry),
            A::ComplianceAdded => Some(SuiteLink::Compliance),
            A::IdentityStorageSet => Some(SuiteLink::IdentityStorage),
            A::ClaimTopicsRegistrySet => Some(SuiteLink::ClaimTopics),
            A::TrustedIssuersRegistrySet => Some(SuiteLink::TrustedIssuers),
            A::AgentAdded
            | A::AgentRemoved
            | A::OwnershipTransferred
            | A::Initialized
            | A::IdentityRegistryBound
            | A::IdentityRegistryUnbound
            | A::ModuleAdded
            | A::ModuleRemoved
            | A::TokenBound
            | A::TokenUnbound
            | A::ModuleInteraction
            | A::ClaimTopicAdded
            | A::ClaimTopicRemoved
            | A::TrustedIssuerAdded
            | A::TrustedIssuerRemoved
            | A::ClaimTopicsUpdated
            | A::ContractDeployed
            | A::ImplementationAuthoritySet
            | A::IdFactorySet => None,
        }
    }

    /// The event's name as the contract declares it.
    pub fn event_name(self) -> &'static str {
        match self {
            AdminAction::AgentAdded => "AgentAdded",
            AdminAction::AgentRemoved => "AgentRemoved",
            AdminAction::OwnershipTransferred => "OwnershipTransferred",
            AdminAction::Initialized => "Initialized",
            AdminAction::IdentityRegistryAdded => "IdentityRegistryAdded",
            AdminAction::ComplianceAdded => "ComplianceAdded",
            AdminAction::IdentityStorageSet => "IdentityStorageSet",
            AdminAction::ClaimTopicsRegistrySet => "ClaimTopicsRegistrySet",
            AdminAction::TrustedIssuersRegistrySet => "TrustedIssuersRegistrySet",
            AdminAction::IdentityRegistryBound => "IdentityRegistryBound",
            AdminAction::IdentityRegistryUnbound => "IdentityRegistryUnbound",
            AdminAction::ModuleAdded => "ModuleAdded",
            AdminAction::ModuleRemoved => "ModuleRemoved",
            AdminAction::TokenBound => "TokenBound",
            AdminAction::TokenUnbound => "TokenUnbound",
            AdminAction::ModuleInteraction => "ModuleInteraction",
            AdminAction::ClaimTopicAdded => "ClaimTopicAdded",
            AdminAction::ClaimTopicRemoved => "ClaimTopicRemoved",
            AdminAction::TrustedIssuerAdded => "TrustedIssuerAdded",
            AdminAction::TrustedIssuerRemoved => "TrustedIssuerRemoved",
            AdminAction::ClaimTopicsUpdated => "ClaimTopicsUpdated",
            AdminAction::ContractDeployed => "Deployed",
            AdminAction::ImplementationAuthoritySet => "ImplementationAuthoritySet",
            AdminAction::IdFactorySet => "IdFactorySet",
            AdminAction::DsRoleAdded => "DSTrustServiceRoleAdded",
            AdminAction::DsRoleRemoved => "DSTrustServiceRoleRemoved",
            AdminAction::DsServiceSet => "DSServiceSet",
            AdminAction::DsSpecialWalletAdded => "DSWalletManagerSpecialWalletAdded",
            AdminAction::DsSpecialWalletRemoved => "DSWalletManagerSpecialWalletRemoved",
            AdminAction::DsWalletAdded => "WalletAdded",
            AdminAction::DsWalletRemoved => "WalletRemoved",
            AdminAction::DsTxShares => "TxShares",
            AdminAction::St20ModuleAdded => "ModuleAdded",
            AdminAction::St20ModuleRemoved => "ModuleRemoved",
            AdminAction::St20ModuleArchived => "ModuleArchived",
            AdminAction::St20ModuleUnarchived => "ModuleUnarchived",
            AdminAction::ControllerSet => "SetController",
            AdminAction::ControllerDisabled => "DisableController",
        }
    }

    pub fn from_u8(v: u8) -> Option<Self> {
        AdminAction::ALL.into_iter().find(|a| *a as u8 == v)
    }
}
