use async_graphql::{Context, Object, Result};

use crate::{
    objects::{parse_address, BlockHeight, Token},
    ApiState,
};

#[derive(Default)]
pub struct TokenQuery;

#[Object]
impl TokenQuery {
    /// A watched token as of `block` (default: the latest indexed block): a block number, or a
    /// time (the last block at or before it); null if not watched.
    async fn token(&self, ctx: &Context<'_>, address: String, block: Option<BlockHeight>) -> Result<Option<Token>> {
        let state = ctx.data::<ApiState>()?;
        let token = parse_address(&address)?;
        let as_of = BlockHeight::as_of(block.as_ref())?;
        let found = state
            .read(move |db| {
                let Some(info) = db.token(token)? else { return Ok(None) };
                let at = db.resolve_as_of(as_of)?;
                Ok(Some((info, at.block, at.finalized, db.token_at(token, at.block)?)))
            })
            .await?;
        Ok(found.map(|(info, block, finalized, snapshot)| Token::new(info, block, finalized, snapshot)))
    }
}
