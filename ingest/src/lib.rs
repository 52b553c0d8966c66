//! Reads watched token contracts from a JSON-RPC node and appends what they emitted to the
//! event log: backfill in adaptive `eth_getLogs` ranges, then follow the head, detecting
//! reorganisations by the hash chain of recent blocks. See `DESIGN.md` beside this crate.
//!
//! # Layout
//! - `error`: [`IngestError`] and whether each kind is worth retrying.
//! - `rpc`: the node client: timeouts, retries with backoff, rate limits, adaptive log ranges.
//! - `range`: the adaptive range size, pure logic.
//! - `decode`: logs to domain events, one decoder per event signature.
//! - `settle`: a range's records built once from the decoded logs and what the chain answered
//!   about them (token strings, countries, wallets, forced transfers) and their transactions.
//! - `trace`: call traces read without recursion (they nest a frame per call depth).
//! - `window`: the hash chain of recent blocks and the search for a common ancestor.
//! - `ingestor`: the backfill and follow loop that appends records to the log.

mod decode;
mod error;
mod ingestor;
mod range;
mod rpc;
mod settle;
mod trace;
mod window;

pub use decode::{decode_log, Decoded};
pub use error::{IngestError, RpcErrorKind};
pub use ingestor::{IngestConfig, Ingestor};
pub use range::AdaptiveRange;
pub use rpc::{Rpc, RpcConfig};
pub use settle::{settle, ForcedTransfer, ForcedTransfers, RangeReads};
pub use window::BlockWindow;
