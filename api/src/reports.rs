//! Regulator reports: the holder register and the reconciliation of a token as of a block or a
//! time, and its transfers and issuance (mints and burns) over a range of blocks, as CSV or JSON, each stating the block (number and hash) it is as of and a BLAKE3
//! digest of its content. The same report comes from `GET /reports/<kind>`, the GraphQL field
//! `report` and `registrar report`.
//!
//! The digest is over the report's canonical CSV lines (header row and data rows, `\n`-ended),
//! whatever format is asked for: a CSV and a JSON of one report carry the same digest, and anyone
//! can recompute it from the CSV alone (`tail -n +N report.csv | b3sum`).

use alloy::primitives::{Address, B256, U256};
use registrar_store::{HolderRow, IdentityRecord, StateDb};
use serde_json::{json, Value};

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

/// The state a report is as of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOf {
    /// The latest indexed block.
    Latest,
    /// After this block.
    Block(u64),
    /// After the last block at or before this time (seconds since the epoch).
    Time(u64),
}

impl AsOf {
    /// From the optional `block` and `at` (RFC 3339) arguments, or `to` (a block number or an
    /// RFC 3339 time) for a range; more than one is an error.
    pub fn parse(block: Option<u64>, at: Option<&str>, to: Option<&str>) -> Result<AsOf, ApiError> {
        match (block, at, to) {
            (Some(b), None, None) => Ok(AsOf::Block(b)),
            (None, Some(t), None) => Ok(AsOf::Time(parse_rfc3339(t)?)),
            (None, None, Some(bound)) => AsOf::bound(bound),
            (None, None, None) => Ok(AsOf::Latest),
            _ => Err(ApiError::Invalid { field: "at", reason: "give one of block, at or to, not both".into() }),
        }
    }

