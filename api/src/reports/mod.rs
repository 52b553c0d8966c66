//! Regulator reports: the holder register and the reconciliation of a token as of a block or a
//! time, and its transfers, issuance (mints and burns) and custody trail over a range of blocks,
//! as CSV or JSON, each stating the block (number and hash) it is as of and a BLAKE3 digest of its
//! content. The same report comes from `GET /reports/<kind>`, the GraphQL field `report` and
//! `registrar report`.
//!
//! The digest is over what the report is (its kind, token, range or block and block hash, as
//! `# key=value` lines) and its canonical CSV lines (header row and data rows, `\n`-ended),
//! whatever format is asked for: a CSV and a JSON of one report carry the same digest, two reports
//! at different blocks never do, and anyone can recompute it from the CSV alone: the lines after
//! the `# digest=` line (`sed '1,/^# digest=/d' report.csv | b3sum`).
//!
//! The numbers come from the store's typed reads (`register`, `reconciliation`, `issuance`,
//! `transfers_between`, `audit_trail`); this module only writes them, one file per report kind.

mod commitment;
mod custody;
mod holders;
mod investors;
mod issuance;
mod open_items;
mod reconciliation;
mod statement;
mod text;
mod transfers;

use std::collections::BTreeMap;

use alloy::primitives::{Address, B256, U256};
pub use registrar_store::AsOf;
use registrar_store::StateDb;
use serde_json::{json, Value};

pub use self::{
    commitment::{commit, holder_proof, Commitment, HolderProof},
    text::{csv_text, parse_rfc3339, partition_label},
};
use crate::ApiError;

/// Which report.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// Every holder with a balance or a freeze: the master securityholder file (SEC Rule 17Ad-9).
    Holders,
    /// The register by investor: each investor (DS investor, T-REX identity, or wallet) with its
    /// country, balance and wallets. Needs an issuer or regulator key for the token.
    Investors,
    /// The control book: the sum of balances against the total supply.
    Reconciliation,
    /// Every transfer in a range of blocks.
    Transfers,
    /// Issuance and redemption (mints and burns) in a range of blocks, with totals.
    Issuance,
    /// The audit trail of agent and custody actions (freezes, pauses, recoveries) in a range.
    Custody,
    /// One holder's statement over a range: every credit and debit with its date and the running
    /// balance, from the opening to the closing balance (SEC Rule 17Ad-9's certificate detail
    /// for uncertificated securities). Needs `holder`.
    Statement,
    /// The subsidiary file of open items: as of the range's last block, the frozen and locked
    /// amounts by account; over the range, the forced transfers, seizures and forced
    /// redemptions, and the ERC-7540 requests.
    OpenItems,
}

impl ReportKind {
    /// The name the report is asked for by (`/reports/<name>`, `registrar report <name>`).
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Holders => "holders",
            ReportKind::Investors => "investors",
            ReportKind::Reconciliation => "reconciliation",
            ReportKind::Transfers => "transfers",
            ReportKind::Issuance => "issuance",
            ReportKind::Custody => "custody",
            ReportKind::Statement => "statement",
            ReportKind::OpenItems => "open-items",
        }
    }

    /// Whether the report covers a range of blocks (else it is as of one block).
    pub fn is_range(self) -> bool {
        match self {
            ReportKind::Transfers
            | ReportKind::Issuance
            | ReportKind::Custody
            | ReportKind::Statement
            | ReportKind::OpenItems => true,
            ReportKind::Holders | ReportKind::Investors | ReportKind::Reconciliation => false,
        }
    }
}

impl std::str::FromStr for ReportKind {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, ApiError> {
        match s {
            "holders" => Ok(ReportKind::Holders),
            "investors" => Ok(ReportKind::Investors),
            "reconciliation" => Ok(ReportKind::Reconciliation),
            "transfers" => Ok(ReportKind::Transfers),
            "issuance" => Ok(ReportKind::Issuance),
            "custody" => Ok(ReportKind::Custody),
            "statement" => Ok(ReportKind::Statement),
            "open-items" => Ok(ReportKind::OpenItems),
            other => Err(ApiError::Invalid {
                field: "report",
                reason: format!(
                    "{other:?}: expected holders, investors, reconciliation, transfers, issuance, custody, statement or \
                     open-items"
                ),
            }),
        }
    }
}

