//! `registrar demo`: a local chain with two demo security tokens and their activity, indexed and
//! served, until Ctrl-C.

use std::{net::SocketAddr, sync::atomic::Ordering::Relaxed, time::Duration};

use alloy::{
    primitives::{B256, U256},
    providers::{Provider, ProviderBuilder},
};
use anyhow::Context;
use registrar_api::auth::{KeyStore, Role};
use registrar_archive::{Submission, Submitter};
use tracing::{debug, info, warn};

use registrar_testkit::{
    contracts::{DemoSecurityToken, DisclosureAnchor},
    devnet::{free_port, Anvil},
    protocols,
    scenario::{self, Cast, Rng},
    send,
};

use crate::{
    config::{AnchorSettings, Config},
    node,
    tasks::{termination_signal, Tasks},
};

/// Runs the demo; `listen` is where GraphQL is served (a free port if it is taken).
pub async fn run(listen: SocketAddr, activity_every: Duration) -> anyhow::Result<()> {
    // The chain starts a week ago and its blocks are ten minutes apart, so that dates mean
    // something (`token(block: { at: "…" })`, reports `--at`).
    let week_ago = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() - 7 * 86_400;
    let anvil = Anvil::spawn(&["--timestamp", &week_ago.to_string()])?;
    info!(rpc = %anvil.http_url(), pid = anvil.pid(), "anvil started");
    let provider = ProviderBuilder::new().connect(&anvil.http_url()).await?.erased();
    let cast = Cast::from_node(&provider, 40).await?;
    provider.raw_request::<_, serde_json::Value>("anvil_setBlockTimestampInterval".into(), (600,)).await?;

    let shares = scenario::deploy_token(&provider, cast.agent, "Acme Holdings Class A Shares", "ACME-A", 0).await?;
    let notes = scenario::deploy_token(&provider, cast.agent, "Acme 5% Secured Notes 2030", "ACME30", 6).await?;
    // An ERC-1400 partitioned token, emitting UniversalToken's events.
    let preferred = scenario::deploy_partitioned(&provider, cast.agent, "Acme Series B Preferred", "ACME-B", 0).await?;
    info!(%shares, %notes, %preferred, "demo tokens deployed");
    let played_shares = scenario::play(&provider, shares, &cast, U256::from(1), 7).await?;
    let played_notes = scenario::play(&provider, notes, &cast, U256::from(1_000_000), 11).await?;
    let played_preferred = scenario::play_partitioned(&provider, preferred, &cast, 13).await?;
    // Equity (votes, snapshots, dividends, a split, a buyback) and a bond programme (ERC-3475).
    let common = scenario::deploy_equity(&provider, cast.agent, "Acme Common Stock", "ACME-C").await?;
    scenario::play_equity(&provider, common, &cast, 19).await?;
    let bonds = scenario::deploy_bond(&provider, cast.agent, "Acme Notes Programme", "ACME-N").await?;
    scenario::play_bond(&provider, bonds, &cast, 23).await?;
    // Securitize DS Protocol (token, registry, lock manager, trust service, compliance rules:
    // registrar follows the services from the token) and a Polymath ST-20 with its whitelist.
    let fund = protocols::deploy_ds(&provider, cast.agent, "Acme Income Fund", "ACME-F").await?;
    protocols::play_ds(&provider, fund, &cast, 29).await?;
    let ventures = protocols::deploy_st20(&provider, cast.agent, "Acme Ventures ST-20", "ACME-V").await?;
    protocols::play_st20(&provider, ventures, &cast, 31).await?;
    // A collateral pool (ERC-4626 with ERC-7540 requests).
    let pool = scenario::deploy_pool(&provider, cast.agent, "Acme Collateral Pool", "ACP").await?;
    scenario::play_pool(&provider, pool, &cast, 17).await?;
    // The real ERC-3643 suite (T-REX from npm), deployed through its factory, which registrar
    // follows.
    let trex = match registrar_testkit::trex::Artifacts::find(&std::env::current_dir()?) {
        Ok(artifacts) => {
            Some(registrar_testkit::trex::demo_suite(&provider, &artifacts, cast.agent, &cast.investors).await?)
        }
        Err(e) => {
            warn!(error = %e, "the T-REX suite is not installed: the demo goes on without it");
            None
        }
    };
    // Documents on chain: ERC-1643 on the shares, ERC-1400's older event on the notes.
    let anchor = DisclosureAnchor::deploy_builder(provider.clone()).from(cast.agent).deploy().await?;
    let shares_token = DemoSecurityToken::new(shares, provider.clone());
    send!(
        shares_token.setDocument(name32("articles"), "ipfs://bafy-acme-articles".into(), B256::repeat_byte(0xa1)),
        cast.agent,
        "setDocument"
    );
    let notes_token = DemoSecurityToken::new(notes, provider.clone());
    send!(
        notes_token.setDocumentLegacy(
            name32("indenture"),
            "https://acme.example/indenture.pdf".into(),
            B256::repeat_byte(0xb2)
        ),
        cast.agent,
        "setDocumentLegacy"
    );
    info!(
        transactions = played_shares.transactions + played_notes.transactions + played_preferred.transactions,
        last_block = provider.get_block_number().await?,
        "scenario played"
    );

    let data_dir = tempfile::Builder::new().prefix("registrar-demo-").tempdir()?;
    let listen = match std::net::TcpListener::bind(listen) {
        Ok(_) => listen,
        Err(_) => SocketAddr::from(([127, 0, 0, 1], free_port()?)),
    };
    // anvil's first account deployed the anchor contract; its well-known dev key signs anchors.
    let key_file = data_dir.path().join("anchor.key");
    registrar_log::files::replace(&key_file, ANVIL_KEY_0.as_bytes(), true)?;
    let config = Config {
        rpc: anvil.http_url(),
        contracts: [shares, notes, preferred, pool, common, bonds, fund.token, ventures.token]
            .iter()
            .map(|a| a.to_string())
            .collect(),
        factories: trex.iter().map(|(factory, _)| factory.to_string()).collect(),
        data_dir: data_dir.path().to_path_buf(),
        listen,
        confirmations: 2,
        anchor: AnchorSettings {
            contract: Some(anchor.to_string()),
            key_file: Some(key_file),
            every_leaves: 2,
            every_seconds: 5,
            ..AnchorSettings::default()
        },
        ..Config::default()
    };
    let mut ingest = config.ingest_config()?;
    ingest.poll_interval = Duration::from_millis(500);
    let mut tasks = Tasks::new();
    let handle = node::start(&config, ingest, &mut tasks).await?;

    // Wait for the index to reach the scenario's last block before printing the query.
    let head = provider.get_block_number().await?;
    while handle.metrics.indexed_block.load(Relaxed) < head {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // An issuer's key and three disclosures, as `registrar disclose` would send them.
    let archive = handle.archive.clone().context("the demo's embedded node has an archive")?;
    let keys = KeyStore::new(&config.data_dir);
    let (issuer, secret) = keys.create("acme-ir", Role::Issuer, vec![format!("{shares:#x}"), format!("{notes:#x}")])?;
    let first_hash = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let mut first = None;
        for (token, kind, title, text) in DISCLOSURES {
            let s = Submission {
                token: if token == 0 { shares } else { notes },
                kind: kind.into(),
                title: title.into(),
                effective_date: Some("2026-11-23".into()),
                content_type: Some("text/markdown".into()),
                submitter: Submitter { key_id: issuer.id.clone(), key_name: issuer.name.clone() },
            };
            let d = archive.submit(s, text.as_bytes())?;
            first.get_or_insert(hex::encode(d.leaf.content_hash));
        }
        Ok(first.unwrap_or_default())
    })
    .await??;
    let middle = (played_shares.first_block + played_shares.last_block) / 2;
    println!("{}", banner(handle.addr, &shares.to_string(), middle));
    println!(
        "\nThe binary: {}\nIts state and archive: {} (removed when the demo stops)",
        std::env::current_exe().map_or_else(|_| "registrar".into(), |p| p.display().to_string()),
        data_dir.path().display()
    );
    println!("{}", partitions_banner(handle.addr, &preferred.to_string()));
    println!("{}", pool_banner(handle.addr, &pool.to_string()));
    println!("{}", capital_banner(handle.addr, &common.to_string(), &bonds.to_string()));
    let (_, fund_issuer) = keys.create("demo-fund-issuer", Role::Issuer, vec![format!("{:#x}", fund.token)])?;
    println!("{}", protocols_banner(handle.addr, &fund.token.to_string(), &ventures.token.to_string(), &fund_issuer));
    if let Some((_, token)) = trex {
        let (regulator, regulator_secret) =
            keys.create("demo-regulator", Role::Regulator, vec![format!("{token:#x}")])?;
        info!(key = regulator.id, "regulator key for the T-REX token created");
        let (_, trex_issuer) = keys.create("demo-trex-issuer", Role::Issuer, vec![format!("{token:#x}")])?;
        label_holders(handle.addr, token, &trex_issuer).await.context("labelling the T-REX token's holders")?;
        println!("{}", trex_banner(handle.addr, &token.to_string(), &regulator_secret));
    }
    println!("{}", archive_banner(handle.addr, &shares.to_string(), &secret, &first_hash, &anvil.http_url()));

    // Live activity: a transfer now and then, so the index follows the head.
    let mut shutdown = tasks.shutdown_signal();
    let (activity_provider, activity_cast) = (provider.clone(), cast.clone());
    tasks.spawn("demo-activity", async move {
        let mut rng = Rng::new(99);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(activity_every) => {}
                _ = shutdown.changed() => return Ok(()),
            }
            match scenario::random_transfer(&activity_provider, shares, &activity_cast, &mut rng).await {
                Ok(Some(block)) => debug!(block, "demo transfer"),
                Ok(None) => debug!("demo transfer skipped: frozen or empty wallet"),
                Err(e) => warn!(error = %format!("{e:#}"), "demo transfer failed"),
            }
        }
    });
    let result = tasks.run_until(termination_signal(), Duration::from_secs(10)).await;
    drop(anvil);
    result.context("demo stopped")
}

