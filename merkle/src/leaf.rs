//! The leaf of a disclosure: a canonical byte encoding of what the log commits to. Every field is
//! fixed-width or length-prefixed, so one record has exactly one encoding and a verifier in any
//! language can rebuild it from the proof file's fields (`schemas/proof.schema.json`).
//!
//! ```text
//! version     u8      = 1
//! content     [32]    BLAKE3 of the document's bytes
//! chain_id    u64 BE
//! token       [20]    the token contract the disclosure is about
//! kind_len    u8      1..=64
//! kind        ascii   [a-z0-9-]
//! timestamp   u64 BE  unix seconds when the archive accepted it
//! salt        [32]    random per record: a leaf says nothing about documents not yet public
//! ```

use serde::{Deserialize, Serialize};

use crate::hasher::Hash;

pub const LEAF_VERSION: u8 = 1;
pub const MAX_KIND_LEN: usize = 64;

/// The fields of a disclosure that its leaf commits to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeafRecord {
    /// BLAKE3 of the content, hex.
    #[serde(with = "hex32")]
    pub content_hash: Hash,
    pub chain_id: u64,
    /// The token contract, `0x`-prefixed hex.
    #[serde(with = "hex20")]
    pub token: [u8; 20],
    pub kind: String,
    /// Unix seconds.
    pub timestamp: u64,
    #[serde(with = "hex32")]
    pub salt: Hash,
}

/// Why a leaf record is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafError {
    #[error("kind must be 1 to {MAX_KIND_LEN} characters of a-z, 0-9 and '-', got {0:?}")]
    BadKind(String),
    #[error("leaf encoding is {0} bytes, too short or too long")]
    BadLength(usize),
    #[error("unknown leaf version {0}")]
    BadVersion(u8),
}

/// Checks a disclosure kind such as `annual-report`.
pub fn check_kind(kind: &str) -> Result<(), LeafError> {
    let ok = !kind.is_empty()
        && kind.len() <= MAX_KIND_LEN
        && kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(LeafError::BadKind(kind.to_string()))
    }
}

impl LeafRecord {
    pub fn encode(&self) -> Result<Vec<u8>, LeafError> {
        check_kind(&self.kind)?;
        let mut out = Vec::with_capacity(1 + 32 + 8 + 20 + 1 + self.kind.len() + 8 + 32);
        out.push(LEAF_VERSION);
        out.extend_from_slice(&self.content_hash);
        out.extend_from_slice(&self.chain_id.to_be_bytes());
        out.extend_from_slice(&self.token);
        out.push(self.kind.len() as u8);
        out.extend_from_slice(self.kind.as_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.salt);
        Ok(out)
    }

    pub fn decode(bytes: &[u8]) -> Result<LeafRecord, LeafError> {
        let bad = || LeafError::BadLength(bytes.len());
        let (&version, rest) = bytes.split_first().ok_or_else(bad)?;
        if version != LEAF_VERSION {
            return Err(LeafError::BadVersion(version));
        }
        if rest.len() < 32 + 8 + 20 + 1 {
            return Err(bad());
        }
        let kind_len = rest[60] as usize;
        if rest.len() != 61 + kind_len + 8 + 32 {
            return Err(bad());
        }
        let kind = String::from_utf8(rest[61..61 + kind_len].to_vec())
            .map_err(|e| LeafError::BadKind(String::from_utf8_lossy(e.as_bytes()).into_owned()))?;
        check_kind(&kind)?;
        let t = 61 + kind_len;
        Ok(LeafRecord {
            content_hash: rest[..32].try_into().expect("sliced"),
            chain_id: u64::from_be_bytes(rest[32..40].try_into().expect("sliced")),
            token: rest[40..60].try_into().expect("sliced"),
            kind,
            timestamp: u64::from_be_bytes(rest[t..t + 8].try_into().expect("sliced")),
            salt: rest[t + 8..].try_into().expect("sliced"),
        })
    }
}

pub(crate) mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        crate::hasher::parse_hash(&s).map_err(serde::de::Error::custom)
    }
}

pub(crate) mod hex20 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8; 20], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 20], D::Error> {
        let s = String::deserialize(d)?;
        let h = s.strip_prefix("0x").unwrap_or(&s);
        let bytes = hex::decode(h).map_err(|e| serde::de::Error::custom(format!("invalid address {s:?}: {e}")))?;
        bytes.try_into().map_err(|_| serde::de::Error::custom(format!("an address is 20 bytes: {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> LeafRecord {
        LeafRecord {
            content_hash: [7; 32],
            chain_id: 31337,
            token: [0xaa; 20],
            kind: "annual-report".into(),
            timestamp: 1_790_000_000,
            salt: [9; 32],
        }
    }

    #[test]
    fn round_trips_and_rejects_bad_input() {
        let r = record();
        let bytes = r.encode().unwrap();
        assert_eq!(LeafRecord::decode(&bytes).unwrap(), r);
        assert!(LeafRecord::decode(&bytes[..bytes.len() - 1]).is_err());
        let mut v2 = bytes.clone();
        v2[0] = 2;
        assert_eq!(LeafRecord::decode(&v2), Err(LeafError::BadVersion(2)));
        for kind in ["", "Annual", "a b", &"x".repeat(65)] {
            assert!(LeafRecord { kind: kind.into(), ..record() }.encode().is_err(), "{kind:?}");
        }
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<LeafRecord>(&json).unwrap(), r);
    }
}
