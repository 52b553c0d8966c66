//! Logs to domain events. One entry per event signature in [`DECODERS`]. Events whose meaning
//! depends on the other logs of their transaction (ERC-1400 movements that an ERC-20 `Transfer`
//! also states, `ChangedPartition`) are settled by `settle::settle`.
//!
//! DS Protocol's signatures are in `securitize.rs`, ST-20's in `polymath.rs`.
//!
//! Adding an event touches these files, and the compiler names all but the first three: the
//! `sol!` binding (`schemas/src/abi/`), the entry here, the `TokenEvent` variant
//! (`schemas/src/record.rs`); its Protobuf message (`schemas/proto/registrar/v1/log.proto` and
//! `schemas/src/wire/event.rs`, with its generator in `schemas/tests/wire.rs`); the projector's arm
//! (`store/src/projector/event.rs`) and audit rule (`audit.rs`) and its generator in
//! `store/tests/projector.rs`; and the archive's (`archive/src/chain.rs`) and the T-REX
//! follower's (`ingest/src/ingestor/follow.rs`) matches. Each of those matches is exhaustive, so
//! a variant that one of them forgets is a compile error, not a silent skip.

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolEvent,
};
use registrar_schemas::{
    abi::{self, capital, erc1400, erc1400_variants, trex, trex_proxy, vaults},
    AdminAction, BondAmount, BondMoveKind, DistributionKind, DocumentAction, IdentityAction, Move, MoveKind,
    PoolAssetAction, TokenEvent,
};

/// What a log turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    Event(TokenEvent),
    /// No decoder accepted it; the reason says why.
    Undecodable(String),
}

type DecodeFn = fn(&[B256], &[u8]) -> Result<TokenEvent, String>;

/// A decoder of one event signature.
struct Decoder {
    topic0: B256,
    signature: &'static str,
    decode: DecodeFn,
}

/// Decodes `$event` with the alloy binding and maps its fields with `$map`.
macro_rules! decoder {
    ($event:path, |$e:ident| $map:expr) => {
        Decoder {
            topic0: <$event>::SIGNATURE_HASH,
            signature: <$event>::SIGNATURE,
            decode: |topics, data| {
                let $e = <$event>::decode_raw_log(topics.iter().copied(), data).map_err(|e| e.to_string())?;
                Ok($map)
            },
        }
    };
}

// After the macro: the submodules' tables use it.
mod polymath;
mod securitize;

pub(crate) fn movement(
    kind: MoveKind,
    partition: Option<B256>,
    operator: Address,
    from: Address,
    to: Address,
    value: U256,
) -> TokenEvent {
    // Whether it moves balances is settled with the other events of its transaction (`settle`).
    TokenEvent::Move(Move { kind, partition, operator, from, to, value, reason: String::new(), moves_balance: true })
}

/// A DS or ST-20 movement with the reason its event states.
pub(super) fn movement_for(
    kind: MoveKind,
    operator: Address,
    from: Address,
    to: Address,
    value: U256,
    reason: String,
) -> TokenEvent {
    TokenEvent::Move(Move { kind, partition: None, operator, from, to, value, reason, moves_balance: true })
}

