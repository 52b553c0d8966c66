use async_graphql::{Context, Object, Result};

use crate::{
    objects::{parse_address, BlockHeight, Token},
    ApiError, ApiState,
};

#[derive(Default)]
pub struct TokenQuery;

#[Object]
impl TokenQuery {
    /// A watched token as of `block` (default: the latest indexed block); null if not watched.
    async fn token(&self, ctx: &Context<'_>, address: String, block: Option<BlockHeight>) -> Result<Option<Token>> {
        let state = ctx.data::<ApiState>()?;
        let token = parse_address(&address)?;
        let requested = block.and_then(|b| b.number);
        let found = state
            .read(move |db| {
                let status = db.chain_status()?;
                let Some(info) = db.token(token)? else { return Ok(Ok(None)) };
                let Some(status) = status else { return Ok(Err(ApiError::NotIndexed)) };
                let block = requested.unwrap_or(status.indexed_block);
                if block > status.indexed_block {
                    return Ok(Err(ApiError::BlockNotIndexed { requested: block, indexed: status.indexed_block }));
                }
                Ok(Ok(Some((info, block, block <= status.finalized_block, db.token_at(token, block)?))))
            })
            .await??;
        Ok(found.map(|(info, block, finalized, snapshot)| Token::new(info, block, finalized, snapshot)))
    }
}
