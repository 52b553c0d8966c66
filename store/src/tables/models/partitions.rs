//! ERC-1400 partition balances.

use alloy::primitives::{Address, B256};

use crate::codec::{Codec, CodecError, Reader};

/// A balance in one partition: token, holder, partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PartitionKey {
    pub token: Address,
    pub holder: Address,
    pub partition: B256,
}

impl Codec for PartitionKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
        out.extend_from_slice(self.partition.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("partition key", bytes);
        let v = PartitionKey { token: r.address()?, holder: r.address()?, partition: r.b256()? };
        r.finish()?;
        Ok(v)
    }
}

/// A balance in one partition after a block: token, holder, partition, block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PartitionBlockKey {
    pub token: Address,
    pub holder: Address,
    pub partition: B256,
    pub block: u64,
}

impl Codec for PartitionBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
        out.extend_from_slice(self.partition.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("partition block key", bytes);
        let v = PartitionBlockKey { token: r.address()?, holder: r.address()?, partition: r.b256()?, block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}