/// An address as a number, for `Admin` values.
pub(super) fn word(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

fn document(action: DocumentAction, name: B256, uri: String, document_hash: B256) -> TokenEvent {
    TokenEvent::Document { action, name, uri, document_hash }
}

/// The signatures of ERC-20, ERC-3643, the ERC-1400 family, equity, debt and vaults; DS and ST-20
/// are in [`securitize`] and [`polymath`].
static DECODERS: &[Decoder] = &[
    decoder!(abi::Transfer, |e| TokenEvent::Transfer { from: e.from, to: e.to, value: e.value }),
    decoder!(abi::Approval, |e| TokenEvent::Approval { owner: e.owner, spender: e.spender, value: e.value }),
    decoder!(abi::TokensFrozen, |e| TokenEvent::TokensFrozen { holder: e._userAddress, amount: e._amount }),
    decoder!(abi::TokensUnfrozen, |e| TokenEvent::TokensUnfrozen { holder: e._userAddress, amount: e._amount }),
    decoder!(abi::AddressFrozen, |e| TokenEvent::AddressFrozen {
        holder: e._userAddress,
        frozen: e._isFrozen,
        agent: e._owner
    }),
    decoder!(abi::Paused, |e| TokenEvent::Paused { agent: e._userAddress }),
    decoder!(abi::Unpaused, |e| TokenEvent::Unpaused { agent: e._userAddress }),
    decoder!(abi::RecoverySuccess, |e| TokenEvent::RecoverySuccess {
        lost_wallet: e._lostWallet,
        new_wallet: e._newWallet,
        investor_onchain_id: e._investorOnchainID,
    }),
    decoder!(abi::DocumentUpdated, |e| document(DocumentAction::Updated, e._name, e._uri, e._documentHash)),
    decoder!(abi::DocumentRemoved, |e| document(DocumentAction::Removed, e._name, e._uri, e._documentHash)),
    decoder!(abi::Document, |e| document(DocumentAction::Set, e._name, e._uri, e._documentHash)),
    Decoder {
        topic0: abi::RootAnchored::SIGNATURE_HASH,
        signature: abi::RootAnchored::SIGNATURE,
        decode: |topics, data| {
            let e = abi::RootAnchored::decode_raw_log(topics.iter().copied(), data).map_err(|e| e.to_string())?;
            let sequence = u64::try_from(e.sequence).map_err(|_| format!("sequence {} overflows", e.sequence))?;
            Ok(TokenEvent::RootAnchored { sequence, tree_size: e.treeSize, root: e.root })
        },
    },
    // ERC-1410.
    decoder!(erc1400::TransferByPartition, |e| movement(
        MoveKind::TransferByPartition,
        Some(e._fromPartition),
        e._operator,
        e._from,
        e._to,
        e._value
    )),
    decoder!(erc1400::ChangedPartition, |e| TokenEvent::ChangedPartition {
        // The event names no holder: `settle` builds the record with the recipient of the
        // `TransferByPartition` before it, or keeps the log undecoded.
        holder: Address::ZERO,
        from_partition: e._fromPartition,
        to_partition: e._toPartition,
        value: e._value,
    }),
    decoder!(erc1400::AuthorizedOperator, |e| TokenEvent::OperatorChanged {
        operator: e.operator,
        holder: e.tokenHolder,
        partition: None,
        authorized: true
    }),
    decoder!(erc1400::RevokedOperator, |e| TokenEvent::OperatorChanged {
        operator: e.operator,
        holder: e.tokenHolder,
        partition: None,
        authorized: false
    }),
    decoder!(erc1400::AuthorizedOperatorByPartition, |e| TokenEvent::OperatorChanged {
        operator: e.operator,
        holder: e.tokenHolder,
        partition: Some(e.partition),
        authorized: true
    }),
    decoder!(erc1400::RevokedOperatorByPartition, |e| TokenEvent::OperatorChanged {
        operator: e.operator,
        holder: e.tokenHolder,
        partition: Some(e.partition),
        authorized: false
    }),
    decoder!(erc1400::IssuedByPartition, |e| movement(
        MoveKind::IssuedByPartition,
        Some(e.partition),
        e.operator,
        Address::ZERO,
        e.to,
        e.value
    )),
    decoder!(erc1400_variants::IssuedByPartition, |e| movement(
        MoveKind::IssuedByPartition,
        Some(e.partition),
        Address::ZERO,
        Address::ZERO,
        e.to,
        e.value
    )),
    decoder!(erc1400::RedeemedByPartition, |e| movement(
        MoveKind::RedeemedByPartition,
        Some(e.partition),
        e.operator,
        e.from,
        Address::ZERO,
        e.value
    )),
    decoder!(erc1400_variants::RedeemedByPartition, |e| movement(
        MoveKind::RedeemedByPartition,
        Some(e.partition),
        e.operator,
        e.from,
        Address::ZERO,
        e.value
    )),
    // ERC-1594.
    decoder!(erc1400::Issued, |e| movement(MoveKind::Issued, None, e._operator, Address::ZERO, e._to, e._value)),
    decoder!(erc1400::Redeemed, |e| movement(MoveKind::Redeemed, None, e._operator, e._from, Address::ZERO, e._value)),
    // ERC-1644.
    decoder!(erc1400::ControllerTransfer, |e| movement(
        MoveKind::ControllerTransfer,
        None,
        e._controller,
        e._from,
        e._to,
        e._value
    )),
    decoder!(erc1400_variants::ControllerTransfer, |e| movement(
        MoveKind::ControllerTransfer,
        None,
        e.controller,
        e.from,
        e.to,
        e.value
    )),
    decoder!(erc1400::ControllerRedemption, |e| movement(
        MoveKind::ControllerRedemption,
        None,
        e._controller,
        e._tokenHolder,
        Address::ZERO,
        e._value
    )),
    decoder!(erc1400_variants::ControllerRedemption, |e| movement(
        MoveKind::ControllerRedemption,
        None,
        e.controller,
        e.account,
        Address::ZERO,
        e.value
    )),
    // T-REX suites.
    decoder!(trex::UpdatedTokenInformation, |e| TokenEvent::TokenInformation {
        // Indexed strings: the log has their hashes; ingest reads the values back.
        name: String::new(),
        symbol: String::new(),
        decimals: e._newDecimals,
        version: e._newVersion,
        onchain_id: e._newOnchainID,
    }),
    decoder!(trex::IdentityRegistryAdded, |e| admin(AdminAction::IdentityRegistryAdded, e._identityRegistry, vec![])),
    decoder!(trex::ComplianceAdded, |e| admin(AdminAction::ComplianceAdded, e._compliance, vec![])),
    decoder!(trex::AgentAdded, |e| admin(AdminAction::AgentAdded, e._agent, vec![])),
    decoder!(trex::AgentRemoved, |e| admin(AdminAction::AgentRemoved, e._agent, vec![])),
    decoder!(trex::OwnershipTransferred, |e| admin(
        AdminAction::OwnershipTransferred,
        e.newOwner,
        vec![U256::from_be_slice(e.previousOwner.as_slice())]
    )),
    decoder!(trex::Initialized, |e| admin(AdminAction::Initialized, Address::ZERO, vec![U256::from(e.version)])),
    decoder!(trex::ClaimTopicsRegistrySet, |e| admin(
        AdminAction::ClaimTopicsRegistrySet,
        e.claimTopicsRegistry,
        vec![]
    )),
    decoder!(trex::IdentityStorageSet, |e| admin(AdminAction::IdentityStorageSet, e.identityStorage, vec![])),
    decoder!(trex::TrustedIssuersRegistrySet, |e| admin(
        AdminAction::TrustedIssuersRegistrySet,
        e.trustedIssuersRegistry,
        vec![]
    )),
    decoder!(trex::IdentityRegistered, |e| identity(IdentityAction::Registered, e.investorAddress, e.identity, 0)),
    decoder!(trex::IdentityRemoved, |e| identity(IdentityAction::Removed, e.investorAddress, e.identity, 0)),
    decoder!(trex::IdentityUpdated, |e| TokenEvent::Identity {
        action: IdentityAction::Updated,
        investor: Address::ZERO,
        identity: e.newIdentity,
        previous: e.oldIdentity,
        country: 0
    }),
    decoder!(trex::CountryUpdated, |e| identity(
        IdentityAction::CountryUpdated,
        e.investorAddress,
        Address::ZERO,
        e.country
    )),
    decoder!(trex::IdentityStored, |e| identity(IdentityAction::Stored, e.investorAddress, e.identity, 0)),
    decoder!(trex::IdentityUnstored, |e| identity(IdentityAction::Unstored, e.investorAddress, e.identity, 0)),
    decoder!(trex::IdentityModified, |e| TokenEvent::Identity {
        action: IdentityAction::Modified,
        investor: Address::ZERO,
        identity: e.newIdentity,
        previous: e.oldIdentity,
        country: 0
    }),
    decoder!(trex::CountryModified, |e| identity(
        IdentityAction::CountryModified,
        e.investorAddress,
        Address::ZERO,
        e.country
    )),
    decoder!(trex::IdentityRegistryBound, |e| admin(AdminAction::IdentityRegistryBound, e.identityRegistry, vec![])),
    decoder!(trex::IdentityRegistryUnbound, |e| admin(
        AdminAction::IdentityRegistryUnbound,
        e.identityRegistry,
        vec![]
    )),
    decoder!(trex::ModuleInteraction, |e| admin(
        AdminAction::ModuleInteraction,
        e.target,
        vec![U256::from_be_slice(e.selector.as_slice())]
    )),
    decoder!(trex::TokenBound, |e| admin(AdminAction::TokenBound, e._token, vec![])),
    decoder!(trex::TokenUnbound, |e| admin(AdminAction::TokenUnbound, e._token, vec![])),
    decoder!(trex::ModuleAdded, |e| admin(AdminAction::ModuleAdded, e._module, vec![])),
    decoder!(trex::ModuleRemoved, |e| admin(AdminAction::ModuleRemoved, e._module, vec![])),
    decoder!(trex::ClaimTopicAdded, |e| admin(AdminAction::ClaimTopicAdded, Address::ZERO, vec![e.claimTopic])),
    decoder!(trex::ClaimTopicRemoved, |e| admin(AdminAction::ClaimTopicRemoved, Address::ZERO, vec![e.claimTopic])),
    decoder!(trex::TrustedIssuerAdded, |e| admin(AdminAction::TrustedIssuerAdded, e.trustedIssuer, e.claimTopics)),
    decoder!(trex::TrustedIssuerRemoved, |e| admin(AdminAction::TrustedIssuerRemoved, e.trustedIssuer, vec![])),
    decoder!(trex::ClaimTopicsUpdated, |e| admin(AdminAction::ClaimTopicsUpdated, e.trustedIssuer, e.claimTopics)),
    decoder!(trex::Deployed, |e| admin(AdminAction::ContractDeployed, e._addr, vec![])),
    decoder!(trex::ImplementationAuthoritySet, |e| admin(
        AdminAction::ImplementationAuthoritySet,
        e._implementationAuthority,
        vec![]
    )),
    // Same topic as the factory's, with the address indexed: T-REX's proxies.
    decoder!(trex_proxy::ImplementationAuthoritySet, |e| admin(
        AdminAction::ImplementationAuthoritySet,
        e._implementationAuthority,
        vec![]
    )),
    decoder!(trex::IdFactorySet, |e| admin(AdminAction::IdFactorySet, e._idFactory, vec![])),
    // Equity and debt.
    decoder!(capital::DelegateChanged, |e| TokenEvent::DelegateChanged {
        delegator: e.delegator,
        from_delegate: e.fromDelegate,
        to_delegate: e.toDelegate
    }),
    decoder!(capital::DelegateVotesChanged, |e| TokenEvent::DelegateVotesChanged {
        delegate: e.delegate,
        previous: e.previousVotes,
        votes: e.newVotes
    }),
    decoder!(capital::VoteCast, |e| TokenEvent::VoteCast {
        voter: e.voter,
        proposal_id: e.proposalId,
        support: e.support,
        weight: e.weight,
        reason: e.reason
    }),
    decoder!(capital::VoteCastWithParams, |e| TokenEvent::VoteCast {
        voter: e.voter,
        proposal_id: e.proposalId,
        support: e.support,
        weight: e.weight,
        reason: e.reason
    }),
    decoder!(capital::Snapshot, |e| TokenEvent::Snapshot { id: e.id }),
    decoder!(capital::StockSplit, |e| TokenEvent::StockSplit {
        id: e.actionId,
        numerator: e.numerator,
        denominator: e.denominator
    }),
    decoder!(capital::Buyback, |e| TokenEvent::Buyback {
        id: e.actionId,
        seller: e.seller,
        amount: e.amount,
        price: e.price
    }),
    decoder!(capital::FundsDistributed, |e| distribution(DistributionKind::FundsDistributed, e.by, e.fundsDistributed)),
    decoder!(capital::FundsWithdrawn, |e| distribution(DistributionKind::FundsWithdrawn, e.by, e.fundsWithdrawn)),
    decoder!(capital::DividendsDistributed, |e| distribution(
        DistributionKind::DividendsDistributed,
        e.from,
        e.weiAmount
    )),
    decoder!(capital::DividendWithdrawn, |e| distribution(DistributionKind::DividendWithdrawn, e.to, e.weiAmount)),
    decoder!(capital::Transfer, |e| bond_move(BondMoveKind::Transfer, e._operator, e._from, e._to, &e._transactions)),
    decoder!(capital::Issue, |e| bond_move(BondMoveKind::Issue, e._operator, Address::ZERO, e._to, &e._transactions)),
    decoder!(capital::Redeem, |e| bond_move(
        BondMoveKind::Redeem,
        e._operator,
        e._from,
        Address::ZERO,
        &e._transactions
    )),
    decoder!(capital::Matured, |e| TokenEvent::BondStatus {
        class_id: e.classId,
        nonce_id: e.nonceId,
        defaulted: false,
        reason: String::new()
    }),
    decoder!(capital::Defaulted, |e| TokenEvent::BondStatus {
        class_id: e.classId,
        nonce_id: e.nonceId,
        defaulted: true,
        reason: e.reason
    }),
    // Vaults and collateral pools.
    decoder!(vaults::Deposit, |e| TokenEvent::VaultDeposit {
        sender: e.sender,
        owner: e.owner,
        assets: e.assets,
        shares: e.shares
    }),
    decoder!(vaults::Withdraw, |e| TokenEvent::VaultWithdraw {
        sender: e.sender,
        receiver: e.receiver,
        owner: e.owner,
        assets: e.assets,
        shares: e.shares
    }),
    decoder!(vaults::DepositRequest, |e| TokenEvent::VaultRequest {
        redeem: false,
        controller: e.controller,
        owner: e.owner,
        request_id: e.requestId,
        sender: e.sender,
        amount: e.assets
    }),
    decoder!(vaults::RedeemRequest, |e| TokenEvent::VaultRequest {
        redeem: true,
        controller: e.controller,
        owner: e.owner,
        request_id: e.requestId,
        sender: e.sender,
        amount: e.shares
    }),
    decoder!(vaults::AssetAdded, |e| TokenEvent::PoolAsset {
        action: PoolAssetAction::Added,
        asset: e.asset,
        amount: e.amount,
        value: e.value
    }),
    decoder!(vaults::AssetRemoved, |e| TokenEvent::PoolAsset {
        action: PoolAssetAction::Removed,
        asset: e.asset,
        amount: e.amount,
        value: e.value
    }),
    decoder!(vaults::AssetRevalued, |e| TokenEvent::PoolAsset {
        action: PoolAssetAction::Revalued,
        asset: e.asset,
        amount: U256::ZERO,
        value: e.value
    }),
    decoder!(trex::TREXSuiteDeployed, |e| TokenEvent::SuiteDeployed {
        token: e._token,
        identity_registry: e._ir,
        identity_storage: e._irs,
        trusted_issuers: e._tir,
        claim_topics: e._ctr,
        compliance: e._mc,
    }),
];

fn distribution(kind: DistributionKind, account: Address, amount: U256) -> TokenEvent {
    TokenEvent::Distribution { kind, account, amount }
}

fn bond_move(
    kind: BondMoveKind,
    operator: Address,
    from: Address,
    to: Address,
    transactions: &[capital::Transaction],
) -> TokenEvent {
    let positions = transactions
        .iter()
        .map(|t| BondAmount { class_id: t.classId, nonce_id: t.nonceId, amount: t._amount })
        .collect();
    TokenEvent::BondMove { kind, operator, from, to, positions }
}

pub(super) fn admin(action: AdminAction, subject: Address, values: Vec<U256>) -> TokenEvent {
    TokenEvent::Admin { action, subject, values }
}

fn identity(action: IdentityAction, investor: Address, identity: Address, country: u16) -> TokenEvent {
    TokenEvent::Identity { action, investor, identity, previous: Address::ZERO, country }
}

/// Every signature registrar decodes.
fn all_decoders() -> impl Iterator<Item = &'static Decoder> {
    DECODERS.iter().chain(securitize::DECODERS).chain(polymath::DECODERS)
}

/// Decodes a log of a watched contract by its first topic. Where contracts declare the same
/// signature with different `indexed` fields (one topic, several layouts), each layout is tried.
pub fn decode_log(topics: &[B256], data: &[u8]) -> Decoded {
    let Some(topic0) = topics.first() else {
        return Decoded::Undecodable("anonymous log: no topics".into());
    };
    let mut first_error = None;
    for d in all_decoders().filter(|d| d.topic0 == *topic0) {
        match (d.decode)(topics, data) {
            Ok(event) => return Decoded::Event(event),
            Err(e) => {
                first_error.get_or_insert(format!("{}: {e}", d.signature));
            }
        }
    }
    Decoded::Undecodable(first_error.unwrap_or_else(|| format!("unknown event signature {topic0}")))
}

#[cfg(test)]
mod tests;
