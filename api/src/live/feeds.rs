//! The subscription root: each field is a feed of the state or the archive.

use std::time::Duration;

use alloy::primitives::Address;
use async_graphql::{Context, Result, SimpleObject, Subscription as GraphQLSubscription};
use futures::{Stream, StreamExt};
use registrar_store::{HolderState, StateDb, StoreError, TransferFilter};

use super::follow::{follow, Source, Update};
use crate::{
    objects::{parse_address, show_address, Anchor, BigInt, Disclosure, Transfer},
    ApiState,
};

/// How often the archive feeds look for new leaves and anchors besides each commit.
const ARCHIVE_POLL: Duration = Duration::from_secs(1);
/// Leaves or anchors read from the archive at once.
const ARCHIVE_PAGE: usize = 256;

#[derive(Default)]
pub struct Subscription;

/// The index moved: a range of blocks was committed, or a reorg abandoned blocks.
#[derive(SimpleObject, Clone, Debug)]
pub struct BlockUpdate {
    /// The indexed block; after a reorg, the common ancestor the index went back to.
    pub number: u64,
    /// Its hash, when known (the indexed head's always is).
    pub hash: Option<String>,
    /// True when the chain abandoned every block above `number`: what was sent of them is void.
    pub reverted: bool,
    /// Whether `number` has `confirmations` blocks on top.
    #[graphql(name = "final")]
    pub is_final: bool,
    pub finalized_block: u64,
    /// The chain head ingest last saw.
    pub head_block: u64,
}

/// A transfer of the followed token, or its retraction after a reorg.
#[derive(SimpleObject, Clone, Debug)]
pub struct TransferUpdate {
    /// The transfer's block was abandoned: undo it.
    pub retracted: bool,
    /// The transfer's block is final: no reorg will retract it.
    #[graphql(name = "final")]
    pub is_final: bool,
    pub transfer: Transfer,
}

/// A holder's state after a block that changed it; after a reorg, the state it went back to.
#[derive(SimpleObject, Clone, Debug)]
pub struct HolderUpdate {
    /// The change's block was abandoned: the fields are the holder's state at the common ancestor.
    pub retracted: bool,
    #[graphql(name = "final")]
    pub is_final: bool,
    /// The block that changed the holder.
    pub block_number: u64,
    pub address: String,
    pub balance: BigInt,
    pub frozen: BigInt,
    pub is_frozen: bool,
}

