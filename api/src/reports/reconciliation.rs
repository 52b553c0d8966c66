//! The control book: the token's aggregates against its register, one line per check.

use alloy::primitives::Address;
use registrar_store::{Check, StateDb};
use serde_json::json;

use super::{partition_label, signed_difference, Table};
use crate::ApiError;

pub(super) fn table(db: &StateDb, token: Address, block: u64) -> Result<Table, ApiError> {
    let reconciliation = db.reconciliation(token, block)?;
    let mut csv = String::from("check,expected,actual,difference\n");
    let mut rows = Vec::with_capacity(reconciliation.rows.len());
    for r in &reconciliation.rows {
        let check = match r.check {
            Check::SumOfBalances => "sum_of_balances".to_string(),
            Check::HoldersWithABalance => "holders_with_a_balance".to_string(),
            Check::SumOfPartitionSupplies => "sum_of_partition_supplies".to_string(),
            Check::Partition(p) => format!("partition:{}", partition_label(p)),
            Check::SumOfTrancheSupplies => "sum_of_tranche_supplies".to_string(),
            Check::Tranche(class, nonce) => format!("tranche:{class}/{nonce}"),
        };
        let difference = signed_difference(r.actual, r.expected);
        csv.push_str(&format!("{check},{},{},{difference}\n", r.expected, r.actual));
        rows.push(json!({
            "check": check,
            "expected": r.expected.to_string(),
            "actual": r.actual.to_string(),
            "difference": difference,
        }));
    }
    Ok(Table { title: "reconciliation", summary: json!({ "balanced": reconciliation.balanced() }), csv, rows })
}
