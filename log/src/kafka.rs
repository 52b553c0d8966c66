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
//! Readers assign partitions by hand (every serve replica reads all of them) and keep their
//! positions in their own state; offsets committed to the consumer group (`group`) are only
//! informative, for lag monitoring. A record that cannot be decoded is copied to the dead-letter
//! topic `<topic>.dlq` with its origin before the reader moves past it.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use rdkafka::{
    admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication},
    client::DefaultClientContext,
    config::ClientConfig,
    consumer::{BaseConsumer, CommitMode, Consumer},
    error::{KafkaError, RDKafkaErrorCode},
    message::{Header, Headers, Message, OwnedHeaders},
    producer::{FutureProducer, FutureRecord, Producer},
    util::Timeout,
    Offset, TopicPartitionList,
};
use registrar_schemas::{LogOffset, LogRecord};
use tokio::sync::watch;
use tracing::{debug, warn};

use crate::{EventLog, LogError, Partition, RawRecord};

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
    #[error(
        "a record of {size} bytes is larger than the topic's messages may be ({max} bytes, kafka.max_message_bytes)"
    )]
    TooLarge { size: usize, max: usize },
    #[error("partition {partition} of {topic}: {what} did not arrive within {timeout:?}")]
    Timeout { topic: String, partition: i32, what: &'static str, timeout: Duration },
}

impl KafkaLogError {
    /// Whether trying again may succeed (the broker was away or busy).
    pub fn is_retryable(&self) -> bool {
        match self {
            // A record the broker will never take (too large) or may never be given (not
            // authorised, misconfigured) is not worth another try: ingest stops and says why.
            KafkaLogError::Kafka(KafkaError::ClientConfig(..) | KafkaError::ClientCreation(_)) => false,
            KafkaLogError::Kafka(e) => !matches!(
                e.rdkafka_error_code(),
                Some(
                    RDKafkaErrorCode::InvalidConfig
                        | RDKafkaErrorCode::TopicAuthorizationFailed
                        | RDKafkaErrorCode::ClusterAuthorizationFailed
                        | RDKafkaErrorCode::SaslAuthenticationFailed
                        | RDKafkaErrorCode::Authentication
                        | RDKafkaErrorCode::MessageSizeTooLarge
                        | RDKafkaErrorCode::InvalidMessageSize
                        | RDKafkaErrorCode::MessageBatchTooLarge
                        | RDKafkaErrorCode::InvalidRecord
                )
            ),
            KafkaLogError::TooLarge { .. } => false,
            KafkaLogError::PartitionMismatch { .. }
            | KafkaLogError::CreateTopic { .. }
            | KafkaLogError::NoTopic(_)
            | KafkaLogError::Retention { .. } => false,
            KafkaLogError::Timeout { .. } => true,
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
    /// The consumer group readers commit their positions to, for lag monitoring only.
    pub group: String,
    /// How long an append may wait for the broker before it fails; the producer retries inside
    /// it, so a shorter broker outage only pauses appends.
    pub timeout: Duration,
    /// The largest record appended (the broker's `message.max.bytes` must allow it; Kafka's
    /// default is 1 MB). A larger one stops ingest with an error instead of being retried.
    pub max_message_bytes: usize,
    /// librdkafka properties for every client (`security.protocol`, `ssl.ca.location`,
    /// `sasl.mechanisms`, `sasl.username`, ...): TLS and SASL to the brokers.
    pub properties: std::collections::BTreeMap<String, String>,
}

impl KafkaSettings {
    /// The topic dead letters go to.
    pub fn dead_letter_topic(&self) -> String {
        format!("{}.dlq", self.topic)
    }
}

impl Default for KafkaSettings {
    fn default() -> Self {
        KafkaSettings {
            brokers: "127.0.0.1:9092".into(),
            topic: "registrar.events".into(),
            partitions: 2,
            replication: 1,
            group: "registrar".into(),
            timeout: Duration::from_secs(120),
            max_message_bytes: 1_000_000,
            properties: Default::default(),
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
    /// Put back by `registrar dlq replay`: the offset its [`DLQ_REPLAYED`] header names in the
    /// dead-letter topic (not checked yet).
    pub replayed: Option<i64>,
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
    /// Replaced after a failed append: its state (producer id, sequence numbers) is unknown then,
    /// and a broker that lost it (tansu after a restart) refuses it for good.
    producer: Mutex<FutureProducer>,
    /// Commits the group's offsets (informative): on a client of its own, so that a broker
    /// failing commits cannot break the readers' connections.
    committer: Mutex<Option<BaseConsumer>>,
    /// One consumer per partition read, kept between reads, with the offset it will return next.
    readers: Mutex<HashMap<Partition, Reader>>,
    appends: watch::Sender<u64>,
}

struct Reader {
    consumer: BaseConsumer,
    next: i64,
}

/// A client's configuration: the brokers, then the operator's properties (TLS, SASL), which
/// may not override what the log's guarantees rest on (set after them).
fn client_config(settings: &KafkaSettings) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &settings.brokers).set("client.id", "registrar");
    for (key, value) in &settings.properties {
        c.set(key, value);
    }
    c
}

/// Headers of a dead letter, naming where it was found.
pub const DLQ_HEADERS: [&str; 4] = ["origin.topic", "origin.partition", "origin.offset", "error"];

/// A message of the dead-letter topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    /// Its own offset in the dead-letter topic.
    pub offset: i64,
    pub topic: String,
    pub partition: i32,
    pub origin_offset: i64,
    pub error: String,
    pub key: Option<Vec<u8>>,
    pub bytes: Vec<u8>,
    /// For a marker written by `registrar dlq replay`: the offset of the dead letter it replayed.
    pub replayed: Option<i64>,
}

/// The header of a replay marker.
pub const DLQ_REPLAYED: &str = "replayed.dlq_offset";

impl KafkaLog {
    /// Connects, creating the topics if they do not exist and checking them if they do.
    pub async fn connect(settings: KafkaSettings) -> Result<KafkaLog, KafkaLogError> {
        ensure_topic(&settings).await?;
        let dlq = KafkaSettings { topic: settings.dead_letter_topic(), partitions: 1, ..settings.clone() };
        ensure_topic(&dlq).await?;
        let producer = new_producer(&settings)?;
        let (appends, _) = watch::channel(0);
        Ok(KafkaLog {
            settings,
            producer: Mutex::new(producer),
            committer: Mutex::new(None),
            readers: Mutex::new(HashMap::new()),
            appends,
        })
    }

