use std::time::Duration;

use rdkafka::config::ClientConfig;

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

/// A client's configuration: the brokers, then the operator's properties (TLS, SASL), which
/// may not override what the log's guarantees rest on (set after them).
pub(super) fn client_config(settings: &KafkaSettings) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &settings.brokers).set("client.id", "registrar");
    for (key, value) in &settings.properties {
        c.set(key, value);
    }
    c
}
