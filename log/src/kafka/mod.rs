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

mod admin;
mod dead_letters;
mod error;
mod partitioner;
mod producer;
mod reader;
mod settings;

use std::{
    collections::HashMap,
    sync::{atomic::AtomicBool, Arc, Mutex},
    time::Duration,
};

use rdkafka::{
    consumer::{BaseConsumer, CommitMode, Consumer},
    message::{Header, OwnedHeaders},
    producer::{FutureProducer, FutureRecord},
    Offset, TopicPartitionList,
};
use registrar_schemas::{LogOffset, LogRecord};
use tokio::sync::watch;
use tracing::{debug, warn};

pub use self::settings::KafkaSettings;
pub use self::{
    admin::ensure_topic,
    dead_letters::{DeadLetter, DLQ_HEADERS, DLQ_REPLAYED},
    error::KafkaLogError,
    partitioner::{partition_of, route, Route},
    reader::KafkaRecord,
};
use self::{producer::new_producer, reader::Reader, settings::client_config};
use crate::{EventLog, LogError, Partition, RawRecord};

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
    appends: Arc<watch::Sender<u64>>,
    /// An append awaited outside the log failed: the next append starts with a new producer.
    producer_failed: Arc<AtomicBool>,
}

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
            appends: Arc::new(appends),
            producer_failed: Arc::new(AtomicBool::new(false)),
        })
    }

    fn producer(&self) -> FutureProducer {
        self.producer.lock().expect("producer lock poisoned").clone()
    }

    /// After a failed append: the producer's state (producer id, sequence numbers) is unknown,
    /// so a new one starts clean, once the old one can deliver nothing more.
    fn start_over(&self) {
        producer::abandon(&self.producer(), self.settings.timeout);
        if let Err(e) = self.replace_producer() {
            warn!(target: "kafka", error = %e, "cannot create a new producer");
        }
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
            Route::Key(k) => Some(Partition(partition_of(&k, self.settings.partitions) as u32)),
            Route::All => None,
        }
    }

    fn append_where(
        &self,
        records: &[LogRecord],
        keep: &(dyn Fn(Partition, &LogRecord) -> bool + Sync),
    ) -> Result<(), LogError> {
        if let Err(e) = block_on(self.produce(records, keep)) {
            // What landed is unknown: the writer finds out from the log.
            self.start_over();
            return Err(e.into());
        }
        Ok(())
    }

    fn start_append(
        &self,
        records: Vec<LogRecord>,
        keep: Box<crate::KeepRecord>,
    ) -> Result<crate::PendingAppend, LogError> {
        let deliveries = match self.enqueue_records(&records, &*keep) {
            Ok(deliveries) => deliveries,
            Err(e) => {
                self.start_over();
                return Err(e.into());
            }
        };
        let (appends, failed) = (self.appends.clone(), self.producer_failed.clone());
        let (producer, timeout) = (self.producer(), self.settings.timeout);
        Ok(Box::pin(async move {
            let any = !deliveries.is_empty();
            for d in deliveries {
                if let Err(e) = producer::delivered(d).await {
                    // Nothing this producer still holds may land after the writer has read the
                    // log to find out what did: a later append landing past a lost one would
                    // leave a gap. Its queue is dropped and what is in flight resolved first.
                    failed.store(true, std::sync::atomic::Ordering::Relaxed);
                    let _ = tokio::task::spawn_blocking(move || producer::abandon(&producer, timeout)).await;
                    return Err(e.into());
                }
            }
            if any {
                appends.send_modify(|n| *n += 1);
            }
            Ok(())
        }))
    }

    fn read(&self, partition: Partition, from: LogOffset, max: usize) -> Result<Vec<RawRecord>, LogError> {
        let records = self.read_partition(partition.0 as i32, from.0 as i64, max, Duration::from_millis(20))?;
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            // The replay header is believed only for what the dead-letter topic holds: anyone
            // who can write to the log could set it, to have a record applied out of order.
            let replayed = match r.replayed {
                Some(at) => match self.dead_letter_at(at)? {
                    Some(letter) if letter.replayed.is_none() && letter.bytes == r.bytes && at >= 0 => Some(at as u64),
                    _ => {
                        warn!(target: "kafka", partition = partition.0, offset = r.offset, dlq_offset = at, "a record claims to replay a dead letter the dead-letter topic does not hold: read as an ordinary record");
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
        let (low, high) = self.watermarks(partition.0 as i32)?;
        let from = low.max(high - max as i64);
        let records = self.read_until(partition.0 as i32, from, high)?;
        Ok(records.into_iter().map(|r| RawRecord::new(partition, LogOffset(r.offset as u64), r.bytes)).collect())
    }

    fn end(&self, partition: Partition) -> Result<LogOffset, LogError> {
        Ok(LogOffset(self.watermarks(partition.0 as i32)?.1.max(0) as u64))
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
        if tpl
            .add_partition_offset(&self.settings.topic, partition.0 as i32, Offset::Offset(offset.0 as i64 + 1))
            .is_ok()
        {
            if let Err(e) = consumer.commit(&tpl, CommitMode::Async) {
                debug!(target: "kafka", partition = partition.0, error = %e, "cannot commit the group offset (informative only)");
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
