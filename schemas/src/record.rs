//! The records of the event log.
//!
//! Every consumer matches [`LogRecord`] exhaustively, so a projector that forgets to handle a
//! revert, or a new event kind, does not compile.

use alloy::primitives::{Address, Bytes, B256, U256};

use crate::{AdminAction, BlockNumber, ChainId, InvestorChange, LockChange, RuleForm, WhitelistEntry};

/// One record of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogRecord {
    /// A decoded event of a watched token.
    Event(ChainEvent),
    /// A watched contract's metadata, read when ingest first saw it.
    TokenDiscovered(TokenDiscovered),
    /// A log of a watched contract that no decoder accepted.
    Undecoded(UndecodedLog),
    /// Every block up to `block` has been appended.
    Committed(BlocksCommitted),
    /// The chain was reorganised above `common_ancestor`: undo everything above it.
    Reverted(Reverted),
}

/// A block as the log refers to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRef {
    pub number: BlockNumber,
    pub hash: B256,
    pub parent_hash: B256,
    /// Seconds since the Unix epoch.
    pub timestamp: u64,
}

/// Where a log was emitted: the envelope of every event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventMeta {
    pub chain_id: ChainId,
    pub block: BlockRef,
    pub tx_hash: B256,
    pub tx_index: u32,
    pub log_index: u32,
    pub contract: Address,
}

/// A decoded event with its envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainEvent {
    pub meta: EventMeta,
    pub event: TokenEvent,
}

