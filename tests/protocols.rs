//! Securitize's DS Protocol and Polymath's ST-20 against their contracts' own views. A DS suite
//! (token, registry service, lock manager, trust service, compliance configuration; registrar is
//! given only the token and follows its services) and an ST-20 token with its general transfer
//! manager play their scenarios. At a middle block and the last block: every wallet's balance and
//! investor, each investor's country, KYC and accreditation attributes, balance, locks and what
//! they leave transferable, and the investor count equal the DS contracts' views at that block;
//! every ST-20 balance and whitelist entry equals the token's and manager's views, and the balances
//! at each checkpoint's block equal `balanceOfAt`/`totalSupplyAt`. No log lands undecoded.

#[macro_use]
mod common;

use std::{collections::BTreeMap, process::Command};

use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
    providers::Provider,
};
use common::*;
use registrar_testkit::{
    contracts::{DemoDSLockManager, DemoDSRegistryService, DemoDSToken, DemoGeneralTransferManager, DemoST20Token},
    protocols::{self, DsSuite, St20, DS_INVESTORS},
    scenario::Cast,
};
use serde_json::Value;

fn big(v: &Value) -> U256 {
    v.as_str().unwrap_or_else(|| panic!("not a BigInt: {v}")).parse().unwrap()
}

fn create_key(reg: &Registrar, role: &str, token: Address) -> String {
    let out = Command::new(BIN)
        .args(["keys", "--data-dir"])
        .arg(&reg.data_dir)
        .args(["create", "--name", role, "--role", role, "--tokens", &format!("{token:#x}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().find_map(|l| l.strip_prefix("secret ")).unwrap().to_string()
}

async fn graphql(reg: &Registrar, query: &str, key: &str) -> Value {
    let r: Value = reqwest::Client::new()
        .post(format!("{}/graphql", reg.url))
        .bearer_auth(key)
        .json(&serde_json::json!({ "query": query }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["errors"].is_null(), "query failed: {r}\n{query}");
    r["data"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ds_and_st20_match_their_views() {
    let (anvil, provider) = chain().await;
    let cast = Cast::from_node(&provider, 12).await.unwrap();
    let ds = protocols::deploy_ds(&provider, cast.agent, "Acme Income Fund", "ACIF").await.unwrap();
    let st = protocols::deploy_st20(&provider, cast.agent, "Acme Ventures ST-20", "AVST").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut reg =
        Registrar::start(&anvil.http_url(), &[ds.token, st.token], &dir.path().join("node"), &["--confirmations", "2"]);
    let ds_played = protocols::play_ds(&provider, ds, &cast, 5).await.unwrap();
    let st_played = protocols::play_st20(&provider, st, &cast, 6).await.unwrap();
    reg.wait_indexed(&provider, st_played.last_block).await;

    let undecoded = reg.data("{ undecodedLogs { reason topics } }").await;
    assert_eq!(undecoded["undecodedLogs"], serde_json::json!([]), "every log decodes");
    let key = create_key(&reg, "issuer", ds.token);

    // After issuance and trading, before the seizures; and the end.
    for block in [(ds_played.first_block + 3 * ds_played.last_block) / 4, ds_played.last_block] {
        let (investors, locks, multi_wallet) = check_ds(&reg, &provider, &key, ds, &cast, block).await;
        assert!(
            investors >= 5 && locks >= 2 && multi_wallet >= 1,
            "{investors} investors, {locks} locks, {multi_wallet} with several wallets at {block}"
        );
    }
    for block in [(st_played.first_block + st_played.last_block) / 2, st_played.last_block] {
        check_st20_balances(&reg, &provider, st, &cast, block).await;
    }
    check_st20_checkpoints(&reg, &provider, st, &cast).await;
    check_reports(&reg, &provider, ds, st, &cast, ds_played.last_block).await;

    // The forced moves are in the audit trail, each with its reason where DS gives one.
    let g = reg
        .data(&format!(
            r#"{{ token(address: "{:#x}") {{ paused transferManager lockManager dsRegistry }} }}"#,
            st.token
        ))
        .await;
    assert_eq!(g["token"]["paused"], false, "frozen and thawed");
    assert_eq!(g["token"]["transferManager"].as_str().unwrap(), format!("{:#x}", st.transfer_manager));
    assert!(g["token"]["dsRegistry"].is_null());
    let g = reg
        .data(&format!(
            r#"{{ token(address: "{:#x}") {{ dsRegistry lockManager complianceRules {{ kind rule key value }} }} }}"#,
            ds.token
        ))
        .await;
    assert_eq!(g["token"]["dsRegistry"].as_str().unwrap(), format!("{:#x}", ds.registry));
    assert_eq!(g["token"]["lockManager"].as_str().unwrap(), format!("{:#x}", ds.lock_manager));
    let rules: Vec<(String, String, String)> = g["token"]["complianceRules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["rule"].as_str().unwrap().into(), r["key"].as_str().unwrap().into(), r["value"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("countryCompliance".into(), "US".into(), "1".into()),
            ("forceFullTransfer".into(), String::new(), "1".into()),
            ("totalInvestorsLimit".into(), String::new(), "2000".into()),
        ]
    );
    // The register by investor as a report, for the issuer's key only.
    let url = format!("{}/reports/investors?token={:#x}&format=csv", reg.url, ds.token);
    let anonymous = reqwest::get(&url).await.unwrap();
    assert_eq!(anonymous.status(), reqwest::StatusCode::BAD_REQUEST);
    let csv = reqwest::Client::new().get(&url).bearer_auth(&key).send().await.unwrap().text().await.unwrap();
    let us: Vec<&str> = csv.lines().filter(|l| l.starts_with("INV-US-001,")).collect();
    assert_eq!(us.len(), 1, "{csv}");
    let fields: Vec<&str> = us[0].split(',').collect();
    assert_eq!((fields[1], fields[2]), ("DS_REGISTRY", "US"));
    let wallets: Vec<&str> = fields[4].split(';').collect();
    assert!(wallets.iter().all(|w| w.contains('=')), "wallet=balance pairs: {csv}");
    // Without a key, the investor list is withheld; the counts are public.
    let r = reg
        .query(&format!(r#"{{ token(address: "{:#x}") {{ investorCount investors {{ totalCount }} }} }}"#, ds.token))
        .await;
    assert!(r["data"]["token"]["investors"].is_null() && r["errors"].is_array(), "{r}");
    assert!(r["data"]["token"]["investorCount"].as_u64().unwrap() > 0);
}

/// Every wallet and investor of the DS scenario at `block` against the registry's, the token's
/// and the lock manager's views at that block.
/// Answers how many investors, locks and investors with several holding wallets it compared.
async fn check_ds(
    reg: &Registrar,
    provider: &alloy::providers::DynProvider,
    key: &str,
    ds: DsSuite,
    cast: &Cast,
    block: u64,
) -> (usize, usize, usize) {
    let mut compared = (0, 0, 0);
    let at = BlockId::number(block);
    let t = DemoDSToken::new(ds.token, provider.clone());
    let r = DemoDSRegistryService::new(ds.registry, provider.clone());
    let l = DemoDSLockManager::new(ds.lock_manager, provider.clone());
    let time = provider.get_block_by_number(block.into()).await.unwrap().unwrap().header.timestamp;
    for &wallet in &cast.investors[..10] {
        let g = graphql(
            reg,
            &format!(
                r#"{{ token(address: "{:#x}", block: {{ number: {block} }}) {{ holder(address: "{wallet:#x}") {{
                    balance investor {{ id }} }} }} }}"#,
                ds.token
            ),
            key,
        )
        .await;
        let h = &g["token"]["holder"];
        assert_eq!(
            big(&h["balance"]),
            t.balanceOf(wallet).block(at).call().await.unwrap(),
            "{wallet} balance at {block}"
        );
        let expected = r.getInvestor(wallet).block(at).call().await.unwrap();
        let got = h["investor"]["id"].as_str().filter(|id| !id.starts_with("0x")).unwrap_or_default();
        assert_eq!(got, expected, "{wallet}'s investor at {block}");
    }
    let g = graphql(
        reg,
        &format!(
            r#"{{ token(address: "{:#x}", block: {{ number: {block} }}) {{ investorCount investors(first: 100) {{
                nodes {{ id source country balance transferable wallets {{ address balance }}
                         attributes {{ attribute value expiry }} locks {{ value reason reasonText releaseTime active }} }} }} }} }}"#,
            ds.token
        ),
        key,
    )
    .await;
    assert_eq!(
        U256::from(g["token"]["investorCount"].as_u64().unwrap()),
        t.totalInvestors().block(at).call().await.unwrap(),
        "investor count at {block}"
    );
    let nodes: BTreeMap<String, &Value> = g["token"]["investors"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap().to_string(), n))
        .collect();
    let mut ids: Vec<&str> = DS_INVESTORS.iter().map(|(id, _, _)| *id).collect();
    ids.extend(["ISSUER-TA", "INV-GB-006"]);
    for id in ids {
        let exists = r.isInvestor(id.into()).block(at).call().await.unwrap();
        let balance = t.balanceOfInvestor(id.into()).block(at).call().await.unwrap();
        let Some(n) = nodes.get(id) else {
            assert!(balance.is_zero(), "{id} holds {balance} at {block} and is not listed");
            continue;
        };
        assert!(exists, "{id} is listed at {block} but not an investor");
        assert_eq!(n["source"], "DS_REGISTRY");
        assert_eq!(big(&n["balance"]), balance, "{id} balance at {block}");
        assert_eq!(
            n["country"].as_str().unwrap(),
            r.getCountry(id.into()).block(at).call().await.unwrap(),
            "{id} country"
        );
        for attribute in [1u8, 2] {
            let value = r.getAttributeValue(id.into(), attribute).block(at).call().await.unwrap();
            let expiry = r.getAttributeExpiry(id.into(), attribute).block(at).call().await.unwrap();
            let got =
                n["attributes"].as_array().unwrap().iter().find(|a| big(&a["attribute"]) == U256::from(attribute));
            let got = got.map_or((U256::ZERO, U256::ZERO), |a| (big(&a["value"]), big(&a["expiry"])));
            assert_eq!(got, (value, expiry), "{id} attribute {attribute} at {block}");
        }
        let count = l.lockCountForInvestor(id.into()).block(at).call().await.unwrap();
        let mut expected = Vec::new();
        for i in 0..count.to::<u64>() {
            let lock = l.lockInfoForInvestor(id.into(), U256::from(i)).block(at).call().await.unwrap();
            expected.push((lock.value, lock.reasonCode, lock.reasonString, lock.autoReleaseTime));
        }
        let mut got: Vec<_> = n["locks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                (
                    big(&k["value"]),
                    big(&k["reason"]),
                    k["reasonText"].as_str().unwrap().to_string(),
                    big(&k["releaseTime"]),
                )
            })
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{id} locks at {block}");
        compared.0 += 1;
        compared.1 += got.len();
        compared.2 += usize::from(n["wallets"].as_array().unwrap().len() > 1);
        assert_eq!(
            big(&n["transferable"]),
            l.getTransferableTokensForInvestor(id.into(), U256::from(time)).block(at).call().await.unwrap(),
            "{id} transferable at {block}"
        );
    }
    compared
}