    fn producer(&self) -> FutureProducer {
        self.producer.lock().expect("producer lock poisoned").clone()
    }

    /// Starts over with a new producer (a new producer id), after an append failed.
    fn replace_producer(&self) -> Result<(), KafkaLogError> {
        let fresh = new_producer(&self.settings)?;
        *self.producer.lock().expect("producer lock poisoned") = fresh;
        Ok(())
    }

    pub fn settings(&self) -> &KafkaSettings {
        &self.settings
    }

    /// Appends `records` in order, each to its partition(s) where `keep` says so, and waits until
    /// the broker has them all; returns the (partition, offset) of each copy written.
    pub async fn produce(
        &self,
        records: &[LogRecord],
        keep: &(dyn Fn(Partition, &LogRecord) -> bool + Sync),
    ) -> Result<Vec<(i32, i64)>, KafkaLogError> {
        let topic = self.settings.topic.as_str();
        let partitions = self.settings.partitions;
        let mut deliveries = Vec::with_capacity(records.len());
        for record in records {
            let (key, targets): (Option<[u8; 28]>, Vec<i32>) = match route(record) {
                Route::Key(k) => (Some(k), vec![partition_of(&k, partitions)]),
                Route::All => (None, (0..partitions as i32).collect()),
            };
            let targets: Vec<i32> = targets.into_iter().filter(|p| keep(*p as Partition, record)).collect();
            if targets.is_empty() {
                continue;
            }
            let bytes = record.encode();
            if bytes.len() > self.settings.max_message_bytes {
                return Err(KafkaLogError::TooLarge { size: bytes.len(), max: self.settings.max_message_bytes });
            }
            for partition in targets {
                let mut r = FutureRecord::<[u8], [u8]>::to(topic).payload(&bytes[..]).partition(partition);
                if let Some(k) = &key {
                    r = r.key(&k[..]);
                }
                // Queued in order; the idempotent producer keeps each partition's order on retries.
                deliveries.push(self.enqueue(r)?);
            }
        }
        let mut written = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            written.push(delivered(d).await?);
        }
        if !written.is_empty() {
            self.appends.send_modify(|n| *n += 1);
        }
        Ok(written)
    }

