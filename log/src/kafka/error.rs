use std::time::Duration;

use rdkafka::error::{KafkaError, RDKafkaErrorCode};

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
