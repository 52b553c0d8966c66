//! Regulator reports against the chain's own views: the holder register as of the last block and
//! a middle block (by number and by time) equals what the token's view functions return at those
//! blocks; the reconciliation balances; CSV and JSON carry the same digest, which is BLAKE3 of what
//! the report is (kind, token, block, block hash) and the CSV's canonical lines; every report names
//! its block and that block's hash.

#[macro_use]
mod common;

use std::process::Command;

use alloy::{eips::BlockId, primitives::Address, providers::Provider};
use common::*;
use registrar_testkit::contracts::DemoSecurityToken;
use serde_json::Value;

async fn get(reg: &Registrar, path: &str) -> (reqwest::StatusCode, reqwest::header::HeaderMap, String) {
    let r = reqwest::get(format!("{}{path}", reg.url)).await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    (status, headers, r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holder_register_and_reconciliation_match_the_chain() {
    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 41).await;
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registrar::start(&anvil.http_url(), &[token], &dir.path().join("node"), &["--confirmations", "3"]);
    reg.wait_indexed(&provider, played.last_block).await;
    let t = DemoSecurityToken::new(token, provider.clone());
    let mut accounts: Vec<Address> = cast.investors.clone();
    accounts.extend(&cast.spare);
    accounts.push(cast.agent);

    // A middle block that holds events (so the log knows its hash and time).
    let middle = {
        let mut b = (played.first_block + played.last_block) / 2;
        loop {
            let logs = provider
                .get_logs(&alloy::rpc::types::Filter::new().address(token).from_block(b).to_block(b))
                .await
                .unwrap();
            if !logs.is_empty() {
                break b;
            }
            b += 1;
        }
    };
    let middle_time = provider.get_block_by_number(middle.into()).await.unwrap().unwrap().header.timestamp;
    let at = chrono_free_rfc3339(middle_time);
    for (query, wanted) in [
        (format!("block={}", played.last_block), Some(played.last_block)),
        (format!("block={middle}"), Some(middle)),
        // anvil mines several blocks a second: the last block at or before that second.
        (format!("at={at}"), None),
    ] {
        let (status, headers, body) =
            get(&reg, &format!("/reports/holders?token={token:#x}&{query}&format=json")).await;
        assert!(status.is_success(), "{status}: {body}");
        let report: Value = serde_json::from_str(&body).unwrap();
        let block = report["block"].as_u64().unwrap();
        match wanted {
            Some(b) => assert_eq!(block, b, "{query}"),
            None => {
                let time = provider.get_block_by_number(block.into()).await.unwrap().unwrap().header.timestamp;
                assert!(block >= middle && time <= middle_time, "{query}: block {block} at {time}");
            }
        }
        let hash = provider.get_block_by_number(block.into()).await.unwrap().unwrap().header.hash;
        assert_eq!(report["blockHash"].as_str(), Some(format!("{hash:#x}").as_str()), "the report names its block");
        assert_eq!(headers["x-registrar-digest"].to_str().unwrap(), report["digest"].as_str().unwrap());
        let at_block = BlockId::number(block);
        assert_eq!(
            report["totalSupply"].as_str().unwrap(),
            t.totalSupply().block(at_block).call().await.unwrap().to_string()
        );
        let rows: Vec<&Value> = report["rows"].as_array().unwrap().iter().collect();
        let listed: Vec<String> = rows.iter().map(|r| r["address"].as_str().unwrap().to_string()).collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted, "rows by address");
        let mut expected = Vec::new();
        for &a in &accounts {
            let c = chain_holder(&provider, token, a, block).await;
            let row = rows.iter().find(|r| r["address"] == format!("{a:#x}"));
            if c.balance.is_zero() && c.frozen.is_zero() && !c.is_frozen {
                assert!(row.is_none(), "{a} listed at block {block} without balance or freeze");
                continue;
            }
            expected.push(format!("{a:#x}"));
            let row = row.unwrap_or_else(|| panic!("{a} missing from the register at block {block}"));
            assert_eq!(row["balance"].as_str().unwrap(), c.balance.to_string(), "{a} at {block}");
            assert_eq!(row["frozen"].as_str().unwrap(), c.frozen.to_string(), "{a} at {block}");
            assert_eq!(row["isFrozen"].as_bool().unwrap(), c.is_frozen, "{a} at {block}");
            let first = row["firstAcquiredBlock"].as_u64().unwrap();
            if !c.balance.is_zero() {
                assert!(first > 0 && first <= block, "{a}: first acquired {first}");
                let before = t.balanceOf(a).block(BlockId::number(first - 1)).call().await.unwrap();
                let then = t.balanceOf(a).block(BlockId::number(first)).call().await.unwrap();
                assert!(before.is_zero() && !then.is_zero(), "{a} first acquired at {first}");
            }
        }
        expected.sort();
        assert_eq!(sorted, expected, "the register's accounts at block {block}");

        let (_, _, recon) = get(&reg, &format!("/reports/reconciliation?token={token:#x}&{query}")).await;
        let recon: Value = serde_json::from_str(&recon).unwrap();
        assert_eq!(recon["balanced"], true, "{recon}");
    }

    // The CLI's CSV: the same digest as the JSON, and it is BLAKE3 of the lines after the digest
    // line: what the report is (kind, token, block, block hash) and its rows.
    let csv_path = dir.path().join("register.csv");
    let out = Command::new(BIN)
        .args(["report", "holders", "--server", &reg.url, "--token", &format!("{token:#x}")])
        .args(["--block", &middle.to_string(), "--format", "csv", "--out"])
        .arg(&csv_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let canonical: String =
        csv.lines().skip_while(|l| !l.starts_with("# digest=")).skip(1).map(|l| format!("{l}\n")).collect();
    assert!(canonical.starts_with("# registrar holder register\n# report=holders\n"), "{canonical}");
    let digest = format!("blake3:{}", blake3::hash(canonical.as_bytes()).to_hex());
    assert!(csv.contains(&format!("# digest={digest}")), "{csv}");
    assert!(csv.contains(&format!("# block={middle}\n")));
    let (_, _, json) = get(&reg, &format!("/reports/holders?token={token:#x}&block={middle}")).await;
    assert_eq!(serde_json::from_str::<Value>(&json).unwrap()["digest"].as_str(), Some(digest.as_str()));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&digest));

    // GraphQL gives the same report.
    let g = reg
        .data(&format!(
            r#"{{ report(kind: HOLDERS, token: "{token:#x}", block: {middle}, format: CSV) {{ block blockHash digest contentType body }} }}"#
        ))
        .await;
    assert_eq!(g["report"]["digest"].as_str(), Some(digest.as_str()));
    assert_eq!(g["report"]["body"].as_str(), Some(csv.as_str()));

    // The register committed to as a Merkle root over its rows; a holder's proof that their row
    // is in it verifies with `registrar verify inclusion`, and fails for another root.
    let (_, _, c) = get(&reg, &format!("/reports/holders/commitment?token={token:#x}&block={middle}")).await;
    let c: Value = serde_json::from_str(&c).unwrap();
    let rows: Vec<&str> = canonical.lines().filter(|l| !l.starts_with('#')).skip(1).collect();
    assert_eq!(c["size"].as_u64(), Some(rows.len() as u64));
    assert_eq!(c["digest"].as_str(), Some(digest.as_str()));
    let holder = rows[rows.len() / 2].split(',').next().unwrap();
    let (status, _, p) =
        get(&reg, &format!("/reports/holders/commitment?token={token:#x}&block={middle}&holder={holder}")).await;
    assert!(status.is_success(), "{p}");
    let p: Value = serde_json::from_str(&p).unwrap();
    assert_eq!(p["row"].as_str(), Some(rows[rows.len() / 2]));
    assert_eq!(p["commitment"]["root"], c["root"]);
    let path: Vec<&str> = p["path"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    let verify = |root: &str| {
        Command::new(BIN)
            .args(["verify", "inclusion", "--hash", "blake3", "--leaf-hash", p["leafHash"].as_str().unwrap()])
            .args(["--index", &p["index"].to_string(), "--size", &c["size"].to_string(), "--root", root])
            .args(["--path", &path.join(",")])
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(verify(c["root"].as_str().unwrap()), Some(0));
    let (_, _, later) = get(&reg, &format!("/reports/holders/commitment?token={token:#x}")).await;
    let later: Value = serde_json::from_str(&later).unwrap();
    // The scenario trades and issues after the middle block: the latest register is another one.
    assert_ne!(later["root"], c["root"], "the register changed after block {middle}");
    assert_eq!(verify(later["root"].as_str().unwrap()), Some(1), "a proof against another snapshot fails");
    let mut forged = c["root"].as_str().unwrap().to_string();
    let flipped = if forged.ends_with('0') { '1' } else { '0' };
    forged.replace_range(forged.len() - 1.., &flipped.to_string());
    assert_eq!(verify(&forged), Some(1), "a proof against a root one bit off fails");
    let leaf = blake3::Hasher::new().update(&[0]).update(rows[rows.len() / 2].as_bytes()).finalize();
    assert_eq!(p["leafHash"].as_str(), Some(leaf.to_hex().as_str()), "the leaf is H(0x00 ‖ row)");

    // The commitment goes into the disclosure archive (and so, where anchoring is on, on chain).
    let out = Command::new(BIN)
        .args(["keys", "--data-dir"])
        .arg(&reg.data_dir)
        .args(["create", "--name", "transfer-agent", "--tokens", &token.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key =
        String::from_utf8(out.stdout).unwrap().lines().find_map(|l| l.strip_prefix("secret ")).unwrap().to_string();
    let file = dir.path().join("commitment.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&c).unwrap()).unwrap();
    let out = Command::new(BIN)
        .args(["disclose", "--server", &reg.url, "--api-key", &key, "--token", &token.to_string()])
        .args(["--kind", "holder-register-commitment", "--title", &format!("Holder register as of block {middle}")])
        .args(["--content-type", "application/json", "--file"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let archived = reg
        .data(&format!(r#"{{ disclosures(token: "{token:#x}", kind: "holder-register-commitment") {{ nodes {{ disclosure {{ title contentType }} }} }} }}"#))
        .await;
    assert_eq!(archived["disclosures"]["nodes"][0]["disclosure"]["contentType"], "application/json", "{archived}");

    // Transfers and issuance over a range: every Transfer log of the range, and issued minus
    // redeemed equals the change of the total supply the chain reports.
    let from = played.first_block;
    let transfer_topic = alloy::primitives::keccak256("Transfer(address,address,uint256)");
    let logs = provider
        .get_logs(
            &alloy::rpc::types::Filter::new()
                .address(token)
                .event_signature(transfer_topic)
                .from_block(from)
                .to_block(middle),
        )
        .await
        .unwrap();
    let (_, _, body) = get(&reg, &format!("/reports/transfers?token={token:#x}&from={from}&to={middle}")).await;
    let transfers: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(transfers["count"].as_u64(), Some(logs.len() as u64), "{body}");
    assert_eq!(transfers["block"].as_u64(), Some(middle));
    let got: Vec<(u64, u64)> = transfers["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["block"].as_u64().unwrap(), r["logIndex"].as_u64().unwrap()))
        .collect();
    let want: Vec<(u64, u64)> = logs.iter().map(|l| (l.block_number.unwrap(), l.log_index.unwrap())).collect();
    assert_eq!(got, want, "the range's Transfer logs, in chain order");
    let (_, _, body) = get(&reg, &format!("/reports/issuance?token={token:#x}&from={from}&to={middle}")).await;
    let issuance: Value = serde_json::from_str(&body).unwrap();
    let supply = |b: u64| {
        let t = t.clone();
        async move { t.totalSupply().block(BlockId::number(b)).call().await.unwrap() }
    };
    let (before, after) = (supply(from - 1).await, supply(middle).await);
    let issued: alloy::primitives::U256 = issuance["issued"].as_str().unwrap().parse().unwrap();
    let redeemed: alloy::primitives::U256 = issuance["redeemed"].as_str().unwrap().parse().unwrap();
    assert_eq!(after + redeemed, before + issued, "issued - redeemed = supply change over the range: {body}");
    assert!(!issued.is_zero(), "the scenario issues in its first half");

    // The custody audit trail: one row per freeze, pause and recovery log the chain has.
    let audited = [
        "AddressFrozen(address,bool,address)",
        "TokensFrozen(address,uint256)",
        "TokensUnfrozen(address,uint256)",
        "Paused(address)",
        "Unpaused(address)",
        "RecoverySuccess(address,address,address)",
    ];
    let topics: Vec<alloy::primitives::B256> = audited.iter().map(alloy::primitives::keccak256).collect();
    let chain_actions = provider
        .get_logs(
            &alloy::rpc::types::Filter::new()
                .address(token)
                .event_signature(topics)
                .from_block(played.first_block)
                .to_block(played.last_block),
        )
        .await
        .unwrap();
    let (_, _, body) =
        get(&reg, &format!("/reports/custody?token={token:#x}&from={}&to={}", played.first_block, played.last_block))
            .await;
    let custody: Value = serde_json::from_str(&body).unwrap();
    let got: Vec<(u64, u64, String)> = custody["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["block"].as_u64().unwrap(), r["logIndex"].as_u64().unwrap(), r["txHash"].as_str().unwrap().into()))
        .collect();
    let want: Vec<(u64, u64, String)> = chain_actions
        .iter()
        .map(|l| (l.block_number.unwrap(), l.log_index.unwrap(), format!("{:#x}", l.transaction_hash.unwrap())))
        .collect();
    assert_eq!(got, want, "the audit trail is the chain's agent actions");
    let actions: Vec<&str> =
        custody["rows"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    for expected in ["freeze-wallet", "freeze-tokens", "pause", "unpause", "recovery"] {
        assert!(actions.contains(&expected), "the scenario's {expected} is in the trail: {actions:?}");
    }

    // Bad requests are clear errors.
    for (path, want) in [
        (format!("/reports/holders?token={token:#x}&block=999999999"), "not indexed yet"),
        ("/reports/holders?token=0x12&block=1".to_string(), "invalid address"),
        (
            format!("/reports/owners?token={token:#x}"),
            "expected holders, investors, reconciliation, transfers, issuance, custody, statement or open-items",
        ),
        (format!("/reports/statement?token={token:#x}"), "give holder"),
        (format!("/reports/holders?token={token:#x}&holder={token:#x}"), "only a statement"),
        (format!("/reports/holders?token={token:#x}&from=1&to=5"), "as of one block"),
        (format!("/reports/transfers?token={token:#x}&from=9&to=5"), "is after block"),
        (format!("/reports/holders?token={token:#x}&at=yesterday"), "RFC 3339"),
        (format!("/reports/holders?token={token:#x}&block=1&at=2026-01-01"), "not both"),
        (format!("/reports/holders?token={:#x}", Address::repeat_byte(7)), "not a watched token"),
        (
            format!("/reports/holders/commitment?token={token:#x}&holder={:#x}", Address::repeat_byte(9)),
            "not in the register",
        ),
    ] {
        let (status, _, body) = get(&reg, &path).await;
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body.contains(want), "{path}: {body}");
    }
    reg.stop();
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn chrono_free_rfc3339(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rem = seconds % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}
