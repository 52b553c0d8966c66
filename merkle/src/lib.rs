//! The append-only Merkle log of disclosures: RFC 6962's tree shape over BLAKE3 (and SHA-256, for
//! which the log is exactly RFC 6962 and its test vectors apply), with leaf and node domain
//! separation, inclusion and consistency proofs, and the proof file an auditor verifies offline.
//!
//! The crate has no tokio, RocksDB or network dependency and builds for
//! `wasm32-unknown-unknown`, so a verifier can run in a browser. `registrar-archive` persists the
//! tree's nodes in RocksDB and anchors roots on chain. Modules depend one way: `hasher` ← `leaf`,
//! `proof` ← `tree`, `file`; the tree's shape (`split`) is here, shared by both.
//!
//! # Layout
//! - `hasher`: the domain-separated hash functions, as `rs_merkle::Hasher`s.
//! - `tree`: the tree in memory, append in O(log n), roots and proofs at any earlier size.
//! - `proof`: strict verification of inclusion and consistency proofs (RFC 9162 §2.1.3–2.1.4).
//! - `leaf`: the canonical encoding of a disclosure's leaf.
//! - `file`: the JSON proof file.

use std::fmt;

use serde::{Deserialize, Serialize};

mod file;
mod hasher;
mod leaf;
mod proof;
mod tree;

pub use file::{check, leaf_hash, AnchorRef, FileError, HexHash, ProofFile, Verdict, PROOF_FILE_VERSION};
pub use hasher::{parse_hash, Algorithm, Blake3, Hash, Sha256, TreeHasher};
pub use leaf::{check_kind, LeafError, LeafRecord, LEAF_VERSION, MAX_KIND_LEN};
pub use proof::{
    consistency_path_len, inclusion_path_len, root_from_inclusion, verify_consistency, verify_inclusion, ProofError,
};
pub use tree::{NewNode, Tree};

/// The position of a leaf in the log, from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeafIndex(pub u64);

/// A number of leaves: the log at some point of its history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TreeSize(pub u64);

impl fmt::Display for LeafIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for TreeSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The largest power of two smaller than `n` (n ≥ 2): where RFC 6962 splits a tree of `n` leaves.
pub(crate) fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}
