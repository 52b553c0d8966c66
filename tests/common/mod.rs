//! Shared by the integration tests: a registrar process, GraphQL calls, the chain's own view of
//! a token, and comparisons between the two. Everything runs on loopback ports picked here.

#![allow(dead_code)]

pub mod proxy;

/// Sends a contract call and waits for its receipt, failing the test on any error.
#[allow(unused_macros)]
macro_rules! mine {
    ($call:expr) => {
        $call.send().await.unwrap().get_receipt().await.unwrap()
    };
}

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
};
use registrar_testkit::{
    contracts::DemoSecurityToken,
    devnet::Anvil,
    scenario::{self, Cast},
};
use serde_json::{json, Value};

pub const BIN: &str = env!("CARGO_BIN_EXE_registrar");

/// Starts anvil and connects to it.
pub async fn chain() -> (Anvil, DynProvider) {
    let anvil = Anvil::spawn(&[]).expect("anvil starts (run `make setup`)");
    let provider = ProviderBuilder::new().connect(&anvil.http_url()).await.unwrap().erased();
    (anvil, provider)
}

/// Deploys a demo token and plays the scenario on it.
pub async fn token_with_scenario(provider: &DynProvider, seed: u64) -> (Address, Cast, scenario::Played) {
    let cast = Cast::from_node(provider, 40).await.unwrap();
    let token = scenario::deploy_token(provider, cast.agent, "Test Shares", "TST", 0).await.unwrap();
    let played = scenario::play(provider, token, &cast, U256::from(1), seed).await.unwrap();
    (token, cast, played)
}

/// A registrar process.
pub struct Registrar {
    child: Option<Child>,
    pub url: String,
    pub data_dir: PathBuf,
}

impl Registrar {
    /// `registrar run` against `rpc`, with `extra` arguments; stderr goes to `data_dir/*.log`.
    pub fn start(rpc: &str, contracts: &[Address], data_dir: &Path, extra: &[&str]) -> Registrar {
        Self::start_role("run", rpc, contracts, data_dir, extra)
    }