/// anvil's first dev account's key: public knowledge, for the local chain only.
const ANVIL_KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// The demo's disclosures: (0 = shares, 1 = notes), kind, title, Markdown.
const DISCLOSURES: [(u8, &str, &str, &str); 3] = [
    (0, "annual-report", "Acme Holdings annual report 2026", "# Annual report 2026\n\nRevenue grew 14%. The board proposes a dividend of 0.42 per Class A share and a buyback of up to 2% of the float."),
    (1, "material-event", "Coupon paid on the 2030 notes", "The semi-annual 5% coupon on the Secured Notes 2030 was paid in full on schedule. The collateral pool holds short-dated treasuries."),
    (1, "prospectus", "Secured Notes 2030 prospectus supplement", "Supplement: collateral substitution rules, redemption at par on maturity, and events of default."),
];

fn name32(name: &str) -> B256 {
    let mut n = [0u8; 32];
    n[..name.len()].copy_from_slice(name.as_bytes());
    B256::from(n)
}

fn archive_banner(addr: SocketAddr, token: &str, secret: &str, hash: &str, rpc: &str) -> String {
    format!(
        r#"
The disclosure archive (documents from ERC-1643 events and issuers, anchored on chain):

{{
  disclosures(search: "collateral", first: 5) {{ totalCount nodes {{ snippet disclosure {{ title kind token contentHash source }} }} }}
  anchors {{ nodes {{ treeSize root blockNumber previousTreeSize consistencyFromPrevious }} }}
  disclosureProof(hash: "{hash}") {{ treeSize root path anchor {{ txHash blockNumber }} json }}
}}

Publish one (the issuer key below may publish for both demo tokens):
  registrar disclose --server http://{addr} --api-key {secret} --token {token} \
    --kind material-event --title "Board resolution" --file README.md --content-type text/markdown
Verify a proof: save disclosureProof's `json` to proof.json, then
  registrar verify proof.json --rpc {rpc}
"#
    )
}

