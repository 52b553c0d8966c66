//! The subsidiary file of open items: what stands apart from a holder's free balance as of the
//! range's last block (frozen tokens and wallets, DS locks that still hold) and what the range
//! saw done to holders without their instruction (forced transfers, seizures, forced
//! redemptions) or left pending settlement (ERC-7540 deposit and redeem requests, as requested).

use alloy::primitives::{Address, U256};
use registrar_store::{AuditAction, EventQuery, StateDb};
use serde_json::json;

use super::{csv_text, Table};
use crate::ApiError;

/// One open item.
struct Item {
    category: &'static str,
    account: Address,
    counterparty: Address,
    amount: U256,
    detail: String,
    block: u64,
    tx_hash: String,
}

pub(super) fn table(db: &StateDb, token: Address, from: u64, to: u64) -> Result<Table, ApiError> {
    let mut items = Vec::new();
    let time = db.time_at(to)?.unwrap_or(0);
    for row in db.holder_register(token, to)? {
        let s = row.state;
        if !s.frozen.is_zero() {
            items.push(Item::standing("frozen-tokens", row.address, s.frozen, String::new(), to));
        }
        if s.is_frozen {
            items.push(Item::standing("frozen-wallet", row.address, s.balance, String::new(), to));
        }
        for lock in db.locks_at(token, row.address, to)?.into_iter().filter(|l| l.holds_at(time)) {
            let until = if lock.release_time.is_zero() {
                "until removed".to_string()
            } else {
                format!("until {}", lock.release_time)
            };
            items.push(Item::standing("lock", row.address, lock.value, format!("{} ({until})", lock.reason_text), to));
        }
    }
    for (block, _, e) in db.audit_trail(token, from, to)? {
        let category = match e.action {
            AuditAction::ControllerTransfer | AuditAction::ForcedTransfer => "forced-transfer",
            AuditAction::Seizure => "seizure",
            AuditAction::ControllerRedemption => "forced-redemption",
            _ => continue,
        };
        let agent = if e.agent.is_zero() { String::new() } else { format!("by {:#x}", e.agent) };
        items.push(Item {
            category,
            account: e.account,
            counterparty: e.counterparty,
            amount: e.amount,
            detail: agent,
            block,
            tx_hash: format!("{:#x}", e.tx_hash),
        });
    }
    let all = EventQuery { block_gte: Some(from), block_lte: Some(to), first: usize::MAX, ..Default::default() };
    for (block, _, r) in db.vault_requests_page(token, to, &all, |_| true)?.rows {
        items.push(Item {
            category: if r.redeem { "redeem-request" } else { "deposit-request" },
            account: r.owner,
            counterparty: r.controller,
            amount: r.amount,
            detail: format!("request {}", r.request_id),
            block,
            tx_hash: format!("{:#x}", r.tx_hash),
        });
    }
    let mut csv = String::from("category,account,counterparty,amount,detail,block,tx_hash\n");
    let mut rows = Vec::with_capacity(items.len());
    let show = |a: Address| if a.is_zero() { String::new() } else { format!("{a:#x}") };
    for i in &items {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            i.category,
            show(i.account),
            show(i.counterparty),
            i.amount,
            csv_text(&i.detail),
            i.block,
            i.tx_hash
        ));
        rows.push(json!({
            "category": i.category, "account": show(i.account), "counterparty": show(i.counterparty),
            "amount": i.amount.to_string(), "detail": i.detail, "block": i.block, "txHash": i.tx_hash,
        }));
    }
    let summary = json!({ "fromBlock": from, "count": items.len(), "asOfTime": time });
    Ok(Table { title: "open items", summary, csv, rows })
}

impl Item {
    /// An item standing as of `block` (no transaction of its own).
    fn standing(category: &'static str, account: Address, amount: U256, detail: String, block: u64) -> Item {
        Item { category, account, counterparty: Address::ZERO, amount, detail, block, tx_hash: String::new() }
    }
}