/// What a token contract said happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenEvent {
    /// ERC-20 `Transfer`; `from == 0` mints, `to == 0` burns.
    Transfer { from: Address, to: Address, value: U256 },
    /// ERC-20 `Approval`: `spender` may move up to `value` of `owner`'s tokens. It moves nothing.
    Approval { owner: Address, spender: Address, value: U256 },
    /// ERC-3643 `TokensFrozen`: `amount` more of `holder`'s balance is frozen.
    TokensFrozen { holder: Address, amount: U256 },
    /// ERC-3643 `TokensUnfrozen`: `amount` of `holder`'s frozen balance is released.
    TokensUnfrozen { holder: Address, amount: U256 },
    /// ERC-3643 `AddressFrozen`: the whole wallet is frozen or unfrozen.
    AddressFrozen { holder: Address, frozen: bool, agent: Address },
    /// ERC-3643 `Paused`.
    Paused { agent: Address },
    /// ERC-3643 `Unpaused`.
    Unpaused { agent: Address },
    /// ERC-3643 `RecoverySuccess`; the balance and freezes move by their own events before it.
    RecoverySuccess { lost_wallet: Address, new_wallet: Address, investor_onchain_id: Address },
    /// A document event: ERC-1643 `DocumentUpdated`/`DocumentRemoved`, or ERC-1400's `Document`.
    /// The disclosure archive keeps each one, removals included, once its block is final.
    Document { action: DocumentAction, name: B256, uri: String, document_hash: B256 },
    /// `DisclosureAnchor.RootAnchored`: the archive's root at `tree_size` leaves was anchored.
    RootAnchored { sequence: u64, tree_size: u64, root: B256 },
    /// A movement of tokens stated by an ERC-1400-family event (ERC-1410, ERC-1594, ERC-1644).
    Move(Move),
    /// ERC-1410 `ChangedPartition`: `value` of `holder`'s tokens moved from one partition to
    /// another. The event does not name the holder: ingest takes the recipient of the
    /// `TransferByPartition` emitted just before it in the same transaction.
    ChangedPartition { holder: Address, from_partition: B256, to_partition: B256, value: U256 },
    /// ERC-1410 operator events: `operator` may (or may no longer) move `holder`'s tokens, in
    /// every partition or in `partition` only.
    OperatorChanged { operator: Address, holder: Address, partition: Option<B256>, authorized: bool },
    /// An administrative event of a T-REX suite contract (token, identity registry and its
    /// storage, compliance, trusted issuers and claim topics registries): roles, links between
    /// the contracts, compliance modules, claim topics. `subject` is the address the event names
    /// (agent, new owner, linked contract, module, issuer); `values` its numbers (claim topics,
    /// the initialized version, the previous owner as a number).
    Admin { action: AdminAction, subject: Address, values: Vec<U256> },
    /// An investor's identity in a T-REX identity registry (`Registered`..`CountryUpdated`,
    /// emitted by the registry) or its storage (`Stored`..`CountryModified`, the source of truth
    /// the projector follows). `country` is the ISO 3166-1 numeric code; ingest reads it back with
    /// `eth_call` where the event does not carry it. `previous` is the replaced identity.
    Identity { action: IdentityAction, investor: Address, identity: Address, previous: Address, country: u16 },
    /// T-REX `UpdatedTokenInformation`. The deployed event indexes name and symbol (so the log
    /// holds only their hashes): ingest reads them back with `eth_call` at the event's block.
    TokenInformation { name: String, symbol: String, decimals: u8, version: String, onchain_id: Address },
    /// ERC-4626 `Deposit`: `assets` of the underlying came in, `shares` were minted to `owner`.
    VaultDeposit { sender: Address, owner: Address, assets: U256, shares: U256 },
    /// ERC-4626 `Withdraw`: `shares` of `owner` burnt, `assets` of the underlying paid out.
    VaultWithdraw { sender: Address, receiver: Address, owner: Address, assets: U256, shares: U256 },
    /// ERC-7540 `DepositRequest` (`amount` in assets) or `RedeemRequest` (`amount` in shares): an
    /// asynchronous request, settled later by a `Deposit` or `Withdraw`.
    VaultRequest { redeem: bool, controller: Address, owner: Address, request_id: U256, sender: Address, amount: U256 },
    /// A collateral pool's composition (`contracts/src/DemoCollateralPool.sol` documents the
    /// events): an asset bought with the underlying, sold for it, or revalued. Values are in the
    /// pool's unit of account.
    PoolAsset { action: PoolAssetAction, asset: Address, amount: U256, value: U256 },
    /// ERC-5805 `DelegateChanged`: `delegator`'s votes go to `to_delegate` from now on.
    DelegateChanged { delegator: Address, from_delegate: Address, to_delegate: Address },
    /// ERC-5805 `DelegateVotesChanged`: `delegate`'s voting power went from `previous` to `votes`.
    DelegateVotesChanged { delegate: Address, previous: U256, votes: U256 },
    /// OpenZeppelin Governor `VoteCast` / `VoteCastWithParams`: `support` 0 against, 1 for, 2
    /// abstain.
    VoteCast { voter: Address, proposal_id: U256, support: u8, weight: U256, reason: String },
    /// OpenZeppelin `ERC20Snapshot` `Snapshot(id)`: a record date.
    Snapshot { id: U256 },
    /// A stock split (`contracts/src/DemoEquityToken.sol` documents the event): balances are
    /// multiplied by `numerator / denominator`; the new shares arrive as `Transfer`s.
    StockSplit { id: U256, numerator: U256, denominator: U256 },
    /// A buyback (`DemoEquityToken.sol`): the issuer bought `amount` from `seller` at `price` per
    /// share; the shares are cancelled by a `Transfer` to zero.
    Buyback { id: U256, seller: Address, amount: U256, price: U256 },
    /// Funds or dividends paid out to holders (ERC-2222, ERC-1726).
    Distribution { kind: DistributionKind, account: Address, amount: U256 },
    /// ERC-3475 `Issue` (`from` zero), `Transfer`, `Redeem` (`to` zero) of bonds by class and nonce.
    BondMove { kind: BondMoveKind, operator: Address, from: Address, to: Address, positions: Vec<BondAmount> },
    /// A bond tranche matured, or defaulted with a reason (`contracts/src/DemoBond.sol`).
    BondStatus { class_id: U256, nonce_id: U256, defaulted: bool, reason: String },
    /// A DS registry service's investor or wallet changed, or a DS lock manager's flag of an
    /// investor (`crate::InvestorAction` lists them).
    Investor(InvestorChange),
    /// A DS lock manager's lock created or removed, of a wallet or of an investor.
    Lock(LockChange),
    /// An ST-20 general transfer manager's whitelist entry for an investor (a wallet).
    Whitelist(WhitelistEntry),
    /// A compliance rule set (DS compliance configuration, wallet manager's reserved slots):
    /// `rule` is its name, `key` the map key for map rules (a country) or empty.
    ComplianceRule { form: RuleForm, rule: String, key: String, previous: U256, value: U256 },
    /// ST-20 `CheckpointCreated`: a record date; `balanceOfAt(_, id)` answers the balances then.
    CheckpointCreated { id: U256, timestamp: U256 },
    /// ST-20 `FreezeTransfers`: every transfer stopped (`frozen`) or allowed again.
    TransfersFrozen { frozen: bool },
    /// T-REX factory `TREXSuiteDeployed`: ingest follows the new suite's contracts from here on.
    SuiteDeployed {
        token: Address,
        identity_registry: Address,
        identity_storage: Address,
        trusted_issuers: Address,
        claim_topics: Address,
        compliance: Address,
    },
}