fn partitions_banner(addr: SocketAddr, token: &str) -> String {
    format!(
        r#"
An ERC-1400 token with partitions (unlocked, locked, reg-s), operators and controller actions:

{{
  token(address: "{token}") {{
    symbol totalSupply partitions {{ name balance }}
    holders(first: 5) {{ nodes {{ address balance partitions {{ name balance }} }} }}
  }}
}}

curl -s 'http://{addr}/reports/holders?token={token}&format=csv'
curl -s 'http://{addr}/reports/custody?token={token}&format=csv'
"#
    )
}

fn protocols_banner(addr: SocketAddr, fund: &str, ventures: &str, secret: &str) -> String {
    format!(
        r#"
A Securitize DS Protocol fund (investors with several wallets, countries, KYC and accreditation,
locks, a seizure) and a Polymath ST-20 token (whitelist, checkpoints, the controller's forced moves):

{{
  fund: token(address: "{fund}") {{
    investorCount investorsByCountry {{ country investors balance }}
    investors(first: 5) {{ nodes {{ id country balance transferable wallets {{ address balance }}
      attributes {{ attribute value expiry }} locks {{ value reasonText releaseTime active }} }} }}
    complianceRules {{ rule key value }}
  }}
  ventures: token(address: "{ventures}") {{
    whitelist {{ investor canSendAfter canReceiveAfter expiry canBuy }}
    corporateActions {{ nodes {{ kind id blockNumber }} }}
  }}
}}
(POST it to http://{addr}/graphql with the header "Authorization: Bearer {secret}": investors
are visible to the fund's issuer and regulator keys)
"#
    )
}

fn capital_banner(addr: SocketAddr, common: &str, bonds: &str) -> String {
    format!(
        r#"
Equity (delegation, votes, record dates, dividends, a split, a buyback) and debt (ERC-3475 bonds,
coupons, a maturity and a default):

{{
  common: token(address: "{common}") {{
    proposals {{ proposalId forVotes againstVotes abstainVotes voters }}
    corporateActions {{ nodes {{ kind id numerator denominator seller amount price blockNumber }} }}
    holders(first: 3) {{ nodes {{ address balance delegate votes }} }}
  }}
  bonds: token(address: "{bonds}") {{
    bonds {{ classId nonceId supply status defaultReason }}
    distributions {{ nodes {{ kind account amount }} }}
  }}
}}
(POST it to http://{addr}/graphql)
"#
    )
}

fn pool_banner(addr: SocketAddr, pool: &str) -> String {
    format!(
        r#"
A collateral pool (ERC-4626 vault, ERC-7540 requests; composition as of any block):

curl -s http://{addr}/graphql -H 'content-type: application/json' -d '{{"query":"{{ token(address: \"{pool}\") {{ symbol pool {{ totalValue totalShares shareValue assets {{ asset underlying amount value }} }} vaultRequests {{ nodes {{ kind requestId owner amount }} }} }} }}"}}'
"#
    )
}

/// The issuer's off-chain labels of the T-REX token's two largest holders, set as an issuer's
/// back office would: over GraphQL with its key.
async fn label_holders(addr: SocketAddr, token: alloy::primitives::Address, secret: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/graphql");
    let post = |query: String| {
        let request = client.post(&url).bearer_auth(secret).json(&serde_json::json!({ "query": query }));
        async move {
            let answer: serde_json::Value = request.send().await?.json().await?;
            anyhow::ensure!(answer["errors"].is_null(), "{answer}");
            Ok::<_, anyhow::Error>(answer)
        }
    };
    let holders = post(format!(
        r#"{{ token(address: "{token:#x}") {{ holders(first: 2, orderBy: BALANCE_DESC) {{ nodes {{ address }} }} }} }}"#
    ))
    .await?;
    let names = ["Alice Holdings Ltd (account 0001)", "Bob Capital LLC (account 0002)"];
    let nodes = holders["data"]["token"]["holders"]["nodes"].as_array().cloned().unwrap_or_default();
    for (holder, name) in nodes.iter().filter_map(|n| n["address"].as_str()).zip(names) {
        post(format!(
            r#"mutation {{ setHolderLabel(token: "{token:#x}", holder: "{holder}", label: "{name}") {{ label }} }}"#
        ))
        .await?;
    }
    Ok(())
}

fn trex_banner(addr: SocketAddr, token: &str, secret: &str) -> String {
    format!(
        r#"
The real ERC-3643 suite (T-REX v4 from npm), followed from its factory. Identity, country and the
issuer's off-chain labels are visible to the token's regulator key only:

curl -s http://{addr}/graphql -H 'content-type: application/json' -H 'authorization: Bearer {secret}' \
  -d '{{"query":"{{ token(address: \"{token}\") {{ name complianceSetup {{ agents identityStorage claimTopics modules }} holders(first: 6) {{ nodes {{ address balance frozen identity country label }} }} }} }}"}}'
curl -s -H 'authorization: Bearer {secret}' 'http://{addr}/reports/holders?token={token}&format=csv'
"#
    )
}

fn banner(addr: SocketAddr, token: &str, block: u64) -> String {
    format!(
        r#"
registrar demo is running. Console: http://{addr}/   GraphiQL: http://{addr}/graphql   (Ctrl-C to stop)

Paste this query, or POST it to http://{addr}/graphql:

{{
  status {{ chainId headBlock indexedBlock finalizedBlock }}
  tokens(first: 10) {{ nodes {{ address name symbol }} }}
  token(address: "{token}", block: {{ number: {block} }}) {{
    name symbol totalSupply holderCount paused
    holders(first: 10, orderBy: BALANCE_DESC) {{
      nodes {{ address balance frozen isFrozen }} totalCount pageInfo {{ endCursor hasNextPage }}
    }}
    transfers(first: 5) {{ nodes {{ from to value blockNumber txHash logIndex }} }}
  }}
}}

curl -s http://{addr}/graphql -H 'content-type: application/json' \
  -d '{{"query":"{{ token(address: \"{token}\") {{ symbol totalSupply holderCount holders(first: 5) {{ nodes {{ address balance }} }} }} }}"}}'

Regulator reports (holder register and control-book reconciliation, with block hash and digest):

curl -s 'http://{addr}/reports/holders?token={token}&block={block}&format=csv'
curl -s 'http://{addr}/reports/reconciliation?token={token}&block={block}'
curl -s 'http://{addr}/reports/holders/commitment?token={token}&block={block}'
registrar report holders --server http://{addr} --token {token} --block {block} --format csv
"#
    )
}
