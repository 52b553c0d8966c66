//! The hash functions of the log, with RFC 6962's domain separation: a leaf hashes as
//! `H(0x00 ‖ leaf)`, an interior node as `H(0x01 ‖ left ‖ right)`, so no leaf can pass for a node.
//!
//! Both implement `rs_merkle::Hasher`: `hash` is the leaf hash and `concat_and_hash` the node
//! hash, promoting a lone left child unchanged, which is exactly RFC 6962's tree for any size.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use sha2::Digest;

/// A tree hash: both algorithms give 32 bytes.
pub type Hash = [u8; 32];

const LEAF_PREFIX: u8 = 0x00;
const NODE_PREFIX: u8 = 0x01;

/// A hash function of the log.
pub trait TreeHasher: rs_merkle::Hasher<Hash = Hash> + Send + Sync + 'static {
    const ALGORITHM: Algorithm;

    /// `H(0x00 ‖ data)`.
    fn leaf(data: &[u8]) -> Hash;

    /// `H(0x01 ‖ left ‖ right)`.
    fn node(left: &Hash, right: &Hash) -> Hash;

    /// The root of the empty tree: the hash of the empty string.
    fn empty() -> Hash;
}

/// BLAKE3, the log's default.
#[derive(Clone, Copy, Debug, Default)]
pub struct Blake3;

/// SHA-256: the log is then exactly RFC 6962's, and its test vectors apply.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sha256;

impl TreeHasher for Blake3 {
    const ALGORITHM: Algorithm = Algorithm::Blake3;

    fn leaf(data: &[u8]) -> Hash {
        let mut h = blake3::Hasher::new();
        h.update(&[LEAF_PREFIX]);
        h.update(data);
        *h.finalize().as_bytes()
    }

    fn node(left: &Hash, right: &Hash) -> Hash {
        let mut buf = [0u8; 65];
        buf[0] = NODE_PREFIX;
        buf[1..33].copy_from_slice(left);
        buf[33..].copy_from_slice(right);
        *blake3::hash(&buf).as_bytes()
    }

    fn empty() -> Hash {
        *blake3::hash(&[]).as_bytes()
    }
}

impl TreeHasher for Sha256 {
    const ALGORITHM: Algorithm = Algorithm::Sha256;

    fn leaf(data: &[u8]) -> Hash {
        let mut h = sha2::Sha256::new();
        h.update([LEAF_PREFIX]);
        h.update(data);
        h.finalize().into()
    }

    fn node(left: &Hash, right: &Hash) -> Hash {
        let mut h = sha2::Sha256::new();
        h.update([NODE_PREFIX]);
        h.update(left);
        h.update(right);
        h.finalize().into()
    }

    fn empty() -> Hash {
        sha2::Sha256::digest([]).into()
    }
}

macro_rules! rs_merkle_hasher {
    ($ty:ty) => {
        impl rs_merkle::Hasher for $ty {
            type Hash = Hash;

            fn hash(data: &[u8]) -> Hash {
                <$ty as TreeHasher>::leaf(data)
            }

            fn concat_and_hash(left: &Hash, right: Option<&Hash>) -> Hash {
                match right {
                    Some(right) => <$ty as TreeHasher>::node(left, right),
                    None => *left,
                }
            }
        }
    };
}
rs_merkle_hasher!(Blake3);
rs_merkle_hasher!(Sha256);

/// The hash function of a proof, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    Blake3,
    Sha256,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Blake3 => "blake3",
            Algorithm::Sha256 => "sha256",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "blake3" => Ok(Algorithm::Blake3),
            "sha256" | "sha-256" => Ok(Algorithm::Sha256),
            other => Err(format!("unknown hash algorithm {other:?}: expected blake3 or sha256")),
        }
    }
}

/// Runs `$body` with `$H` bound to the hasher type of `$algorithm`.
#[macro_export]
macro_rules! with_hasher {
    ($algorithm:expr, $H:ident => $body:expr) => {
        match $algorithm {
            $crate::Algorithm::Blake3 => {
                type $H = $crate::Blake3;
                $body
            }
            $crate::Algorithm::Sha256 => {
                type $H = $crate::Sha256;
                $body
            }
        }
    };
}

/// Parses 32 bytes of hex, with or without `0x`.
pub fn parse_hash(s: &str) -> Result<Hash, String> {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    let bytes = hex::decode(s).map_err(|e| format!("invalid hex {s:?}: {e}"))?;
    bytes.try_into().map_err(|b: Vec<u8>| format!("a hash is 32 bytes, got {}", b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_separation() {
        let a = [1u8; 32];
        let mut concat = vec![];
        concat.extend_from_slice(&a);
        concat.extend_from_slice(&a);
        assert_ne!(Blake3::leaf(&concat), Blake3::node(&a, &a));
        assert_ne!(Sha256::leaf(&concat), Sha256::node(&a, &a));
        // RFC 6962: the empty tree's root is SHA-256 of the empty string.
        assert_eq!(hex::encode(Sha256::empty()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn algorithm_names() {
        for a in [Algorithm::Blake3, Algorithm::Sha256] {
            assert_eq!(a.as_str().parse::<Algorithm>().unwrap(), a);
        }
        assert!("md5".parse::<Algorithm>().is_err());
        assert!(parse_hash("0x12").is_err());
        assert_eq!(parse_hash(&"ab".repeat(32)).unwrap(), [0xab; 32]);
    }
}
