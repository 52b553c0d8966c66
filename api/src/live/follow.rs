//! The follower of one chain feed: reads what each commit added, in pages, marks finality, and
//! retracts what was sent of blocks a revert abandoned.

use std::sync::Arc;

use futures::Stream;
use registrar_store::{StateDb, StoreError};

use crate::{ApiError, ApiState};

/// Items read from the state at once; a subscriber far behind catches up page by page.
const PAGE: usize = 256;

/// A feed of items of the chain state, each at a place (its block and an order within it).
pub(crate) trait Source: Send + Sync + 'static {
    type Item: Clone + Send + Sync + 'static;
    type Place: Copy + Ord + Send + Sync + 'static;
    /// The place after everything of `block` and before everything of the next.
    fn end_of(block: u64) -> Self::Place;
    fn block_of(place: &Self::Place) -> u64;
    /// The items after `after` up to block `to`, in order, at most `first`; whether more follow.
    #[allow(clippy::type_complexity)]
    fn read(
        &self,
        db: &StateDb,
        after: Self::Place,
        to: u64,
        first: usize,
    ) -> Result<(Vec<(Self::Place, Self::Item)>, bool), StoreError>;
    /// What a subscriber is told of `item` once its block is abandoned (the state is now as of
    /// `ancestor`): the item itself, or the state it went back to.
    fn retract(&self, db: &StateDb, item: Self::Item, ancestor: u64) -> Result<Self::Item, StoreError>;
}

/// One message of a feed.
#[derive(Clone, Debug)]
pub(crate) struct Update<T> {
    pub item: T,
    pub block: u64,
    /// The block was abandoned by a reorg: undo this item (for states: this is what it went back to).
    pub retracted: bool,
    /// The block has `confirmations` blocks on top: no reorg will retract it.
    pub is_final: bool,
}

/// Follows `source` from the block after `from` (the latest indexed block when `None`) until
/// the subscriber goes away or the server shuts down.
pub(crate) fn follow<S: Source>(
    state: ApiState,
    source: S,
    from: Option<u64>,
) -> impl Stream<Item = Result<Update<S::Item>, ApiError>> {
    let source = Arc::new(source);
    async_stream::try_stream! {
        let mut tip = state.db.tip();
        let (start, mut seen) = {
            let now = tip.borrow();
            (now.status.map_or(0, |s| s.indexed_block.0), now.reverts)
        };
        let mut after = S::end_of(from.unwrap_or(start));
        // What was sent of blocks that are not final yet, oldest first: what a revert retracts.
        let mut unfinal: Vec<(S::Place, S::Item)> = Vec::new();
        loop {
            let now = tip.borrow_and_update().clone();
            if let Some(ancestor) = now.reverted_since(seen) {
                seen = now.reverts;
                let undone = unfinal.split_off(unfinal.partition_point(|(p, _)| S::block_of(p) <= ancestor));
                for (place, item) in undone.into_iter().rev() {
                    let source = source.clone();
                    let item = state.read(move |db| source.retract(db, item, ancestor)).await?;
                    yield Update { item, block: S::block_of(&place), retracted: true, is_final: false };
                }
                after = after.min(S::end_of(ancestor));
            }
            if let Some(status) = now.status {
                let (indexed, finalized) = (status.indexed_block.0, status.finalized_block.0);
                if after < S::end_of(indexed) {
                    let source = source.clone();
                    let (rows, more) = state.read(move |db| source.read(db, after, indexed, PAGE)).await?;
                    for (place, item) in rows {
                        after = place;
                        let block = S::block_of(&place);
                        let is_final = block <= finalized;
                        if !is_final {
                            unfinal.push((place, item.clone()));
                        }
                        yield Update { item, block, retracted: false, is_final };
                    }
                    if more {
                        continue;
                    }
                    after = S::end_of(indexed);
                }
                unfinal.retain(|(p, _)| S::block_of(p) > finalized);
            }
            tokio::select! {
                changed = tip.changed() => if changed.is_err() { break },
                () = state.live.closed() => break,
            }
        }
    }
}