#[GraphQLSubscription]
impl Subscription {
    /// Every commit of the index (after the current one), and every reorg, as it happens.
    async fn blocks(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = BlockUpdate>> {
        let state = ctx.data::<ApiState>()?.clone();
        Ok(async_stream::stream! {
            let mut tip = state.db.tip();
            let (mut seen, mut last) = {
                let now = tip.borrow();
                (now.reverts, now.status.map(|s| (s.indexed_block, s.indexed_hash)))
            };
            loop {
                let now = tip.borrow_and_update().clone();
                if let Some(ancestor) = now.reverted_since(seen) {
                    seen = now.reverts;
                    let hash = state.read(move |db| db.block_info(ancestor)).await.ok().flatten();
                    last = None;
                    yield BlockUpdate {
                        number: ancestor,
                        hash: hash.map(|i| format!("{:#x}", i.hash)),
                        reverted: true,
                        is_final: false,
                        finalized_block: now.status.map_or(0, |s| s.finalized_block.0),
                        head_block: now.status.map_or(0, |s| s.head_block.0),
                    };
                }
                if let Some(s) = now.status {
                    if last != Some((s.indexed_block, s.indexed_hash)) {
                        yield BlockUpdate {
                            number: s.indexed_block.0,
                            hash: Some(format!("{:#x}", s.indexed_hash)),
                            reverted: false,
                            is_final: s.indexed_block <= s.finalized_block,
                            finalized_block: s.finalized_block.0,
                            head_block: s.head_block.0,
                        };
                    }
                    last = Some((s.indexed_block, s.indexed_hash));
                }
                tokio::select! {
                    changed = tip.changed() => if changed.is_err() { break },
                    () = state.live.closed() => break,
                }
            }
        })
    }

    /// The token's transfers from the block after `fromBlock` on (from the next commit when
    /// absent), optionally only those with `account` on either side.
    async fn transfers(
        &self,
        ctx: &Context<'_>,
        token: String,
        account: Option<String>,
        from_block: Option<u64>,
    ) -> Result<impl Stream<Item = Result<TransferUpdate>>> {
        let state = ctx.data::<ApiState>()?.clone();
        let token = parse_address(&token)?;
        let account = account.as_deref().map(parse_address).transpose()?;
        let feed = Transfers { token, filter: TransferFilter { account, ..Default::default() } };
        Ok(follow(state, feed, from_block).map(|u| {
            let u: Update<registrar_store::TransferRow> = u?;
            Ok(TransferUpdate { retracted: u.retracted, is_final: u.is_final, transfer: u.item.into() })
        }))
    }

    /// The token's holders each block changes, with their state after it, from the block after
    /// `fromBlock` on (from the next commit when absent).
    async fn holder_changes(
        &self,
        ctx: &Context<'_>,
        token: String,
        from_block: Option<u64>,
    ) -> Result<impl Stream<Item = Result<HolderUpdate>>> {
        let state = ctx.data::<ApiState>()?.clone();
        let token = parse_address(&token)?;
        Ok(follow(state, HolderChanges { token }, from_block).map(|u| {
            let u = u?;
            let (holder, s): (Address, HolderState) = u.item;
            Ok(HolderUpdate {
                retracted: u.retracted,
                is_final: u.is_final,
                block_number: u.block,
                address: show_address(&holder),
                balance: BigInt(s.balance),
                frozen: BigInt(s.frozen),
                is_frozen: s.is_frozen,
            })
        }))
    }

    /// Disclosures as the archive accepts them, from leaf `fromLeaf` on (from the next when
    /// absent). The archive only grows: nothing is retracted.
    async fn disclosures(
        &self,
        ctx: &Context<'_>,
        from_leaf: Option<u64>,
    ) -> Result<impl Stream<Item = Result<Disclosure>>> {
        let state = ctx.data::<ApiState>()?.clone();
        let mut next = match from_leaf {
            Some(n) => n,
            None => state.archive(|a| Ok(a.size().0)).await?,
        };
        Ok(archive_feed(state, move |a| {
            let mut out = Vec::new();
            while out.len() < ARCHIVE_PAGE && next < a.size().0 {
                if let Some(d) = a.disclosure(next)? {
                    out.push(Disclosure::from(d));
                }
                next += 1;
            }
            Ok(out)
        }))
    }

    /// Final anchors of the log's roots on chain as they are learned, after tree size `afterSize`
    /// (after the latest when absent).
    async fn anchors(&self, ctx: &Context<'_>, after_size: Option<u64>) -> Result<impl Stream<Item = Result<Anchor>>> {
        let state = ctx.data::<ApiState>()?.clone();
        let mut after = match after_size {
            Some(n) => Some(n),
            None => state.archive(|a| Ok(a.latest_anchor()?.map(|r| r.tree_size))).await?,
        };
        Ok(archive_feed(state, move |a| {
            let records = a.anchors(after, ARCHIVE_PAGE)?;
            let mut out = Vec::with_capacity(records.len());
            for r in records {
                let path = match after {
                    Some(p) => a.consistency(registrar_merkle::TreeSize(p), registrar_merkle::TreeSize(r.tree_size))?.2,
                    None => Vec::new(),
                };
                let size = r.tree_size;
                out.push(Anchor::new(r, after, path.iter().map(hex::encode).collect()));
                after = Some(size);
            }
            Ok(out)
        }))
    }
}

/// Polls the archive with `next` on every commit and every [`ARCHIVE_POLL`], yielding what it
/// returns, until the subscriber or the server goes.
fn archive_feed<T: Send + 'static>(
    state: ApiState,
    next: impl FnMut(&registrar_archive::Archive) -> Result<Vec<T>, crate::ApiError> + Send + 'static,
) -> impl Stream<Item = Result<T>> {
    let next = std::sync::Arc::new(std::sync::Mutex::new(next));
    async_stream::try_stream! {
        let mut tip = state.db.tip();
        loop {
            loop {
                let next = next.clone();
                let items = state.archive(move |a| (next.lock().expect("feed lock poisoned"))(a)).await?;
                if items.is_empty() {
                    break;
                }
                for item in items {
                    yield item;
                }
            }
            tokio::select! {
                _ = tip.changed() => {}
                () = tokio::time::sleep(ARCHIVE_POLL) => {}
                () = state.live.closed() => break,
            }
        }
    }
}

/// A token's transfers, by block and log index.
struct Transfers {
    token: Address,
    filter: TransferFilter,
}

impl Source for Transfers {
    type Item = registrar_store::TransferRow;
    type Place = (u64, u32);

    fn end_of(block: u64) -> (u64, u32) {
        (block, u32::MAX)
    }

    fn block_of(place: &(u64, u32)) -> u64 {
        place.0
    }

    fn read(
        &self,
        db: &StateDb,
        after: (u64, u32),
        to: u64,
        first: usize,
    ) -> Result<(Vec<((u64, u32), Self::Item)>, bool), StoreError> {
        let cursor = hex::encode([after.0.to_be_bytes().as_slice(), &after.1.to_be_bytes()].concat());
        let page = db.transfers(self.token, self.filter, to, first, Some(&cursor))?;
        Ok((page.rows.into_iter().map(|r| ((r.block_number, r.log_index), r)).collect(), page.has_next))
    }

    fn retract(&self, _: &StateDb, item: Self::Item, _: u64) -> Result<Self::Item, StoreError> {
        Ok(item)
    }
}

/// The holders of a token each block changed, with their state after it.
struct HolderChanges {
    token: Address,
}

impl Source for HolderChanges {
    type Item = (Address, HolderState);
    type Place = (u64, Address);

    fn end_of(block: u64) -> (u64, Address) {
        (block, Address::repeat_byte(0xff))
    }

    fn block_of(place: &(u64, Address)) -> u64 {
        place.0
    }

    fn read(
        &self,
        db: &StateDb,
        after: (u64, Address),
        to: u64,
        first: usize,
    ) -> Result<(Vec<((u64, Address), Self::Item)>, bool), StoreError> {
        let (rows, more) = db.holder_changes(self.token, after, to, first)?;
        Ok((rows.into_iter().map(|(block, holder, s)| ((block, holder), (holder, s))).collect(), more))
    }

    fn retract(&self, db: &StateDb, item: Self::Item, ancestor: u64) -> Result<Self::Item, StoreError> {
        Ok((item.0, db.holder_at(self.token, item.0, ancestor)?))
    }
}
