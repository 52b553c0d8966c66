//! The event log on Kafka: a topic whose partitions each keep an ordered part of the log.
//!
//! Routing: a record about one contract (an event, a token's discovery, an undecoded log) goes to
//! the partition of its key, `chain id (8 bytes, big-endian) ‖ contract (20 bytes)`, so each
//! token's records stay in order in one partition; a record about the chain (`Committed`,
//! `Reverted`) goes to every partition, so each partition alone tells its reader what is final
//! and what a reorg voided. Payloads are the Protobuf encoding of `schemas/proto`, readable by
//! any Kafka client with that file.
//!
//! The topic is the source of truth. It is created on first use with the configured partitions
//! and `retention.ms = -1`; an existing topic with another partition count is refused.
//!
//! This is the log itself; running ingest and the projector on it (per-partition checkpoints,
//! duplicate suppression after an ingest crash, per-partition reverts) is the next step.

use std::time::Duration;

use rdkafka::{
    admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication},
    client::DefaultClientContext,
    config::ClientConfig,
    consumer::{BaseConsumer, Consumer},
    error::{KafkaError, RDKafkaErrorCode},
    message::Message,
    producer::{FutureProducer, FutureRecord, Producer},
    util::Timeout,
    Offset, TopicPartitionList,
};
use registrar_schemas::LogRecord;
use tracing::warn;

/// Why the Kafka log failed.
#[derive(Debug, thiserror::Error)]
pub enum KafkaLogError {
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    #[error("topic {topic} has {actual} partitions, registrar is configured for {configured}")]
    PartitionMismatch { topic: String, actual: usize, configured: usize },
    #[error("topic {topic} could not be created: {reason}")]
    CreateTopic { topic: String, reason: String },
    #[error("topic {0} does not exist after creating it")]
    NoTopic(String),
    #[error("topic {topic} deletes records (retention.ms = {retention_ms}); the event log must keep them: set retention.ms=-1")]
    Retention { topic: String, retention_ms: String },
}

impl KafkaLogError {
    /// Whether trying again may succeed (the broker was away or busy).
    pub fn is_retryable(&self) -> bool {
        match self {
            KafkaLogError::Kafka(e) => !matches!(
                e.rdkafka_error_code(),
                Some(RDKafkaErrorCode::InvalidConfig | RDKafkaErrorCode::TopicAuthorizationFailed)
            ),
            KafkaLogError::PartitionMismatch { .. }
            | KafkaLogError::CreateTopic { .. }
            | KafkaLogError::NoTopic(_)
            | KafkaLogError::Retention { .. } => false,
        }
    }
}

/// Where the log lives.
#[derive(Clone, Debug)]
pub struct KafkaSettings {
    /// `host:port,host:port`.
    pub brokers: String,
    pub topic: String,
    pub partitions: usize,
    pub replication: i32,
    /// How long an append may wait for the broker before it fails.
    pub timeout: Duration,
}

impl Default for KafkaSettings {
    fn default() -> Self {
        KafkaSettings {
            brokers: "127.0.0.1:9092".into(),
            topic: "registrar.events".into(),
            partitions: 2,
            replication: 1,
            timeout: Duration::from_secs(30),
        }
    }
}

/// A record as read back: where it is, and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaRecord {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub bytes: Vec<u8>,
}

/// The partitions a record goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The partition of this key.
    Key([u8; 28]),
    /// Every partition.
    All,
}

/// Where `record` belongs.
pub fn route(record: &LogRecord) -> Route {
    let key = |chain: u64, contract: &alloy::primitives::Address| {
        let mut k = [0u8; 28];
        k[..8].copy_from_slice(&chain.to_be_bytes());
        k[8..].copy_from_slice(contract.as_slice());
        Route::Key(k)
    };
    match record {
        LogRecord::Event(e) => key(e.meta.chain_id.0, &e.meta.contract),
        LogRecord::TokenDiscovered(t) => key(t.chain_id.0, &t.address),
        LogRecord::Undecoded(u) => key(u.meta.chain_id.0, &u.meta.contract),
        LogRecord::Committed(_) | LogRecord::Reverted(_) => Route::All,
    }
}

