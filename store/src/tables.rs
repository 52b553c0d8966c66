//! The column families of the state database, each declared once with its key and value type
//! (after reth's `tables!`). Keys are fixed-width and big-endian so that RocksDB's byte order is
//! the order queries need: by token, then holder, then block.

use alloy::primitives::{Address, B256, U256};

use crate::codec::{put_bytes, Codec, CodecError, Reader};

/// A column family with typed keys and values.
pub(crate) trait Table {
    const NAME: &'static str;
    /// The table's number in undo records.
    const ID: u8;
    type Key: Codec;
    type Value: Codec;
}

macro_rules! tables {
    ($($(#[$doc:meta])* $name:ident = $id:literal : $key:ty => $value:ty;)*) => {
        $(
            $(#[$doc])*
            pub(crate) struct $name;
            impl Table for $name {
                const NAME: &'static str = stringify!($name);
                const ID: u8 = $id;
                type Key = $key;
                type Value = $value;
            }
        )*
        /// Every table's name, in id order, for opening the database.
        pub(crate) const ALL_TABLES: &[&str] = &[$(stringify!($name)),*];
        /// A table's name from its id, for undo records.
        pub(crate) fn table_name(id: u8) -> Option<&'static str> {
            match id { $($id => Some(stringify!($name)),)* _ => None }
        }
    };
}

tables! {
    /// Process-wide values: the applied log offset, the chain status, the undo sequence.
    Meta = 0: MetaKey => Vec<u8>;
    /// Token metadata read when a contract was first seen.
    Tokens = 1: Address => TokenMeta;
    /// Token aggregates at the latest indexed block.
    TokenStates = 2: Address => TokenState;
    /// Token aggregates after each block that changed them.
    TokenHistory = 3: TokenBlockKey => TokenState;
    /// Holder state at the latest indexed block.
    Holders = 4: HolderKey => HolderState;
    /// Holder state after each block that changed it.
    HolderHistory = 5: HolderBlockKey => HolderState;
    /// The listed holders of each token by descending balance, for the latest block, with
    /// their state, so the top of a cap table is one range scan.
    HoldersByBalance = 6: BalanceIndexKey => HolderState;
    /// Every transfer, by token, block and log index.
    Transfers = 7: EventKey => TransferValue;
    /// Transfers by the account on either side.
    TransfersByAccount = 8: AccountEventKey => ();
    /// Logs of watched contracts that no decoder accepted, by block and log index.
    Undecoded = 9: BlockLogKey => Vec<u8>;
    /// Log records that were not valid records, by log offset: the dead letters of the projector.
    DeadLetters = 10: RecordKey => Vec<u8>;
    /// The previous value of every key changed above the finalized block, to undo a reorg.
    Undo = 11: UndoKey => UndoValue;
    /// The hash and time of every block that holds events of a watched contract, so a report as
    /// of a block can state which block it is.
    Blocks = 12: u64 => BlockInfo;
    /// Agent and custody actions (freezes, pauses, recoveries) by token, block and log index:
    /// the audit trail.
    AuditTrail = 13: EventKey => AuditEntry;
    /// ERC-1410 balances by partition at the latest indexed block. The zero address (which never
    /// holds tokens) keeps each partition's total supply.
    PartitionBalances = 14: PartitionKey => U256;
    /// Balances by partition after each block that changed them.
    PartitionHistory = 15: PartitionBlockKey => U256;
    /// What a T-REX contract points to at the latest block: a token's identity registry and
    /// compliance, a registry's storage.
    Links = 16: LinkKey => Address;
    /// Those links after each block that changed them (zero: unlinked).
    LinkHistory = 17: LinkBlockKey => Address;
    /// Investors' identities in a T-REX identity registry storage at the latest block, by
    /// storage contract and wallet.
    Identities = 18: HolderKey => IdentityRecord;
    /// Identities after each block that changed them (a zero identity: removed).
    IdentityHistory = 19: HolderBlockKey => IdentityRecord;
    /// A collateral pool's holdings at the latest block, by pool and asset (the zero address:
    /// the vault's underlying).
    PoolAssets = 20: HolderKey => AssetPosition;
    /// Those holdings after each block that changed them.
    PoolAssetHistory = 21: HolderBlockKey => AssetPosition;
    /// ERC-7540 requests by pool, block and log index.
    VaultRequests = 22: EventKey => VaultRequestValue;
    /// ERC-5805: whom each holder delegates to, latest and by block.
    Delegates = 23: HolderKey => Address;
    DelegateHistory = 24: HolderBlockKey => Address;
    /// ERC-5805: each delegate's voting power, latest and by block.
    Votes = 25: HolderKey => U256;
    VoteHistory = 26: HolderBlockKey => U256;
    /// Governor votes cast, by token, block and log index.
    VotesCast = 27: EventKey => VoteValue;
    /// Corporate actions (snapshots, splits, buybacks, bond maturities and defaults).
    CorporateActions = 28: EventKey => CorporateActionValue;
    /// ERC-2222 / ERC-1726 distributions and withdrawals.
    Distributions = 29: EventKey => DistributionValue;
    /// ERC-3475 balances by class and nonce, latest (holder 0x0: the supply) and by block.
    BondBalances = 30: BondKey => U256;
    BondHistory = 31: BondBlockKey => U256;
    /// The members of a T-REX contract's sets after each block that changed them: a token's or a
    /// registry's agents, a compliance's modules, a claim topics registry's topics, a trusted
    /// issuers registry's issuers (with their topics).
    MemberHistory = 32: MemberBlockKey => Membership;
}

/// Which set of a contract a member is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    /// An agent of a token or an identity registry (`AgentAdded`/`AgentRemoved`).
    Agent = 1,
    /// A module of a modular compliance (`ModuleAdded`/`ModuleRemoved`).
    Module = 2,
    /// A required claim topic of a claim topics registry (`ClaimTopicAdded`/`Removed`).
    ClaimTopic = 3,
    /// A trusted claim issuer of a trusted issuers registry, with the topics it may issue.
    TrustedIssuer = 4,
}

impl MemberKind {
    fn from_u8(v: u8) -> Result<Self, CodecError> {
        use MemberKind::*;
        [Agent, Module, ClaimTopic, TrustedIssuer].into_iter().find(|k| *k as u8 == v).ok_or(CodecError {
            what: "member kind",
            expected: 1,
            found: 0,
        })
    }
}

/// A member of a contract's set after a block: contract, set, member (an address or a topic, as
/// a word), block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MemberBlockKey {
    pub contract: Address,
    pub kind: MemberKind,
    pub member: B256,
    pub block: u64,
}

