use async_graphql::SimpleObject;
use registrar_store::ChainStatus;

/// Where the index stands against the chain.
#[derive(SimpleObject, Clone, Debug)]
pub struct Status {
    pub chain_id: u64,
    /// The chain head ingest last saw.
    pub head_block: u64,
    /// The latest block the state reflects; queries without `block:` answer as of it.
    pub indexed_block: u64,
    pub indexed_block_hash: Option<String>,
    /// Blocks up to here have `confirmations` blocks on top: their state will not be reverted.
    pub finalized_block: u64,
    /// Whether the latest indexed block is above the finalized block.
    pub unfinalized: bool,
}

impl Status {
    /// `live_head` is the head ingest saw just now, when it runs in this process.
    pub fn new(status: Option<ChainStatus>, live_head: u64) -> Self {
        let s = status.unwrap_or_default();
        Status {
            chain_id: s.chain_id.0,
            head_block: s.head_block.0.max(live_head),
            indexed_block: s.indexed_block.0,
            indexed_block_hash: status.map(|s| format!("{:#x}", s.indexed_hash)),
            finalized_block: s.finalized_block.0,
            unfinalized: s.indexed_block > s.finalized_block,
        }
    }
}
