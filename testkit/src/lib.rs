//! Real parts for tests, the demo and the bench: a local anvil and Kafka-protocol broker, the
//! demo contracts' bindings and deployment, the T-REX suite's deployment, and deterministic
//! scenarios of issuance, trading and enforcement.
//!
//! It owns no production path: nothing here runs in a node that follows a real chain. Every
//! crate may dev-depend on it; the binary uses it only for `registrar demo` and `registrar bench`.
//!
//! # Layout
//! - `devnet`: starts and stops a local anvil and tansu on free loopback ports.
//! - `contracts`: bindings of the demo contracts in `contracts/artifacts`.
//! - `pdf`: small PDF files built by hand (text to extract, hostile forms to contain).
//! - `protocols`: the DS Protocol and ST-20 suites deployed and played.
//! - `scenario`: the demo's issuance, trading and enforcement activity, deterministic by seed.
//! - `trex`: the ERC-3643 T-REX suite (npm `@tokenysolutions/t-rex`) deployed and exercised.

/// Sends a call from `from` and waits for its receipt; a revert is an error.
#[macro_export]
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

pub mod contracts;
pub mod devnet;
pub mod pdf;
pub mod protocols;
pub mod scenario;
pub mod trex;
