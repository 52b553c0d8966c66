//! The archive's reader of the event log: document and anchor events reach the archive in log
//! order, and the position it resumes from is kept in the archive itself.

use std::sync::Arc;

use registrar_schemas::LogOffset;
use tokio::sync::watch;
use tracing::{debug, info, warn};

use super::{Archive, ArchiveError};
use registrar_log::{wait_for_records, EventLog, Partition};

/// Records read per step.
const BATCH: usize = 4096;

/// Feeds the log to the archive until `shutdown`. Blocking: run it on a thread of its own.
pub fn run_archiver(
    log: Arc<dyn EventLog>,
    archive: Arc<Archive>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ArchiveError> {
    if log.partitions() != 1 {
        return Err(ArchiveError::Invalid {
            field: "event log",
            reason: "the archive follows a single-partition log; run it beside the embedded log".into(),
        });
    }
    let mut changes = log.subscribe();
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    let mut next = archive.chain_resume_from()?;
    info!(target: "archive", from = next, "archiver reading the event log");
    loop {
        if *shutdown.borrow() {
            return Ok(());
        }
        changes.borrow_and_update();
        let raw = log.read(Partition(0), LogOffset(next), BATCH)?;
        if raw.is_empty() {
            wait_for_records(&rt, &mut changes, log.idle_wait(), &mut shutdown);
            continue;
        }
        let mut records = Vec::with_capacity(raw.len());
        for r in &raw {
            match r.decode() {
                Ok(record) => records.push((r.offset.0, record)),
                // The projector sets malformed records aside as dead letters; nothing of the
                // archive's can hide in one, since only decoded events carry documents.
                Err(e) => warn!(target: "archive", offset = r.offset.0, error = %e, "skipping a malformed record"),
            }
        }
        archive.apply_log(&records)?;
        next = raw.last().map_or(next, |r| r.offset.0 + 1);
        debug!(target: "archive", next, "archiver step");
    }
}
