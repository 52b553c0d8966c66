//! Issuance and redemption (mints and burns) in a range of blocks, with totals.

use alloy::primitives::Address;
use registrar_store::StateDb;
use serde_json::json;

use super::{signed_difference, Table};
use crate::ApiError;

pub(super) fn table(db: &StateDb, token: Address, from: u64, to: u64) -> Result<Table, ApiError> {
    let issuance = db.issuance(token, from, to)?;
    let mut csv = String::from("block,log_index,tx_hash,kind,account,value,timestamp\n");
    let mut rows = Vec::with_capacity(issuance.rows.len());
    for r in &issuance.rows {
        let (t, what, account) = (&r.transfer, r.kind.name(), r.account);
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
        "fromBlock": from,
        "issued": issuance.issued.to_string(),
        "redeemed": issuance.redeemed.to_string(),
        "net": signed_difference(issuance.issued, issuance.redeemed),
    });
    Ok(Table { title: "issuance", summary, csv, rows })
}