    /// A range bound: a block number, or an RFC 3339 time.
    pub fn bound(text: &str) -> Result<AsOf, ApiError> {
        match text.parse::<u64>() {
            Ok(b) => Ok(AsOf::Block(b)),
            Err(_) => Ok(AsOf::Time(parse_rfc3339(text)?)),
        }
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

/// The block a report is as of, and what the state knows of it.
struct AsOfBlock {
    /// The latest indexed block.
    indexed: u64,
    block: u64,
    block_hash: Option<B256>,
    timestamp: Option<u64>,
}

/// Checks that `token` is watched and finds the block `as_of` names.
fn resolve(db: &StateDb, token: Address, as_of: AsOf) -> Result<AsOfBlock, ApiError> {
    let status = db.chain_status()?.ok_or(ApiError::NotIndexed)?;
    let block = match as_of {
        AsOf::Latest => status.indexed_block,
        AsOf::Block(b) if b > status.indexed_block => {
            return Err(ApiError::BlockNotIndexed { requested: b, indexed: status.indexed_block })
        }
        AsOf::Block(b) => b,
        AsOf::Time(t) => match db.block_at_time(t)? {
            Some((b, _)) => b.min(status.indexed_block),
            None => {
                return Err(ApiError::Invalid { field: "at", reason: "no indexed block is that old".into() });
            }
        },
    };
    if db.token(token)?.is_none() {
        return Err(ApiError::Invalid { field: "token", reason: format!("{token:#x} is not a watched token") });
    }
    let info = db.block_info(block)?;
    let block_hash = if block == status.indexed_block { Some(status.indexed_hash) } else { info.map(|i| i.hash) };
    let timestamp = info.map(|i| i.timestamp).filter(|t| *t > 0);
    Ok(AsOfBlock { indexed: status.indexed_block, block, block_hash, timestamp })
}

/// Builds a report from the state (blocking: call it on a blocking thread). `from` starts the
/// range of a transfers or issuance report (default: the first block); the other reports are as
/// of one block and refuse it. `private`: the caller may see the holders' identity fields, and
/// these are the token's holder labels.
pub fn build(
    db: &StateDb,
    kind: ReportKind,
    token: Address,
    as_of: AsOf,
    from: Option<AsOf>,
    format: ReportFormat,
    private: Option<std::collections::BTreeMap<Address, String>>,
) -> Result<Report, ApiError> {
    let AsOfBlock { indexed, block, block_hash, timestamp } = resolve(db, token, as_of)?;
    let from_block = match (kind, from) {
        (ReportKind::Holders | ReportKind::Reconciliation, Some(_)) => {
            return Err(ApiError::Invalid {
                field: "from",
                reason: "this report is as of one block: give block or at, not a range".into(),
            });
        }
        (_, None) => 0,
        (_, Some(AsOf::Block(b))) => b,
        // The first block after the last one before that time.
        (_, Some(AsOf::Time(t))) => db.block_at_time(t.saturating_sub(1))?.map_or(0, |(b, _)| b + 1),
        (_, Some(AsOf::Latest)) => indexed,
    };
    if from_block > block {
        return Err(ApiError::Invalid { field: "from", reason: format!("block {from_block} is after block {block}") });
    }
    let snapshot = db.token_at(token, block)?;
    let identities_visible = private.is_some();
    let (title, mut summary, canonical, rows) = match kind {
        ReportKind::Holders => {
            let mut register = register(db, token, block)?;
            let identities = private.is_some();
            if let Some(labels) = private {
                register.identities = db.identity_register(token, block)?;
                register.labels = labels;
            }
            let summary = json!({
                "identitiesVisible": identities,
                "totalSupply": snapshot.total_supply.to_string(),
                "holderCount": register.rows.iter().filter(|r| !r.holder.state.balance.is_zero()).count(),
                "partitions": register.supplies.iter()
                    .map(|(p, v)| json!({ "partition": format!("{p:#x}"), "name": partition_label(*p), "supply": v.to_string() }))
                    .collect::<Vec<_>>(),
                // The same for the CSV header, in the register's `name=amount;…` form.
                "partitionSupplies": register.supplies.iter()
                    .map(|(p, v)| format!("{}={v}", partition_label(*p)))
                    .collect::<Vec<_>>()
                    .join(";"),
            });
            let rows =
                register.rows.iter().map(|r| r.json(register.identity(r), register.label(r))).collect::<Vec<_>>();
            ("holder register", summary, register.csv(), rows)
        }
        ReportKind::Reconciliation => {
            let register = register(db, token, block)?;
            let holders = &register.rows;
            let sum = holders.iter().fold(U256::ZERO, |s, r| s.saturating_add(r.holder.state.balance));
            let with_balance = holders.iter().filter(|r| !r.holder.state.balance.is_zero()).count() as u64;
            let mut checks = vec![
                ("sum_of_balances".to_string(), snapshot.total_supply, sum),
                ("holders_with_a_balance".to_string(), U256::from(snapshot.holder_count), U256::from(with_balance)),
            ];
            // A partitioned token: every partition's supply is the sum of its holders' balances in
            // it, and the partitions add up to the total supply.
            if !register.supplies.is_empty() {
                let supplies = register.supplies.iter().fold(U256::ZERO, |s, (_, v)| s.saturating_add(*v));
                checks.push(("sum_of_partition_supplies".to_string(), snapshot.total_supply, supplies));
                for (partition, supply) in &register.supplies {
                    let held = holders
                        .iter()
                        .flat_map(|r| r.partitions.iter().filter(|(p, _)| p == partition).map(|(_, v)| *v))
                        .fold(U256::ZERO, |s, v| s.saturating_add(v));
                    checks.push((format!("partition:{}", partition_label(*partition)), *supply, held));
                }
            }
            let balanced = checks.iter().all(|(_, expected, actual)| expected == actual);
            let mut csv = String::from("check,expected,actual,difference\n");
            let mut rows = Vec::new();
            for (check, expected, actual) in checks {
                let difference = signed_difference(actual, expected);
                csv.push_str(&format!("{check},{expected},{actual},{difference}\n"));
                rows.push(json!({
                    "check": check,
                    "expected": expected.to_string(),
                    "actual": actual.to_string(),
                    "difference": difference,
                }));
            }
            ("reconciliation", json!({ "balanced": balanced }), csv, rows)
        }
        ReportKind::Transfers => {
            let transfers = transfers_between(db, token, from_block, block)?;
            let mut csv = String::from("block,log_index,tx_hash,from,to,value,timestamp\n");
            let mut rows = Vec::with_capacity(transfers.len());
            for t in &transfers {
                csv.push_str(&format!(
                    "{},{},{:#x},{:#x},{:#x},{},{}\n",
                    t.block_number, t.log_index, t.tx_hash, t.from, t.to, t.value, t.timestamp
                ));
                rows.push(json!({
                    "block": t.block_number, "logIndex": t.log_index, "txHash": format!("{:#x}", t.tx_hash),
                    "from": format!("{:#x}", t.from), "to": format!("{:#x}", t.to),
                    "value": t.value.to_string(), "timestamp": t.timestamp,
                }));
            }
            ("transfers", json!({ "fromBlock": from_block, "count": transfers.len() }), csv, rows)
        }
        ReportKind::Issuance => {
            let transfers = transfers_between(db, token, from_block, block)?;
            let mut csv = String::from("block,log_index,tx_hash,kind,account,value,timestamp\n");
            let mut rows = Vec::new();
            let (mut issued, mut redeemed) = (U256::ZERO, U256::ZERO);
            for t in &transfers {
                let (what, account) = match (t.from.is_zero(), t.to.is_zero()) {
                    (true, false) => {
                        issued = issued.saturating_add(t.value);
                        ("issue", t.to)
                    }
                    (false, true) => {
                        redeemed = redeemed.saturating_add(t.value);
                        ("redeem", t.from)
                    }
                    _ => continue,
                };
                csv.push_str(&format!(
                    "{},{},{:#x},{what},{account:#x},{},{}\n",
                    t.block_number, t.log_index, t.tx_hash, t.value, t.timestamp
                ));
                rows.push(json!({
                    "block": t.block_number, "logIndex": t.log_index, "txHash": format!("{:#x}", t.tx_hash),
                    "kind": what, "account": format!("{account:#x}"), "value": t.value.to_string(),
                    "timestamp": t.timestamp,
                }));
            }
            let summary = json!({
                "fromBlock": from_block,
                "issued": issued.to_string(),
                "redeemed": redeemed.to_string(),
                "net": signed_difference(issued, redeemed),
            });
            ("issuance", summary, csv, rows)
        }
        ReportKind::Custody => {
            let trail = db.audit_trail(token, from_block, block)?;
            let mut csv = String::from(
                "block,log_index,tx_hash,action,account,counterparty,amount,agent,identity,partition,timestamp\n",
            );
            let mut rows = Vec::with_capacity(trail.len());
            let show = |a: Address| if a.is_zero() { String::new() } else { format!("{a:#x}") };
            // The identity contract is private, as in the holder register.
            let show_identity = |a: Address| if identities_visible { show(a) } else { String::new() };
            for (b, log_index, e) in &trail {
                let partition = if e.partition.is_zero() { String::new() } else { partition_label(e.partition) };
                csv.push_str(&format!(
                    "{b},{log_index},{:#x},{},{},{},{},{},{},{},{}\n",
                    e.tx_hash,
                    e.action.name(),
                    show(e.account),
                    show(e.counterparty),
                    e.amount,
                    show(e.agent),
                    show_identity(e.identity),
                    partition,
                    e.timestamp
                ));
                rows.push(json!({
                    "block": b, "logIndex": log_index, "txHash": format!("{:#x}", e.tx_hash),
                    "action": e.action.name(), "account": show(e.account), "counterparty": show(e.counterparty),
                    "amount": e.amount.to_string(), "agent": show(e.agent), "identity": show_identity(e.identity),
                    "partition": partition, "timestamp": e.timestamp,
                }));
            }
            ("custody audit trail", json!({ "fromBlock": from_block, "count": trail.len() }), csv, rows)
        }
    };
    let digest = blake3::hash(canonical.as_bytes()).to_hex().to_string();
    let hash_text = block_hash.map(|h| format!("{h:#x}"));
    let (content_type, body) = match format {
        ReportFormat::Csv => {
            let mut out = format!("# registrar {title}\n# token={token:#x}\n# block={block}\n");
            out.push_str(&format!("# block_hash={}\n", hash_text.as_deref().unwrap_or("unknown")));
            if let Some(t) = timestamp {
                out.push_str(&format!("# block_timestamp={t}\n"));
            }
            if let Value::Object(fields) = &summary {
                // Lists are for JSON; the CSV header has their flat forms.
                for (k, v) in fields.iter().filter(|(_, v)| !v.is_array()) {
                    out.push_str(&format!("# {k}={}\n", v.as_str().map_or_else(|| v.to_string(), str::to_string)));
                }
            }
            out.push_str(&format!("# digest=blake3:{digest} (of the lines below)\n"));
            out.push_str(&canonical);
            ("text/csv; charset=utf-8", out)
        }
        ReportFormat::Json => {
            let fields = summary.as_object_mut().expect("summary is an object");
            fields.insert("report".into(), json!(title));
            fields.insert("token".into(), json!(format!("{token:#x}")));
            fields.insert("block".into(), json!(block));
            fields.insert("blockHash".into(), json!(hash_text));
            fields.insert("blockTimestamp".into(), json!(timestamp));
            fields.insert("digest".into(), json!(format!("blake3:{digest}")));
            fields.insert("rows".into(), Value::Array(rows));
            ("application/json", serde_json::to_string_pretty(&summary).expect("json values serialise"))
        }
    };
    Ok(Report { kind, token, block, block_hash, digest, content_type, body })
}

/// A holder register committed to: the RFC 6962 Merkle root (BLAKE3) over its canonical CSV data
/// rows, one leaf per row (the line's bytes, without the `\n`), in address order. Submitted to
/// the disclosure archive as a document (kind `holder-register-commitment`), it is anchored on
/// chain with the disclosure log; a holder's [`HolderProof`] then shows their row is in it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Commitment {
    pub token: String,
    pub block: u64,
    pub block_hash: Option<String>,
    pub algorithm: &'static str,
    /// The leaves: the register's rows.
    pub size: u64,
    pub root: String,
    /// The register's digest (`blake3:` of its canonical CSV lines, header row included).
    pub digest: String,
}

/// That one row is leaf `index` of the committed register: verify with `registrar verify
/// inclusion --hash blake3 --leaf-hash <BLAKE3(0x00 ‖ row)> --index … --size … --root … --path …`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HolderProof {
    pub commitment: Commitment,
    /// The holder's CSV row, as committed.
    pub row: String,
    pub leaf_hash: String,
    pub index: u64,
    /// Sibling hashes, deepest first.
    pub path: Vec<String>,
}

