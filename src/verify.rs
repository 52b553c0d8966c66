//! `registrar verify`, `registrar merkle` and `registrar disclose`: the auditor's and the
//! issuer's commands. Verification exits 0 when valid, 1 when invalid, 2 on malformed input,
//! and prints a one-line reason.

use std::{io::Read, path::PathBuf, process::ExitCode, str::FromStr};

use alloy::{
    primitives::{Address, B256},
    providers::{Provider, ProviderBuilder},
};
use base64::Engine;
use clap::Subcommand;
use registrar_merkle::{
    parse_hash, verify_consistency, verify_inclusion, with_hasher, Algorithm, Hash, LeafIndex, ProofFile, Tree,
    TreeHasher, TreeSize,
};

use registrar_testkit::contracts::DisclosureAnchor;

#[derive(Subcommand, Debug)]
pub enum VerifyCommand {
    /// An inclusion proof in raw form (RFC 9162 §2.1.3.2).
    Inclusion {
        #[arg(long)]
        hash: String,
        #[arg(long)]
        leaf_hash: String,
        #[arg(long)]
        index: u64,
        #[arg(long)]
        size: u64,
        #[arg(long)]
        root: String,
        /// Comma-separated hex hashes, deepest first.
        #[arg(long, default_value = "")]
        path: String,
    },
    /// A consistency proof in raw form (RFC 9162 §2.1.4.2).
    Consistency {
        #[arg(long)]
        hash: String,
        #[arg(long)]
        size1: u64,
        #[arg(long)]
        size2: u64,
        #[arg(long)]
        root1: String,
        #[arg(long)]
        root2: String,
        #[arg(long, default_value = "")]
        path: String,
    },
}

/// Verdicts as exit codes.
pub enum Verdict {
    Valid(String),
    Invalid(String),
    Malformed(String),
}

impl Verdict {
    pub fn report(self) -> ExitCode {
        match self {
            Verdict::Valid(m) => {
                println!("valid: {m}");
                ExitCode::from(0)
            }
            Verdict::Invalid(m) => {
                println!("invalid: {m}");
                ExitCode::from(1)
            }
            Verdict::Malformed(m) => {
                println!("malformed: {m}");
                ExitCode::from(2)
            }
        }
    }
}

fn parse_path(s: &str) -> Result<Vec<Hash>, String> {
    s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(parse_hash).collect()
}

fn algorithm(s: &str) -> Result<Algorithm, String> {
    Algorithm::from_str(s)
}

pub fn raw(command: VerifyCommand) -> Verdict {
    match command {
        VerifyCommand::Inclusion { hash, leaf_hash, index, size, root, path } => {
            let parsed = (|| {
                Ok::<_, String>((algorithm(&hash)?, parse_hash(&leaf_hash)?, parse_hash(&root)?, parse_path(&path)?))
            })();
            let (alg, leaf, root, path) = match parsed {
                Ok(p) => p,
                Err(e) => return Verdict::Malformed(e),
            };
            let result =
                with_hasher!(alg, H => verify_inclusion::<H>(&leaf, LeafIndex(index), TreeSize(size), &path, &root));
            match result {
                Ok(()) => Verdict::Valid(format!("leaf {index} is in the tree of {size} leaves")),
                Err(e) => Verdict::Invalid(e.to_string()),
            }
        }
        VerifyCommand::Consistency { hash, size1, size2, root1, root2, path } => {
            let parsed = (|| {
                Ok::<_, String>((algorithm(&hash)?, parse_hash(&root1)?, parse_hash(&root2)?, parse_path(&path)?))
            })();
            let (alg, r1, r2, path) = match parsed {
                Ok(p) => p,
                Err(e) => return Verdict::Malformed(e),
            };
            let result =
                with_hasher!(alg, H => verify_consistency::<H>(TreeSize(size1), TreeSize(size2), &r1, &r2, &path));
            match result {
                Ok(()) => Verdict::Valid(format!("the tree of {size2} leaves extends the tree of {size1}")),
                Err(e) => Verdict::Invalid(e.to_string()),
            }
        }
    }
}