/// An amount of one ERC-3475 class and nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BondAmount {
    pub class_id: U256,
    pub nonce_id: U256,
    pub amount: U256,
}

/// Which ERC-3475 movement a [`TokenEvent::BondMove`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BondMoveKind {
    Issue = 1,
    Transfer = 2,
    Redeem = 3,
}

/// Which distribution event a [`TokenEvent::Distribution`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DistributionKind {
    /// ERC-2222 `FundsDistributed(by, amount)`: `account` paid `amount` in.
    FundsDistributed = 1,
    /// ERC-2222 `FundsWithdrawn(by, amount)`: `account` took its share out.
    FundsWithdrawn = 2,
    /// ERC-1726 `DividendsDistributed(from, amount)`.
    DividendsDistributed = 3,
    /// ERC-1726 `DividendWithdrawn(to, amount)`.
    DividendWithdrawn = 4,
}

impl DistributionKind {
    pub const ALL: [DistributionKind; 4] = [
        DistributionKind::FundsDistributed,
        DistributionKind::FundsWithdrawn,
        DistributionKind::DividendsDistributed,
        DistributionKind::DividendWithdrawn,
    ];

    pub fn event_name(self) -> &'static str {
        match self {
            DistributionKind::FundsDistributed => "FundsDistributed",
            DistributionKind::FundsWithdrawn => "FundsWithdrawn",
            DistributionKind::DividendsDistributed => "DividendsDistributed",
            DistributionKind::DividendWithdrawn => "DividendWithdrawn",
        }
    }

    /// Paid in (distributed) rather than out (withdrawn).
    pub fn is_distribution(self) -> bool {
        matches!(self, DistributionKind::FundsDistributed | DistributionKind::DividendsDistributed)
    }

    pub fn from_u8(v: u8) -> Option<Self> {
        DistributionKind::ALL.into_iter().find(|k| *k as u8 == v)
    }
}

/// Which composition event a [`TokenEvent::PoolAsset`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolAssetAction {
    /// `AssetAdded(asset, amount, value)`: bought with `value` of the underlying.
    Added = 1,
    /// `AssetRemoved(asset, amount, value)`: sold for `value` of the underlying.
    Removed = 2,
    /// `AssetRevalued(asset, value)`: the holding is now worth `value`.
    Revalued = 3,
}

impl PoolAssetAction {
    pub fn event_name(self) -> &'static str {
        match self {
            PoolAssetAction::Added => "AssetAdded",
            PoolAssetAction::Removed => "AssetRemoved",
            PoolAssetAction::Revalued => "AssetRevalued",
        }
    }

    pub fn from_u8(v: u8) -> Option<Self> {
        [PoolAssetAction::Added, PoolAssetAction::Removed, PoolAssetAction::Revalued]
            .into_iter()
            .find(|a| *a as u8 == v)
    }
}

/// Which identity event an [`TokenEvent::Identity`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityAction {
    /// Identity registry `IdentityRegistered`.
    Registered = 1,
    /// Identity registry `IdentityRemoved`.
    Removed = 2,
    /// Identity registry `IdentityUpdated`: names no investor (`investor` is zero).
    Updated = 3,
    /// Identity registry `CountryUpdated`.
    CountryUpdated = 4,
    /// Storage `IdentityStored`.
    Stored = 5,
    /// Storage `IdentityUnstored`.
    Unstored = 6,
    /// Storage `IdentityModified`: names no investor (`investor` is zero).
    Modified = 7,
    /// Storage `CountryModified`.
    CountryModified = 8,
}

