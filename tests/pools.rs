//! Collateral pools against the chain's own views: registrar's demo pool (an ERC-4626 vault
//! with ERC-7540 requests and composition events) plays deposits, purchases of two assets with the
//! underlying, revaluations, share transfers, requests settled by the manager, redemptions and a
//! sale. At the last block and at a middle block the pool's composition (amount and value per
//! asset, the underlying), total value, shares outstanding and share value, and every holder's
//! shares, equal what the contract's views return at that block; the requests are listed as the
//! chain's logs have them; every log decodes.

#[macro_use]
mod common;

use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
    providers::Provider,
};
use common::*;
use registrar_testkit::{
    contracts::DemoCollateralPool,
    scenario::{self, Cast},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_composition_and_share_value_match_the_chain() {
    let (anvil, provider) = chain().await;
    let cast = Cast::from_node(&provider, 40).await.unwrap();
    let pool = scenario::deploy_pool(&provider, cast.agent, "Acme Collateral Pool", "ACP").await.unwrap();
    let played = scenario::play_pool(&provider, pool, &cast, 5).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registrar::start(&anvil.http_url(), &[pool], &dir.path().join("node"), &["--confirmations", "3"]);
    reg.wait_indexed(&provider, played.last_block).await;
    let undecoded = reg.data("{ undecodedLogs { reason } }").await;
    assert_eq!(undecoded["undecodedLogs"], serde_json::json!([]), "every log decodes");

    let p = DemoCollateralPool::new(pool, provider.clone());
    let unit = U256::from(10u64).pow(U256::from(18));
    let middle = (played.first_block + played.last_block) / 2;
    for block in [middle, played.last_block] {
        let at = BlockId::number(block);
        let g = reg
            .data(&format!(
                r#"{{ token(address: "{pool:#x}", block: {{ number: {block} }}) {{
                    totalSupply
                    pool {{ totalValue totalShares shareValue assets {{ asset underlying amount value }} }}
                    holders(first: 100) {{ nodes {{ address balance }} }}
                }} }}"#
            ))
            .await;
        let t = &g["token"];
        let q = &t["pool"];
        let big = |v: &serde_json::Value| v.as_str().unwrap().parse::<U256>().unwrap();
        assert_eq!(big(&q["totalValue"]), p.totalAssets().block(at).call().await.unwrap(), "total value at {block}");
        assert_eq!(big(&q["totalShares"]), p.totalSupply().block(at).call().await.unwrap(), "shares at {block}");
        assert_eq!(
            big(&q["shareValue"]),
            p.convertToAssets(unit).block(at).call().await.unwrap(),
            "share value at {block}"
        );
        let assets = q["assets"].as_array().unwrap();
        let underlying = &assets[0];
        assert_eq!(underlying["underlying"], true);
        assert_eq!(big(&underlying["value"]), p.underlying().block(at).call().await.unwrap());
        let mut expected = vec![];
        for a in p.assets().block(at).call().await.unwrap() {
            let (amount, value) =
                (p.assetAmount(a).block(at).call().await.unwrap(), p.assetValue(a).block(at).call().await.unwrap());
            if !amount.is_zero() || !value.is_zero() {
                expected.push((format!("{a:#x}"), amount, value));
            }
        }
        expected.sort();
        let mut indexed: Vec<(String, U256, U256)> = assets[1..]
            .iter()
            .map(|a| (a["asset"].as_str().unwrap().to_lowercase(), big(&a["amount"]), big(&a["value"])))
            .collect();
        indexed.sort();
        assert_eq!(indexed, expected, "composition at {block}");
        for h in t["holders"]["nodes"].as_array().unwrap() {
            let a: Address = h["address"].as_str().unwrap().parse().unwrap();
            assert_eq!(big(&h["balance"]), p.balanceOf(a).block(at).call().await.unwrap(), "{a}'s shares at {block}");
        }
        let listed = t["holders"]["nodes"].as_array().unwrap().len();
        let mut holding = 0;
        for &a in &cast.investors {
            holding += usize::from(!p.balanceOf(a).block(at).call().await.unwrap().is_zero());
        }
        assert_eq!(listed, holding, "share holders at {block}");
    }

    // The ERC-7540 requests, as the chain's logs have them.
    let g = reg
        .data(&format!(
            r#"{{ token(address: "{pool:#x}") {{ vaultRequests {{ nodes {{ kind requestId controller owner amount blockNumber }} }} }} }}"#
        ))
        .await;
    let requests = g["token"]["vaultRequests"]["nodes"].as_array().unwrap();
    let kinds: Vec<&str> = requests.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["DEPOSIT", "REDEEM"]);
    assert_eq!(requests[0]["requestId"], "1");
    assert_eq!(requests[1]["requestId"], "2");
    assert_eq!(requests[0]["amount"].as_str().unwrap().parse::<U256>().unwrap(), U256::from(2_500) * unit);
    assert_eq!(requests[0]["owner"].as_str().unwrap().to_lowercase(), format!("{:#x}", cast.investors[7]));
    let head = provider.get_block_number().await.unwrap();
    assert!(requests.iter().all(|r| r["blockNumber"].as_u64().unwrap() <= head));
    reg.stop();
}
