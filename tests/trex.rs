//! ERC-3643 against the real T-REX v4 suite from npm (`@tokenysolutions/t-rex`), deployed through
//! its own factory: registrar is given only the factory and follows each suite it deploys (one
//! before registrar starts, one while it runs, and both again after a restart), with the identity
//! registry and storage the token points to. At a middle block and the last block, every wallet's
//! balance, frozen amount, frozen flag, identity contract and country in the holder register equal
//! what the token's and the identity registry's own views return at that block. Identity fields
//! are visible only to the token's issuer and regulator keys; the investors (wallets grouped by
//! ONCHAINID) and their count equal the identity registry's grouping. T-REX's indexed token name is read
//! back. Every log of the suites decodes.

#[macro_use]
mod common;

use std::{path::Path, process::Command};

use alloy::{eips::BlockId, primitives::Address, providers::Provider};
use common::*;
use registrar_testkit::{
    scenario::Cast,
    trex::{
        self, send, Artifacts, Factory, IAgentManager, IClaimTopicsRegistry, IModularCompliance, ITREXIdentityRegistry,
        ITREXToken, ITrustedIssuersRegistry,
    },
};
use serde_json::Value;

async fn get(reg: &Registrar, path: &str, key: Option<&str>) -> Value {
    let mut request = reqwest::Client::new().get(format!("{}{path}", reg.url));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let r = request.send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn graphql(reg: &Registrar, query: &str, key: Option<&str>) -> Value {
    let mut request = reqwest::Client::new().post(format!("{}/graphql", reg.url));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.json(&serde_json::json!({ "query": query })).send().await.unwrap().json().await.unwrap()
}

fn create_key(reg: &Registrar, role: &str, token: Address) -> String {
    let out = Command::new(BIN)
        .args(["keys", "--data-dir"])
        .arg(&reg.data_dir)
        .args(["create", "--name", role, "--role", role, "--tokens", &format!("{token:#x}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().find_map(|l| l.strip_prefix("secret ")).unwrap().to_string()
}

/// What the chain's views say of a wallet at a block.
#[derive(Debug, PartialEq, Eq)]
struct Wallet {
    balance: String,
    frozen: String,
    is_frozen: bool,
    identity: Option<String>,
    country: Option<u64>,
}

async fn chain_wallet(provider: &alloy::providers::DynProvider, token: Address, wallet: Address, block: u64) -> Wallet {
    let at = BlockId::number(block);
    let t = ITREXToken::new(token, provider.clone());
    let ir = ITREXIdentityRegistry::new(t.identityRegistry().block(at).call().await.unwrap(), provider.clone());
    let identity = ir.identity(wallet).block(at).call().await.unwrap();
    let registered = !identity.is_zero();
    Wallet {
        balance: t.balanceOf(wallet).block(at).call().await.unwrap().to_string(),
        frozen: t.getFrozenTokens(wallet).block(at).call().await.unwrap().to_string(),
        is_frozen: t.isFrozen(wallet).block(at).call().await.unwrap(),
        identity: registered.then(|| format!("{identity:#x}")),
        country: if registered {
            Some(ir.investorCountry(wallet).block(at).call().await.unwrap().into())
        } else {
            None
        },
    }
}

fn report_wallet(row: &Value) -> Wallet {
    Wallet {
        balance: row["balance"].as_str().unwrap().to_string(),
        frozen: row["frozen"].as_str().unwrap().to_string(),
        is_frozen: row["isFrozen"].as_bool().unwrap(),
        identity: row["identity"].as_str().map(str::to_string),
        country: row["country"].as_u64(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trex_suites_from_the_factory_match_their_views() {
    let (anvil, provider) = chain().await;
    let cast = Cast::from_node(&provider, 40).await.unwrap();
    let (agent, inv) = (cast.agent, &cast.investors);
    let artifacts = Artifacts::find(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let factory = Factory::deploy(&provider, &artifacts, agent).await.unwrap();
    let token_identity = trex::deploy_identity(&provider, &artifacts, agent).await.unwrap();
    let a = factory.deploy_suite(&provider, "acme-a", "Acme Class A", "ACMA", 0, agent, token_identity).await.unwrap();
    let ta = ITREXToken::new(a, provider.clone());
    let ir_a = ITREXIdentityRegistry::new(ta.identityRegistry().call().await.unwrap(), provider.clone());

    let dir = tempfile::tempdir().unwrap();
    let factory_arg = factory.address.to_string();
    let args = ["--factories", factory_arg.as_str(), "--confirmations", "3"];
    let mut reg = Registrar::start(&anvil.http_url(), &[], &dir.path().join("node"), &args);

    // Eight investors with identities and countries, issuance, trading, freezes.
    let countries = [250u16, 276, 840, 826, 380, 724, 528, 56];
    let mut identities = Vec::new();
    for (i, &wallet) in inv[..8].iter().enumerate() {
        let id = trex::deploy_identity(&provider, &artifacts, wallet).await.unwrap();
        identities.push(id);
        send(ir_a.registerIdentity(wallet, id, countries[i]).from(agent), "registerIdentity").await.unwrap();
    }
    send(ta.unpause().from(agent), "unpause").await.unwrap();
    for (i, &wallet) in inv[..8].iter().enumerate() {
        send(ta.mint(wallet, alloy::primitives::U256::from(1_000 * (i + 1))).from(agent), "mint").await.unwrap();
    }
    send(ta.transfer(inv[1], alloy::primitives::U256::from(100)).from(inv[0]), "transfer").await.unwrap();
    send(ta.transfer(inv[3], alloy::primitives::U256::from(50)).from(inv[2]), "transfer").await.unwrap();
    send(ta.freezePartialTokens(inv[4], alloy::primitives::U256::from(200)).from(agent), "partial freeze")
        .await
        .unwrap();
    let middle = send(ta.setAddressFrozen(inv[5], true).from(agent), "address freeze").await.unwrap();

    // Identity changes: a country, an identity replaced, a wallet recovered, one removed.
    send(ir_a.updateCountry(inv[1], 124).from(agent), "updateCountry").await.unwrap();
    // A second wallet on inv[2]'s identity: replacing inv[2]'s identity must leave it alone.
    send(ir_a.registerIdentity(inv[10], identities[2], 276).from(agent), "registerIdentity").await.unwrap();
    send(ta.mint(inv[10], alloy::primitives::U256::from(10)).from(agent), "mint").await.unwrap();
    let replacement = trex::deploy_identity(&provider, &artifacts, inv[2]).await.unwrap();
    send(ir_a.updateIdentity(inv[2], replacement).from(agent), "updateIdentity").await.unwrap();
    let new_wallet = cast.spare[0];
    trex::add_management_key(&provider, identities[6], inv[6], new_wallet).await.unwrap();
    send(ta.recoveryAddress(inv[6], new_wallet, identities[6]).from(agent), "recovery").await.unwrap();
    send(ir_a.deleteIdentity(inv[3]).from(agent), "deleteIdentity").await.unwrap();
    // T-REX indexes the name in UpdatedTokenInformation: registrar reads it back.
    send(ta.setName("Acme Class A Ordinary".into()).from(agent), "setName").await.unwrap();
    send(ta.burn(inv[7], alloy::primitives::U256::from(100)).from(agent), "burn").await.unwrap();
    // An agent's forced transfer: a plain Transfer on chain, told apart by its transaction.
    let forced = alloy::primitives::U256::from(150);
    send(ta.forcedTransfer(inv[0], inv[7], forced).from(agent), "forcedTransfer").await.unwrap();
    // The same through T-REX's AgentManager, an agent contract the agent acts through with its
    // ONCHAINID (the token's, whose management key it holds): the transaction goes to the
    // manager, the token sees the manager as its agent. Registrar finds the calls in its trace.
    let manager = trex::deploy_agent_manager(&provider, &artifacts, a, agent).await.unwrap();
    let am = IAgentManager::new(manager, provider.clone());
    send(ta.addAgent(manager).from(agent), "addAgent").await.unwrap();
    send(ir_a.addAgent(manager).from(agent), "addAgent").await.unwrap();
    send(am.addTransferManager(token_identity).from(agent), "addTransferManager").await.unwrap();
    send(am.addWhiteListManager(token_identity).from(agent), "addWhiteListManager").await.unwrap();
    let amount = alloy::primitives::U256::from;
    send(am.callForcedTransfer(inv[1], inv[7], amount(40), token_identity).from(agent), "callForcedTransfer")
        .await
        .unwrap();
    let batch = am.callBatchForcedTransfer(
        vec![inv[4], inv[1]],
        vec![inv[0], inv[0]],
        vec![amount(30), amount(20)],
        token_identity,
    );
    send(batch.from(agent), "callBatchForcedTransfer").await.unwrap();
    // A second wallet on inv[0]'s ONCHAINID; then inv[0] alone gets a new identity through the
    // manager. Only the trace names the wallet: the storage's event does not.
    let shared = cast.spare[1];
    send(ir_a.registerIdentity(shared, identities[0], 250).from(agent), "registerIdentity").await.unwrap();
    send(ta.mint(shared, amount(5)).from(agent), "mint").await.unwrap();
    let renewed = trex::deploy_identity(&provider, &artifacts, inv[0]).await.unwrap();
    send(am.callUpdateIdentity(inv[0], renewed, token_identity).from(agent), "callUpdateIdentity").await.unwrap();

    // A second suite while registrar runs.
    let b = factory.deploy_suite(&provider, "acme-b", "Acme Notes", "ACMN", 6, agent, token_identity).await.unwrap();
    let tb = ITREXToken::new(b, provider.clone());
    let ir_b = ITREXIdentityRegistry::new(tb.identityRegistry().call().await.unwrap(), provider.clone());
    send(ir_b.registerIdentity(inv[8], identities[0], 250).from(agent), "registerIdentity").await.unwrap();
    send(tb.mint(inv[8], alloy::primitives::U256::from(5_000_000)).from(agent), "mint").await.unwrap();
    let last = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, last).await;

    // Restarted, registrar finds both suites again from the factory's past events.
    reg.stop();
    let mut reg = Registrar::start(&anvil.http_url(), &[], &dir.path().join("node"), &args);
    send(ir_b.registerIdentity(inv[9], identities[1], 276).from(agent), "registerIdentity").await.unwrap();
    send(tb.mint(inv[9], alloy::primitives::U256::from(7_000_000)).from(agent), "mint").await.unwrap();
    let last = provider.get_block_number().await.unwrap();
    reg.wait_indexed(&provider, last).await;

    let undecoded = reg.data("{ undecodedLogs { contract reason } }").await;
    assert_eq!(undecoded["undecodedLogs"], serde_json::json!([]), "every log of the suites decodes");
    let tokens = reg.data("{ tokens(first: 10) { nodes { address name symbol decimals } } }").await;
    let names: Vec<(String, String)> = tokens["tokens"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["address"].as_str().unwrap().to_lowercase(), t["name"].as_str().unwrap().to_string()))
        .collect();
    assert!(names.contains(&(format!("{a:#x}"), ta.name().call().await.unwrap())), "{names:?}");
    assert!(names.iter().any(|(t, n)| *t == format!("{b:#x}") && n == "Acme Notes"), "{names:?}");

    let regulator = create_key(&reg, "regulator", a);
    let issuer_of_b = create_key(&reg, "issuer", b);
    let mut wallets: Vec<Address> = inv[..11].to_vec();
    wallets.extend([new_wallet, shared]);
    for (token, block) in [(a, middle), (a, last), (b, last)] {
        let key = if token == a { regulator.as_str() } else { issuer_of_b.as_str() };
        let report =
            get(&reg, &format!("/reports/holders?token={token:#x}&block={block}&format=json"), Some(key)).await;
        assert_eq!(report["identitiesVisible"], true);
        let rows = report["rows"].as_array().unwrap();
        for &w in &wallets {
            let chain = chain_wallet(&provider, token, w, block).await;
            let row = rows.iter().find(|r| r["address"] == format!("{w:#x}"));
            if chain.balance == "0" && chain.frozen == "0" && !chain.is_frozen {
                assert!(row.is_none(), "{w} listed without a balance at {block}");
                continue;
            }
            let row = row.unwrap_or_else(|| panic!("{w} missing from {token}'s register at {block}"));
            assert_eq!(report_wallet(row), chain, "{w} in {token} at block {block}");
        }
        // Anonymous readers get balances, not identities.
        let public = get(&reg, &format!("/reports/holders?token={token:#x}&block={block}&format=json"), None).await;
        assert_eq!(public["identitiesVisible"], false);
        assert!(public["rows"].as_array().unwrap().iter().all(|r| r["identity"].is_null() && r["country"].is_null()));
        assert_eq!(public["rows"].as_array().unwrap().len(), rows.len());
    }

    // Investors, not wallets: wallets sharing an ONCHAINID are one investor, counted once, as the
    // identity registry's `identity(wallet)` groups them (the DS test has investors holding in
    // several wallets; here the grouping follows identity changes and a deleted identity).
    for block in [middle, last] {
        let at = alloy::eips::BlockId::number(block);
        let mut by_identity: std::collections::BTreeMap<Address, alloy::primitives::U256> = Default::default();
        for &w in &wallets {
            let balance = ta.balanceOf(w).block(at).call().await.unwrap();
            let identity = ir_a.identity(w).block(at).call().await.unwrap();
            if !balance.is_zero() {
                // An unregistered holder is an investor of its own.
                let id = if identity.is_zero() { w } else { identity };
                *by_identity.entry(id).or_default() += balance;
            }
        }
        let r = graphql(
            &reg,
            &format!(
                r#"{{ token(address: "{a:#x}", block: {{ number: {block} }}) {{ investorCount
                    investors {{ nodes {{ id source balance wallets {{ address }} }} }} }} }}"#
            ),
            Some(&regulator),
        )
        .await;
        assert!(r["errors"].is_null(), "{r}");
        let t = &r["data"]["token"];
        assert_eq!(t["investorCount"].as_u64(), Some(by_identity.len() as u64), "investors at {block}: {r}");
        let listed: std::collections::BTreeMap<Address, alloy::primitives::U256> = t["investors"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["balance"] != "0")
            .map(|n| (n["id"].as_str().unwrap().parse().unwrap(), n["balance"].as_str().unwrap().parse().unwrap()))
            .collect();
        assert_eq!(listed, by_identity, "investors and their balances at {block}");
        assert!(t["investors"]["nodes"].as_array().unwrap().iter().all(|n| n["source"] == "ONCHAINID"));
    }

    // GraphQL: identity and country for the token's regulator only.
    let query = format!(
        r#"{{ token(address: "{a:#x}") {{ identityRegistry holder(address: "{:#x}") {{ balance identity country }} }} }}"#,
        inv[1]
    );
    let r = graphql(&reg, &query, Some(&regulator)).await;
    assert!(r["errors"].is_null(), "{r}");
    let holder = &r["data"]["token"]["holder"];
    assert_eq!(holder["identity"].as_str(), Some(format!("{:#x}", identities[1]).as_str()));
    assert_eq!(holder["country"].as_u64(), Some(124));
    let registry = ta.identityRegistry().call().await.unwrap();
    assert_eq!(r["data"]["token"]["identityRegistry"].as_str().map(str::to_lowercase), Some(format!("{registry:#x}")));
    for key in [None, Some(issuer_of_b.as_str())] {
        let r = graphql(&reg, &query, key).await;
        let message = r["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("issuer or regulator"), "{key:?}: {r}");
        // The field is there, null, with the error beside it (GraphQL's rule for a nullable field).
        assert_eq!(r["data"]["token"]["holder"].get("identity"), Some(&Value::Null), "{r}");
        assert!(!r["data"]["token"]["holder"]["balance"].is_null(), "balances stay public");
    }

    // The custody trail names the recovery and the agents added at deployment.
    let custody = get(&reg, &format!("/reports/custody?token={a:#x}&format=json"), None).await;
    let actions: Vec<&str> =
        custody["rows"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    for wanted in ["agent-added", "ownership-transferred", "freeze-tokens", "freeze-wallet", "recovery"] {
        assert!(actions.contains(&wanted), "{wanted} in {actions:?}");
    }
    // Its identity column is private, as in the register: empty for anonymous readers.
    let identities_of = |report: &Value| -> Vec<String> {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["identity"].as_str())
            .filter(|i| !i.is_empty())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(identities_of(&custody), Vec::<String>::new(), "{custody}");
    let private = get(&reg, &format!("/reports/custody?token={a:#x}&format=json"), Some(&regulator)).await;
    assert!(!identities_of(&private).is_empty(), "the regulator sees the recovery's identity: {private}");
    // Only the forced transfers (the recovery's transfer is the recovery), with the agent the
    // token saw: the agent itself, or the manager it acted through.
    let forced_rows: Vec<(String, String, String, String)> = custody["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "forced-transfer")
        .map(|r| {
            let field = |k: &str| r[k].as_str().unwrap_or_default().to_lowercase();
            (field("account"), field("counterparty"), field("agent"), field("amount"))
        })
        .collect();
    let row = |from: Address, to: Address, by: Address, amount: &str| {
        (format!("{from:#x}"), format!("{to:#x}"), format!("{by:#x}"), amount.to_string())
    };
    assert_eq!(
        forced_rows,
        vec![
            row(inv[0], inv[7], agent, "150"),
            row(inv[1], inv[7], manager, "40"),
            row(inv[4], inv[0], manager, "30"),
            row(inv[1], inv[0], manager, "20"),
        ],
        "{custody}"
    );

    // Off-chain labels: set by the token's issuer, seen by its issuer and regulator only, kept
    // across a restart, in the register's last column.
    let issuer_of_a = create_key(&reg, "issuer", a);
    let set = |holder: Address, label: &str| {
        format!(
            r#"mutation {{ setHolderLabel(token: "{a:#x}", holder: "{holder:#x}", label: {label}) {{ label setBy }} }}"#
        )
    };
    let name = "Alice Holdings Ltd, account \"001\"";
    let r = graphql(&reg, &set(inv[1], &format!("{name:?}")), Some(&issuer_of_a)).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(r["data"]["setHolderLabel"]["label"].as_str(), Some(name));
    let r = graphql(&reg, &set(inv[2], r#""Bob""#), Some(&issuer_of_a)).await;
    assert!(r["errors"].is_null(), "{r}");
    let r = graphql(&reg, &set(inv[2], "null"), Some(&issuer_of_a)).await;
    assert!(r["data"]["setHolderLabel"]["label"].is_null(), "cleared: {r}");
    for (key, why) in
        [(None, "API key"), (Some(regulator.as_str()), "may not"), (Some(issuer_of_b.as_str()), "may not")]
    {
        let r = graphql(&reg, &set(inv[3], r#""Mallory""#), key).await;
        let message = r["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(why), "{key:?}: {r}");
    }
    let r = graphql(&reg, &set(inv[3], r#""two\nlines""#), Some(&issuer_of_a)).await;
    assert!(r["errors"][0]["message"].as_str().unwrap_or_default().contains("one line"), "{r}");
    reg.stop();
    let mut reg = Registrar::start(&anvil.http_url(), &[], &dir.path().join("node"), &args);
    reg.wait_indexed(&provider, last).await;
    let label_query =
        |h: Address| format!(r#"{{ token(address: "{a:#x}") {{ holder(address: "{h:#x}") {{ balance label }} }} }}"#);
    for key in [&regulator, &issuer_of_a] {
        let r = graphql(&reg, &label_query(inv[1]), Some(key)).await;
        assert_eq!(r["data"]["token"]["holder"]["label"].as_str(), Some(name), "{r}");
        let r = graphql(&reg, &label_query(inv[2]), Some(key)).await;
        assert!(r["errors"].is_null() && r["data"]["token"]["holder"]["label"].is_null(), "{r}");
        // Its history: set, then cleared, both by the issuer's key.
        let history = format!(
            r#"{{ token(address: "{a:#x}") {{ holder(address: "{:#x}") {{ labelHistory {{ label setBy setAt }} }} }} }}"#,
            inv[2]
        );
        let r = graphql(&reg, &history, Some(key)).await;
        let changes = r["data"]["token"]["holder"]["labelHistory"].as_array().unwrap_or_else(|| panic!("{r}")).clone();
        assert_eq!(
            changes.iter().map(|c| c["label"].clone()).collect::<Vec<_>>(),
            vec![Value::from("Bob"), Value::Null]
        );
        assert!(changes.iter().all(|c| c["setBy"].as_str().is_some_and(|k| k.starts_with("key_"))), "{r}");
    }
    let r = graphql(&reg, &label_query(inv[1]), None).await;
    assert!(r["errors"][0]["message"].as_str().unwrap_or_default().contains("issuer or regulator"), "{r}");
    assert_eq!(r["errors"][0]["path"], serde_json::json!(["token", "holder", "label"]), "{r}");
    assert_eq!(r["data"]["token"]["holder"].get("label"), Some(&Value::Null), "{r}");
    assert!(r["data"]["token"]["holder"]["balance"].is_string(), "{r}");
    let report = get(&reg, &format!("/reports/holders?token={a:#x}&format=json"), Some(&regulator)).await;
    let labelled: Vec<(&str, &str)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| Some((r["address"].as_str()?, r["label"].as_str()?)))
        .collect();
    assert_eq!(labelled, vec![(format!("{:#x}", inv[1]).as_str(), name)]);
    let csv = reqwest::Client::new()
        .get(format!("{}/reports/holders?token={a:#x}&format=csv", reg.url))
        .bearer_auth(&regulator)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains(",first_acquired_block,label\n"), "{csv}");
    let row = csv.lines().find(|l| l.starts_with(&format!("{:#x},", inv[1]))).unwrap();
    assert!(row.ends_with(r#","Alice Holdings Ltd, account ""001""""#), "{row}");
    let public = get(&reg, &format!("/reports/holders?token={a:#x}&format=json"), None).await;
    assert!(public["rows"].as_array().unwrap().iter().all(|r| r["label"].is_null()));
    // The command line gives the same register, with the key when one is passed.
    let cli = |key: Option<&str>| {
        let mut c = Command::new(BIN);
        c.args(["report", "holders", "--server", &reg.url, "--token", &format!("{a:#x}")])
            .env_remove("REGISTRAR_API_KEY");
        if let Some(key) = key {
            c.args(["--api-key", key]);
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(cli(Some(&regulator)), csv);
    let anonymous = cli(None);
    let row = anonymous.lines().find(|l| l.starts_with(&format!("{:#x},", inv[1]))).unwrap();
    let fields: Vec<&str> = row.split(',').collect();
    assert_eq!((fields[6], fields[7], fields[9]), ("", "", ""), "no identity, country or label: {row}");
    assert!(!anonymous.contains("Alice"), "{anonymous}");

    // The compliance set-up as of three blocks equals the suite's own views at them: required
    // claim topics, trusted issuers and their topics, modules, and the token's and registry's
    // agents (every agent listed is one on chain, and every known candidate that is one is listed).
    let ctr = IClaimTopicsRegistry::new(ir_a.topicsRegistry().call().await.unwrap(), provider.clone());
    let tir = ITrustedIssuersRegistry::new(ir_a.issuersRegistry().call().await.unwrap(), provider.clone());
    let mc = IModularCompliance::new(ta.compliance().call().await.unwrap(), provider.clone());
    let before = provider.get_block_number().await.unwrap();
    let topic = alloy::primitives::U256::from;
    send(ctr.addClaimTopic(topic(7)).from(agent), "addClaimTopic").await.unwrap();
    send(ctr.addClaimTopic(topic(42)).from(agent), "addClaimTopic").await.unwrap();
    send(tir.addTrustedIssuer(identities[7], vec![topic(7), topic(42)]).from(agent), "addTrustedIssuer").await.unwrap();
    let extra = Address::repeat_byte(0xee);
    let between = send(ta.addAgent(extra).from(agent), "addAgent").await.unwrap();
    send(ctr.removeClaimTopic(topic(42)).from(agent), "removeClaimTopic").await.unwrap();
    let end = send(ta.removeAgent(extra).from(agent), "removeAgent").await.unwrap();
    reg.wait_indexed(&provider, end).await;
    let candidates = [agent, manager, extra, a, factory.address, inv[0]];
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    for block in [before, between, end] {
        let at = BlockId::number(block);
        let q = format!(
            r#"{{ token(address: "{a:#x}", block: {{ number: {block} }}) {{ complianceSetup {{ agents registryAgents claimTopics trustedIssuers {{ issuer claimTopics }} modules identityRegistry }} }} }}"#
        );
        let setup = reg.data(&q).await["token"]["complianceSetup"].clone();
        let strings = |v: &Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_lowercase()).collect()
        };
        let chain_topics: Vec<String> =
            ctr.getClaimTopics().block(at).call().await.unwrap().iter().map(|t| t.to_string()).collect();
        assert_eq!(sorted(strings(&setup["claimTopics"])), sorted(chain_topics), "claim topics at {block}");
        let mut chain_issuers = Vec::new();
        for i in tir.getTrustedIssuers().block(at).call().await.unwrap() {
            let topics = tir.getTrustedIssuerClaimTopics(i).block(at).call().await.unwrap();
            chain_issuers.push(format!("{i:#x}:{}", sorted(topics.iter().map(|t| t.to_string()).collect()).join(";")));
        }
        let issuers: Vec<String> = setup["trustedIssuers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{}:{}",
                    i["issuer"].as_str().unwrap().to_lowercase(),
                    sorted(strings(&i["claimTopics"])).join(";")
                )
            })
            .collect();
        assert_eq!(sorted(issuers), sorted(chain_issuers), "trusted issuers at {block}");
        let modules: Vec<String> =
            mc.getModules().block(at).call().await.unwrap().iter().map(|m| format!("{m:#x}")).collect();
        assert_eq!(sorted(strings(&setup["modules"])), sorted(modules), "modules at {block}");
        for (field, is_agent) in [("agents", true), ("registryAgents", false)] {
            let listed = strings(&setup[field]);
            for c in candidates {
                let on_chain = if is_agent {
                    ta.isAgent(c).block(at).call().await.unwrap()
                } else {
                    ir_a.isAgent(c).block(at).call().await.unwrap()
                };
                assert_eq!(listed.contains(&format!("{c:#x}")), on_chain, "{field} {c} at {block}: {listed:?}");
            }
            for l in &listed {
                let l: Address = l.parse().unwrap();
                let on_chain = if is_agent {
                    ta.isAgent(l).block(at).call().await.unwrap()
                } else {
                    ir_a.isAgent(l).block(at).call().await.unwrap()
                };
                assert!(on_chain, "{field} lists {l}, not an agent at {block}");
            }
        }
    }
    reg.stop();
}
