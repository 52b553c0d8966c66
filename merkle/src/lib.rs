//! The append-only Merkle log of disclosures: RFC 6962 tree shape over BLAKE3 (and SHA-256 for
//! RFC test vectors), with leaf and node domain separation, inclusion and consistency proofs, a
//! proof file format that verifies offline, and anchoring of roots on chain.
//!
//! Nothing is implemented yet: this crate reserves its place in the data flow. The disclosure
//! archive issue builds it.
//!
//! # Layout (planned)
//! - `hasher`: the domain-separated `rs_merkle::Hasher` implementations (BLAKE3, SHA-256).
//! - `tree`: the persistent log, append in O(log n), roots at any size.
//! - `proof`: inclusion and consistency proofs (RFC 9162 §2.1.3–2.1.4) and their strict verification.
//! - `file`: the JSON proof file and its schema.
//! - `anchor`: sending roots to the `DisclosureAnchor` contract and tracking their finality.
//!
//! The verification modules will build without tokio, RocksDB or network access (a feature
//! flag), and for `wasm32-unknown-unknown`.
