//! The event log: the source of truth every other stage reads, behind one trait.
//!
//! Ingest appends encoded [`registrar_schemas::LogRecord`]s; the projector and the archiver read
//! them back partition by partition. On one machine the log is an [`EmbeddedLog`] in its own
//! RocksDB; on a cluster it is a Kafka topic ([`kafka::KafkaLog`]) partitioned by token, with a
//! dead-letter topic beside it. This crate owns transport, positions and offsets, and durability
//! of side files; it does not own what records mean (that is `store` and `archive`) nor how they
//! are produced from the chain (`ingest`).
//!
//! # Layout
//! - `event_log`: the [`EventLog`] trait, [`RawRecord`] and [`Partition`], and the readers' wait.
//! - `embedded`: [`EmbeddedLog`], the log in its own RocksDB.
//! - `kafka/`: the log on a Kafka topic, one file per concern: `settings`, `error`, `partitioner`
//!   (routing by chain id and contract), `admin` (the topic), `producer`, `reader`, `dead_letters`.
//! - `error`: [`LogError`], with whether a failure is worth retrying.
//! - `metrics`: the process's Prometheus series, declared in one place (every stage updates them).
//! - `memory`: [`RocksMemory`], what a RocksDB holds in memory.
//! - `files`: crash-safe replacement of side files, directory syncs, owner-only modes.

mod embedded;
mod error;
mod event_log;
pub mod files;
pub mod kafka;
mod memory;
pub mod metrics;

pub use embedded::EmbeddedLog;
pub use error::LogError;
pub use event_log::{wait_for_records, EventLog, KeepRecord, Partition, PendingAppend, RawRecord};
pub use memory::RocksMemory;
pub use metrics::{Metrics, Stage};
