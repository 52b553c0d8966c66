//! Every transfer in a range of blocks.

use alloy::primitives::Address;
use registrar_store::StateDb;
use serde_json::json;

use super::Table;
use crate::ApiError;

pub(super) fn table(db: &StateDb, token: Address, from: u64, to: u64) -> Result<Table, ApiError> {
    let transfers = db.transfers_between(token, from, to)?;
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
    Ok(Table { title: "transfers", summary: json!({ "fromBlock": from, "count": transfers.len() }), csv, rows })
}
