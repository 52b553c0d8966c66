//! `registrar soak`: sends a running server thousands of malformed and abusive requests of every
//! kind its users' attackers would try, and checks that it stays up and bounded: no answer of
//! 5xx, none later than its deadline, `/health` answering throughout, the resident memory of the
//! server's process (with `--pid`) below a ceiling. Exit 0 when every check held.
//!
//! Only loopback and the given server are ever sent anything; the run stops after `--requests`.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use clap::Args;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Args, Clone, Debug)]
pub struct SoakArgs {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    pub server: String,
    /// Requests to send.
    #[arg(long, default_value_t = 5000)]
    pub requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// A token the server follows (queries name it); any address works.
    #[arg(long, default_value = "0x5fbdb2315678afecb367f032d93f642f64180aa3")]
    pub token: String,
    /// The server's process id: its resident memory is sampled.
    #[arg(long)]
    pub pid: Option<u32>,
    /// Largest resident memory of the server allowed (MiB).
    #[arg(long, default_value_t = 1024)]
    pub max_rss_mib: u64,
    /// Longest any answer may take (s): the server's request deadline and some slack.
    #[arg(long, default_value_t = 65)]
    pub deadline_s: u64,
}

/// One kind of abuse: its name and the request it makes (`i` varies it).
struct Abuse {
    name: &'static str,
    make: fn(&SoakArgs, usize) -> Probe,
}

