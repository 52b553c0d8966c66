//! The open reliability suite's node scenarios (enviodev/open-indexer-benchmark,
//! `reliability/README.md`), against anvil through the fault proxy: the node contradicts itself
//! (the same log twice in one answer, a head that moves backwards, blocks it does not have),
//! stops answering, and serves legal but awkward values (an empty `symbol()`, NUL bytes in a
//! name, log indexes near the 32-bit ceiling, 2^256 - 1, 500 empty blocks); and head latency.
//! Each check ends with every holder equal to the contract's views.
//!
//! CI runs each once; the suite's form, three runs a check:
//! `RELIABILITY_RUNS=3 cargo test --test reliability -- --nocapture --test-threads 1`
//! (RELIABILITY.md has the table).

#[macro_use]
mod common;

use std::{
    sync::{
        atomic::{AtomicU64, Ordering::Relaxed},
        Arc,
    },
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
};
use common::*;
use registrar_testkit::{contracts::DemoSecurityToken, scenario};
use serde_json::{json, Value};

fn runs() -> usize {
    std::env::var("RELIABILITY_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(1)
}

/// A node that contradicts itself: each run indexes a token through a proxy whose answers the
/// rewrite `make` builds changes, checks the index against the chain, and that some answers were
/// rewritten and none of them taken for a reorg.
async fn contradicting_node(check: &str, seed: u64, make: impl Fn() -> proxy::Rewrite) {
    for run in 0..runs() {
        let (anvil, provider) = chain().await;
        let (token, cast, played) = token_with_scenario(&provider, seed + run as u64).await;
        let (proxy, node) = proxy::start(anvil.http_url(), proxy::Faults::default()).await;
        node.rewrite.set(make());
        let dir = tempfile::tempdir().unwrap();
        let mut reg =
            Registrar::start(&format!("http://{proxy}"), &[token], &dir.path().join("node"), &["--confirmations", "4"]);
        reg.wait_indexed(&provider, played.last_block).await;
        assert_matches_chain(&reg, &provider, token, &cast, played.last_block).await;
        let reorgs = reg.metric("registrar_reorgs_total").await.unwrap_or(0);
        reg.stop();
        let rewritten = node.rewritten.load(Relaxed);
        assert!(rewritten > 0);
        assert_eq!(reorgs, 0, "{check}: not a reorg");
        println!("reliability: {check}: run {run}: pass ({rewritten} answers rewritten)");
    }
}

/// The node answers every log twice in one `eth_getLogs` answer: nothing is counted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_log_twice_in_one_answer() {
    contradicting_node("the same log twice in one answer", 31, || {
        Arc::new(|request, mut answer| {
            if request["method"] == "eth_getLogs" {
                if let Some(logs) = answer["result"].as_array().cloned() {
                    answer["result"] = Value::Array(logs.iter().flat_map(|l| [l.clone(), l.clone()]).collect());
                }
            }
            answer
        })
    })
    .await;
}

/// Every third `eth_blockNumber` is five blocks behind the one before (a load balancer's lagging
/// replica): no reorg is reverted, nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_that_moves_backwards() {
    contradicting_node("a head that moves backwards", 37, || {
        let n = AtomicU64::new(0);
        Arc::new(move |request, mut answer| {
            if request["method"] == "eth_blockNumber" && n.fetch_add(1, Relaxed) % 3 == 2 {
                let head = u64::from_str_radix(answer["result"].as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)
                    .unwrap_or(0);
                answer["result"] = json!(format!("{:#x}", head.saturating_sub(5)));
            }
            answer
        })
    })
    .await;
}

/// One `eth_getBlockByNumber` in five answers `null` (a replica without the block yet).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocks_the_node_does_not_have() {
    contradicting_node("blocks the node does not have", 41, || {
        let n = AtomicU64::new(0);
        Arc::new(move |request, mut answer| {
            if request["method"] == "eth_getBlockByNumber" && n.fetch_add(1, Relaxed) % 5 == 4 {
                answer["result"] = Value::Null;
            }
            answer
        })
    })
    .await;
}

