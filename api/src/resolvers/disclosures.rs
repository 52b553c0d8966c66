use async_graphql::{Context, Object, Result};
use registrar_archive::SearchQuery;
use registrar_merkle::{parse_hash, TreeSize};

use super::page_size;
use crate::{
    objects::{
        parse_address, Anchor, AnchorConnection, ConsistencyProof, Disclosure, DisclosureConnection, DisclosureHit,
        DisclosureProof, PageInfo,
    },
    ApiError, ApiState,
};

#[derive(Default)]
pub struct DisclosuresQuery;

#[Object]
impl DisclosuresQuery {
    /// Archived disclosures, newest first, or by relevance with `search` (words, "phrases",
    /// AND/OR, -exclusions). `from`/`to` are dates (`2026-03-31`), times
    /// (`2026-03-31T12:00:00Z`) or unix seconds, inclusive.
    #[allow(clippy::too_many_arguments)]
    async fn disclosures(
        &self,
        ctx: &Context<'_>,
        token: Option<String>,
        kind: Option<String>,
        from: Option<String>,
        to: Option<String>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<DisclosureConnection> {
        let state = ctx.data::<ApiState>()?;
        let limit = page_size(first)?;
        let offset = match after {
            Some(c) => c.parse::<usize>().ok().and_then(|o| o.checked_add(1)).ok_or(ApiError::BadCursor)?,
            None => 0,
        };
        let q = SearchQuery {
            token: token.as_deref().map(parse_address).transpose()?.map(|a| a.into_array()),
            kind,
            from: from.as_deref().map(|s| parse_time("from", s, false)).transpose()?,
            to: to.as_deref().map(|s| parse_time("to", s, true)).transpose()?,
            text: search,
            offset,
            limit,
        };
        let (hits, total) = state.archive(move |a| Ok(a.search(&q)?)).await?;
        let end = offset + hits.len();
        Ok(DisclosureConnection {
            page_info: PageInfo {
                end_cursor: (!hits.is_empty()).then(|| (end - 1).to_string()),
                has_next_page: end < total,
            },
            total_count: total as u64,
            nodes: hits.into_iter().map(|(d, snippet)| DisclosureHit { disclosure: d.into(), snippet }).collect(),
        })
    }

    /// The first disclosure of the content with this BLAKE3 hash.
    async fn disclosure(&self, ctx: &Context<'_>, hash: String) -> Result<Option<Disclosure>> {
        let state = ctx.data::<ApiState>()?;
        let hash = parse_hash(&hash).map_err(|reason| ApiError::Invalid { field: "hash", reason })?;
        Ok(state.archive(move |a| Ok(a.disclosure_by_hash(&hash)?)).await?.map(Into::into))
    }

    /// The inclusion proof of a disclosure, at the first anchor that covers it; with
    /// `anchoredOnly: false`, at the current size when no anchor covers it yet.
    async fn disclosure_proof(
        &self,
        ctx: &Context<'_>,
        hash: String,
        #[graphql(default = true)] anchored_only: bool,
    ) -> Result<Option<DisclosureProof>> {
        let state = ctx.data::<ApiState>()?;
        let hash = parse_hash(&hash).map_err(|reason| ApiError::Invalid { field: "hash", reason })?;
        let proof = state
            .archive(move |a| {
                let Some(d) = a.disclosure_by_hash(&hash)? else { return Ok(None) };
                Ok(a.proof(d.leaf_index, anchored_only)?)
            })
            .await?;
        Ok(proof.map(DisclosureProof::from))
    }

    /// Final anchors of the log by tree size, each with the consistency proof from the one before.
    async fn anchors(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<AnchorConnection> {
        let state = ctx.data::<ApiState>()?;
        let limit = page_size(first)?;
        let after = after.map(|c| c.parse::<u64>().map_err(|_| ApiError::BadCursor)).transpose()?;
        let (anchors, more) = state
            .archive(move |a| {
                let mut records = a.anchors(after, limit + 1)?;
                let more = records.len() > limit;
                records.truncate(limit);
                let mut out: Vec<Anchor> = Vec::with_capacity(records.len());
                for r in records {
                    // Anchors come by size: the one before is the previous page entry, or a lookup.
                    let previous = match out.last() {
                        Some(p) => Some(p.tree_size),
                        None => a.previous_anchor(r.tree_size)?.map(|p| p.tree_size),
                    };
                    let path = match previous {
                        Some(p) => a.consistency(TreeSize(p), TreeSize(r.tree_size))?.2,
                        None => Vec::new(),
                    };
                    out.push(Anchor::new(r, previous, path.iter().map(hex::encode).collect()));
                }
                Ok((out, more))
            })
            .await?;
        Ok(AnchorConnection {
            page_info: PageInfo { end_cursor: anchors.last().map(|a| a.tree_size.to_string()), has_next_page: more },
            nodes: anchors,
        })
    }

    /// The consistency proof between two sizes of the log (RFC 9162 §2.1.4).
    async fn consistency_proof(&self, ctx: &Context<'_>, from_size: u64, to_size: u64) -> Result<ConsistencyProof> {
        let state = ctx.data::<ApiState>()?;
        let (algorithm, (from_root, to_root, path)) =
            state.archive(move |a| Ok((a.algorithm(), a.consistency(TreeSize(from_size), TreeSize(to_size))?))).await?;
        Ok(ConsistencyProof {
            hash_algorithm: algorithm.to_string(),
            from_size,
            to_size,
            from_root: hex::encode(from_root),
            to_root: hex::encode(to_root),
            path: path.iter().map(hex::encode).collect(),
        })
    }
}

/// Unix seconds from `2026-03-31`, `2026-03-31T12:00:00Z` or `1774915200`; a bare date ends the
/// day when it is an upper bound.
pub fn parse_time(field: &'static str, s: &str, upper: bool) -> Result<u64, ApiError> {
    let bad = || ApiError::Invalid { field, reason: format!("{s:?} is not a date, a UTC time or unix seconds") };
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(secs);
    }
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').ok_or_else(bad)?)),
        None => (s, None),
    };
    let parts: Vec<i64> = date.split('-').map(|p| p.parse().map_err(|_| bad())).collect::<Result<_, _>>()?;
    let [y, m, d] = parts[..] else { return Err(bad()) };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || y < 1970 {
        return Err(bad());
    }
    let days = days_from_civil(y, m, d);
    let secs_of_day = match time {
        None => {
            if upper {
                86_399
            } else {
                0
            }
        }
        Some(t) => {
            let hms: Vec<i64> = t.split(':').map(|p| p.parse().map_err(|_| bad())).collect::<Result<_, _>>()?;
            let [h, mi, se] = hms[..] else { return Err(bad()) };
            if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..61).contains(&se) {
                return Err(bad());
            }
            h * 3600 + mi * 60 + se
        }
    };
    Ok((days * 86_400 + secs_of_day) as u64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("from", "1970-01-01", false).unwrap(), 0);
        assert_eq!(parse_time("from", "2026-11-23", false).unwrap(), 1_795_392_000);
        assert_eq!(parse_time("to", "2026-11-23", true).unwrap(), 1_795_392_000 + 86_399);
        assert_eq!(parse_time("from", "2026-11-23T01:02:03Z", false).unwrap(), 1_795_392_000 + 3723);
        assert_eq!(parse_time("from", "12345", false).unwrap(), 12345);
        for bad in ["2026-13-01", "yesterday", "2026-11-23T01:02", "2026-11-23T01:02:03+01:00"] {
            assert!(parse_time("from", bad, false).is_err(), "{bad}");
        }
    }
}
