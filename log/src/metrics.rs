//! Every Prometheus series of the process, declared in one place, in base units, named
//! `registrar_<subsystem>_<what>[_total]`. Ingest and the projector update them; the API renders
//! them at `GET /metrics`.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        atomic::{AtomicU64, Ordering::Relaxed},
        Mutex,
    },
};

/// The process's metrics. Cheap to update from any thread.
#[derive(Debug, Default)]
pub struct Metrics {
    /// The chain head ingest last saw.
    pub chain_head_block: AtomicU64,
    /// The highest block whose records are appended to the log.
    pub ingest_block: AtomicU64,
    /// The highest block the projector has applied.
    pub indexed_block: AtomicU64,
    /// The highest block with `confirmations` blocks on top.
    pub finalized_block: AtomicU64,
    pub log_records_appended: AtomicU64,
    pub events_applied: AtomicU64,
    pub undecoded_logs: AtomicU64,
    pub dead_letters: AtomicU64,
    pub reorgs: AtomicU64,
    /// Records the projector dropped as copies of records it had applied.
    pub duplicates_dropped: AtomicU64,
    pub balance_anomalies: AtomicU64,
    pub rpc_requests: AtomicU64,
    pub backfill_range_blocks: AtomicU64,
    /// Leaves of the disclosure log.
    pub archive_leaves: AtomicU64,
    /// The largest tree size anchored on chain and final.
    pub archive_anchored_size: AtomicU64,
    pub anchor_transactions: AtomicU64,
    pub anchor_replacements: AtomicU64,
    pub anchor_root_mismatches: AtomicU64,
    /// GraphQL requests cut at their deadline.
    pub api_deadline_exceeded: AtomicU64,
    /// WebSocket subscribers closed for leaving messages untaken.
    pub slow_subscribers: AtomicU64,
    /// Documents archived without text because extraction failed or ran out of its limits.
    pub text_extraction_failures: AtomicU64,
    rpc_errors: Mutex<BTreeMap<&'static str, u64>>,
    /// Busy time of each stage of the pipeline, nanoseconds (see [`Stage`]).
    stage_nanos: [AtomicU64; Stage::ALL.len()],
}

/// A stage of the pipeline whose busy time is counted: where the time of a sync goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// `eth_getLogs` and the headers of the blocks that hold logs (ranges in parallel: their
    /// times add up beyond the wall clock).
    Fetch,
    /// Logs decoded into records, and what events leave out read from the chain and settled.
    Decode,
    /// Records encoded and appended to the event log, acknowledgements included.
    Append,
    /// Records read back from the log, decoded and applied to the state.
    Project,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Fetch, Stage::Decode, Stage::Append, Stage::Project];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Fetch => "fetch",
            Stage::Decode => "decode",
            Stage::Append => "append",
            Stage::Project => "project",
        }
    }
}

impl Metrics {
    /// Counts a failed RPC call by kind (`rate_limited`, `server`, `timeout`, ...).
    pub fn rpc_error(&self, kind: &'static str) {
        *self.rpc_errors.lock().expect("metrics lock poisoned").entry(kind).or_default() += 1;
    }

    /// Adds `elapsed` to the busy time of `stage`.
    pub fn stage_time(&self, stage: Stage, elapsed: std::time::Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.stage_nanos[stage as usize].fetch_add(nanos, Relaxed);
    }

    /// The busy time of `stage` so far, seconds.
    pub fn stage_seconds(&self, stage: Stage) -> f64 {
        self.stage_nanos[stage as usize].load(Relaxed) as f64 / 1e9
    }

    pub fn rpc_errors(&self, kind: &str) -> u64 {
        self.rpc_errors.lock().expect("metrics lock poisoned").get(kind).copied().unwrap_or(0)
    }

