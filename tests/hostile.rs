//! Hostile input against a running registrar (issue: hardening): documents that crash PDF
//! parsers, bodies past the limit, keys that are not valid, markup on the API's origin, and the
//! soak command's thousands of abusive requests. The server stays up and answers each clearly.

mod common;

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use alloy::primitives::Address;
use base64::Engine;
use common::*;
use registrar_testkit::pdf::pdf_with_form;
use serde_json::{json, Value};

/// `registrar extract-text` with the archive's limits: the text of a valid document; a
/// self-drawing form ends the child (not the caller) with a signal or an error.
#[test]
fn text_extraction_child_contains_hostile_pdfs() {
    let run = |bytes: Vec<u8>| {
        let mut child = Command::new(BIN)
            .args([
                "extract-text",
                "--memory-bytes",
                &(1u64 << 30).to_string(),
                "--cpu-seconds",
                "20",
                "--max-text-bytes",
                "4096",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
        child.wait_with_output().unwrap()
    };
    let good = run(pdf_with_form(false));
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    assert!(String::from_utf8_lossy(&good.stdout).contains("Inside the form"));
    let hostile = run(pdf_with_form(true));
    assert!(!hostile.status.success(), "a self-drawing form is not a readable document");
    let garbage = run(b"%PDF-1.7 \x00\xff garbage".to_vec());
    assert!(!garbage.status.success());
}

async fn post(reg: &Registrar, key: Option<&str>, body: Vec<u8>) -> reqwest::Response {
    let mut request =
        reqwest::Client::new().post(format!("{}/graphql", reg.url)).header("content-type", "application/json");
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.body(body).send().await.unwrap()
}

async fn submit(reg: &Registrar, key: &str, token: Address, title: &str, content: &[u8], content_type: &str) -> Value {
    let query = r#"mutation($token: String!, $title: String!, $content: String!, $type: String!) {
        submitDisclosure(token: $token, kind: "annual-report", title: $title, content: $content, contentType: $type) { leafIndex contentHash }
    }"#;
    let content = base64::engine::general_purpose::STANDARD.encode(content);
    let vars = json!({ "token": token.to_string(), "title": title, "content": content, "type": content_type });
    post(reg, Some(key), serde_json::to_vec(&json!({ "query": query, "variables": vars })).unwrap())
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_and_documents_leave_the_server_up() {
    let (anvil, provider) = chain().await;
    let (token, _cast, played) = token_with_scenario(&provider, 11).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    std::fs::create_dir_all(&data).unwrap();
    let out = Command::new(BIN)
        .args(["keys", "--data-dir"])
        .arg(&data)
        .args(["create", "--name", "issuer", "--tokens", &token.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key =
        String::from_utf8(out.stdout).unwrap().lines().find_map(|l| l.strip_prefix("secret ")).unwrap().to_string();
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(data.join("api-keys.json")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "the key file is the owner's only");
    let mut reg = Registrar::start(&anvil.http_url(), &[token], &data, &[]);
    reg.wait_indexed(&provider, played.last_block).await;

    // A PDF that crashes the parser is archived without text; its title is searchable.
    let r = submit(&reg, &key, token, "Self-drawing annual report", &pdf_with_form(true), "application/pdf").await;
    assert!(r["errors"].is_null(), "{r}\n{}", reg.log_tail());
    let found = reg.data(r#"{ disclosures(search: "drawing") { totalCount nodes { disclosure { title } } } }"#).await;
    assert_eq!(found["disclosures"]["totalCount"], 1, "{found}");
    assert_eq!(reg.metric("registrar_text_extraction_failures_total").await, Some(1));
    let r = submit(&reg, &key, token, "Readable report", &pdf_with_form(false), "application/pdf").await;
    assert!(r["errors"].is_null(), "{r}");
    let found = reg.data(r#"{ disclosures(search: "form") { totalCount } }"#).await;
    assert_eq!(found["disclosures"]["totalCount"], 1, "the readable PDF's text is searchable: {found}");

    // Markup on the API's origin is downloaded, never run.
    let r = submit(&reg, &key, token, "Page", b"<!doctype html><script>alert(1)</script>", "text/html").await;
    assert!(r["errors"].is_null(), "{r}");
    let hash = r["data"]["submitDisclosure"]["contentHash"].as_str().unwrap().to_string();
    let content = reqwest::get(format!("{}/content/{hash}", reg.url)).await.unwrap();
    let header = |name: &str| content.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-security-policy").contains("sandbox"));
    assert!(header("content-disposition").starts_with("attachment"));

    // A key that is not valid is refused, not read as anonymous; a body past 32 MiB is refused.
    let status = post(&reg, Some("rk_not_a_key"), br#"{"query":"{ status { chainId } }"}"#.to_vec()).await.status();
    assert_eq!(status.as_u16(), 401);
    let mut big = br#"{"query":"{ status { chainId } }","variables":{"pad":""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', 33 << 20));
    big.extend_from_slice(br#""}}"#);
    let status = post(&reg, None, big).await.status();
    assert_eq!(status.as_u16(), 413, "the body limit reaches /graphql");
    let batch = post(&reg, None, br#"[{"query":"{ status { chainId } }"}]"#.to_vec()).await;
    assert_eq!(batch.status().as_u16(), 400);

    // What aborted or wedged the process before: each gets a clear error at once.
    let refused = |r: &Value| r["errors"][0]["message"].as_str().map(str::to_string).unwrap_or_default();
    let offset = reg.query(r#"{ disclosures(after: "100000000000000") { totalCount } }"#).await;
    assert!(refused(&offset).contains("results deep"), "{offset}");
    let nested = reg
        .query(&format!(
            r#"{{ disclosures(search: "{}a{}") {{ totalCount }} }}"#,
            "(".repeat(50_000),
            ")".repeat(50_000)
        ))
        .await;
    assert!(!refused(&nested).is_empty(), "{nested}");
    let mut fragments = String::from("{ ...F0 }\n");
    for i in 0..30 {
        fragments.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }}\n", i + 1, i + 1));
    }
    fragments.push_str("fragment F30 on Query { status { chainId } }");
    let started = std::time::Instant::now();
    let wedge = reg.query(&fragments).await;
    assert!(refused(&wedge).contains("fields once fragments are expanded"), "{wedge}");
    assert!(started.elapsed() < Duration::from_secs(5), "refused at once, not after expanding 2^30 spreads");

    // The soak: every kind of abuse, many times, with /health and memory watched.
    let out = Command::new(BIN)
        .args(["soak", "--server", &reg.url, "--requests", "600", "--concurrency", "8"])
        .args(["--token", &format!("{token:#x}"), "--pid", &reg.pid().to_string(), "--max-rss-mib", "1024"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the soak found failures:\n{text}\n{}\nlog:\n{}",
        String::from_utf8_lossy(&out.stderr),
        reg.log_tail()
    );
    assert!(text.contains("5xx answers:            0"), "{text}");
    println!("{text}");
    reg.stop();
}
