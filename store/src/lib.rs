//! The state projected from the event log.
//!
//! The log is the source of truth: the projector applies its records in order to RocksDB column
//! families, writing the applied offset in the same `WriteBatch` as the state it produced, so a
//! crash at any instant neither loses nor double-applies a record, and replaying the log into an
//! empty store gives the same bytes. Every change above the finalized block is kept in an undo
//! table so a chain reorganisation can be rolled back exactly. See `DESIGN.md` beside this crate.
//!
//! # Layout
//! - `codec`: fixed-width encodings of keys and values, one per type.
//! - `tables/`: the column families, declared once with their key and value types (`mod.rs`);
//!   their keys and values in `models/`, one file per group (balances, partitions, registry,
//!   capital, pools, audit, chain) with [`ChainStatus`].
//! - `db`: opening the state database and typed reads.
//! - `projector/`: applying records to the state: the loop (`mod.rs`), the write overlay with undo
//!   and commit (`tx`), records about the chain (`chain`), the event dispatch (`event`), and one
//!   file per protocol family (`balances`, `partitions`, `trex`, `capital`, `pools`, `audit`).
//! - `query/`: the reads the API answers with, as of any block, one file per subject.
//! - `budget`: reads that stop once the request that asked is gone.
//! - `feed`: the position after each commit, which live readers wake on.
//!
//! It does not own the log's transport (`registrar-log`), the disclosure archive
//! (`registrar-archive`), HTTP or report formatting (`registrar-api`).

mod budget;
mod codec;
mod db;
mod error;
mod feed;
mod projector;
mod query;
mod tables;

pub use budget::ReadBudget;
pub use codec::{Codec, CodecError};
pub use db::StateDb;
pub use error::StoreError;
pub use feed::Tip;
pub use projector::{partition_lags, records_behind, run_projector, ApplyOutcome, PartitionLag, Projector};
pub use query::{
    AsOf, BondTranche, Check, ComplianceSetup, CountryCount, EventQuery, EventRow, HolderChange, HolderOrder,
    HolderRegister, HolderRow, HoldersPage, InvestorRow, InvestorSource, Issuance, IssuanceKind, IssuanceRow, Page,
    PoolSummary, ProposalTally, Reconciliation, ReconciliationRow, RegisterRow, ResolvedBlock, TokenInfo,
    TokenSnapshot, TrancheStatus, TransferFilter, TransferRow,
};
pub use tables::{
    AssetPosition, AuditAction, AuditEntry, BlockInfo, ChainStatus, CorporateActionDetail, CorporateActionKind,
    CorporateActionValue, DistributionValue, HolderState, IdentityRecord, InvestorAttribute, InvestorRecord, LinkKind,
    LockRecord, MemberKind, Membership, RuleRecord, VaultRequestValue, VoteValue, WhitelistRecord,
    INVESTOR_FULLY_LOCKED, INVESTOR_LIQUIDATE_ONLY, INVESTOR_PAUSED,
};
