use async_graphql::{Context, Object, Result, SimpleObject};

use crate::{
    objects::{parse_address, show_address},
    reports::{self, ReportFormat, ReportKind},
    ApiState,
};

#[derive(Default)]
pub struct ReportQuery;

/// A regulator report as of a block: its body in the format asked for, the block it is as of
/// and the BLAKE3 digest of its canonical CSV lines.
#[derive(SimpleObject, Clone, Debug)]
pub struct Report {
    pub kind: ReportKind,
    pub token: String,
    pub block: u64,
    /// Null for a block that holds no event of a watched contract and is not the latest indexed.
    pub block_hash: Option<String>,
    /// `blake3:<hex>` of the report's canonical CSV lines, whatever the format.
    pub digest: String,
    pub content_type: String,
    pub body: String,
}

#[Object]
impl ReportQuery {
    /// A report on `token`: the holder register or the reconciliation as of `block` or `at`
    /// (RFC 3339; the last block at or before it), default the latest indexed block; transfers or
    /// issuance over `from`..`to` (each a block number or an RFC 3339 time); a holder's statement
    /// (`holder`) or the open items over the same range.
    #[allow(clippy::too_many_arguments)] // GraphQL arguments.
    async fn report(
        &self,
        ctx: &Context<'_>,
        kind: ReportKind,
        token: String,
        block: Option<u64>,
        at: Option<String>,
        from: Option<String>,
        to: Option<String>,
        holder: Option<String>,
        #[graphql(default)] format: ReportFormat,
    ) -> Result<Report> {
        let state = ctx.data::<ApiState>()?;
        let token = parse_address(&token)?;
        let as_of = reports::parse_as_of(block, at.as_deref(), to.as_deref())?;
        let from = from.as_deref().map(reports::parse_bound).transpose()?;
        let caller = ctx.data_opt::<crate::resolvers::submit::Caller>().map(|c| &c.0);
        let private = state.private_view(caller, token);
        let holder = holder.as_deref().map(parse_address).transpose()?;
        let request = reports::ReportRequest { kind, token, as_of, from, holder, format };
        let r = state.read(move |db| Ok(reports::build(db, &request, private))).await??;
        Ok(Report {
            kind: r.kind,
            token: show_address(&r.token),
            block: r.block,
            block_hash: r.block_hash.map(|h| format!("{h:#x}")),
            digest: format!("blake3:{}", r.digest),
            content_type: r.content_type.to_string(),
            body: r.body,
        })
    }
}
