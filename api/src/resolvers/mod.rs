//! One file per root field. Each parses its arguments, reads the store and builds objects.

mod disclosures;
mod report;
mod status;
pub(crate) mod submit;
mod token;
mod tokens;
mod undecoded;

use async_graphql::MergedObject;

use crate::ApiError;

/// The root query type.
#[derive(MergedObject, Default)]
pub struct Query(
    status::StatusQuery,
    tokens::TokensQuery,
    token::TokenQuery,
    undecoded::UndecodedQuery,
    disclosures::DisclosuresQuery,
    report::ReportQuery,
);

pub use submit::{Caller, Mutation};

/// The largest page a list returns.
pub const MAX_PAGE: i32 = 1000;

/// Checks `first` and applies the default of 100.
pub fn page_size(first: Option<i32>) -> Result<usize, ApiError> {
    match first {
        None => Ok(100),
        Some(n) if (0..=MAX_PAGE).contains(&n) => Ok(n as usize),
        Some(n) => Err(ApiError::BadFirst { got: n, max: MAX_PAGE }),
    }
}
