//! Fixed-width, big-endian encodings: keys sort the way their values do, and every value has
//! exactly one encoding, so replaying the log gives the same bytes.

use alloy::primitives::{Address, B256, U256};

/// Why bytes are not a valid encoding of a type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} bytes for {what}, found {found}")]
pub struct CodecError {
    pub what: &'static str,
    pub expected: usize,
    pub found: usize,
}

/// A type stored in a table, as key or value.
pub trait Codec: Sized {
    fn encode_to(&self, out: &mut Vec<u8>);
    fn decode(bytes: &[u8]) -> Result<Self, CodecError>;

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_to(&mut out);
        out
    }
}

/// Reads fixed-size fields off the front of a buffer.
pub(crate) struct Reader<'a> {
    what: &'static str,
    total: usize,
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(what: &'static str, bytes: &'a [u8]) -> Self {
        Reader { what, total: bytes.len(), rest: bytes }
    }

    pub(crate) fn take<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        if self.rest.len() < N {
            return Err(CodecError { what: self.what, expected: self.total - self.rest.len() + N, found: self.total });
        }
        let (head, tail) = self.rest.split_at(N);
        self.rest = tail;
        Ok(head.try_into().expect("split at N"))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, CodecError> {
        self.take::<8>().map(u64::from_be_bytes)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, CodecError> {
        self.take::<4>().map(u32::from_be_bytes)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, CodecError> {
        self.take::<1>().map(|b| b[0])
    }

    pub(crate) fn address(&mut self) -> Result<Address, CodecError> {
        self.take::<20>().map(Address::from)
    }

    pub(crate) fn b256(&mut self) -> Result<B256, CodecError> {
        self.take::<32>().map(B256::from)
    }

    pub(crate) fn u256(&mut self) -> Result<U256, CodecError> {
        self.take::<32>().map(U256::from_be_bytes)
    }

    /// A `u32` length followed by that many bytes.
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], CodecError> {
        let len = self.u32()? as usize;
        if self.rest.len() < len {
            return Err(CodecError {
                what: self.what,
                expected: self.total - self.rest.len() + len,
                found: self.total,
            });
        }
        let (head, tail) = self.rest.split_at(len);
        self.rest = tail;
        Ok(head)
    }

    /// Everything is read: trailing bytes are an error, so each value has one encoding.
    pub(crate) fn finish(self) -> Result<(), CodecError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(CodecError { what: self.what, expected: self.total - self.rest.len(), found: self.total })
        }
    }
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

/// Big-endian integers: offsets, blocks, partition numbers.
macro_rules! be_integer_codec {
    ($($int:ident),*) => {$(
        impl Codec for $int {
            fn encode_to(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes());
            }
            fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
                let mut r = Reader::new(stringify!($int), bytes);
                let v = r.$int()?;
                r.finish()?;
                Ok(v)
            }
        }
    )*};
}

be_integer_codec!(u32, u64);

impl Codec for Address {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("address", bytes);
        let v = r.address()?;
        r.finish()?;
        Ok(v)
    }
}

impl Codec for U256 {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes::<32>());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("u256", bytes);
        let v = r.u256()?;
        r.finish()?;
        Ok(v)
    }
}

impl Codec for B256 {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("hash", bytes);
        let v = r.b256()?;
        r.finish()?;
        Ok(v)
    }
}

/// An empty value, for index tables whose key says everything.
impl Codec for () {
    fn encode_to(&self, _out: &mut Vec<u8>) {}
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        Reader::new("unit", bytes).finish()
    }
}

/// A position in the chain: block number, then log index.
impl Codec for (u64, u32) {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_be_bytes());
        out.extend_from_slice(&self.1.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("position", bytes);
        let v = (r.u64()?, r.u32()?);
        r.finish()?;
        Ok(v)
    }
}
