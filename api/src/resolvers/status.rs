use std::sync::atomic::Ordering::Relaxed;

use async_graphql::{Context, Object, Result};

use crate::{objects::Status, ApiState};

#[derive(Default)]
pub struct StatusQuery;

#[Object]
impl StatusQuery {
    /// Where the index stands against the chain.
    async fn status(&self, ctx: &Context<'_>) -> Result<Status> {
        let state = ctx.data::<ApiState>()?;
        let status = state.read(|db| db.chain_status()).await?;
        Ok(Status::new(status, state.metrics.chain_head_block.load(Relaxed)))
    }
}
