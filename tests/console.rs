//! The web console in a real browser (Debian's headless `chromium`, driven over the DevTools
//! protocol): loaded from the binary with every other host unresolvable, it lists the demo's
//! tokens, walks a cap table back in time by block and by date, downloads a report with its
//! digest, searches disclosures, verifies a proof file and its document by drag-and-drop (and
//! rejects tampered ones) with the anchor checked against the chain, and GraphiQL renders.
//! Screenshots of each step are kept in `$CARGO_TARGET_TMPDIR/console-screenshots/`.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use base64::Engine;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

mod common;

use common::{Demo, Registrar};

/// A process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

/// One page of a browser, driven over the DevTools protocol.
struct Page {
    ws: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
    session: String,
    next_id: u64,
    /// Every URL the page asked for.
    requests: Vec<String>,
}

impl Page {
    /// Starts chromium headless and opens a blank page in it.
    async fn launch(profile: &Path) -> (Process, Page) {
        let mut child = Command::new("chromium")
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=1366,900",
                // No host but loopback resolves: the console must not need the network.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts (run `make setup`)");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let process = Process(child);
        let url = rx.recv_timeout(Duration::from_secs(60)).expect("chromium prints its DevTools address");
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut page = Page { ws, session: String::new(), next_id: 0, requests: Vec::new() };
        let target = page.call_browser("Target.createTarget", json!({ "url": "about:blank" })).await;
        let attached = page
            .call_browser("Target.attachToTarget", json!({ "targetId": target["targetId"], "flatten": true }))
            .await;
        page.session = attached["sessionId"].as_str().unwrap().to_string();
        page.call("Page.enable", json!({})).await;
        page.call("Network.enable", json!({})).await;
        page.call("Runtime.enable", json!({})).await;
        (process, page)
    }

