//! The topic: created on first use with the configured partitions and infinite retention;
//! an existing topic with another partition count or a finite retention is refused.

use std::time::Duration;

use rdkafka::{
    admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication},
    client::DefaultClientContext,
    error::{KafkaError, RDKafkaErrorCode},
};
use tracing::warn;

use super::{client_config, KafkaLogError, KafkaSettings};

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

pub(super) async fn retention_ms(
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

pub(super) fn partitions(
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
