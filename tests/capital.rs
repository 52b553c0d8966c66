//! Equity and debt against the chain's own views. An equity token (ERC-5805 delegation, Governor
//! votes, record-date snapshots, ERC-1726 dividends, a stock split and a buyback) and a bond
//! programme (ERC-3475 classes and nonces, ERC-2222 coupons, a maturity with redemptions and a
//! default) play their scenarios; at a middle block and the last block every holder's balance,
//! delegate and voting power, every bond position, each tranche's supply and status, the proposal
//! tally and the distribution totals equal what the contracts' views return at that block; the
//! corporate actions are listed as the chain's logs have them; the holder register and the
//! reconciliation carry the bonds by class and nonce (the token's units are their sum); every
//! log decodes.

#[macro_use]
mod common;

use std::collections::BTreeMap;

use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
};
use common::*;
use registrar_testkit::{
    contracts::{DemoBond, DemoEquityToken},
    scenario::{self, Cast},
};
use serde_json::Value;

fn big(v: &Value) -> U256 {
    v.as_str().unwrap_or_else(|| panic!("not a BigInt: {v}")).parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equity_and_debt_match_their_views() {
    let (anvil, provider) = chain().await;
    let cast = Cast::from_node(&provider, 40).await.unwrap();
    let equity = scenario::deploy_equity(&provider, cast.agent, "Acme Common", "ACMC").await.unwrap();
    let bond = scenario::deploy_bond(&provider, cast.agent, "Acme Notes Programme", "ACMN").await.unwrap();
    let e_played = scenario::play_equity(&provider, equity, &cast, 3).await.unwrap();
    let b_played = scenario::play_bond(&provider, bond, &cast, 4).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut reg =
        Registrar::start(&anvil.http_url(), &[equity, bond], &dir.path().join("node"), &["--confirmations", "3"]);
    reg.wait_indexed(&provider, b_played.last_block).await;
    let undecoded = reg.data("{ undecodedLogs { reason } }").await;
    assert_eq!(undecoded["undecodedLogs"], serde_json::json!([]), "every log decodes");
    let accounts: Vec<Address> = cast.investors[..10].to_vec();

    // Equity.
    let t = DemoEquityToken::new(equity, provider.clone());
    for block in [(e_played.first_block + e_played.last_block) / 2, e_played.last_block] {
        let at = BlockId::number(block);
        for &a in &accounts {
            let g = reg
                .data(&format!(
                    r#"{{ token(address: "{equity:#x}", block: {{ number: {block} }}) {{ holder(address: "{a:#x}") {{ balance delegate votes }} }} }}"#
                ))
                .await;
            let h = &g["token"]["holder"];
            assert_eq!(big(&h["balance"]), t.balanceOf(a).block(at).call().await.unwrap(), "{a} balance at {block}");
            assert_eq!(big(&h["votes"]), t.getVotes(a).block(at).call().await.unwrap(), "{a} votes at {block}");
            let delegate = t.delegates(a).block(at).call().await.unwrap();
            let expected = (!delegate.is_zero()).then(|| format!("{delegate:#x}"));
            assert_eq!(h["delegate"].as_str().map(str::to_lowercase), expected, "{a} delegate at {block}");
        }
    }
    let g = reg
        .data(&format!(
            r#"{{ token(address: "{equity:#x}") {{
                proposals {{ proposalId againstVotes forVotes abstainVotes voters }}
                votesCast {{ nodes {{ voter support weight reason }} }}
                corporateActions {{ nodes {{ kind id numerator denominator seller amount price blockNumber }} }}
                distributions(first: 1000) {{ nodes {{ kind account amount }} }}
            }} }}"#
        ))
        .await;
    let tok = &g["token"];
    let proposals = tok["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 1);
    let (against, for_votes, abstain) = t.proposalVotes(U256::from(1)).call().await.unwrap().into();
    assert_eq!(big(&proposals[0]["againstVotes"]), against);
    assert_eq!(big(&proposals[0]["forVotes"]), for_votes);
    assert_eq!(big(&proposals[0]["abstainVotes"]), abstain);
    assert_eq!(proposals[0]["voters"], 3);
    assert!(!for_votes.is_zero() && !against.is_zero(), "the scenario votes with delegated power");
    let actions = tok["corporateActions"]["nodes"].as_array().unwrap();
    let kinds: Vec<&str> = actions.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["SNAPSHOT", "STOCK_SPLIT", "BUYBACK", "SNAPSHOT"]);
    for (i, snapshot) in [(0usize, 1u64), (3, 2)] {
        assert_eq!(big(&actions[i]["id"]), U256::from(snapshot));
        let recorded = t.snapshotBlock(U256::from(snapshot)).call().await.unwrap();
        assert_eq!(
            U256::from(actions[i]["blockNumber"].as_u64().unwrap()),
            recorded,
            "record date of snapshot {snapshot}"
        );
    }
    assert_eq!((big(&actions[1]["numerator"]), big(&actions[1]["denominator"])), (U256::from(3), U256::from(2)));
    assert_eq!(actions[2]["seller"].as_str().unwrap().to_lowercase(), format!("{:#x}", cast.investors[6]));
    assert_eq!(big(&actions[2]["price"]), U256::from(42));

    // The lists follow the API's conventions: `where`, `orderBy`, pages with cursors.
    let page = |after: &str| {
        format!(
            r#"{{ token(address: "{equity:#x}") {{ corporateActions(first: 1, orderBy: BLOCK_DESC, where: {{ kind: SNAPSHOT }}{after}) {{ nodes {{ id }} pageInfo {{ endCursor hasNextPage }} }} }} }}"#
        )
    };
    let first = reg.data(&page("")).await;
    let c = &first["token"]["corporateActions"];
    assert_eq!(big(&c["nodes"][0]["id"]), U256::from(2), "newest snapshot first");
    assert_eq!(c["pageInfo"]["hasNextPage"], true);
    let cursor = c["pageInfo"]["endCursor"].as_str().unwrap();
    let second = reg.data(&page(&format!(r#", after: "{cursor}""#))).await;
    let c = &second["token"]["corporateActions"];
    assert_eq!(big(&c["nodes"][0]["id"]), U256::from(1));
    assert_eq!(c["pageInfo"]["hasNextPage"], false);
    let votes = reg
        .data(&format!(
            r#"{{ token(address: "{equity:#x}") {{ votesCast(where: {{ voter: "{:#x}", proposalId: "1" }}) {{ nodes {{ support reason weight }} }} }} }}"#,
            cast.investors[3]
        ))
        .await;
    let nodes = votes["token"]["votesCast"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!((nodes[0]["support"].as_u64(), nodes[0]["reason"].as_str()), (Some(0), Some("too early")));
    let distributions = tok["distributions"]["nodes"].as_array().unwrap();
    let total = |kind: &str| -> U256 {
        distributions.iter().filter(|d| d["kind"] == kind).map(|d| big(&d["amount"])).fold(U256::ZERO, |a, b| a + b)
    };
    assert_eq!(total("DIVIDENDS_DISTRIBUTED"), t.totalDividendsDistributed().call().await.unwrap());
    for &a in &accounts {
        let withdrawn: U256 = distributions
            .iter()
            .filter(|d| {
                d["kind"] == "DIVIDEND_WITHDRAWN" && d["account"].as_str().unwrap().to_lowercase() == format!("{a:#x}")
            })
            .map(|d| big(&d["amount"]))
            .fold(U256::ZERO, |x, y| x + y);
        assert_eq!(withdrawn, t.withdrawnDividends(a).call().await.unwrap(), "{a} dividends withdrawn");
    }

    // Debt.
    let b = DemoBond::new(bond, provider.clone());
    let tranches = [(1u64, 1u64), (1, 2), (2, 1)];
    for block in [(b_played.first_block + b_played.last_block) / 2, b_played.last_block] {
        let at = BlockId::number(block);
        let g = reg
            .data(&format!(
                r#"{{ token(address: "{bond:#x}", block: {{ number: {block} }}) {{ bonds {{ classId nonceId supply status defaultReason }} }} }}"#
            ))
            .await;
        let listed: BTreeMap<(U256, U256), &Value> = g["token"]["bonds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| ((big(&t["classId"]), big(&t["nonceId"])), t))
            .collect();
        for (c, n) in tranches {
            let (c, n) = (U256::from(c), U256::from(n));
            let supply = b.totalSupply(c, n).block(at).call().await.unwrap();
            let status = b.status(c, n).block(at).call().await.unwrap();
            let t = listed.get(&(c, n));
            let expected_status = ["OUTSTANDING", "MATURED", "DEFAULTED"][usize::from(status)];
            match t {
                Some(t) => {
                    assert_eq!(big(&t["supply"]), supply, "supply of {c}/{n} at {block}");
                    assert_eq!(t["status"], expected_status, "status of {c}/{n} at {block}");
                    if status == 2 {
                        assert_eq!(t["defaultReason"], "missed coupon");
                    }
                }
                None => assert!(supply.is_zero() && status == 0, "{c}/{n} missing at {block}"),
            }
        }
        // The holder register and the control book by class and nonce: every account's
        // positions, each tranche's supply, the token's units (their sum) and holders.
        let register = reg
            .data(&format!(
                r#"{{ report(kind: HOLDERS, token: "{bond:#x}", block: {block}) {{ body }}
                    recon: report(kind: RECONCILIATION, token: "{bond:#x}", block: {block}) {{ body }}
                    token(address: "{bond:#x}", block: {{ number: {block} }}) {{ totalSupply holderCount }} }}"#
            ))
            .await;
        let body: Value = serde_json::from_str(register["report"]["body"].as_str().unwrap()).unwrap();
        let mut supply_sum = U256::ZERO;
        for (c, n) in tranches {
            supply_sum += b.totalSupply(U256::from(c), U256::from(n)).block(at).call().await.unwrap();
        }
        assert_eq!(big(&register["token"]["totalSupply"]), supply_sum, "the bond token's units at {block}");
        let mut holders_on_chain = 0u64;
        for &a in &accounts {
            let row = body["rows"].as_array().unwrap().iter().find(|r| r["address"] == format!("{a:#x}"));
            let mut units = U256::ZERO;
            for (c, n) in tranches {
                let (c, n) = (U256::from(c), U256::from(n));
                let chain = b.balanceOf(a, c, n).block(at).call().await.unwrap();
                units += chain;
                let listed = row
                    .and_then(|r| {
                        r["bonds"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|p| big(&p["classId"]) == c && big(&p["nonceId"]) == n)
                    })
                    .map_or(U256::ZERO, |p| big(&p["amount"]));
                assert_eq!(listed, chain, "{a}'s register row holds {c}/{n} at {block}");
            }
            assert_eq!(row.map_or(U256::ZERO, |r| big(&r["balance"])), units, "{a}'s units at {block}");
            holders_on_chain += u64::from(!units.is_zero());
        }
        assert_eq!(register["token"]["holderCount"].as_u64(), Some(holders_on_chain), "bond holders at {block}");
        let recon: Value = serde_json::from_str(register["recon"]["body"].as_str().unwrap()).unwrap();
        assert_eq!(recon["balanced"], true, "{recon}");
        let checks: Vec<&str> =
            recon["rows"].as_array().unwrap().iter().map(|r| r["check"].as_str().unwrap()).collect();
        assert!(
            checks.contains(&"sum_of_tranche_supplies") && checks.iter().any(|c| c.starts_with("tranche:")),
            "{checks:?}"
        );
        for &a in &accounts {
            let g = reg
                .data(&format!(
                    r#"{{ token(address: "{bond:#x}", block: {{ number: {block} }}) {{ holder(address: "{a:#x}") {{ bonds {{ classId nonceId amount }} }} }} }}"#
                ))
                .await;
            let held: BTreeMap<(U256, U256), U256> = g["token"]["holder"]["bonds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| ((big(&p["classId"]), big(&p["nonceId"])), big(&p["amount"])))
                .collect();
            for (c, n) in tranches {
                let (c, n) = (U256::from(c), U256::from(n));
                let chain = b.balanceOf(a, c, n).block(at).call().await.unwrap();
                assert_eq!(held.get(&(c, n)).copied().unwrap_or_default(), chain, "{a} holds {c}/{n} at {block}");
            }
        }
    }
    let g =
        reg.data(&format!(r#"{{ token(address: "{bond:#x}") {{ distributions(first: 1000) {{ nodes {{ kind account amount }} }} }} }}"#)).await;
    let distributions = g["token"]["distributions"]["nodes"].as_array().unwrap();
    let distributed: U256 = distributions
        .iter()
        .filter(|d| d["kind"] == "FUNDS_DISTRIBUTED")
        .map(|d| big(&d["amount"]))
        .fold(U256::ZERO, |a, b| a + b);
    assert_eq!(distributed, b.totalFundsDistributed().call().await.unwrap());
    for &a in &accounts {
        let withdrawn: U256 = distributions
            .iter()
            .filter(|d| {
                d["kind"] == "FUNDS_WITHDRAWN" && d["account"].as_str().unwrap().to_lowercase() == format!("{a:#x}")
            })
            .map(|d| big(&d["amount"]))
            .fold(U256::ZERO, |x, y| x + y);
        assert_eq!(withdrawn, b.withdrawnFundsOf(a).call().await.unwrap(), "{a} coupons withdrawn");
    }
    reg.stop();
}