impl Codec for MemberBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.contract.as_slice());
        out.push(self.kind as u8);
        out.extend_from_slice(self.member.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("member block key", bytes);
        let v = MemberBlockKey {
            contract: r.address()?,
            kind: MemberKind::from_u8(r.u8()?)?,
            member: r.b256()?,
            block: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// Whether a member is in the set after the block, and what it carries (a trusted issuer's
/// claim topics).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    pub present: bool,
    pub topics: Vec<U256>,
}

impl Codec for Membership {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.present));
        out.extend_from_slice(&(self.topics.len() as u32).to_be_bytes());
        for t in &self.topics {
            out.extend_from_slice(&t.to_be_bytes::<32>());
        }
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("membership", bytes);
        let present = r.u8()? != 0;
        let n = r.u32()?;
        let topics = (0..n).map(|_| r.u256()).collect::<Result<Vec<_>, _>>()?;
        r.finish()?;
        Ok(Membership { present, topics })
    }
}

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
        }
    }

    fn from_u8(v: u8) -> Option<Self> {
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

/// A balance in one partition: token, holder, partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PartitionKey {
    pub token: Address,
    pub holder: Address,
    pub partition: B256,
}

impl Codec for PartitionKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
        out.extend_from_slice(self.partition.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("partition key", bytes);
        let v = PartitionKey { token: r.address()?, holder: r.address()?, partition: r.b256()? };
        r.finish()?;
        Ok(v)
    }
}

