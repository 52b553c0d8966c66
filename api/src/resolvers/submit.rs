use async_graphql::{Context, Object, Result, SimpleObject};
use base64::Engine;
use registrar_archive::{Submission, Submitter};

use crate::auth::LabelChange;

use crate::{
    objects::{parse_address, Disclosure},
    ApiError, ApiState,
};

/// The API key a request carried (`Authorization: Bearer <key>` or `X-Api-Key`), authenticated
/// once by the HTTP handler.
#[derive(Clone, Debug)]
pub struct Caller(pub crate::auth::ApiKey);

#[derive(Default)]
pub struct Mutation;

/// A holder's off-chain label, as just set.
#[derive(SimpleObject, Clone, Debug)]
pub struct HolderLabel {
    pub token: String,
    pub holder: String,
    /// Null: the label was cleared.
    pub label: Option<String>,
    /// The id of the API key that set it.
    pub set_by: String,
    /// When, in seconds since the epoch.
    pub set_at: u64,
}

impl From<LabelChange> for HolderLabel {
    fn from(c: LabelChange) -> Self {
        HolderLabel {
            token: crate::objects::show_address(&c.token),
            holder: crate::objects::show_address(&c.holder),
            label: c.label,
            set_by: c.by,
            set_at: c.at,
        }
    }
}

#[Object]
impl Mutation {
    /// Records what the issuer knows of a holder off chain (a name, an account reference: one
    /// line, at most 256 characters); `label: null` clears it. Needs an API key with the issuer
    /// role for the token (or an admin key). Labels are private: only the token's issuer and
    /// regulator keys see them (`holder { label }`, the holder register). Every change is kept
    /// with the key that made it.
    async fn set_holder_label(
        &self,
        ctx: &Context<'_>,
        token: String,
        holder: String,
        label: Option<String>,
    ) -> Result<HolderLabel> {
        let state = ctx.data::<ApiState>()?;
        let token = parse_address(&token)?;
        let holder = parse_address(&holder)?;
        let key = ctx.data_opt::<Caller>().ok_or(ApiError::Unauthenticated)?.0.clone();
        if !key.may_publish(&format!("{token:#x}")) {
            return Err(ApiError::Forbidden(format!("key {} may not label holders of {token:#x}", key.id)).into());
        }
        let label = label.map(|l| l.trim().to_string());
        if let Some(l) = &label {
            crate::auth::check_label(l).map_err(|reason| ApiError::Invalid { field: "label", reason })?;
        }
        let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let change = LabelChange { token, holder, label, by: key.id, at };
        let labels = state.labels.clone();
        let stored = change.clone();
        tokio::task::spawn_blocking(move || labels.set(stored))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::Internal(format!("cannot record the label: {e}")))?;
        Ok(change.into())
    }

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
        let key = ctx.data_opt::<Caller>().ok_or(ApiError::Unauthenticated)?.0.clone();
        let token = parse_address(&token)?;
        if content.is_some() == text.is_some() {
            return Err(
                ApiError::Invalid { field: "content", reason: "give exactly one of content and text".into() }.into()
            );
        }
        // The key first: nothing of an unauthorised submission is decoded, hashed or stored.
        let d = state
            .archive(move |a| {
                if !key.may_publish(&format!("{token:#x}")) {
                    return Err(ApiError::Forbidden(format!("key {} may not publish for {token:#x}", key.id)));
                }
                let bytes = match (content, text) {
                    (Some(b64), _) => base64::engine::general_purpose::STANDARD
                        .decode(b64.trim())
                        .map_err(|e| ApiError::Invalid { field: "content", reason: format!("not base64: {e}") })?,
                    (None, text) => text.unwrap_or_default().into_bytes(),
                };
                let submitter = Submitter { key_id: key.id, key_name: key.name };
                let s = Submission { token, kind, title, effective_date, content_type, submitter };
                Ok(a.submit(s, &bytes)?)
            })
            .await?;
        Ok(d.into())
    }
}