/// Checks a proof file; with `content`, that the document is the one the leaf commits to; with
/// `rpc`, that its root is anchored at its size on chain.
pub async fn file(path: PathBuf, content: Option<PathBuf>, rpc: Option<String>) -> Verdict {
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => return Verdict::Malformed(format!("cannot read {}: {e}", path.display())),
    };
    let proof = match ProofFile::from_json(&text) {
        Ok(p) => p,
        Err(e) => return Verdict::Malformed(e.to_string()),
    };
    if let Err(e) = proof.verify() {
        return if e.is_malformed() { Verdict::Malformed(e.to_string()) } else { Verdict::Invalid(e.to_string()) };
    }
    if let Some(content) = content {
        match registrar_archive::hash_file(&content) {
            Ok((hash, _)) if hash == proof.leaf.content_hash => {}
            Ok((hash, _)) => {
                return Verdict::Invalid(format!(
                    "{} hashes to {}, the leaf commits to {}",
                    content.display(),
                    hex::encode(hash),
                    hex::encode(proof.leaf.content_hash)
                ))
            }
            Err(e) => return Verdict::Malformed(format!("cannot read {}: {e}", content.display())),
        }
    }
    let Some(rpc) = rpc else {
        return Verdict::Valid(format!(
            "leaf {} is in the tree of {} leaves with root {} (anchor not checked: no --rpc)",
            proof.leaf_index,
            proof.tree_size,
            hex::encode(proof.root.0)
        ));
    };
    let Some(anchor) = &proof.anchor else {
        return Verdict::Invalid("the proof has no anchor to check on chain".into());
    };
    let contract = match Address::from_str(&anchor.contract) {
        Ok(a) => a,
        Err(_) => return Verdict::Malformed(format!("anchor contract {:?} is not an address", anchor.contract)),
    };
    match check_anchor(&rpc, anchor.chain_id, contract, proof.tree_size, proof.root.0).await {
        Ok(None) => Verdict::Valid(format!(
            "leaf {} is in the tree of {} leaves, whose root is anchored in {} on chain {}",
            proof.leaf_index, proof.tree_size, anchor.contract, anchor.chain_id
        )),
        Ok(Some(reason)) => Verdict::Invalid(reason),
        Err(e) => Verdict::Malformed(format!("cannot check the anchor: {e:#}")),
    }
}

async fn check_anchor(
    rpc: &str,
    chain_id: u64,
    contract: Address,
    size: u64,
    root: Hash,
) -> anyhow::Result<Option<String>> {
    let provider = ProviderBuilder::new().connect(rpc).await?.erased();
    let actual = provider.get_chain_id().await?;
    if actual != chain_id {
        return Ok(Some(format!("the node is on chain {actual}, the anchor on chain {chain_id}")));
    }
    let anchored = DisclosureAnchor::new(contract, &provider).rootAt(size).call().await?;
    if anchored == B256::ZERO {
        return Ok(Some(format!("no root is anchored at size {size} in {contract}")));
    }
    if anchored != B256::from(root) {
        return Ok(Some(format!("the root anchored at size {size} is {anchored}, not the proof's root")));
    }
    Ok(None)
}

