//! Investor registers in the API: a token's investors (DS investors, T-REX identities, or
//! wallets), their DS attributes and locks, ST-20 whitelist entries, DS compliance rules.

use alloy::primitives::{Address, U256};
use async_graphql::{Context, Result, SimpleObject};
use registrar_store::{
    InvestorRecord, InvestorRow, LockRecord, RuleRecord, StateDb, StoreError, WhitelistRecord, INVESTOR_FULLY_LOCKED,
    INVESTOR_LIQUIDATE_ONLY, INVESTOR_PAUSED,
};

use super::{show_address, BigInt, PageInfo};
use crate::{resolvers::page_size, ApiState};

/// One investor of a token as of a block, with the wallets that hold its tokens.
#[derive(SimpleObject, Clone, Debug)]
pub struct Investor {
    /// The DS investor id, the ONCHAINID (T-REX), or the wallet (tokens that do not group
    /// wallets, and wallets the registry does not know).
    pub id: String,
    /// `DS_REGISTRY`, `ONCHAINID` or `WALLET`: where the grouping comes from.
    pub source: String,
    /// As the registry keeps it: ISO 3166-1 alpha-2 for DS, numeric for T-REX; empty if unknown.
    pub country: String,
    /// The sum of its wallets' balances.
    pub balance: BigInt,
    /// What its locks leave free to move at the block's time (DS `getTransferableTokens`): the
    /// balance less the locks that still hold; zero while the investor is fully locked.
    pub transferable: BigInt,
    pub wallets: Vec<InvestorWallet>,
    /// DS attributes (1 KYC, 2 accredited, 4 qualified, 8 professional).
    pub attributes: Vec<InvestorAttribute>,
    /// The DS lock manager's locks of the investor (made through any of its wallets).
    pub locks: Vec<Lock>,
    pub fully_locked: bool,
    pub paused: bool,
    pub liquidate_only: bool,
}

/// A wallet of an investor and its balance.
#[derive(SimpleObject, Clone, Debug)]
pub struct InvestorWallet {
    pub address: String,
    pub balance: BigInt,
}

/// A DS investor attribute: `attribute` is `value` (0 pending, 1 approved, 2 rejected) until
/// `expiry` (seconds).
#[derive(SimpleObject, Clone, Debug)]
pub struct InvestorAttribute {
    pub attribute: BigInt,
    pub value: BigInt,
    pub expiry: BigInt,
    pub proof_hash: String,
}

/// A DS lock.
#[derive(SimpleObject, Clone, Debug)]
pub struct Lock {
    pub value: BigInt,
    /// The reason code (0 manual) and its text.
    pub reason: BigInt,
    pub reason_text: String,
    /// When it stops holding (seconds); 0: until removed.
    pub release_time: BigInt,
    /// Whether it still holds at the block's time.
    pub active: bool,
    /// The partition of partitioned lock managers (hex), else null.
    pub partition: Option<String>,
}

impl Lock {
    fn list(locks: Vec<LockRecord>, time: u64) -> Vec<Lock> {
        locks
            .into_iter()
            .map(|l| Lock {
                active: l.holds_at(time),
                value: BigInt(l.value),
                reason: BigInt(l.reason),
                reason_text: l.reason_text,
                release_time: BigInt(l.release_time),
                partition: (!l.partition.is_zero()).then(|| format!("{:#x}", l.partition)),
            })
            .collect()
    }
}

/// An ST-20 whitelist entry: the investor may send from `canSendAfter`, receive from
/// `canReceiveAfter`, until `expiry` (seconds), and buy in the offering if `canBuy`.
#[derive(SimpleObject, Clone, Debug)]
pub struct WhitelistEntry {
    pub investor: String,
    pub can_send_after: BigInt,
    pub can_receive_after: BigInt,
    pub expiry: BigInt,
    pub can_buy: bool,
    pub added_by: String,
    pub added_at: BigInt,
}

impl WhitelistEntry {
    pub(super) fn new(investor: Address, w: WhitelistRecord) -> Self {
        WhitelistEntry {
            investor: show_address(&investor),
            can_send_after: BigInt(w.can_send_after),
            can_receive_after: BigInt(w.can_receive_after),
            expiry: BigInt(w.expiry),
            can_buy: w.can_buy,
            added_by: show_address(&w.added_by),
            added_at: BigInt(w.added_at),
        }
    }
}

/// Investors that hold the token in one country.
#[derive(SimpleObject, Clone, Debug)]
pub struct CountryCount {
    pub country: String,
    pub investors: u64,
    pub balance: BigInt,
}

/// A DS compliance rule: a limit, a flag (0/1) or a value by key (a country).
#[derive(SimpleObject, Clone, Debug)]
pub struct ComplianceRule {
    /// The event that set it last (`DSComplianceUIntRuleSet`, ...).
    pub kind: String,
    pub rule: String,
    pub key: String,
    pub value: BigInt,
}

