//! Regulator reports: the holder register and the reconciliation of a token as of a block or a
//! time, and its transfers, issuance (mints and burns) and custody trail over a range of blocks,
//! as CSV or JSON, each stating the block (number and hash) it is as of and a BLAKE3 digest of its
//! content. The same report comes from `GET /reports/<kind>`, the GraphQL field `report` and
//! `registrar report`.
//!
//! The digest is over the report's canonical CSV lines (header row and data rows, `\n`-ended),
//! whatever format is asked for: a CSV and a JSON of one report carry the same digest, and anyone
//! can recompute it from the CSV alone (`tail -n +N report.csv | b3sum`).
//!
//! The numbers come from the store's typed reads (`register`, `reconciliation`, `issuance`,
//! `transfers_between`, `audit_trail`); this module only writes them, one file per report kind.

mod commitment;
mod custody;
mod holders;
mod issuance;
mod reconciliation;
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
    /// The control book: the sum of balances against the total supply.
    Reconciliation,
    /// Every transfer in a range of blocks.
    Transfers,
    /// Issuance and redemption (mints and burns) in a range of blocks, with totals.
    Issuance,
    /// The audit trail of agent and custody actions (freezes, pauses, recoveries) in a range.
    Custody,
}

impl std::str::FromStr for ReportKind {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, ApiError> {
        match s {
            "holders" => Ok(ReportKind::Holders),
            "reconciliation" => Ok(ReportKind::Reconciliation),
            "transfers" => Ok(ReportKind::Transfers),
            "issuance" => Ok(ReportKind::Issuance),
            "custody" => Ok(ReportKind::Custody),
            other => Err(ApiError::Invalid {
                field: "report",
                reason: format!("{other:?}: expected holders, reconciliation, transfers, issuance or custody"),
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

/// Builds a report from the state (blocking: call it on a blocking thread). `from` starts the
/// range of a transfers, issuance or custody report (default: the first block); the other
/// reports are as of one block and refuse it. `private`: the caller may see the holders'
/// identity fields, and these are the token's holder labels.
pub fn build(
    db: &StateDb,
    kind: ReportKind,
    token: Address,
    as_of: AsOf,
    from: Option<AsOf>,
    format: ReportFormat,
    private: Option<BTreeMap<Address, String>>,
) -> Result<Report, ApiError> {
    let at = resolve(db, token, as_of)?;
    let block = at.block;
    let from_block = match (kind, from) {
        (ReportKind::Holders | ReportKind::Reconciliation, Some(_)) => {
            return Err(ApiError::Invalid {
                field: "from",
                reason: "this report is as of one block: give block or at, not a range".into(),
            });
        }
        (_, None) => 0,
        (_, Some(from)) => db.range_start(from)?,
    };
    if from_block > block {
        return Err(ApiError::Invalid { field: "from", reason: format!("block {from_block} is after block {block}") });
    }
    let table = match kind {
        ReportKind::Holders => holders::table(db, token, block, private)?,
        ReportKind::Reconciliation => reconciliation::table(db, token, block)?,
        ReportKind::Transfers => transfers::table(db, token, from_block, block)?,
        ReportKind::Issuance => issuance::table(db, token, from_block, block)?,
        ReportKind::Custody => custody::table(db, token, from_block, block, private.is_some())?,
    };
    let Table { title, mut summary, csv, rows } = table;
    let digest = blake3::hash(csv.as_bytes()).to_hex().to_string();
    let hash_text = at.hash.map(|h| format!("{h:#x}"));
    let (content_type, body) = match format {
        ReportFormat::Csv => {
            let mut out = format!("# registrar {title}\n# token={token:#x}\n# block={block}\n");
            out.push_str(&format!("# block_hash={}\n", hash_text.as_deref().unwrap_or("unknown")));
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
            out.push_str(&csv);
            ("text/csv; charset=utf-8", out)
        }
        ReportFormat::Json => {
            let fields = summary.as_object_mut().expect("summary is an object");
            fields.insert("report".into(), json!(title));
            fields.insert("token".into(), json!(format!("{token:#x}")));
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
