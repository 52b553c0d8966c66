//! The disclosure archive: documents stored by BLAKE3 hash, their records in RocksDB, a tantivy
//! index over their text, and the Merkle log that commits to every record in the order it was
//! accepted. Nothing is ever deleted: a removal on chain is one more record.
//!
//! Each accepted disclosure is one `WriteBatch`: its record, its leaf and the tree nodes the leaf
//! completes (and, for on-chain documents, the position in the event log), so a crash leaves the
//! log either with the leaf or without it. The search index trails the records and catches up on
//! open. On-chain documents and anchors are archived once their block is final, so a reorg never
//! has to take a leaf back.

pub mod anchor;
mod blobs;
mod follow;
pub mod search;
mod text;

use std::{
    collections::VecDeque,
    path::Path,
    sync::{atomic::Ordering::Relaxed, Arc, Mutex},
    time::{SystemTime, UNIX_EPOCH},
};

use alloy::primitives::Address;
pub use blobs::{hash_file, hash_file_streaming, BlobRef, BlobStore};
pub use follow::run_archiver;
use registrar_merkle::{
    check_kind, leaf_hash, Algorithm, AnchorRef, Blake3, Hash, HexHash, LeafIndex, LeafRecord, NewNode, ProofError,
    ProofFile, Sha256, Tree, TreeSize, PROOF_FILE_VERSION,
};
use registrar_schemas::{ChainEvent, LogRecord, TokenEvent};
use rocksdb::{ColumnFamilyDescriptor, Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
pub use search::{Hit, SearchPage, SearchQuery};
use serde::{Deserialize, Serialize};
pub use text::{pdf_text, ExtractLimits, Extracted, Extractor, SUBMITTABLE};
use tracing::{error, info, warn};

use registrar_log::Metrics;

const DISCLOSURES: &str = "disclosures";
const BY_HASH: &str = "by_hash";
const NODES: &str = "nodes";
const ANCHORS: &str = "anchors";
const META: &str = "meta";

const META_ALGORITHM: &[u8] = b"algorithm";
const META_RESUME_FROM: &[u8] = b"chain_resume_from";
const META_ARCHIVED_THROUGH: &[u8] = b"chain_archived_through";

pub const MAX_TITLE: usize = 500;

/// Why the archive refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("content is larger than the limit of {max} bytes")]
    TooLarge { max: u64 },
    #[error("content type {got:?} is not accepted: use one of {SUBMITTABLE:?}")]
    UnsupportedType { got: String },
    #[error("content is not valid {content_type}: {reason}")]
    BadContent { content_type: String, reason: String },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("invalid search: {0}")]
    BadSearch(String),
    #[error("not anchored yet: no anchor covers leaf {0}")]
    NotAnchored(u64),
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error("the archive was created with {stored}, not {configured}")]
    AlgorithmMismatch { stored: String, configured: Algorithm },
    #[error("blob {0} is missing")]
    MissingBlob(String),
    #[error("a write failed earlier; restart to recover from disk")]
    Poisoned,
    #[error("corrupt archive: {0}")]
    Corrupt(String),
    #[error("search index: {0}")]
    Search(String),
    #[error("event log: {0}")]
    Log(#[from] registrar_log::LogError),
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

impl From<tantivy::TantivyError> for ArchiveError {
    fn from(e: tantivy::TantivyError) -> Self {
        ArchiveError::Search(e.to_string())
    }
}

impl ArchiveError {
    /// Whether the caller sent something wrong (as opposed to the archive failing).
    pub fn is_client_error(&self) -> bool {
        match self {
            ArchiveError::TooLarge { .. }
            | ArchiveError::UnsupportedType { .. }
            | ArchiveError::BadContent { .. }
            | ArchiveError::Invalid { .. }
            | ArchiveError::BadSearch(_)
            | ArchiveError::NotAnchored(_)
            | ArchiveError::Proof(_) => true,
            ArchiveError::AlgorithmMismatch { .. }
            | ArchiveError::MissingBlob(_)
            | ArchiveError::Poisoned
            | ArchiveError::Corrupt(_)
            | ArchiveError::Search(_)
            | ArchiveError::Log(_)
            | ArchiveError::Rocks(_)
            | ArchiveError::Io(_) => false,
        }
    }
}

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

enum AnyTree {
    Blake3(Tree<Blake3>),
    Sha256(Tree<Sha256>),
}

macro_rules! on_tree {
    ($tree:expr, $t:ident => $body:expr) => {
        match $tree {
            AnyTree::Blake3($t) => $body,
            AnyTree::Sha256($t) => $body,
        }
    };
}

struct State {
    tree: AnyTree,
    poisoned: bool,
    /// Document and anchor events waiting for their block to become final, by log offset.
    pending: VecDeque<(u64, ChainEvent)>,
    archived_through: Option<u64>,
}

pub struct Archive {
    db: DB,
    blobs: BlobStore,
    search: SearchIndex,
    options: ArchiveOptions,
    state: Mutex<State>,
}

pub use search::SearchIndex;

fn synced() -> WriteOptions {
    let mut w = WriteOptions::default();
    w.set_sync(true);
    w
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn node_key(level: u8, index: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = level;
    k[1..].copy_from_slice(&index.to_be_bytes());
    k
}

fn be(v: u64) -> [u8; 8] {
    v.to_be_bytes()
}

fn read_u64(bytes: &[u8]) -> Result<u64, ArchiveError> {
    Ok(u64::from_be_bytes(bytes.try_into().map_err(|_| ArchiveError::Corrupt("u64 of wrong width".into()))?))
}

fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("archive records serialize")
}

fn from_json<T: for<'de> Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, ArchiveError> {
    serde_json::from_slice(bytes).map_err(|e| ArchiveError::Corrupt(format!("{what}: {e}")))
}