impl From<RuleRecord> for ComplianceRule {
    fn from(r: RuleRecord) -> Self {
        let kind = registrar_schemas::RuleForm::from_u8(r.form).map_or("", |f| f.event_name()).to_string();
        ComplianceRule { kind, rule: r.rule, key: r.key, value: BigInt(r.value) }
    }
}

#[derive(SimpleObject, Clone, Debug)]
pub struct InvestorConnection {
    pub nodes: Vec<Investor>,
    /// Investors listed (holding a balance or a frozen state in some wallet).
    pub total_count: u64,
    /// Investors with a positive balance: what DS counts against its limits.
    pub holding_count: u64,
    pub page_info: PageInfo,
}

/// Builds an investor row with its locks and what they leave free at `time`.
fn investor(
    db: &StateDb,
    token: Address,
    source: &str,
    row: InvestorRow,
    block: u64,
    time: u64,
) -> Result<Investor, StoreError> {
    let locks = match &row.record {
        Some(r) => db.investor_locks_at(token, &r.id, block)?,
        None => Vec::new(),
    };
    let flags = row.record.as_ref().map_or(0, |r| r.flags);
    let locked: U256 = locks.iter().filter(|l| l.holds_at(time)).fold(U256::ZERO, |s, l| s.saturating_add(l.value));
    let transferable = if flags & INVESTOR_FULLY_LOCKED != 0 { U256::ZERO } else { row.balance.saturating_sub(locked) };
    let attributes = row.record.map(|r: InvestorRecord| r.attributes).unwrap_or_default();
    Ok(Investor {
        id: row.id,
        source: source.to_string(),
        country: row.country,
        balance: BigInt(row.balance),
        transferable: BigInt(transferable),
        wallets: row
            .wallets
            .into_iter()
            .map(|w| InvestorWallet { address: show_address(&w.address), balance: BigInt(w.state.balance) })
            .collect(),
        attributes: attributes
            .into_iter()
            .map(|a| InvestorAttribute {
                attribute: BigInt(a.attribute),
                value: BigInt(a.value),
                expiry: BigInt(a.expiry),
                proof_hash: a.proof_hash,
            })
            .collect(),
        locks: Lock::list(locks, time),
        fully_locked: flags & INVESTOR_FULLY_LOCKED != 0,
        paused: flags & INVESTOR_PAUSED != 0,
        liquidate_only: flags & INVESTOR_LIQUIDATE_ONLY != 0,
    })
}

/// A page of `token`'s investors after `block`, by id.
pub(super) async fn investors(
    ctx: &Context<'_>,
    token: Address,
    block: u64,
    first: Option<i32>,
    after: Option<String>,
) -> Result<InvestorConnection> {
    let state = ctx.data::<ApiState>()?;
    let first = page_size(first)?;
    Ok(state
        .read(move |db| {
            let (source, rows) = db.investor_register(token, block)?;
            let time = db.time_at(block)?.unwrap_or(0);
            let total_count = rows.len() as u64;
            let holding_count = rows.iter().filter(|r| !r.balance.is_zero()).count() as u64;
            let skip = after.as_deref().map_or(0, |c| rows.partition_point(|r| r.id.as_str() <= c));
            let has_next_page = rows.len() > skip + first;
            let page: Vec<InvestorRow> = rows.into_iter().skip(skip).take(first).collect();
            let end_cursor = page.last().map(|r| r.id.clone());
            let nodes = page
                .into_iter()
                .map(|r| investor(db, token, source.name(), r, block, time))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(InvestorConnection {
                nodes,
                total_count,
                holding_count,
                page_info: PageInfo { end_cursor, has_next_page },
            })
        })
        .await?)
}

/// The investor `wallet` belongs to, as of `block`.
pub(super) async fn investor_of(
    ctx: &Context<'_>,
    token: Address,
    wallet: Address,
    block: u64,
) -> Result<Option<Investor>> {
    let state = ctx.data::<ApiState>()?;
    Ok(state
        .read(move |db| {
            let Some((source, row)) = db.investor_of(token, wallet, block)? else { return Ok(None) };
            let time = db.time_at(block)?.unwrap_or(0);
            investor(db, token, source.name(), row, block, time).map(Some)
        })
        .await?)
}

pub(super) async fn investors_by_country(ctx: &Context<'_>, token: Address, block: u64) -> Result<Vec<CountryCount>> {
    let state = ctx.data::<ApiState>()?;
    let rows = state.read(move |db| db.investors_by_country(token, block)).await?;
    Ok(rows
        .into_iter()
        .map(|c| CountryCount { country: c.country, investors: c.investors, balance: BigInt(c.balance) })
        .collect())
}

pub(super) async fn wallet_locks(ctx: &Context<'_>, token: Address, wallet: Address, block: u64) -> Result<Vec<Lock>> {
    let state = ctx.data::<ApiState>()?;
    let (locks, time) =
        state.read(move |db| Ok((db.locks_at(token, wallet, block)?, db.time_at(block)?.unwrap_or(0)))).await?;
    Ok(Lock::list(locks, time))
}
