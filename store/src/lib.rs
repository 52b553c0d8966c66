//! The event log and the state projected from it.
//!
//! The log is the source of truth: the projector applies its records in order to RocksDB column
//! families, writing the applied offset in the same `WriteBatch` as the state it produced, so a
//! crash at any instant neither loses nor double-applies a record, and replaying the log into an
//! empty store gives the same bytes. Every change above the finalized block is kept in an undo
//! table so a chain reorganisation can be rolled back exactly. See `DESIGN.md` beside this crate.
//!
//! # Layout
//! - `log`: the [`EventLog`] trait and [`EmbeddedLog`], the log in its own RocksDB.
//! - `codec`: fixed-width encodings of keys and values, one per type.
//! - `tables`: the column families, declared once with their key and value types.
//! - `db`: opening the state database and typed reads.
//! - `projector`: applying records to the state, reverts included.
//! - `query`: the reads the API answers with, as of any block.
//! - `metrics`: the process's Prometheus series, declared in one place.
//! - `kafka`: the event log on a Kafka topic (partitioned by token, chain records broadcast).
//! - `budget`: reads that stop once the request that asked is gone.
//! - `files`: crash-safe replacement of side files, directory syncs, owner-only modes.
//! - `labels`: off-chain labels of holders (names, references), private, kept beside the state.
//! - `archive`: the disclosure archive: content store, search index and the Merkle log's nodes.

pub mod archive;
mod budget;
mod codec;
mod db;
mod error;
pub mod files;
pub mod kafka;
pub mod labels;
mod log;
pub mod metrics;
mod projector;
mod query;
mod tables;

pub use budget::ReadBudget;
pub use codec::{Codec, CodecError};
pub use db::{RocksMemory, StateDb};
pub use error::StoreError;
pub use log::{EmbeddedLog, EventLog, Partition, RawRecord};
pub use metrics::Metrics;
pub use projector::{partition_lags, records_behind, run_projector, ApplyOutcome, PartitionLag, Projector};
pub use query::{
    ChainStatus, EventQuery, EventRow, HolderOrder, HolderRow, HoldersPage, Page, TokenInfo, TokenSnapshot,
    TransferFilter, TransferRow,
};
pub use tables::{
    AssetPosition, AuditAction, AuditEntry, BlockInfo, CorporateActionKind, CorporateActionValue, DistributionValue,
    HolderState, IdentityRecord, LinkKind, MemberKind, Membership, VaultRequestValue, VoteValue,
};
