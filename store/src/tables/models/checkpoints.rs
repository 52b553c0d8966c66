//! What makes a historical top-N cheap: the holders each block changed, and checkpoints of the top
//! of the balance index.

use alloy::primitives::Address;

use crate::{
    codec::{Codec, CodecError, Reader},
    HolderState,
};

/// A holder a block changed: token, block, holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BlockHolderKey {
    pub token: Address,
    pub block: u64,
    pub holder: Address,
}

impl Codec for BlockHolderKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(self.holder.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("block holder key", bytes);
        let v = BlockHolderKey { token: r.address()?, block: r.u64()?, holder: r.address()? };
        r.finish()?;
        Ok(v)
    }
}

/// A rank in a checkpoint of a token's top holders after a block: token, block, rank (0 first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RankKey {
    pub token: Address,
    pub block: u64,
    pub rank: u32,
}

impl Codec for RankKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.rank.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("rank key", bytes);
        let v = RankKey { token: r.address()?, block: r.u64()?, rank: r.u32()? };
        r.finish()?;
        Ok(v)
    }
}

/// A holder and its state at a checkpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RankedHolder {
    pub holder: Address,
    pub state: HolderState,
}

impl Codec for RankedHolder {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.holder.as_slice());
        self.state.encode_to(out);
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let (holder, state) =
            bytes.split_at_checked(20).ok_or(CodecError { what: "ranked holder", expected: 20, found: bytes.len() })?;
        let mut r = Reader::new("ranked holder", holder);
        let holder = r.address()?;
        r.finish()?;
        Ok(RankedHolder { holder, state: HolderState::decode(state)? })
    }
}
