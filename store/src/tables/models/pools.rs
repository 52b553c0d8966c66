//! ERC-4626 / ERC-7540 pools: asset positions and vault requests.

use alloy::primitives::{Address, B256, U256};

use crate::codec::{Codec, CodecError, Reader};

/// A pool's holding of one asset: amount and value in the pool's unit of account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssetPosition {
    pub amount: U256,
    pub value: U256,
}

impl Codec for AssetPosition {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.amount.to_be_bytes::<32>());
        out.extend_from_slice(&self.value.to_be_bytes::<32>());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("asset position", bytes);
        let v = AssetPosition { amount: r.u256()?, value: r.u256()? };
        r.finish()?;
        Ok(v)
    }
}

/// An ERC-7540 request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VaultRequestValue {
    pub redeem: bool,
    pub controller: Address,
    pub owner: Address,
    pub request_id: U256,
    pub sender: Address,
    pub amount: U256,
    pub tx_hash: B256,
    pub timestamp: u64,
}

impl Codec for VaultRequestValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.redeem.into());
        out.extend_from_slice(self.controller.as_slice());
        out.extend_from_slice(self.owner.as_slice());
        out.extend_from_slice(&self.request_id.to_be_bytes::<32>());
        out.extend_from_slice(self.sender.as_slice());
        out.extend_from_slice(&self.amount.to_be_bytes::<32>());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("vault request", bytes);
        let v = VaultRequestValue {
            redeem: r.u8()? != 0,
            controller: r.address()?,
            owner: r.address()?,
            request_id: r.u256()?,
            sender: r.address()?,
            amount: r.u256()?,
            tx_hash: r.b256()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}
