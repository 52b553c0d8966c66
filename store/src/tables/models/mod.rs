//! The keys and values of the state's tables, one file per group, each with its one encoding.

mod audit;
mod balances;
mod capital;
mod chain;
mod checkpoints;
mod investors;
mod partitions;
mod pools;
mod registry;

pub use audit::*;
pub use balances::*;
pub use capital::*;
pub use chain::*;
pub use checkpoints::*;
pub use investors::*;
pub(crate) use partitions::*;
pub use pools::*;
pub use registry::*;