async fn check_st20_balances(
    reg: &Registrar,
    provider: &alloy::providers::DynProvider,
    st: St20,
    cast: &Cast,
    block: u64,
) {
    let at = BlockId::number(block);
    let t = DemoST20Token::new(st.token, provider.clone());
    let m = DemoGeneralTransferManager::new(st.transfer_manager, provider.clone());
    let g = reg
        .data(&format!(
            r#"{{ token(address: "{:#x}", block: {{ number: {block} }}) {{ totalSupply investorCount
                whitelist {{ investor canSendAfter canReceiveAfter expiry canBuy }} }} }}"#,
            st.token
        ))
        .await;
    assert_eq!(big(&g["token"]["totalSupply"]), t.totalSupply().block(at).call().await.unwrap(), "supply at {block}");
    let listed: BTreeMap<String, &Value> = g["token"]["whitelist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["investor"].as_str().unwrap().to_string(), w))
        .collect();
    for &investor in &cast.investors[..10] {
        let h = reg
            .data(&format!(
                r#"{{ token(address: "{:#x}", block: {{ number: {block} }}) {{ holder(address: "{investor:#x}") {{ balance }} }} }}"#,
                st.token
            ))
            .await;
        assert_eq!(
            big(&h["token"]["holder"]["balance"]),
            t.balanceOf(investor).block(at).call().await.unwrap(),
            "{investor} at {block}"
        );
        let w = m.whitelist(investor).block(at).call().await.unwrap();
        let expected = (w.fromTime, w.toTime, w.expiryTime, w.canBuyFromSTO);
        let got = listed.get(&format!("{investor:#x}")).map_or((U256::ZERO, U256::ZERO, U256::ZERO, false), |e| {
            (big(&e["canSendAfter"]), big(&e["canReceiveAfter"]), big(&e["expiry"]), e["canBuy"].as_bool().unwrap())
        });
        assert_eq!(got, expected, "{investor}'s whitelist entry at {block}");
    }
}

