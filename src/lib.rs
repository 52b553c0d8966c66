//! The `registrar` binary's wiring: configuration, the tasks of a node, the local devnet and
//! demo scenario, and the end-to-end benchmark. Logic that a library crate could own lives there.
//!
//! # Layout
//! - `anchor`: anchors the disclosure archive's roots on chain.
//! - `config`: settings from the command line, environment and a TOML file.
//! - `tasks`: named critical tasks and the shutdown signal they share.
//! - `node`: runs ingest, the projector and the API around the event log, together or as roles.
//! - `dlq`: `registrar dlq list|replay`, the dead letters of the Kafka log.
//! - `devnet`: starts and stops a local anvil.
//! - `contracts`: bindings of the demo contracts in `contracts/artifacts`.
//! - `scenario`: the demo's issuance, trading and enforcement activity.
//! - `demo`: `registrar demo`, the scenario indexed and served.
//! - `bench`: the end-to-end benchmark.
//! - `report`: `registrar report`, regulator reports fetched from a server.
//! - `soak`: `registrar soak`, thousands of hostile requests against a server, with its checks.
//! - `verify`: `registrar verify`, `registrar merkle` and `registrar disclose`.

/// Sends a call from `from` and waits for its receipt; a revert is an error.
macro_rules! send {
    ($call:expr, $from:expr, $what:expr) => {{
        let pending = ::anyhow::Context::with_context($call.from($from).send().await, || format!("sending {}", $what))?;
        let receipt = ::anyhow::Context::with_context(pending.get_receipt().await, || format!("receipt of {}", $what))?;
        if !receipt.status() {
            ::anyhow::bail!("{} reverted in tx {}", $what, receipt.transaction_hash);
        }
        receipt.block_number.unwrap_or_default()
    }};
}

pub mod anchor;
pub mod bench;
pub mod config;
pub mod contracts;
pub mod demo;
pub mod devnet;
pub mod dlq;
pub mod node;
pub mod report;
pub mod scenario;
pub mod soak;
pub mod tasks;
pub mod trex;
pub mod verify;
