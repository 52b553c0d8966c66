//! The ERC-1400 family against the chain's own views: two partitioned tokens, one emitting
//! ConsenSys UniversalToken's event signatures (with ERC-20 `Transfer`s besides the partition
//! events) and one the reference interfaces' (no ERC-20 events at all), play issuance, transfers
//! within and across partitions, operators, redemptions and controller operations. At the last
//! block and at a middle block every account's balance, every balance by partition, each
//! partition's supply and the total supply equal the contract's views; every signature variant
//! was emitted and decoded (no undecoded logs); controller operations and operator changes are in
//! the custody audit trail with the controller as agent; no movement is counted twice.

#[macro_use]
mod common;

use std::collections::{BTreeMap, BTreeSet};

use alloy::{
    eips::BlockId,
    primitives::{Address, B256, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use common::*;
use registrar_schemas::abi::{erc1400, erc1400_variants};
use registrar_testkit::{
    contracts::DemoPartitionedToken,
    scenario::{self, Cast},
};
use serde_json::Value;

async fn get_json(reg: &Registrar, path: &str) -> Value {
    let r = reqwest::get(format!("{}{path}", reg.url)).await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// What the contract's views say about every account at `block`: balance and non-zero
/// balances by partition (name → amount), plus each partition's supply and the total supply.
struct ChainView {
    total_supply: U256,
    supplies: BTreeMap<String, U256>,
    holders: BTreeMap<Address, (U256, BTreeMap<String, U256>)>,
}

async fn chain_view(
    provider: &alloy::providers::DynProvider,
    token: Address,
    accounts: &[Address],
    block: u64,
) -> ChainView {
    let t = DemoPartitionedToken::new(token, provider.clone());
    let at = BlockId::number(block);
    let mut all_partitions = BTreeSet::new();
    let mut holders = BTreeMap::new();
    for &a in accounts {
        let balance = t.balanceOf(a).block(at).call().await.unwrap();
        let mut partitions = BTreeMap::new();
        for p in t.partitionsOf(a).block(at).call().await.unwrap() {
            let v = t.balanceOfByPartition(p, a).block(at).call().await.unwrap();
            all_partitions.insert(p);
            if !v.is_zero() {
                partitions.insert(registrar_api::reports::partition_label(p), v);
            }
        }
        if !balance.is_zero() {
            holders.insert(a, (balance, partitions));
        }
    }
    let mut supplies = BTreeMap::new();
    for p in ["unlocked", "locked", "reg-s"].map(scenario::partition).into_iter().chain(all_partitions) {
        let v = t.totalSupplyByPartition(p).block(at).call().await.unwrap();
        if !v.is_zero() {
            supplies.insert(registrar_api::reports::partition_label(p), v);
        }
    }
    ChainView { total_supply: t.totalSupply().block(at).call().await.unwrap(), supplies, holders }
}

fn amounts(v: &Value) -> BTreeMap<String, U256> {
    v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().parse().unwrap())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitioned_tokens_match_the_chain_in_every_variant() {
    let (anvil, provider) = chain().await;
    let cast = Cast::from_node(&provider, 40).await.unwrap();
    let universal = scenario::deploy_partitioned(&provider, cast.agent, "Universal Notes", "UNV", 0).await.unwrap();
    let reference = scenario::deploy_partitioned(&provider, cast.agent, "Reference Shares", "REF", 1).await.unwrap();
    let first = scenario::play_partitioned(&provider, universal, &cast, 7).await.unwrap();
    let last = scenario::play_partitioned(&provider, reference, &cast, 11).await.unwrap();
    let (first_block, last_block) = (first.first_block, last.last_block);

    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registrar::start(
        &anvil.http_url(),
        &[universal, reference],
        &dir.path().join("node"),
        &["--confirmations", "3"],
    );
    reg.wait_indexed(&provider, last_block).await;

    // Every signature variant was emitted, and every log decoded.
    let logs = provider
        .get_logs(&Filter::new().address(vec![universal, reference]).from_block(first_block).to_block(last_block))
        .await
        .unwrap();
    let emitted: BTreeSet<B256> = logs.iter().filter_map(|l| l.topics().first().copied()).collect();
    for (name, topic) in [
        ("TransferByPartition", erc1400::TransferByPartition::SIGNATURE_HASH),
        ("ChangedPartition", erc1400::ChangedPartition::SIGNATURE_HASH),
        ("AuthorizedOperator", erc1400::AuthorizedOperator::SIGNATURE_HASH),
        ("RevokedOperator", erc1400::RevokedOperator::SIGNATURE_HASH),
        ("AuthorizedOperatorByPartition", erc1400::AuthorizedOperatorByPartition::SIGNATURE_HASH),
        ("RevokedOperatorByPartition", erc1400::RevokedOperatorByPartition::SIGNATURE_HASH),
        ("IssuedByPartition (operator)", erc1400::IssuedByPartition::SIGNATURE_HASH),
        ("IssuedByPartition (no operator)", erc1400_variants::IssuedByPartition::SIGNATURE_HASH),
        ("RedeemedByPartition (data)", erc1400::RedeemedByPartition::SIGNATURE_HASH),
        ("RedeemedByPartition (no data)", erc1400_variants::RedeemedByPartition::SIGNATURE_HASH),
        ("Issued", erc1400::Issued::SIGNATURE_HASH),
        ("Redeemed", erc1400::Redeemed::SIGNATURE_HASH),
        ("ControllerTransfer (data)", erc1400::ControllerTransfer::SIGNATURE_HASH),
        ("ControllerTransfer (short)", erc1400_variants::ControllerTransfer::SIGNATURE_HASH),
        ("ControllerRedemption (data)", erc1400::ControllerRedemption::SIGNATURE_HASH),
        ("ControllerRedemption (short)", erc1400_variants::ControllerRedemption::SIGNATURE_HASH),
    ] {
        assert!(emitted.contains(&topic), "the scenario emits {name}");
    }
    let undecoded = reg.data("{ undecodedLogs { reason } }").await;
    assert_eq!(undecoded["undecodedLogs"], serde_json::json!([]), "every log decodes");

    let mut accounts = cast.investors.clone();
    accounts.push(cast.agent);
    for (token, played) in [(universal, &first), (reference, &last)] {
        // A block in the middle of the token's activity, and the last block.
        let middle = (played.first_block + played.last_block) / 2;
        for block in [middle, last_block] {
            let chain = chain_view(&provider, token, &accounts, block).await;
            let report = get_json(&reg, &format!("/reports/holders?token={token:#x}&block={block}&format=json")).await;
            assert_eq!(report["totalSupply"].as_str().unwrap(), chain.total_supply.to_string(), "{token} at {block}");
            let supplies: BTreeMap<String, U256> = report["partitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p["name"].as_str().unwrap().to_string(), p["supply"].as_str().unwrap().parse().unwrap()))
                .collect();
            assert_eq!(supplies, chain.supplies, "partition supplies of {token} at {block}");
            let rows: BTreeMap<Address, (U256, BTreeMap<String, U256>)> = report["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let a: Address = r["address"].as_str().unwrap().parse().unwrap();
                    (a, (r["balance"].as_str().unwrap().parse().unwrap(), amounts(&r["balanceByPartition"])))
                })
                .collect();
            assert_eq!(rows, chain.holders, "holders and partition balances of {token} at {block}");

            let recon = get_json(&reg, &format!("/reports/reconciliation?token={token:#x}&block={block}")).await;
            assert_eq!(recon["balanced"], true, "{recon}");
            assert!(recon["rows"].as_array().unwrap().len() >= 3, "partition checks present: {recon}");

            // GraphQL: the token's partitions and one holder's, as of the block.
            let (&holder, (balance, partitions)) = chain.holders.iter().next().unwrap();
            let g = reg
                .data(&format!(
                    r#"{{ token(address: "{token:#x}", block: {{ number: {block} }}) {{ totalSupply partitions {{ name balance }}
                        holder(address: "{holder:#x}") {{ balance partitions {{ partition name balance }} }} }} }}"#
                ))
                .await;
            let t = &g["token"];
            let token_partitions: BTreeMap<String, U256> = t["partitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p["name"].as_str().unwrap().to_string(), p["balance"].as_str().unwrap().parse().unwrap()))
                .collect();
            assert_eq!(token_partitions, chain.supplies);
            assert_eq!(t["holder"]["balance"].as_str().unwrap(), balance.to_string());
            let holder_partitions: BTreeMap<String, U256> = t["holder"]["partitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let hex: B256 = p["partition"].as_str().unwrap().parse().unwrap();
                    assert_eq!(registrar_api::reports::partition_label(hex), p["name"].as_str().unwrap());
                    (p["name"].as_str().unwrap().to_string(), p["balance"].as_str().unwrap().parse().unwrap())
                })
                .collect();
            assert_eq!(&holder_partitions, partitions);
        }

        // Issued minus redeemed over the token's life equals its supply: each movement counted once.
        let issuance = get_json(&reg, &format!("/reports/issuance?token={token:#x}&format=json")).await;
        let net: U256 = issuance["net"].as_str().unwrap().parse().unwrap();
        let t = DemoPartitionedToken::new(token, provider.clone());
        assert_eq!(net, t.totalSupply().call().await.unwrap(), "{token}: {issuance}");

        // The custody trail: the controller's transfer and redemption, and the operator changes,
        // exactly as the chain's logs have them.
        let custody = get_json(&reg, &format!("/reports/custody?token={token:#x}&format=json")).await;
        let trail: Vec<(String, String, String, String)> = custody["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap().to_string();
                (s("action"), s("account"), s("agent"), s("partition"))
            })
            .collect();
        let mut expected = Vec::new();
        for log in logs.iter().filter(|l| l.address() == token) {
            let topics = log.topics();
            let addr = |i: usize| format!("{:#x}", Address::from_word(topics[i]));
            let word = |i: usize| format!("{:#x}", Address::from_slice(&log.data().data[i * 32 + 12..i * 32 + 32]));
            let controller = format!("{:#x}", cast.agent);
            match topics[0] {
                t if t == erc1400::ControllerTransfer::SIGNATURE_HASH
                    || t == erc1400_variants::ControllerTransfer::SIGNATURE_HASH =>
                {
                    assert_eq!(word(0), controller);
                    expected.push(("controller-transfer".into(), addr(1), controller, String::new()));
                }
                t if t == erc1400::ControllerRedemption::SIGNATURE_HASH
                    || t == erc1400_variants::ControllerRedemption::SIGNATURE_HASH =>
                {
                    expected.push(("controller-redemption".into(), addr(1), controller, String::new()));
                }
                t if t == erc1400::AuthorizedOperator::SIGNATURE_HASH => {
                    expected.push(("authorize-operator".into(), addr(2), addr(1), String::new()))
                }
                t if t == erc1400::RevokedOperator::SIGNATURE_HASH => {
                    expected.push(("revoke-operator".into(), addr(2), addr(1), String::new()))
                }
                t if t == erc1400::AuthorizedOperatorByPartition::SIGNATURE_HASH => {
                    expected.push(("authorize-operator".into(), addr(3), addr(2), "locked".into()))
                }
                t if t == erc1400::RevokedOperatorByPartition::SIGNATURE_HASH => {
                    expected.push(("revoke-operator".into(), addr(3), addr(2), "locked".into()))
                }
                _ => {}
            }
        }
        assert_eq!(expected.len(), 6, "{token}: two controller operations and four operator changes");
        assert_eq!(trail, expected, "{token}: custody trail");
    }

    // The reference token emits no ERC-20 Transfer: its transfer history comes from the partition
    // and controller events, one row per movement. The universal token's is its Transfer logs.
    for (token, movements) in [
        (universal, vec![alloy::primitives::keccak256("Transfer(address,address,uint256)")]),
        (
            reference,
            vec![
                erc1400::TransferByPartition::SIGNATURE_HASH,
                erc1400_variants::IssuedByPartition::SIGNATURE_HASH,
                erc1400::RedeemedByPartition::SIGNATURE_HASH,
            ],
        ),
    ] {
        let expected = logs.iter().filter(|l| l.address() == token && movements.contains(&l.topics()[0])).count();
        let report = get_json(&reg, &format!("/reports/transfers?token={token:#x}&format=json")).await;
        assert_eq!(report["count"].as_u64(), Some(expected as u64), "{token}: one transfer row per movement");
    }
    reg.stop();
}
