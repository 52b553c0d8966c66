use async_graphql::SimpleObject;
use registrar_archive::{AnchorRecord, Disclosure as Record, Source};

use super::PageInfo;

/// An archived disclosure.
#[derive(SimpleObject, Clone, Debug)]
pub struct Disclosure {
    /// Position in the Merkle log.
    pub leaf_index: u64,
    /// BLAKE3 of the content, hex.
    pub content_hash: String,
    pub token: String,
    pub chain_id: u64,
    pub kind: String,
    pub title: String,
    pub effective_date: Option<String>,
    /// Unix seconds when the archive accepted it (for on-chain documents: the block's time).
    pub timestamp: u64,
    pub content_type: String,
    pub size: u64,
    /// `submitted` or `chain`.
    pub source: String,
    /// The API key id that submitted it.
    pub submitter: Option<String>,
    /// For on-chain documents: the event, document name, URI and hash, and where it was emitted.
    pub chain_event: Option<String>,
    pub document_name: Option<String>,
    pub uri: Option<String>,
    pub document_hash: Option<String>,
    pub tx_hash: Option<String>,
    pub block_number: Option<u64>,
}

impl From<Record> for Disclosure {
    fn from(d: Record) -> Self {
        let mut out = Disclosure {
            leaf_index: d.leaf_index,
            content_hash: hex::encode(d.leaf.content_hash),
            token: format!("0x{}", hex::encode(d.leaf.token)),
            chain_id: d.leaf.chain_id,
            kind: d.leaf.kind,
            title: d.title,
            effective_date: d.effective_date,
            timestamp: d.leaf.timestamp,
            content_type: d.content_type,
            size: d.size,
            source: String::new(),
            submitter: None,
            chain_event: None,
            document_name: None,
            uri: None,
            document_hash: None,
            tx_hash: None,
            block_number: None,
        };
        match d.source {
            Source::Submitted { key_id, .. } => {
                out.source = "submitted".into();
                out.submitter = Some(key_id);
            }
            Source::Chain(c) => {
                out.source = "chain".into();
                out.chain_event = Some(c.event);
                out.document_name = Some(c.name_text.unwrap_or(c.name));
                out.uri = Some(c.uri);
                out.document_hash = Some(c.document_hash);
                out.tx_hash = Some(c.tx_hash);
                out.block_number = Some(c.block_number);
            }
        }
        out
    }
}

/// A search result: the disclosure and, for a text search, a snippet with `<b>` highlights.
#[derive(SimpleObject, Clone, Debug)]
pub struct DisclosureHit {
    pub disclosure: Disclosure,
    pub snippet: Option<String>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct DisclosureConnection {
    pub nodes: Vec<DisclosureHit>,
    pub total_count: u64,
    pub page_info: PageInfo,
}

/// Where a proof's root is anchored.
#[derive(SimpleObject, Clone, Debug)]
pub struct AnchorRef {
    pub chain_id: u64,
    pub contract: String,
    pub tx_hash: String,
    pub block_number: u64,
    pub block_hash: String,
}

/// An inclusion proof: the fields of the proof file (`schemas/proof.schema.json`), and the file.
#[derive(SimpleObject, Clone, Debug)]
pub struct DisclosureProof {
    pub hash_algorithm: String,
    pub leaf_index: u64,
    pub tree_size: u64,
    pub path: Vec<String>,
    pub root: String,
    /// The canonical leaf encoding, hex.
    pub leaf: String,
    pub anchor: Option<AnchorRef>,
    /// The proof file as JSON, for `registrar verify`.
    pub json: String,
}

impl From<registrar_merkle::AnchorRef> for AnchorRef {
    fn from(a: registrar_merkle::AnchorRef) -> Self {
        AnchorRef {
            chain_id: a.chain_id,
            contract: a.contract,
            tx_hash: a.tx_hash,
            block_number: a.block_number,
            block_hash: a.block_hash,
        }
    }
}

impl From<registrar_merkle::ProofFile> for DisclosureProof {
    fn from(p: registrar_merkle::ProofFile) -> Self {
        DisclosureProof {
            hash_algorithm: p.hash_algorithm.to_string(),
            leaf_index: p.leaf_index,
            tree_size: p.tree_size,
            path: p.path.iter().map(|h| hex::encode(h.0)).collect(),
            root: hex::encode(p.root.0),
            leaf: hex::encode(p.leaf.encode().unwrap_or_default()),
            json: p.to_json(),
            anchor: p.anchor.map(AnchorRef::from),
        }
    }
}

/// A root anchored on chain, final.
#[derive(SimpleObject, Clone, Debug)]
pub struct Anchor {
    pub sequence: u64,
    pub tree_size: u64,
    pub root: String,
    pub chain_id: u64,
    pub contract: String,
    pub tx_hash: String,
    pub block_number: u64,
    pub block_hash: String,
    /// Whether the root is the archive's root at that size.
    pub matches: bool,
    /// The anchor before this one, and the consistency proof from its size to this one.
    pub previous_tree_size: Option<u64>,
    pub consistency_from_previous: Vec<String>,
}

impl Anchor {
    pub fn new(a: AnchorRecord, previous: Option<u64>, path: Vec<String>) -> Self {
        Anchor {
            sequence: a.sequence,
            tree_size: a.tree_size,
            root: hex::encode(a.root.0),
            chain_id: a.at.chain_id,
            contract: a.at.contract,
            tx_hash: a.at.tx_hash,
            block_number: a.at.block_number,
            block_hash: a.at.block_hash,
            matches: a.matches,
            previous_tree_size: previous,
            consistency_from_previous: path,
        }
    }
}

#[derive(SimpleObject, Clone, Debug)]
pub struct AnchorConnection {
    pub nodes: Vec<Anchor>,
    pub page_info: PageInfo,
}

/// A consistency proof between two sizes of the log (RFC 9162 §2.1.4).
#[derive(SimpleObject, Clone, Debug)]
pub struct ConsistencyProof {
    pub hash_algorithm: String,
    pub from_size: u64,
    pub to_size: u64,
    pub from_root: String,
    pub to_root: String,
    pub path: Vec<String>,
}
