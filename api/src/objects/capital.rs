//! Equity, debt and pool lists: corporate actions, distributions, votes, vault requests, with
//! the slice's conventions (connections, `where`, `orderBy`, as of the token's block).

use alloy::primitives::Address;
use async_graphql::{Enum, InputObject, SimpleObject};
use registrar_schemas::DistributionKind;
use registrar_store::{
    CorporateActionDetail, CorporateActionKind, CorporateActionValue, DistributionValue, EventQuery, EventRow, Page,
    VaultRequestValue, VoteValue,
};

use super::{parse_address, show_address, BigInt, PageInfo};
use crate::ApiError;

/// The order of an event list.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EventOrderBy {
    #[default]
    BlockAsc,
    BlockDesc,
}

/// A block range, for every event list's `where`.
fn event_query(
    block_gte: Option<u64>,
    block_lte: Option<u64>,
    order_by: EventOrderBy,
    first: usize,
    after: Option<String>,
) -> EventQuery {
    EventQuery { block_gte, block_lte, descending: order_by == EventOrderBy::BlockDesc, first, after }
}

fn page_info<V>(page: &Page<EventRow<V>>) -> PageInfo {
    PageInfo { end_cursor: page.end_cursor.clone(), has_next_page: page.has_next }
}

/// What a corporate action is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorporateActionType {
    Snapshot,
    StockSplit,
    Buyback,
    Matured,
    Defaulted,
}

impl From<CorporateActionKind> for CorporateActionType {
    fn from(k: CorporateActionKind) -> Self {
        match k {
            CorporateActionKind::Snapshot => CorporateActionType::Snapshot,
            CorporateActionKind::StockSplit => CorporateActionType::StockSplit,
            CorporateActionKind::Buyback => CorporateActionType::Buyback,
            CorporateActionKind::Matured => CorporateActionType::Matured,
            CorporateActionKind::Defaulted => CorporateActionType::Defaulted,
        }
    }
}

/// A corporate action: a record-date snapshot, a stock split, a buyback, a bond maturity or
/// default.
#[derive(SimpleObject, Clone, Debug)]
pub struct CorporateAction {
    pub kind: CorporateActionType,
    /// The snapshot's or the action's id (0 for bond events).
    pub id: BigInt,
    /// Split ratio.
    pub numerator: Option<BigInt>,
    pub denominator: Option<BigInt>,
    /// Buyback: who sold, how much, at what price per share.
    pub seller: Option<String>,
    pub amount: Option<BigInt>,
    pub price: Option<BigInt>,
    /// Bond events: which tranche, and why it defaulted.
    pub class_id: Option<BigInt>,
    pub nonce_id: Option<BigInt>,
    pub reason: Option<String>,
    pub block_number: u64,
    pub log_index: u32,
    pub tx_hash: String,
    pub timestamp: u64,
}

impl From<EventRow<CorporateActionValue>> for CorporateAction {
    fn from((block, log_index, a): EventRow<CorporateActionValue>) -> Self {
        use CorporateActionDetail as D;
        let mut action = CorporateAction {
            kind: a.kind().into(),
            id: BigInt(a.id),
            numerator: None,
            denominator: None,
            seller: None,
            amount: None,
            price: None,
            class_id: None,
            nonce_id: None,
            reason: None,
            block_number: block,
            log_index,
            tx_hash: format!("{:#x}", a.tx_hash),
            timestamp: a.timestamp,
        };
        match a.detail {
            D::Snapshot => {}
            D::StockSplit { numerator, denominator } => {
                action.numerator = Some(BigInt(numerator));
                action.denominator = Some(BigInt(denominator));
            }
            D::Buyback { seller, amount, price } => {
                action.seller = Some(show_address(&seller));
                action.amount = Some(BigInt(amount));
                action.price = Some(BigInt(price));
            }
            D::Matured { class_id, nonce_id } => {
                action.class_id = Some(BigInt(class_id));
                action.nonce_id = Some(BigInt(nonce_id));
            }
            D::Defaulted { class_id, nonce_id, reason } => {
                action.class_id = Some(BigInt(class_id));
                action.nonce_id = Some(BigInt(nonce_id));
                action.reason = Some(reason);
            }
        }
        action
    }
}

#[derive(SimpleObject, Clone, Debug)]
pub struct CorporateActionConnection {
    pub nodes: Vec<CorporateAction>,
    pub page_info: PageInfo,
}

/// Which corporate actions to list; all conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CorporateActionWhere {
    pub kind: Option<CorporateActionType>,
    pub block_gte: Option<u64>,
    pub block_lte: Option<u64>,
}

