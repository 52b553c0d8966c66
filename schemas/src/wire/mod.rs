//! The Protobuf encoding of [`LogRecord`]: `encode` and `decode` are the only way records reach
//! or leave bytes, so the Rust types and `proto/registrar/v1/log.proto` cannot drift apart.

use alloy::primitives::{Address, Bytes, B256, U256};
use prost::Message;

mod event;

use crate::{
    BlockNumber, BlockRef, BlocksCommitted, ChainEvent, ChainId, EventMeta, LogRecord, MoveKind, Reverted,
    TokenDiscovered, UndecodedLog,
};

/// The types generated from `log.proto`.
pub mod proto {
    #![allow(clippy::all, missing_docs)]
    include!(concat!(env!("OUT_DIR"), "/registrar.v1.rs"));
}

use proto::{chain_event::Kind, log_record::Record};

/// Why bytes are not a valid log record.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not a protobuf log record: {0}")]
    Protobuf(#[from] prost::DecodeError),
    #[error("field {field} is missing")]
    Missing { field: &'static str },
    #[error("field {field} has {len} bytes, expected {expected}")]
    Length { field: &'static str, len: usize, expected: usize },
    #[error("field {field} is out of range: {value}")]
    Range { field: &'static str, value: u64 },
}

impl LogRecord {
    /// The record as Protobuf bytes.
    pub fn encode(&self) -> Vec<u8> {
        proto::LogRecord::from(self).encode_to_vec()
    }

    /// Reads a record written by [`LogRecord::encode`] or any other Protobuf writer.
    pub fn decode(bytes: &[u8]) -> Result<LogRecord, DecodeError> {
        LogRecord::try_from(proto::LogRecord::decode(bytes)?)
    }
}

fn address(field: &'static str, b: &[u8]) -> Result<Address, DecodeError> {
    fixed::<20>(field, b).map(Address::from)
}

fn hash(field: &'static str, b: &[u8]) -> Result<B256, DecodeError> {
    fixed::<32>(field, b).map(B256::from)
}

/// An optional bytes32: empty means none.
fn optional_hash(field: &'static str, b: &[u8]) -> Result<Option<B256>, DecodeError> {
    if b.is_empty() {
        Ok(None)
    } else {
        hash(field, b).map(Some)
    }
}

fn move_kind(k: MoveKind) -> proto::r#move::Kind {
    match k {
        MoveKind::TransferByPartition => proto::r#move::Kind::TransferByPartition,
        MoveKind::IssuedByPartition => proto::r#move::Kind::IssuedByPartition,
        MoveKind::RedeemedByPartition => proto::r#move::Kind::RedeemedByPartition,
        MoveKind::Issued => proto::r#move::Kind::Issued,
        MoveKind::Redeemed => proto::r#move::Kind::Redeemed,
        MoveKind::ControllerTransfer => proto::r#move::Kind::ControllerTransfer,
        MoveKind::ControllerRedemption => proto::r#move::Kind::ControllerRedemption,
        MoveKind::ForcedTransfer => proto::r#move::Kind::ForcedTransfer,
        MoveKind::Issue => proto::r#move::Kind::Issue,
        MoveKind::Burn => proto::r#move::Kind::Burn,
        MoveKind::Seize => proto::r#move::Kind::Seize,
        MoveKind::Minted => proto::r#move::Kind::Minted,
        MoveKind::Burnt => proto::r#move::Kind::Burnt,
        MoveKind::ForceTransfer => proto::r#move::Kind::ForceTransfer,
        MoveKind::ForceBurn => proto::r#move::Kind::ForceBurn,
    }
}

fn amount(field: &'static str, b: &[u8]) -> Result<U256, DecodeError> {
    fixed::<32>(field, b).map(U256::from_be_bytes)
}

fn fixed<const N: usize>(field: &'static str, b: &[u8]) -> Result<[u8; N], DecodeError> {
    b.try_into().map_err(|_| DecodeError::Length { field, len: b.len(), expected: N })
}

fn amount_bytes(v: &U256) -> Vec<u8> {
    v.to_be_bytes::<32>().to_vec()
}

fn u32_field(field: &'static str, v: u32) -> Result<u8, DecodeError> {
    u8::try_from(v).map_err(|_| DecodeError::Range { field, value: v.into() })
}

impl From<&EventMeta> for proto::EventMeta {
    fn from(m: &EventMeta) -> Self {
        proto::EventMeta {
            chain_id: m.chain_id.0,
            block_number: m.block.number.0,
            block_hash: m.block.hash.to_vec(),
            parent_hash: m.block.parent_hash.to_vec(),
            block_timestamp: m.block.timestamp,
            tx_hash: m.tx_hash.to_vec(),
            tx_index: m.tx_index,
            log_index: m.log_index,
            contract: m.contract.to_vec(),
        }
    }
}

impl TryFrom<proto::EventMeta> for EventMeta {
    type Error = DecodeError;

    fn try_from(m: proto::EventMeta) -> Result<Self, DecodeError> {
        Ok(EventMeta {
            chain_id: ChainId(m.chain_id),
            block: BlockRef {
                number: BlockNumber(m.block_number),
                hash: hash("meta.block_hash", &m.block_hash)?,
                parent_hash: hash("meta.parent_hash", &m.parent_hash)?,
                timestamp: m.block_timestamp,
            },
            tx_hash: hash("meta.tx_hash", &m.tx_hash)?,
            tx_index: m.tx_index,
            log_index: m.log_index,
            contract: address("meta.contract", &m.contract)?,
        })
    }
}

impl From<&LogRecord> for proto::LogRecord {
    fn from(r: &LogRecord) -> Self {
        let record = match r {
            LogRecord::Event(e) => {
                Record::Event(proto::ChainEvent { meta: Some((&e.meta).into()), kind: Some((&e.event).into()) })
            }
            LogRecord::TokenDiscovered(t) => Record::TokenDiscovered(proto::TokenDiscovered {
                chain_id: t.chain_id.0,
                address: t.address.to_vec(),
                name: t.name.clone(),
                symbol: t.symbol.clone(),
                decimals: t.decimals.into(),
                block_number: t.block.0,
            }),
            LogRecord::Undecoded(u) => Record::Undecoded(proto::UndecodedLog {
                meta: Some((&u.meta).into()),
                topics: u.topics.iter().map(|t| t.to_vec()).collect(),
                data: u.data.to_vec(),
                reason: u.reason.clone(),
            }),
            LogRecord::Committed(c) => Record::Committed(proto::BlocksCommitted {
                chain_id: c.chain_id.0,
                block_number: c.block.0,
                block_hash: c.block_hash.to_vec(),
                head: c.head.0,
                finalized: c.finalized.0,
            }),
            LogRecord::Reverted(r) => Record::Reverted(proto::Reverted {
                chain_id: r.chain_id.0,
                common_ancestor: r.common_ancestor.0,
                common_ancestor_hash: r.common_ancestor_hash.to_vec(),
                abandoned_tip: r.abandoned_tip.0,
            }),
        };
        proto::LogRecord { record: Some(record) }
    }
}

impl TryFrom<proto::LogRecord> for LogRecord {
    type Error = DecodeError;

    fn try_from(r: proto::LogRecord) -> Result<Self, DecodeError> {
        Ok(match r.record.ok_or(DecodeError::Missing { field: "record" })? {
            Record::Event(e) => LogRecord::Event(ChainEvent {
                meta: e.meta.ok_or(DecodeError::Missing { field: "event.meta" })?.try_into()?,
                event: e.kind.ok_or(DecodeError::Missing { field: "event.kind" })?.try_into()?,
            }),
            Record::TokenDiscovered(t) => LogRecord::TokenDiscovered(TokenDiscovered {
                chain_id: ChainId(t.chain_id),
                address: address("token_discovered.address", &t.address)?,
                name: t.name,
                symbol: t.symbol,
                decimals: u32_field("token_discovered.decimals", t.decimals)?,
                block: BlockNumber(t.block_number),
            }),
            Record::Undecoded(u) => LogRecord::Undecoded(UndecodedLog {
                meta: u.meta.ok_or(DecodeError::Missing { field: "undecoded.meta" })?.try_into()?,
                topics: u.topics.iter().map(|t| hash("undecoded.topics", t)).collect::<Result<_, _>>()?,
                data: Bytes::from(u.data),
                reason: u.reason,
            }),
            Record::Committed(c) => LogRecord::Committed(BlocksCommitted {
                chain_id: ChainId(c.chain_id),
                block: BlockNumber(c.block_number),
                block_hash: hash("committed.block_hash", &c.block_hash)?,
                head: BlockNumber(c.head),
                finalized: BlockNumber(c.finalized),
            }),
            Record::Reverted(r) => LogRecord::Reverted(Reverted {
                chain_id: ChainId(r.chain_id),
                common_ancestor: BlockNumber(r.common_ancestor),
                common_ancestor_hash: hash("reverted.common_ancestor_hash", &r.common_ancestor_hash)?,
                abandoned_tip: BlockNumber(r.abandoned_tip),
            }),
        })
    }
}
