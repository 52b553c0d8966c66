//! The records of the event log.
//!
//! Every consumer matches [`LogRecord`] exhaustively, so a projector that forgets to handle a
//! revert, or a new event kind, does not compile.

use alloy::primitives::{Address, Bytes, B256, U256};

use crate::{BlockNumber, ChainId};

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
            TokenEvent::TokensFrozen { .. } => "TokensFrozen",
            TokenEvent::TokensUnfrozen { .. } => "TokensUnfrozen",
            TokenEvent::AddressFrozen { .. } => "AddressFrozen",
            TokenEvent::Paused { .. } => "Paused",
            TokenEvent::Unpaused { .. } => "Unpaused",
            TokenEvent::RecoverySuccess { .. } => "RecoverySuccess",
            TokenEvent::Document { action, .. } => action.event_name(),
            TokenEvent::RootAnchored { .. } => "RootAnchored",
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
}
