//! The event log on a real Kafka broker (tansu, SQLite storage): ingest and serve as separate
//! processes around a topic of two partitions; kill -9 of each mid-stream, a broker restart
//! mid-stream, two serve replicas, a poison message and the dead-letter commands.

#[macro_use]
mod common;

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use alloy::primitives::{Address, Bytes, B256, U160, U256};
use common::*;
use registrar_log::{
    kafka::{partition_of, KafkaLog, KafkaSettings},
    EventLog, Partition, RawRecord,
};
use registrar_schemas::{BlockNumber, BlockRef, ChainId, EventMeta, LogRecord, UndecodedLog};
use registrar_testkit::{contracts::TransferEmitter, devnet::Tansu};

fn broker(dir: &Path, port: Option<u16>) -> Tansu {
    std::fs::create_dir_all(dir).unwrap();
    Tansu::spawn(dir, port).expect("tansu starts (make setup installs it)")
}

async fn connect(brokers: &str) -> KafkaLog {
    let settings = KafkaSettings {
        brokers: brokers.into(),
        partitions: 2,
        group: "registrar-test".into(),
        timeout: Duration::from_secs(30),
        ..KafkaSettings::default()
    };
    KafkaLog::connect(settings).await.unwrap()
}

/// Waits until the serve replica's indexed block reaches `block`.
async fn wait_block(reg: &Registrar, block: u64) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while reg.metric("registrar_indexed_block").await.unwrap_or(0) < block {
        assert!(Instant::now() < deadline, "indexed block did not reach {block}; log ends:\n{}", reg.log_tail());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every record of every partition, decoded, with its offset.
fn whole_log(log: &KafkaLog) -> Vec<Vec<(u64, LogRecord)>> {
    Partition::all(log.partitions())
        .map(|p| log.tail(p, 1 << 20).unwrap().iter().filter_map(|r| Some((r.offset.0, r.decode().ok()?))).collect())
        .collect()
}

/// The partition of a contract's records on anvil's chain, with two partitions.
fn partition(a: Address) -> i32 {
    let mut key = [0u8; 28];
    key[..8].copy_from_slice(&31337u64.to_be_bytes());
    key[8..].copy_from_slice(a.as_slice());
    partition_of(&key, 2)
}

fn describe(r: &LogRecord) -> String {
    match r {
        LogRecord::Event(e) => format!("event block {} log {}", e.meta.block.number.0, e.meta.log_index),
        LogRecord::Undecoded(u) => format!("undecoded block {} log {}", u.meta.block.number.0, u.meta.log_index),
        LogRecord::Committed(c) => format!("committed {}", c.block.0),
        LogRecord::Reverted(r) => format!("reverted to {}", r.common_ancestor.0),
        LogRecord::TokenDiscovered(t) => format!("token {} at {}", t.address, t.block.0),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_roles_survive_kill_9_and_a_broker_restart() {
    let (anvil, provider) = chain().await;
    let (token, cast, _) = token_with_scenario(&provider, 33).await;
    // Bulk traffic so that the stream takes a while: 300 blocks of 50 transfers, from a contract
    // in the other partition than the token's.
    let emitter = loop {
        let a = TransferEmitter::deploy_builder(provider.clone()).from(cast.agent).deploy().await.unwrap();
        if partition(a) != partition(token) {
            break a;
        }
    };
    let e = TransferEmitter::new(emitter, provider.clone());
    for i in 0..300u64 {
        mine!(e.mintRange(U160::from(0x20_0000 + i * 50), U256::from(50), U256::from(3)).from(cast.agent));
    }
    let head = alloy::providers::Provider::get_block_number(&provider).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut kafka = broker(&dir.path().join("broker"), None);
    let brokers = kafka.brokers();
    let slow = dir.path().join("slow.toml");
    // Small ranges so the stream takes a while; appends give up on the broker after 10 s (then
    // ingest pauses and resumes from the log) instead of the default 2 minutes.
    std::fs::write(&slow, "[ingest]\ninitial_range = 1\nmax_range = 1\nconcurrency = 1\n[kafka]\ntimeout_ms = 10000\n")
        .unwrap();
    let args =
        ["--kafka-brokers", &brokers, "--partitions", "2", "--confirmations", "5", "--config", slow.to_str().unwrap()];
    let contracts = [token, emitter];
    let rpc = anvil.http_url();
    let start = |role: &str, name: &str| Registrar::start_role(role, &rpc, &contracts, &dir.path().join(name), &args);

    let mut ingest = start("ingest", "ingest");
    let mut r1 = start("serve", "replica-1");
    let r2 = start("serve", "replica-2");

    wait_block(&r1, 40).await;
    ingest.kill9();
    ingest = start("ingest", "ingest");
    wait_block(&r1, 80).await;
    r1.kill9();
    r1 = start("serve", "replica-1");
    wait_block(&r2, 110).await;
    assert!(r2.metric("registrar_indexed_block").await.unwrap() < head, "the broker restart came too late");
    // The broker goes away mid-stream and comes back on the same port with its data.
    let port = kafka.port;
    kafka.stop();
    tokio::time::sleep(Duration::from_secs(2)).await;
    kafka = broker(&dir.path().join("broker"), Some(port));

    let (mut r1, mut r2) = (r1, r2);
    r1.wait_indexed(&provider, head).await;
    r2.wait_indexed(&provider, head).await;
    assert_matches_chain(&r1, &provider, token, &cast, head).await;
    // Nothing was set aside as undecodable: the topic holds only records ingest wrote.
    for r in [&r1, &r2] {
        assert_eq!(r.metric("registrar_dead_letters_total").await, Some(0), "{}", r.log_tail());
    }
    // Both replicas answer the same.
    for t in [token, emitter] {
        let q = format!(
            r#"{{ token(address: "{t:#x}") {{ totalSupply holderCount holders(first: 1000) {{ nodes {{ address balance frozen isFrozen firstAcquiredBlock }} }} transfers(first: 100) {{ nodes {{ from to value blockNumber logIndex }} }} }} }}"#
        );
        assert_eq!(r1.data(&q).await, r2.data(&q).await, "replicas differ on {t}");
    }

    // Ingest never sent a record again after its kill or the broker's restart: what is in the
    // log twice is a copy the producer's retry made (tansu does not deduplicate idempotent
    // retries as Apache Kafka does), next to the original; the projectors dropped each copy.
    let log = connect(&brokers).await;
    let mut copies = 0;
    for (p, records) in whole_log(&log).iter().enumerate() {
        let mut seen = std::collections::HashMap::new();
        for (offset, r) in records {
            let identity = match r {
                LogRecord::Event(e) => (e.meta.block.hash, e.meta.log_index),
                LogRecord::Undecoded(u) => (u.meta.block.hash, u.meta.log_index),
                LogRecord::Committed(c) => (c.block_hash, u32::MAX),
                LogRecord::TokenDiscovered(_) | LogRecord::Reverted(_) => continue,
            };
            if let Some(first) = seen.insert(identity, *offset) {
                copies += 1;
                let around: Vec<String> = records
                    .iter()
                    .filter(|(o, _)| {
                        (first.saturating_sub(3)..=first + 3).contains(o) || (offset - 3..=offset + 3).contains(o)
                    })
                    .map(|(o, r)| format!("{o}: {}", describe(r)))
                    .collect();
                // A retry copies a batch right away: nothing of a later batch lies between.
                let between = records.iter().filter(|(o, _)| first < *o && o < offset).count();
                assert!(
                    between < 200,
                    "partition {p} holds {identity:?} at {first} and again at {offset}, far apart: a re-send\n{}\ningest log:\n{}",
                    around.join("\n"),
                    ingest.log_tail()
                );
            }
        }
        assert!(records.iter().any(|(_, r)| matches!(r, LogRecord::Event(_))), "partition {p} is empty: routing");
    }
    eprintln!("copies in the log made by producer retries: {copies}");
    // Every block of the emitter's mints holds its 50 events in the emitter's partition (each
    // counted once: a producer retry's copies were checked above).
    let emitter_records = &whole_log(&log)[partition(emitter) as usize];
    let mut per_block = std::collections::BTreeMap::<u64, std::collections::BTreeSet<u32>>::new();
    for (_, r) in emitter_records {
        if let LogRecord::Event(e) = r {
            if e.meta.contract == emitter {
                per_block.entry(e.meta.block.number.0).or_default().insert(e.meta.log_index);
            }
        }
    }
    let per_block: std::collections::BTreeMap<u64, usize> = per_block.into_iter().map(|(b, s)| (b, s.len())).collect();
    let short: Vec<(u64, usize)> = per_block.iter().filter(|(_, n)| **n != 50).map(|(b, n)| (*b, *n)).collect();
    let (first, last) = (per_block.keys().next().copied().unwrap_or(0), per_block.keys().last().copied().unwrap_or(0));
    let missing: Vec<u64> = (first..=last).filter(|b| !per_block.contains_key(b)).collect();
    if !short.is_empty() || missing.len() as u64 + per_block.len() as u64 != 300 {
        let ingest_warnings: String = std::fs::read_to_string(dir.path().join("ingest.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| {
                (l.contains("WARN") || l.contains("ERROR") || l.contains("INFO ingest")) && !l.contains("librdkafka")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let around: Vec<String> = emitter_records
            .iter()
            .filter(|(_, r)| match r {
                LogRecord::Event(e) => {
                    missing.iter().any(|m| e.meta.block.number.0.abs_diff(*m) <= 1) && e.meta.log_index % 10 == 0
                }
                LogRecord::Committed(c) => missing.iter().any(|m| c.block.0.abs_diff(*m) <= 3),
                _ => true,
            })
            .map(|(o, r)| format!("{o}: {}", describe(r)))
            .collect();
        panic!(
            "the emitter's partition lacks blocks {missing:?} (blocks with another count than 50: {short:?})\naround them:\n{}\ningest warnings:\n{ingest_warnings}",
            around.join("\n")
        );
    }

    ingest.stop();
    r1.stop();
    r2.stop();
    let (d1, d2) = (digest(&dir.path().join("replica-1")).1, digest(&dir.path().join("replica-2")).1);
    assert_eq!(d1, d2, "the replicas' states differ");
    // The topic rebuilds the state: `registrar replay` from Kafka into an empty directory.
    let replayed = dir.path().join("replayed");
    std::fs::create_dir_all(&replayed).unwrap();
    let out = Command::new(BIN)
        .args(["replay", "--kafka-brokers", &brokers, "--partitions", "2", "--into"])
        .arg(replayed.join("state"))
        .output()
        .unwrap();
    assert!(out.status.success(), "replay from kafka: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        digest(&replayed).1,
        d1,
        "the state replayed from the topic differs:\nreplayed:\n{}\nreplica 1:\n{}",
        table_digests(&replayed),
        table_digests(&dir.path().join("replica-1"))
    );
    // And the state equals what the embedded log gives for the same chain.
    let embedded = fresh_state_digest(&rpc, &provider, &contracts, &dir.path().join("embedded"), head).await;
    assert_eq!(
        d1,
        embedded,
        "kafka mode and embedded mode disagree:\nkafka:\n{}\nembedded:\n{}\ningest log:\n{}",
        table_digests(&dir.path().join("replica-1")),
        table_digests(&dir.path().join("embedded")),
        ingest.log_tail()
    );
    drop(kafka);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_message_goes_to_the_dead_letter_topic_and_the_pipeline_goes_on() {
    let (anvil, provider) = chain().await;
    let (token, cast, _) = token_with_scenario(&provider, 35).await;
    let emitter = TransferEmitter::deploy_builder(provider.clone()).from(cast.agent).deploy().await.unwrap();
    let e = TransferEmitter::new(emitter, provider.clone());
    let dir = tempfile::tempdir().unwrap();
    let kafka = broker(&dir.path().join("broker"), None);
    let brokers = kafka.brokers();
    let args = ["--kafka-brokers", &brokers, "--partitions", "2", "--confirmations", "2"];
    let contracts = [token, emitter];
    let rpc = anvil.http_url();
    let _ingest = Registrar::start_role("ingest", &rpc, &contracts, &dir.path().join("ingest"), &args);
    let mut serve = Registrar::start_role("serve", &rpc, &contracts, &dir.path().join("serve"), &args);
    let head = alloy::providers::Provider::get_block_number(&provider).await.unwrap();
    serve.wait_indexed(&provider, head).await;

    // Someone writes garbage into the log; then the chain moves on.
    let log = connect(&brokers).await;
    let (poison_partition, poison_offset) =
        log.produce_raw(0, Some(b"poison"), b"\xff\x00 not protobuf", None).await.unwrap();
    for i in 0..3u64 {
        mine!(e.mintRange(U160::from(0x30_0000 + i * 10), U256::from(10), U256::from(1)).from(cast.agent));
    }
    let head = alloy::providers::Provider::get_block_number(&provider).await.unwrap();
    serve.wait_indexed(&provider, head).await;
    assert_eq!(serve.metric("registrar_dead_letters_total").await, Some(1));
    let holders = serve.data(&format!(r#"{{ token(address: "{emitter:#x}") {{ holderCount }} }}"#)).await;
    assert_eq!(holders["token"]["holderCount"].as_u64(), Some(30), "the pipeline went on past the poison");

    let dlq = |command: &str| {
        let out = Command::new(BIN)
            .args(["dlq", "--kafka-brokers", &brokers, "--partitions", "2", command])
            .output()
            .unwrap();
        assert!(out.status.success(), "dlq {command}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let listed = dlq("list");
    assert!(listed.contains("1 dead letter(s)"), "{listed}");
    assert!(listed.contains(&format!("registrar.events/{poison_partition}@{poison_offset}")), "{listed}");
    assert!(listed.contains("pending"), "{listed}");

    // A record an older reader could not decode, set aside the way a projector does it: a
    // replay with this build decodes it and puts it back into the log.
    let late = LogRecord::Undecoded(UndecodedLog {
        meta: EventMeta {
            chain_id: ChainId(31337),
            block: BlockRef {
                number: BlockNumber(1),
                hash: B256::repeat_byte(1),
                parent_hash: B256::ZERO,
                timestamp: 0,
            },
            tx_hash: B256::repeat_byte(2),
            tx_index: 0,
            log_index: 77,
            contract: token,
        },
        topics: vec![B256::repeat_byte(3)],
        data: Bytes::new(),
        reason: "set aside by an older reader".into(),
    });
    let letter = RawRecord::new(Partition(1), registrar_schemas::LogOffset(1_000_000), late.encode());
    tokio::task::spawn_blocking(move || log.dead_letter(&letter, "unknown record type")).await.unwrap().unwrap();
    let replayed = dlq("replay");
    assert!(replayed.contains("replayed 1, still undecodable 1"), "{replayed}");
    let again = dlq("replay");
    assert!(again.contains("replayed 0, still undecodable 1"), "a replayed letter is not replayed twice: {again}");
    let listed = dlq("list");
    assert!(listed.contains("2 dead letter(s)") && listed.contains("replayed"), "{listed}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let logs = serve.data("{ undecodedLogs(first: 100) { reason logIndex } }").await;
        let found =
            logs["undecodedLogs"].as_array().unwrap().iter().any(|l| l["reason"] == "set aside by an older reader");
        if found {
            break;
        }
        assert!(Instant::now() < deadline, "the replayed record was not applied: {logs}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Anyone who can write to the log can set the replay header: a record naming a dead-letter
    // offset that does not hold its bytes, and a second copy of the real replay, are both read
    // as copies of applied records and dropped, not applied again out of order.
    let reader = connect(&brokers).await;
    let letters = tokio::task::spawn_blocking(move || reader.dead_letters().unwrap()).await.unwrap();
    let real =
        letters.iter().find(|l| l.replayed.is_none() && l.bytes == late.encode()).expect("the dead letter").offset;
    let dropped = serve.metric("registrar_duplicates_dropped_total").await.unwrap_or(0);
    let log = connect(&brokers).await;
    let replay_partition = log.partition_of(&late).unwrap().0 as i32;
    log.produce_raw(replay_partition, None, &late.encode(), Some(real + 1000)).await.unwrap();
    log.produce_raw(replay_partition, None, &late.encode(), Some(real)).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while serve.metric("registrar_duplicates_dropped_total").await.unwrap_or(0) < dropped + 2 {
        assert!(Instant::now() < deadline, "the forged replays were not dropped\n{}", serve.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let logs = serve.data("{ undecodedLogs(first: 100) { reason } }").await;
    let applied = logs["undecodedLogs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["reason"] == "set aside by an older reader")
        .count();
    assert_eq!(applied, 1, "applied once: {logs}");
    serve.stop();
}

/// A reorganisation while following the head, with changes in both partitions on the abandoned
/// branch: the revert reaches each partition, each undoes its own token's changes, and the
/// node (`registrar run` on Kafka: both roles in one process) ends equal to an embedded index of
/// the final chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_is_reverted_in_every_partition() {
    use alloy::providers::Provider;
    use registrar_testkit::contracts::DemoSecurityToken;

    let (anvil, provider) = chain().await;
    let (token, cast, played) = token_with_scenario(&provider, 36).await;
    let emitter = loop {
        let a = TransferEmitter::deploy_builder(provider.clone()).from(cast.agent).deploy().await.unwrap();
        if partition(a) != partition(token) {
            break a;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let kafka = broker(&dir.path().join("broker"), None);
    let brokers = kafka.brokers();
    let args = ["--kafka-brokers", &brokers, "--partitions", "2", "--confirmations", "8"];
    let contracts = [token, emitter];
    let rpc = anvil.http_url();
    // Both roles in one process this time (`registrar run --kafka-brokers`).
    let data = dir.path().join("run");
    let mut serve = Registrar::start_role("run", &rpc, &contracts, &data, &args);
    serve.wait_indexed(&provider, played.last_block.max(provider.get_block_number().await.unwrap())).await;

    let t = DemoSecurityToken::new(token, provider.clone());
    let e = TransferEmitter::new(emitter, provider.clone());
    let inv = &cast.investors;
    let snapshot: U256 = provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    // Branch A touches both partitions.
    mine!(t.setAddressFrozen(inv[20], true).from(cast.agent));
    mine!(e.mintRange(U160::from(0x40_0000), U256::from(20), U256::from(9)).from(cast.agent));
    mine!(t.mint(inv[23], U256::from(1_000_000)).from(cast.agent));
    let tip_a = provider.get_block_number().await.unwrap();
    serve.wait_indexed(&provider, tip_a).await;
    let q = format!(r#"{{ token(address: "{emitter:#x}") {{ holderCount }} }}"#);
    assert_eq!(serve.data(&q).await["token"]["holderCount"].as_u64(), Some(20));

    // Branch B replaces A and is longer; the emitter mints elsewhere.
    let reverted: bool = provider.raw_request("evm_revert".into(), (snapshot,)).await.unwrap();
    assert!(reverted);
    let agent_nonce = provider.get_transaction_count(cast.agent).latest().await.unwrap();
    mine!(t.burn(inv[24], U256::from(1)).from(cast.agent).nonce(agent_nonce));
    mine!(e.mintRange(U160::from(0x50_0000), U256::from(5), U256::from(2)).from(cast.agent).nonce(agent_nonce + 1));
    let _: alloy::primitives::U64 = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    let _: alloy::primitives::U64 = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    let tip_b = provider.get_block_number().await.unwrap();
    assert!(tip_b > tip_a);
    serve.wait_indexed(&provider, tip_b).await;

    assert_matches_chain(&serve, &provider, token, &cast, tip_b).await;
    assert_eq!(serve.data(&q).await["token"]["holderCount"].as_u64(), Some(5), "the emitter's branch A mints undone");
    serve.stop();
    let fresh = fresh_state_digest(&rpc, &provider, &contracts, &dir.path().join("embedded"), tip_b).await;
    assert_eq!(digest(&data).1, fresh, "the replica after the reorg differs from an embedded index of the final chain");
}
