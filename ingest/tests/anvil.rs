//! Ingest against a real anvil: every `Transfer` the token emitted is in the log once, in chain
//! order, with the amounts the chain holds, and the log's last commit covers the head.

use std::{collections::BTreeMap, sync::Arc};

use alloy::{
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::Filter,
    sol_types::SolEvent,
};
use registrar_ingest::{IngestConfig, Ingestor, Rpc, RpcConfig};
use registrar_log::{EmbeddedLog, EventLog, Metrics, Partition};
use registrar_schemas::{LogOffset, LogRecord, TokenEvent};
use registrar_testkit::{
    contracts::DemoSecurityToken,
    devnet::Anvil,
    scenario::{self, Cast},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_transfer_is_appended_once_with_the_chains_amounts() {
    let anvil = Anvil::spawn(&[]).expect("anvil starts (run `make setup`)");
    let provider = ProviderBuilder::new().connect(&anvil.http_url()).await.unwrap().erased();
    let cast = Cast::from_node(&provider, 20).await.unwrap();
    let token = scenario::deploy_token(&provider, cast.agent, "Ingest Shares", "ING", 0).await.unwrap();
    let played = scenario::play(&provider, token, &cast, U256::from(1), 3).await.unwrap();
    let head = provider.get_block_number().await.unwrap();
    assert!(played.transactions > 10, "the scenario played {} transactions", played.transactions);

    // What the chain says: every Transfer of the token, by (block, log index).
    let filter =
        Filter::new().address(token).event_signature(DemoSecurityToken::Transfer::SIGNATURE_HASH).from_block(0);
    let chain: BTreeMap<(u64, u32), (Address, Address, U256)> = provider
        .get_logs(&filter.to_block(head))
        .await
        .unwrap()
        .iter()
        .map(|log| {
            let t = DemoSecurityToken::Transfer::decode_log(&log.inner).unwrap();
            ((log.block_number.unwrap(), log.log_index.unwrap() as u32), (t.from, t.to, t.value))
        })
        .collect();
    assert!(!chain.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EmbeddedLog::open(dir.path()).unwrap());
    let metrics = Arc::new(Metrics::default());
    let rpc = Arc::new(
        Rpc::connect(RpcConfig { url: anvil.http_url(), ..RpcConfig::default() }, metrics.clone()).await.unwrap(),
    );
    let config = IngestConfig {
        contracts: vec![token],
        from_block: 0,
        confirmations: 0,
        initial_range: 7,
        stop_at: Some(head),
        progress: false,
        ..IngestConfig::default()
    };
    let (_keep, shutdown) = tokio::sync::watch::channel(false);
    Ingestor::new(rpc, log.clone(), metrics, config).run(shutdown).await.unwrap();

    let mut appended = BTreeMap::new();
    let mut last_commit = None;
    let mut approvals = 0;
    for raw in log.read(Partition(0), LogOffset(0), usize::MAX).unwrap() {
        match raw.decode().unwrap() {
            LogRecord::Event(e) => match e.event {
                TokenEvent::Transfer { from, to, value } => {
                    let at = (e.meta.block.number.0, e.meta.log_index);
                    let previous = appended.insert(at, (from, to, value));
                    assert!(previous.is_none(), "transfer at {at:?} appended twice");
                }
                TokenEvent::Approval { .. } => approvals += 1,
                _ => {}
            },
            LogRecord::Committed(c) => last_commit = Some(c.block.0),
            LogRecord::TokenDiscovered(t) => assert_eq!(t.address, token),
            LogRecord::Undecoded(u) => panic!("a log of the demo token is undecodable: {}", u.reason),
            LogRecord::Reverted(r) => panic!("no reorg happened, yet a revert to {} was appended", r.common_ancestor.0),
        }
    }
    assert_eq!(appended, chain, "the log's transfers differ from the chain's");
    assert_eq!(last_commit, Some(head), "the last commit does not cover the head");
    let approval_filter =
        Filter::new().address(token).event_signature(DemoSecurityToken::Approval::SIGNATURE_HASH).from_block(0);
    assert_eq!(approvals, provider.get_logs(&approval_filter.to_block(head)).await.unwrap().len());
}
