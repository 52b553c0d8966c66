//! The disclosure archive: documents stored by BLAKE3 hash, their records in RocksDB, a tantivy
//! index over their text, and the Merkle log that commits to every record in the order it was
//! accepted. Nothing is ever deleted: a removal on chain is one more record.
//!
//! Each accepted disclosure is one `WriteBatch`: its record, its leaf and the tree nodes the leaf
//! completes (and, for on-chain documents, the position in the event log), so a crash leaves the
//! log either with the leaf or without it. The search index trails the records and catches up on
//! open. On-chain documents and anchors are archived once their block is final, so a reorg never
//! has to take a leaf back.
//!
//! It owns the archive's storage and the anchoring of its roots; it does not own the tree maths
//! (`registrar-merkle`), the event log (`registrar-log`), who may submit (the API's keys) or HTTP.
//!
//! # Layout
//! - `store`: [`Archive`]: opening it, submissions, records, content and search.
//! - `records`: what it keeps and is given: [`Disclosure`], [`Source`], [`AnchorRecord`], [`Submission`].
//! - `error`: [`ArchiveError`], with whether a failure is the caller's and whether it is worth retrying.
//! - `blobs`: the content store, addressed by BLAKE3 hash, written once and synced.
//! - `text`: text of submitted documents (PDF in a child process with limits).
//! - `search`: the tantivy index and its bounded queries.
//! - `proofs`: anchors, inclusion and consistency proofs, proof files.
//! - `chain`: ERC-1643 documents and `RootAnchored` anchors from the log, archived once final.
//! - `follow`: the task that follows the event log.
//! - `anchor`: the task that sends `anchor(size, root)` to the `DisclosureAnchor` contract.

/// Runs `$body` with `$t` bound to the archive's tree, whichever hash it uses.
macro_rules! on_tree {
    ($tree:expr, $t:ident => $body:expr) => {
        match $tree {
            $crate::store::AnyTree::Blake3($t) => $body,
            $crate::store::AnyTree::Sha256($t) => $body,
        }
    };
}

pub mod anchor;
mod blobs;
mod chain;
mod error;
mod follow;
mod proofs;
mod records;
pub mod search;
mod store;
mod text;

pub use blobs::{hash_file, hash_file_streaming, BlobRef, BlobStore};
pub use error::ArchiveError;
pub use follow::run_archiver;
pub use records::*;
pub use search::{Hit, SearchIndex, SearchPage, SearchQuery};
pub use store::Archive;
pub use text::{pdf_text, ExtractLimits, Extracted, Extractor, SUBMITTABLE};

pub(crate) const DISCLOSURES: &str = "disclosures";
pub(crate) const BY_HASH: &str = "by_hash";
pub(crate) const NODES: &str = "nodes";
pub(crate) const ANCHORS: &str = "anchors";
pub(crate) const META: &str = "meta";

pub(crate) const META_ALGORITHM: &[u8] = b"algorithm";
pub(crate) const META_RESUME_FROM: &[u8] = b"chain_resume_from";
pub(crate) const META_ARCHIVED_THROUGH: &[u8] = b"chain_archived_through";

pub const MAX_TITLE: usize = 500;

#[cfg(test)]
mod tests;
