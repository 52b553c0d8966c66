//! The register by investor: one row per investor (a DS registry's investor, a T-REX identity, or
//! a wallet of its own) with its country, balance and the wallets that hold it, as of a block.
//! Investor ids and countries are private: only callers who may see the token's identities get
//! this report.

use alloy::primitives::Address;
use registrar_store::StateDb;
use serde_json::json;

use super::{csv_text, Table};
use crate::ApiError;

pub(super) fn table(db: &StateDb, token: Address, block: u64, private: bool) -> Result<Table, ApiError> {
    if !private {
        return Err(ApiError::Invalid {
            field: "report",
            reason: "the register by investor needs an API key with the issuer or regulator role for the token".into(),
        });
    }
    let (source, investors) = db.investor_register(token, block)?;
    let mut csv = String::from("investor,source,country,balance,wallets\n");
    let mut rows = Vec::with_capacity(investors.len());
    let mut holding = 0u64;
    for i in &investors {
        holding += u64::from(!i.balance.is_zero());
        let wallets: Vec<String> = i.wallets.iter().map(|w| format!("{:#x}={}", w.address, w.state.balance)).collect();
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            csv_text(&i.id),
            source.name(),
            csv_text(&i.country),
            i.balance,
            wallets.join(";")
        ));
        rows.push(json!({
            "investor": i.id, "source": source.name(), "country": i.country, "balance": i.balance.to_string(),
            "wallets": i.wallets.iter()
                .map(|w| json!({ "address": format!("{:#x}", w.address), "balance": w.state.balance.to_string() }))
                .collect::<Vec<_>>(),
        }));
    }
    let summary = json!({ "source": source.name(), "investorCount": holding, "listed": investors.len() });
    Ok(Table { title: "investor register", summary, csv, rows })
}