/// The node stops answering for 8 s while the chain moves on; ingest resumes on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_stops_answering() {
    for run in 0..runs() {
        let (anvil, provider) = chain().await;
        let (token, cast, played) = token_with_scenario(&provider, 43 + run as u64).await;
        let (proxy, node) = proxy::start(anvil.http_url(), proxy::Faults::default()).await;
        let dir = tempfile::tempdir().unwrap();
        let mut reg =
            Registrar::start(&format!("http://{proxy}"), &[token], &dir.path().join("node"), &["--confirmations", "4"]);
        reg.wait_indexed(&provider, played.last_block).await;
        let outage = Duration::from_secs(8);
        let back = Instant::now() + outage;
        *node.stall_until.lock().unwrap() = Some(back);
        let t = DemoSecurityToken::new(token, provider.clone());
        for i in 0..3u64 {
            mine!(t.mint(cast.investors[i as usize], U256::from(10 + i)).from(cast.agent));
        }
        let head = provider.get_block_number().await.unwrap();
        tokio::time::sleep_until(back.into()).await;
        *node.stall_until.lock().unwrap() = None;
        reg.wait_indexed(&provider, head).await;
        let resumed = back.elapsed();
        assert_matches_chain(&reg, &provider, token, &cast, head).await;
        reg.stop();
        println!(
            "reliability: the node stops answering for {} s: run {run}: pass (indexed the new head {:.1} s after it answered again)",
            outage.as_secs(),
            resumed.as_secs_f64()
        );
    }
}

/// ABI encoding of a string, as `name()` and `symbol()` answer.
fn abi_string(s: &[u8]) -> String {
    let mut out = vec![0u8; 64];
    out[31] = 0x20;
    out[56..64].copy_from_slice(&(s.len() as u64).to_be_bytes());
    let mut data = s.to_vec();
    data.resize(s.len().div_ceil(32) * 32, 0);
    out.extend(data);
    format!("0x{}", alloy::primitives::hex::encode(out))
}

/// Legal values that break things: an empty `symbol()`, NUL bytes in `name()`, log indexes
/// from 0xffffffe2 up, a balance of 2^256 - 1, 500 empty blocks between two transfers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_values() {
    for run in 0..runs() {
        let (anvil, provider) = chain().await;
        let cast = scenario::Cast::from_node(&provider, 4).await.unwrap();
        let token = scenario::deploy_token(&provider, cast.agent, "Awkward", "AWK", 0).await.unwrap();
        let t = DemoSecurityToken::new(token, provider.clone());
        let (whale, other) = (Address::repeat_byte(0x77), Address::repeat_byte(0x78));
        mine!(t.mint(whale, U256::MAX).from(cast.agent));
        let _: Value = provider.raw_request("anvil_mine".into(), (500u64,)).await.unwrap();
        mine!(t.forcedTransfer(whale, other, U256::from(1)).from(cast.agent));
        let head = provider.get_block_number().await.unwrap();

        let (proxy, node) = proxy::start(anvil.http_url(), proxy::Faults::default()).await;
        let (name_call, symbol_call) = ("0x06fdde03", "0x95d89b41");
        let rewrite: proxy::Rewrite = Arc::new(move |request, mut answer| {
            match request["method"].as_str() {
                Some("eth_call") => {
                    let input = request["params"][0]["input"].as_str().or(request["params"][0]["data"].as_str());
                    match input {
                        Some(i) if i.starts_with(name_call) => answer["result"] = json!(abi_string(b"Awk\0ward\0")),
                        Some(i) if i.starts_with(symbol_call) => answer["result"] = json!(abi_string(b"")),
                        _ => {}
                    }
                }
                Some("eth_getLogs") => {
                    for log in answer["result"].as_array_mut().into_iter().flatten() {
                        let index =
                            u64::from_str_radix(log["logIndex"].as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)
                                .unwrap_or(0);
                        log["logIndex"] = json!(format!("{:#x}", 0xffff_ffe2u64 + index));
                    }
                }
                _ => {}
            }
            answer
        });
        node.rewrite.set(rewrite);
        let dir = tempfile::tempdir().unwrap();
        let mut reg =
            Registrar::start(&format!("http://{proxy}"), &[token], &dir.path().join("node"), &["--confirmations", "4"]);
        reg.wait_indexed(&provider, head).await;
        let data = reg
            .data(&format!(
                r#"{{ token(address: "{token:#x}") {{ name symbol totalSupply holder(address: "{whale:#x}") {{ balance }}
                     transfers(first: 10) {{ nodes {{ logIndex value }} }} }} }}"#
            ))
            .await;
        let tk = &data["token"];
        assert_eq!(tk["name"], "Awk\u{0}ward\u{0}", "{data}");
        assert_eq!(tk["symbol"], "", "{data}");
        assert_eq!(tk["totalSupply"], U256::MAX.to_string());
        assert_eq!(tk["holder"]["balance"], (U256::MAX - U256::from(1)).to_string());
        let indexes: Vec<u64> =
            tk["transfers"]["nodes"].as_array().unwrap().iter().filter_map(|n| n["logIndex"].as_u64()).collect();
        assert!(indexes.iter().all(|i| *i >= 0xffff_ffe2), "{data}");
        let csv = reqwest::get(format!("{}/reports/holders?token={token:#x}&format=csv", reg.url)).await.unwrap();
        assert!(csv.status().is_success());
        reg.stop();
        println!("reliability: awkward values: run {run}: pass (empty symbol, NUL bytes, log indexes {indexes:?}, 2^256-1, 500 empty blocks)");
    }
}