/// A balance in one partition after a block: token, holder, partition, block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PartitionBlockKey {
    pub token: Address,
    pub holder: Address,
    pub partition: B256,
    pub block: u64,
}

impl Codec for PartitionBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
        out.extend_from_slice(self.partition.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("partition block key", bytes);
        let v = PartitionBlockKey { token: r.address()?, holder: r.address()?, partition: r.b256()?, block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// What a contract links to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A token's identity registry.
    IdentityRegistry = 1,
    /// A token's compliance contract.
    Compliance = 2,
    /// An identity registry's storage.
    IdentityStorage = 3,
    /// An identity registry's claim topics registry.
    ClaimTopics = 4,
    /// An identity registry's trusted issuers registry.
    TrustedIssuers = 5,
}

/// A link: contract, kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LinkKey {
    pub contract: Address,
    pub kind: LinkKind,
}

impl LinkKind {
    fn from_u8(v: u8) -> Result<Self, CodecError> {
        use LinkKind::*;
        [IdentityRegistry, Compliance, IdentityStorage, ClaimTopics, TrustedIssuers]
            .into_iter()
            .find(|k| *k as u8 == v)
            .ok_or(CodecError { what: "link kind", expected: 1, found: 0 })
    }
}

impl Codec for LinkKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.contract.as_slice());
        out.push(self.kind as u8);
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("link key", bytes);
        let v = LinkKey { contract: r.address()?, kind: LinkKind::from_u8(r.u8()?)? };
        r.finish()?;
        Ok(v)
    }
}

/// A link after a block: contract, kind, block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LinkBlockKey {
    pub contract: Address,
    pub kind: LinkKind,
    pub block: u64,
}

impl Codec for LinkBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.contract.as_slice());
        out.push(self.kind as u8);
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("link block key", bytes);
        let v = LinkBlockKey { contract: r.address()?, kind: LinkKind::from_u8(r.u8()?)?, block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// An investor's identity contract (ONCHAINID) and country (ISO 3166-1 numeric).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdentityRecord {
    pub identity: Address,
    pub country: u16,
}

impl Codec for IdentityRecord {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.identity.as_slice());
        out.extend_from_slice(&self.country.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("identity record", bytes);
        let identity = r.address()?;
        let country = u16::from_be_bytes(r.take::<2>()?);
        r.finish()?;
        Ok(IdentityRecord { identity, country })
    }
}

/// A pool's holding of one asset: amount and value in the pool's unit of account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssetPosition {
    pub amount: U256,
    pub value: U256,
}

impl Codec for AssetPosition {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.amount.to_be_bytes::<32>());
        out.extend_from_slice(&self.value.to_be_bytes::<32>());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("asset position", bytes);
        let v = AssetPosition { amount: r.u256()?, value: r.u256()? };
        r.finish()?;
        Ok(v)
    }
}

/// An ERC-7540 request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VaultRequestValue {
    pub redeem: bool,
    pub controller: Address,
    pub owner: Address,
    pub request_id: U256,
    pub sender: Address,
    pub amount: U256,
    pub tx_hash: B256,
    pub timestamp: u64,
}

impl Codec for VaultRequestValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.redeem.into());
        out.extend_from_slice(self.controller.as_slice());
        out.extend_from_slice(self.owner.as_slice());
        out.extend_from_slice(&self.request_id.to_be_bytes::<32>());
        out.extend_from_slice(self.sender.as_slice());
        out.extend_from_slice(&self.amount.to_be_bytes::<32>());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("vault request", bytes);
        let v = VaultRequestValue {
            redeem: r.u8()? != 0,
            controller: r.address()?,
            owner: r.address()?,
            request_id: r.u256()?,
            sender: r.address()?,
            amount: r.u256()?,
            tx_hash: r.b256()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// A Governor vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteValue {
    pub voter: Address,
    pub proposal_id: U256,
    pub support: u8,
    pub weight: U256,
    pub reason: String,
    pub tx_hash: B256,
    pub timestamp: u64,
}