    /// `registrar <role>` (`run`, `ingest` or `serve`); `url` is its HTTP server (for `ingest`,
    /// the metrics server).
    pub fn start_role(role: &str, rpc: &str, contracts: &[Address], data_dir: &Path, extra: &[&str]) -> Registrar {
        std::fs::create_dir_all(data_dir).unwrap();
        let contracts: Vec<String> = contracts.iter().map(|c| c.to_string()).collect();
        let log_path = data_dir.with_extension("log");
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path).unwrap();
        let log_start = log.metadata().unwrap().len() as usize;
        // Port 0: the server binds a free port itself and logs it, so parallel tests never race.
        let child = Command::new(BIN)
            .args([role, "--rpc", rpc, "--contracts", &contracts.join(",")])
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0", "--poll-interval-ms", "100"])
            .args(extra)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("registrar binary starts");
        let mut reg = Registrar { child: Some(child), url: String::new(), data_dir: data_dir.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read(&log_path).unwrap_or_default();
            let new = String::from_utf8_lossy(&text[log_start.min(text.len())..]).into_owned();
            let announced = ["graphql at ", "metrics at "]
                .iter()
                .find_map(|a| new.find(&format!("{a}http://")).map(|at| at + a.len()));
            if let Some(at) = announced {
                let rest = &new[at..];
                let url = rest.split(['/', ' ', '\n']).take(3).collect::<Vec<_>>().join("/");
                reg.url = url.to_string();
                return reg;
            }
            if let Some(Ok(Some(status))) = reg.child.as_mut().map(|c| c.try_wait()) {
                panic!("registrar exited with {status} at start; its log ends:\n{}", reg.log_tail());
            }
            assert!(Instant::now() < deadline, "registrar did not start serving; its log ends:\n{}", reg.log_tail());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A handle on a server started elsewhere (`registrar demo`): queries only.
    pub fn at(url: &str) -> Registrar {
        Registrar { child: None, url: url.to_string(), data_dir: PathBuf::new() }
    }

    /// Runs a GraphQL query; panics on transport failure, returns the whole response.
    pub async fn query(&self, query: &str) -> Value {
        let client = reqwest::Client::new();
        client
            .post(format!("{}/graphql", self.url))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("graphql request")
            .json()
            .await
            .expect("graphql response is json")
    }

    /// `data` of a query that must succeed.
    pub async fn data(&self, query: &str) -> Value {
        let r = self.query(query).await;
        assert!(r["errors"].is_null(), "query failed: {r}\n{query}");
        r["data"].clone()
    }

    /// The metrics text, or `None` while the server is not up.
    pub async fn metric(&self, name: &str) -> Option<u64> {
        let text = reqwest::get(format!("{}/metrics", self.url)).await.ok()?.text().await.ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')).and_then(|v| v.trim().parse().ok()))
    }

    /// Waits until the indexed block is `block` with the chain's hash of it.
    pub async fn wait_indexed(&mut self, provider: &DynProvider, block: u64) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let hash = provider.get_block_by_number(block.into()).await.unwrap().unwrap().header.hash;
        loop {
            if let Ok(Some((indexed, h))) = tokio::time::timeout(Duration::from_secs(5), self.try_status()).await {
                if indexed == block && h == format!("{hash:#x}") {
                    return;
                }
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("registrar exited with {status}; its log ends:\n{}", self.log_tail());
            }
            assert!(
                Instant::now() < deadline,
                "registrar did not index block {block} in time; its log ends:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The last lines of the process's log, for failure messages (the temporary directory
    /// that holds it is gone after a failed test).
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.data_dir.with_extension("log")).unwrap_or_default();
        // Backtrace frames (`  12: name`, `at file:line`) would push the message out of view.
        let frame = |l: &str| {
            let t = l.trim_start();
            t.starts_with("at ") || t.split_once(": ").is_some_and(|(n, _)| n.parse::<u32>().is_ok())
        };
        let lines: Vec<&str> = text.lines().filter(|l| !frame(l)).collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    async fn try_status(&self) -> Option<(u64, String)> {
        let client = reqwest::Client::new();
        let r: Value = client
            .post(format!("{}/graphql", self.url))
            .json(&json!({ "query": "{ status { indexedBlock indexedBlockHash } }" }))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let s = &r["data"]["status"];
        Some((s["indexedBlock"].as_u64()?, s["indexedBlockHash"].as_str()?.to_string()))
    }

    /// SIGKILL: no chance to flush or clean up.
    /// The process's environment as the kernel has it (`/proc/<pid>/environ`).
    pub fn environment(&self) -> Vec<String> {
        let pid = self.child.as_ref().expect("running").id();
        let bytes = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        bytes.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect()
    }

    /// The process id of the running server.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// SIGTERM, then waits for a clean exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
            let status = child.wait().unwrap();
            assert!(status.success(), "registrar exited with {status} after SIGTERM");
        }
    }
}

