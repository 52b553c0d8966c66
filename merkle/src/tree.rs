//! The append-only tree. It keeps every node of every perfect subtree, level by level: a leaf
//! hash at level 0, and at level `l` index `i` the root of leaves `[i·2^l, (i+1)·2^l)`. An append
//! adds one leaf and the perfect subtrees it completes (one on average, `log n` at most); the root
//! and the proofs of any earlier size are folded from those nodes.
//!
//! The right edge of the current size (the roots of its incomplete subtrees) is computed once per
//! size, on the first read after an append, so proofs at the current size cost lookups only.

use std::{marker::PhantomData, sync::OnceLock};

use crate::{
    hasher::{Hash, TreeHasher},
    proof::ProofError,
    split, LeafIndex, TreeSize,
};

/// A node that an append created, for persisting it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewNode {
    pub level: u8,
    pub index: u64,
    pub hash: Hash,
}

/// The tree, in memory. [`Tree::from_nodes`] restores one from its persisted nodes.
pub struct Tree<H> {
    levels: Vec<Vec<Hash>>,
    /// Hashes of `[start, size)` for each incomplete subtree at the current size, by start.
    edge: OnceLock<Vec<(u64, Hash)>>,
    hasher: PhantomData<H>,
}

impl<H: TreeHasher> Default for Tree<H> {
    fn default() -> Self {
        Tree { levels: vec![Vec::new()], edge: OnceLock::new(), hasher: PhantomData }
    }
}