impl Codec for VoteValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.voter.as_slice());
        out.extend_from_slice(&self.proposal_id.to_be_bytes::<32>());
        out.push(self.support);
        out.extend_from_slice(&self.weight.to_be_bytes::<32>());
        put_bytes(out, self.reason.as_bytes());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("vote", bytes);
        let v = VoteValue {
            voter: r.address()?,
            proposal_id: r.u256()?,
            support: r.u8()?,
            weight: r.u256()?,
            reason: String::from_utf8_lossy(r.bytes()?).into_owned(),
            tx_hash: r.b256()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// What a corporate action was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorporateActionKind {
    /// A record date: `id` is the snapshot's.
    Snapshot = 1,
    /// `a` / `b` is the ratio.
    StockSplit = 2,
    /// `account` sold `amount` at `a` per share.
    Buyback = 3,
    /// Bond class `a`, nonce `b` matured.
    Matured = 4,
    /// Bond class `a`, nonce `b` defaulted, `text` says why.
    Defaulted = 5,
}

impl CorporateActionKind {
    pub fn name(self) -> &'static str {
        match self {
            CorporateActionKind::Snapshot => "SNAPSHOT",
            CorporateActionKind::StockSplit => "STOCK_SPLIT",
            CorporateActionKind::Buyback => "BUYBACK",
            CorporateActionKind::Matured => "MATURED",
            CorporateActionKind::Defaulted => "DEFAULTED",
        }
    }

    fn from_u8(v: u8) -> Option<Self> {
        use CorporateActionKind::*;
        [Snapshot, StockSplit, Buyback, Matured, Defaulted].into_iter().find(|k| *k as u8 == v)
    }
}

/// A corporate action; `a`, `b` and `text` mean what [`CorporateActionKind`] says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorporateActionValue {
    pub kind: CorporateActionKind,
    pub id: U256,
    pub account: Address,
    pub amount: U256,
    pub a: U256,
    pub b: U256,
    pub text: String,
    pub tx_hash: B256,
    pub timestamp: u64,
}

impl Codec for CorporateActionValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.kind as u8);
        out.extend_from_slice(&self.id.to_be_bytes::<32>());
        out.extend_from_slice(self.account.as_slice());
        for v in [self.amount, self.a, self.b] {
            out.extend_from_slice(&v.to_be_bytes::<32>());
        }
        put_bytes(out, self.text.as_bytes());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("corporate action", bytes);
        let kind = CorporateActionKind::from_u8(r.u8()?).ok_or(CodecError {
            what: "corporate action kind",
            expected: 1,
            found: 0,
        })?;
        let v = CorporateActionValue {
            kind,
            id: r.u256()?,
            account: r.address()?,
            amount: r.u256()?,
            a: r.u256()?,
            b: r.u256()?,
            text: String::from_utf8_lossy(r.bytes()?).into_owned(),
            tx_hash: r.b256()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// A distribution or withdrawal (ERC-2222, ERC-1726); `kind` is the event's number in the log
/// schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DistributionValue {
    pub kind: u8,
    pub account: Address,
    pub amount: U256,
    pub tx_hash: B256,
    pub timestamp: u64,
}

impl Codec for DistributionValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.kind);
        out.extend_from_slice(self.account.as_slice());
        out.extend_from_slice(&self.amount.to_be_bytes::<32>());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("distribution", bytes);
        let v = DistributionValue {
            kind: r.u8()?,
            account: r.address()?,
            amount: r.u256()?,
            tx_hash: r.b256()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// An ERC-3475 position: token, holder, class, nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BondKey {
    pub token: Address,
    pub holder: Address,
    pub class: U256,
    pub nonce: U256,
}

impl Codec for BondKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
        out.extend_from_slice(&self.class.to_be_bytes::<32>());
        out.extend_from_slice(&self.nonce.to_be_bytes::<32>());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("bond key", bytes);
        let v = BondKey { token: r.address()?, holder: r.address()?, class: r.u256()?, nonce: r.u256()? };
        r.finish()?;
        Ok(v)
    }
}

