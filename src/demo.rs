//! `registrar demo`: a local chain with two demo security tokens and their activity, indexed and
//! served, until Ctrl-C.

use std::{net::SocketAddr, sync::atomic::Ordering::Relaxed, time::Duration};

use alloy::{
    primitives::U256,
    providers::{Provider, ProviderBuilder},
};
use anyhow::Context;
use tracing::{info, warn};

use crate::{
    config::Config,
    devnet::{free_port, Anvil},
    node,
    scenario::{self, Cast, Rng},
    tasks::{termination_signal, Tasks},
};

/// Runs the demo; `listen` is where GraphQL is served (a free port if it is taken).
pub async fn run(listen: SocketAddr, activity_every: Duration) -> anyhow::Result<()> {
    let anvil = Anvil::spawn(&[])?;
    info!(rpc = %anvil.http_url(), pid = anvil.pid(), "anvil started");
    let provider = ProviderBuilder::new().connect(&anvil.http_url()).await?.erased();
    let cast = Cast::from_node(&provider, 40).await?;

    let shares = scenario::deploy_token(&provider, cast.agent, "Acme Holdings Class A Shares", "ACME-A", 0).await?;
    let notes = scenario::deploy_token(&provider, cast.agent, "Acme 5% Secured Notes 2030", "ACME30", 6).await?;
    info!(%shares, %notes, "demo tokens deployed");
    let played_shares = scenario::play(&provider, shares, &cast, U256::from(1), 7).await?;
    let played_notes = scenario::play(&provider, notes, &cast, U256::from(1_000_000), 11).await?;
    info!(
        transactions = played_shares.transactions + played_notes.transactions,
        last_block = played_notes.last_block,
        "scenario played"
    );

    let data_dir = tempfile::Builder::new().prefix("registrar-demo-").tempdir()?;
    let listen = match std::net::TcpListener::bind(listen) {
        Ok(_) => listen,
        Err(_) => SocketAddr::from(([127, 0, 0, 1], free_port()?)),
    };
    let config = Config {
        rpc: anvil.http_url(),
        contracts: vec![shares.to_string(), notes.to_string()],
        data_dir: data_dir.path().to_path_buf(),
        listen,
        confirmations: 2,
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
    let middle = (played_shares.first_block + played_shares.last_block) / 2;
    println!("{}", banner(handle.addr, &shares.to_string(), middle));

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
                Ok(Some(block)) => info!(block, "demo transfer"),
                Ok(None) => info!("demo transfer skipped: frozen or empty wallet"),
                Err(e) => warn!(error = %format!("{e:#}"), "demo transfer failed"),
            }
        }
    });
    let result = tasks.run_until(termination_signal(), Duration::from_secs(10)).await;
    drop(anvil);
    result.context("demo stopped")
}

fn banner(addr: SocketAddr, token: &str, block: u64) -> String {
    format!(
        r#"
registrar demo is running. GraphiQL: http://{addr}/graphql   (Ctrl-C to stop)

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
"#
    )
}
