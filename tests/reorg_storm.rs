//! A reorg storm (issue: hardening): registrar follows anvil over http with 100 confirmations
//! while the chain is replaced again and again by `anvil_reorg` (depth 1 to 64, at random times:
//! caught up, half-way through a step, behind), the replacement blocks holding other transfers,
//! fewer or none. registrar must never stop, and must end with every holder's balance equal to
//! the contract's `balanceOf`, whatever the node's range queries answer.
//!
//! CI runs a short form (12 rounds, 1 run). The issue's full form, 40 rounds 3 times:
//! `REGISTRAR_STORM_ROUNDS=40 REGISTRAR_STORM_RUNS=3 cargo test --test reorg_storm -- --nocapture`

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
    sol_types::SolCall,
};
use common::*;
use registrar_testkit::{contracts::DemoSecurityToken, scenario};
use serde_json::json;

const HOLDERS: usize = 300;

/// A small deterministic generator (xorshift64*), seeded per run so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn holder(i: usize) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = 0x5e;
    bytes[12..20].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    Address::from(bytes)
}

/// A random agent action on random holders, as calldata.
fn action(rng: &mut Rng) -> Vec<u8> {
    let (a, b) = (holder(rng.below(HOLDERS as u64) as usize), holder(rng.below(HOLDERS as u64) as usize));
    let amount = U256::from(1 + rng.below(5));
    match rng.below(3) {
        0 => DemoSecurityToken::forcedTransferCall { _from: a, _to: b, _amount: amount }.abi_encode(),
        1 => DemoSecurityToken::mintCall { _to: a, _amount: amount }.abi_encode(),
        _ => DemoSecurityToken::burnCall { _userAddress: a, _amount: amount }.abi_encode(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_storm() {
    let rounds = env("REGISTRAR_STORM_ROUNDS", 12);
    let runs = env("REGISTRAR_STORM_RUNS", 1);
    let mut outcomes = Vec::new();
    for run in 0..runs {
        let seed = 0x5eed_0000
            + run as u64 * 7919
            + std::env::var("REGISTRAR_STORM_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
        outcomes.push(storm(run, seed, rounds).await);
    }
    for o in &outcomes {
        println!("{o}");
    }
}

async fn storm(run: usize, seed: u64, rounds: usize) -> String {
    let started = Instant::now();
    let mut rng = Rng(seed | 1);
    let (anvil, provider) = chain().await;
    let cast = scenario::Cast::from_node(&provider, 4).await.unwrap();
    let token = scenario::deploy_token(&provider, cast.agent, "Storm Shares", "STM", 0).await.unwrap();
    let t = DemoSecurityToken::new(token, provider.clone());
    let holders: Vec<Address> = (0..HOLDERS).map(holder).collect();
    for chunk in holders.chunks(100) {
        mine!(t.batchMint(chunk.to_vec(), vec![U256::from(1000); chunk.len()]).from(cast.agent));
    }
    // Deeper than the deepest reorg and the confirmations, so reorgs never reach the genesis.
    let _: serde_json::Value = provider.raw_request("anvil_mine".into(), (200u64,)).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("follower");
    let mut reg = Registrar::start(&anvil.http_url(), &[token], &data, &["--confirmations", "100"]);
    let head = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, head).await;

    let agent = format!("{:#x}", cast.agent);
    let to = format!("{token:#x}");
    let mut depths = Vec::new();
    for round in 0..rounds {
        // The chain grows: a few blocks, some with agent actions.
        for _ in 0..1 + rng.below(6) {
            if rng.below(2) == 0 {
                let input = action(&mut rng);
                // The chain's nonce, not a cached one: reorgs drop and add the agent's transactions.
                let nonce = provider.get_transaction_count(cast.agent).latest().await.unwrap();
                let tx = alloy::rpc::types::TransactionRequest::default()
                    .from(cast.agent)
                    .to(token)
                    .nonce(nonce)
                    .input(input.into());
                let _ = provider.send_transaction(tx).await.unwrap().get_receipt().await;
            } else {
                let _: serde_json::Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
            }
        }
        // When the reorg comes: caught up, half-way, or behind.
        match rng.below(3) {
            0 => {
                let head = provider.get_block_number().await.unwrap();
                reg.wait_indexed(&provider, head).await;
            }
            1 => tokio::time::sleep(Duration::from_millis(rng.below(300))).await,
            _ => {}
        }
        let depth = 1 + rng.below(64);
        depths.push(depth);
        // Replacement blocks: other actions, fewer, or none.
        let count = match rng.below(3) {
            0 => 0,
            1 => 1 + rng.below(2),
            _ => 1 + rng.below(6),
        };
        let txs: Vec<serde_json::Value> = (0..count)
            .map(|_| {
                let input = format!("0x{}", alloy::primitives::hex::encode(action(&mut rng)));
                json!([{ "from": agent, "to": to, "input": input, "gas": "0x100000" }, rng.below(depth)])
            })
            .collect();
        let answer: Result<serde_json::Value, _> = provider.raw_request("anvil_reorg".into(), (depth, txs)).await;
        answer.unwrap_or_else(|e| panic!("run {run} round {round}: anvil_reorg({depth}) failed: {e}"));
    }
    let head = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, head).await;

    // Every holder against the contract, at the head both agree on.
    let answer = reg
        .data(&format!(
            r#"{{ status {{ indexedBlock }} token(address: "{token:#x}") {{ totalSupply holders(first: 1000, orderBy: ADDRESS) {{ nodes {{ address balance }} }} }} }}"#
        ))
        .await;
    let indexed = answer["status"]["indexedBlock"].as_u64().unwrap();
    let at = alloy::eips::BlockId::number(indexed);
    let listed: std::collections::BTreeMap<String, String> = answer["token"]["holders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["address"].as_str().unwrap().to_string(), n["balance"].as_str().unwrap().to_string()))
        .collect();
    let mut different = Vec::new();
    for h in &holders {
        let chain = t.balanceOf(*h).block(at).call().await.unwrap();
        let ours = listed.get(&format!("{h:#x}")).cloned().unwrap_or_else(|| "0".into());
        if ours != chain.to_string() {
            different.push(format!("{h:#x}: registrar {ours}, balanceOf {chain}"));
        }
    }
    let supply = t.totalSupply().block(at).call().await.unwrap();
    let reorgs = reg.metric("registrar_reorgs_total").await.unwrap_or(0);
    assert!(
        different.is_empty() && answer["token"]["totalSupply"] == supply.to_string(),
        "run {run} (seed {seed}): {} of {HOLDERS} balances differ from balanceOf at block {indexed} (supply {} vs {supply}):\n{}\nlog:\n{}",
        different.len(),
        answer["token"]["totalSupply"],
        different.join("\n"),
        reg.log_tail()
    );
    reg.stop();
    format!(
        "reorg storm run {run} (seed {seed}): {rounds} rounds, depths {}..{}, {reorgs} reorgs reverted, {HOLDERS} balances equal balanceOf at block {indexed}, {:.0} s: pass",
        depths.iter().min().unwrap_or(&0),
        depths.iter().max().unwrap_or(&0),
        started.elapsed().as_secs_f64()
    )
}
