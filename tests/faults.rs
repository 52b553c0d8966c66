//! A proxy between registrar and the node drops connections, delays answers and answers 429
//! and 5xx to a share of requests. The final state is still exact.

mod common;

use std::sync::atomic::Ordering::Relaxed;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exact_state_through_a_faulty_node() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 17).await;
    let (proxy, faults) =
        proxy::start(anvil.http_url(), proxy::Faults { percent: 30, seed: 42, ..Default::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("impatient.toml");
    // A short timeout so that delayed answers time out too; small ranges so there are many calls.
    std::fs::write(&config, "[ingest]\nrpc_timeout_ms = 600\ninitial_range = 4\nmax_range = 8\nmax_attempts = 100\n")
        .unwrap();
    let data = dir.path().join("faulty");
    let mut reg = Registrar::start(
        &format!("http://{proxy}"),
        &[token],
        &data,
        &["--confirmations", "3", "--config", config.to_str().unwrap()],
    );
    reg.wait_indexed(&provider, played.last_block).await;
    assert_matches_chain(&reg, &provider, token, &cast, played.last_block).await;
    // The node's faults reached registrar, were classified and retried.
    for kind in ["rate_limited", "unavailable"] {
        let n = reg.metric(&format!("registrar_rpc_errors_total{{kind=\"{kind}\"}}")).await.unwrap_or(0);
        assert!(n > 0, "no {kind} errors counted");
    }
    reg.stop();
    assert!(faults.dropped.load(Relaxed) > 0, "{faults:?}");
    assert!(faults.rate_limited.load(Relaxed) > 0, "{faults:?}");
    assert!(faults.server_errors.load(Relaxed) > 0, "{faults:?}");
    assert!(faults.delayed.load(Relaxed) > 0, "{faults:?}");
    let fresh =
        fresh_state_digest(&anvil.http_url(), &provider, &[token], &dir.path().join("fresh"), played.last_block).await;
    assert_eq!(digest(&data).1, fresh, "state through the faulty proxy differs from a clean index");
}

/// A node that refuses `eth_getLogs` over more than 3 blocks: ingest splits its ranges and still
/// indexes everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranges_shrink_when_the_node_refuses_them() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 19).await;
    let faults = proxy::Faults { max_log_range: Some(3), ..Default::default() };
    let (proxy, counts) = proxy::start(anvil.http_url(), faults).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wide.toml");
    std::fs::write(&config, "[ingest]\ninitial_range = 64\nmax_range = 64\n").unwrap();
    let data = dir.path().join("narrow");
    let args = ["--confirmations", "3", "--config", config.to_str().unwrap()];
    let mut reg = Registrar::start(&format!("http://{proxy}"), &[token], &data, &args);
    reg.wait_indexed(&provider, played.last_block).await;
    assert_matches_chain(&reg, &provider, token, &cast, played.last_block).await;
    let refused = reg.metric("registrar_rpc_errors_total{kind=\"range_too_large\"}").await.unwrap_or(0);
    assert!(refused > 0, "no refused range was counted");
    assert!(counts.ranges_refused.load(Relaxed) >= refused);
    reg.stop();
}