/// An ERC-3475 position after a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BondBlockKey {
    pub token: Address,
    pub holder: Address,
    pub class: U256,
    pub nonce: U256,
    pub block: u64,
}

impl Codec for BondBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        BondKey { token: self.token, holder: self.holder, class: self.class, nonce: self.nonce }.encode_to(out);
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("bond block key", bytes);
        let v = BondBlockKey {
            token: r.address()?,
            holder: r.address()?,
            class: r.u256()?,
            nonce: r.u256()?,
            block: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// What the log told of a block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockInfo {
    pub hash: B256,
    /// Seconds since the Unix epoch.
    pub timestamp: u64,
}

impl Codec for BlockInfo {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("block info", bytes);
        let v = BlockInfo { hash: r.b256()?, timestamp: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// A key of the `Meta` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetaKey {
    /// The offset of the last record applied from a partition.
    Applied(u32),
    /// Where the chain stands: the least advanced partition's view when there are several.
    Chain,
    /// Where the chain stands according to one partition of several.
    PartitionChain(u32),
    /// The position (block, log index) of the last record applied from a partition since its
    /// last revert: a record at or below it is a copy.
    Position(u32),
    UndoSeq,
}

impl Codec for MetaKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        // Partition 0 keeps the names of the single-partition log.
        match self {
            MetaKey::Applied(0) => out.extend_from_slice(b"applied_offset"),
            MetaKey::Applied(p) => {
                out.extend_from_slice(b"applied_offset/");
                out.extend_from_slice(&p.to_be_bytes());
            }
            MetaKey::Chain => out.extend_from_slice(b"chain"),
            MetaKey::PartitionChain(p) => {
                out.extend_from_slice(b"chain/");
                out.extend_from_slice(&p.to_be_bytes());
            }
            MetaKey::Position(p) => {
                out.extend_from_slice(b"position/");
                out.extend_from_slice(&p.to_be_bytes());
            }
            MetaKey::UndoSeq => out.extend_from_slice(b"undo_seq"),
        }
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let partition = |rest: &[u8]| {
            <[u8; 4]>::try_from(rest).map(u32::from_be_bytes).map_err(|_| CodecError {
                what: "meta key partition",
                expected: 4,
                found: rest.len(),
            })
        };
        match bytes {
            b"applied_offset" => Ok(MetaKey::Applied(0)),
            b"chain" => Ok(MetaKey::Chain),
            b"undo_seq" => Ok(MetaKey::UndoSeq),
            _ if bytes.starts_with(b"applied_offset/") => Ok(MetaKey::Applied(partition(&bytes[15..])?)),
            _ if bytes.starts_with(b"chain/") => Ok(MetaKey::PartitionChain(partition(&bytes[6..])?)),
            _ if bytes.starts_with(b"position/") => Ok(MetaKey::Position(partition(&bytes[9..])?)),
            _ => Err(CodecError { what: "meta key", expected: 0, found: bytes.len() }),
        }
    }
}

/// A record's place in the log: partition, then offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RecordKey {
    pub partition: u32,
    pub offset: u64,
}

impl Codec for RecordKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.partition.to_be_bytes());
        out.extend_from_slice(&self.offset.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("record key", bytes);
        let v = RecordKey { partition: r.u32()?, offset: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

impl Codec for Vec<u8> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        Ok(bytes.to_vec())
    }
}

/// What ingest read of a token contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenMeta {
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    pub discovered_block: u64,
}

