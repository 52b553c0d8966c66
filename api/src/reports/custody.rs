//! The audit trail of agent and custody actions (freezes, pauses, recoveries) in a range.

use alloy::primitives::Address;
use registrar_store::StateDb;
use serde_json::json;

use super::{partition_label, Table};
use crate::ApiError;

/// `identities_visible`: the caller may see identity contracts (private, as in the register).
pub(super) fn table(
    db: &StateDb,
    token: Address,
    from: u64,
    to: u64,
    identities_visible: bool,
) -> Result<Table, ApiError> {
    let trail = db.audit_trail(token, from, to)?;
    let mut csv =
        String::from("block,log_index,tx_hash,action,account,counterparty,amount,agent,identity,partition,timestamp\n");
    let mut rows = Vec::with_capacity(trail.len());
    let show = |a: Address| if a.is_zero() { String::new() } else { format!("{a:#x}") };
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
    Ok(Table { title: "custody audit trail", summary: json!({ "fromBlock": from, "count": trail.len() }), csv, rows })
}