    async fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(message.to_string())).await.unwrap();
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(60), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method}"))
                .expect("the browser is connected")
                .unwrap();
            let Message::Text(text) = frame else { continue };
            let v: Value = serde_json::from_str(&text).unwrap();
            if v["method"] == "Network.requestWillBeSent" {
                self.requests.push(v["params"]["request"]["url"].as_str().unwrap_or_default().to_string());
            }
            if v["id"] == id {
                assert!(v["error"].is_null(), "{method} failed: {v}");
                return v["result"].clone();
            }
        }
    }

    async fn call_browser(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None).await
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(session)).await
    }

    /// The value of a JavaScript expression (awaited when a promise).
    async fn eval(&mut self, expression: &str) -> Value {
        let r = self
            .call("Runtime.evaluate", json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }))
            .await;
        assert!(r["exceptionDetails"].is_null(), "{expression} threw: {r}");
        r["result"]["value"].clone()
    }

    /// Waits until `expression` is truthy; returns its value.
    async fn wait_for(&mut self, expression: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.eval(expression).await;
            if !(v.is_null() || v == false || v == "" || v == 0) {
                return v;
            }
            if Instant::now() > deadline {
                let body = self.eval("document.body.innerText").await;
                panic!("waited in vain for {expression}; the page shows:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url })).await;
    }

    /// Saves a screenshot as `dir/name.png`, after checking the page's controls can be reached
    /// by assistive technology: every input and select has a label, every button a name.
    async fn screenshot(&mut self, dir: &Path, name: &str) {
        let unnamed = self
            .eval(
                "[...document.querySelectorAll('input, select, button')].filter(e => \
                   e.tagName === 'BUTTON' ? !(e.innerText.trim() || e.getAttribute('aria-label')) \
                   : !((e.labels && e.labels.length) || e.getAttribute('aria-label'))).map(e => e.outerHTML)",
            )
            .await;
        assert_eq!(unnamed, json!([]), "controls without a label or name on {name}");
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" })).await;
        let png = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().unwrap()).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Drops files (name, bytes as text) on the element matching `selector`, as a user drags
    /// them from a file manager.
    async fn drop_files(&mut self, selector: &str, files: &[(&str, &str)]) {
        let files = serde_json::to_string(files).unwrap();
        self.eval(&format!(
            r#"(() => {{
                const dt = new DataTransfer();
                for (const [name, text] of {files}) dt.items.add(new File([text], name));
                const zone = document.querySelector({selector:?});
                zone.dispatchEvent(new DragEvent('dragover', {{ dataTransfer: dt, bubbles: true, cancelable: true }}));
                zone.dispatchEvent(new DragEvent('drop', {{ dataTransfer: dt, bubbles: true, cancelable: true }}));
                return true;
            }})()"#
        ))
        .await;
    }
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_works_offline_in_a_browser() {
    let demo = Demo::start();
    let (url, rpc) = (demo.url.clone(), demo.rpc.clone());
    let api = Registrar::at(&url);
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let shots = screenshots();
    let (_browser, mut page) = Page::launch(profile.path()).await;
    page.call_browser(
        "Browser.setDownloadBehavior",
        json!({ "behavior": "allow", "downloadPath": downloads.path().to_str().unwrap() }),
    )
    .await;

    // Tokens.
    page.goto(&format!("{url}/")).await;
    page.wait_for("document.querySelectorAll('table tbody tr').length >= 8").await;
    let listed = page.eval("document.body.innerText").await;
    assert!(listed.as_str().unwrap().contains("ACME-A"), "{listed}");
    page.wait_for("!!document.querySelector('[data-testid=indexed]')").await;
    page.screenshot(&shots, "1-tokens").await;

    // A cap table, then the same as of an earlier block and as of a date.
    let tokens = api.data("{ tokens(first: 50) { nodes { address symbol } } }").await;
    let shares = tokens["tokens"]["nodes"].as_array().unwrap().iter().find(|t| t["symbol"] == "ACME-A").unwrap()
        ["address"]
        .as_str()
        .unwrap()
        .to_string();
    page.goto(&format!("{url}/#/token/{shares}")).await;
    let latest = page.wait_for("document.querySelector('[data-testid=cap-block]')?.innerText").await;
    let latest: u64 = latest.as_str().unwrap().parse().unwrap();
    page.screenshot(&shots, "2-cap-table-latest").await;
    // The earliest block that already has holders.
    let first = api
        .data(&format!(r#"{{ token(address: "{shares}") {{ transfers(first: 1) {{ nodes {{ blockNumber }} }} }} }}"#))
        .await;
    let early = first["token"]["transfers"]["nodes"][0]["blockNumber"].as_u64().unwrap();
    assert!(early < latest);
    page.eval(&format!(
        "(() => {{ const s = document.querySelector('[data-testid=block-slider]'); s.value = '{early}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
    ))
    .await;
    page.wait_for(&format!("document.querySelector('[data-testid=cap-block]')?.innerText === '{early}'")).await;
    let expected = api.data(&format!(r#"{{ token(address: "{shares}", block: {{ number: {early} }}) {{ holderCount holders(first: 100) {{ nodes {{ address }} }} }} }}"#),
    )
    .await;
    let rows = page.eval("document.querySelectorAll('[data-testid=cap-table] tbody tr').length").await;
    assert_eq!(rows, expected["token"]["holders"]["nodes"].as_array().unwrap().len(), "the cap table as of {early}");
    page.screenshot(&shots, "3-cap-table-back-in-time").await;
    // As of a date: an hour after the chain's first block with a transfer, on a whole minute (the
    // date field's precision).
    let early_time = api
        .data(&format!(
            r#"{{ token(address: "{shares}") {{ transfers(first: 1) {{ nodes {{ blockTimestamp }} }} }} }}"#
        ))
        .await["token"]["transfers"]["nodes"][0]["blockTimestamp"]
        .as_u64()
        .unwrap();
    let when = (early_time + 3600) / 60 * 60;
    let by_date = api
        .data(&format!(r#"{{ token(address: "{shares}", block: {{ timestamp: {when} }}) {{ block }} }}"#))
        .await["token"]["block"]
        .as_u64()
        .unwrap();
    page.eval(&format!(
        "(() => {{ const d = document.querySelector('[data-testid=as-of-date]'); const t = new Date({} * 1000); \
         const local = new Date(t.getTime() - t.getTimezoneOffset() * 60000).toISOString().slice(0, 16); \
         d.value = local; d.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()",
        when
    ))
    .await;
    page.wait_for(&format!("document.querySelector('[data-testid=cap-block]')?.innerText === '{by_date}'")).await;

    // A report, downloaded with its digest.
    page.eval("[...document.querySelectorAll('[role=tab]')].find(b => b.innerText === 'Reports').click() || true")
        .await;
    page.wait_for("!!document.querySelector('[data-testid=download]')").await;
    page.eval("document.querySelector('[data-testid=download]').click() || true").await;
    let digest = page.wait_for("document.querySelector('[data-testid=report-digest]')?.innerText").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let file = loop {
        let found = std::fs::read_dir(downloads.path())
            .unwrap()
            .map_while(Result::ok)
            .find(|e| e.file_name().to_string_lossy().ends_with(".csv"));
        if let Some(f) = found {
            break f.path();
        }
        assert!(Instant::now() < deadline, "no report was downloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let csv = std::fs::read_to_string(&file).unwrap();
    let direct = reqwest::get(format!("{url}/reports/holders?token={shares}&format=csv")).await.unwrap();
    assert_eq!(direct.headers()["x-registrar-digest"].to_str().unwrap(), digest.as_str().unwrap());
    assert_eq!(csv, direct.text().await.unwrap(), "the downloaded report differs from the API's");
    page.screenshot(&shots, "4-report").await;

    // Disclosure search with highlighted snippets.
    page.goto(&format!("{url}/#/disclosures")).await;
    page.wait_for("!!document.querySelector('[data-testid=search]')").await;
    page.eval(
        "(() => { const s = document.querySelector('[data-testid=search]'); s.value = 'collateral'; \
         s.dispatchEvent(new Event('input', { bubbles: true })); s.form.requestSubmit(); return true; })()",
    )
    .await;
    page.wait_for("document.querySelector('[data-testid=hits]')?.innerText === '2 disclosures'").await;
    assert!(page.eval("document.querySelectorAll('.snippet mark').length").await.as_u64().unwrap() >= 2);
    page.screenshot(&shots, "5-disclosures").await;

    // A proof file and its document, dropped on the verifier; then tampered ones.
    let hits =
        api.data(r#"{ disclosures(search: "collateral", first: 1) { nodes { disclosure { contentHash } } } }"#).await;
    let hash = hits["disclosures"]["nodes"][0]["disclosure"]["contentHash"].as_str().unwrap().to_string();
    // The demo anchors the log every few seconds: wait for the leaf's anchor.
    let deadline = Instant::now() + Duration::from_secs(120);
    let proof = loop {
        let r = api.query(&format!(r#"{{ disclosureProof(hash: "{hash}") {{ json }} }}"#)).await;
        if let Some(json) = r["data"]["disclosureProof"]["json"].as_str() {
            break json.to_string();
        }
        assert!(Instant::now() < deadline, "the disclosure was not anchored: {r}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let document = reqwest::get(format!("{url}/content/{hash}")).await.unwrap().text().await.unwrap();
    page.goto(&format!("{url}/#/verify")).await;
    page.wait_for("!!document.querySelector('[data-testid=dropzone]')").await;
    page.eval(&format!(
        "(() => {{ const i = document.querySelector('input[type=url]'); i.value = {rpc:?}; i.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()"
    ))
    .await;
    page.drop_files("[data-testid=dropzone]", &[("proof.json", &proof), ("document.md", &document)]).await;
    page.wait_for("document.querySelector('[data-testid=document-name]')?.innerText === 'document.md'").await;
    page.eval("document.querySelector('[data-testid=verify]').click() || true").await;
    let verdict = page.wait_for("document.querySelector('[data-testid=verdict]')?.innerText").await;
    assert!(verdict.as_str().unwrap().starts_with("Valid"), "{verdict}");
    let anchor = page.wait_for("document.querySelector('[data-testid=anchor-verdict]')?.innerText").await;
    assert!(anchor.as_str().unwrap().starts_with("Anchor checked"), "{anchor}");
    page.screenshot(&shots, "6-proof-valid").await;

    let tampered_document = document.replace("collateral", "c0llateral");
    page.drop_files("[data-testid=dropzone]", &[("tampered.md", &tampered_document)]).await;
    page.wait_for("document.querySelector('[data-testid=document-name]')?.innerText === 'tampered.md'").await;
    page.eval("document.querySelector('[data-testid=verify]').click() || true").await;
    let verdict = page.wait_for("document.querySelector('[data-testid=verdict]')?.innerText").await;
    assert!(verdict.as_str().unwrap().starts_with("Invalid"), "a tampered document passed: {verdict}");
    page.screenshot(&shots, "7-document-tampered").await;

    let mut tampered: Value = serde_json::from_str(&proof).unwrap();
    tampered["leaf_index"] = json!(tampered["leaf_index"].as_u64().unwrap() ^ 1);
    let tampered = tampered.to_string();
    page.drop_files("[data-testid=dropzone]", &[("tampered-proof.json", &tampered), ("document.md", &document)]).await;
    page.wait_for("document.querySelector('[data-testid=proof-name]')?.innerText === 'tampered-proof.json'").await;
    page.eval("document.querySelector('[data-testid=verify]').click() || true").await;
    let verdict = page.wait_for("document.querySelector('[data-testid=verdict]')?.innerText").await;
    assert!(!verdict.as_str().unwrap().starts_with("Valid"), "a tampered proof passed: {verdict}");
    page.screenshot(&shots, "8-proof-tampered").await;

    // GraphiQL, from the binary too.
    page.goto(&format!("{url}/graphql")).await;
    page.wait_for("!!document.querySelector('.graphiql-container')").await;
    page.screenshot(&shots, "9-graphiql").await;

    // Nothing but the server (and the chain for the anchor) was asked for anything.
    let foreign: Vec<&String> = page
        .requests
        .iter()
        .filter(|u| !(u.starts_with(&url) || u.starts_with(&rpc) || u.starts_with("data:") || u.starts_with("blob:")))
        .collect();
    assert!(foreign.is_empty(), "the console asked other hosts: {foreign:?}");
    eprintln!("screenshots in {}", shots.display());
}

/// The console the binary serves is the one its sources build (`make console` was run).
#[test]
fn the_committed_console_is_built_from_its_sources() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("node").arg(root.join("console/build.js")).arg("--check").output().expect("node runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