impl Codec for TokenMeta {
    fn encode_to(&self, out: &mut Vec<u8>) {
        put_bytes(out, self.name.as_bytes());
        put_bytes(out, self.symbol.as_bytes());
        out.push(self.decimals);
        out.extend_from_slice(&self.discovered_block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("token meta", bytes);
        let name = String::from_utf8_lossy(r.bytes()?).into_owned();
        let symbol = String::from_utf8_lossy(r.bytes()?).into_owned();
        let v = TokenMeta { name, symbol, decimals: r.u8()?, discovered_block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// A token's aggregates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TokenState {
    pub total_supply: U256,
    /// Accounts with a non-zero balance.
    pub holder_count: u64,
    /// Accounts with a non-zero balance or any frozen state: what `holders` lists.
    pub listed_count: u64,
    pub paused: bool,
}

impl Codec for TokenState {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.total_supply.to_be_bytes::<32>());
        out.extend_from_slice(&self.holder_count.to_be_bytes());
        out.extend_from_slice(&self.listed_count.to_be_bytes());
        out.push(self.paused.into());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("token state", bytes);
        let v = TokenState {
            total_supply: r.u256()?,
            holder_count: r.u64()?,
            listed_count: r.u64()?,
            paused: r.u8()? != 0,
        };
        r.finish()?;
        Ok(v)
    }
}

/// One account's position in one token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HolderState {
    pub balance: U256,
    /// The part of the balance frozen by an agent (ERC-3643 partial freeze).
    pub frozen: U256,
    /// Whether the whole wallet is frozen (ERC-3643 address freeze).
    pub is_frozen: bool,
    /// The block at which the account first held a balance; 0 if never.
    pub first_acquired: u64,
}

impl HolderState {
    /// Whether `holders` lists the account: a balance or any frozen state.
    pub fn is_listed(&self) -> bool {
        !self.balance.is_zero() || !self.frozen.is_zero() || self.is_frozen
    }
}

impl Codec for HolderState {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.balance.to_be_bytes::<32>());
        out.extend_from_slice(&self.frozen.to_be_bytes::<32>());
        out.push(self.is_frozen.into());
        out.extend_from_slice(&self.first_acquired.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("holder state", bytes);
        let v =
            HolderState { balance: r.u256()?, frozen: r.u256()?, is_frozen: r.u8()? != 0, first_acquired: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TokenBlockKey {
    pub token: Address,
    pub block: u64,
}

impl Codec for TokenBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("token block key", bytes);
        let v = TokenBlockKey { token: r.address()?, block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct HolderKey {
    pub token: Address,
    pub holder: Address,
}

impl Codec for HolderKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("holder key", bytes);
        let v = HolderKey { token: r.address()?, holder: r.address()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct HolderBlockKey {
    pub token: Address,
    pub holder: Address,
    pub block: u64,
}

impl Codec for HolderBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("holder block key", bytes);
        let v = HolderBlockKey { token: r.address()?, holder: r.address()?, block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// Sorts a token's holders by descending balance: the balance is stored inverted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct BalanceIndexKey {
    pub token: Address,
    pub balance: U256,
    pub holder: Address,
}

impl Codec for BalanceIndexKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(&(!self.balance).to_be_bytes::<32>());
        out.extend_from_slice(self.holder.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("balance index key", bytes);
        let v = BalanceIndexKey { token: r.address()?, balance: !r.u256()?, holder: r.address()? };
        r.finish()?;
        Ok(v)
    }
}

/// An event's place: token, block, log index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EventKey {
    pub token: Address,
    pub block: u64,
    pub log_index: u32,
}

impl Codec for EventKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.log_index.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("event key", bytes);
        let v = EventKey { token: r.address()?, block: r.u64()?, log_index: r.u32()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct AccountEventKey {
    pub token: Address,
    pub account: Address,
    pub block: u64,
    pub log_index: u32,
}

impl Codec for AccountEventKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.account.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.log_index.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("account event key", bytes);
        let v = AccountEventKey { token: r.address()?, account: r.address()?, block: r.u64()?, log_index: r.u32()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TransferValue {
    pub from: Address,
    pub to: Address,
    pub value: U256,
    pub tx_hash: B256,
    pub tx_index: u32,
    pub timestamp: u64,
}

impl Codec for TransferValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.from.as_slice());
        out.extend_from_slice(self.to.as_slice());
        out.extend_from_slice(&self.value.to_be_bytes::<32>());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.tx_index.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("transfer", bytes);
        let v = TransferValue {
            from: r.address()?,
            to: r.address()?,
            value: r.u256()?,
            tx_hash: r.b256()?,
            tx_index: r.u32()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct BlockLogKey {
    pub block: u64,
    pub log_index: u32,
}

impl Codec for BlockLogKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.log_index.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("block log key", bytes);
        let v = BlockLogKey { block: r.u64()?, log_index: r.u32()? };
        r.finish()?;
        Ok(v)
    }
}

/// Undo records sort by the partition whose records made the change (a partition's revert undoes
/// its own changes only: the state of a token lives in one partition), then by block, then by
/// the order the changes were made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct UndoKey {
    pub partition: u32,
    pub block: u64,
    pub seq: u64,
}

impl Codec for UndoKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.partition.to_be_bytes());
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.seq.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("undo key", bytes);
        let v = UndoKey { partition: r.u32()?, block: r.u64()?, seq: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// The value a key had before a change: `None` if it was absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UndoValue {
    pub table: u8,
    pub key: Vec<u8>,
    pub previous: Option<Vec<u8>>,
}

