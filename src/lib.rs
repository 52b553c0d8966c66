//! The `registrar` binary's wiring: configuration, the tasks of a node, the local devnet and
//! demo scenario, and the end-to-end benchmark. Logic that a library crate could own lives there.
//!
//! # Layout
//! - `config`: settings from the command line, environment and a TOML file.
//! - `tasks`: named critical tasks and the shutdown signal they share.
//! - `node`: runs ingest, the projector and the API around the embedded log.
//! - `devnet`: starts and stops a local anvil.
//! - `contracts`: bindings of the demo contracts in `contracts/artifacts`.
//! - `scenario`: the demo's issuance, trading and enforcement activity.
//! - `demo`: `registrar demo`, the scenario indexed and served.
//! - `bench`: the end-to-end benchmark.

pub mod bench;
pub mod config;
pub mod contracts;
pub mod demo;
pub mod devnet;
pub mod node;
pub mod scenario;
pub mod tasks;
