//! Anchors and proofs: which anchor covers a leaf, inclusion and consistency proofs, proof files.

use registrar_merkle::{Hash, HexHash, LeafIndex, ProofFile, TreeSize, PROOF_FILE_VERSION};
use rocksdb::{Direction, IteratorMode};

use crate::{store::*, *};

impl Archive {
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
    pub(crate) fn first_anchor_covering(&self, leaf_index: u64) -> Result<Option<AnchorRecord>, ArchiveError> {
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
}
