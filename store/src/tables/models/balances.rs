//! Tokens, holders, balances and transfers: the cap table's rows and their keys.

use alloy::primitives::{Address, B256, U256};

use crate::codec::{put_bytes, Codec, CodecError, Reader};

/// What ingest read of a token contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenMeta {
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    pub discovered_block: u64,
}

impl Codec for TokenMeta {
    fn encode_to(&self, out: &mut Vec<u8>) {
        put_bytes(out, self.name.as_bytes());
        put_bytes(out, self.symbol.as_bytes());
        out.push(self.decimals);
        out.extend_from_slice(&self.discovered_block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("token meta", bytes);
        let name = String::from_utf8_lossy(r.bytes()?).into_owned();
        let symbol = String::from_utf8_lossy(r.bytes()?).into_owned();
        let v = TokenMeta { name, symbol, decimals: r.u8()?, discovered_block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// A token's aggregates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TokenState {
    pub total_supply: U256,
    /// Accounts with a non-zero balance.
    pub holder_count: u64,
    /// Accounts with a non-zero balance or any frozen state: what `holders` lists.
    pub listed_count: u64,
    pub paused: bool,
}

impl Codec for TokenState {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.total_supply.to_be_bytes::<32>());
        out.extend_from_slice(&self.holder_count.to_be_bytes());
        out.extend_from_slice(&self.listed_count.to_be_bytes());
        out.push(self.paused.into());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("token state", bytes);
        let v = TokenState {
            total_supply: r.u256()?,
            holder_count: r.u64()?,
            listed_count: r.u64()?,
            paused: r.u8()? != 0,
        };
        r.finish()?;
        Ok(v)
    }
}

/// One account's position in one token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HolderState {
    pub balance: U256,
    /// The part of the balance frozen by an agent (ERC-3643 partial freeze).
    pub frozen: U256,
    /// Whether the whole wallet is frozen (ERC-3643 address freeze).
    pub is_frozen: bool,
    /// The block at which the account first held a balance; 0 if never.
    pub first_acquired: u64,
}

impl HolderState {
    /// Whether `holders` lists the account: a balance or any frozen state.
    pub fn is_listed(&self) -> bool {
        !self.balance.is_zero() || !self.frozen.is_zero() || self.is_frozen
    }
}

impl Codec for HolderState {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.balance.to_be_bytes::<32>());
        out.extend_from_slice(&self.frozen.to_be_bytes::<32>());
        out.push(self.is_frozen.into());
        out.extend_from_slice(&self.first_acquired.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("holder state", bytes);
        let v =
            HolderState { balance: r.u256()?, frozen: r.u256()?, is_frozen: r.u8()? != 0, first_acquired: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TokenBlockKey {
    pub token: Address,
    pub block: u64,
}

impl Codec for TokenBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("token block key", bytes);
        let v = TokenBlockKey { token: r.address()?, block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct HolderKey {
    pub token: Address,
    pub holder: Address,
}

impl Codec for HolderKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("holder key", bytes);
        let v = HolderKey { token: r.address()?, holder: r.address()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct HolderBlockKey {
    pub token: Address,
    pub holder: Address,
    pub block: u64,
}

impl Codec for HolderBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("holder block key", bytes);
        let v = HolderBlockKey { token: r.address()?, holder: r.address()?, block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// Sorts a token's holders by descending balance: the balance is stored inverted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct BalanceIndexKey {
    pub token: Address,
    pub balance: U256,
    pub holder: Address,
}

impl Codec for BalanceIndexKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(&(!self.balance).to_be_bytes::<32>());
        out.extend_from_slice(self.holder.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("balance index key", bytes);
        let v = BalanceIndexKey { token: r.address()?, balance: !r.u256()?, holder: r.address()? };
        r.finish()?;
        Ok(v)
    }
}

/// An event's place: token, block, log index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EventKey {
    pub token: Address,
    pub block: u64,
    pub log_index: u32,
}

impl Codec for EventKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.log_index.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("event key", bytes);
        let v = EventKey { token: r.address()?, block: r.u64()?, log_index: r.u32()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct AccountEventKey {
    pub token: Address,
    pub account: Address,
    pub block: u64,
    pub log_index: u32,
}

impl Codec for AccountEventKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.account.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.log_index.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("account event key", bytes);
        let v = AccountEventKey { token: r.address()?, account: r.address()?, block: r.u64()?, log_index: r.u32()? };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TransferValue {
    pub from: Address,
    pub to: Address,
    pub value: U256,
    pub tx_hash: B256,
    pub tx_index: u32,
    pub timestamp: u64,
}

impl Codec for TransferValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.from.as_slice());
        out.extend_from_slice(self.to.as_slice());
        out.extend_from_slice(&self.value.to_be_bytes::<32>());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.tx_index.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("transfer", bytes);
        let v = TransferValue {
            from: r.address()?,
            to: r.address()?,
            value: r.u256()?,
            tx_hash: r.b256()?,
            tx_index: r.u32()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct BlockLogKey {
    pub block: u64,
    pub log_index: u32,
}

impl Codec for BlockLogKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.block.to_be_bytes());
        out.extend_from_slice(&self.log_index.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("block log key", bytes);
        let v = BlockLogKey { block: r.u64()?, log_index: r.u32()? };
        r.finish()?;
        Ok(v)
    }
}