fn show(a: &Address) -> String {
    format!("{a:#x}")
}

impl Archive {
    /// Opens (or creates) the archive in `dir`.
    pub fn open(dir: &Path, options: ArchiveOptions) -> Result<Archive, ArchiveError> {
        std::fs::create_dir_all(dir)?;
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        let cfs = [DISCLOSURES, BY_HASH, NODES, ANCHORS, META]
            .into_iter()
            .map(|n| ColumnFamilyDescriptor::new(n, Options::default()));
        let db = DB::open_cf_descriptors(&opts, dir.join("db"), cfs)?;

        let meta = db.cf_handle(META).expect("opened with meta");
        match db.get_cf(meta, META_ALGORITHM)? {
            Some(stored) => {
                let stored = String::from_utf8_lossy(&stored).into_owned();
                if stored != options.algorithm.as_str() {
                    return Err(ArchiveError::AlgorithmMismatch { stored, configured: options.algorithm });
                }
            }
            None => db.put_cf_opt(meta, META_ALGORITHM, options.algorithm.as_str(), &synced())?,
        }
        let archived_through = db.get_cf(meta, META_ARCHIVED_THROUGH)?.map(|b| read_u64(&b)).transpose()?;

        let mut nodes = Vec::new();
        for item in db.iterator_cf(db.cf_handle(NODES).expect("opened"), IteratorMode::Start) {
            let (k, v) = item?;
            if k.len() != 9 || v.len() != 32 {
                return Err(ArchiveError::Corrupt("tree node of wrong width".into()));
            }
            nodes.push(NewNode { level: k[0], index: read_u64(&k[1..])?, hash: v[..].try_into().expect("checked") });
        }
        let tree = match options.algorithm {
            Algorithm::Blake3 => AnyTree::Blake3(Tree::from_nodes(nodes)?),
            Algorithm::Sha256 => AnyTree::Sha256(Tree::from_nodes(nodes)?),
        };
        let archive = Archive {
            blobs: BlobStore::open(&dir.join("blobs"))?,
            search: SearchIndex::open(&dir.join("index"))?,
            db,
            options,
            state: Mutex::new(State { tree, poisoned: false, pending: VecDeque::new(), archived_through }),
        };
        archive.catch_up_index()?;
        let size = archive.size().0;
        archive.options.metrics.archive_leaves.store(size, Relaxed);
        if let Some(a) = archive.latest_anchor()? {
            archive.options.metrics.archive_anchored_size.store(a.tree_size, Relaxed);
        }
        info!(target: "archive", size = archive.size().0, "disclosure archive open");
        Ok(archive)
    }

