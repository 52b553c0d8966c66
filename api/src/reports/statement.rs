//! A holder's statement: every credit and debit of one account over a range of blocks, with its
//! date and the running balance, from the opening balance (after the block before the range) to
//! the closing balance (after its last block). The register's books must agree: the closing
//! balance is checked against the holder's state.

use alloy::primitives::{Address, U256};
use registrar_store::StateDb;
use serde_json::json;

use super::{signed_difference, Table};
use crate::ApiError;

pub(super) fn table(db: &StateDb, token: Address, holder: Address, from: u64, to: u64) -> Result<Table, ApiError> {
    let opening = match from.checked_sub(1) {
        Some(before) => db.holder_at(token, holder, before)?.balance,
        None => U256::ZERO,
    };
    let mut csv = String::from("block,log_index,tx_hash,timestamp,kind,counterparty,credit,debit,balance\n");
    let mut rows = Vec::new();
    let (mut balance, mut credits, mut debits) = (opening, U256::ZERO, U256::ZERO);
    for t in db.account_transfers(token, holder, from, to)? {
        // A transfer to oneself is a credit and a debit of the same amount.
        let credit = if t.to == holder { t.value } else { U256::ZERO };
        let debit = if t.from == holder { t.value } else { U256::ZERO };
        let (kind, counterparty) = match (t.from.is_zero(), t.to.is_zero()) {
            (true, _) => ("issue", Address::ZERO),
            (_, true) => ("redeem", Address::ZERO),
            _ if t.from == holder => ("transfer-out", t.to),
            _ => ("transfer-in", t.from),
        };
        balance = balance.saturating_add(credit).saturating_sub(debit);
        credits = credits.saturating_add(credit);
        debits = debits.saturating_add(debit);
        let counterparty = if counterparty.is_zero() { String::new() } else { format!("{counterparty:#x}") };
        csv.push_str(&format!(
            "{},{},{:#x},{},{kind},{counterparty},{credit},{debit},{balance}\n",
            t.block_number, t.log_index, t.tx_hash, t.timestamp
        ));
        rows.push(json!({
            "block": t.block_number, "logIndex": t.log_index, "txHash": format!("{:#x}", t.tx_hash),
            "timestamp": t.timestamp, "kind": kind, "counterparty": counterparty,
            "credit": credit.to_string(), "debit": debit.to_string(), "balance": balance.to_string(),
        }));
    }
    let held = db.holder_at(token, holder, to)?.balance;
    let summary = json!({
        "holder": format!("{holder:#x}"),
        "fromBlock": from,
        "openingBalance": opening.to_string(),
        "credits": credits.to_string(),
        "debits": debits.to_string(),
        "closingBalance": balance.to_string(),
        // The books against the holder's state after the last block: zero when they agree.
        "difference": signed_difference(balance, held),
        "balanced": balance == held,
    });
    Ok(Table { title: "holder statement", summary, csv, rows })
}