/// Each checkpoint is a record date: the balances as of its block are `balanceOfAt`.
async fn check_st20_checkpoints(reg: &Registrar, provider: &alloy::providers::DynProvider, st: St20, cast: &Cast) {
    let t = DemoST20Token::new(st.token, provider.clone());
    let g = reg
        .data(&format!(
            r#"{{ token(address: "{:#x}") {{ corporateActions {{ nodes {{ kind id blockNumber }} }} }} }}"#,
            st.token
        ))
        .await;
    let actions = g["token"]["corporateActions"]["nodes"].as_array().unwrap();
    assert_eq!(actions.len(), 2, "{actions:?}");
    for (i, a) in actions.iter().enumerate() {
        assert_eq!(a["kind"], "SNAPSHOT");
        let id = big(&a["id"]);
        assert_eq!(id, U256::from(i + 1));
        let block = a["blockNumber"].as_u64().unwrap();
        let g = reg
            .data(&format!(
                r#"{{ token(address: "{:#x}", block: {{ number: {block} }}) {{ totalSupply }} }}"#,
                st.token
            ))
            .await;
        assert_eq!(
            big(&g["token"]["totalSupply"]),
            t.totalSupplyAt(id).call().await.unwrap(),
            "supply at checkpoint {id}"
        );
        for &investor in &cast.investors[..8] {
            let h = reg
                .data(&format!(
                    r#"{{ token(address: "{:#x}", block: {{ number: {block} }}) {{ holder(address: "{investor:#x}") {{ balance }} }} }}"#,
                    st.token
                ))
                .await;
            assert_eq!(
                big(&h["token"]["holder"]["balance"]),
                t.balanceOfAt(investor, id).call().await.unwrap(),
                "{investor} at checkpoint {id}"
            );
        }
    }
}

