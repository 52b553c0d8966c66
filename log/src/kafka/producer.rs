//! Appending: the idempotent producer, back-pressure on its queue, deliveries awaited.

use std::time::Duration;

use rdkafka::{
    error::{KafkaError, RDKafkaErrorCode},
    message::{Header, OwnedHeaders},
    producer::{FutureProducer, FutureRecord, Producer},
};
use registrar_schemas::LogRecord;

use super::*;
use crate::Partition;

impl KafkaLog {
    /// Appends `records` in order, each to its partition(s) where `keep` says so, and waits until
    /// the broker has them all; returns the (partition, offset) of each copy written.
    pub async fn produce(
        &self,
        records: &[LogRecord],
        keep: &(dyn Fn(Partition, &LogRecord) -> bool + Sync),
    ) -> Result<Vec<(i32, i64)>, KafkaLogError> {
        let deliveries = self.enqueue_records(records, keep)?;
        let mut written = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            written.push(delivered(d).await?);
        }
        if !written.is_empty() {
            self.appends.send_modify(|n| *n += 1);
        }
        Ok(written)
    }

    /// Queues `records` in order, each to its partition(s) where `keep` says so, and returns
    /// their deliveries without waiting for them.
    pub(super) fn enqueue_records(
        &self,
        records: &[LogRecord],
        keep: &(dyn Fn(Partition, &LogRecord) -> bool + Sync),
    ) -> Result<Vec<rdkafka::producer::DeliveryFuture>, KafkaLogError> {
        if self.producer_failed.swap(false, std::sync::atomic::Ordering::Relaxed) {
            // An append whose acknowledgements were awaited elsewhere failed.
            self.replace_producer()?;
        }
        let topic = self.settings.topic.as_str();
        let partitions = self.settings.partitions;
        let mut deliveries = Vec::with_capacity(records.len());
        for record in records {
            let (key, targets): (Option<[u8; 28]>, Vec<i32>) = match route(record) {
                Route::Key(k) => (Some(k), vec![partition_of(&k, partitions)]),
                Route::All => (None, (0..partitions as i32).collect()),
            };
            let targets: Vec<i32> = targets.into_iter().filter(|p| keep(Partition(*p as u32), record)).collect();
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
        Ok(deliveries)
    }

    /// Queues one message and waits until the broker has it: (partition, offset).
    pub(super) async fn send(&self, record: FutureRecord<'_, [u8], [u8]>) -> Result<(i32, i64), KafkaLogError> {
        delivered(self.enqueue(record)?).await
    }

    /// Queues one message, waiting while the producer's queue is full: a slow broker slows the
    /// writer down instead of growing its memory.
    /// (Blocks the thread while it waits; appends run on blocking threads.)
    pub(super) fn enqueue<'a>(
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

    /// Waits until everything queued is delivered.
    pub fn flush(&self) -> Result<(), KafkaLogError> {
        Ok(self.producer().flush(self.settings.timeout)?)
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

/// Drops what `producer` has not sent and waits (up to `timeout`) until what it sent is
/// resolved: after a failed append, nothing of it lands while the writer reads the log.
pub(super) fn abandon(producer: &FutureProducer, timeout: Duration) {
    producer.purge(rdkafka::producer::PurgeConfig::default().queue().inflight());
    if let Err(e) = producer.flush(timeout) {
        tracing::warn!(target: "kafka", error = %e, "a failed producer did not settle in time");
    }
}

/// Where the broker put a message, or why it did not take it.
pub(super) async fn delivered(delivery: rdkafka::producer::DeliveryFuture) -> Result<(i32, i64), KafkaLogError> {
    match delivery.await {
        Ok(Ok(d)) => Ok((d.partition, d.offset)),
        Ok(Err((e, _))) => Err(e.into()),
        Err(_canceled) => Err(KafkaError::Canceled.into()),
    }
}

pub(super) fn new_producer(settings: &KafkaSettings) -> Result<FutureProducer, KafkaLogError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
