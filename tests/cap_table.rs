//! The slice end to end on a real anvil: a demo ERC-3643 token with the scenario played is
//! indexed, and every holder's balance, frozen amount and flag, the holder count and the total
//! supply equal the contract's own views, at the last block and at a block in the middle.

mod common;

use std::process::Command;

use alloy::providers::Provider;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cap_table_equals_the_chain_now_and_in_the_past() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    let mut reg = Registrar::start(&anvil.http_url(), &[token], &data, &["--confirmations", "3"]);
    reg.wait_indexed(&provider, played.last_block).await;
    // The process started itself again with two malloc arenas (same PID).
    assert!(reg.environment().contains(&"MALLOC_ARENA_MAX=2".to_string()), "{:?}", reg.environment());

    assert_matches_chain(&reg, &provider, token, &cast, played.last_block).await;
    let middle = (played.first_block + played.last_block) / 2;
    assert_matches_chain(&reg, &provider, token, &cast, middle).await;
    assert_matches_chain(&reg, &provider, token, &cast, played.first_block).await;

    // Fields come back in the order asked (async-graphql finishes them in any order), over POST
    // and over GET, with CORS for pages of other origins; GET runs queries only.
    let asked = format!(
        r#"{{ token(address: "{token}") {{ symbol holders(first: 2) {{ nodes {{ balance address }} }} holder(address: "{}") {{ frozen balance }} t: transfers(first: 1) {{ nodes {{ value from }} }} name }} }}"#,
        cast.investors[0]
    );
    let in_order = |text: &str, keys: &[&str]| {
        let at: Vec<usize> =
            keys.iter().map(|k| text.find(&format!("\"{k}\"")).unwrap_or_else(|| panic!("{k} in {text}"))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{keys:?} out of order in {text}");
    };
    let client = reqwest::Client::new();
    let post =
        client.post(format!("{}/graphql", reg.url)).json(&serde_json::json!({ "query": asked })).send().await.unwrap();
    assert_eq!(post.headers()["access-control-allow-origin"], "*");
    let text = post.text().await.unwrap();
    in_order(&text, &["symbol", "holders", "holder", "t", "name"]);
    assert!(text.contains(r#""holder":{"frozen""#), "{text}");
    assert!(text.contains(r#""nodes":[{"balance""#), "{text}");
    let with_query =
        |q: &str| reqwest::Url::parse_with_params(&format!("{}/graphql", reg.url), &[("query", q)]).unwrap();
    let get = client.get(with_query(&asked)).send().await.unwrap();
    assert!(get.status().is_success());
    in_order(&get.text().await.unwrap(), &["symbol", "holders", "holder", "t", "name"]);
    let mutation = client
        .get(with_query(r#"mutation { setHolderLabel(token: "0x00", holder: "0x00", label: "x") { label } }"#))
        .send()
        .await
        .unwrap();
    assert_eq!(mutation.status(), reqwest::StatusCode::METHOD_NOT_ALLOWED);
    let preflight = client.request(reqwest::Method::OPTIONS, format!("{}/graphql", reg.url)).send().await.unwrap();
    assert_eq!(preflight.status(), reqwest::StatusCode::NO_CONTENT);
    assert!(preflight.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
    // Without a query, GET is GraphiQL, whose every script and style this server serves: it works
    // without internet access.
    let page = client.get(format!("{}/graphql", reg.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("GraphiQL.createFetcher"), "{page}");
    let links: Vec<&str> =
        page.split(['"', '\'']).filter(|part| part.ends_with(".js") || part.ends_with(".css")).collect();
    assert_eq!(links.len(), 4, "{links:?}");
    for link in links {
        assert!(link.starts_with("/graphiql/"), "{link} is not served here");
        let r = client.get(format!("{}{link}", reg.url)).send().await.unwrap();
        assert!(r.status().is_success(), "{link}: {}", r.status());
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(kind.starts_with(if link.ends_with(".js") { "text/javascript" } else { "text/css" }), "{link}: {kind}");
        assert!(r.bytes().await.unwrap().len() > 5_000, "{link} is the real file");
    }

    // The query contract of the issue, verbatim in shape.
    let investor = cast.investors[0];
    let d = reg
        .data(&format!(
            r#"{{
            status {{ chainId headBlock indexedBlock finalizedBlock }}
            tokens(first: 10) {{ nodes {{ address }} pageInfo {{ endCursor hasNextPage }} }}
            token(address: "{}", block: {{ number: {middle} }}) {{
              address name symbol decimals totalSupply holderCount paused finalized
              holders(first: 1000, orderBy: BALANCE_DESC) {{
                nodes {{ address balance frozen isFrozen }} totalCount pageInfo {{ endCursor hasNextPage }} }}
              holder(address: "{}") {{ address balance frozen isFrozen }}
              transfers(first: 5, where: {{ blockGte: 1, blockLte: {middle} }}) {{
                nodes {{ from to value blockNumber txHash logIndex }} }}
            }}
        }}"#,
            format!("{token:#x}").to_uppercase().replace("0X", "0x"),
            investor
        ))
        .await;
    assert_eq!(d["status"]["chainId"], 31337);
    assert_eq!(d["status"]["indexedBlock"].as_u64(), Some(played.last_block));
    assert_eq!(d["status"]["finalizedBlock"].as_u64(), Some(played.last_block - 3));
    assert_eq!(d["tokens"]["nodes"][0]["address"].as_str(), Some(format!("{token:#x}").as_str()));
    assert_eq!(d["token"]["symbol"], "TST");
    assert_eq!(d["token"]["finalized"], true, "block {middle} has more than 3 blocks on top");
    assert_eq!(d["token"]["name"], "Test Shares");
    assert_eq!(d["token"]["transfers"]["nodes"].as_array().unwrap().len(), 5);
    assert_eq!(d["token"]["transfers"]["nodes"][0]["from"], "0x0000000000000000000000000000000000000000");

    // Transfers filtered by sender match the chain's receipts' count of that sender's transfers.
    let from = cast.investors[3];
    let d = reg
        .data(&format!(r#"{{ token(address: "{token}") {{ transfers(first: 1000, where: {{ from: "{from}" }}) {{ nodes {{ from }} }} }} }}"#))
        .await;
    let nodes = d["token"]["transfers"]["nodes"].as_array().unwrap();
    for n in nodes {
        assert_eq!(n["from"].as_str(), Some(format!("{from:#x}").as_str()));
    }
    let sent = provider
        .get_logs(
            &alloy::rpc::types::Filter::new()
                .address(token)
                .event_signature(alloy::primitives::keccak256("Transfer(address,address,uint256)"))
                .topic1(from.into_word())
                .from_block(0)
                .to_block(played.last_block),
        )
        .await
        .unwrap();
    assert!(!sent.is_empty(), "the scenario has investor 3 send tokens");
    assert_eq!(nodes.len(), sent.len(), "every transfer {from:#x} sent, and only those");

    // Transfers with the account on either side: what it sent and what it received.
    let d = reg
        .data(&format!(
            r#"{{ token(address: "{token}") {{ transfers(first: 1000, where: {{ account: "{from}" }}) {{ nodes {{ from to }} }} }} }}"#
        ))
        .await;
    let either = d["token"]["transfers"]["nodes"].as_array().unwrap();
    let received = provider
        .get_logs(
            &alloy::rpc::types::Filter::new()
                .address(token)
                .event_signature(alloy::primitives::keccak256("Transfer(address,address,uint256)"))
                .topic2(from.into_word())
                .from_block(0)
                .to_block(played.last_block),
        )
        .await
        .unwrap();
    assert!(!received.is_empty(), "the scenario has investor 3 receive tokens");
    assert_eq!(either.len(), sent.len() + received.len(), "every transfer from or to {from:#x}");
    // The count of every page, from a page of one.
    let d = reg
        .data(&format!(
            r#"{{ token(address: "{token}") {{ transfers(first: 1, where: {{ account: "{from}" }}) {{ totalCount nodes {{ from }} }} }} }}"#
        ))
        .await;
    assert_eq!(d["token"]["transfers"]["totalCount"].as_u64(), Some(either.len() as u64));
    let me = format!("{from:#x}");
    assert!(either.iter().all(|n| n["from"] == me.as_str() || n["to"] == me.as_str()));

    // ERC-20 `Approval` decodes (it moves nothing): no log of the token is left undecoded.
    let d = reg.data("{ undecodedLogs(first: 100) { contract topics reason } }").await;
    assert_eq!(d["undecodedLogs"], serde_json::json!([]), "{d}");

    // Time travel by date: the token as of a time is the token as of the last block at or before it.
    let middle_block = provider.get_block_by_number(middle.into()).await.unwrap().unwrap();
    let t = middle_block.header.timestamp;
    let by_time = reg
        .data(&format!(
            r#"{{ token(address: "{token}", block: {{ timestamp: {t} }}) {{ block totalSupply holderCount }} }}"#
        ))
        .await;
    let at_block = by_time["token"]["block"].as_u64().unwrap();
    let at_time = provider.get_block_by_number(at_block.into()).await.unwrap().unwrap().header.timestamp;
    assert!(at_time <= t, "block {at_block} is after {t}");
    let by_number = reg
        .data(&format!(
            r#"{{ token(address: "{token}", block: {{ number: {at_block} }}) {{ block totalSupply holderCount }} }}"#
        ))
        .await;
    assert_eq!(by_time, by_number);
    let r = reg
        .query(&format!(r#"{{ token(address: "{token}", block: {{ number: 1, timestamp: {t} }}) {{ name }} }}"#))
        .await;
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("one of number, hash, timestamp or at"), "{r}");

    let latest = reg.data(&format!(r#"{{ token(address: "{token}") {{ block finalized }} }}"#)).await;
    assert_eq!(latest["token"]["block"].as_u64(), Some(played.last_block));
    assert_eq!(latest["token"]["finalized"], false, "the head is not final with 3 confirmations");

    // A block beyond the index is an error, not a guess.
    let r = reg.query(&format!(r#"{{ token(address: "{token}", block: {{ number: 99999 }}) {{ name }} }}"#)).await;
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("not indexed yet"), "{r}");

    // Operational endpoints.
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{}/health", reg.url)).send().await.unwrap().status(), 200);
    assert_eq!(client.get(format!("{}/ready", reg.url)).send().await.unwrap().status(), 200);
    let graphiql = client.get(format!("{}/graphql", reg.url)).send().await.unwrap().text().await.unwrap();
    assert!(graphiql.to_lowercase().contains("graphiql"));
    assert_eq!(reg.metric("registrar_indexed_block").await, Some(played.last_block));
    assert!(reg.metric("registrar_events_applied_total").await.unwrap() > 50);
    assert_eq!(reg.metric("registrar_undecoded_logs_total").await, Some(0));

    // Replay determinism: the log replayed into an empty state gives the same bytes.
    reg.stop();
    let (full, _) = digest(&data);
    let into = dir.path().join("replayed");
    let out = Command::new(BIN).arg("replay").arg("--data-dir").arg(&data).arg("--into").arg(&into).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("digest {full}")), "replayed state differs: {text} vs {full}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_the_head_over_websocket() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registrar::start(&anvil.ws_url(), &[token], &dir.path().join("ws"), &["--confirmations", "2"]);
    reg.wait_indexed(&provider, played.last_block).await;
    // New activity after the backfill arrives through the head subscription.
    let mut rng = registrar_testkit::scenario::Rng::new(5);
    let mut last = played.last_block;
    let mut sent = 0;
    for _ in 0..30 {
        if let Some(block) =
            registrar_testkit::scenario::random_transfer(&provider, token, &cast, &mut rng).await.unwrap()
        {
            last = last.max(block);
            sent += 1;
        }
        if sent == 3 {
            break;
        }
    }
    assert_eq!(sent, 3, "the scenario left too few free wallets to trade");
    reg.wait_indexed(&provider, last).await;
    assert_matches_chain(&reg, &provider, token, &cast, last).await;
}
