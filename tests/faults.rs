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

/// A node that is down from the start is passed over for the fallback after it (`--rpc A,B`):
/// the state is exact; a fallback on another chain, or nodes on a chain other than
/// `--chain-id`, stop registrar at start with a message naming both chains.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fallback_nodes_of_the_same_chain_only() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 19).await;
    let dead = format!("http://127.0.0.1:{}", registrar_testkit::devnet::free_port().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registrar::start(
        &format!("{dead},{}", anvil.http_url()),
        &[token],
        &dir.path().join("fallback"),
        &["--confirmations", "3", "--chain-id", "31337"],
    );
    reg.wait_indexed(&provider, played.last_block).await;
    assert_matches_chain(&reg, &provider, token, &cast, played.last_block).await;
    assert!(reg.log_tail().contains("trying the next"), "the fallback was not used:\n{}", reg.log_tail());
    reg.stop();

    let other = registrar_testkit::devnet::Anvil::spawn(&["--chain-id", "999"]).unwrap();
    let refused = |rpc: String, extra: &'static [&'static str], data: std::path::PathBuf| {
        let stderr = data.with_extension("log");
        let mut child = std::process::Command::new(BIN)
            .args(["run", "--rpc", &rpc, "--contracts", &token.to_string(), "--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(data)
            .args(extra)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        // It must stop by itself, promptly: a start that fails must not leave threads running.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!(
                    "registrar did not exit after refusing {rpc} {extra:?}: {}",
                    std::fs::read_to_string(&stderr).unwrap()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert!(!status.success(), "registrar started against {rpc} {extra:?}");
        std::fs::read_to_string(&stderr).unwrap()
    };
    let mixed = refused(format!("{},{}", anvil.http_url(), other.http_url()), &[], dir.path().join("mixed"));
    assert!(mixed.contains("is on chain 999, not chain 31337"), "{mixed}");
    let wrong = refused(anvil.http_url(), &["--chain-id", "1"], dir.path().join("wrong"));
    assert!(wrong.contains("is on chain 31337, not chain 1 (the configuration says 1)"), "{wrong}");
}