impl<H: TreeHasher> Tree<H> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Restores a tree from nodes given in any order; fails on a gap or a node that does not
    /// hash from its children.
    pub fn from_nodes(nodes: impl IntoIterator<Item = NewNode>) -> Result<Self, ProofError> {
        let mut levels: Vec<Vec<Option<Hash>>> = vec![Vec::new()];
        for n in nodes {
            let level = n.level as usize;
            if levels.len() <= level {
                levels.resize(level + 1, Vec::new());
            }
            let row = &mut levels[level];
            if row.len() <= n.index as usize {
                row.resize(n.index as usize + 1, None);
            }
            row[n.index as usize] = Some(n.hash);
        }
        let mut tree = Tree::<H>::new();
        tree.levels.clear();
        for (l, row) in levels.into_iter().enumerate() {
            let row: Option<Vec<Hash>> = row.into_iter().collect();
            tree.levels.push(row.ok_or(ProofError::Corrupt(format!("missing node at level {l}")))?);
        }
        let size = tree.size();
        for l in 1..tree.levels.len() {
            let expected = size.0 >> l;
            if tree.levels[l].len() as u64 != expected {
                return Err(ProofError::Corrupt(format!(
                    "level {l} has {} nodes, a tree of {size} leaves has {expected}",
                    tree.levels[l].len()
                )));
            }
            for (i, h) in tree.levels[l].iter().enumerate() {
                let below = &tree.levels[l - 1];
                if H::node(&below[2 * i], &below[2 * i + 1]) != *h {
                    return Err(ProofError::Corrupt(format!("node {l}/{i} does not hash from its children")));
                }
            }
        }
        while tree.levels.len() > 1 && tree.levels.last().is_some_and(|r| r.is_empty()) {
            tree.levels.pop();
        }
        Ok(tree)
    }

    pub fn size(&self) -> TreeSize {
        TreeSize(self.levels[0].len() as u64)
    }

    /// Appends a leaf hash (`H::leaf(leaf)`), calling `created` with it and each node it completes.
    pub fn push_with(&mut self, leaf_hash: Hash, mut created: impl FnMut(NewNode)) -> LeafIndex {
        self.edge = OnceLock::new();
        let index = self.levels[0].len() as u64;
        self.levels[0].push(leaf_hash);
        created(NewNode { level: 0, index, hash: leaf_hash });
        let (mut level, mut i, mut hash) = (0usize, index, leaf_hash);
        while i & 1 == 1 {
            let left = self.levels[level][(i - 1) as usize];
            hash = H::node(&left, &hash);
            level += 1;
            i >>= 1;
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            debug_assert_eq!(self.levels[level].len() as u64, i);
            self.levels[level].push(hash);
            created(NewNode { level: level as u8, index: i, hash });
        }
        LeafIndex(index)
    }

    pub fn push(&mut self, leaf_hash: Hash) -> LeafIndex {
        self.push_with(leaf_hash, |_| {})
    }

    /// The leaf hash at `index`.
    pub fn leaf_hash(&self, index: LeafIndex) -> Option<Hash> {
        self.levels[0].get(index.0 as usize).copied()
    }

    /// The root of the current tree.
    pub fn root(&self) -> Hash {
        self.subtree(0, self.size().0)
    }

    /// The root of the tree when it had `size` leaves.
    pub fn root_at(&self, size: TreeSize) -> Result<Hash, ProofError> {
        self.check_size(size)?;
        Ok(self.subtree(0, size.0))
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1).
    pub fn inclusion_proof(&self, index: LeafIndex, size: TreeSize) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size)?;
        if index.0 >= size.0 {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut path = Vec::with_capacity(64 - size.0.leading_zeros() as usize);
        self.path(index.0, 0, size.0, &mut path);
        Ok(path)
    }

    /// The consistency proof from `size1` to `size2` (RFC 9162 §2.1.4.1).
    pub fn consistency_proof(&self, size1: TreeSize, size2: TreeSize) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size2)?;
        if size1.0 > size2.0 {
            return Err(ProofError::SizesOutOfOrder { size1, size2 });
        }
        let mut path = Vec::new();
        if size1.0 > 0 && size1 != size2 {
            self.subproof(size1.0, 0, size2.0, true, &mut path);
        }
        Ok(path)
    }

    fn check_size(&self, size: TreeSize) -> Result<(), ProofError> {
        if size.0 > self.size().0 {
            return Err(ProofError::SizeBeyondTree { size, tree: self.size() });
        }
        Ok(())
    }

    /// PATH(m, D[start:end]) with `m` relative to `start`, deepest sibling first.
    fn path(&self, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) {
        let n = end - start;
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, start, start + k, out);
            out.push(self.subtree(start + k, end));
        } else {
            self.path(m - k, start + k, end, out);
            out.push(self.subtree(start, start + k));
        }
    }

    /// SUBPROOF(m, D[start:end], b).
    fn subproof(&self, m: u64, start: u64, end: u64, whole: bool, out: &mut Vec<Hash>) {
        let n = end - start;
        if m == n {
            if !whole {
                out.push(self.subtree(start, end));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, start + k, whole, out);
            out.push(self.subtree(start + k, end));
        } else {
            self.subproof(m - k, start + k, end, false, out);
            out.push(self.subtree(start, start + k));
        }
    }

    /// MTH(D[start:end]); `start` is a multiple of the largest power of two that fits in the range,
    /// as in every range the RFC's recursion visits.
    fn subtree(&self, start: u64, end: u64) -> Hash {
        let n = end - start;
        if n == 0 {
            return H::empty();
        }
        if n.is_power_of_two() && start.is_multiple_of(n) {
            return self.levels[n.trailing_zeros() as usize][(start / n) as usize];
        }
        if end == self.size().0 {
            let edge = self.edge.get_or_init(|| self.right_edge());
            if let Ok(i) = edge.binary_search_by_key(&start, |(s, _)| *s) {
                return edge[i].1;
            }
        }
        let k = split(n);
        H::node(&self.subtree(start, start + k), &self.subtree(start + k, end))
    }

    /// The hashes of `[start, size)` for each start where the RFC's recursion meets an
    /// incomplete subtree of the current size, from the right.
    fn right_edge(&self) -> Vec<(u64, Hash)> {
        let size = self.size().0;
        // The perfect subtrees of `size`, largest (leftmost) first.
        let mut parts = Vec::new();
        let mut start = 0;
        for bit in (0..64).rev() {
            let width = 1u64 << bit;
            if size & width != 0 {
                parts.push((start, self.levels[bit as usize][(start / width) as usize]));
                start += width;
            }
        }
        let mut edge = Vec::new();
        let mut acc: Option<Hash> = None;
        for &(start, hash) in parts.iter().rev() {
            let h = match acc {
                None => hash,
                Some(right) => H::node(&hash, &right),
            };
            acc = Some(h);
            edge.push((start, h));
        }
        edge.reverse();
        edge
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hasher::Sha256;

    #[test]
    fn split_is_the_largest_smaller_power_of_two() {
        assert_eq!(split(2), 1);
        assert_eq!(split(3), 2);
        assert_eq!(split(4), 2);
        assert_eq!(split(5), 4);
        assert_eq!(split(8), 4);
        assert_eq!(split(9), 8);
    }

    #[test]
    fn restores_from_nodes_and_rejects_corruption() {
        let mut tree = Tree::<Sha256>::new();
        let mut nodes = Vec::new();
        for i in 0u32..13 {
            tree.push_with(Sha256::leaf(&i.to_be_bytes()), |n| nodes.push(n));
        }
        nodes.reverse();
        let restored = Tree::<Sha256>::from_nodes(nodes.clone()).unwrap();
        assert_eq!(restored.root(), tree.root());
        assert_eq!(restored.size(), tree.size());

        let mut bad = nodes.clone();
        let i = bad.iter().position(|n| n.level == 2).unwrap();
        bad[i].hash[0] ^= 1;
        assert!(Tree::<Sha256>::from_nodes(bad).is_err());
        let mut gap = nodes;
        gap.retain(|n| !(n.level == 0 && n.index == 3));
        assert!(Tree::<Sha256>::from_nodes(gap).is_err());
    }
}