/// How a report is written.
#[derive(async_graphql::Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportFormat {
    #[default]
    Json,
    Csv,
}

impl std::str::FromStr for ReportFormat {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, ApiError> {
        match s {
            "json" => Ok(ReportFormat::Json),
            "csv" => Ok(ReportFormat::Csv),
            other => Err(ApiError::Invalid { field: "format", reason: format!("{other:?}: expected csv or json") }),
        }
    }
}

/// The state a report is as of, from the optional `block` and `at` (RFC 3339) arguments, or `to`
/// (a block number or an RFC 3339 time) for a range; more than one is an error.
pub fn parse_as_of(block: Option<u64>, at: Option<&str>, to: Option<&str>) -> Result<AsOf, ApiError> {
    match (block, at, to) {
        (Some(b), None, None) => Ok(AsOf::Block(b)),
        (None, Some(t), None) => Ok(AsOf::Time(parse_rfc3339(t)?)),
        (None, None, Some(bound)) => parse_bound(bound),
        (None, None, None) => Ok(AsOf::Latest),
        _ => Err(ApiError::Invalid { field: "at", reason: "give one of block, at or to, not both".into() }),
    }
}

/// A range bound: a block number, or an RFC 3339 time.
pub fn parse_bound(text: &str) -> Result<AsOf, ApiError> {
    match text.parse::<u64>() {
        Ok(b) => Ok(AsOf::Block(b)),
        Err(_) => Ok(AsOf::Time(parse_rfc3339(text)?)),
    }
}

/// A finished report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub kind: ReportKind,
    pub token: Address,
    pub block: u64,
    /// `None` for a block that holds no event of a watched contract and is not the latest indexed.
    pub block_hash: Option<B256>,
    /// BLAKE3 of the canonical CSV lines, hex.
    pub digest: String,
    pub content_type: &'static str,
    pub body: String,
}

/// A report's content before its envelope: what each kind's file writes.
struct Table {
    title: &'static str,
    /// Fields of the summary: the JSON's top level, the CSV's `# key=value` header.
    summary: Value,
    /// The canonical CSV lines, header row included: what the digest is of.
    csv: String,
    /// The data rows, for JSON.
    rows: Vec<Value>,
}

/// Checks that `token` is watched and resolves the block `as_of` names.
fn resolve(db: &StateDb, token: Address, as_of: AsOf) -> Result<registrar_store::ResolvedBlock, ApiError> {
    let at = db.resolve_as_of(as_of)?;
    if db.token(token)?.is_none() {
        return Err(ApiError::Invalid { field: "token", reason: format!("{token:#x} is not a watched token") });
    }
    Ok(at)
}

/// What report to build.
#[derive(Clone, Copy, Debug)]
pub struct ReportRequest {
    pub kind: ReportKind,
    pub token: Address,
    /// The block the report is as of, or its range's last block.
    pub as_of: AsOf,
    /// The first block of a range report (default: the first block); as-of reports refuse it.
    pub from: Option<AsOf>,
    /// The holder of a statement; other reports refuse it.
    pub holder: Option<Address>,
    pub format: ReportFormat,
}

