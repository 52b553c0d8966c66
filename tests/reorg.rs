//! Reorganisations while following the head: the chain is reverted to a snapshot and grows a
//! different branch. The index reverts to the common ancestor and ends equal to a fresh index
//! of the final chain.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use alloy::{
    primitives::{U256, U64},
    providers::{DynProvider, Provider},
};
use common::*;
use registrar_testkit::{
    contracts::DemoSecurityToken::{self, DemoSecurityTokenInstance},
    scenario::Cast,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_while_following_the_head() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 13).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("follower");
    let mut reg = Registrar::start(&anvil.http_url(), &[token], &data, &["--confirmations", "8"]);
    reg.wait_indexed(&provider, played.last_block).await;

    let t = DemoSecurityToken::new(token, provider.clone());
    let inv = &cast.investors;
    let snapshot: U256 = provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    // Branch A: three blocks the index follows, including a freeze and a transfer.
    mine!(t.setAddressFrozen(inv[20], true).from(cast.agent));
    mine!(t.transfer(inv[21], U256::from(3)).from(inv[22]));
    mine!(t.mint(inv[23], U256::from(1_000_000)).from(cast.agent));
    let tip_a = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, tip_a).await;
    let a = reg
        .data(&format!(
            r#"{{ token(address: "{token}") {{ totalSupply holder(address: "{}") {{ isFrozen }} }} }}"#,
            inv[20]
        ))
        .await;
    assert_eq!(a["token"]["holder"]["isFrozen"], true);

    // Branch B replaces A from the snapshot and is one block longer.
    let reverted: bool = provider.raw_request("evm_revert".into(), (snapshot,)).await.unwrap();
    assert!(reverted);
    let tip_b = mine_branch_b(&provider, &t, &cast).await;
    assert!(tip_b > tip_a);
    reg.wait_indexed(&provider, tip_b).await;

    assert_matches_chain(&reg, &provider, token, &cast, tip_b).await;
    assert_matches_chain(&reg, &provider, token, &cast, tip_a).await;
    assert_eq!(reg.metric("registrar_reorgs_total").await, Some(1));
    reg.stop();
    let fresh = fresh_state_digest(&anvil.http_url(), &provider, &[token], &dir.path().join("fresh"), tip_b).await;
    assert_eq!(digest(&data).1, fresh, "state after the reorg differs from a fresh index of the final chain");
}

/// The chain shrinks between ingest reading the head and reading that head's blocks: a proxy
/// reverts the node to a snapshot right after answering `eth_blockNumber`, so the step that
/// follows asks for blocks that are gone. Ingest reverts to the common ancestor, waits for the
/// chain and follows the new branch instead of stopping. (CI met this race by chance once.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_shrinks_between_reading_the_head_and_its_blocks() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 29).await;
    let (proxy, node) = proxy::start(anvil.http_url(), proxy::Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("follower");
    let mut reg = Registrar::start(&format!("http://{proxy}"), &[token], &data, &["--confirmations", "8"]);
    reg.wait_indexed(&provider, played.last_block).await;

    let t = DemoSecurityToken::new(token, provider.clone());
    let inv = &cast.investors;
    let snapshot: U256 = provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    mine!(t.transfer(inv[21], U256::from(3)).from(inv[22]));
    mine!(t.mint(inv[23], U256::from(1_000_000)).from(cast.agent));
    let tip_a = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, tip_a).await;

    *node.revert_after_next_head.lock().unwrap() = Some(serde_json::json!(snapshot));
    let deadline = Instant::now() + Duration::from_secs(30);
    while node.revert_after_next_head.lock().unwrap().is_some() {
        assert!(Instant::now() < deadline, "registrar did not read the head again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let ingest meet the missing blocks before the chain grows again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let tip_b = mine_branch_b(&provider, &t, &cast).await;
    assert!(tip_b > tip_a);
    reg.wait_indexed(&provider, tip_b).await;

    assert_matches_chain(&reg, &provider, token, &cast, tip_b).await;
    assert_eq!(reg.metric("registrar_reorgs_total").await, Some(1));
    reg.stop();
    let fresh = fresh_state_digest(&anvil.http_url(), &provider, &[token], &dir.path().join("fresh"), tip_b).await;
    assert_eq!(digest(&data).1, fresh, "state after the reorg differs from a fresh index of the final chain");
}

/// Branch B, mined on a chain just reverted to the snapshot: a burn, a transfer, a partial
/// freeze and an empty block. Returns its tip.
async fn mine_branch_b(provider: &DynProvider, t: &DemoSecurityTokenInstance<DynProvider>, cast: &Cast) -> u64 {
    let inv = &cast.investors;
    // Nonces as of the reverted state: the provider's view of pending transactions is stale.
    let nonce = |a| {
        let p = provider.clone();
        async move { p.get_transaction_count(a).latest().await.unwrap() }
    };
    let agent_nonce = nonce(cast.agent).await;
    mine!(t.burn(inv[24], U256::from(1)).from(cast.agent).nonce(agent_nonce));
    let n = nonce(inv[26]).await;
    mine!(t.transfer(inv[25], U256::from(2)).from(inv[26]).nonce(n));
    mine!(t.freezePartialTokens(inv[27], U256::from(1)).from(cast.agent).nonce(agent_nonce + 1));
    let _: U64 = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    provider.get_block_number().await.unwrap()
}

/// A transaction gone by the time ingest traces it (a reorg between reading its logs and tracing
/// it; anvil answers an empty struct-log trace for an unknown hash) is the chain changing, not a
/// malformed trace that would stop ingest. A transaction still there is traced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_gone_before_its_trace_is_a_chain_change() {
    use alloy::{network::TransactionBuilder, primitives::B256, rpc::types::TransactionRequest};
    use registrar_ingest::{IngestError, Rpc, RpcConfig};
    let (anvil, provider) = chain().await;
    let config = RpcConfig { url: anvil.http_url(), ..RpcConfig::default() };
    let rpc = Rpc::connect(config, std::sync::Arc::new(registrar_log::Metrics::default())).await.unwrap();
    let gone = rpc.traced_calls(B256::repeat_byte(0x11)).await;
    assert!(matches!(gone, Err(IngestError::Inconsistent(_))), "{gone:?}");

    let accounts = provider.get_accounts().await.unwrap();
    let tx = TransactionRequest::default().with_from(accounts[0]).with_to(accounts[1]).with_value(U256::from(1));
    let receipt = provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    let calls = rpc.traced_calls(receipt.transaction_hash).await.unwrap().expect("anvil traces");
    assert_eq!((calls[0].from, calls[0].to), (accounts[0], Some(accounts[1])));
}
