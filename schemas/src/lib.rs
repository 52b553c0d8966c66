//! What flows through registrar: the domain events decoded from token contracts, the control
//! records of the pipeline, their Protobuf encoding on the event log, and the Solidity bindings
//! the events are decoded with. This crate does no I/O.
//!
//! # Layout
//! - `primitives`: the newtypes that cross module boundaries (`ChainId`, `BlockNumber`, `LogOffset`).
//! - `admin`: the administrative actions of token suites and the links between their contracts.
//! - `record`: the log record enum ([`LogRecord`]) and the domain event types it carries.
//! - `registers`: the records of DS and ST-20 investor registers (investors, locks, whitelists).
//! - `wire`: the Protobuf encoding of [`LogRecord`], generated from `proto/registrar/v1/log.proto`.
//! - `abi`: `sol!` bindings of the token events and views registrar reads.

pub mod abi;
mod admin;
mod primitives;
mod record;
mod registers;
mod wire;

pub use admin::{
    AdminAction, SuiteLink, DS_COMPLIANCE_CONFIGURATION, DS_COMPLIANCE_SERVICE, DS_LOCK_MANAGER, DS_REGISTRY_SERVICE,
    DS_TOKEN, DS_TRUST_SERVICE, DS_WALLET_MANAGER, ST20_TRANSFER_MANAGER,
};
pub use primitives::{BlockNumber, ChainId, LogOffset};
pub use record::{
    BlockRef, BlocksCommitted, BondAmount, BondMoveKind, ChainEvent, DistributionKind, DocumentAction, EventMeta,
    IdentityAction, LogRecord, Move, MoveKind, PoolAssetAction, Position, Reverted, TokenDiscovered, TokenEvent,
    UndecodedLog,
};
pub use registers::{InvestorAction, InvestorChange, LockChange, RuleForm, WhitelistEntry};
pub use wire::{proto, DecodeError};

/// The path of the Protobuf schema of the log, relative to this crate.
pub const PROTO_SCHEMA_PATH: &str = "proto/registrar/v1/log.proto";
