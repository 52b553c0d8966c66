//! The `registrar` binary's wiring: configuration, the tasks of a node, the demo and the
//! end-to-end benchmark. Logic that a library crate could own lives there: the devnet, contracts
//! and scenarios in `testkit`, anchoring in `archive`.
//!
//! # Layout
//! - `config`: settings from the command line, environment and a TOML file.
//! - `tasks`: named critical tasks and the shutdown signal they share.
//! - `node`: runs ingest, the projector and the API around the event log, together or as roles.
//! - `dlq`: `registrar dlq list|replay`, the dead letters of the Kafka log.
//! - `demo`: `registrar demo`, the scenario indexed and served.
//! - `bench`: the end-to-end benchmark.
//! - `report`: `registrar report`, regulator reports fetched from a server.
//! - `soak`: `registrar soak`, thousands of hostile requests against a server, with its checks.
//! - `verify`: `registrar verify`, `registrar merkle` and `registrar disclose`.
//! - `webhooks`: signed, retried deliveries of where the index stands after each commit.

pub mod bench;
pub mod config;
pub mod demo;
pub mod dlq;
pub mod node;
pub mod report;
pub mod soak;
pub mod tasks;
pub mod verify;
pub mod webhooks;
