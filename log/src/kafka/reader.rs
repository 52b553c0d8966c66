//! Reading: one consumer per partition, kept between reads, positioned by hand.

use std::time::{Duration, Instant};

use rdkafka::{
    consumer::{BaseConsumer, Consumer},
    error::KafkaError,
    message::{Headers, Message},
    producer::Producer,
    util::Timeout,
    Offset, TopicPartitionList,
};

use super::*;
use crate::Partition;

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

pub(super) struct Reader {
    pub(super) consumer: BaseConsumer,
    pub(super) next: i64,
}

impl KafkaLog {
    /// Up to `max` records of `partition` from `from` on, waiting up to `wait` for the first.
    pub fn read_partition(
        &self,
        partition: i32,
        from: i64,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<KafkaRecord>, KafkaLogError> {
        let mut readers = self.readers.lock().expect("kafka readers lock poisoned");
        let reader = match readers.entry(Partition(partition as u32)) {
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
    pub(super) fn read_until(&self, partition: i32, from: i64, to: i64) -> Result<Vec<KafkaRecord>, KafkaLogError> {
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
    pub(super) fn watermarks(&self, partition: i32) -> Result<(i64, i64), KafkaLogError> {
        Ok(self.producer().client().fetch_watermarks(&self.settings.topic, partition, self.settings.timeout)?)
    }

    /// The offset the next record of each partition will get.
    pub fn ends(&self) -> Result<Vec<i64>, KafkaLogError> {
        (0..self.settings.partitions as i32).map(|p| Ok(self.watermarks(p)?.1)).collect()
    }
}