/// The register's rows and Merkle tree as of `as_of`.
fn register_tree(
    db: &StateDb,
    token: Address,
    as_of: AsOf,
) -> Result<(Commitment, Vec<String>, registrar_merkle::Tree<registrar_merkle::Blake3>), ApiError> {
    use registrar_merkle::TreeHasher;
    let at = resolve(db, token, as_of)?;
    let register = register(db, token, at.block)?;
    let rows: Vec<String> = register.rows.iter().map(|r| r.leaf()).collect();
    let mut tree = registrar_merkle::Tree::<registrar_merkle::Blake3>::new();
    for row in &rows {
        tree.push(registrar_merkle::Blake3::leaf(row.as_bytes()));
    }
    let commitment = Commitment {
        token: format!("{token:#x}"),
        block: at.block,
        block_hash: at.block_hash.map(|h| format!("{h:#x}")),
        algorithm: "blake3",
        size: rows.len() as u64,
        root: hex::encode(tree.root()),
        digest: format!("blake3:{}", blake3::hash(register.csv().as_bytes()).to_hex()),
    };
    Ok((commitment, rows, tree))
}

/// The commitment to the holder register of `token` as of `as_of`.
pub fn commit(db: &StateDb, token: Address, as_of: AsOf) -> Result<Commitment, ApiError> {
    Ok(register_tree(db, token, as_of)?.0)
}