impl IdentityAction {
    pub const ALL: [IdentityAction; 8] = [
        IdentityAction::Registered,
        IdentityAction::Removed,
        IdentityAction::Updated,
        IdentityAction::CountryUpdated,
        IdentityAction::Stored,
        IdentityAction::Unstored,
        IdentityAction::Modified,
        IdentityAction::CountryModified,
    ];

    pub fn event_name(self) -> &'static str {
        match self {
            IdentityAction::Registered => "IdentityRegistered",
            IdentityAction::Removed => "IdentityRemoved",
            IdentityAction::Updated => "IdentityUpdated",
            IdentityAction::CountryUpdated => "CountryUpdated",
            IdentityAction::Stored => "IdentityStored",
            IdentityAction::Unstored => "IdentityUnstored",
            IdentityAction::Modified => "IdentityModified",
            IdentityAction::CountryModified => "CountryModified",
        }
    }

    pub fn from_u8(v: u8) -> Option<Self> {
        IdentityAction::ALL.into_iter().find(|a| *a as u8 == v)
    }
}

/// A movement of tokens: `from` is zero for an issuance, `to` is zero for a redemption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub kind: MoveKind,
    /// The partition the tokens left or entered (ERC-1410 events only).
    pub partition: Option<B256>,
    /// Who acted: the operator or controller; zero when the event's variant names nobody.
    pub operator: Address,
    pub from: Address,
    pub to: Address,
    pub value: U256,
    /// The reason the event states (DS `Burn` and `Seize`), else empty.
    pub reason: String,
    /// Whether this event is what moves the balances. Tokens that are also ERC-20 emit a
    /// `Transfer` for the same movement (and some emit `Issued` besides `IssuedByPartition`):
    /// ingest matches the events of one transaction so each movement is counted once, by the
    /// `Transfer` if there is one, else by the partition event, else by the ERC-1594/1644 event.
    pub moves_balance: bool,
}

/// Which ERC-1400-family event stated a [`Move`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MoveKind {
    /// ERC-1410 `TransferByPartition`.
    TransferByPartition,
    /// ERC-1410 `IssuedByPartition` (with or without operator, by variant).
    IssuedByPartition,
    /// ERC-1410 `RedeemedByPartition` (with or without `data`, by variant).
    RedeemedByPartition,
    /// ERC-1594 `Issued`.
    Issued,
    /// ERC-1594 `Redeemed`.
    Redeemed,
    /// ERC-1644 `ControllerTransfer`: a forced transfer by the controller.
    ControllerTransfer,
    /// ERC-1644 `ControllerRedemption`: a forced redemption by the controller.
    ControllerRedemption,
    /// An ERC-20 `Transfer` of a T-REX token made by an agent's `forcedTransfer` (ingest read
    /// the transaction; `operator` is the agent). It stands for the `Transfer` and moves the
    /// balances as one.
    ForcedTransfer,
    /// DS `Issue`: tokens issued (some of them locked by the lock manager's own events).
    Issue,
    /// DS `Burn`, with the reason.
    Burn,
    /// DS `Seize`: the issuer or transfer agent took `from`'s tokens to `to`, with the reason.
    Seize,
    /// ST-20 `Minted` (and OpenZeppelin `Mint`, which ST-20 v1.0 emits).
    Minted,
    /// ST-20 `Burnt`.
    Burnt,
    /// ST-20 `ForceTransfer`: the controller moved the tokens.
    ForceTransfer,
    /// ST-20 `ForceBurn`: the controller burnt the tokens.
    ForceBurn,
}

impl MoveKind {
    pub const ALL: [MoveKind; 15] = [
        MoveKind::TransferByPartition,
        MoveKind::IssuedByPartition,
        MoveKind::RedeemedByPartition,
        MoveKind::Issued,
        MoveKind::Redeemed,
        MoveKind::ControllerTransfer,
        MoveKind::ControllerRedemption,
        MoveKind::ForcedTransfer,
        MoveKind::Issue,
        MoveKind::Burn,
        MoveKind::Seize,
        MoveKind::Minted,
        MoveKind::Burnt,
        MoveKind::ForceTransfer,
        MoveKind::ForceBurn,
    ];

