//! What the archive keeps and is given: disclosures, their sources, anchors, submissions, options.

use std::sync::Arc;

use alloy::primitives::Address;
use registrar_log::Metrics;
use registrar_merkle::{Algorithm, AnchorRef, HexHash, LeafRecord};
use serde::{Deserialize, Serialize};

use crate::text;

/// Where a disclosure came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Source {
    /// Submitted by an issuer with an API key.
    Submitted { key_id: String, key_name: String },
    /// A document event of a watched token, archived when its block became final.
    Chain(ChainDocument),
}

/// The facts of an on-chain document event: also the archived content (as JSON) of the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainDocument {
    pub event: String,
    pub chain_id: u64,
    pub token: String,
    /// The bytes32 name, hex.
    pub name: String,
    /// The name as text, when it is UTF-8 padded with zeros.
    pub name_text: Option<String>,
    pub uri: String,
    pub document_hash: String,
    pub tx_hash: String,
    pub block_number: u64,
    pub block_hash: String,
    pub log_index: u32,
}

/// An archived disclosure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    pub leaf_index: u64,
    pub leaf: LeafRecord,
    pub title: String,
    /// `YYYY-MM-DD`, as the issuer gave it.
    pub effective_date: Option<String>,
    pub content_type: String,
    pub size: u64,
    pub source: Source,
}

/// An anchored root, archived when its block became final.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorRecord {
    pub sequence: u64,
    pub tree_size: u64,
    pub root: HexHash,
    /// Where it was anchored, as a proof file names it.
    #[serde(flatten)]
    pub at: AnchorRef,
    /// Whether the anchored root is this archive's root at that size.
    pub matches: bool,
}

/// A search result: the disclosure and, for a text search, its highlighted snippet.
pub type Found = (Disclosure, Option<String>);

/// What an issuer submits besides the content.
#[derive(Clone, Debug)]
pub struct Submission {
    pub token: Address,
    pub kind: String,
    pub title: String,
    pub effective_date: Option<String>,
    pub content_type: Option<String>,
    /// Who submits it: the id and name of the API key the API authenticated and checked.
    pub submitter: Submitter,
}

/// The API key a submission came with, as the archive records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitter {
    pub key_id: String,
    pub key_name: String,
}

#[derive(Clone, Debug)]
pub struct ArchiveOptions {
    pub algorithm: Algorithm,
    pub chain_id: u64,
    pub max_content_bytes: u64,
    /// The `DisclosureAnchor` contract whose `RootAnchored` events are this archive's anchors.
    pub anchor_contract: Option<Address>,
    pub metrics: Arc<Metrics>,
    /// Where PDF text is extracted (the server: a child process with limits).
    pub extractor: text::Extractor,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions {
            algorithm: Algorithm::Blake3,
            chain_id: 0,
            max_content_bytes: 20 << 20,
            anchor_contract: None,
            metrics: Arc::default(),
            extractor: text::Extractor::default(),
        }
    }
}
