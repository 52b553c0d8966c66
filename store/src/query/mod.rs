//! The reads the API answers with. Every read takes the block it is as of: history tables are
//! searched with `seek_for_prev`, so any block since the first event can be asked.

use alloy::primitives::{hex, Address, B256, U256};

mod as_of;
mod events;
mod history;
mod holders;
mod investors;
mod journal;
mod partitions;
mod registers;
mod registry;
mod tallies;
mod tokens;
mod top;

pub use self::{
    as_of::{AsOf, ResolvedBlock},
    holders::HolderChange,
    investors::{CountryCount, InvestorRow, InvestorSource},
    registers::{
        Check, HolderRegister, Issuance, IssuanceKind, IssuanceRow, Reconciliation, ReconciliationRow, RegisterRow,
    },
    tallies::{BondTranche, ComplianceSetup, PoolSummary, ProposalTally, TrancheStatus},
};
use crate::{HolderState, StoreError};

/// (holder, partition) and its balance.
type PartitionEntry = ((Address, B256), U256);

/// A token's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub address: Address,
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    pub discovered_block: u64,
}

/// A token's aggregates as of a block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenSnapshot {
    pub total_supply: U256,
    pub holder_count: u64,
    pub listed_count: u64,
    pub paused: bool,
}

/// How `holders` sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HolderOrder {
    BalanceDesc,
    BalanceAsc,
    Address,
}

/// One holder as of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HolderRow {
    pub address: Address,
    pub state: HolderState,
}

/// A page of a list with an opaque cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
    pub end_cursor: Option<String>,
}

pub type HoldersPage = Page<HolderRow>;

/// Which rows of an event list (corporate actions, distributions, votes, requests) to read: a
/// block range, the order, a page.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    pub block_gte: Option<u64>,
    pub block_lte: Option<u64>,
    /// Newest first.
    pub descending: bool,
    pub first: usize,
    /// The `endCursor` of the previous page.
    pub after: Option<String>,
}

/// A row of an event list: block, log index, value.
pub type EventRow<V> = (u64, u32, V);

/// Which transfers to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransferFilter {
    pub from: Option<Address>,
    pub to: Option<Address>,
    /// The account on either side.
    pub account: Option<Address>,
    pub block_gte: Option<u64>,
    pub block_lte: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferRow {
    pub from: Address,
    pub to: Address,
    pub value: U256,
    pub block_number: u64,
    pub log_index: u32,
    pub tx_hash: B256,
    pub tx_index: u32,
    pub timestamp: u64,
}

/// Why a cursor was refused.
fn bad_cursor(what: &'static str) -> StoreError {
    StoreError::BadCursor(what)
}

fn parse_cursor(cursor: Option<&str>, what: &'static str) -> Result<Option<Vec<u8>>, StoreError> {
    cursor.map(|c| hex::decode(c).map_err(|_| bad_cursor(what))).transpose()
}

/// The bytes a holder sorts by under `order`; also its cursor.
fn sort_key(order: HolderOrder, row: &HolderRow) -> Vec<u8> {
    let mut k = Vec::with_capacity(52);
    match order {
        HolderOrder::BalanceDesc => k.extend_from_slice(&(!row.state.balance).to_be_bytes::<32>()),
        HolderOrder::BalanceAsc => k.extend_from_slice(&row.state.balance.to_be_bytes::<32>()),
        HolderOrder::Address => {}
    }
    k.extend_from_slice(row.address.as_slice());
    k
}