/// The proof that `holder`'s row is in the register committed as of `as_of`.
pub fn holder_proof(db: &StateDb, token: Address, as_of: AsOf, holder: Address) -> Result<HolderProof, ApiError> {
    use registrar_merkle::{LeafIndex, TreeHasher};
    let (commitment, rows, tree) = register_tree(db, token, as_of)?;
    let prefix = format!("{holder:#x},");
    let index = rows.iter().position(|r| r.starts_with(&prefix)).ok_or_else(|| ApiError::Invalid {
        field: "holder",
        reason: format!("{holder:#x} is not in the register as of block {}", commitment.block),
    })?;
    let path =
        tree.inclusion_proof(LeafIndex(index as u64), tree.size()).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HolderProof {
        row: rows[index].clone(),
        leaf_hash: hex::encode(registrar_merkle::Blake3::leaf(rows[index].as_bytes())),
        index: index as u64,
        path: path.iter().map(hex::encode).collect(),
        commitment,
    })
}

/// Every transfer of `token` in blocks `from..=to`, in chain order.
fn transfers_between(
    db: &StateDb,
    token: Address,
    from: u64,
    to: u64,
) -> Result<Vec<registrar_store::TransferRow>, ApiError> {
    let filter = registrar_store::TransferFilter { block_gte: Some(from), block_lte: Some(to), ..Default::default() };
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = db.transfers(token, filter, to, 1000, after.as_deref())?;
        out.extend(page.rows);
        if !page.has_next {
            return Ok(out);
        }
        after = page.end_cursor;
    }
}

