//! A faulty JSON-RPC proxy: between registrar and the node it drops connections, delays
//! answers, and answers 429 or 5xx to a share of requests, the rest forwarded as they are.
//! Plain HTTP/1.1, one request per connection.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering::Relaxed},
        Arc,
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// What the proxy did, by kind.
#[derive(Default, Debug)]
pub struct FaultCounts {
    pub forwarded: AtomicU64,
    pub dropped: AtomicU64,
    pub delayed: AtomicU64,
    pub rate_limited: AtomicU64,
    pub server_errors: AtomicU64,
    pub ranges_refused: AtomicU64,
    /// An `evm_revert` to this snapshot id, sent to the node right after the next
    /// `eth_blockNumber` is answered by it and before that answer goes back: the chain shrinks
    /// between registrar reading the head and reading the head's blocks. Taken when done.
    pub revert_after_next_head: std::sync::Mutex<Option<serde_json::Value>>,
    /// Rewrites the node's answers: given the request and the node's answer, the answer sent.
    pub rewrite: RewriteSlot,
    /// Answers nothing until this instant: every request waits (the node stopped answering).
    pub stall_until: std::sync::Mutex<Option<std::time::Instant>>,
    pub rewritten: AtomicU64,
}

/// A rewrite of answers: (request, the node's answer) to the answer registrar gets.
pub type Rewrite = Arc<dyn Fn(&serde_json::Value, serde_json::Value) -> serde_json::Value + Send + Sync>;

/// Where the proxy's rewrite is set.
#[derive(Default)]
pub struct RewriteSlot(std::sync::Mutex<Option<Rewrite>>);

impl RewriteSlot {
    pub fn set(&self, rewrite: Rewrite) {
        *self.0.lock().unwrap() = Some(rewrite);
    }

    fn get(&self) -> Option<Rewrite> {
        self.0.lock().unwrap().clone()
    }
}

impl std::fmt::Debug for RewriteSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RewriteSlot({})", if self.get().is_some() { "set" } else { "none" })
    }
}

/// How the proxy misbehaves.
#[derive(Clone, Copy, Debug, Default)]
pub struct Faults {
    /// Share of requests, in percent, that get a transport fault.
    pub percent: u64,
    /// Refuse `eth_getLogs` over more blocks than this, as providers do (-32005).
    pub max_log_range: Option<u64>,
    pub seed: u64,
}

/// Starts the proxy to `upstream`; `fault_percent` of requests get a fault, spread over the
/// kinds. Returns its address and counters; it runs until the runtime stops.
pub async fn start(upstream: String, faults: Faults) -> (SocketAddr, Arc<FaultCounts>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(FaultCounts::default());
    let rng = Arc::new(AtomicU64::new(faults.seed.max(1)));
    let client = reqwest::Client::new();
    let c = counts.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else { return };
            let (client, upstream, counts, rng) = (client.clone(), upstream.clone(), c.clone(), rng.clone());
            tokio::spawn(async move {
                let _ = handle(socket, &client, &upstream, faults, &counts, &rng).await;
            });
        }
    });
    (addr, counts)
}

fn next(rng: &AtomicU64) -> u64 {
    let mut x = rng.load(Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng.store(x, Relaxed);
    x
}

async fn read_request(socket: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_lowercase();
    let len: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    while buf.len() < header_end + len {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(buf[header_end..header_end + len].to_vec()))
}

async fn respond(socket: &mut TcpStream, status: &str, body: &[u8]) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(body).await?;
    socket.shutdown().await
}

async fn handle(
    mut socket: TcpStream,
    client: &reqwest::Client,
    upstream: &str,
    faults: Faults,
    counts: &FaultCounts,
    rng: &AtomicU64,
) -> std::io::Result<()> {
    let Some(body) = read_request(&mut socket).await? else { return Ok(()) };
    if let Some(max) = faults.max_log_range {
        if let Some(refusal) = refuse_wide_range(&body, max) {
            counts.ranges_refused.fetch_add(1, Relaxed);
            return respond(&mut socket, "200 OK", refusal.as_bytes()).await;
        }
    }
    let roll = next(rng) % 100;
    if roll < faults.percent {
        match next(rng) % 4 {
            0 => {
                counts.dropped.fetch_add(1, Relaxed);
                return Ok(()); // closes the connection with no answer
            }
            1 => {
                counts.rate_limited.fetch_add(1, Relaxed);
                return respond(&mut socket, "429 Too Many Requests", b"{\"error\":\"rate limited\"}").await;
            }
            2 => {
                counts.server_errors.fetch_add(1, Relaxed);
                return respond(&mut socket, "503 Service Unavailable", b"upstream unavailable").await;
            }
            _ => {
                counts.delayed.fetch_add(1, Relaxed);
                tokio::time::sleep(Duration::from_millis(300 + next(rng) % 700)).await;
            }
        }
    }
    let stall = *counts.stall_until.lock().unwrap();
    if let Some(until) = stall {
        tokio::time::sleep_until(until.into()).await;
    }
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let is_head = request["method"] == "eth_blockNumber";
    let answer = client
        .post(upstream)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(std::io::Error::other)?
        .bytes()
        .await
        .map_err(std::io::Error::other)?;
    counts.forwarded.fetch_add(1, Relaxed);
    let snapshot = if is_head { counts.revert_after_next_head.lock().unwrap().take() } else { None };
    if let Some(snapshot) = snapshot {
        let revert = serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": "evm_revert", "params": [snapshot] });
        let answer: serde_json::Value = client.post(upstream).json(&revert).send().await.unwrap().json().await.unwrap();
        assert_eq!(answer["result"], true, "the proxy's evm_revert failed: {answer}");
    }
    let rewrite = counts.rewrite.get();
    let answer = match (rewrite, serde_json::from_slice::<serde_json::Value>(&answer)) {
        (Some(rewrite), Ok(parsed)) => {
            let new = rewrite(&request, parsed.clone());
            if new != parsed {
                counts.rewritten.fetch_add(1, Relaxed);
            }
            serde_json::to_vec(&new).unwrap().into()
        }
        _ => answer,
    };
    respond(&mut socket, "200 OK", &answer).await
}

/// A JSON-RPC error for an `eth_getLogs` over more than `max` blocks, as Infura and Alchemy
/// answer; `None` for any other request.
fn refuse_wide_range(body: &[u8], max: u64) -> Option<String> {
    let request: serde_json::Value = serde_json::from_slice(body).ok()?;
    if request["method"] != "eth_getLogs" {
        return None;
    }
    let block = |key: &str| {
        let hex = request["params"][0][key].as_str()?;
        u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok()
    };
    let (from, to) = (block("fromBlock")?, block("toBlock")?);
    if to.saturating_sub(from) < max {
        return None;
    }
    Some(format!(
        r#"{{"jsonrpc":"2.0","id":{},"error":{{"code":-32005,"message":"query returned more than 10000 results"}}}}"#,
        request["id"]
    ))
}
