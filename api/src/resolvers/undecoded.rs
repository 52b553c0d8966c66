use async_graphql::{Context, Object, Result};

use super::page_size;
use crate::{objects::UndecodedLog, ApiState};

#[derive(Default)]
pub struct UndecodedQuery;

#[Object]
impl UndecodedQuery {
    /// Logs of watched contracts that no decoder accepted, oldest first.
    async fn undecoded_logs(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<UndecodedLog>> {
        let state = ctx.data::<ApiState>()?;
        let first = page_size(first)?;
        let rows = state.read(move |db| db.undecoded(first)).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
