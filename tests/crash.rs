//! kill -9 in the middle of a backfill, then a restart: nothing lost, nothing doubled. The
//! restarted node's state equals that of a node that indexed the chain in one go.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use alloy::primitives::{U160, U256};
use common::*;
use registrar_testkit::contracts::TransferEmitter;

/// Three kills a run; `RELIABILITY_RUNS=3` repeats the run, as the open reliability suite does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_backfill_then_restart() {
    let runs = std::env::var("RELIABILITY_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    for run in 0..runs {
        killed_three_times(run).await;
        println!("reliability: kill -9 three times mid-backfill: run {run}: pass (state equals a clean index)");
    }
}

async fn killed_three_times(run: u64) {
    let (anvil, provider) = chain().await;
    let (token, cast, _) = token_with_scenario(&provider, 21 + run).await;
    // Bulk traffic so the backfill takes a while: 200 blocks of 50 transfers.
    let sender = cast.agent;
    let emitter = TransferEmitter::deploy_builder(provider.clone()).from(sender).deploy().await.unwrap();
    let e = TransferEmitter::new(emitter, provider.clone());
    for i in 0..200u64 {
        mine!(e.mintRange(U160::from(0x10_0000 + i * 50), U256::from(50), U256::from(7)).from(sender));
    }
    let head = alloy::providers::Provider::get_block_number(&provider).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("slow.toml");
    std::fs::write(&config, "[ingest]\ninitial_range = 2\nmax_range = 2\nconcurrency = 1\n").unwrap();
    let config = config.to_str().unwrap();
    let data = dir.path().join("crashy");
    let contracts = [token, emitter];
    let args = ["--confirmations", "5", "--config", config];
    let mut reg = Registrar::start(&anvil.http_url(), &contracts, &data, &args);
    // Kill it once it is well into the backfill, and again after each restart.
    for round in 0..3 {
        let deadline = Instant::now() + Duration::from_secs(120);
        let target = 40 + round * 60;
        loop {
            if reg.metric("registrar_indexed_block").await.unwrap_or(0) >= target {
                break;
            }
            assert!(Instant::now() < deadline, "backfill did not reach block {target}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let indexed = reg.metric("registrar_indexed_block").await.unwrap_or(0);
        assert!(indexed < head, "killed too late: indexed {indexed} of {head}");
        reg.kill9();
        reg = Registrar::start(&anvil.http_url(), &contracts, &data, &args);
    }
    reg.wait_indexed(&provider, head).await;
    assert_matches_chain(&reg, &provider, token, &cast, head).await;
    let events = reg.metric("registrar_events_applied_total").await.unwrap();
    reg.stop();
    assert!(events > 0);

    let fresh = fresh_state_digest(&anvil.http_url(), &provider, &contracts, &dir.path().join("fresh"), head).await;
    assert_eq!(digest(&data).1, fresh, "state after two crashes differs from a clean index");
}
