//! The holder register: one row per listed account with its partition and bond balances, identity,
//! country and label (the last three for callers who may see them), and the partitions' supplies.

use std::collections::BTreeMap;

use alloy::primitives::Address;
use registrar_store::{IdentityRecord, RegisterRow, StateDb};
use serde_json::{json, Value};

use super::{csv_text, partition_label, Table};
use crate::ApiError;

/// The report's title.
pub(super) const TITLE: &str = "holder register";

/// The register's CSV header row.
const HEADER: &str =
    "address,balance,balance_by_partition,balance_by_tranche,frozen,is_frozen,identity,country,first_acquired_block,label\n";

pub(super) fn table(
    db: &StateDb,
    token: Address,
    block: u64,
    private: Option<BTreeMap<Address, String>>,
) -> Result<Table, ApiError> {
    let snapshot = db.token_at(token, block)?;
    let register = db.register(token, block)?;
    let identities_visible = private.is_some();
    let (identities, labels) = match private {
        Some(labels) => (db.identity_register(token, block)?, labels),
        None => (BTreeMap::new(), BTreeMap::new()),
    };
    let identity = |r: &RegisterRow| identities.get(&r.holder.address);
    let label = |r: &RegisterRow| labels.get(&r.holder.address).map(String::as_str);
    let summary = json!({
        "identitiesVisible": identities_visible,
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
        // ERC-3475: each tranche's supply, `class/nonce=supply;…`.
        "trancheSupplies": tranches(&register.tranches),
    });
    let rows = register.rows.iter().map(|r| row_json(r, identity(r), label(r))).collect();
    let lines: Vec<String> = register.rows.iter().map(|r| row_csv(r, identity(r), label(r))).collect();
    let csv = csv_of(lines.iter().map(String::as_str));
    Ok(Table { title: TITLE, summary, csv, rows })
}

/// The canonical CSV of a register whose rows are `lines` (no `\n`): header, then each line.
pub(super) fn csv_of<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::from(HEADER);
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The row as a leaf of the register's commitment: its public line.
pub(super) fn leaf(row: &RegisterRow) -> String {
    row_csv(row, None, None)
}

/// One holder's line of the register: [`fields`] and the label as a CSV text cell.
fn row_csv(row: &RegisterRow, identity: Option<&IdentityRecord>, label: Option<&str>) -> String {
    format!("{},{}", fields(row, identity), csv_text(label.unwrap_or_default()))
}

/// ERC-3475 positions as `class/nonce=amount` pairs joined by `;`, by class then nonce.
fn tranches(positions: &[(alloy::primitives::U256, alloy::primitives::U256, alloy::primitives::U256)]) -> String {
    positions.iter().map(|(c, n, v)| format!("{c}/{n}={v}")).collect::<Vec<_>>().join(";")
}

/// The row's fields up to the first-acquired block. Partition balances are `name=balance` pairs
/// joined by `;`, by partition; bonds are [`tranches`].
fn fields(row: &RegisterRow, identity: Option<&IdentityRecord>) -> String {
    let s = &row.holder.state;
    let partitions: Vec<String> = row.partitions.iter().map(|(p, v)| format!("{}={v}", partition_label(*p))).collect();
    let (id, country) = match identity {
        Some(r) => (format!("{:#x}", r.identity), r.country.to_string()),
        None => (String::new(), String::new()),
    };
    format!(
        "{:#x},{},{},{},{},{},{id},{country},{}",
        row.holder.address,
        s.balance,
        partitions.join(";"),
        tranches(&row.bonds),
        s.frozen,
        s.is_frozen,
        s.first_acquired
    )
}

fn row_json(row: &RegisterRow, identity: Option<&IdentityRecord>, label: Option<&str>) -> Value {
    let s = &row.holder.state;
    let partitions: serde_json::Map<String, Value> =
        row.partitions.iter().map(|(p, v)| (partition_label(*p), json!(v.to_string()))).collect();
    json!({
        "address": format!("{:#x}", row.holder.address),
        "balance": s.balance.to_string(),
        "balanceByPartition": partitions,
        "bonds": row.bonds.iter()
            .map(|(c, n, v)| json!({ "classId": c.to_string(), "nonceId": n.to_string(), "amount": v.to_string() }))
            .collect::<Vec<_>>(),
        "frozen": s.frozen.to_string(),
        "isFrozen": s.is_frozen,
        "identity": identity.map(|r| format!("{:#x}", r.identity)),
        "country": identity.map(|r| r.country),
        "firstAcquiredBlock": s.first_acquired,
        "label": label,
    })
}