    pub fn event_name(self) -> &'static str {
        match self {
            MoveKind::TransferByPartition => "TransferByPartition",
            MoveKind::IssuedByPartition => "IssuedByPartition",
            MoveKind::RedeemedByPartition => "RedeemedByPartition",
            MoveKind::Issued => "Issued",
            MoveKind::Redeemed => "Redeemed",
            MoveKind::ControllerTransfer => "ControllerTransfer",
            MoveKind::ControllerRedemption => "ControllerRedemption",
            MoveKind::ForcedTransfer => "Transfer",
            MoveKind::Issue => "Issue",
            MoveKind::Burn => "Burn",
            MoveKind::Seize => "Seize",
            MoveKind::Minted => "Minted",
            MoveKind::Burnt => "Burnt",
            MoveKind::ForceTransfer => "ForceTransfer",
            MoveKind::ForceBurn => "ForceBurn",
        }
    }

    /// Which events of a transaction count a movement first: ERC-20 `Transfer` (and a forced
    /// one), then ERC-1410, then ERC-1594 and the issuances and burns of DS and ST-20, then
    /// ERC-1644 and the seizures and forced moves of DS and ST-20.
    pub fn precedence(self) -> u8 {
        match self {
            MoveKind::ForcedTransfer => 0,
            MoveKind::TransferByPartition | MoveKind::IssuedByPartition | MoveKind::RedeemedByPartition => 1,
            MoveKind::Issued | MoveKind::Redeemed | MoveKind::Issue | MoveKind::Burn => 2,
            MoveKind::Minted | MoveKind::Burnt => 2,
            MoveKind::ControllerTransfer | MoveKind::ControllerRedemption => 3,
            MoveKind::Seize | MoveKind::ForceTransfer | MoveKind::ForceBurn => 3,
        }
    }

    /// A movement the holder did not make: a controller's, an agent's or the issuer's.
    pub fn is_forced(self) -> bool {
        match self {
            MoveKind::ControllerTransfer
            | MoveKind::ControllerRedemption
            | MoveKind::ForcedTransfer
            | MoveKind::Seize
            | MoveKind::ForceTransfer
            | MoveKind::ForceBurn => true,
            MoveKind::TransferByPartition
            | MoveKind::IssuedByPartition
            | MoveKind::RedeemedByPartition
            | MoveKind::Issued
            | MoveKind::Redeemed
            | MoveKind::Issue
            | MoveKind::Burn
            | MoveKind::Minted
            | MoveKind::Burnt => false,
        }
    }
}

/// Which document event a contract emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentAction {
    /// ERC-1643 `DocumentUpdated`: set or replaced.
    Updated,
    /// ERC-1643 `DocumentRemoved`: the document is withdrawn (the archive keeps the fact).
    Removed,
    /// ERC-1400 `Document`, emitted by `setDocument` in implementations that predate ERC-1643.
    Set,
}

impl DocumentAction {
    pub fn event_name(self) -> &'static str {
        match self {
            DocumentAction::Updated => "DocumentUpdated",
            DocumentAction::Removed => "DocumentRemoved",
            DocumentAction::Set => "Document",
        }
    }
}

