//! The column families of the state database, each declared once with its key and value type
//! (after reth's `tables!`); their
//! keys and values are in `models/`, one file per group. Keys are fixed-width and big-endian so that RocksDB's byte order is
//! the order queries need: by token, then holder, then block.

mod models;
#[cfg(test)]
mod tests;

use alloy::primitives::{Address, U256};
pub use models::*;

use crate::codec::Codec;

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
    /// The checkpoints of stores written before the typed tables below (applied offsets, chain
    /// statuses, positions, the undo sequence in one table of raw values): emptied into them
    /// when such a store is opened.
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
    /// The offset of the last record applied, by partition.
    AppliedOffsets = 33: u32 => u64;
    /// Where the chain stands: the combined view and, with several partitions, each one's.
    ChainStatuses = 34: ChainView => ChainStatus;
    /// The position (block, log index) of the last record applied from a partition since its
    /// last revert, by partition: a record at or below it is a copy.
    Positions = 35: u32 => (u64, u32);
    /// The sequence number of the next undo record.
    UndoSequence = 36: () => u64;
    /// The finalized block the last commit of each partition announced (the chain's: while a
    /// backfill is behind, above the indexed block). Changes to blocks at or below it are not
    /// kept for undo, and a revert below it is refused.
    ChainFinalized = 37: u32 => u64;
    /// DS investors by registry and [`investor_word`] of their id, latest and by block.
    Investors = 38: SubjectKey => InvestorRecord;
    InvestorHistory = 39: SubjectBlockKey => InvestorRecord;
    /// The investor each wallet belongs to, by DS registry and wallet, latest and by block.
    InvestorWallets = 40: HolderKey => WalletRecord;
    InvestorWalletHistory = 41: HolderBlockKey => WalletRecord;
    /// DS locks by lock manager and owner (a wallet as a word, or an investor's
    /// [`investor_word`]), latest and by block.
    Locks = 42: SubjectKey => LockList;
    LockHistory = 43: SubjectBlockKey => LockList;
    /// ST-20 whitelist entries by transfer manager and investor, latest and by block.
    Whitelists = 44: HolderKey => WhitelistRecord;
    WhitelistHistory = 45: HolderBlockKey => WhitelistRecord;
    /// DS compliance rules by contract and rule (name and key), latest and by block.
    ComplianceRules = 46: SubjectKey => RuleRecord;
    ComplianceRuleHistory = 47: SubjectBlockKey => RuleRecord;
    /// The holders each block changed, by token and block: what moved between a checkpoint of
    /// the top holders and a later block (their states are in `HolderHistory`).
    HolderChanges = 48: BlockHolderKey => ();
    /// Checkpoints of each token's top holders by balance (the balance index's first rows) after
    /// a final block, by token, block and rank. A cache of the history: where they fall depends
    /// on how the log was batched, so the digests leave them out.
    TopCheckpoints = 49: RankKey => RankedHolder;
    /// The number of each block in `Blocks`, by hash: `block: { hash }`.
    BlockNumbers = 50: alloy::primitives::B256 => u64;
}
