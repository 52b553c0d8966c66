//! The dead-letter topic `<topic>.dlq`: records the readers could not decode, with their origin,
//! and the markers `registrar dlq replay` leaves when it puts one back.

use std::time::{Duration, Instant};

use rdkafka::{
    consumer::{BaseConsumer, Consumer},
    message::{Header, Headers, Message, OwnedHeaders},
    producer::FutureRecord,
    util::Timeout,
    Offset, TopicPartitionList,
};

use super::*;

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
    /// Every message of the dead-letter topic, oldest first.
    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, KafkaLogError> {
        self.dead_letters_between(None)
    }

    /// The message at `offset` of the dead-letter topic, if there is one.
    pub fn dead_letter_at(&self, offset: i64) -> Result<Option<DeadLetter>, KafkaLogError> {
        Ok(self.dead_letters_between(Some(offset))?.into_iter().next())
    }

    /// The dead-letter topic's messages: all of them, or the one at `only`.
    pub(super) fn dead_letters_between(&self, only: Option<i64>) -> Result<Vec<DeadLetter>, KafkaLogError> {
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
}