impl CorporateActionWhere {
    pub fn query(&self, order_by: EventOrderBy, first: usize, after: Option<String>) -> EventQuery {
        event_query(self.block_gte, self.block_lte, order_by, first, after)
    }

    pub fn keep(&self) -> impl Fn(&CorporateActionValue) -> bool + Send + 'static {
        let kind = self.kind;
        move |a| kind.is_none_or(|k| k == CorporateActionType::from(a.kind()))
    }
}

pub fn corporate_action_connection(page: Page<EventRow<CorporateActionValue>>) -> CorporateActionConnection {
    CorporateActionConnection { page_info: page_info(&page), nodes: page.rows.into_iter().map(Into::into).collect() }
}

/// What a distribution event is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistributionType {
    /// ERC-2222 `FundsDistributed`: paid in for holders.
    FundsDistributed,
    /// ERC-2222 `FundsWithdrawn`: a holder took its share.
    FundsWithdrawn,
    /// ERC-1726 `DividendsDistributed`.
    DividendsDistributed,
    /// ERC-1726 `DividendWithdrawn`.
    DividendWithdrawn,
}

impl DistributionType {
    fn of(kind: u8) -> Option<Self> {
        Some(match DistributionKind::from_u8(kind)? {
            DistributionKind::FundsDistributed => DistributionType::FundsDistributed,
            DistributionKind::FundsWithdrawn => DistributionType::FundsWithdrawn,
            DistributionKind::DividendsDistributed => DistributionType::DividendsDistributed,
            DistributionKind::DividendWithdrawn => DistributionType::DividendWithdrawn,
        })
    }
}

/// A distribution to holders or a holder's withdrawal (ERC-2222 funds, ERC-1726 dividends).
#[derive(SimpleObject, Clone, Debug)]
pub struct Distribution {
    pub kind: Option<DistributionType>,
    /// Who paid in, or who withdrew.
    pub account: String,
    pub amount: BigInt,
    pub block_number: u64,
    pub log_index: u32,
    pub tx_hash: String,
    pub timestamp: u64,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct DistributionConnection {
    pub nodes: Vec<Distribution>,
    pub page_info: PageInfo,
}

/// Which distributions to list; all conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DistributionWhere {
    pub kind: Option<DistributionType>,
    pub account: Option<String>,
    pub block_gte: Option<u64>,
    pub block_lte: Option<u64>,
}

impl DistributionWhere {
    pub fn query(&self, order_by: EventOrderBy, first: usize, after: Option<String>) -> EventQuery {
        event_query(self.block_gte, self.block_lte, order_by, first, after)
    }

    pub fn keep(&self) -> Result<impl Fn(&DistributionValue) -> bool + Send + 'static, ApiError> {
        let kind = self.kind;
        let account = self.account.as_deref().map(parse_address).transpose()?;
        Ok(move |d: &DistributionValue| {
            kind.is_none_or(|k| DistributionType::of(d.kind) == Some(k)) && account.is_none_or(|a| a == d.account)
        })
    }
}

pub fn distribution_connection(page: Page<EventRow<DistributionValue>>) -> DistributionConnection {
    DistributionConnection {
        page_info: page_info(&page),
        nodes: page
            .rows
            .into_iter()
            .map(|(block, log_index, d)| Distribution {
                kind: DistributionType::of(d.kind),
                account: show_address(&d.account),
                amount: BigInt(d.amount),
                block_number: block,
                log_index,
                tx_hash: format!("{:#x}", d.tx_hash),
                timestamp: d.timestamp,
            })
            .collect(),
    }
}

/// A Governor vote.
#[derive(SimpleObject, Clone, Debug)]
pub struct VoteCast {
    pub voter: String,
    pub proposal_id: BigInt,
    /// 0 against, 1 for, 2 abstain.
    pub support: u8,
    pub weight: BigInt,
    pub reason: String,
    pub block_number: u64,
    pub log_index: u32,
    pub tx_hash: String,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct VoteConnection {
    pub nodes: Vec<VoteCast>,
    pub page_info: PageInfo,
}

/// Which votes to list; all conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct VoteWhere {
    pub proposal_id: Option<BigInt>,
    pub voter: Option<String>,
    pub block_gte: Option<u64>,
    pub block_lte: Option<u64>,
}

impl VoteWhere {
    pub fn query(&self, order_by: EventOrderBy, first: usize, after: Option<String>) -> EventQuery {
        event_query(self.block_gte, self.block_lte, order_by, first, after)
    }