impl Drop for Registrar {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `registrar digest` of a stopped node: (full digest, state digest).
pub fn digest(data_dir: &Path) -> (String, String) {
    let out = Command::new(BIN).arg("digest").arg("--data-dir").arg(data_dir).output().unwrap();
    assert!(out.status.success(), "digest failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_string()
    };
    (field("digest="), field("state="))
}

/// Each table's digest and row count (`registrar digest --tables`), for failure messages that
/// say where two states differ.
pub fn table_digests(data_dir: &Path) -> String {
    let out = Command::new(BIN).arg("digest").arg("--tables").arg("--data-dir").arg(data_dir).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One holder as the chain's view functions report it at `block`.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct ChainHolder {
    pub balance: U256,
    pub frozen: U256,
    pub is_frozen: bool,
}

pub async fn chain_holder(provider: &DynProvider, token: Address, holder: Address, block: u64) -> ChainHolder {
    let t = DemoSecurityToken::new(token, provider.clone());
    let at = BlockId::number(block);
    ChainHolder {
        balance: t.balanceOf(holder).block(at).call().await.unwrap(),
        frozen: t.getFrozenTokens(holder).block(at).call().await.unwrap(),
        is_frozen: t.isFrozen(holder).block(at).call().await.unwrap(),
    }
}

fn big(v: &Value) -> U256 {
    U256::from_str_radix(v.as_str().unwrap_or_else(|| panic!("not a BigInt: {v}")), 10).unwrap()
}

/// Compares every account of `cast` and the token's aggregates, as of `block`, between the
/// index and the chain's view functions; and the `holders` list with the accounts the chain
/// says hold a balance or a freeze.
pub async fn assert_matches_chain(reg: &Registrar, provider: &DynProvider, token: Address, cast: &Cast, block: u64) {
    let t = DemoSecurityToken::new(token, provider.clone());
    let at = BlockId::number(block);
    let supply = t.totalSupply().block(at).call().await.unwrap();
    let paused = t.paused().block(at).call().await.unwrap();
    let data = reg
        .data(&format!(
            r#"{{ token(address: "{token:#x}", block: {{ number: {block} }}) {{
                totalSupply holderCount paused block
                holders(first: 1000) {{ totalCount nodes {{ address balance frozen isFrozen }} }}
            }} }}"#
        ))
        .await;
    let tk = &data["token"];
    assert_eq!(tk["block"].as_u64(), Some(block));
    assert_eq!(big(&tk["totalSupply"]), supply, "total supply at block {block}");
    assert_eq!(tk["paused"].as_bool(), Some(paused), "paused at block {block}");
    let mut accounts: Vec<Address> = cast.investors.clone();
    accounts.extend(&cast.spare);
    accounts.push(cast.agent);
    let mut expected_listed = Vec::new();
    let mut holders_with_balance = 0;
    for &a in &accounts {
        let c = chain_holder(provider, token, a, block).await;
        let idx = reg
            .data(&format!(
                r#"{{ token(address: "{token:#x}", block: {{ number: {block} }}) {{ holder(address: "{a}") {{ balance frozen isFrozen }} }} }}"#
            ))
            .await;
        let h = &idx["token"]["holder"];
        let got = ChainHolder {
            balance: big(&h["balance"]),
            frozen: big(&h["frozen"]),
            is_frozen: h["isFrozen"].as_bool().unwrap(),
        };
        assert_eq!(got, c, "holder {a} at block {block}");
        if !c.balance.is_zero() {
            holders_with_balance += 1;
        }
        if !c.balance.is_zero() || !c.frozen.is_zero() || c.is_frozen {
            expected_listed.push(format!("{a:#x}"));
        }
    }
    assert_eq!(tk["holderCount"].as_u64(), Some(holders_with_balance), "holder count at block {block}");
    let mut listed: Vec<String> =
        tk["holders"]["nodes"].as_array().unwrap().iter().map(|n| n["address"].as_str().unwrap().to_string()).collect();
    let balances: Vec<U256> = tk["holders"]["nodes"].as_array().unwrap().iter().map(|n| big(&n["balance"])).collect();
    assert!(balances.windows(2).all(|w| w[0] >= w[1]), "holders sorted by balance, descending");
    assert_eq!(tk["holders"]["totalCount"].as_u64(), Some(listed.len() as u64));
    listed.sort();
    expected_listed.sort();
    assert_eq!(listed, expected_listed, "listed holders at block {block}");
}

/// A fresh registrar indexing the same chain from scratch into `dir`, stopped at `head`.
pub async fn fresh_state_digest(
    rpc: &str,
    provider: &DynProvider,
    contracts: &[Address],
    dir: &Path,
    head: u64,
) -> String {
    let mut fresh = Registrar::start(rpc, contracts, dir, &["--confirmations", "5"]);
    fresh.wait_indexed(provider, head).await;
    fresh.stop();
    digest(dir).1
}

/// `registrar demo` (the README's first command), started on a free port.
pub struct Demo {
    child: Option<Child>,
    /// The server: the console at `/`, GraphQL at `/graphql`.
    pub url: String,
    /// The demo chain's JSON-RPC URL, as its banner prints it.
    pub rpc: String,
}

impl Demo {
    /// Starts the demo and waits for its banner (the scenario indexed).
    pub fn start() -> Demo {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(BIN)
            .args(["demo", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    return;
                }
            }
        });
        let mut demo = Demo { child: Some(child), url: String::new(), rpc: String::new() };
        while demo.url.is_empty() || demo.rpc.is_empty() {
            let line = received.recv_timeout(Duration::from_secs(300)).expect("the demo prints its banner");
            if let Some(rest) = line.strip_prefix("registrar demo is running. Console: ") {
                demo.url = rest.split_whitespace().next().unwrap().trim_end_matches('/').to_string();
            }
            if let Some(rest) = line.trim().strip_prefix("registrar verify proof.json --rpc ") {
                demo.rpc = rest.trim().to_string();
            }
        }
        demo
    }

    /// SIGTERM; the demo must exit cleanly (and stop the anvil it started).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
            let status = child.wait().unwrap();
            assert!(status.success(), "the demo exited with {status} after SIGTERM");
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let _ = child.wait();
        }
    }
}

/// The `q` quantile (0 to 1) of sorted durations, in milliseconds.
pub fn quantile_ms(sorted: &[Duration], q: f64) -> u128 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize].as_millis()
}