/// Builds a report from the state (blocking: call it on a blocking thread). `private`: the
/// caller may see the holders' identity fields, and these are the token's holder labels.
pub fn build(
    db: &StateDb,
    request: &ReportRequest,
    private: Option<BTreeMap<Address, String>>,
) -> Result<Report, ApiError> {
    let ReportRequest { kind, token, as_of, from, holder, format } = *request;
    let at = resolve(db, token, as_of)?;
    let block = at.block;
    let from_block = match (kind, from) {
        (ReportKind::Holders | ReportKind::Investors | ReportKind::Reconciliation, Some(_)) => {
            return Err(ApiError::Invalid {
                field: "from",
                reason: "this report is as of one block: give block or at, not a range".into(),
            });
        }
        (_, None) => 0,
        (_, Some(from)) => db.range_start(from)?,
    };
    let holder = match (kind, holder) {
        (ReportKind::Statement, Some(h)) => h,
        (ReportKind::Statement, None) => {
            return Err(ApiError::Invalid {
                field: "holder",
                reason: "a statement is of one holder: give holder".into(),
            })
        }
        (_, Some(_)) => {
            return Err(ApiError::Invalid { field: "holder", reason: "only a statement is of one holder".into() })
        }
        (_, None) => Address::ZERO,
    };
    if from_block > block {
        return Err(ApiError::Invalid { field: "from", reason: format!("block {from_block} is after block {block}") });
    }
    let table = match kind {
        ReportKind::Holders => holders::table(db, token, block, private)?,
        ReportKind::Investors => investors::table(db, token, block, private.is_some())?,
        ReportKind::Reconciliation => reconciliation::table(db, token, block)?,
        ReportKind::Transfers => transfers::table(db, token, from_block, block)?,
        ReportKind::Issuance => issuance::table(db, token, from_block, block)?,
        ReportKind::Custody => custody::table(db, token, from_block, block, private.is_some())?,
        ReportKind::Statement => statement::table(db, token, holder, from_block, block)?,
        ReportKind::OpenItems => open_items::table(db, token, from_block, block)?,
    };
    let Table { title, mut summary, csv, rows } = table;
    let hash_text = at.hash.map(|h| format!("{h:#x}"));
    let mut binding = binding(title, kind, token, kind.is_range().then_some(from_block), block, at.hash);
    if kind == ReportKind::Statement {
        binding.push_str(&format!("# holder={holder:#x}\n"));
    }
    let digest = digest(&binding, &csv);
    let (content_type, body) = match format {
        ReportFormat::Csv => {
            let mut out = String::new();
            if let Some(t) = at.timestamp {
                out.push_str(&format!("# block_timestamp={t}\n"));
            }
            if let Value::Object(fields) = &summary {
                // Lists are for JSON; the CSV header has their flat forms.
                for (k, v) in fields.iter().filter(|(_, v)| !v.is_array()) {
                    out.push_str(&format!("# {k}={}\n", v.as_str().map_or_else(|| v.to_string(), str::to_string)));
                }
            }
            out.push_str(&format!("# digest=blake3:{digest} (of the lines below)\n"));
            out.push_str(&binding);
            out.push_str(&csv);
            ("text/csv; charset=utf-8", out)
        }
        ReportFormat::Json => {
            let fields = summary.as_object_mut().expect("summary is an object");
            fields.insert("report".into(), json!(title));
            fields.insert("kind".into(), json!(kind.name()));
            fields.insert("token".into(), json!(format!("{token:#x}")));
            if kind.is_range() {
                fields.insert("fromBlock".into(), json!(from_block));
            }
            fields.insert("block".into(), json!(block));
            fields.insert("blockHash".into(), json!(hash_text));
            fields.insert("blockTimestamp".into(), json!(at.timestamp));
            fields.insert("digest".into(), json!(format!("blake3:{digest}")));
            fields.insert("rows".into(), Value::Array(rows));
            ("application/json", serde_json::to_string_pretty(&summary).expect("json values serialise"))
        }
    };
    Ok(Report { kind, token, block, block_hash: at.hash, digest, content_type, body })
}

/// What a report is, as the `# key=value` lines its digest covers before its rows: so two reports
/// of different tokens, kinds, ranges or blocks (or one block on two branches) never share a
/// digest.
fn binding(title: &str, kind: ReportKind, token: Address, from: Option<u64>, block: u64, hash: Option<B256>) -> String {
    let mut out = format!("# registrar {title}\n# report={}\n# token={token:#x}\n", kind.name());
    if let Some(from) = from {
        out.push_str(&format!("# from_block={from}\n"));
    }
    let hash = hash.map_or_else(|| "unknown".to_string(), |h| format!("{h:#x}"));
    out.push_str(&format!("# block={block}\n# block_hash={hash}\n"));
    out
}

/// The digest of a report: BLAKE3 (hex) of what it is and its CSV lines.
fn digest(binding: &str, csv: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(binding.as_bytes()).update(csv.as_bytes());
    hasher.finalize().to_hex().to_string()
}

/// `actual - expected` as a signed decimal.
fn signed_difference(actual: U256, expected: U256) -> String {
    if actual >= expected {
        (actual - expected).to_string()
    } else {
        format!("-{}", expected - actual)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_signed() {
        assert_eq!(signed_difference(U256::from(5), U256::from(3)), "2");
        assert_eq!(signed_difference(U256::from(3), U256::from(5)), "-2");
    }
}