/// What to send.
enum Probe {
    /// A GraphQL document as a JSON body.
    Graphql(String),
    /// Raw bytes as the body of `POST /graphql`, with a content type.
    Body(Vec<u8>, &'static str),
    /// `POST /graphql` with an API key that is not valid: must be 401.
    BadKey(String),
    /// A GET of this path.
    Get(String),
    /// Headers sent slowly and never finished: the server must close the connection.
    SlowHeaders,
}

fn graphql(q: impl Into<String>) -> Probe {
    Probe::Graphql(q.into())
}

const ABUSES: &[Abuse] = &[
    Abuse {
        name: "huge disclosure offset",
        make: |_, i| {
            graphql(format!(r#"{{ disclosures(after: "{}") {{ totalCount }} }}"#, 100_000_000_000_000u64 + i as u64))
        },
    },
    Abuse {
        name: "nested search",
        make: |_, _| {
            graphql(format!(
                r#"{{ disclosures(search: "{}a{}") {{ totalCount }} }}"#,
                "(".repeat(50_000),
                ")".repeat(50_000)
            ))
        },
    },
    Abuse {
        name: "NOT chain search",
        make: |_, _| graphql(format!(r#"{{ disclosures(search: "{}a") {{ totalCount }} }}"#, "NOT ".repeat(10_000))),
    },
    Abuse {
        name: "doubling fragments",
        make: |_, _| {
            let mut q = String::from("{ ...F0 }\n");
            for i in 0..30 {
                q.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }}\n", i + 1, i + 1));
            }
            q.push_str("fragment F30 on Query { status { chainId } }");
            graphql(q)
        },
    },
    Abuse {
        name: "aliased history scans",
        make: |a, _| {
            let one = |i: usize| {
                format!(
                    r#"t{i}: token(address: "{}", block: {{number: 1}}) {{ holders(first: 1, orderBy: ADDRESS) {{ totalCount }} }}"#,
                    a.token
                )
            };
            graphql(format!("{{ {} }}", (0..5000).map(one).collect::<Vec<_>>().join(" ")))
        },
    },
    Abuse {
        name: "32 aliased scans",
        make: |a, _| {
            let one = |i: usize| {
                format!(
                    r#"t{i}: token(address: "{}") {{ holders(first: 1000, orderBy: ADDRESS) {{ totalCount nodes {{ address balance }} }} transfers(first: 1000) {{ nodes {{ value }} }} }}"#,
                    a.token
                )
            };
            graphql(format!("{{ {} }}", (0..32).map(one).collect::<Vec<_>>().join(" ")))
        },
    },
    Abuse {
        name: "costly report and proposals",
        make: |a, i| {
            graphql(format!(
                r#"{{ r: report(kind: {}, token: "{}", format: CSV) {{ digest }} t: token(address: "{}") {{ proposals {{ totalCount }} bonds {{ supply }} corporateActions {{ totalCount }} }} }}"#,
                ["HOLDERS", "TRANSFERS", "ISSUANCE", "CUSTODY", "RECONCILIATION"][i % 5],
                a.token,
                a.token
            ))
        },
    },
    Abuse { name: "deep nesting", make: |_, _| graphql(format!("{}{}", "{ a ".repeat(20_000), "}".repeat(20_000))) },
    Abuse {
        name: "many directives",
        make: |_, _| graphql(format!("{{ status {} {{ chainId }} }}", "@include(if: true) ".repeat(500))),
    },
    Abuse {
        name: "bad cursors",
        make: |a, i| {
            let cursor =
                ["abc", "-1", "18446744073709551615", "99999999999999999999999999", "", "ffff", "\u{0}"][i % 7];
            graphql(format!(
                r#"{{ token(address: "{}") {{ holders(after: {cursor:?}) {{ totalCount }} transfers(after: {cursor:?}) {{ totalCount }} }} disclosures(after: {cursor:?}) {{ totalCount }} anchors(after: {cursor:?}) {{ nodes {{ treeSize }} }} }}"#,
                a.token
            ))
        },
    },
    Abuse {
        name: "bad arguments",
        make: |_, i| {
            graphql(
                [
                    r#"{ token(address: "0xzz") { name } }"#,
                    r#"{ token(address: "0x5fbdb2315678afecb367f032d93f642f64180aa3", block: { number: 18446744073709551615 }) { name } }"#,
                    r#"{ tokens(first: 2147483647) { nodes { address } } }"#,
                    r#"{ tokens(first: -5) { nodes { address } } }"#,
                    r#"{ consistencyProof(fromSize: 18446744073709551615, toSize: 1) { path } }"#,
                    r#"{ disclosures(from: "9999-99-99", to: "yesterday") { totalCount } }"#,
                    r#"{ disclosure(hash: "not a hash") { title } }"#,
                    r#"{ nosuchfield }"#,
                    r#"mutation { submitDisclosure(token: "0x01", kind: "x", title: "t", text: "x") { leafIndex } }"#,
                ][i % 9],
            )
        },
    },
    Abuse {
        name: "long search text",
        make: |_, _| graphql(format!(r#"{{ disclosures(search: "{}") {{ totalCount }} }}"#, "word ".repeat(20_000))),
    },
    Abuse {
        name: "garbage body",
        make: |_, i| {
            let mut bytes = vec![0u8; 64 + i % 4096];
            for (j, b) in bytes.iter_mut().enumerate() {
                *b = (j.wrapping_mul(31).wrapping_add(i * 7) % 251) as u8;
            }
            Probe::Body(bytes, "application/json")
        },
    },
    Abuse {
        name: "batch array",
        make: |_, i| {
            let batch: Vec<Value> = (0..(1 + i % 200)).map(|_| json!({ "query": "{ status { chainId } }" })).collect();
            Probe::Body(serde_json::to_vec(&batch).expect("json"), "application/json")
        },
    },
    Abuse {
        name: "deep JSON variables",
        make: |_, _| {
            let body = format!(
                r#"{{"query":"query($v: String) {{ status {{ chainId }} }}","variables":{{"v":{}1{}}}}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            );
            Probe::Body(body.into_bytes(), "application/json")
        },
    },
    Abuse {
        name: "not JSON",
        make: |_, i| {
            Probe::Body(
                ["", "{", "null", "[]", "{\"query\": 5}", "query { status }"][i % 6].as_bytes().to_vec(),
                "text/plain",
            )
        },
    },
    Abuse {
        name: "oversized body",
        make: |_, i| {
            // Every 50th of these goes past the 32 MiB limit; the rest just under a megabyte.
            let size = if i % 50 == 0 { 33 << 20 } else { 900 << 10 };
            let mut body = br#"{"query":"{ status { chainId } }","variables":{"pad":""#.to_vec();
            body.extend(std::iter::repeat_n(b'a', size));
            body.extend_from_slice(br#""}}"#);
            Probe::Body(body, "application/json")
        },
    },
    Abuse { name: "bad API key", make: |_, i| Probe::BadKey(format!("rk_{:048x}", i)) },
    Abuse {
        name: "report path abuse",
        make: |a, i| {
            Probe::Get(
                [
                    "/reports/../../etc/passwd".to_string(),
                    "/reports/holders?token=zzz".to_string(),
                    format!("/reports/holders?token={}&block=18446744073709551615", a.token),
                    format!("/reports/holders?token={}&format=xml", a.token),
                    format!("/reports/transfers?token={}&from=99999999&to=1", a.token),
                    format!("/reports/nosuch?token={}", a.token),
                    format!("/reports/holders/commitment?token={}&holder=0x12", a.token),
                    format!("/reports/holders?token={}&at=not-a-time", a.token),
                    format!("/reports/custody?token={}&from=1970-01-01T00:00:00Z", a.token),
                ][i % 9]
                    .clone(),
            )
        },
    },
    Abuse {
        name: "content path abuse",
        make: |_, i| {
            Probe::Get(
                [
                    "/content/..%2f..%2fetc%2fpasswd".to_string(),
                    "/content/zz".to_string(),
                    format!("/content/{}", "ab".repeat(32)),
                    format!("/content/{}", "a".repeat(10_000)),
                    "/content/".to_string(),
                    "/%00".to_string(),
                ][i % 6]
                    .clone(),
            )
        },
    },
    Abuse { name: "slow headers", make: |_, _| Probe::SlowHeaders },
];

#[derive(Default)]
struct Tally {
    sent: AtomicU64,
    server_errors: AtomicU64,
    transport_errors: AtomicU64,
    over_deadline: AtomicU64,
    wrong_answers: AtomicU64,
    slowest_ms: AtomicU64,
    health_failures: AtomicU64,
    max_rss_kib: AtomicU64,
    failures: Mutex<Vec<String>>,
}

impl Tally {
    fn fail(&self, counter: &AtomicU64, what: String) {
        counter.fetch_add(1, Relaxed);
        let mut failures = self.failures.lock().expect("tally lock");
        if failures.len() < 20 {
            failures.push(what);
        }
    }
}

/// Runs the soak; `Ok(true)` when every check held.
pub async fn run(args: SoakArgs) -> anyhow::Result<bool> {
    let server = args.server.trim_end_matches('/').to_string();
    anyhow::ensure!(
        is_loopback(&server),
        "the soak only sends to a server on loopback (127.0.0.0/8, localhost, [::1])"
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(args.deadline_s + 30))
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let tally = Arc::new(Tally::default());
    let done = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch(client.clone(), server.clone(), args.pid, tally.clone(), done.clone()));
    let started = Instant::now();
    let args = Arc::new(args);
    futures::stream::iter(0..args.requests)
        .for_each_concurrent(args.concurrency.max(1), |i| {
            let (client, server, args, tally) = (client.clone(), server.clone(), args.clone(), tally.clone());
            async move {
                let abuse = &ABUSES[i % ABUSES.len()];
                let probe = (abuse.make)(&args, i / ABUSES.len());
                probe_once(&client, &server, &args, abuse.name, probe, &tally).await;
            }
        })
        .await;
    done.store(true, Relaxed);
    watcher.await?;
    let t = &tally;
    let rss_mib = t.max_rss_kib.load(Relaxed) / 1024;
    let rss_ok = args.pid.is_none() || rss_mib <= args.max_rss_mib;
    println!(
        "soak: {} requests of {} kinds in {:.1} s against {server}",
        t.sent.load(Relaxed),
        ABUSES.len(),
        started.elapsed().as_secs_f64()
    );
    println!("  5xx answers:            {}", t.server_errors.load(Relaxed));
    println!("  transport errors:       {}", t.transport_errors.load(Relaxed));
    println!(
        "  answers over deadline:  {} (slowest {} ms, deadline {} s)",
        t.over_deadline.load(Relaxed),
        t.slowest_ms.load(Relaxed),
        args.deadline_s
    );
    println!("  unexpected answers:     {}", t.wrong_answers.load(Relaxed));
    println!("  /health failures:       {}", t.health_failures.load(Relaxed));
    match args.pid {
        Some(pid) => println!("  server RSS peak:        {rss_mib} MiB (pid {pid}, ceiling {} MiB)", args.max_rss_mib),
        None => println!("  server RSS peak:        not sampled (no --pid)"),
    }
    for f in t.failures.lock().expect("tally lock").iter() {
        println!("  failure: {f}");
    }
    let failed = t.server_errors.load(Relaxed)
        + t.transport_errors.load(Relaxed)
        + t.over_deadline.load(Relaxed)
        + t.wrong_answers.load(Relaxed)
        + t.health_failures.load(Relaxed);
    Ok(failed == 0 && rss_ok)
}

fn is_loopback(url: &str) -> bool {
    let host = url.split("://").nth(1).unwrap_or(url).split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    host == "localhost" || host == "[::1]" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

async fn probe_once(client: &reqwest::Client, server: &str, args: &SoakArgs, name: &str, probe: Probe, tally: &Tally) {
    tally.sent.fetch_add(1, Relaxed);
    let started = Instant::now();
    let (expect_401, request) = match probe {
        Probe::SlowHeaders => {
            slow_headers(server, tally).await;
            return;
        }
        Probe::Graphql(q) => (false, client.post(format!("{server}/graphql")).json(&json!({ "query": q }))),
        Probe::Body(bytes, content_type) => {
            (false, client.post(format!("{server}/graphql")).header("content-type", content_type).body(bytes))
        }
        Probe::BadKey(key) => (
            true,
            client
                .post(format!("{server}/graphql"))
                .bearer_auth(key)
                .json(&json!({ "query": "{ status { chainId } }" })),
        ),
        Probe::Get(path) => (false, client.get(format!("{server}{path}"))),
    };
    let response = request.send().await;
    let elapsed = started.elapsed();
    tally.slowest_ms.fetch_max(elapsed.as_millis() as u64, Relaxed);
    if elapsed > Duration::from_secs(args.deadline_s) {
        tally.fail(&tally.over_deadline, format!("{name}: answered after {} ms", elapsed.as_millis()));
    }
    match response {
        Err(e) => {
            // A body past the limit may be cut off by the server before it is all sent.
            if !(name == "oversized body" && (e.is_request() || e.is_body())) {
                tally.fail(&tally.transport_errors, format!("{name}: {e}"));
            }
        }
        Ok(r) => {
            let status = r.status();
            if status.is_server_error() {
                let body = r.text().await.unwrap_or_default();
                tally.fail(
                    &tally.server_errors,
                    format!("{name}: {status}: {}", body.chars().take(200).collect::<String>()),
                );
            } else if expect_401 && status.as_u16() != 401 {
                tally.fail(&tally.wrong_answers, format!("{name}: {status}, expected 401"));
            } else {
                let _ = r.bytes().await;
            }
        }
    }
}

/// Opens a connection, sends half a request head a byte at a time, and checks the server
/// closes it within its header timeout (10 s) and some slack.
async fn slow_headers(server: &str, tally: &Tally) {
    let addr = server.split("://").nth(1).unwrap_or(server).split('/').next().unwrap_or("").to_string();
    let started = Instant::now();
    let Ok(mut stream) = tokio::net::TcpStream::connect(&addr).await else {
        tally.fail(&tally.transport_errors, "slow headers: cannot connect".into());
        return;
    };
    let head = b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    let closed = async {
        for b in head.iter().chain(std::iter::repeat(&b'a')) {
            if stream.write_all(&[*b]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            let mut buf = [0u8; 256];
            match tokio::time::timeout(Duration::from_millis(1), stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => return true, // an answer (408) ends it too
                Err(_) => {}
            }
        }
        false
    };
    match tokio::time::timeout(Duration::from_secs(25), closed).await {
        Ok(true) => {}
        _ => tally.fail(
            &tally.wrong_answers,
            format!("slow headers: connection still open after {} s", started.elapsed().as_secs()),
        ),
    }
}

/// Polls `/health` every 200 ms (each answer within 2 s) and samples the server's RSS until done.
async fn watch(client: reqwest::Client, server: String, pid: Option<u32>, tally: Arc<Tally>, done: Arc<AtomicBool>) {
    while !done.load(Relaxed) {
        let health = tokio::time::timeout(Duration::from_secs(2), client.get(format!("{server}/health")).send()).await;
        match health {
            Ok(Ok(r)) if r.status().is_success() => {}
            Ok(Ok(r)) => tally.fail(&tally.health_failures, format!("/health answered {}", r.status())),
            Ok(Err(e)) => tally.fail(&tally.health_failures, format!("/health: {e}")),
            Err(_) => tally.fail(&tally.health_failures, "/health did not answer within 2 s".into()),
        }
        if let Some(rss) = pid.and_then(rss_kib) {
            tally.max_rss_kib.fetch_max(rss, Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Resident memory of a process (KiB), from /proc.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `registrar soak`'s exit: 0 when every check held.
pub async fn main(args: SoakArgs) -> anyhow::Result<std::process::ExitCode> {
    let ok = run(args).await.context("soak")?;
    Ok(if ok { std::process::ExitCode::SUCCESS } else { std::process::ExitCode::FAILURE })
}