/// `registrar merkle root`: leaves (hex, one per line, an empty line being the empty leaf) on
/// stdin; prints the root, and with
/// `proof` the inclusion path of that index, with `consistency` the path from that size.
pub fn merkle_root(hash: &str, proof: Option<u64>, consistency: Option<u64>, leaves_are_hashes: bool) -> ExitCode {
    let alg = match algorithm(hash) {
        Ok(a) => a,
        Err(e) => return Verdict::Malformed(e).report(),
    };
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        return Verdict::Malformed(format!("cannot read stdin: {e}")).report();
    }
    let mut leaves = Vec::new();
    // One leaf per line; an empty line is the empty leaf (RFC 6962's test tree starts with one).
    let body = input.strip_suffix('\n').unwrap_or(&input);
    let lines: Vec<&str> = if body.is_empty() && input.is_empty() { Vec::new() } else { body.split('\n').collect() };
    for (n, line) in lines.into_iter().enumerate() {
        let l = line.trim();
        match hex::decode(l.strip_prefix("0x").unwrap_or(l)) {
            Ok(b) => leaves.push(b),
            Err(e) => return Verdict::Malformed(format!("line {}: not hex: {e}", n + 1)).report(),
        }
    }
    with_hasher!(alg, H => {
        let mut tree = Tree::<H>::new();
        for leaf in &leaves {
            let h = if leaves_are_hashes {
                match <[u8; 32]>::try_from(&leaf[..]) {
                    Ok(h) => h,
                    Err(_) => return Verdict::Malformed("a leaf hash is 32 bytes".into()).report(),
                }
            } else {
                H::leaf(leaf)
            };
            tree.push(h);
        }
        let size = tree.size();
        println!("size {size}");
        println!("root {}", hex::encode(tree.root()));
        if let Some(i) = proof {
            match tree.inclusion_proof(LeafIndex(i), size) {
                Ok(path) => println!("inclusion {i} {}", join(&path)),
                Err(e) => return Verdict::Invalid(e.to_string()).report(),
            }
        }
        if let Some(m) = consistency {
            match tree.consistency_proof(TreeSize(m), size) {
                Ok(path) => println!("consistency {m} {}", join(&path)),
                Err(e) => return Verdict::Invalid(e.to_string()).report(),
            }
        }
    });
    ExitCode::SUCCESS
}

fn join(path: &[Hash]) -> String {
    path.iter().map(hex::encode).collect::<Vec<_>>().join(",")
}

/// `registrar disclose`: what to publish, and where.
#[derive(clap::Args, Debug)]
pub struct DiscloseArgs {
    /// The registrar server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "REGISTRAR_SERVER")]
    pub server: String,
    #[arg(long, env = "REGISTRAR_API_KEY", hide_env_values = true)]
    pub api_key: String,
    #[arg(long)]
    pub token: String,
    /// e.g. annual-report, prospectus, material-event.
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub title: String,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub effective_date: Option<String>,
    #[arg(long)]
    pub file: PathBuf,
    /// text/plain, text/markdown, text/html or application/pdf (guessed when absent).
    #[arg(long)]
    pub content_type: Option<String>,
}

/// Submits a file over GraphQL; returns the archived disclosure.
pub async fn disclose(a: &DiscloseArgs) -> anyhow::Result<serde_json::Value> {
    let (server, api_key, token, kind, title, effective_date, file, content_type) =
        (&a.server, &a.api_key, &a.token, &a.kind, &a.title, &a.effective_date, &a.file, &a.content_type);
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let local = blake3::hash(&bytes).to_hex().to_string();
    let content = base64::engine::general_purpose::STANDARD.encode(bytes);
    let query = "mutation($token: String!, $kind: String!, $title: String!, $date: String, $content: String, $type: String) {
        submitDisclosure(token: $token, kind: $kind, title: $title, effectiveDate: $date, content: $content, contentType: $type) {
            leafIndex contentHash token kind title effectiveDate timestamp contentType size
        }
    }";
    let body = serde_json::json!({
        "query": query,
        "variables": { "token": token, "kind": kind, "title": title, "date": effective_date, "content": content, "type": content_type },
    });
    let url = format!("{}/graphql", server.trim_end_matches('/'));
    let response: serde_json::Value = reqwest::Client::new()
        .post(&url)
        .bearer_auth(api_key)
        .json(&body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    if let Some(errors) = response.get("errors") {
        anyhow::bail!("{}", errors[0]["message"].as_str().unwrap_or("the server refused the disclosure"));
    }
    let d = response["data"]["submitDisclosure"].clone();
    anyhow::ensure!(
        d["contentHash"].as_str() == Some(local.as_str()),
        "the server archived content with hash {}, but {} hashes to {local}",
        d["contentHash"],
        file.display()
    );
    Ok(d)
}