/// `actual - expected` as a signed decimal.
fn signed_difference(actual: U256, expected: U256) -> String {
    if actual >= expected {
        (actual - expected).to_string()
    } else {
        format!("-{}", expected - actual)
    }
}

/// The holder register as of a block: one row per listed account, with its partition balances,
/// and the supply of each partition.
struct Register {
    rows: Vec<RegisterRow>,
    supplies: Vec<(B256, U256)>,
    /// The holders' identities, when the caller may see them (empty otherwise).
    identities: std::collections::BTreeMap<Address, IdentityRecord>,
    /// The holders' off-chain labels, when the caller may see them (empty otherwise).
    labels: std::collections::BTreeMap<Address, String>,
}

struct RegisterRow {
    holder: HolderRow,
    partitions: Vec<(B256, U256)>,
}

fn register(db: &StateDb, token: Address, block: u64) -> Result<Register, ApiError> {
    let mut partitions = db.partition_register(token, block)?;
    let supplies = partitions.remove(&Address::ZERO).unwrap_or_default();
    let rows = db
        .holder_register(token, block)?
        .into_iter()
        .map(|holder| RegisterRow { partitions: partitions.remove(&holder.address).unwrap_or_default(), holder })
        .collect();
    Ok(Register { rows, supplies, identities: Default::default(), labels: Default::default() })
}

impl Register {
    /// The register's canonical CSV. Identity, country and label are empty for a token without
    /// an identity registry, for a holder without them, and for callers who may not see them.
    fn csv(&self) -> String {
        let mut out = String::from(
            "address,balance,balance_by_partition,frozen,is_frozen,identity,country,first_acquired_block,label\n",
        );
        for r in &self.rows {
            out.push_str(&r.csv(self.identity(r), self.label(r)));
            out.push('\n');
        }
        out
    }

    fn identity(&self, row: &RegisterRow) -> Option<&IdentityRecord> {
        self.identities.get(&row.holder.address)
    }

    fn label(&self, row: &RegisterRow) -> Option<&str> {
        self.labels.get(&row.holder.address).map(String::as_str)
    }
}

impl RegisterRow {
    /// One holder's line of the register: [`RegisterRow::fields`] and the label as a CSV text
    /// cell ([`csv_text`]).
    fn csv(&self, identity: Option<&IdentityRecord>, label: Option<&str>) -> String {
        format!("{},{}", self.fields(identity), csv_text(label.unwrap_or_default()))
    }

    /// The row as a leaf of the register's commitment: its public line (identity, country and
    /// label empty), as an anonymous reader's CSV has it.
    fn leaf(&self) -> String {
        self.csv(None, None)
    }

    /// The row's fields up to the first-acquired block. Partition balances are `name=balance`
    /// pairs joined by `;`, by partition.
    fn fields(&self, identity: Option<&IdentityRecord>) -> String {
        let s = &self.holder.state;
        let partitions: Vec<String> =
            self.partitions.iter().map(|(p, v)| format!("{}={v}", partition_label(*p))).collect();
        let (id, country) = match identity {
            Some(r) => (format!("{:#x}", r.identity), r.country.to_string()),
            None => (String::new(), String::new()),
        };
        format!(
            "{:#x},{},{},{},{},{id},{country},{}",
            self.holder.address,
            s.balance,
            partitions.join(";"),
            s.frozen,
            s.is_frozen,
            s.first_acquired
        )
    }

    fn json(&self, identity: Option<&IdentityRecord>, label: Option<&str>) -> Value {
        let s = &self.holder.state;
        let partitions: serde_json::Map<String, Value> =
            self.partitions.iter().map(|(p, v)| (partition_label(*p), json!(v.to_string()))).collect();
        json!({
            "address": format!("{:#x}", self.holder.address),
            "balance": s.balance.to_string(),
            "balanceByPartition": partitions,
            "frozen": s.frozen.to_string(),
            "isFrozen": s.is_frozen,
            "identity": identity.map(|r| format!("{:#x}", r.identity)),
            "country": identity.map(|r| r.country),
            "firstAcquiredBlock": s.first_acquired,
            "label": label,
        })
    }
}

