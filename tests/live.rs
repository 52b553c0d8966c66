//! Subscriptions against a real chain: a dashboard that applies the messages of `transfers` and
//! `holderChanges` in order, through a reorg, ends where a fresh query is; the `blocks` feed
//! over SSE sees the reorg too; a subscriber that stops reading is dropped while a fast one gets
//! every message, and the server's memory stays bounded.

#[macro_use]
mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{aliases::U160, Address, U256},
    providers::Provider,
};
use common::*;
use futures::{SinkExt, StreamExt};
use registrar_testkit::contracts::{DemoSecurityToken, TransferEmitter};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    tungstenite::{client::IntoClientRequest, Message},
    WebSocketStream,
};

type Ws = WebSocketStream<TcpStream>;

/// A `graphql-transport-ws` connection to `url`, acknowledged; `recv_buffer` shrinks the
/// client's socket buffer (a subscriber that reads little).
async fn connect(url: &str, recv_buffer: Option<u32>) -> Ws {
    let addr = url.trim_start_matches("http://");
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    if let Some(size) = recv_buffer {
        socket.set_recv_buffer_size(size).unwrap();
    }
    let tcp = socket.connect(addr.parse().unwrap()).await.unwrap();
    let mut request = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, response) = tokio_tungstenite::client_async(request, tcp).await.unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "graphql-transport-ws");
    ws.send(Message::text(json!({ "type": "connection_init" }).to_string())).await.unwrap();
    let ack = next_json(&mut ws, Duration::from_secs(10)).await.expect("connection_ack");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws
}

async fn subscribe(ws: &mut Ws, id: &str, query: &str) {
    let message = json!({ "type": "subscribe", "id": id, "payload": { "query": query } });
    ws.send(Message::text(message.to_string())).await.unwrap();
}

/// The next JSON message within `wait`; `None` on timeout or at the end of the connection.
async fn next_json(ws: &mut Ws, wait: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(wait, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return Some(serde_json::from_str(&text).unwrap()),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            _ => return None,
        }
    }
}

/// A transfer as a dashboard keys it: block, log index, transaction, from, to, value.
type TransferKey = (u64, u64, String, String, String, String);

fn transfer_key(t: &Value) -> TransferKey {
    let text = |field: &str| t[field].as_str().unwrap().to_string();
    (
        t["blockNumber"].as_u64().unwrap(),
        t["logIndex"].as_u64().unwrap(),
        text("txHash"),
        text("from"),
        text("to"),
        text("value"),
    )
}

/// What a dashboard keeps: the token's transfers after the start, and its holders' balances.
#[derive(Default)]
struct Dashboard {
    transfers: BTreeSet<TransferKey>,
    balances: BTreeMap<String, String>,
    retracted_transfers: usize,
    retracted_holders: usize,
    blocks_reverted: usize,
    last_block: u64,
}

