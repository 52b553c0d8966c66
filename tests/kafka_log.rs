//! The Kafka log against a real Kafka-protocol broker: tansu, started here on a loopback port
//! with SQLite storage (so a restart keeps the data) and stopped by PID.

use std::{path::Path, process::Command, time::Duration};

use alloy::primitives::{Address, B256, U256};
use registrar_log::{
    kafka::{partition_of, route, KafkaLog, KafkaLogError, KafkaSettings, Route},
    EventLog, Partition,
};
use registrar_schemas::{
    BlockNumber, BlockRef, BlocksCommitted, ChainEvent, ChainId, EventMeta, LogRecord, TokenEvent,
};
use registrar_testkit::devnet::Tansu;

fn settings(broker: &Tansu, topic: &str, partitions: usize) -> KafkaSettings {
    KafkaSettings {
        brokers: broker.brokers(),
        topic: topic.into(),
        partitions,
        timeout: Duration::from_secs(20),
        ..KafkaSettings::default()
    }
}

fn transfer(block: u64, log_index: u32, contract: Address, value: u64) -> LogRecord {
    LogRecord::Event(ChainEvent {
        meta: EventMeta {
            chain_id: ChainId(31337),
            block: BlockRef {
                number: BlockNumber(block),
                hash: B256::repeat_byte(block as u8),
                parent_hash: B256::repeat_byte(block.wrapping_sub(1) as u8),
                timestamp: 1_790_000_000 + block,
            },
            tx_hash: B256::repeat_byte(0x77),
            tx_index: 0,
            log_index,
            contract,
        },
        event: TokenEvent::Transfer { from: Address::ZERO, to: Address::repeat_byte(9), value: U256::from(value) },
    })
}

fn committed(block: u64) -> LogRecord {
    LogRecord::Committed(BlocksCommitted {
        chain_id: ChainId(31337),
        block: BlockNumber(block),
        block_hash: B256::repeat_byte(block as u8),
        head: BlockNumber(block),
        finalized: BlockNumber(block.saturating_sub(2)),
    })
}

