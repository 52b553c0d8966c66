//! The block a read is as of: the latest indexed block, a block number, or the last block at or
//! before a time. One rule for every caller: a block above the indexed one is refused, a time
//! before the first indexed block is refused.

use alloy::primitives::B256;

use crate::{tables::BlockNumbers, StateDb, StoreError};

/// Which block a read is as of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOf {
    Latest,
    Block(u64),
    /// Seconds since the epoch: the last indexed block at or before it.
    Time(u64),
    /// The block with this hash: the indexed head, or a block with events of a watched contract
    /// on the indexed chain.
    Hash(B256),
}

/// The block an [`AsOf`] names, and what the state knows of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResolvedBlock {
    /// The latest indexed block.
    pub indexed: u64,
    pub block: u64,
    /// Whether `block` is at or below the finalized block.
    pub finalized: bool,
    /// `None` for a block that holds no event of a watched contract and is not the latest indexed.
    pub hash: Option<B256>,
    /// `None` where the block's time is not known.
    pub timestamp: Option<u64>,
}

impl StateDb {
    /// The block `as_of` names, checked against what is indexed.
    pub fn resolve_as_of(&self, as_of: AsOf) -> Result<ResolvedBlock, StoreError> {
        let status = self.chain_status()?.ok_or(StoreError::NotIndexed)?;
        let indexed = status.indexed_block.0;
        let block = match as_of {
            AsOf::Latest => indexed,
            AsOf::Block(b) if b > indexed => return Err(StoreError::BlockNotIndexed { requested: b, indexed }),
            AsOf::Block(b) => b,
            AsOf::Time(t) => match self.block_at_time(t)? {
                Some((b, _)) => b.min(indexed),
                None => return Err(StoreError::BeforeFirstBlock { timestamp: t }),
            },
            AsOf::Hash(h) if h == status.indexed_hash => indexed,
            AsOf::Hash(h) => match self.get::<BlockNumbers>(&h)? {
                // A block of an abandoned branch keeps its row only until overwritten: check.
                Some(b) if b <= indexed && self.block_info(b)?.is_some_and(|i| i.hash == h) => b,
                _ => return Err(StoreError::UnknownBlockHash(h)),
            },
        };
        let info = self.block_info(block)?;
        let hash = if block == indexed { Some(status.indexed_hash) } else { info.map(|i| i.hash) };
        Ok(ResolvedBlock {
            indexed,
            block,
            finalized: block <= status.finalized_block.0,
            hash,
            timestamp: info.map(|i| i.timestamp).filter(|t| *t > 0),
        })
    }

    /// The first block of a range that starts at `from`: a block as given, the first block after
    /// the last one before a time, the latest indexed block for `Latest`.
    pub fn range_start(&self, from: AsOf) -> Result<u64, StoreError> {
        Ok(match from {
            AsOf::Block(b) => b,
            AsOf::Time(t) => self.block_at_time(t.saturating_sub(1))?.map_or(0, |(b, _)| b + 1),
            AsOf::Latest => self.chain_status()?.map_or(0, |s| s.indexed_block.0),
            AsOf::Hash(_) => self.resolve_as_of(from)?.block,
        })
    }
}
