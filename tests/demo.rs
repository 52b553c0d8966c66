//! `registrar demo`, the README's first command, runs to its banner: every demo token is listed
//! (the anchor contract is not), a query answers over GET and by date, and SIGTERM stops it and
//! the anvil it started.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_registrar");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_to_its_banner_and_stops() {
    let mut child = Command::new(BIN)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    // The banner names the server's address once the scenario is indexed.
    let url = loop {
        let line = received.recv_timeout(Duration::from_secs(300)).expect("the demo prints its banner");
        if let Some(rest) = line.strip_prefix("registrar demo is running. Console: ") {
            break rest.split_whitespace().next().unwrap().trim_end_matches('/').to_string();
        }
    };
    let query = |q: &str| {
        let url = reqwest::Url::parse_with_params(&format!("{url}/graphql"), &[("query", q)]).unwrap();
        async move { reqwest::get(url).await.unwrap().json::<Value>().await.unwrap() }
    };
    let tokens = query("{ tokens(first: 50) { nodes { address name symbol } } }").await;
    let nodes = tokens["data"]["tokens"]["nodes"].as_array().unwrap();
    let symbols: Vec<&str> = nodes.iter().map(|t| t["symbol"].as_str().unwrap()).collect();
    for wanted in ["ACME-A", "ACME30", "ACME-B", "ACME-C", "ACME-N", "ACP", "ACME-F", "ACME-V"] {
        assert!(symbols.contains(&wanted), "{wanted} in {symbols:?}");
    }
    assert!(nodes.iter().all(|t| !t["name"].as_str().unwrap().is_empty()), "a contract without a name: {nodes:?}");
    // The scenario's chain started a week ago: six days ago is inside it.
    let six_days_ago =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() - 6 * 86_400;
    let shares = nodes.iter().find(|t| t["symbol"] == "ACME-A").unwrap()["address"].as_str().unwrap().to_string();
    let past = query(&format!(
        r#"{{ token(address: "{shares}", block: {{ timestamp: {six_days_ago} }}) {{ block holderCount }} }}"#
    ))
    .await;
    assert!(past["errors"].is_null(), "{past}");
    assert!(past["data"]["token"]["block"].as_u64().unwrap() > 0, "{past}");

    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "the demo exited with {status} after SIGTERM");
}