/// A holder's statement adds up to the chain's balances; the open items list the seizures, the
/// forced moves and the locks that hold; two reports at different blocks never share a digest.
async fn check_reports(
    reg: &Registrar,
    provider: &alloy::providers::DynProvider,
    ds: DsSuite,
    st: St20,
    cast: &Cast,
    last: u64,
) {
    let t = DemoDSToken::new(ds.token, provider.clone());
    let report = |kind: &str, token: Address, query: String| {
        let url = format!("{}/reports/{kind}?token={token:#x}&{query}", reg.url);
        async move {
            let r = reqwest::get(&url).await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };
    let from = last / 2;
    for &wallet in &cast.investors[..8] {
        let s = report("statement", ds.token, format!("holder={wallet:#x}&from={from}&to={last}")).await;
        let opening = t.balanceOf(wallet).block(BlockId::number(from - 1)).call().await.unwrap();
        let closing = t.balanceOf(wallet).block(BlockId::number(last)).call().await.unwrap();
        assert_eq!(big(&s["openingBalance"]), opening, "{wallet} opening at {from}");
        assert_eq!(big(&s["closingBalance"]), closing, "{wallet} closing at {last}");
        assert_eq!(s["balanced"], true);
        let mut balance = opening;
        for row in s["rows"].as_array().unwrap() {
            balance = balance + big(&row["credit"]) - big(&row["debit"]);
            assert_eq!(big(&row["balance"]), balance, "{wallet}'s running balance");
            let block = row["block"].as_u64().unwrap();
            assert!((from..=last).contains(&block));
        }
    }
    // The seized wallet's statement from the start: issuance, trades, two seizures, nothing left.
    let seized = cast.investors[7];
    let s = report("statement", ds.token, format!("holder={seized:#x}&to={last}")).await;
    let kinds: Vec<&str> = s["rows"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"issue"), "{kinds:?}");
    assert_eq!(big(&s["closingBalance"]), U256::ZERO);

    let items = report("open-items", ds.token, format!("to={last}")).await;
    let of = |category: &str| -> Vec<Value> {
        items["rows"].as_array().unwrap().iter().filter(|r| r["category"] == category).cloned().collect()
    };
    let seizures = of("seizure");
    assert_eq!(seizures.len(), 2, "{items}");
    assert!(seizures.iter().all(|r| r["account"] == format!("{seized:#x}")));
    let locks = of("lock");
    assert!(
        locks
            .iter()
            .any(|r| r["account"] == format!("{:#x}", cast.investors[3]) && big(&r["amount"]) == U256::from(40)),
        "{locks:?}"
    );
    // The ST-20 scenario ran after the DS one: up to the latest block.
    let items = report("open-items", st.token, "format=json".into()).await;
    let categories: Vec<&str> =
        items["rows"].as_array().unwrap().iter().map(|r| r["category"].as_str().unwrap()).collect();
    assert_eq!(categories, ["forced-transfer", "forced-redemption"], "{items}");

    // Two statements with the same (empty) rows, at two blocks: two digests.
    let idle = cast.investors[8];
    let a = report("statement", ds.token, format!("holder={idle:#x}&to={}", last - 1)).await;
    let b = report("statement", ds.token, format!("holder={idle:#x}&to={last}")).await;
    assert_eq!(a["rows"], b["rows"]);
    assert_ne!(a["digest"], b["digest"], "the digest binds the block");
}
