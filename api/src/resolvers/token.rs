use async_graphql::{Context, Object, Result};
use registrar_store::AsOf;

use crate::{
    objects::{parse_address, BlockHeight, Token},
    ApiState,
};

#[derive(Default)]
pub struct TokenQuery;

#[Object]
impl TokenQuery {
    /// A watched token as of `block` (default: the latest indexed block); null if not watched.
    async fn token(&self, ctx: &Context<'_>, address: String, block: Option<BlockHeight>) -> Result<Option<Token>> {
        let state = ctx.data::<ApiState>()?;
        let token = parse_address(&address)?;
        let as_of = block.and_then(|b| b.number).map_or(AsOf::Latest, AsOf::Block);
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