/// A free-text CSV cell (a label, a name): a text a spreadsheet would take for a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP
/// advises; a cell with a comma, a quote or a line break is quoted.
pub fn csv_text(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A partition as people read it: its bytes32 as text when it is a short printable name (ERC-1410
/// partitions are usually `"locked"`, `"unlocked"`, `"reg-d"` padded with zeros), else hex. A
/// name a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) is shown in hex.
pub fn partition_label(partition: B256) -> String {
    let bytes = partition.as_slice();
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    let text = &bytes[..end];
    let printable = !text.is_empty()
        && text.iter().all(|b| b.is_ascii_graphic() && !b",;=\"".contains(b))
        && !text.starts_with(b"0x")
        && !text.starts_with(b"+")
        && !text.starts_with(b"-")
        && !text.starts_with(b"@");
    if printable {
        String::from_utf8_lossy(text).into_owned()
    } else {
        format!("{partition:#x}")
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` or `YYYY-MM-DD` (midnight UTC) to seconds since the epoch.
pub fn parse_rfc3339(text: &str) -> Result<u64, ApiError> {
    let bad =
        || ApiError::Invalid { field: "at", reason: format!("{text:?}: expected RFC 3339, e.g. 2026-11-23T00:00:00Z") };
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts[..] else { return Err(bad()) };
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || y < 1970 {
        return Err(bad());
    }
    let mut seconds = days_from_civil(y, m, d) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(at) = t.rfind(['+', '-']) {
            let (c, o) = t.split_at(at);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om) = o[1..].split_once(':').ok_or_else(bad)?;
            (c, sign * (num(oh)? * 3600 + num(om)? * 60))
        } else {
            return Err(bad());
        };
        let clock = clock.split('.').next().unwrap_or_default();
        let hms: Vec<&str> = clock.split(':').collect();
        let [h, mi, s] = hms[..] else { return Err(bad()) };
        let (h, mi, s) = (num(h)?, num(mi)?, num(s)?);
        if h > 23 || mi > 59 || s > 60 {
            return Err(bad());
        }
        seconds += h * 3600 + mi * 60 + s - offset;
    }
    u64::try_from(seconds).map_err(|_| bad())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(parse_rfc3339("2026-11-23T00:00:00Z").unwrap(), 1_795_392_000);
        assert_eq!(parse_rfc3339("2026-11-23").unwrap(), 1_795_392_000);
        assert_eq!(parse_rfc3339("2026-11-23T01:30:00+01:30").unwrap(), 1_795_392_000);
        assert_eq!(parse_rfc3339("2000-02-29T12:00:00.250Z").unwrap(), 951_825_600);
        for bad in ["yesterday", "2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23T00:00:00", "1969-12-31"] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partitions_read_as_names_or_hex() {
        let mut b = [0u8; 32];
        b[..6].copy_from_slice(b"locked");
        assert_eq!(partition_label(B256::from(b)), "locked");
        b[0] = b';';
        assert!(partition_label(B256::from(b)).starts_with("0x3b"));
        assert_eq!(partition_label(B256::ZERO), format!("{:#x}", B256::ZERO));
        assert!(partition_label(B256::repeat_byte(0xff)).starts_with("0xffff"));
        // Names a spreadsheet would run as formulas are shown in hex.
        for formula in [&b"=cmd|'/C calc'!A0"[..], b"+1+1", b"-2+3", b"@SUM(A1)"] {
            let mut b = [0u8; 32];
            b[..formula.len()].copy_from_slice(formula);
            assert!(partition_label(B256::from(b)).starts_with("0x"), "{formula:?}");
        }
    }

    #[test]
    fn csv_text_cells_are_never_formulas() {
        assert_eq!(csv_text("Alice Holdings Ltd"), "Alice Holdings Ltd");
        assert_eq!(csv_text(""), "");
        assert_eq!(csv_text("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_text("+1"), "'+1");
        assert_eq!(csv_text("-1"), "'-1");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("\tx"), "'\tx");
        assert_eq!(csv_text("\rx"), "\"'\rx\"");
        assert_eq!(csv_text("Smith, J."), "\"Smith, J.\"");
        assert_eq!(csv_text("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn differences_are_signed() {
        assert_eq!(signed_difference(U256::from(5), U256::from(3)), "2");
        assert_eq!(signed_difference(U256::from(3), U256::from(5)), "-2");
    }
}
