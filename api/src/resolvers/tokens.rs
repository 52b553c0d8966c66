use async_graphql::{Context, Object, Result};

use super::page_size;
use crate::{
    objects::{PageInfo, TokenConnection},
    ApiState,
};

#[derive(Default)]
pub struct TokensQuery;

#[Object]
impl TokensQuery {
    /// Watched tokens, by address.
    async fn tokens(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<TokenConnection> {
        let state = ctx.data::<ApiState>()?;
        let first = page_size(first)?;
        let page = state.read(move |db| db.tokens(first, after.as_deref())).await?;
        Ok(TokenConnection {
            nodes: page.rows.into_iter().map(Into::into).collect(),
            page_info: PageInfo { end_cursor: page.end_cursor, has_next_page: page.has_next },
        })
    }
}