impl Codec for UndoValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.table);
        put_bytes(out, &self.key);
        match &self.previous {
            Some(v) => {
                out.push(1);
                put_bytes(out, v);
            }
            None => out.push(0),
        }
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("undo value", bytes);
        let table = r.u8()?;
        let key = r.bytes()?.to_vec();
        let previous = match r.u8()? {
            0 => None,
            _ => Some(r.bytes()?.to_vec()),
        };
        r.finish()?;
        Ok(UndoValue { table, key, previous })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn address() -> impl Strategy<Value = Address> {
        any::<[u8; 20]>().prop_map(Address::from)
    }
    fn u256() -> impl Strategy<Value = U256> {
        any::<[u8; 32]>().prop_map(U256::from_be_bytes)
    }

    fn round_trip<T: Codec + PartialEq + std::fmt::Debug>(v: T) -> Result<(), TestCaseError> {
        let bytes = v.encode();
        prop_assert_eq!(T::decode(&bytes).unwrap(), v);
        // One encoding per value: a byte more or less is an error.
        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert!(T::decode(&longer).is_err());
        if !bytes.is_empty() {
            prop_assert!(T::decode(&bytes[..bytes.len() - 1]).is_err());
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn token_meta(name in ".{0,30}", symbol in ".{0,10}", decimals: u8, b: u64) {
            round_trip(TokenMeta { name, symbol, decimals, discovered_block: b })?;
        }

        #[test]
        fn token_state(s in u256(), h: u64, l: u64, p: bool) {
            round_trip(TokenState { total_supply: s, holder_count: h, listed_count: l, paused: p })?;
        }

        #[test]
        fn holder_state(b in u256(), f in u256(), z: bool, first: u64) {
            round_trip(HolderState { balance: b, frozen: f, is_frozen: z, first_acquired: first })?;
        }

        #[test]
        fn keys(t in address(), h in address(), block: u64, li: u32, bal in u256(), seq: u64) {
            round_trip(TokenBlockKey { token: t, block })?;
            round_trip(HolderKey { token: t, holder: h })?;
            round_trip(HolderBlockKey { token: t, holder: h, block })?;
            round_trip(BalanceIndexKey { token: t, balance: bal, holder: h })?;
            round_trip(EventKey { token: t, block, log_index: li })?;
            round_trip(AccountEventKey { token: t, account: h, block, log_index: li })?;
            round_trip(BlockLogKey { block, log_index: li })?;
            round_trip(UndoKey { partition: li, block, seq })?;
            round_trip(RecordKey { partition: li, offset: seq })?;
            let p = B256::from(bal.to_be_bytes::<32>());
            round_trip(PartitionKey { token: t, holder: h, partition: p })?;
            round_trip(PartitionBlockKey { token: t, holder: h, partition: p, block })?;
            round_trip(bal)?;
            for kind in [LinkKind::IdentityRegistry, LinkKind::Compliance, LinkKind::IdentityStorage, LinkKind::ClaimTopics, LinkKind::TrustedIssuers] {
                round_trip(LinkKey { contract: t, kind })?;
                round_trip(LinkBlockKey { contract: t, kind, block })?;
            }
            round_trip(IdentityRecord { identity: h, country: li as u16 })?;
            for kind in [MemberKind::Agent, MemberKind::Module, MemberKind::ClaimTopic, MemberKind::TrustedIssuer] {
                round_trip(MemberBlockKey { contract: t, kind, member: B256::from(bal.to_be_bytes::<32>()), block })?;
            }
            round_trip(Membership { present: li % 2 == 0, topics: vec![bal, U256::from(seq)] })?;
            round_trip(Membership::default())?;
            round_trip(AssetPosition { amount: bal, value: U256::from(seq) })?;
            round_trip(BondKey { token: t, holder: h, class: bal, nonce: U256::from(seq) })?;
            round_trip(BondBlockKey { token: t, holder: h, class: bal, nonce: U256::from(seq), block })?;
            round_trip(VoteValue { voter: h, proposal_id: bal, support: 1, weight: U256::from(seq), reason: "ok".into(), tx_hash: B256::ZERO, timestamp: block })?;
            round_trip(CorporateActionValue { kind: CorporateActionKind::Buyback, id: bal, account: h, amount: bal, a: U256::from(seq), b: U256::ZERO, text: "x".into(), tx_hash: B256::ZERO, timestamp: block })?;
            round_trip(DistributionValue { kind: 2, account: h, amount: bal, tx_hash: B256::ZERO, timestamp: block })?;
            round_trip(VaultRequestValue { redeem: li % 2 == 0, controller: t, owner: h, request_id: U256::from(block), sender: h, amount: bal, tx_hash: B256::repeat_byte(3), timestamp: seq })?;
        }

        #[test]
        fn audit_entry(a in address(), c in address(), v in u256(), tx in any::<[u8; 32]>(), p in any::<[u8; 32]>(), ts: u64, action in 1u8..=15) {
            let action = AuditAction::from_u8(action).unwrap();
            round_trip(AuditEntry { action, account: a, counterparty: c, amount: v, agent: c, identity: a, partition: B256::from(p), tx_hash: B256::from(tx), timestamp: ts })?;
            prop_assert!(AuditEntry::decode(&[0u8; 10]).is_err());
        }

        #[test]
        fn transfer(f in address(), t in address(), v in u256(), tx in any::<[u8; 32]>(), i: u32, ts: u64) {
            round_trip(TransferValue { from: f, to: t, value: v, tx_hash: B256::from(tx), tx_index: i, timestamp: ts })?;
        }

        #[test]
        fn undo(table: u8, key in prop::collection::vec(any::<u8>(), 0..64),
                previous in prop::option::of(prop::collection::vec(any::<u8>(), 0..64))) {
            round_trip(UndoValue { table, key, previous })?;
        }

        /// The index orders by descending balance, then ascending holder.
        #[test]
        fn balance_index_sorts_descending(t in address(), a in u256(), b in u256(), h1 in address(), h2 in address()) {
            let ka = BalanceIndexKey { token: t, balance: a, holder: h1 }.encode();
            let kb = BalanceIndexKey { token: t, balance: b, holder: h2 }.encode();
            if a > b { prop_assert!(ka < kb); }
            if a < b { prop_assert!(ka > kb); }
        }

        /// Keys sort by block, so `seek_for_prev` finds the state as of a block.
        #[test]
        fn history_keys_sort_by_block(t in address(), h in address(), b1: u64, b2: u64) {
            let k1 = HolderBlockKey { token: t, holder: h, block: b1 }.encode();
            let k2 = HolderBlockKey { token: t, holder: h, block: b2 }.encode();
            prop_assert_eq!(k1.cmp(&k2), b1.cmp(&b2));
        }
    }

    #[test]
    fn table_ids_name_their_tables() {
        for (i, name) in ALL_TABLES.iter().enumerate() {
            assert_eq!(table_name(i as u8), Some(*name));
        }
    }
}
