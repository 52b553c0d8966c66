//! What the log said of the chain and of itself: blocks, positions, undo records.

use alloy::primitives::B256;
use registrar_schemas::{BlockNumber, ChainId};

use crate::codec::{put_bytes, Codec, CodecError, Reader};

/// What the log told of a block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockInfo {
    pub hash: B256,
    /// Seconds since the Unix epoch.
    pub timestamp: u64,
}

impl Codec for BlockInfo {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("block info", bytes);
        let v = BlockInfo { hash: r.b256()?, timestamp: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// Whose view of the chain a [`ChainStatus`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ChainView {
    /// What every partition has: the least advanced partition's view (the only one with one
    /// partition). What the API answers with.
    Combined,
    /// One partition's, of several.
    Partition(u32),
}

impl Codec for ChainView {
    fn encode_to(&self, out: &mut Vec<u8>) {
        match self {
            ChainView::Combined => out.push(0),
            ChainView::Partition(p) => {
                out.push(1);
                out.extend_from_slice(&p.to_be_bytes());
            }
        }
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("chain view", bytes);
        let v = match r.u8()? {
            0 => ChainView::Combined,
            1 => ChainView::Partition(r.u32()?),
            _ => return Err(CodecError { what: "chain view tag", expected: 1, found: 0 }),
        };
        r.finish()?;
        Ok(v)
    }
}

/// A key of the legacy `Meta` table: the layout before the typed checkpoint tables, read once
/// when an older store is opened and moved into them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetaKey {
    /// The offset of the last record applied from a partition.
    Applied(u32),
    /// Where the chain stands: the least advanced partition's view when there are several.
    Chain,
    /// Where the chain stands according to one partition of several.
    PartitionChain(u32),
    /// The position (block, log index) of the last record applied from a partition since its
    /// last revert: a record at or below it is a copy.
    Position(u32),
    UndoSeq,
}

impl Codec for MetaKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        // Partition 0 keeps the names of the single-partition log.
        match self {
            MetaKey::Applied(0) => out.extend_from_slice(b"applied_offset"),
            MetaKey::Applied(p) => {
                out.extend_from_slice(b"applied_offset/");
                out.extend_from_slice(&p.to_be_bytes());
            }
            MetaKey::Chain => out.extend_from_slice(b"chain"),
            MetaKey::PartitionChain(p) => {
                out.extend_from_slice(b"chain/");
                out.extend_from_slice(&p.to_be_bytes());
            }
            MetaKey::Position(p) => {
                out.extend_from_slice(b"position/");
                out.extend_from_slice(&p.to_be_bytes());
            }
            MetaKey::UndoSeq => out.extend_from_slice(b"undo_seq"),
        }
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let partition = |rest: &[u8]| {
            <[u8; 4]>::try_from(rest).map(u32::from_be_bytes).map_err(|_| CodecError {
                what: "meta key partition",
                expected: 4,
                found: rest.len(),
            })
        };
        match bytes {
            b"applied_offset" => Ok(MetaKey::Applied(0)),
            b"chain" => Ok(MetaKey::Chain),
            b"undo_seq" => Ok(MetaKey::UndoSeq),
            _ if bytes.starts_with(b"applied_offset/") => Ok(MetaKey::Applied(partition(&bytes[15..])?)),
            _ if bytes.starts_with(b"chain/") => Ok(MetaKey::PartitionChain(partition(&bytes[6..])?)),
            _ if bytes.starts_with(b"position/") => Ok(MetaKey::Position(partition(&bytes[9..])?)),
            _ => Err(CodecError { what: "meta key", expected: 0, found: bytes.len() }),
        }
    }
}

/// A record's place in the log: partition, then offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RecordKey {
    pub partition: u32,
    pub offset: u64,
}

impl Codec for RecordKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.partition.to_be_bytes());
        out.extend_from_slice(&self.offset.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("record key", bytes);
        let v = RecordKey { partition: r.u32()?, offset: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

impl Codec for Vec<u8> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        Ok(bytes.to_vec())
    }
}

/// Undo records sort by the partition whose records made the change (a partition's revert undoes
/// its own changes only: the state of a token lives in one partition), then by block, then by
/// the order the changes were made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct UndoKey {
    pub partition: u32,
    pub block: u64,
    pub seq: u64,
}

impl Codec for UndoKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.partition.to_be_bytes());
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.seq.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("undo key", bytes);
        let v = UndoKey { partition: r.u32()?, block: r.u64()?, seq: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// The value a key had before a change: `None` if it was absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UndoValue {
    pub table: u8,
    pub key: Vec<u8>,
    pub previous: Option<Vec<u8>>,
}

impl Codec for UndoValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.table);
        put_bytes(out, &self.key);
        match &self.previous {
            Some(v) => {
                out.push(1);
                put_bytes(out, v);
            }
            None => out.push(0),
        }
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("undo value", bytes);
        let table = r.u8()?;
        let key = r.bytes()?.to_vec();
        let previous = match r.u8()? {
            0 => None,
            _ => Some(r.bytes()?.to_vec()),
        };
        r.finish()?;
        Ok(UndoValue { table, key, previous })
    }
}

/// Where the projected chain stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChainStatus {
    pub chain_id: ChainId,
    pub indexed_block: BlockNumber,
    pub indexed_hash: B256,
    pub head_block: BlockNumber,
    pub finalized_block: BlockNumber,
}

impl Codec for ChainStatus {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.chain_id.0.to_be_bytes());
        out.extend_from_slice(&self.indexed_block.0.to_be_bytes());
        out.extend_from_slice(self.indexed_hash.as_slice());
        out.extend_from_slice(&self.head_block.0.to_be_bytes());
        out.extend_from_slice(&self.finalized_block.0.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("chain status", bytes);
        let v = ChainStatus {
            chain_id: ChainId(r.u64()?),
            indexed_block: BlockNumber(r.u64()?),
            indexed_hash: r.b256()?,
            head_block: BlockNumber(r.u64()?),
            finalized_block: BlockNumber(r.u64()?),
        };
        r.finish()?;
        Ok(v)
    }
}