impl Dashboard {
    fn apply(&mut self, message: &Value) {
        assert_eq!(message["type"], "next", "{message}");
        let data = &message["payload"]["data"];
        assert!(message["payload"]["errors"].is_null(), "{message}");
        if let Some(u) = data.get("transfers") {
            let key = transfer_key(&u["transfer"]);
            if u["retracted"] == true {
                assert!(self.transfers.remove(&key), "a retraction of a transfer never sent: {message}");
                self.retracted_transfers += 1;
            } else {
                assert!(self.transfers.insert(key), "a transfer sent twice: {message}");
            }
        } else if let Some(h) = data.get("holderChanges") {
            self.balances.insert(h["address"].as_str().unwrap().into(), h["balance"].as_str().unwrap().into());
            if h["retracted"] == true {
                self.retracted_holders += 1;
            }
        } else if let Some(b) = data.get("blocks") {
            if b["reverted"] == true {
                self.blocks_reverted += 1;
            }
            self.last_block = b["number"].as_u64().unwrap();
        } else {
            panic!("unexpected message {message}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_follow_a_reorg() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 41).await;
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registrar::start(&anvil.http_url(), &[token], &dir.path().join("node"), &["--confirmations", "8"]);
    reg.wait_indexed(&provider, played.last_block).await;
    let start = played.last_block;

    let mut ws = connect(&reg.url, None).await;
    let transfer_fields = "retracted final transfer { blockNumber logIndex txHash from to value }";
    subscribe(
        &mut ws,
        "t",
        &format!(r#"subscription {{ transfers(token: "{token}", fromBlock: {start}) {{ {transfer_fields} }} }}"#),
    )
    .await;
    subscribe(&mut ws, "h", &format!(r#"subscription {{ holderChanges(token: "{token}", fromBlock: {start}) {{ retracted final blockNumber address balance }} }}"#)).await;
    subscribe(&mut ws, "b", "subscription { blocks { number hash reverted final finalizedBlock } }").await;
    // The same block feed over Server-Sent Events.
    let sse_url = format!(
        "{}/graphql/sse?query={}",
        reg.url, "subscription%20%7B%20blocks%20%7B%20number%20reverted%20%7D%20%7D"
    );
    let mut sse = reqwest::get(&sse_url).await.unwrap();
    assert_eq!(sse.headers()["content-type"], "text/event-stream");
    let sse_reader = tokio::spawn(async move {
        let mut text = String::new();
        while let Ok(Ok(Some(chunk))) = tokio::time::timeout(Duration::from_secs(30), sse.chunk()).await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains("\"reverted\":true") && text.matches("event: next").count() >= 3 {
                break;
            }
        }
        text
    });
    // Let the server take the subscriptions before the chain moves.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let t = DemoSecurityToken::new(token, provider.clone());
    let inv = &cast.investors;
    let snapshot: U256 = provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    // Branch A: the dashboard sees these, then the chain abandons them.
    mine!(t.transfer(inv[21], U256::from(3)).from(inv[22]));
    mine!(t.mint(inv[23], U256::from(1_000_000)).from(cast.agent));
    mine!(t.mint(inv[24], U256::from(5)).from(cast.agent));
    let tip_a = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, tip_a).await;
    let abandoned = provider.get_block_by_number(tip_a.into()).await.unwrap().unwrap().header.hash;
    let mut dash = Dashboard::default();
    let deadline = Instant::now() + Duration::from_secs(30);
    while dash.last_block < tip_a || dash.transfers.len() < 3 {
        assert!(Instant::now() < deadline, "branch A did not arrive: {} transfers", dash.transfers.len());
        if let Some(m) = next_json(&mut ws, Duration::from_secs(5)).await {
            dash.apply(&m);
        }
    }
    assert_eq!(dash.transfers.len(), 3);
    assert!(dash.transfers.iter().all(|t| t.0 > start && t.0 <= tip_a));

    // Branch B replaces A from the snapshot and is longer.
    let reverted: bool = provider.raw_request("evm_revert".into(), (snapshot,)).await.unwrap();
    assert!(reverted);
    // Nonces as of the reverted state: the provider's own count is of branch A.
    let nonce = |a| {
        let p = provider.clone();
        async move { p.get_transaction_count(a).latest().await.unwrap() }
    };
    let (agent, investor) = (nonce(cast.agent).await, nonce(inv[22]).await);
    mine!(t.mint(inv[26], U256::from(7)).from(cast.agent).nonce(agent));
    mine!(t.mint(inv[27], U256::from(11)).from(cast.agent).nonce(agent + 1));
    mine!(t.transfer(inv[21], U256::from(2)).from(inv[22]).nonce(investor));
    mine!(t.mint(inv[28], U256::from(13)).from(cast.agent).nonce(agent + 2));
    let tip_b = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, tip_b).await;
    // Messages until the feeds are quiet at the new tip.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match next_json(&mut ws, Duration::from_millis(1500)).await {
            Some(m) => dash.apply(&m),
            None if dash.last_block == tip_b => break,
            None => assert!(Instant::now() < deadline, "the block feed did not reach {tip_b}"),
        }
    }
    assert!(dash.blocks_reverted >= 1, "the block feed did not report the reorg");
    assert_eq!(dash.retracted_transfers, 3, "branch A's transfers were not all retracted");
    assert!(dash.retracted_holders >= 4, "branch A's holder changes were not retracted");

    // The dashboard equals a fresh query of the final chain.
    let fresh = reg
        .data(&format!(
            r#"{{ token(address: "{token}") {{ transfers(where: {{ blockGte: {} }}, first: 1000) {{ nodes {{ blockNumber logIndex txHash from to value }} }} }} }}"#,
            start + 1
        ))
        .await;
    let fresh: BTreeSet<_> =
        fresh["token"]["transfers"]["nodes"].as_array().unwrap().iter().map(transfer_key).collect();
    assert_eq!(fresh.len(), 4);
    assert_eq!(dash.transfers, fresh, "the dashboard's transfers differ from a fresh query");
    for (address, balance) in &dash.balances {
        let h = reg
            .data(&format!(r#"{{ token(address: "{token}") {{ holder(address: "{address}") {{ balance }} }} }}"#))
            .await;
        assert_eq!(&h["token"]["holder"]["balance"], balance, "holder {address} differs from a fresh query");
        let on_chain = chain_holder(&provider, token, address.parse::<Address>().unwrap(), tip_b).await;
        assert_eq!(balance, &on_chain.balance.to_string(), "holder {address} differs from balanceOf");
    }
    // Time travel by hash: a block of the final chain answers as by its number; a block of the
    // abandoned branch is refused.
    let first_b = provider.get_block_by_number((start + 1).into()).await.unwrap().unwrap().header.hash;
    let as_of = |block: String| {
        format!(
            r#"{{ token(address: "{token}", block: {block}) {{ block totalSupply holders(first: 5) {{ nodes {{ address balance }} }} }} }}"#
        )
    };
    let by_hash = reg.data(&as_of(format!(r#"{{ hash: "{first_b}" }}"#))).await;
    assert_eq!(by_hash, reg.data(&as_of(format!("{{ number: {} }}", start + 1))).await);
    assert_eq!(by_hash["token"]["block"], start + 1);
    let refused = reg.query(&as_of(format!(r#"{{ hash: "{abandoned}" }}"#))).await;
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("no indexed block has hash"), "{refused}");
    let sse_text = sse_reader.await.unwrap();
    assert!(sse_text.contains("event: next"), "no SSE event: {sse_text}");
    assert!(sse_text.contains("\"reverted\":true"), "the SSE block feed did not report the reorg: {sse_text}");
    ws.close(None).await.unwrap();
    reg.stop();
}

/// The server's resident memory, kB.
fn rss_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_subscriber_is_dropped() {
    const TRANSFERS: usize = 40_000;
    const PER_TX: usize = 500;
    let (anvil, provider) = chain().await;
    let sender = provider.get_accounts().await.unwrap()[0];
    let emitter = TransferEmitter::deploy_builder(provider.clone()).from(sender).deploy().await.unwrap();
    let e = TransferEmitter::new(emitter, provider.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registrar::start(&anvil.http_url(), &[emitter], &dir.path().join("node"), &[]);
    let head = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, head).await;
    let query = format!(
        r#"subscription {{ transfers(token: "{emitter}", fromBlock: {head}) {{ transfer {{ blockNumber logIndex txHash from to value }} }} }}"#
    );

    // One subscriber reads nothing (and keeps a small socket buffer); one reads everything.
    let mut slow = connect(&reg.url, Some(4096)).await;
    subscribe(&mut slow, "slow", &query).await;
    let mut fast = connect(&reg.url, None).await;
    subscribe(&mut fast, "fast", &query).await;
    let fast_reader = tokio::spawn(async move {
        let mut places = BTreeSet::new();
        while places.len() < TRANSFERS {
            let Some(m) = next_json(&mut fast, Duration::from_secs(60)).await else { break };
            let t = &m["payload"]["data"]["transfers"]["transfer"];
            places.insert((t["blockNumber"].as_u64().unwrap(), t["logIndex"].as_u64().unwrap()));
        }
        places.len()
    });
    let rss_before = rss_kb(reg.pid(), "VmRSS:");

    for first in (0..TRANSFERS).step_by(PER_TX) {
        let call = e.mintRange(U160::from(0x1000_0000u64 + first as u64), U256::from(PER_TX), U256::from(1u64));
        mine!(call.gas(PER_TX as u64 * 6_000 + 100_000).from(sender));
    }
    let tip = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, tip).await;
    assert_eq!(fast_reader.await.unwrap(), TRANSFERS, "the fast subscriber missed transfers");

    let deadline = Instant::now() + Duration::from_secs(90);
    while reg.metric("registrar_api_slow_subscribers_total").await != Some(1) {
        assert!(Instant::now() < deadline, "the slow subscriber was not dropped; log:\n{}", reg.log_tail());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (rss_after, peak) = (rss_kb(reg.pid(), "VmRSS:"), rss_kb(reg.pid(), "VmHWM:"));
    eprintln!("server RSS: {rss_before} kB before, {rss_after} kB after, peak {peak} kB");
    assert!(peak < 512 * 1024, "the server's peak RSS {peak} kB is not bounded");

    // The slow subscriber now reads what its socket holds, then the end: a close or a cut.
    let mut received = 0;
    let mut close_code = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the slow subscriber's connection did not end");
        match tokio::time::timeout(Duration::from_secs(30), slow.next()).await {
            Ok(Some(Ok(Message::Text(_)))) => received += 1,
            Ok(Some(Ok(Message::Close(frame)))) => {
                close_code = frame.map(|f| u16::from(f.code));
                break;
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => break,
            Err(_) => panic!("the slow subscriber's connection is still open after 30 s of silence"),
        }
    }
    eprintln!("slow subscriber: {received} messages, then close code {close_code:?}");
    assert!(received < TRANSFERS, "the slow subscriber got everything: it was not dropped");
    assert!(close_code.is_none_or(|c| c == 1008), "unexpected close code {close_code:?}");
    // The server still serves.
    let status = reg.data("{ status { indexedBlock } }").await;
    assert_eq!(status["status"]["indexedBlock"], tip);
    reg.stop();
}

/// Webhooks: a receiver that refuses the first deliveries gets them retried; every body is signed
/// with the secret; a reorg is named (`revertedTo`) in a delivery; the last says where the index is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_signed_retried_and_name_reorgs() {
    use hmac::{Hmac, Mac};
    use std::sync::{Arc, Mutex};
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 43).await;
    let received: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let refusals = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let app = {
        let (received, refusals) = (received.clone(), refusals.clone());
        axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let (received, refusals) = (received.clone(), refusals.clone());
                async move {
                    // The first two deliveries are refused: registrar must retry them.
                    if refusals.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 {
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    let signature = headers["x-registrar-signature"].to_str().unwrap().to_string();
                    received.lock().unwrap().push((body, signature));
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("webhook.secret");
    let secret = "a-webhook-secret-of-some-length";
    std::fs::write(&secret_file, secret).unwrap();
    let mut reg = Registrar::start(
        &anvil.http_url(),
        &[token],
        &dir.path().join("node"),
        &["--confirmations", "8", "--webhook", &hook, "--webhook-secret-file", secret_file.to_str().unwrap()],
    );
    reg.wait_indexed(&provider, played.last_block).await;

    let t = DemoSecurityToken::new(token, provider.clone());
    let inv = &cast.investors;
    let snapshot: U256 = provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    mine!(t.mint(inv[23], U256::from(5)).from(cast.agent));
    mine!(t.mint(inv[24], U256::from(5)).from(cast.agent));
    let tip_a = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, tip_a).await;
    let reverted: bool = provider.raw_request("evm_revert".into(), (snapshot,)).await.unwrap();
    assert!(reverted);
    let agent = provider.get_transaction_count(cast.agent).latest().await.unwrap();
    mine!(t.mint(inv[25], U256::from(7)).from(cast.agent).nonce(agent));
    mine!(t.mint(inv[26], U256::from(7)).from(cast.agent).nonce(agent + 1));
    mine!(t.mint(inv[27], U256::from(7)).from(cast.agent).nonce(agent + 2));
    let tip_b = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, tip_b).await;

    let deadline = Instant::now() + Duration::from_secs(60);
    let deliveries: Vec<Value> = loop {
        let got: Vec<(String, String)> = received.lock().unwrap().clone();
        let last_at_tip =
            got.last().is_some_and(|(b, _)| serde_json::from_str::<Value>(b).unwrap()["indexedBlock"] == tip_b);
        if last_at_tip && got.iter().any(|(b, _)| !serde_json::from_str::<Value>(b).unwrap()["revertedTo"].is_null()) {
            for (body, signature) in &got {
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
                mac.update(body.as_bytes());
                assert_eq!(
                    signature,
                    &format!("sha256={}", hex::encode(mac.finalize().into_bytes())),
                    "bad signature on {body}"
                );
            }
            break got.iter().map(|(b, _)| serde_json::from_str(b).unwrap()).collect();
        }
        assert!(Instant::now() < deadline, "deliveries so far: {got:?}; log:\n{}", reg.log_tail());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(refusals.load(std::sync::atomic::Ordering::SeqCst) >= 3, "the refused deliveries were not retried");
    let numbers: Vec<u64> = deliveries.iter().map(|d| d["delivery"].as_u64().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "deliveries out of order: {numbers:?}");
    let revert = deliveries.iter().find(|d| !d["revertedTo"].is_null()).unwrap();
    assert!(revert["revertedTo"].as_u64().unwrap() <= played.last_block, "{revert}");
    let last = deliveries.last().unwrap();
    assert_eq!(
        last["indexedBlockHash"],
        format!("{:#x}", provider.get_block_by_number(tip_b.into()).await.unwrap().unwrap().header.hash)
    );
    reg.stop();
}

/// How long a mined transfer takes to reach a subscriber (`transfers` over WebSocket), with the
/// node followed by http polling (every 100 ms) and by a `newHeads` subscription. Printed, never
/// asserted (BENCHMARKS.md has the figures).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mined_to_subscriber_latency() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 45).await;
    let t = DemoSecurityToken::new(token, provider.clone());
    for (name, rpc) in [("http polling", anvil.http_url()), ("ws newHeads", anvil.ws_url())] {
        let dir = tempfile::tempdir().unwrap();
        let mut reg = Registrar::start(&rpc, &[token], &dir.path().join("node"), &["--confirmations", "4"]);
        let head = provider.get_block_number().await.unwrap();
        reg.wait_indexed(&provider, head.max(played.last_block)).await;
        let mut ws = connect(&reg.url, None).await;
        subscribe(
            &mut ws,
            "t",
            &format!(r#"subscription {{ transfers(token: "{token}") {{ transfer {{ blockNumber }} }} }}"#),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut latencies = Vec::new();
        for i in 0..30u64 {
            let receipt = mine!(t.mint(cast.investors[(i % 10) as usize], U256::from(1 + i)).from(cast.agent));
            let started = Instant::now();
            let block = receipt.block_number.unwrap();
            loop {
                let m = next_json(&mut ws, Duration::from_secs(30)).await.expect("a transfer message");
                if m["payload"]["data"]["transfers"]["transfer"]["blockNumber"].as_u64() == Some(block) {
                    break;
                }
            }
            latencies.push(started.elapsed());
        }
        latencies.sort();
        let p = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize].as_millis();
        println!(
            "live: mined → subscriber ({name}): p50 {} ms, p99 {} ms over {} blocks",
            p(0.5),
            p(0.99),
            latencies.len()
        );
        reg.stop();
    }
}

/// Hostile subscribers: a frame past the size limit closes its connection; a seventeenth
/// subscription on one connection closes it; a document over the query budget is refused and the
/// connection stays usable; a mutation is not streamed over SSE; past 256 live connections the
/// next is refused with 503; the server answers queries throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_subscribers_are_bounded() {
    let (anvil, provider) = chain().await;
    let (token, _cast, played) = token_with_scenario(&provider, 47).await;
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registrar::start(&anvil.http_url(), &[token], &dir.path().join("node"), &[]);
    reg.wait_indexed(&provider, played.last_block).await;

    // A 1 MiB frame.
    let mut ws = connect(&reg.url, None).await;
    let _ = ws.send(Message::text("x".repeat(1 << 20))).await;
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert_eq!(ended, Ok(true), "a frame past the limit did not end the connection");

    // A document over the budget is refused; the connection still serves a valid subscription.
    let mut ws = connect(&reg.url, None).await;
    let deep = format!("subscription {{ blocks {}number{} }}", "{ ".repeat(80), " }".repeat(80));
    subscribe(&mut ws, "deep", &deep).await;
    let refused = next_json(&mut ws, Duration::from_secs(10)).await.expect("an answer to the deep document");
    assert!(refused.to_string().contains("nests brackets more than 64 deep"), "{refused}");
    subscribe(
        &mut ws,
        "ok",
        &format!(r#"subscription {{ transfers(token: "{token}", fromBlock: 0) {{ transfer {{ blockNumber }} }} }}"#),
    )
    .await;
    let first = loop {
        let m = next_json(&mut ws, Duration::from_secs(10)).await.expect("a transfer");
        if m["id"] == "ok" {
            break m;
        }
    };
    assert_eq!(first["type"], "next", "{first}");
    assert!(first["payload"]["data"]["transfers"]["transfer"]["blockNumber"].is_u64(), "{first}");

    // Seventeen subscriptions on one connection.
    let deep_conn = ws;
    let mut ws = connect(&reg.url, None).await;
    for i in 0..17 {
        subscribe(&mut ws, &format!("s{i}"), "subscription { blocks { number } }").await;
    }
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.reason.to_string()),
                Some(Err(_)) | None => return None,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("the connection with 17 subscriptions was closed");
    assert!(
        closed.as_deref().is_none_or(|reason| reason.contains("at most 16 subscriptions")),
        "closed with {closed:?}"
    );

    // A mutation is not streamed.
    let sse = reqwest::get(format!(
        "{}/graphql/sse?query={}",
        reg.url,
        "mutation%20%7B%20setHolderLabel(token%3A%20%220x0%22%2C%20holder%3A%20%220x0%22)%20%7B%20label%20%7D%20%7D"
    ))
    .await
    .unwrap();
    assert_eq!(sse.status(), 405);

    // Past 256 live connections (the connections above closed first).
    drop(ws);
    drop(deep_conn);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut open = Vec::new();
    for _ in 0..256 {
        open.push(connect(&reg.url, None).await);
    }
    let addr = reg.url.trim_start_matches("http://").to_string();
    let mut request = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("the 257th live connection was not refused: {:?}", other.map(|(_, r)| r.status())),
    }
    let status = reg.data("{ status { indexedBlock } }").await;
    assert_eq!(status["status"]["indexedBlock"], played.last_block);
    drop(open);
    // Slots come back once connections close.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _again = connect(&reg.url, None).await;
    reg.stop();
}