    pub fn algorithm(&self) -> Algorithm {
        self.options.algorithm
    }

    pub fn options(&self) -> &ArchiveOptions {
        &self.options
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    fn cf(&self, name: &str) -> &rocksdb::ColumnFamily {
        self.db.cf_handle(name).expect("every column family is opened")
    }

    pub fn size(&self) -> TreeSize {
        let state = self.state.lock().expect("archive lock");
        on_tree!(&state.tree, t => t.size())
    }

    pub fn root(&self) -> Hash {
        let state = self.state.lock().expect("archive lock");
        on_tree!(&state.tree, t => t.root())
    }

    pub fn root_at(&self, size: TreeSize) -> Result<Hash, ArchiveError> {
        let state = self.state.lock().expect("archive lock");
        Ok(on_tree!(&state.tree, t => t.root_at(size))?)
    }

    /// Accepts a submission: checks it, stores the content, appends the leaf, indexes the text.
    /// Blocking.
    pub fn submit(&self, s: Submission, content: &[u8]) -> Result<Disclosure, ArchiveError> {
        let token = show(&s.token);
        check_kind(&s.kind).map_err(|e| ArchiveError::Invalid { field: "kind", reason: e.to_string() })?;
        let title = s.title.trim().to_string();
        if title.is_empty() || title.len() > MAX_TITLE {
            return Err(ArchiveError::Invalid { field: "title", reason: format!("1 to {MAX_TITLE} bytes") });
        }
        if let Some(d) = &s.effective_date {
            check_date(d)?;
        }
        if content.len() as u64 > self.options.max_content_bytes {
            return Err(ArchiveError::TooLarge { max: self.options.max_content_bytes });
        }
        let content_type = text::content_type(s.content_type.as_deref(), content)?;
        let text = self.text(content_type, content, &s.title);
        let blob = self.blobs.put(content, self.options.max_content_bytes)?;
        let leaf = LeafRecord {
            content_hash: blob.hash,
            chain_id: self.options.chain_id,
            token: s.token.into_array(),
            kind: s.kind,
            timestamp: now(),
            salt: rand::random(),
        };
        let source = Source::Submitted { key_id: s.submitter.key_id, key_name: s.submitter.key_name };
        let d = self.append(leaf, title, s.effective_date, content_type, blob.size, source, None)?;
        self.search.add(&d, &text)?;
        self.search.commit(d.leaf_index + 1)?;
        info!(target: "archive", leaf = d.leaf_index, token, kind = d.leaf.kind, "disclosure archived");
        Ok(d)
    }

    /// Appends one leaf and its record in one synced batch; `cursor` records the event log offset
    /// of an on-chain source in the same batch.
    #[allow(clippy::too_many_arguments)]
    fn append(
        &self,
        leaf: LeafRecord,
        title: String,
        effective_date: Option<String>,
        content_type: &str,
        size: u64,
        source: Source,
        cursor: Option<u64>,
    ) -> Result<Disclosure, ArchiveError> {
        let encoded = leaf.encode().map_err(|e| ArchiveError::Invalid { field: "leaf", reason: e.to_string() })?;
        let hash = leaf_hash(self.options.algorithm, &encoded);
        let mut state = self.state.lock().expect("archive lock");
        if state.poisoned {
            return Err(ArchiveError::Poisoned);
        }
        let leaf_index = on_tree!(&state.tree, t => t.size()).0;
        let d = Disclosure { leaf_index, leaf, title, effective_date, content_type: content_type.into(), size, source };
        let mut batch = WriteBatch::default();
        let nodes = self.cf(NODES);
        on_tree!(&mut state.tree, t => t.push_with(hash, |n| batch.put_cf(nodes, node_key(n.level, n.index), n.hash)));
        batch.put_cf(self.cf(DISCLOSURES), be(leaf_index), json(&d));
        let mut by_hash = d.leaf.content_hash.to_vec();
        by_hash.extend_from_slice(&be(leaf_index));
        batch.put_cf(self.cf(BY_HASH), by_hash, []);
        if let Some(offset) = cursor {
            batch.put_cf(self.cf(META), META_ARCHIVED_THROUGH, be(offset));
        }
        if let Err(e) = self.db.write_opt(batch, &synced()) {
            // The tree in memory is ahead of the disk now; only a reopen makes them agree again.
            state.poisoned = true;
            error!(target: "archive", error = %e, "archive write failed");
            return Err(e.into());
        }
        if cursor.is_some() {
            state.archived_through = cursor;
        }
        self.options.metrics.archive_leaves.store(leaf_index + 1, Relaxed);
        Ok(d)
    }

    pub fn disclosure(&self, leaf_index: u64) -> Result<Option<Disclosure>, ArchiveError> {
        self.db.get_cf(self.cf(DISCLOSURES), be(leaf_index))?.map(|b| from_json("disclosure", &b)).transpose()
    }

    /// The first disclosure of this content.
    pub fn disclosure_by_hash(&self, content_hash: &Hash) -> Result<Option<Disclosure>, ArchiveError> {
        let mut it = self.db.iterator_cf(self.cf(BY_HASH), IteratorMode::From(content_hash, Direction::Forward));
        match it.next().transpose()? {
            Some((k, _)) if k.len() == 40 && k[..32] == content_hash[..] => self.disclosure(read_u64(&k[32..])?),
            _ => Ok(None),
        }
    }

    pub fn content(&self, content_hash: &Hash) -> Result<Vec<u8>, ArchiveError> {
        self.blobs.get(content_hash)
    }

    /// A page of disclosures with their snippets, and the number of matches.
    pub fn search(&self, q: &SearchQuery) -> Result<(Vec<Found>, usize), ArchiveError> {
        let page = self.search.search(q)?;
        let mut out = Vec::with_capacity(page.hits.len());
        for hit in page.hits {
            let d = self
                .disclosure(hit.leaf_index)?
                .ok_or_else(|| ArchiveError::Corrupt(format!("indexed leaf {} has no record", hit.leaf_index)))?;
            out.push((d, hit.snippet));
        }
        Ok((out, page.total))
    }

    /// Final anchors with `tree_size > after`, in order of size.
    pub fn anchors(&self, after: Option<u64>, limit: usize) -> Result<Vec<AnchorRecord>, ArchiveError> {
        let start = after.map_or(0, |a| a + 1);
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf(ANCHORS), IteratorMode::From(&be(start), Direction::Forward)) {
            let (_, v) = item?;
            out.push(from_json("anchor", &v)?);
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// The first final anchor with the archive's root whose tree contains leaf `leaf_index`.
    fn first_anchor_covering(&self, leaf_index: u64) -> Result<Option<AnchorRecord>, ArchiveError> {
        let start = be(leaf_index + 1);
        for item in self.db.iterator_cf(self.cf(ANCHORS), IteratorMode::From(&start, Direction::Forward)) {
            let (_, v) = item?;
            let a: AnchorRecord = from_json("anchor", &v)?;
            if a.matches {
                return Ok(Some(a));
            }
        }
        Ok(None)
    }

    /// The anchor just below `size`, for the consistency proof published with an anchor.
    pub fn previous_anchor(&self, size: u64) -> Result<Option<AnchorRecord>, ArchiveError> {
        let mut it = self.db.iterator_cf(self.cf(ANCHORS), IteratorMode::From(&be(size), Direction::Reverse));
        while let Some(item) = it.next().transpose()? {
            let (k, v) = item;
            if read_u64(&k)? < size {
                return Ok(Some(from_json("anchor", &v)?));
            }
        }
        Ok(None)
    }

    pub fn latest_anchor(&self) -> Result<Option<AnchorRecord>, ArchiveError> {
        self.previous_anchor(u64::MAX)
    }

    /// The proof file of leaf `leaf_index`: at the first anchor that covers it, or, unless
    /// `anchored_only`, at the current size when none does yet.
    pub fn proof(&self, leaf_index: u64, anchored_only: bool) -> Result<Option<ProofFile>, ArchiveError> {
        let Some(d) = self.disclosure(leaf_index)? else { return Ok(None) };
        let anchor = self.first_anchor_covering(leaf_index)?;
        if anchor.is_none() && anchored_only {
            return Err(ArchiveError::NotAnchored(leaf_index));
        }
        let state = self.state.lock().expect("archive lock");
        let size = anchor.as_ref().map_or(on_tree!(&state.tree, t => t.size()), |a| TreeSize(a.tree_size));
        let (path, root) =
            on_tree!(&state.tree, t => (t.inclusion_proof(LeafIndex(leaf_index), size)?, t.root_at(size)?));
        drop(state);
        Ok(Some(ProofFile {
            version: PROOF_FILE_VERSION,
            hash_algorithm: self.options.algorithm,
            leaf: d.leaf,
            leaf_index,
            tree_size: size.0,
            path: path.into_iter().map(HexHash).collect(),
            root: HexHash(root),
            anchor: anchor.map(|a| a.at),
        }))
    }

    /// Roots at both sizes and the consistency path between them.
    pub fn consistency(&self, size1: TreeSize, size2: TreeSize) -> Result<(Hash, Hash, Vec<Hash>), ArchiveError> {
        let state = self.state.lock().expect("archive lock");
        Ok(on_tree!(&state.tree, t => (t.root_at(size1)?, t.root_at(size2)?, t.consistency_proof(size1, size2)?)))
    }

    /// Where to read the event log from after a restart.
    pub fn chain_resume_from(&self) -> Result<u64, ArchiveError> {
        Ok(self.db.get_cf(self.cf(META), META_RESUME_FROM)?.map(|b| read_u64(&b)).transpose()?.unwrap_or(0))
    }

    /// Takes event log records in order: holds document and anchor events until their block is
    /// final, drops them if a reorg voids them, archives them when final. Blocking.
    pub fn apply_log(&self, records: &[(u64, LogRecord)]) -> Result<(), ArchiveError> {
        let Some(last) = records.last().map(|(o, _)| *o) else { return Ok(()) };
        for (offset, record) in records {
            match record {
                LogRecord::Event(e) => {
                    let wanted = match &e.event {
                        TokenEvent::Document { .. } => true,
                        TokenEvent::RootAnchored { .. } => self.options.anchor_contract == Some(e.meta.contract),
                        TokenEvent::Transfer { .. }
                        | TokenEvent::TokensFrozen { .. }
                        | TokenEvent::TokensUnfrozen { .. }
                        | TokenEvent::AddressFrozen { .. }
                        | TokenEvent::Paused { .. }
                        | TokenEvent::Unpaused { .. }
                        | TokenEvent::RecoverySuccess { .. }
                        | TokenEvent::Move(_)
                        | TokenEvent::ChangedPartition { .. }
                        | TokenEvent::OperatorChanged { .. }
                        | TokenEvent::Admin { .. }
                        | TokenEvent::Identity { .. }
                        | TokenEvent::TokenInformation { .. }
                        | TokenEvent::SuiteDeployed { .. }
                        | TokenEvent::VaultDeposit { .. }
                        | TokenEvent::VaultWithdraw { .. }
                        | TokenEvent::VaultRequest { .. }
                        | TokenEvent::PoolAsset { .. }
                        | TokenEvent::DelegateChanged { .. }
                        | TokenEvent::DelegateVotesChanged { .. }
                        | TokenEvent::VoteCast { .. }
                        | TokenEvent::Snapshot { .. }
                        | TokenEvent::StockSplit { .. }
                        | TokenEvent::Buyback { .. }
                        | TokenEvent::Distribution { .. }
                        | TokenEvent::BondMove { .. }
                        | TokenEvent::BondStatus { .. } => false,
                    };
                    if wanted {
                        self.state.lock().expect("archive lock").pending.push_back((*offset, e.clone()));
                    }
                }
                LogRecord::Reverted(r) => {
                    let mut state = self.state.lock().expect("archive lock");
                    state.pending.retain(|(_, e)| e.meta.block.number <= r.common_ancestor);
                }
                LogRecord::Committed(c) => loop {
                    let next = {
                        let mut state = self.state.lock().expect("archive lock");
                        match state.pending.front() {
                            Some((_, e)) if e.meta.block.number <= c.finalized => {
                                let archived = state.archived_through;
                                state.pending.pop_front().map(|(offset, e)| (offset, e, archived))
                            }
                            _ => None,
                        }
                    };
                    let Some((offset, event, archived)) = next else { break };
                    // Archived before a restart: the resumed read passes over it again.
                    if archived.is_none_or(|a| a < offset) {
                        self.archive_final(offset, &event)?;
                    }
                },
                LogRecord::TokenDiscovered(_) | LogRecord::Undecoded(_) => {}
            }
        }
        let resume = {
            let state = self.state.lock().expect("archive lock");
            state.pending.front().map_or(last + 1, |(o, _)| *o)
        };
        self.db.put_cf(self.cf(META), META_RESUME_FROM, be(resume))?;
        Ok(())
    }

    fn archive_final(&self, offset: u64, e: &ChainEvent) -> Result<(), ArchiveError> {
        match &e.event {
            TokenEvent::Document { action, name, uri, document_hash } => {
                let trimmed: Vec<u8> = name.iter().copied().take_while(|b| *b != 0).collect();
                let name_text = String::from_utf8(trimmed).ok().filter(|s| !s.is_empty());
                let doc = ChainDocument {
                    event: action.event_name().to_string(),
                    chain_id: e.meta.chain_id.0,
                    token: show(&e.meta.contract),
                    name: format!("{name:#x}"),
                    name_text: name_text.clone(),
                    uri: uri.clone(),
                    document_hash: format!("{document_hash:#x}"),
                    tx_hash: format!("{:#x}", e.meta.tx_hash),
                    block_number: e.meta.block.number.0,
                    block_hash: format!("{:#x}", e.meta.block.hash),
                    log_index: e.meta.log_index,
                };
                let content = json(&doc);
                let blob = self.blobs.put(&content[..], u64::MAX)?;
                let kind = match action {
                    registrar_schemas::DocumentAction::Updated => "erc1643-updated",
                    registrar_schemas::DocumentAction::Removed => "erc1643-removed",
                    registrar_schemas::DocumentAction::Set => "erc1400-document",
                };
                let leaf = LeafRecord {
                    content_hash: blob.hash,
                    chain_id: e.meta.chain_id.0,
                    token: e.meta.contract.into_array(),
                    kind: kind.into(),
                    timestamp: e.meta.block.timestamp,
                    salt: rand::random(),
                };
                let title = format!("{} {}", doc.event, name_text.as_deref().unwrap_or(&doc.name));
                let text = chain_text(&title, uri);
                let d = self.append(leaf, title, None, text::JSON, blob.size, Source::Chain(doc), Some(offset))?;
                self.search.add(&d, &text)?;
                self.search.commit(d.leaf_index + 1)?;
                info!(target: "archive", leaf = d.leaf_index, block = e.meta.block.number.0, "on-chain document archived");
            }
            TokenEvent::RootAnchored { sequence, tree_size, root } => {
                let ours = self.root_at(TreeSize(*tree_size)).ok();
                let matches = ours == Some(root.0);
                if matches {
                    self.options.metrics.archive_anchored_size.fetch_max(*tree_size, Relaxed);
                } else {
                    self.options.metrics.anchor_root_mismatches.fetch_add(1, Relaxed);
                    error!(target: "archive", tree_size, anchored = %root, "an anchored root is not this archive's root at that size");
                }
                let a = AnchorRecord {
                    sequence: *sequence,
                    tree_size: *tree_size,
                    root: HexHash(root.0),
                    at: AnchorRef {
                        chain_id: e.meta.chain_id.0,
                        contract: show(&e.meta.contract),
                        tx_hash: format!("{:#x}", e.meta.tx_hash),
                        block_number: e.meta.block.number.0,
                        block_hash: format!("{:#x}", e.meta.block.hash),
                    },
                    matches,
                };
                let mut batch = WriteBatch::default();
                batch.put_cf(self.cf(ANCHORS), be(*tree_size), json(&a));
                batch.put_cf(self.cf(META), META_ARCHIVED_THROUGH, be(offset));
                self.db.write_opt(batch, &synced())?;
                self.state.lock().expect("archive lock").archived_through = Some(offset);
                info!(target: "archive", tree_size, block = a.at.block_number, "anchor final");
            }
            other => warn!(target: "archive", event = other.name(), "not an archive event"),
        }
        Ok(())
    }

    /// Indexes the leaves a crash left out of the search index.
    fn catch_up_index(&self) -> Result<(), ArchiveError> {
        let size = self.size().0;
        let indexed = self.search.indexed()?;
        if indexed >= size {
            return Ok(());
        }
        info!(target: "archive", from = indexed, to = size, "indexing disclosures");
        for leaf in indexed..size {
            let d =
                self.disclosure(leaf)?.ok_or_else(|| ArchiveError::Corrupt(format!("leaf {leaf} has no record")))?;
            let text = self.text_of(&d)?;
            self.search.add(&d, &text)?;
        }
        self.search.commit(size)
    }

    /// A document's searchable text; one whose text cannot be read has none (its title and
    /// metadata stay searchable), with a warning.
    fn text(&self, content_type: &str, bytes: &[u8], title: &str) -> String {
        let extracted = text::extract(&self.options.extractor, content_type, bytes);
        if let Some(reason) = &extracted.warning {
            warn!(target: "archive", title, content_type, %reason, "document archived without its text");
            self.options.metrics.text_extraction_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        extracted.text
    }

    fn text_of(&self, d: &Disclosure) -> Result<String, ArchiveError> {
        match &d.source {
            Source::Chain(doc) => Ok(chain_text(&d.title, &doc.uri)),
            Source::Submitted { .. } => {
                Ok(self.text(&d.content_type, &self.blobs.get(&d.leaf.content_hash)?, &d.title))
            }
        }
    }

    /// Rebuilds the search index from the archive.
    pub fn reindex(&self) -> Result<u64, ArchiveError> {
        self.search.clear()?;
        self.catch_up_index()?;
        Ok(self.size().0)
    }

    /// Adds many documents to the search index with one commit (benchmarks, imports).
    pub fn index_only(&self, docs: &[(Disclosure, String)]) -> Result<(), ArchiveError> {
        for (d, text) in docs {
            self.search.add(d, text)?;
        }
        self.search.commit(docs.last().map_or(0, |(d, _)| d.leaf_index + 1))
    }
}

/// What the search index sees of an on-chain document: its title and URI.
fn chain_text(title: &str, uri: &str) -> String {
    format!("{title} {uri}")
}

fn check_date(d: &str) -> Result<(), ArchiveError> {
    let bad = || ArchiveError::Invalid { field: "effectiveDate", reason: format!("{d:?} is not YYYY-MM-DD") };
    let parts: Vec<&str> = d.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(bad());
    }
    let (m, day): (u32, u32) = (parts[1].parse().map_err(|_| bad())?, parts[2].parse().map_err(|_| bad())?);
    let _: u32 = parts[0].parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
