//! `registrar dlq list|replay`: the dead letters of the Kafka log.
//!
//! Every serve replica that meets an undecodable record copies it to `<topic>.dlq` (so a record
//! may be there once per replica); the listing shows each origin once. Replaying decodes a dead
//! letter with this build's schema: one that decodes now (a record written by a newer writer,
//! or met by an older reader) is appended to the log again, to its token's partition, marked as
//! a replay (a header), so the projectors apply it although it is older than what they have
//! applied; one that still does not decode stays where it is.

use std::collections::{BTreeMap, BTreeSet};

use registrar_log::{
    kafka::{DeadLetter, KafkaLog},
    EventLog,
};
use registrar_schemas::LogRecord;

/// Dead letters by origin, once each, oldest first, with whether one was replayed.
fn by_origin(all: Vec<DeadLetter>) -> Vec<(DeadLetter, bool)> {
    let replayed: BTreeSet<i64> = all.iter().filter_map(|l| l.replayed).collect();
    let mut seen: BTreeMap<(String, i32, i64), (DeadLetter, bool)> = BTreeMap::new();
    for letter in all.into_iter().filter(|l| l.replayed.is_none()) {
        let origin = (letter.topic.clone(), letter.partition, letter.origin_offset);
        let done = replayed.contains(&letter.offset);
        match seen.get_mut(&origin) {
            Some(entry) => entry.1 |= done,
            None => {
                seen.insert(origin, (letter, done));
            }
        }
    }
    seen.into_values().collect()
}

pub async fn list(log: &KafkaLog) -> anyhow::Result<()> {
    let letters = by_origin(log.dead_letters()?);
    println!("{} dead letter(s) in {}", letters.len(), log.settings().dead_letter_topic());
    for (l, replayed) in letters {
        let state = if replayed { "replayed" } else { "pending" };
        println!("{}/{}@{} {} bytes {state}: {}", l.topic, l.partition, l.origin_offset, l.bytes.len(), l.error);
    }
    Ok(())
}

pub async fn replay(log: &KafkaLog) -> anyhow::Result<()> {
    let (mut replayed, mut still_bad, mut skipped) = (0, 0, 0);
    for (letter, done) in by_origin(log.dead_letters()?) {
        let origin = format!("{}/{}@{}", letter.topic, letter.partition, letter.origin_offset);
        if done {
            continue;
        }
        match LogRecord::decode(&letter.bytes) {
            Err(e) => {
                still_bad += 1;
                println!("{origin}: still not a valid record ({e}); left in the dead-letter topic");
            }
            Ok(LogRecord::Committed(_) | LogRecord::Reverted(_)) => {
                skipped += 1;
                println!("{origin}: a chain marker; not replayed (it would be stale)");
            }
            Ok(record) => {
                let partition = log.partition_of(&record).map_or(0, |p| p.0) as i32;
                let (p, o) =
                    log.produce_raw(partition, letter.key.as_deref(), &letter.bytes, Some(letter.offset)).await?;
                log.mark_replayed(&letter).await?;
                replayed += 1;
                println!("{origin}: replayed to partition {p} offset {o}");
            }
        }
    }
    println!("replayed {replayed}, still undecodable {still_bad}, chain markers skipped {skipped}");
    Ok(())
}
