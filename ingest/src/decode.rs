//! Logs to domain events. One entry per event signature in [`DECODERS`]. Events whose meaning
//! depends on the other logs of their transaction (ERC-1400 movements that an ERC-20 `Transfer`
//! also states, `ChangedPartition`) are settled by `settle::settle`.
//!
//! Adding an event touches these files, and the compiler names all but the first three: the
//! `sol!` binding (`schemas/src/abi.rs`), the entry here, the `TokenEvent` variant
//! (`schemas/src/record.rs`); its Protobuf message (`schemas/proto/registrar/v1/log.proto` and
//! `schemas/src/wire.rs`, with its generator in `schemas/tests/wire.rs`); the projector's arm
//! (`store/src/projector/event.rs`) and audit rule (`audit.rs`) and its generator in
//! `store/tests/projector.rs`; and the archive's (`archive/src/chain.rs`) and the T-REX
//! follower's (`ingest/src/ingestor/follow.rs`) matches. Each of those matches is exhaustive, so
//! a variant that one of them forgets is a compile error, not a silent skip.

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolEvent,
};
use registrar_schemas::{
    abi::{self, capital, ds, ds_v1, erc1400, erc1400_variants, st20, st20_v1, st20_v21, trex, trex_proxy, vaults},
    AdminAction, BondAmount, BondMoveKind, DistributionKind, DocumentAction, IdentityAction, InvestorAction,
    InvestorChange, LockChange, Move, MoveKind, PoolAssetAction, RuleForm, TokenEvent, WhitelistEntry,
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
fn movement_for(
    kind: MoveKind,
    operator: Address,
    from: Address,
    to: Address,
    value: U256,
    reason: String,
) -> TokenEvent {
    TokenEvent::Move(Move { kind, partition: None, operator, from, to, value, reason, moves_balance: true })
}

/// A DS partitioned token's movement: the partition it left or entered.
fn partitioned(kind: MoveKind, from: Address, to: Address, value: U256, reason: String, partition: B256) -> TokenEvent {
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

fn investor(action: InvestorAction, id: String, sender: Address) -> TokenEvent {
    TokenEvent::Investor(InvestorChange { action, id, sender, ..InvestorChange::default() })
}

fn wallet(action: InvestorAction, wallet: Address, id: String, sender: Address) -> TokenEvent {
    TokenEvent::Investor(InvestorChange { action, id, wallet, sender, ..InvestorChange::default() })
}

/// A DS lock of a wallet (`investor` empty) or of an investor (`wallet` zero).
#[allow(clippy::too_many_arguments)]
fn lock(
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

fn rule(form: RuleForm, rule: String, key: String, previous: U256, value: U256) -> TokenEvent {
    TokenEvent::ComplianceRule { form, rule, key, previous, value }
}

fn whitelist(
    investor: Address,
    added_at: U256,
    added_by: Address,
    (can_send_after, can_receive_after, expiry): (U256, U256, U256),
    can_buy: bool,
) -> TokenEvent {
    TokenEvent::Whitelist(WhitelistEntry {
        investor,
        added_by,
        added_at,
        can_send_after,
        can_receive_after,
        expiry,
        can_buy,
    })
}

fn module_types(name: Option<B256>, types: impl IntoIterator<Item = u8>) -> Vec<U256> {
    name.map(|n| U256::from_be_bytes(n.0)).into_iter().chain(types.into_iter().map(U256::from)).collect()
}

fn word(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

fn document(action: DocumentAction, name: B256, uri: String, document_hash: B256) -> TokenEvent {
    TokenEvent::Document { action, name, uri, document_hash }
}

/// Every signature registrar decodes.
static DECODERS: &[Decoder] = &[
    decoder!(abi::Transfer, |e| TokenEvent::Transfer { from: e.from, to: e.to, value: e.value }),
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
    // The lock managers.
    decoder!(ds::Locked, |e| lock(true, e.who, String::new(), e.value, e.reason, e.reasonString, e.releaseTime, None)),
    decoder!(ds::Unlocked, |e| lock(
        false,
        e.who,
        String::new(),
        e.value,
        e.reason,
        e.reasonString,
        e.releaseTime,
        None
    )),
    decoder!(ds::HolderLocked, |e| lock(
        true,
        Address::ZERO,
        e.holderId,
        e.value,
        e.reason,
        e.reasonString,
        e.releaseTime,
        None
    )),
    decoder!(ds::HolderUnlocked, |e| lock(
        false,
        Address::ZERO,
        e.holderId,
        e.value,
        e.reason,
        e.reasonString,
        e.releaseTime,
        None
    )),
    decoder!(ds_v1::InvestorLocked, |e| lock(
        true,
        Address::ZERO,
        e.investorId,
        e.value,
        e.reason,
        e.reasonString,
        e.releaseTime,
        None
    )),
    decoder!(ds_v1::InvestorUnlocked, |e| lock(
        false,
        Address::ZERO,
        e.investorId,
        e.value,
        e.reason,
        e.reasonString,
        e.releaseTime,
        None
    )),
    decoder!(ds_v1::LockedPartition, |e| lock(
        true,
        e.who,
        String::new(),
        e.value,
        e.reason,
        e.reasonString,
        e.releaseTime,
        Some(e.partition)
    )),
    decoder!(ds_v1::UnlockedPartition, |e| lock(
        false,
        e.who,
        String::new(),
        e.value,
        e.reason,
        e.reasonString,
        e.releaseTime,
        Some(e.partition)
    )),
    decoder!(ds_v1::HolderLockedPartition, |e| lock(
        true,
        Address::ZERO,
        e.investorId,
        e.value,
        e.reason,
        e.reasonString,
        e.releaseTime,
        Some(e.partition)
    )),
    decoder!(ds_v1::HolderUnlockedPartition, |e| lock(
        false,
        Address::ZERO,
        e.investorId,
        e.value,
        e.reason,
        e.reasonString,
        e.releaseTime,
        Some(e.partition)
    )),
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
    // Polymath ST-20 v1-v2: the token.
    decoder!(st20::Minted, |e| movement_for(
        MoveKind::Minted,
        Address::ZERO,
        Address::ZERO,
        e._to,
        e._value,
        String::new()
    )),
    decoder!(st20_v1::Mint, |e| movement_for(
        MoveKind::Minted,
        Address::ZERO,
        Address::ZERO,
        e.to,
        e.amount,
        String::new()
    )),
    decoder!(st20::Burnt, |e| movement_for(
        MoveKind::Burnt,
        Address::ZERO,
        e._from,
        Address::ZERO,
        e._value,
        String::new()
    )),
    decoder!(st20::ForceTransfer, |e| movement_for(
        MoveKind::ForceTransfer,
        e._controller,
        e._from,
        e._to,
        e._value,
        String::new()
    )),
    decoder!(st20::ForceBurn, |e| movement_for(
        MoveKind::ForceBurn,
        e._controller,
        e._from,
        Address::ZERO,
        e._value,
        String::new()
    )),
    decoder!(st20::SetController, |e| admin(
        AdminAction::ControllerSet,
        e._newController,
        vec![word(e._oldController)]
    )),
    decoder!(st20::DisableController, |e| admin(AdminAction::ControllerDisabled, Address::ZERO, vec![e._timestamp])),
    decoder!(st20::FreezeTransfers, |e| TokenEvent::TransfersFrozen { frozen: e._status }),
    decoder!(st20_v1::LogFreezeTransfers, |e| TokenEvent::TransfersFrozen { frozen: e._freeze }),
    decoder!(st20::CheckpointCreated, |e| TokenEvent::CheckpointCreated {
        id: e._checkpointId,
        timestamp: e._timestamp
    }),
    decoder!(st20_v1::LogCheckpointCreated, |e| TokenEvent::CheckpointCreated {
        id: e._checkpointId,
        timestamp: e._timestamp
    }),
    decoder!(st20::ModuleAdded, |e| admin(
        AdminAction::St20ModuleAdded,
        e._module,
        module_types(Some(e._name), e._types)
    )),
    decoder!(st20_v1::LogModuleAdded, |e| admin(
        AdminAction::St20ModuleAdded,
        e._module,
        module_types(Some(e._name), [e._type])
    )),
    decoder!(st20::ModuleRemoved, |e| admin(AdminAction::St20ModuleRemoved, e._module, module_types(None, e._types))),
    decoder!(st20_v1::LogModuleRemoved, |e| admin(
        AdminAction::St20ModuleRemoved,
        e._module,
        module_types(None, [e._type])
    )),
    decoder!(st20::ModuleArchived, |e| admin(AdminAction::St20ModuleArchived, e._module, module_types(None, e._types))),
    decoder!(st20::ModuleUnarchived, |e| admin(
        AdminAction::St20ModuleUnarchived,
        e._module,
        module_types(None, e._types)
    )),
    // The general transfer manager's whitelist, in its four forms.
    decoder!(st20::ModifyWhitelist, |e| whitelist(
        e._investor,
        e._dateAdded,
        e._addedBy,
        (e._fromTime, e._toTime, e._expiryTime),
        e._canBuyFromSTO
    )),
    decoder!(st20_v21::ModifyWhitelist, |e| whitelist(
        e._investor,
        e._dateAdded,
        e._addedBy,
        (e._canSendAfter, e._canReceiveAfter, e._expiryTime),
        e._canBuyFromSTO
    )),
    decoder!(st20_v1::v14::LogModifyWhitelist, |e| whitelist(
        e._investor,
        e._dateAdded,
        e._addedBy,
        (e._fromTime, e._toTime, e._expiryTime),
        e._canBuyFromSTO
    )),
    decoder!(st20_v1::LogModifyWhitelist, |e| whitelist(
        e._investor,
        e._dateAdded,
        e._addedBy,
        (e._fromTime, e._toTime, U256::ZERO),
        false
    )),
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

fn admin(action: AdminAction, subject: Address, values: Vec<U256>) -> TokenEvent {
    TokenEvent::Admin { action, subject, values }
}

fn identity(action: IdentityAction, investor: Address, identity: Address, country: u16) -> TokenEvent {
    TokenEvent::Identity { action, investor, identity, previous: Address::ZERO, country }
}

/// Decodes a log of a watched contract by its first topic. Where contracts declare the same
/// signature with different `indexed` fields (one topic, several layouts), each layout is tried.
pub fn decode_log(topics: &[B256], data: &[u8]) -> Decoded {
    let Some(topic0) = topics.first() else {
        return Decoded::Undecodable("anonymous log: no topics".into());
    };
    let mut first_error = None;
    for d in DECODERS.iter().filter(|d| d.topic0 == *topic0) {
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
mod tests {
    use super::*;

    mod hostile {
        use proptest::prelude::*;

        use super::super::*;

        /// ABI data that claims a dynamic value far past its end, or nests offsets: a word of
        /// 0x20 then a length of 2^64 - 1, repeated.
        fn huge_dynamic(words: usize) -> Vec<u8> {
            let mut data = Vec::new();
            for i in 0..words {
                let mut word = [0u8; 32];
                if i % 2 == 0 {
                    word[31] = 0x20;
                } else {
                    word[24..].copy_from_slice(&u64::MAX.to_be_bytes());
                }
                data.extend_from_slice(&word);
            }
            data
        }

        proptest! {
            /// Every decoder, given any topics and data for its signature, answers an event or
            /// an undecodable log: never a panic, never an allocation sized by the data's claims.
            #[test]
            fn any_log_of_a_known_signature_is_answered(
                which in any::<prop::sample::Index>(),
                extra in proptest::collection::vec(any::<[u8; 32]>(), 0..4),
                data in proptest::collection::vec(any::<u8>(), 0..600),
                huge in 0usize..40,
            ) {
                let decoder = which.get(DECODERS);
                let mut topics = vec![decoder.topic0];
                topics.extend(extra.into_iter().map(B256::from));
                let _ = decode_log(&topics, &data);
                let _ = decode_log(&topics, &huge_dynamic(huge));
            }

            #[test]
            fn any_log_is_answered(topics in proptest::collection::vec(any::<[u8; 32]>(), 0..5), data in proptest::collection::vec(any::<u8>(), 0..300)) {
                let topics: Vec<B256> = topics.into_iter().map(B256::from).collect();
                let _ = decode_log(&topics, &data);
            }
        }
    }
    use alloy::primitives::{Address, U256};

    fn encode<E: SolEvent>(e: &E) -> (Vec<B256>, Vec<u8>) {
        let data = e.encode_log_data();
        (data.topics().to_vec(), data.data.to_vec())
    }

    #[test]
    fn decodes_every_event() {
        let a = Address::repeat_byte(1);
        let b = Address::repeat_byte(2);
        let v = U256::from(12345u64);
        let (n, h) = (B256::repeat_byte(3), B256::repeat_byte(4));
        type Case = ((Vec<B256>, Vec<u8>), TokenEvent);
        let cases: Vec<Case> = vec![
            (encode(&abi::Transfer { from: a, to: b, value: v }), TokenEvent::Transfer { from: a, to: b, value: v }),
            (
                encode(&abi::TokensFrozen { _userAddress: a, _amount: v }),
                TokenEvent::TokensFrozen { holder: a, amount: v },
            ),
            (
                encode(&abi::TokensUnfrozen { _userAddress: a, _amount: v }),
                TokenEvent::TokensUnfrozen { holder: a, amount: v },
            ),
            (
                encode(&abi::AddressFrozen { _userAddress: a, _isFrozen: true, _owner: b }),
                TokenEvent::AddressFrozen { holder: a, frozen: true, agent: b },
            ),
            (encode(&abi::Paused { _userAddress: a }), TokenEvent::Paused { agent: a }),
            (encode(&abi::Unpaused { _userAddress: a }), TokenEvent::Unpaused { agent: a }),
            (
                encode(&abi::RecoverySuccess { _lostWallet: a, _newWallet: b, _investorOnchainID: a }),
                TokenEvent::RecoverySuccess { lost_wallet: a, new_wallet: b, investor_onchain_id: a },
            ),
            (
                encode(&abi::DocumentUpdated { _name: n, _uri: "ipfs://x".into(), _documentHash: h }),
                document(DocumentAction::Updated, n, "ipfs://x".into(), h),
            ),
            (
                encode(&abi::DocumentRemoved { _name: n, _uri: "ipfs://x".into(), _documentHash: h }),
                document(DocumentAction::Removed, n, "ipfs://x".into(), h),
            ),
            (
                encode(&abi::Document { _name: n, _uri: "https://x".into(), _documentHash: h }),
                document(DocumentAction::Set, n, "https://x".into(), h),
            ),
            (
                encode(&abi::RootAnchored { sequence: U256::from(3), treeSize: 17, root: h }),
                TokenEvent::RootAnchored { sequence: 3, tree_size: 17, root: h },
            ),
        ];
        for ((topics, data), expected) in cases {
            assert_eq!(decode_log(&topics, &data), Decoded::Event(expected));
        }
    }

    fn mv(
        kind: MoveKind,
        partition: Option<B256>,
        operator: Address,
        from: Address,
        to: Address,
        value: U256,
    ) -> TokenEvent {
        movement(kind, partition, operator, from, to, value)
    }

    /// Every ERC-1400-family signature, the variants included, decodes to its movement.
    #[test]
    fn decodes_every_erc1400_variant() {
        let (op, a, b) = (Address::repeat_byte(7), Address::repeat_byte(1), Address::repeat_byte(2));
        let (p, q) = (B256::repeat_byte(0x11), B256::repeat_byte(0x22));
        let v = U256::from(500u64);
        let (d, od) = (alloy::primitives::Bytes::from_static(b"d"), alloy::primitives::Bytes::from_static(b"od"));
        let zero = Address::ZERO;
        type Case = ((Vec<B256>, Vec<u8>), TokenEvent);
        let cases: Vec<Case> = vec![
            (
                encode(&erc1400::TransferByPartition {
                    _fromPartition: p,
                    _operator: op,
                    _from: a,
                    _to: b,
                    _value: v,
                    _data: d.clone(),
                    _operatorData: od.clone(),
                }),
                mv(MoveKind::TransferByPartition, Some(p), op, a, b, v),
            ),
            (
                encode(&erc1400::ChangedPartition { _fromPartition: p, _toPartition: q, _value: v }),
                TokenEvent::ChangedPartition { holder: zero, from_partition: p, to_partition: q, value: v },
            ),
            (
                encode(&erc1400::AuthorizedOperator { operator: op, tokenHolder: a }),
                TokenEvent::OperatorChanged { operator: op, holder: a, partition: None, authorized: true },
            ),
            (
                encode(&erc1400::RevokedOperator { operator: op, tokenHolder: a }),
                TokenEvent::OperatorChanged { operator: op, holder: a, partition: None, authorized: false },
            ),
            (
                encode(&erc1400::AuthorizedOperatorByPartition { partition: p, operator: op, tokenHolder: a }),
                TokenEvent::OperatorChanged { operator: op, holder: a, partition: Some(p), authorized: true },
            ),
            (
                encode(&erc1400::RevokedOperatorByPartition { partition: p, operator: op, tokenHolder: a }),
                TokenEvent::OperatorChanged { operator: op, holder: a, partition: Some(p), authorized: false },
            ),
            (
                encode(&erc1400::IssuedByPartition {
                    partition: p,
                    operator: op,
                    to: a,
                    value: v,
                    data: d.clone(),
                    operatorData: od.clone(),
                }),
                mv(MoveKind::IssuedByPartition, Some(p), op, zero, a, v),
            ),
            (
                encode(&erc1400_variants::IssuedByPartition { partition: p, to: a, value: v, data: d.clone() }),
                mv(MoveKind::IssuedByPartition, Some(p), zero, zero, a, v),
            ),
            (
                encode(&erc1400::RedeemedByPartition {
                    partition: p,
                    operator: op,
                    from: a,
                    value: v,
                    data: d.clone(),
                    operatorData: od.clone(),
                }),
                mv(MoveKind::RedeemedByPartition, Some(p), op, a, zero, v),
            ),
            (
                encode(&erc1400_variants::RedeemedByPartition {
                    partition: p,
                    operator: op,
                    from: a,
                    value: v,
                    operatorData: od.clone(),
                }),
                mv(MoveKind::RedeemedByPartition, Some(p), op, a, zero, v),
            ),
            (
                encode(&erc1400::Issued { _operator: op, _to: a, _value: v, _data: d.clone() }),
                mv(MoveKind::Issued, None, op, zero, a, v),
            ),
            (
                encode(&erc1400::Redeemed { _operator: op, _from: a, _value: v, _data: d.clone() }),
                mv(MoveKind::Redeemed, None, op, a, zero, v),
            ),
            (
                encode(&erc1400::ControllerTransfer {
                    _controller: op,
                    _from: a,
                    _to: b,
                    _value: v,
                    _data: d.clone(),
                    _operatorData: od.clone(),
                }),
                mv(MoveKind::ControllerTransfer, None, op, a, b, v),
            ),
            (
                encode(&erc1400_variants::ControllerTransfer { controller: op, from: a, to: b, value: v }),
                mv(MoveKind::ControllerTransfer, None, op, a, b, v),
            ),
            (
                encode(&erc1400::ControllerRedemption {
                    _controller: op,
                    _tokenHolder: a,
                    _value: v,
                    _data: d.clone(),
                    _operatorData: od.clone(),
                }),
                mv(MoveKind::ControllerRedemption, None, op, a, zero, v),
            ),
            (
                encode(&erc1400_variants::ControllerRedemption { controller: op, account: a, value: v }),
                mv(MoveKind::ControllerRedemption, None, op, a, zero, v),
            ),
        ];
        let mut topics0 = std::collections::HashSet::new();
        for ((topics, data), expected) in cases {
            assert!(topics0.insert(topics[0]), "every variant has its own topic");
            assert_eq!(decode_log(&topics, &data), Decoded::Event(expected));
        }
        // One decoder per signature, but for layouts that differ in `indexed` only.
        let mut all = std::collections::HashSet::new();
        let shared: Vec<&str> = DECODERS.iter().filter(|d| !all.insert(d.topic0)).map(|d| d.signature).collect();
        assert_eq!(
            shared,
            [
                "ImplementationAuthoritySet(address)",
                "ModifyWhitelist(address,uint256,address,uint256,uint256,uint256,bool)"
            ]
        );
    }

    /// Every DS and ST-20 signature decodes, to the event its contract meant.
    #[test]
    fn decodes_every_ds_and_st20_event() {
        let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
        let v = U256::from(700u64);
        let id = || "inv-1".to_string();
        let ch = |action, wallet, country: &str| {
            TokenEvent::Investor(InvestorChange {
                action,
                id: id(),
                wallet,
                country: country.into(),
                sender: b,
                ..InvestorChange::default()
            })
        };
        let lk = |locked, wallet, investor: String| {
            lock(locked, wallet, investor, v, U256::from(1), "vesting".into(), v, None)
        };
        type Case = ((Vec<B256>, Vec<u8>), TokenEvent);
        let cases: Vec<Case> = vec![
            (
                encode(&ds::Issue { to: a, value: v, valueLocked: U256::ZERO }),
                movement_for(MoveKind::Issue, Address::ZERO, Address::ZERO, a, v, String::new()),
            ),
            (
                encode(&ds::Burn { burner: a, value: v, reason: "redeemed".into() }),
                movement_for(MoveKind::Burn, Address::ZERO, a, Address::ZERO, v, "redeemed".into()),
            ),
            (
                encode(&ds::Seize { from: a, to: b, value: v, reason: "court order".into() }),
                movement_for(MoveKind::Seize, Address::ZERO, a, b, v, "court order".into()),
            ),
            (encode(&ds::WalletAdded { wallet: a }), admin(AdminAction::DsWalletAdded, a, vec![])),
            (
                encode(&ds::DSRegistryServiceInvestorAdded { investorId: id(), sender: b }),
                ch(InvestorAction::Added, Address::ZERO, ""),
            ),
            (
                encode(&ds::DSRegistryServiceInvestorCountryChanged {
                    investorId: id(),
                    country: "FR".into(),
                    sender: b,
                }),
                ch(InvestorAction::CountryChanged, Address::ZERO, "FR"),
            ),
            (
                encode(&ds::DSRegistryServiceWalletAdded { wallet: a, investorId: id(), sender: b }),
                ch(InvestorAction::WalletAdded, a, ""),
            ),
            (
                encode(&ds::Locked {
                    who: a,
                    value: v,
                    reason: U256::from(1),
                    reasonString: "vesting".into(),
                    releaseTime: v,
                }),
                lk(true, a, String::new()),
            ),
            (
                encode(&ds::HolderUnlocked {
                    holderId: id(),
                    value: v,
                    reason: U256::from(1),
                    reasonString: "vesting".into(),
                    releaseTime: v,
                }),
                lk(false, Address::ZERO, id()),
            ),
            (
                encode(&ds::DSServiceSet { serviceId: U256::from(4), serviceAddress: a }),
                admin(AdminAction::DsServiceSet, a, vec![U256::from(4)]),
            ),
            (
                encode(&ds::DSComplianceUIntRuleSet {
                    ruleName: "totalInvestorsLimit".into(),
                    prevValue: U256::ZERO,
                    newValue: v,
                }),
                rule(RuleForm::Uint, "totalInvestorsLimit".into(), String::new(), U256::ZERO, v),
            ),
            (
                encode(&st20::Minted { _to: a, _value: v }),
                movement_for(MoveKind::Minted, Address::ZERO, Address::ZERO, a, v, String::new()),
            ),
            (
                encode(&st20::ForceTransfer {
                    _controller: b,
                    _from: a,
                    _to: b,
                    _value: v,
                    _verifyTransfer: false,
                    _data: Default::default(),
                }),
                movement_for(MoveKind::ForceTransfer, b, a, b, v, String::new()),
            ),
            (
                encode(&st20::CheckpointCreated { _checkpointId: U256::from(1), _timestamp: v }),
                TokenEvent::CheckpointCreated { id: U256::from(1), timestamp: v },
            ),
            (
                encode(&st20::FreezeTransfers { _status: true, _timestamp: v }),
                TokenEvent::TransfersFrozen { frozen: true },
            ),
            (
                encode(&st20_v1::LogModifyWhitelist {
                    _investor: a,
                    _dateAdded: v,
                    _addedBy: b,
                    _fromTime: v,
                    _toTime: v,
                }),
                whitelist(a, v, b, (v, v, U256::ZERO), false),
            ),
            (
                encode(&st20_v21::ModifyWhitelist {
                    _investor: a,
                    _dateAdded: v,
                    _addedBy: b,
                    _canSendAfter: v,
                    _canReceiveAfter: v,
                    _expiryTime: v,
                    _canBuyFromSTO: true,
                }),
                whitelist(a, v, b, (v, v, v), true),
            ),
            (
                encode(&st20::ModuleAdded {
                    _types: vec![2],
                    _name: B256::repeat_byte(7),
                    _moduleFactory: b,
                    _module: a,
                    _moduleCost: U256::ZERO,
                    _budget: U256::ZERO,
                    _timestamp: v,
                }),
                admin(AdminAction::St20ModuleAdded, a, vec![U256::from_be_bytes([7; 32]), U256::from(2)]),
            ),
        ];
        for ((topics, data), expected) in cases {
            assert_eq!(decode_log(&topics, &data), Decoded::Event(expected));
        }
        // A transfer manager added is followed; another module is not.
        let tm = admin(AdminAction::St20ModuleAdded, a, vec![U256::from(9), U256::from(2)]);
        let TokenEvent::Admin { action, values, .. } = &tm else { unreachable!() };
        assert_eq!(action.link(values), Some(registrar_schemas::SuiteLink::TransferManager));
        assert_eq!(action.link(&[U256::from(2), U256::from(3)]), None, "the name is not a type");
    }

    #[test]
    fn one_signature_two_layouts() {
        let a = Address::repeat_byte(5);
        let expected = Decoded::Event(admin(AdminAction::ImplementationAuthoritySet, a, vec![]));
        let (topics, data) = encode(&trex::ImplementationAuthoritySet { _implementationAuthority: a });
        assert_eq!(topics.len(), 1);
        assert_eq!(decode_log(&topics, &data), expected);
        let (topics, data) = encode(&trex_proxy::ImplementationAuthoritySet { _implementationAuthority: a });
        assert_eq!(topics.len(), 2);
        assert_eq!(decode_log(&topics, &data), expected);
    }

    #[test]
    fn unknown_and_malformed_logs_are_reported_not_dropped() {
        assert_eq!(decode_log(&[], &[]), Decoded::Undecodable("anonymous log: no topics".into()));
        let unknown = B256::repeat_byte(9);
        assert!(
            matches!(decode_log(&[unknown], &[]), Decoded::Undecodable(r) if r.contains("unknown event signature"))
        );
        // A Transfer whose value is missing from the data.
        let (topics, _) = encode(&abi::Transfer { from: Address::ZERO, to: Address::ZERO, value: U256::ZERO });
        match decode_log(&topics, &[1, 2, 3]) {
            Decoded::Undecodable(reason) => {
                assert!(reason.starts_with("Transfer(address,address,uint256)"), "{reason}")
            }
            other => panic!("decoded a truncated log: {other:?}"),
        }
        // A Transfer with `value` indexed too (as some old tokens declare it) has four topics.
        let mut four = topics.clone();
        four.push(B256::ZERO);
        assert!(matches!(decode_log(&four, &[]), Decoded::Undecodable(_)));
    }
}
