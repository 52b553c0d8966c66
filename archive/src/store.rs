//! The archive itself: opening it, accepting submissions, reading records, content and search.

use std::{
    collections::VecDeque,
    path::Path,
    sync::{atomic::Ordering::Relaxed, Mutex},
    time::{SystemTime, UNIX_EPOCH},
};

use serde::{Deserialize, Serialize};

use alloy::primitives::Address;
use registrar_merkle::{check_kind, leaf_hash, Algorithm, Blake3, Hash, LeafRecord, NewNode, Sha256, Tree, TreeSize};
use registrar_schemas::ChainEvent;
use rocksdb::{ColumnFamilyDescriptor, Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use tracing::{error, info, warn};

use crate::*;

pub(crate) enum AnyTree {
    Blake3(Tree<Blake3>),
    Sha256(Tree<Sha256>),
}

pub(crate) struct State {
    pub(crate) tree: AnyTree,
    pub(crate) poisoned: bool,
    /// Document and anchor events waiting for their block to become final, by log offset.
    pub(crate) pending: VecDeque<(u64, ChainEvent)>,
    pub(crate) archived_through: Option<u64>,
}

pub struct Archive {
    pub(crate) db: DB,
    pub(crate) blobs: BlobStore,
    pub(crate) search: SearchIndex,
    pub(crate) options: ArchiveOptions,
    pub(crate) state: Mutex<State>,
}

pub(crate) fn synced() -> WriteOptions {
    let mut w = WriteOptions::default();
    w.set_sync(true);
    w
}

pub(crate) fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

pub(crate) fn node_key(level: u8, index: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = level;
    k[1..].copy_from_slice(&index.to_be_bytes());
    k
}

pub(crate) fn be(v: u64) -> [u8; 8] {
    v.to_be_bytes()
}

pub(crate) fn read_u64(bytes: &[u8]) -> Result<u64, ArchiveError> {
    Ok(u64::from_be_bytes(bytes.try_into().map_err(|_| ArchiveError::Corrupt("u64 of wrong width".into()))?))
}

pub(crate) fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("archive records serialize")
}

pub(crate) fn from_json<T: for<'de> Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, ArchiveError> {
    serde_json::from_slice(bytes).map_err(|e| ArchiveError::Corrupt(format!("{what}: {e}")))
}

pub(crate) fn show(a: &Address) -> String {
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

    pub(crate) fn cf(&self, name: &str) -> &rocksdb::ColumnFamily {
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
    pub(crate) fn append(
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

    /// Indexes the leaves a crash left out of the search index.
    pub(crate) fn catch_up_index(&self) -> Result<(), ArchiveError> {
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
    pub(crate) fn text(&self, content_type: &str, bytes: &[u8], title: &str) -> String {
        let extracted = text::extract(&self.options.extractor, content_type, bytes);
        if let Some(reason) = &extracted.warning {
            warn!(target: "archive", title, content_type, %reason, "document archived without its text");
            self.options.metrics.text_extraction_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        extracted.text
    }

    pub(crate) fn text_of(&self, d: &Disclosure) -> Result<String, ArchiveError> {
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
pub(crate) fn chain_text(title: &str, uri: &str) -> String {
    format!("{title} {uri}")
}

pub(crate) fn check_date(d: &str) -> Result<(), ArchiveError> {
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