/// From a block with a transfer being mined to the index answering as of it: p50 and p99.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_latency() {
    for run in 0..runs() {
        let (anvil, provider) = chain().await;
        let (token, cast, played) = token_with_scenario(&provider, 47 + run as u64).await;
        let dir = tempfile::tempdir().unwrap();
        let mut reg =
            Registrar::start(&anvil.http_url(), &[token], &dir.path().join("node"), &["--confirmations", "4"]);
        reg.wait_indexed(&provider, played.last_block).await;
        let t = DemoSecurityToken::new(token, provider.clone());
        let mut latencies = Vec::new();
        for i in 0..30u64 {
            let receipt = mine!(t.mint(cast.investors[(i % 10) as usize], U256::from(1 + i)).from(cast.agent));
            let started = Instant::now();
            let block = receipt.block_number.unwrap();
            loop {
                let status = reg.data("{ status { indexedBlock } }").await;
                if status["status"]["indexedBlock"].as_u64().unwrap_or(0) >= block {
                    break;
                }
                assert!(started.elapsed() < Duration::from_secs(30), "block {block} not indexed");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            latencies.push(started.elapsed());
        }
        latencies.sort();
        reg.stop();
        println!(
            "reliability: head latency (http polling every 100 ms): run {run}: p50 {} ms, p99 {} ms over {} blocks",
            quantile_ms(&latencies, 0.5),
            quantile_ms(&latencies, 0.99),
            latencies.len()
        );
    }
}

/// The node answers, once, a log of a contract not asked for and a log outside the range asked:
/// neither is taken into the register (the step is read again), and the state ends exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_that_were_not_asked_for() {
    for run in 0..runs() {
        let done = Arc::new(AtomicU64::new(0));
        let rewrite: proxy::Rewrite = Arc::new(move |request, mut answer| {
            if request["method"] != "eth_getLogs" || done.load(Relaxed) > 0 {
                return answer;
            }
            let Some(first) = answer["result"].as_array().and_then(|l| l.first()).cloned() else { return answer };
            done.store(1, Relaxed);
            let mut foreign = first.clone();
            foreign["address"] = json!("0x000000000000000000000000000000000000dead");
            foreign["logIndex"] = json!("0x7fff");
            let mut outside = first;
            outside["blockNumber"] = json!("0xffffff");
            let logs = answer["result"].as_array_mut().unwrap();
            logs.push(foreign);
            logs.push(outside);
            answer
        });
        let (anvil, provider) = chain().await;
        let (token, cast, played) = token_with_scenario(&provider, 53 + run as u64).await;
        let (proxy, node) = proxy::start(anvil.http_url(), proxy::Faults::default()).await;
        node.rewrite.set(rewrite);
        let dir = tempfile::tempdir().unwrap();
        let mut reg =
            Registrar::start(&format!("http://{proxy}"), &[token], &dir.path().join("node"), &["--confirmations", "4"]);
        reg.wait_indexed(&provider, played.last_block).await;
        assert_matches_chain(&reg, &provider, token, &cast, played.last_block).await;
        let tokens = reg
            .data("{ tokens(first: 10) { nodes { address } } undecodedLogs { contract blockNumber logIndex } }")
            .await;
        assert_eq!(tokens["tokens"]["nodes"].as_array().unwrap().len(), 1, "{tokens}");
        let injected = tokens["undecodedLogs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["blockNumber"] == json!(0xffffff) || l["logIndex"] == json!(0x7fff));
        assert!(!injected, "{tokens}");
        assert_eq!(node.rewritten.load(Relaxed), 1);
        let foreign = reg
            .query(r#"{ token(address: "0x000000000000000000000000000000000000dead") { transfers { totalCount } } }"#)
            .await;
        let count = foreign["data"]["token"]["transfers"]["totalCount"].as_u64().unwrap_or(0);
        assert_eq!(count, 0, "a log of a contract not asked for was taken: {foreign}");
        reg.stop();
        println!("reliability: logs that were not asked for: run {run}: pass");
    }
}