    /// Queues one message and waits until the broker has it: (partition, offset).
    async fn send(&self, record: FutureRecord<'_, [u8], [u8]>) -> Result<(i32, i64), KafkaLogError> {
        delivered(self.enqueue(record)?).await
    }

    /// Queues one message, waiting while the producer's queue is full: a slow broker slows the
    /// writer down instead of growing its memory.
    /// (Blocks the thread while it waits; appends run on blocking threads.)
    fn enqueue<'a>(
        &self,
        mut record: FutureRecord<'a, [u8], [u8]>,
    ) -> Result<rdkafka::producer::DeliveryFuture, KafkaLogError> {
        let producer = self.producer();
        loop {
            match producer.send_result(record) {
                Ok(delivery) => return Ok(delivery),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    record = r;
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err((e, _)) => return Err(e.into()),
            }
        }
    }

    /// Up to `max` records of `partition` from `from` on, waiting up to `wait` for the first.
    pub fn read_partition(
        &self,
        partition: i32,
        from: i64,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<KafkaRecord>, KafkaLogError> {
        let mut readers = self.readers.lock().expect("kafka readers lock poisoned");
        let reader = match readers.entry(partition as Partition) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let consumer: BaseConsumer = client_config(&self.settings)
                    .set("group.id", &self.settings.group)
                    .set("enable.auto.commit", "false")
                    .set("enable.auto.offset.store", "false")
                    .set("enable.partition.eof", "true")
                    // A record damaged on the way (a broker restarting mid-answer) is a read error,
                    // read again, not a record that does not decode, kept as a dead letter.
                    .set("check.crcs", "true")
                    .set("auto.offset.reset", "earliest")
                    .create()?;
                v.insert(Reader { consumer, next: -1 })
            }
        };
        if reader.next != from {
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition_offset(&self.settings.topic, partition, Offset::Offset(from))?;
            reader.consumer.assign(&tpl)?;
            reader.next = from;
        }
        let deadline = Instant::now() + wait;
        let mut out = Vec::new();
        while out.len() < max {
            // Wait for the first record only; then take what has already arrived.
            let left = if out.is_empty() { deadline.saturating_duration_since(Instant::now()) } else { Duration::ZERO };
            match reader.consumer.poll(Timeout::After(left)) {
                None => break,
                // The end of the partition: reported even with `enable.partition.eof` off.
                Some(Err(KafkaError::PartitionEOF(_))) => break,
                Some(Err(e)) => {
                    // The consumer's position is unknown now: assign again on the next read.
                    reader.next = -1;
                    return Err(e.into());
                }
                Some(Ok(m)) => {
                    if m.offset() < reader.next {
                        continue;
                    }
                    reader.next = m.offset() + 1;
                    out.push(KafkaRecord {
                        partition: m.partition(),
                        offset: m.offset(),
                        key: m.key().map(<[u8]>::to_vec),
                        bytes: m.payload().unwrap_or_default().to_vec(),
                        replayed: m.headers().and_then(|h| {
                            h.iter()
                                .find(|h| h.key == DLQ_REPLAYED)
                                .and_then(|h| std::str::from_utf8(h.value?).ok()?.parse().ok())
                        }),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Every record of `partition` in `[from, to)`, waiting up to the configured timeout.
    fn read_until(&self, partition: i32, from: i64, to: i64) -> Result<Vec<KafkaRecord>, KafkaLogError> {
        let deadline = Instant::now() + self.settings.timeout;
        let mut out: Vec<KafkaRecord> = Vec::new();
        let mut next = from;
        while next < to {
            if Instant::now() > deadline {
                return Err(KafkaLogError::Timeout {
                    topic: self.settings.topic.clone(),
                    partition,
                    what: "records below the high watermark",
                    timeout: self.settings.timeout,
                });
            }
            let batch = self.read_partition(partition, next, (to - next) as usize, Duration::from_millis(200))?;
            for r in batch {
                if r.offset < to {
                    next = r.offset + 1;
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    /// The (low, high) watermarks of `partition`.
    fn watermarks(&self, partition: i32) -> Result<(i64, i64), KafkaLogError> {
        Ok(self.producer().client().fetch_watermarks(&self.settings.topic, partition, self.settings.timeout)?)
    }

    /// The offset the next record of each partition will get.
    pub fn ends(&self) -> Result<Vec<i64>, KafkaLogError> {
        (0..self.settings.partitions as i32).map(|p| Ok(self.watermarks(p)?.1)).collect()
    }

    /// Waits until everything queued is delivered.
    pub fn flush(&self) -> Result<(), KafkaLogError> {
        Ok(self.producer().flush(self.settings.timeout)?)
    }

    /// Every message of the dead-letter topic, oldest first.
    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, KafkaLogError> {
        self.dead_letters_between(None)
    }

    /// The message at `offset` of the dead-letter topic, if there is one.
    pub fn dead_letter_at(&self, offset: i64) -> Result<Option<DeadLetter>, KafkaLogError> {
        Ok(self.dead_letters_between(Some(offset))?.into_iter().next())
    }

    /// The dead-letter topic's messages: all of them, or the one at `only`.
    fn dead_letters_between(&self, only: Option<i64>) -> Result<Vec<DeadLetter>, KafkaLogError> {
        let topic = self.settings.dead_letter_topic();
        let consumer: BaseConsumer = client_config(&self.settings)
            .set("group.id", format!("{}.dlq-reader", self.settings.group))
            .set("enable.auto.commit", "false")
            .create()?;
        let (low, high) = consumer.fetch_watermarks(&topic, 0, self.settings.timeout)?;
        let (low, high) = match only {
            Some(o) if o < low || o >= high => return Ok(Vec::new()),
            Some(o) => (o, o + 1),
            None => (low, high),
        };
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&topic, 0, Offset::Offset(low))?;
        consumer.assign(&tpl)?;
        let deadline = Instant::now() + self.settings.timeout;
        let mut out = Vec::new();
        let mut next = low;
        while next < high {
            if Instant::now() > deadline {
                return Err(KafkaLogError::Timeout {
                    topic,
                    partition: 0,
                    what: "dead letters",
                    timeout: self.settings.timeout,
                });
            }
            let Some(m) = consumer.poll(Timeout::After(Duration::from_millis(200))) else { continue };
            let m = m?;
            next = m.offset() + 1;
            let header = |name: &str| -> String {
                m.headers()
                    .and_then(|h| h.iter().find(|h| h.key == name).and_then(|h| h.value))
                    .map(|v| String::from_utf8_lossy(v).into_owned())
                    .unwrap_or_default()
            };
            out.push(DeadLetter {
                offset: m.offset(),
                topic: header(DLQ_HEADERS[0]),
                partition: header(DLQ_HEADERS[1]).parse().unwrap_or(-1),
                origin_offset: header(DLQ_HEADERS[2]).parse().unwrap_or(-1),
                error: header(DLQ_HEADERS[3]),
                key: m.key().map(<[u8]>::to_vec),
                bytes: m.payload().unwrap_or_default().to_vec(),
                replayed: header(DLQ_REPLAYED).parse().ok(),
            });
        }
        Ok(out)
    }

    /// Records in the dead-letter topic that `letter` was put back into the log.
    pub async fn mark_replayed(&self, letter: &DeadLetter) -> Result<(), KafkaLogError> {
        let topic = self.settings.dead_letter_topic();
        let offset = letter.offset.to_string();
        let headers = OwnedHeaders::new().insert(Header { key: DLQ_REPLAYED, value: Some(offset.as_bytes()) });
        let mut r = FutureRecord::<[u8], [u8]>::to(&topic).payload(&[][..]).partition(0).headers(headers);
        if let Some(k) = &letter.key {
            r = r.key(&k[..]);
        }
        self.send(r).await.map(|_| ())
    }

    /// Writes the raw bytes of a message to `partition` of the log topic as they are: how
    /// `registrar dlq replay` puts back the dead letter at `replay_of` (its offset in the
    /// dead-letter topic), and how tests inject a poison message.
    pub async fn produce_raw(
        &self,
        partition: i32,
        key: Option<&[u8]>,
        bytes: &[u8],
        replay_of: Option<i64>,
    ) -> Result<(i32, i64), KafkaLogError> {
        let mut r = FutureRecord::<[u8], [u8]>::to(&self.settings.topic).payload(bytes).partition(partition);
        if let Some(k) = key {
            r = r.key(k);
        }
        let replay_of = replay_of.map(|o| o.to_string());
        if let Some(o) = &replay_of {
            r = r.headers(OwnedHeaders::new().insert(Header { key: DLQ_REPLAYED, value: Some(o.as_bytes()) }));
        }
        let written = self.send(r).await?;
        self.appends.send_modify(|n| *n += 1);
        Ok(written)
    }
}

/// Where the broker put a message, or why it did not take it.
async fn delivered(delivery: rdkafka::producer::DeliveryFuture) -> Result<(i32, i64), KafkaLogError> {
    match delivery.await {
        Ok(Ok(d)) => Ok((d.partition, d.offset)),
        Ok(Err((e, _))) => Err(e.into()),
        Err(_canceled) => Err(KafkaError::Canceled.into()),
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

impl EventLog for KafkaLog {
    fn partitions(&self) -> u32 {
        self.settings.partitions as u32
    }

    fn partition_of(&self, record: &LogRecord) -> Option<Partition> {
        match route(record) {
            Route::Key(k) => Some(partition_of(&k, self.settings.partitions) as Partition),
            Route::All => None,
        }
    }

    fn append_where(
        &self,
        records: &[LogRecord],
        keep: &(dyn Fn(Partition, &LogRecord) -> bool + Sync),
    ) -> Result<(), LogError> {
        if let Err(e) = block_on(self.produce(records, keep)) {
            // What landed is unknown: the writer finds out from the log. This producer's state
            // is unknown too; a new one starts clean.
            if let Err(replace) = self.replace_producer() {
                warn!(target: "kafka", error = %replace, "cannot create a new producer");
            }
            return Err(e.into());
        }
        Ok(())
    }

    fn read(&self, partition: Partition, from: LogOffset, max: usize) -> Result<Vec<RawRecord>, LogError> {
        let records = self.read_partition(partition as i32, from.0 as i64, max, Duration::from_millis(20))?;
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            // The replay header is believed only for what the dead-letter topic holds: anyone
            // who can write to the log could set it, to have a record applied out of order.
            let replayed = match r.replayed {
                Some(at) => match self.dead_letter_at(at)? {
                    Some(letter) if letter.replayed.is_none() && letter.bytes == r.bytes && at >= 0 => Some(at as u64),
                    _ => {
                        warn!(target: "kafka", partition, offset = r.offset, dlq_offset = at, "a record claims to replay a dead letter the dead-letter topic does not hold: read as an ordinary record");
                        None
                    }
                },
                None => None,
            };
            out.push(RawRecord { replayed, ..RawRecord::new(partition, LogOffset(r.offset as u64), r.bytes) });
        }
        Ok(out)
    }

    fn tail(&self, partition: Partition, max: usize) -> Result<Vec<RawRecord>, LogError> {
        let (low, high) = self.watermarks(partition as i32)?;
        let from = low.max(high - max as i64);
        let records = self.read_until(partition as i32, from, high)?;
        Ok(records.into_iter().map(|r| RawRecord::new(partition, LogOffset(r.offset as u64), r.bytes)).collect())
    }

    fn end(&self, partition: Partition) -> Result<LogOffset, LogError> {
        Ok(LogOffset(self.watermarks(partition as i32)?.1.max(0) as u64))
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.appends.subscribe()
    }

    fn idle_wait(&self) -> Duration {
        // Other processes append: poll the broker often (reads return at once when empty).
        Duration::from_millis(50)
    }

    fn acknowledge(&self, partition: Partition, offset: LogOffset) {
        let mut committer = self.committer.lock().expect("kafka committer lock poisoned");
        if committer.is_none() {
            let created = client_config(&self.settings)
                .set("group.id", &self.settings.group)
                .set("enable.auto.commit", "false")
                .create::<BaseConsumer>();
            match created {
                Ok(c) => *committer = Some(c),
                Err(e) => {
                    debug!(target: "kafka", error = %e, "cannot create the offset committer (informative only)");
                    return;
                }
            }
        }
        let Some(consumer) = committer.as_ref() else { return };
        // Serve the client's callbacks so commit results do not pile up.
        let _ = consumer.poll(Duration::ZERO);
        let mut tpl = TopicPartitionList::new();
        // Kafka's committed offset is the next one to read.
        if tpl.add_partition_offset(&self.settings.topic, partition as i32, Offset::Offset(offset.0 as i64 + 1)).is_ok()
        {
            if let Err(e) = consumer.commit(&tpl, CommitMode::Async) {
                debug!(target: "kafka", partition, error = %e, "cannot commit the group offset (informative only)");
            }
        }
    }

    fn dead_letter(&self, record: &RawRecord, error: &str) -> Result<(), LogError> {
        let topic = self.settings.dead_letter_topic();
        let origin_partition = record.partition.to_string();
        let origin_offset = record.offset.0.to_string();
        let headers = OwnedHeaders::new()
            .insert(Header { key: DLQ_HEADERS[0], value: Some(self.settings.topic.as_bytes()) })
            .insert(Header { key: DLQ_HEADERS[1], value: Some(origin_partition.as_bytes()) })
            .insert(Header { key: DLQ_HEADERS[2], value: Some(origin_offset.as_bytes()) })
            .insert(Header { key: DLQ_HEADERS[3], value: Some(error.as_bytes()) });
        let key = format!("{}/{}/{}", self.settings.topic, record.partition, record.offset.0);
        let r = FutureRecord::<[u8], [u8]>::to(&topic)
            .payload(&record.bytes[..])
            .key(key.as_bytes())
            .partition(0)
            .headers(headers);
        block_on(self.send(r))?;
        Ok(())
    }
}

fn new_producer(settings: &KafkaSettings) -> Result<FutureProducer, KafkaLogError> {
    Ok(client_config(settings)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("max.in.flight.requests.per.connection", "5")
        .set("message.timeout.ms", settings.timeout.as_millis().to_string())
        .set("linger.ms", "5")
        // Back-pressure: at most this much waits in the producer; `produce` then waits.
        .set("queue.buffering.max.kbytes", "65536")
        .set("message.max.bytes", (settings.max_message_bytes + 4096).to_string())
        .create()?)
}

/// Creates the topic with `retention.ms = -1` if it is missing; refuses one with another
/// partition count.
pub async fn ensure_topic(settings: &KafkaSettings) -> Result<(), KafkaLogError> {
    let admin: AdminClient<DefaultClientContext> = client_config(settings).create()?;
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

    /// TLS and SASL reach the clients (the build links OpenSSL: librdkafka refuses `SASL_SSL`
    /// otherwise), and a property librdkafka does not know is a configuration error, not
    /// something retried.
    #[test]
    fn tls_and_sasl_properties_configure_the_clients() {
        let mut settings = KafkaSettings::default();
        for (k, v) in [
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanisms", "SCRAM-SHA-512"),
            ("sasl.username", "registrar"),
            ("sasl.password", "secret"),
        ] {
            settings.properties.insert(k.into(), v.into());
        }
        let _producer = new_producer(&settings).expect("a SASL_SSL producer");
        settings.properties.insert("no.such.property".into(), "1".into());
        let err = new_producer(&settings).err().expect("refused");
        assert!(!err.is_retryable(), "{err}");
    }
}