    /// Blocks between the chain head and the indexed block.
    pub fn lag_blocks(&self) -> u64 {
        self.chain_head_block.load(Relaxed).saturating_sub(self.indexed_block.load(Relaxed))
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let series: [(&str, &str, &str, u64); 22] = [
            ("registrar_chain_head_block", "gauge", "Chain head seen by ingest.", self.chain_head_block.load(Relaxed)),
            (
                "registrar_ingest_block",
                "gauge",
                "Highest block appended to the event log.",
                self.ingest_block.load(Relaxed),
            ),
            (
                "registrar_indexed_block",
                "gauge",
                "Highest block applied by the projector.",
                self.indexed_block.load(Relaxed),
            ),
            (
                "registrar_finalized_block",
                "gauge",
                "Highest block with enough confirmations.",
                self.finalized_block.load(Relaxed),
            ),
            ("registrar_lag_blocks", "gauge", "Chain head minus indexed block.", self.lag_blocks()),
            (
                "registrar_ingest_range_blocks",
                "gauge",
                "Current eth_getLogs range size.",
                self.backfill_range_blocks.load(Relaxed),
            ),
            (
                "registrar_log_records_appended_total",
                "counter",
                "Records appended to the event log.",
                self.log_records_appended.load(Relaxed),
            ),
            (
                "registrar_events_applied_total",
                "counter",
                "Token events applied by the projector.",
                self.events_applied.load(Relaxed),
            ),
            (
                "registrar_undecoded_logs_total",
                "counter",
                "Logs of watched contracts no decoder accepted.",
                self.undecoded_logs.load(Relaxed),
            ),
            (
                "registrar_dead_letters_total",
                "counter",
                "Log records that were not valid records.",
                self.dead_letters.load(Relaxed),
            ),
            ("registrar_reorgs_total", "counter", "Chain reorganisations handled.", self.reorgs.load(Relaxed)),
            (
                "registrar_duplicates_dropped_total",
                "counter",
                "Log records dropped as copies of records already applied (a broker's retries).",
                self.duplicates_dropped.load(Relaxed),
            ),
            (
                "registrar_balance_anomalies_total",
                "counter",
                "Events that would take a balance below zero.",
                self.balance_anomalies.load(Relaxed),
            ),
            ("registrar_rpc_requests_total", "counter", "JSON-RPC requests sent.", self.rpc_requests.load(Relaxed)),
            ("registrar_archive_leaves", "gauge", "Leaves of the disclosure log.", self.archive_leaves.load(Relaxed)),
            (
                "registrar_archive_anchored_size",
                "gauge",
                "Largest tree size anchored on chain and final.",
                self.archive_anchored_size.load(Relaxed),
            ),
            (
                "registrar_anchor_transactions_total",
                "counter",
                "Anchor transactions sent, replacements included.",
                self.anchor_transactions.load(Relaxed),
            ),
            (
                "registrar_anchor_replacements_total",
                "counter",
                "Anchor transactions replaced or re-sent.",
                self.anchor_replacements.load(Relaxed),
            ),
            (
                "registrar_anchor_root_mismatches_total",
                "counter",
                "Anchored roots that are not the archive's root at that size.",
                self.anchor_root_mismatches.load(Relaxed),
            ),
            (
                "registrar_api_deadline_exceeded_total",
                "counter",
                "GraphQL requests cut at their deadline.",
                self.api_deadline_exceeded.load(Relaxed),
            ),
            (
                "registrar_api_slow_subscribers_total",
                "counter",
                "WebSocket subscribers closed for leaving messages untaken.",
                self.slow_subscribers.load(Relaxed),
            ),
            (
                "registrar_text_extraction_failures_total",
                "counter",
                "Documents archived without text: extraction failed or ran out of its limits.",
                self.text_extraction_failures.load(Relaxed),
            ),
        ];
        let mut out = String::new();
        for (name, kind, help, value) in series {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        let _ = writeln!(out, "# HELP registrar_rpc_errors_total Failed JSON-RPC requests by kind.\n# TYPE registrar_rpc_errors_total counter");
        for (kind, n) in self.rpc_errors.lock().expect("metrics lock poisoned").iter() {
            let _ = writeln!(out, "registrar_rpc_errors_total{{kind=\"{kind}\"}} {n}");
        }
        let _ = writeln!(out, "# HELP registrar_stage_seconds_total Busy time of each pipeline stage (fetch, decode, append, project).\n# TYPE registrar_stage_seconds_total counter");
        for stage in Stage::ALL {
            let _ = writeln!(
                out,
                "registrar_stage_seconds_total{{stage=\"{}\"}} {}",
                stage.name(),
                self.stage_seconds(stage)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.chain_head_block.store(10, Relaxed);
        m.indexed_block.store(7, Relaxed);
        m.rpc_error("rate_limited");
        m.rpc_error("rate_limited");
        let text = m.render();
        assert!(text.contains("registrar_lag_blocks 3\n"));
        assert!(text.contains("registrar_rpc_errors_total{kind=\"rate_limited\"} 2\n"));
    }
}
