use async_graphql::{InputObject, SimpleObject};
use registrar_schemas::UndecodedLog as UndecodedRecord;
use registrar_store::TransferRow;

use super::{show_address, BigInt, PageInfo};

/// An ERC-20 transfer; `from` 0x0 is a mint, `to` 0x0 a burn.
#[derive(SimpleObject, Clone, Debug)]
pub struct Transfer {
    pub from: String,
    pub to: String,
    pub value: BigInt,
    pub block_number: u64,
    pub block_timestamp: u64,
    pub tx_hash: String,
    pub tx_index: u32,
    pub log_index: u32,
}

impl From<TransferRow> for Transfer {
    fn from(t: TransferRow) -> Self {
        Transfer {
            from: show_address(&t.from),
            to: show_address(&t.to),
            value: BigInt(t.value),
            block_number: t.block_number,
            block_timestamp: t.timestamp,
            tx_hash: format!("{:#x}", t.tx_hash),
            tx_index: t.tx_index,
            log_index: t.log_index,
        }
    }
}

#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct TransferConnection {
    pub nodes: Vec<Transfer>,
    pub page_info: PageInfo,
    /// What `totalCount` counts: the token, the filter and the block.
    #[graphql(skip)]
    pub counted: Option<(alloy::primitives::Address, registrar_store::TransferFilter, u64)>,
}

#[async_graphql::ComplexObject]
impl TransferConnection {
    /// The transfers matching the filter up to the block, on every page (it reads them all, under
    /// the `transfers` field's scan and the request's deadline).
    async fn total_count(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<u64> {
        let Some((token, filter, block)) = self.counted else { return Ok(self.nodes.len() as u64) };
        let state = ctx.data::<crate::ApiState>()?;
        Ok(state.read(move |db| db.count_transfers(token, filter, block)).await?)
    }
}

/// Which transfers to list; all conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct TransferWhere {
    pub from: Option<String>,
    pub to: Option<String>,
    /// The account on either side (sender or recipient).
    pub account: Option<String>,
    pub block_gte: Option<u64>,
    pub block_lte: Option<u64>,
}

/// A log of a watched contract that no decoder accepted, kept with its coordinates.
#[derive(SimpleObject, Clone, Debug)]
pub struct UndecodedLog {
    pub contract: String,
    pub block_number: u64,
    pub block_hash: String,
    pub tx_hash: String,
    pub log_index: u32,
    pub topics: Vec<String>,
    pub data: String,
    pub reason: String,
}

impl From<UndecodedRecord> for UndecodedLog {
    fn from(r: UndecodedRecord) -> Self {
        UndecodedLog {
            contract: show_address(&r.meta.contract),
            block_number: r.meta.block.number.0,
            block_hash: format!("{:#x}", r.meta.block.hash),
            tx_hash: format!("{:#x}", r.meta.tx_hash),
            log_index: r.meta.log_index,
            topics: r.topics.iter().map(|t| format!("{t:#x}")).collect(),
            data: format!("{:#x}", r.data),
            reason: r.reason,
        }
    }
}
