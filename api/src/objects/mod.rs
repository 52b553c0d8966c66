//! API types. Each is built `From` a domain type; none holds logic beyond formatting.

mod capital;
mod disclosure;
mod holder;
mod investors;
mod scalars;
mod status;
mod token;
mod transfer;

pub use capital::*;
pub use disclosure::{
    Anchor, AnchorConnection, ConsistencyProof, Disclosure, DisclosureConnection, DisclosureHit, DisclosureProof,
};
pub use scalars::{parse_address, BigInt};
pub use status::Status;
pub use token::{BlockHeight, Token, TokenConnection};
pub use transfer::{Transfer, TransferConnection, TransferWhere, UndecodedLog};

use async_graphql::SimpleObject;

/// Relay-style page information.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// The cursor to pass as `after` for the next page.
    pub end_cursor: Option<String>,
    pub has_next_page: bool,
}

/// Addresses are shown as lowercase 0x-hex.
pub fn show_address(a: &alloy::primitives::Address) -> String {
    format!("{a:#x}")
}
