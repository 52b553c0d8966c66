//! The disclosure archive end to end on anvil: an issuer submits disclosures with an API key,
//! registrar anchors the roots in `DisclosureAnchor`, an auditor fetches a proof over GraphQL
//! and verifies it with `registrar verify --rpc` against the chain; an ERC-1643 document event
//! lands in the archive; kill -9 while anchoring loses no leaf and anchors nothing twice.

#[macro_use]
mod common;

use std::{
    process::Command,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, B256},
    providers::{DynProvider, Provider},
};
use common::*;
use registrar_merkle::{parse_hash, verify_consistency, Blake3, TreeSize};
use registrar_testkit::{
    contracts::{DemoSecurityToken, DisclosureAnchor},
    scenario::{self, Cast},
};
use serde_json::{json, Value};

/// anvil's first account, the agent of the demo token and the owner of the anchor contract.
const OWNER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

async fn submit(reg: &Registrar, key: &str, token: Address, title: &str, text: &str) -> Value {
    let query = r#"mutation($token: String!, $title: String!, $text: String!) {
        submitDisclosure(token: $token, kind: "material-event", title: $title, effectiveDate: "2026-11-23", text: $text) {
            leafIndex contentHash title
        }
    }"#;
    let body = json!({ "query": query, "variables": { "token": token.to_string(), "title": title, "text": text } });
    reqwest::Client::new()
        .post(format!("{}/graphql", reg.url))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn create_key(data_dir: &std::path::Path, token: Address) -> String {
    std::fs::create_dir_all(data_dir).unwrap();
    let out = Command::new(BIN)
        .args(["keys", "--data-dir"])
        .arg(data_dir)
        .args(["create", "--name", "issuer", "--tokens", &token.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().find_map(|l| l.strip_prefix("secret ")).unwrap().to_string()
}

/// Mines empty blocks until `check` holds, so pending events become final.
async fn mine_until(
    provider: &DynProvider,
    reg: &Registrar,
    what: &str,
    check: impl Fn(&Value) -> bool,
    query: &str,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let r = reg.query(query).await;
        if r["errors"].is_null() && check(&r["data"]) {
            return r["data"].clone();
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: {r}\nlog:\n{}", reg.log_tail());
        let _: Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn verify(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN).arg("verify").args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned())
}

const ANCHORS: &str =
    "{ anchors(first: 100) { nodes { treeSize root matches previousTreeSize consistencyFromPrevious } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disclose_anchor_prove_and_survive_kill9() {
    let (anvil, provider) = chain().await;
    let cast = Cast::from_node(&provider, 4).await.unwrap();
    let token = scenario::deploy_token(&provider, cast.agent, "Disclosed Shares", "DSC", 0).await.unwrap();
    let anchor = DisclosureAnchor::deploy_builder(provider.clone()).from(cast.agent).deploy().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    let key = create_key(&data, token);
    let key_file = dir.path().join("owner.key");
    registrar_log::files::replace(&key_file, OWNER_KEY.as_bytes(), true).unwrap();
    let anchor_s = anchor.to_string();
    let key_file_s = key_file.to_str().unwrap().to_string();
    let args = [
        "--confirmations",
        "2",
        "--anchor-contract",
        &anchor_s,
        "--anchor-key-file",
        &key_file_s,
        "--anchor-every-leaves",
        "2",
        "--anchor-every-seconds",
        "1",
    ];
    let mut reg = Registrar::start(&anvil.http_url(), &[token], &data, &args);

    // An ERC-1643 document on chain, and submissions over GraphQL.
    let t = DemoSecurityToken::new(token, provider.clone());
    let mut name = [0u8; 32];
    name[..10].copy_from_slice(b"prospectus");
    mine!(t.setDocument(B256::from(name), "ipfs://bafy-prospectus".into(), B256::repeat_byte(5)).from(cast.agent));
    for i in 0..3 {
        let r =
            submit(&reg, &key, token, &format!("Notice {i}"), &format!("Coupon payment {i} made on schedule")).await;
        assert!(r["errors"].is_null(), "{r}");
    }
    // Refused: no key, a wrong key, a token the key may not publish for. Nothing is archived.
    let r = reg.query(r#"mutation { submitDisclosure(token: "0x0000000000000000000000000000000000000001", kind: "x", title: "t", text: "x") { leafIndex } }"#).await;
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("API key"), "{r}");
    let r = submit(&reg, "rk_wrong", token, "t", "x").await;
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("API key"), "{r}");
    let r = submit(&reg, &key, Address::repeat_byte(1), "t", "x").await;
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("may not publish"), "{r}");

    // The issuer's command line publishes a file.
    let file = dir.path().join("report.md");
    std::fs::write(&file, "# Annual report\n\nThe collateral pool holds short-dated treasuries.").unwrap();
    let out = Command::new(BIN)
        .args(["disclose", "--server", &reg.url, "--api-key", &key, "--token", &token.to_string()])
        .args(["--kind", "annual-report", "--title", "Annual report 2026", "--content-type", "text/markdown", "--file"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let published: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hash = published["contentHash"].as_str().unwrap().to_string();
    assert_eq!(hash, blake3::hash(&std::fs::read(&file).unwrap()).to_hex().to_string());

    // The document event becomes final and lands in the archive; roots get anchored.
    let docs = mine_until(
        &provider,
        &reg,
        "the ERC-1643 document in the archive",
        |d| d["disclosures"]["totalCount"] == 1,
        r#"{ disclosures(kind: "erc1643-updated") { totalCount nodes { disclosure { uri documentName chainEvent source } } } }"#,
    )
    .await;
    let doc = &docs["disclosures"]["nodes"][0]["disclosure"];
    assert_eq!(doc["uri"], "ipfs://bafy-prospectus");
    assert_eq!(doc["documentName"], "prospectus");
    assert_eq!(doc["source"], "chain");
    let found = reg
        .data(r#"{ disclosures(search: "treasuries") { totalCount nodes { snippet disclosure { title } } } }"#)
        .await;
    assert_eq!(found["disclosures"]["totalCount"], 1);
    assert!(found["disclosures"]["nodes"][0]["snippet"].as_str().unwrap().contains("<b>treasuries</b>"));

    let proof_query =
        format!(r#"{{ disclosureProof(hash: "{hash}") {{ treeSize root json anchor {{ blockNumber }} }} }}"#);
    let proof =
        mine_until(&provider, &reg, "an anchored proof", |d| !d["disclosureProof"].is_null(), &proof_query).await;
    let proof_file = dir.path().join("proof.json");
    std::fs::write(&proof_file, proof["disclosureProof"]["json"].as_str().unwrap()).unwrap();
    // The anchor contract is watched, not listed as a token.
    let tokens = reg.data("{ tokens(first: 100) { nodes { address } } }").await;
    let listed: Vec<String> = tokens["tokens"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["address"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(!listed.contains(&format!("{anchor:#x}")), "{listed:?}");
    assert!(!listed.is_empty());
    // The auditor downloads the document and checks it, the path and the anchor.
    let downloaded = reqwest::get(format!("{}/content/{hash}", reg.url)).await.unwrap();
    assert_eq!(downloaded.headers()["content-type"], "text/markdown");
    let doc_file = dir.path().join("downloaded.md");
    std::fs::write(&doc_file, downloaded.bytes().await.unwrap()).unwrap();
    let (code, msg) =
        verify(&[proof_file.to_str().unwrap(), "--content", doc_file.to_str().unwrap(), "--rpc", &anvil.http_url()]);
    assert_eq!(code, 0, "{msg}");
    std::fs::write(&doc_file, "# Annual report\n\nThe collateral pool holds long-dated junk.").unwrap();
    assert_eq!(verify(&[proof_file.to_str().unwrap(), "--content", doc_file.to_str().unwrap()]).0, 1);
    assert_eq!(reqwest::get(format!("{}/content/{}", reg.url, "00".repeat(32))).await.unwrap().status(), 404);

    // A proof with another root, a garbled file, an offline check.
    let mut bad: Value = serde_json::from_str(proof["disclosureProof"]["json"].as_str().unwrap()).unwrap();
    bad["leaf"]["kind"] = json!("prospectus");
    let bad_file = dir.path().join("bad.json");
    std::fs::write(&bad_file, bad.to_string()).unwrap();
    assert_eq!(verify(&[bad_file.to_str().unwrap(), "--rpc", &anvil.http_url()]).0, 1);
    std::fs::write(&bad_file, "{ not json").unwrap();
    assert_eq!(verify(&[bad_file.to_str().unwrap()]).0, 2);
    assert_eq!(verify(&[proof_file.to_str().unwrap()]).0, 0);

    // Kill -9 while more disclosures are being anchored, then restart.
    for i in 0..4 {
        submit(&reg, &key, token, &format!("Late notice {i}"), "Interest rate reset").await;
    }
    let size_before = reg.data("{ disclosures { totalCount } }").await["disclosures"]["totalCount"].as_u64().unwrap();
    reg.kill9();
    let mut reg = Registrar::start(&anvil.http_url(), &[token], &data, &args);
    let size_after = reg.data("{ disclosures { totalCount } }").await["disclosures"]["totalCount"].as_u64().unwrap();
    assert_eq!(size_after, size_before, "no leaf lost");
    assert_eq!(reg.metric("registrar_archive_leaves").await, Some(size_after));
    let anchors = mine_until(
        &provider,
        &reg,
        "every leaf anchored",
        |d| d["anchors"]["nodes"].as_array().and_then(|a| a.last()).is_some_and(|a| a["treeSize"] == size_after),
        ANCHORS,
    )
    .await;
    let nodes = anchors["anchors"]["nodes"].as_array().unwrap();
    let contract = DisclosureAnchor::new(anchor, provider.clone());
    let mut previous: Option<(u64, [u8; 32])> = None;
    for a in nodes {
        assert_eq!(a["matches"], true, "{a}");
        let size = a["treeSize"].as_u64().unwrap();
        let root = parse_hash(a["root"].as_str().unwrap()).unwrap();
        // One root per size on chain, and it is the archive's.
        assert_eq!(contract.rootAt(size).call().await.unwrap(), B256::from(root));
        if let Some((s1, r1)) = previous {
            let path: Vec<[u8; 32]> = a["consistencyFromPrevious"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| parse_hash(h.as_str().unwrap()).unwrap())
                .collect();
            verify_consistency::<Blake3>(TreeSize(s1), TreeSize(size), &r1, &root, &path).unwrap();
        }
        previous = Some((size, root));
    }
    let count: alloy::primitives::U256 = contract.anchorCount().call().await.unwrap();
    assert_eq!(count.to::<usize>(), nodes.len(), "every anchor on chain is in the archive");
    reg.stop();
}

/// Starts a node that anchors every leaf at once, and returns it with its issuer key.
async fn anchoring_node(
    anvil: &registrar_testkit::devnet::Anvil,
    provider: &DynProvider,
    dir: &std::path::Path,
    extra: &[&str],
) -> (Registrar, String, Address, Address, Cast) {
    let cast = Cast::from_node(provider, 4).await.unwrap();
    let token = scenario::deploy_token(provider, cast.agent, "Anchored Notes", "ANC", 0).await.unwrap();
    let anchor = DisclosureAnchor::deploy_builder(provider.clone()).from(cast.agent).deploy().await.unwrap();
    let data = dir.join("node");
    let key = create_key(&data, token);
    let key_file = dir.join("owner.key");
    registrar_log::files::replace(&key_file, OWNER_KEY.as_bytes(), true).unwrap();
    let mut args: Vec<String> = [
        "--confirmations",
        "2",
        "--anchor-contract",
        &anchor.to_string(),
        "--anchor-key-file",
        key_file.to_str().unwrap(),
        "--anchor-every-leaves",
        "1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let reg = Registrar::start(&anvil.http_url(), &[token], &data, &args);
    (reg, key, token, anchor, cast)
}

async fn latest_size(provider: &DynProvider, anchor: Address) -> u64 {
    DisclosureAnchor::new(anchor, provider.clone()).latestSize().call().await.unwrap()
}

async fn wait_chain_size(provider: &DynProvider, reg: &Registrar, anchor: Address, size: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while latest_size(provider, anchor).await < size {
        assert!(Instant::now() < deadline, "anchor of size {size} never landed; log:\n{}", reg.log_tail());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A reorg drops the block with the anchor transaction: registrar sees the chain behind the
/// archive and anchors again; the archive records only the anchor that became final.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_that_drops_the_anchor_is_anchored_again() {
    let (anvil, provider) = chain().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut reg, key, token, anchor, _) = anchoring_node(&anvil, &provider, dir.path(), &[]).await;
    let r = submit(&reg, &key, token, "First", "first notice").await;
    assert!(r["errors"].is_null(), "{r}");
    wait_chain_size(&provider, &reg, anchor, 1).await;

    let snapshot: alloy::primitives::U256 = provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    submit(&reg, &key, token, "Second", "second notice").await;
    wait_chain_size(&provider, &reg, anchor, 2).await;
    // The block holding the anchor of size 2 is abandoned.
    let reverted: bool = provider.raw_request("evm_revert".into(), (snapshot,)).await.unwrap();
    assert!(reverted);
    assert_eq!(latest_size(&provider, anchor).await, 1);
    // Another block on the new branch, so the node's chain is longer than the abandoned one.
    let _: Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    wait_chain_size(&provider, &reg, anchor, 2).await;
    let anchors = mine_until(
        &provider,
        &reg,
        "the re-sent anchor final",
        |d| d["anchors"]["nodes"].as_array().is_some_and(|a| a.len() == 2),
        ANCHORS,
    )
    .await;
    for a in anchors["anchors"]["nodes"].as_array().unwrap() {
        assert_eq!(a["matches"], true, "{a}");
    }
    reg.stop();
}

/// A transaction that the chain does not mine is replaced with higher fees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stuck_anchor_transaction_is_replaced() {
    let (anvil, provider) = chain().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut reg, key, token, anchor, _) =
        anchoring_node(&anvil, &provider, dir.path(), &["--anchor-replace-after-seconds", "1"]).await;
    let _: Value = provider.raw_request("evm_setAutomine".into(), (false,)).await.unwrap();
    let r = submit(&reg, &key, token, "Stuck", "a notice whose anchor waits").await;
    assert!(r["errors"].is_null(), "{r}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reg.log_tail().contains("replaced a stuck anchor transaction") {
        assert!(Instant::now() < deadline, "no replacement; log:\n{}", reg.log_tail());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(reg.metric("registrar_anchor_replacements_total").await.unwrap() >= 1);
    let _: Value = provider.raw_request("evm_setAutomine".into(), (true,)).await.unwrap();
    let _: Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    wait_chain_size(&provider, &reg, anchor, 1).await;
    let count: alloy::primitives::U256 =
        DisclosureAnchor::new(anchor, provider.clone()).anchorCount().call().await.unwrap();
    assert_eq!(count.to::<u64>(), 1, "the replaced transaction and its replacement anchor once");
    reg.stop();
}

/// The anchor's fees stop at the ceiling, however long its transaction waits; after a restart,
/// a transaction the earlier run left in the pool (its fees now below the base fee) is replaced
/// by the new anchor at the same nonce, instead of the new one queuing behind it for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anchor_fees_have_a_ceiling_and_a_held_nonce_is_replaced() {
    let (anvil, provider) = chain().await;
    let dir = tempfile::tempdir().unwrap();
    let config = |gwei: u64| {
        let path = dir.path().join(format!("ceiling-{gwei}.toml"));
        std::fs::write(&path, format!("[anchor]\nmax_fee_per_gas_gwei = {gwei}\n")).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (low, high) = (config(5), config(100));
    let extra = ["--config", low.as_str(), "--anchor-replace-after-seconds", "1"];
    let (mut reg, key, token, anchor, cast) = anchoring_node(&anvil, &provider, dir.path(), &extra).await;
    let head = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, head).await;

    // Nothing is mined: the anchor waits in the pool and is replaced with higher fees, up to 5 gwei.
    let _: Value = provider.raw_request("evm_setAutomine".into(), (false,)).await.unwrap();
    let r = submit(&reg, &key, token, "Held", "an anchor that waits").await;
    assert!(r["errors"].is_null(), "{r}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reg.log_tail().contains("at the fee ceiling") {
        assert!(Instant::now() < deadline, "the anchor never reached the ceiling; log:\n{}", reg.log_tail());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(reg.metric("registrar_anchor_replacements_total").await.unwrap_or(0) >= 1);
    let pool: Value = provider.raw_request("txpool_content".into(), ()).await.unwrap();
    let fees: Vec<u128> = pool["pending"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|by_nonce| by_nonce.as_object().unwrap().values())
        .map(|tx| u128::from_str_radix(tx["maxFeePerGas"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap())
        .collect();
    assert!(!fees.is_empty() && fees.iter().all(|f| *f <= 5_000_000_000), "fees above the ceiling: {fees:?}");

    // The node dies with the anchor in the pool.
    reg.kill9();
    let owner = format!("{:#x}", cast.agent);
    let pending_nonces = |pool: &Value| -> Vec<u64> {
        let by_sender = pool["pending"].as_object().unwrap();
        let mine =
            by_sender.iter().find(|(a, _)| a.to_lowercase() == owner).map(|(_, n)| n.clone()).unwrap_or_default();
        mine.as_object().map(|n| n.keys().map(|k| k.parse().unwrap()).collect()).unwrap_or_default()
    };
    let held: Vec<u64> = pending_nonces(&provider.raw_request("txpool_content".into(), ()).await.unwrap());
    assert_eq!(held.len(), 1, "one anchor is held in the pool: {held:?}");

    // Restarted with a higher ceiling: the new anchor takes the held nonce (outbidding it),
    // rather than queuing behind it at the next one.
    let data = dir.path().join("node");
    let args = ["--confirmations", "2", "--anchor-contract", &anchor.to_string()];
    let key_file = dir.path().join("owner.key");
    let more =
        ["--anchor-key-file", key_file.to_str().unwrap(), "--anchor-every-leaves", "1", "--config", high.as_str()];
    let reg = Registrar::start(&anvil.http_url(), &[token], &data, &[&args[..], &more[..]].concat());
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reg.log_tail().contains("holds the nonce") {
        assert!(Instant::now() < deadline, "the held nonce was not seen; log:\n{}", reg.log_tail());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Outbid until the node takes it (a first try at the estimate may be refused as underpriced).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after: Vec<u64> = pending_nonces(&provider.raw_request("txpool_content".into(), ()).await.unwrap());
    assert_eq!(after, held, "the held nonce was replaced, no anchor queued behind it");
    let deadline = Instant::now() + Duration::from_secs(60);
    while latest_size(&provider, anchor).await < 1 {
        assert!(Instant::now() < deadline, "the anchor was never mined; log:\n{}", reg.log_tail());
        let _: Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