    pub fn keep(&self) -> Result<impl Fn(&VoteValue) -> bool + Send + 'static, ApiError> {
        let proposal = self.proposal_id.map(|p| p.0);
        let voter = self.voter.as_deref().map(parse_address).transpose()?;
        Ok(move |v: &VoteValue| proposal.is_none_or(|p| p == v.proposal_id) && voter.is_none_or(|a| a == v.voter))
    }
}

pub fn vote_connection(page: Page<EventRow<VoteValue>>) -> VoteConnection {
    VoteConnection {
        page_info: page_info(&page),
        nodes: page
            .rows
            .into_iter()
            .map(|(block, log_index, v)| VoteCast {
                voter: show_address(&v.voter),
                proposal_id: BigInt(v.proposal_id),
                support: v.support,
                weight: BigInt(v.weight),
                reason: v.reason,
                block_number: block,
                log_index,
                tx_hash: format!("{:#x}", v.tx_hash),
            })
            .collect(),
    }
}

/// An ERC-7540 request's kind.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaultRequestType {
    /// `DepositRequest`: the amount is in assets.
    Deposit,
    /// `RedeemRequest`: the amount is in shares.
    Redeem,
}

/// An ERC-7540 asynchronous request to a vault.
#[derive(SimpleObject, Clone, Debug)]
pub struct VaultRequest {
    pub kind: VaultRequestType,
    pub request_id: BigInt,
    pub controller: String,
    pub owner: String,
    pub sender: String,
    pub amount: BigInt,
    pub block_number: u64,
    pub log_index: u32,
    pub tx_hash: String,
    pub timestamp: u64,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct VaultRequestConnection {
    pub nodes: Vec<VaultRequest>,
    pub page_info: PageInfo,
}

/// Which requests to list; all conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct VaultRequestWhere {
    pub kind: Option<VaultRequestType>,
    pub owner: Option<String>,
    pub controller: Option<String>,
    pub block_gte: Option<u64>,
    pub block_lte: Option<u64>,
}

impl VaultRequestWhere {
    pub fn query(&self, order_by: EventOrderBy, first: usize, after: Option<String>) -> EventQuery {
        event_query(self.block_gte, self.block_lte, order_by, first, after)
    }

    pub fn keep(&self) -> Result<impl Fn(&VaultRequestValue) -> bool + Send + 'static, ApiError> {
        let kind = self.kind;
        let owner: Option<Address> = self.owner.as_deref().map(parse_address).transpose()?;
        let controller: Option<Address> = self.controller.as_deref().map(parse_address).transpose()?;
        Ok(move |r: &VaultRequestValue| {
            let k = if r.redeem { VaultRequestType::Redeem } else { VaultRequestType::Deposit };
            kind.is_none_or(|want| want == k)
                && owner.is_none_or(|o| o == r.owner)
                && controller.is_none_or(|c| c == r.controller)
        })
    }
}

pub fn vault_request_connection(page: Page<EventRow<VaultRequestValue>>) -> VaultRequestConnection {
    VaultRequestConnection {
        page_info: page_info(&page),
        nodes: page
            .rows
            .into_iter()
            .map(|(block, log_index, r)| VaultRequest {
                kind: if r.redeem { VaultRequestType::Redeem } else { VaultRequestType::Deposit },
                request_id: BigInt(r.request_id),
                controller: show_address(&r.controller),
                owner: show_address(&r.owner),
                sender: show_address(&r.sender),
                amount: BigInt(r.amount),
                block_number: block,
                log_index,
                tx_hash: format!("{:#x}", r.tx_hash),
                timestamp: r.timestamp,
            })
            .collect(),
    }
}

// An amount of one ERC-3475 class and nonce.
#[derive(SimpleObject, Clone, Debug)]
pub struct BondPosition {
    pub class_id: BigInt,
    pub nonce_id: BigInt,
    pub amount: BigInt,
}

/// An ERC-3475 tranche (class and nonce): its supply and status as of the block.
#[derive(SimpleObject, Clone, Debug)]
pub struct BondTranche {
    pub class_id: BigInt,
    pub nonce_id: BigInt,
    /// Outstanding (issued less redeemed).
    pub supply: BigInt,
    /// `OUTSTANDING`, `MATURED` or `DEFAULTED`.
    pub status: String,
    /// Why it defaulted.
    pub default_reason: Option<String>,
}

/// The votes cast on one proposal up to the block.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProposalTally {
    pub proposal_id: BigInt,
    pub against_votes: BigInt,
    pub for_votes: BigInt,
    pub abstain_votes: BigInt,
    pub voters: u64,
}
