use async_graphql::{Context, Object, Result};
use base64::Engine;
use registrar_store::archive::Submission;

use crate::{
    objects::{parse_address, Disclosure},
    ApiError, ApiState,
};

/// The secret of the API key a request carried (`Authorization: Bearer <key>` or `X-Api-Key`).
#[derive(Clone, Debug)]
pub struct Caller(pub String);

#[derive(Default)]
pub struct Mutation;

#[Object]
impl Mutation {
    /// Publishes a disclosure for `token`: `content` (base64) or `text`, one of them. Needs an
    /// API key of an issuer of the token. Types: text/plain, text/markdown, text/html,
    /// application/pdf (guessed from the bytes when `contentType` is absent).
    #[allow(clippy::too_many_arguments)]
    async fn submit_disclosure(
        &self,
        ctx: &Context<'_>,
        token: String,
        kind: String,
        title: String,
        effective_date: Option<String>,
        content: Option<String>,
        text: Option<String>,
        content_type: Option<String>,
    ) -> Result<Disclosure> {
        let state = ctx.data::<ApiState>()?;
        let secret = ctx.data_opt::<Caller>().ok_or(ApiError::Unauthenticated)?.0.clone();
        let token = parse_address(&token)?;
        let bytes = match (content, text) {
            (Some(b64), None) => base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| ApiError::Invalid { field: "content", reason: format!("not base64: {e}") })?,
            (None, Some(text)) => text.into_bytes(),
            _ => {
                return Err(ApiError::Invalid {
                    field: "content",
                    reason: "give exactly one of content and text".into(),
                }
                .into())
            }
        };
        let d = state
            .archive(move |a| {
                let key = a.keys().authenticate(&secret)?.ok_or(ApiError::Unauthenticated)?;
                let s = Submission { token, kind, title, effective_date, content_type, key };
                Ok(a.submit(s, &bytes)?)
            })
            .await?;
        Ok(d.into())
    }
}