/// The partition of a key: murmur2 as Kafka's Java clients compute it, so any client can tell
/// where a token's records are.
pub fn partition_of(key: &[u8], partitions: usize) -> i32 {
    ((murmur2(key) & 0x7fff_ffff) % partitions as u32) as i32
}

/// Kafka's murmur2 (the Java client's `Utils.murmur2`).
fn murmur2(data: &[u8]) -> u32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h = SEED ^ len as u32;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    match tail.len() {
        3 => {
            h ^= (tail[2] as u32) << 16;
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        2 => {
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        1 => {
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        _ => {}
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h
}

/// The log on a Kafka topic.
pub struct KafkaLog {
    settings: KafkaSettings,
    producer: FutureProducer,
}

fn client_config(brokers: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", brokers).set("client.id", "registrar");
    c
}

impl KafkaLog {
    /// Connects, creating the topic if it does not exist and checking it if it does.
    pub async fn connect(settings: KafkaSettings) -> Result<KafkaLog, KafkaLogError> {
        ensure_topic(&settings).await?;
        let producer: FutureProducer = client_config(&settings.brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("max.in.flight.requests.per.connection", "5")
            .set("message.timeout.ms", settings.timeout.as_millis().to_string())
            .set("queue.buffering.max.kbytes", "65536")
            .create()?;
        Ok(KafkaLog { settings, producer })
    }

    pub fn settings(&self) -> &KafkaSettings {
        &self.settings
    }

    /// Appends `records` in order and waits until the broker has them all; returns the
    /// (partition, offset) of each copy written.
    pub async fn append(&self, records: &[LogRecord]) -> Result<Vec<(i32, i64)>, KafkaLogError> {
        let topic = self.settings.topic.as_str();
        let partitions = self.settings.partitions;
        let mut deliveries = Vec::with_capacity(records.len());
        for record in records {
            let bytes = record.encode();
            let (key, targets): (Option<[u8; 28]>, Vec<i32>) = match route(record) {
                Route::Key(k) => (Some(k), vec![partition_of(&k, partitions)]),
                Route::All => (None, (0..partitions as i32).collect()),
            };
            for partition in targets {
                let mut r = FutureRecord::<[u8], [u8]>::to(topic).payload(&bytes[..]).partition(partition);
                if let Some(k) = &key {
                    r = r.key(&k[..]);
                }
                // Queued in order; the idempotent producer keeps each partition's order on retries.
                deliveries.push(self.producer.send_result(r).map_err(|(e, _)| e)?);
            }
        }
        let mut written = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            match d.await {
                Ok(Ok(delivery)) => written.push((delivery.partition, delivery.offset)),
                Ok(Err((e, _))) => return Err(e.into()),
                Err(_canceled) => return Err(KafkaError::Canceled.into()),
            }
        }
        Ok(written)
    }

    /// Up to `max` records of `partition` from `from` on, waiting up to `wait` for the first.
    pub fn read(
        &self,
        partition: i32,
        from: i64,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<KafkaRecord>, KafkaLogError> {
        let consumer: BaseConsumer = client_config(&self.settings.brokers)
            .set("group.id", "registrar-reader")
            .set("enable.auto.commit", "false")
            .set("enable.partition.eof", "true")
            .create()?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&self.settings.topic, partition, Offset::Offset(from))?;
        consumer.assign(&tpl)?;
        let deadline = std::time::Instant::now() + wait;
        let mut out = Vec::new();
        while out.len() < max {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match consumer.poll(Timeout::After(left.max(Duration::from_millis(1)))) {
                None if left.is_zero() => break,
                None => continue,
                Some(Err(KafkaError::PartitionEOF(_))) => break,
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(m)) => out.push(KafkaRecord {
                    partition: m.partition(),
                    offset: m.offset(),
                    key: m.key().map(<[u8]>::to_vec),
                    bytes: m.payload().unwrap_or_default().to_vec(),
                }),
            }
        }
        Ok(out)
    }

    /// The offset the next record of each partition will get.
    pub fn ends(&self) -> Result<Vec<i64>, KafkaLogError> {
        (0..self.settings.partitions as i32)
            .map(|p| {
                let (_, high) =
                    self.producer.client().fetch_watermarks(&self.settings.topic, p, self.settings.timeout)?;
                Ok(high)
            })
            .collect()
    }

    /// Waits until everything queued is delivered.
    pub fn flush(&self) -> Result<(), KafkaLogError> {
        Ok(self.producer.flush(self.settings.timeout)?)
    }
}

/// Creates the topic with `retention.ms = -1` if it is missing; refuses one with another
/// partition count.
pub async fn ensure_topic(settings: &KafkaSettings) -> Result<(), KafkaLogError> {
    let admin: AdminClient<DefaultClientContext> = client_config(&settings.brokers).create()?;
    let topic = settings.topic.as_str();
    let existing = partitions(&admin, topic, settings.timeout)?;
    let actual = match existing {
        Some(n) => n,
        None => {
            let new = NewTopic::new(topic, settings.partitions as i32, TopicReplication::Fixed(settings.replication))
                .set("retention.ms", "-1");
            let results =
                admin.create_topics(&[new], &AdminOptions::new().operation_timeout(Some(settings.timeout))).await?;
            for r in results {
                match r {
                    Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                    Err((_, code)) => {
                        return Err(KafkaLogError::CreateTopic { topic: topic.into(), reason: code.to_string() })
                    }
                }
            }
            let deadline = std::time::Instant::now() + settings.timeout;
            loop {
                if let Some(n) = partitions(&admin, topic, settings.timeout)? {
                    break n;
                }
                if std::time::Instant::now() > deadline {
                    return Err(KafkaLogError::NoTopic(topic.into()));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    if actual != settings.partitions {
        return Err(KafkaLogError::PartitionMismatch { topic: topic.into(), actual, configured: settings.partitions });
    }
    // The log must be kept forever: a topic that deletes old records cannot rebuild the state.
    match retention_ms(&admin, topic, settings.timeout).await {
        Ok(Some(ms)) if ms != "-1" => {
            return Err(KafkaLogError::Retention { topic: topic.into(), retention_ms: ms });
        }
        Ok(_) => {}
        Err(e) => warn!(target: "kafka", topic, error = %e, "cannot read the topic's retention; not checked"),
    }
    Ok(())
}

async fn retention_ms(
    admin: &AdminClient<DefaultClientContext>,
    topic: &str,
    timeout: Duration,
) -> Result<Option<String>, KafkaError> {
    let results = admin
        .describe_configs(&[ResourceSpecifier::Topic(topic)], &AdminOptions::new().request_timeout(Some(timeout)))
        .await?;
    for r in results {
        match r {
            Ok(resource) => {
                if let Some(entry) = resource.get("retention.ms") {
                    return Ok(entry.value.clone());
                }
            }
            Err(code) => return Err(KafkaError::AdminOp(code)),
        }
    }
    Ok(None)
}

fn partitions(
    admin: &AdminClient<DefaultClientContext>,
    topic: &str,
    timeout: Duration,
) -> Result<Option<usize>, KafkaLogError> {
    let metadata = admin.inner().fetch_metadata(Some(topic), timeout)?;
    Ok(metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic && t.error().is_none())
        .map(|t| t.partitions().len())
        .filter(|n| *n > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_matches_kafka() {
        // Values of org.apache.kafka.common.utils.Utils.murmur2 (Kafka's own unit test).
        assert_eq!(murmur2(b"21") as i32, -973_932_308);
        assert_eq!(murmur2(b"foobar") as i32, -790_332_482);
        assert_eq!(murmur2(b"a-little-bit-long-string") as i32, -985_981_536);
        assert_eq!(murmur2(b"a-little-bit-longer-string") as i32, -1_486_304_829);
        assert_eq!(murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") as i32, -58_897_971);
        assert_eq!(murmur2(b"abc") as i32, 479_470_107);
    }
}