impl TokenEvent {
    /// The event's name as the contract declares it.
    pub fn name(&self) -> &'static str {
        match self {
            TokenEvent::Transfer { .. } => "Transfer",
            TokenEvent::Approval { .. } => "Approval",
            TokenEvent::TokensFrozen { .. } => "TokensFrozen",
            TokenEvent::TokensUnfrozen { .. } => "TokensUnfrozen",
            TokenEvent::AddressFrozen { .. } => "AddressFrozen",
            TokenEvent::Paused { .. } => "Paused",
            TokenEvent::Unpaused { .. } => "Unpaused",
            TokenEvent::RecoverySuccess { .. } => "RecoverySuccess",
            TokenEvent::Document { action, .. } => action.event_name(),
            TokenEvent::RootAnchored { .. } => "RootAnchored",
            TokenEvent::Move(m) => m.kind.event_name(),
            TokenEvent::ChangedPartition { .. } => "ChangedPartition",
            TokenEvent::OperatorChanged { partition: None, authorized: true, .. } => "AuthorizedOperator",
            TokenEvent::OperatorChanged { partition: None, authorized: false, .. } => "RevokedOperator",
            TokenEvent::OperatorChanged { partition: Some(_), authorized: true, .. } => "AuthorizedOperatorByPartition",
            TokenEvent::OperatorChanged { partition: Some(_), authorized: false, .. } => "RevokedOperatorByPartition",
            TokenEvent::Admin { action, .. } => action.event_name(),
            TokenEvent::Identity { action, .. } => action.event_name(),
            TokenEvent::TokenInformation { .. } => "UpdatedTokenInformation",
            TokenEvent::SuiteDeployed { .. } => "TREXSuiteDeployed",
            TokenEvent::VaultDeposit { .. } => "Deposit",
            TokenEvent::VaultWithdraw { .. } => "Withdraw",
            TokenEvent::VaultRequest { redeem: false, .. } => "DepositRequest",
            TokenEvent::VaultRequest { redeem: true, .. } => "RedeemRequest",
            TokenEvent::PoolAsset { action, .. } => action.event_name(),
            TokenEvent::DelegateChanged { .. } => "DelegateChanged",
            TokenEvent::DelegateVotesChanged { .. } => "DelegateVotesChanged",
            TokenEvent::VoteCast { .. } => "VoteCast",
            TokenEvent::Snapshot { .. } => "Snapshot",
            TokenEvent::StockSplit { .. } => "StockSplit",
            TokenEvent::Buyback { .. } => "Buyback",
            TokenEvent::Distribution { kind, .. } => kind.event_name(),
            TokenEvent::BondMove { kind: BondMoveKind::Issue, .. } => "Issue",
            TokenEvent::BondMove { kind: BondMoveKind::Transfer, .. } => "Transfer",
            TokenEvent::BondMove { kind: BondMoveKind::Redeem, .. } => "Redeem",
            TokenEvent::BondStatus { defaulted: false, .. } => "Matured",
            TokenEvent::BondStatus { defaulted: true, .. } => "Defaulted",
            TokenEvent::Investor(i) => i.action.event_name(),
            TokenEvent::Lock(l) => l.event_name(),
            TokenEvent::Whitelist(_) => "ModifyWhitelist",
            TokenEvent::ComplianceRule { form, .. } => form.event_name(),
            TokenEvent::CheckpointCreated { .. } => "CheckpointCreated",
            TokenEvent::TransfersFrozen { .. } => "FreezeTransfers",
        }
    }
}

/// A watched contract's metadata. Contracts that lack a view leave it empty (decimals: 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenDiscovered {
    pub chain_id: ChainId,
    pub address: Address,
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    pub block: BlockNumber,
}

/// A log no decoder accepted, kept whole with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndecodedLog {
    pub meta: EventMeta,
    pub topics: Vec<B256>,
    pub data: Bytes,
    pub reason: String,
}

/// Every block up to `block` has been appended to the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlocksCommitted {
    pub chain_id: ChainId,
    pub block: BlockNumber,
    pub block_hash: B256,
    /// The chain head ingest saw.
    pub head: BlockNumber,
    /// The highest block with `confirmations` blocks on top of it.
    pub finalized: BlockNumber,
}

/// The chain was reorganised: everything above `common_ancestor` is void.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reverted {
    pub chain_id: ChainId,
    pub common_ancestor: BlockNumber,
    pub common_ancestor_hash: B256,
    pub abandoned_tip: BlockNumber,
}

impl LogRecord {
    /// The block a record belongs to, for ordering checks and logs.
    pub fn block(&self) -> BlockNumber {
        match self {
            LogRecord::Event(e) => e.meta.block.number,
            LogRecord::TokenDiscovered(t) => t.block,
            LogRecord::Undecoded(u) => u.meta.block.number,
            LogRecord::Committed(c) => c.block,
            LogRecord::Reverted(r) => r.common_ancestor,
        }
    }

    /// Where a record sits in the chain: block, then log index; a block's commit comes after its
    /// logs (log index `u32::MAX`). `None` for records that have no place (token metadata,
    /// reverts). Ingest and the projector both order and de-duplicate records by it.
    pub fn position(&self) -> Option<Position> {
        match self {
            LogRecord::Event(e) => Some((e.meta.block.number.0, e.meta.log_index)),
            LogRecord::Undecoded(u) => Some((u.meta.block.number.0, u.meta.log_index)),
            LogRecord::Committed(c) => Some((c.block.0, u32::MAX)),
            LogRecord::TokenDiscovered(_) | LogRecord::Reverted(_) => None,
        }
    }
}

/// A record's place in the chain: (block number, log index).
pub type Position = (u64, u32);