fn decode_all(log: &KafkaLog, partition: i32) -> Vec<LogRecord> {
    // Everything below the high watermark.
    EventLog::tail(log, Partition(partition as u32), 10_000)
        .unwrap()
        .iter()
        .map(|r| LogRecord::decode(&r.bytes).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_stay_in_their_partition_and_chain_records_reach_every_partition() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::spawn(dir.path(), None).unwrap();
    let log = KafkaLog::connect(settings(&broker, "registrar.events", 2)).await.unwrap();
    let tokens: Vec<Address> = (1..=6u8).map(Address::repeat_byte).collect();
    let mut records = Vec::new();
    for block in 1..=5u64 {
        for (i, t) in tokens.iter().enumerate() {
            records.push(transfer(block, i as u32, *t, block * 100 + i as u64));
        }
        records.push(committed(block));
    }
    let written = log.produce(&records, &|_, _| true).await.unwrap();
    // 30 events once, 5 commits twice.
    assert_eq!(written.len(), 30 + 5 * 2);
    assert_eq!(log.ends().unwrap().iter().sum::<i64>(), 40);

    let mut seen_tokens = 0;
    for p in 0..2 {
        let got = decode_all(&log, p);
        // Each partition holds, in order, exactly its tokens' events and every commit.
        let expected: Vec<LogRecord> = records
            .iter()
            .filter(|r| match route(r) {
                Route::Key(k) => partition_of(&k, 2) == p,
                Route::All => true,
            })
            .cloned()
            .collect();
        assert_eq!(got, expected, "partition {p}");
        seen_tokens += got.iter().filter(|r| matches!(r, LogRecord::Event(e) if e.meta.block.number.0 == 1)).count();
        assert_eq!(got.iter().filter(|r| matches!(r, LogRecord::Committed(_))).count(), 5);
    }
    assert_eq!(seen_tokens, tokens.len(), "every token is in exactly one partition");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_with_other_partitions_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::spawn(dir.path(), None).unwrap();
    KafkaLog::connect(settings(&broker, "registrar.mismatch", 2)).await.unwrap();
    let err = KafkaLog::connect(settings(&broker, "registrar.mismatch", 3)).await.err().unwrap();
    assert!(matches!(err, KafkaLogError::PartitionMismatch { actual: 2, configured: 3, .. }), "{err}");
    assert!(err.to_string().contains("has 2 partitions"), "{err}");
    assert!(!err.is_retryable());
}

/// A topic made by someone else that deletes old records cannot hold the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_that_deletes_records_is_refused() {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::spawn(dir.path(), None).unwrap();
    let admin: AdminClient<rdkafka::client::DefaultClientContext> =
        rdkafka::ClientConfig::new().set("bootstrap.servers", broker.brokers()).create().unwrap();
    let topic = NewTopic::new("registrar.short", 2, TopicReplication::Fixed(1)).set("retention.ms", "86400000");
    admin.create_topics(&[topic], &AdminOptions::new()).await.unwrap();
    match KafkaLog::connect(settings(&broker, "registrar.short", 2)).await {
        Err(err) => assert!(matches!(err, KafkaLogError::Retention { .. }), "{err}"),
        Ok(_) => panic!("a topic with retention.ms=86400000 was accepted"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_keeps_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut broker = Tansu::spawn(dir.path(), None).unwrap();
    let port = broker.port;
    let records: Vec<LogRecord> = (1..=20u64).map(|b| transfer(b, 0, Address::repeat_byte(1), b)).collect();
    {
        let log = KafkaLog::connect(settings(&broker, "registrar.durable", 1)).await.unwrap();
        log.produce(&records[..10], &|_, _| true).await.unwrap();
    }
    broker.kill();
    let broker = Tansu::spawn(dir.path(), Some(port)).unwrap();
    let log = KafkaLog::connect(settings(&broker, "registrar.durable", 1)).await.unwrap();
    log.produce(&records[10..], &|_, _| true).await.unwrap();
    assert_eq!(decode_all(&log, 0), records);
    assert_eq!(log.ends().unwrap(), vec![20]);
}

/// A record larger than the topic's messages may be is refused before it is sent, as an error
/// that is not retried (ingest used to wait for the broker to take it, for ever); the log is
/// unchanged and takes the next record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_larger_than_a_message_is_an_error_not_a_stall() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::spawn(dir.path(), None).unwrap();
    let log = KafkaLog::connect(settings(&broker, "registrar.sizes", 1)).await.unwrap();
    let LogRecord::Event(e) = transfer(1, 0, Address::repeat_byte(1), 1) else { unreachable!() };
    let huge = LogRecord::Undecoded(registrar_schemas::UndecodedLog {
        meta: e.meta,
        topics: vec![B256::repeat_byte(9)],
        data: vec![7u8; 2_000_000].into(),
        reason: "a log of two megabytes".into(),
    });
    let err = log.produce(&[huge], &|_, _| true).await.unwrap_err();
    assert!(matches!(err, KafkaLogError::TooLarge { .. }), "{err}");
    assert!(!err.is_retryable());
    let next = transfer(2, 0, Address::repeat_byte(1), 2);
    log.produce(std::slice::from_ref(&next), &|_, _| true).await.unwrap();
    assert_eq!(decode_all(&log, 0), vec![next]);
}

/// Python's confluent-kafka (its own librdkafka) with only the .proto file reads what Rust wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_reads_the_log_with_the_schema_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Tansu::spawn(dir.path(), None).unwrap();
    let log = KafkaLog::connect(settings(&broker, "registrar.python", 1)).await.unwrap();
    let token = Address::repeat_byte(0xab);
    let records = vec![transfer(7, 3, token, 1_000_000_000_000_000_000), committed(7), transfer(8, 0, token, 5)];
    log.produce(&records, &|_, _| true).await.unwrap();

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(root.join("tests/python/read_log.py"))
        .args([broker.brokers().as_str(), "registrar.python", "0"])
        .arg(root.join("schemas/proto"))
        .output()
        .expect("python3 runs (make setup installs confluent-kafka and protobuf)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = serde_json::json!([
        { "offset": 0, "record": "event", "block": 7, "log_index": 3, "contract": hex::encode(token), "event": "transfer",
          "value": "1000000000000000000" },
        { "offset": 1, "record": "committed", "block": 7, "finalized": 5 },
        { "offset": 2, "record": "event", "block": 8, "log_index": 0, "contract": hex::encode(token), "event": "transfer",
          "value": "5" },
    ]);
    assert_eq!(rows, expected);
}
