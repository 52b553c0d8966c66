//! `registrar report holders|investors|reconciliation|transfers|issuance|custody|statement|open-items`:
//! fetches a regulator
//! report from a running server (`GET /reports/<kind>`, with the API key if one is given) and
//! writes it to stdout or a file; the block, its hash and the digest go to stderr.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Kind {
    Holders,
    /// The register by investor (an issuer or regulator key).
    Investors,
    Reconciliation,
    Transfers,
    Issuance,
    Custody,
    /// One holder's credits, debits and running balance over a range (`--holder`).
    Statement,
    /// Frozen and locked amounts, forced transfers and vault requests.
    OpenItems,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[arg(value_enum)]
    pub kind: Kind,
    /// The registrar server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "REGISTRAR_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    #[arg(long)]
    pub token: String,
    /// As of the state after this block (default: the latest indexed block).
    #[arg(long, conflicts_with = "at")]
    pub block: Option<u64>,
    /// As of the last block at or before this time, RFC 3339 (e.g. 2026-11-23T00:00:00Z).
    #[arg(long, conflicts_with = "to")]
    pub at: Option<String>,
    /// Range reports (transfers, issuance, custody, statement, open items): from this block
    /// number or RFC 3339 time.
    #[arg(long)]
    pub from: Option<String>,
    /// Range reports: up to this block number or RFC 3339 time.
    #[arg(long, conflicts_with = "block")]
    pub to: Option<String>,
    /// The holder of a statement.
    #[arg(long)]
    pub holder: Option<String>,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Write the report here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// An API key with the issuer or regulator role for the token (or an admin key): the holder
    /// register then carries identities, countries and labels.
    #[arg(long, env = "REGISTRAR_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
}

pub async fn run(args: ReportArgs) -> anyhow::Result<()> {
    let kind = match args.kind {
        Kind::Holders => "holders",
        Kind::Investors => "investors",
        Kind::Reconciliation => "reconciliation",
        Kind::Transfers => "transfers",
        Kind::Issuance => "issuance",
        Kind::Custody => "custody",
        Kind::Statement => "statement",
        Kind::OpenItems => "open-items",
    };
    let format = match args.format {
        Format::Csv => "csv",
        Format::Json => "json",
    };
    let mut query = vec![("token", args.token.clone()), ("format", format.to_string())];
    if let Some(b) = args.block {
        query.push(("block", b.to_string()));
    }
    for (name, value) in [("at", &args.at), ("from", &args.from), ("to", &args.to), ("holder", &args.holder)] {
        if let Some(v) = value {
            query.push((name, v.clone()));
        }
    }
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    let url = format!("{}/reports/{kind}?{}", args.server.trim_end_matches('/'), query.join("&"));
    let mut request = reqwest::Client::new().get(&url);
    if let Some(key) = &args.api_key {
        request = request.bearer_auth(key.trim());
    }
    let response = request.send().await.with_context(|| format!("GET {url}"))?;
    let status = response.status();
    let header =
        |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("unknown").to_string();
    let (block, hash, digest) =
        (header("x-registrar-block"), header("x-registrar-block-hash"), header("x-registrar-digest"));
    let body = response.bytes().await?.to_vec();
    if !status.is_success() {
        bail!("the server refused the report ({status}): {}", String::from_utf8_lossy(&body).trim());
    }
    match &args.out {
        Some(path) => std::fs::write(path, &body).with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&body)?;
        }
    }
    eprintln!("{kind} report of {} as of block {block} ({hash}), digest {digest}", args.token);
    Ok(())
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
