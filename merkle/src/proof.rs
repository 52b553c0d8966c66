//! Verification of inclusion and consistency proofs (RFC 9162 §2.1.3.2 and §2.1.4.2), strict
//! about shape: a path of the wrong length, an index outside the tree, sizes out of order are
//! each rejected with their own reason before any hashing, and a reordered, duplicated or altered
//! element makes the recomputed root differ.
//!
//! A proof convinces only against a `(size, root)` pair from a trusted source, such as an anchor
//! on chain: the path binds the leaf to the root, the anchor binds the root to the size.

use crate::{
    hasher::{Hash, TreeHasher},
    split, LeafIndex, TreeSize,
};

/// Why a proof was refused, or a tree could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is outside a tree of {size} leaves")]
    IndexOutOfRange { index: LeafIndex, size: TreeSize },
    #[error("size {size} is beyond the tree's {tree} leaves")]
    SizeBeyondTree { size: TreeSize, tree: TreeSize },
    #[error("first size {size1} is larger than second size {size2}")]
    SizesOutOfOrder { size1: TreeSize, size2: TreeSize },
    #[error("the path has {got} hashes, a proof for these sizes has {expected}")]
    WrongPathLength { expected: usize, got: usize },
    #[error("the path leads to root {computed}, not to the given root")]
    RootMismatch { computed: String },
    #[error("the path does not lead to the first root")]
    FirstRootMismatch,
    #[error("equal sizes with different roots")]
    EqualSizesDifferentRoots,
    #[error("the root of the empty tree is the hash of the empty string")]
    BadEmptyRoot,
    #[error("stored tree is corrupt: {0}")]
    Corrupt(String),
}

/// How many hashes the inclusion proof of `index` in a tree of `size` has.
pub fn inclusion_path_len(index: LeafIndex, size: TreeSize) -> usize {
    let (mut m, mut n, mut len) = (index.0, size.0, 0);
    while n > 1 {
        let k = split(n);
        if m < k {
            n = k;
        } else {
            m -= k;
            n -= k;
        }
        len += 1;
    }
    len
}

/// How many hashes the consistency proof from `size1` to `size2` has.
pub fn consistency_path_len(size1: TreeSize, size2: TreeSize) -> usize {
    if size1.0 == 0 || size1.0 >= size2.0 {
        return 0;
    }
    let (mut m, mut n, mut whole, mut len) = (size1.0, size2.0, true, 0);
    while m != n {
        let k = split(n);
        if m <= k {
            n = k;
        } else {
            m -= k;
            n -= k;
            whole = false;
        }
        len += 1;
    }
    len + usize::from(!whole)
}

/// The root that `path` leads to from `leaf_hash` at `index` in a tree of `size`.
pub fn root_from_inclusion<H: TreeHasher>(
    leaf_hash: &Hash,
    index: LeafIndex,
    size: TreeSize,
    path: &[Hash],
) -> Result<Hash, ProofError> {
    if index.0 >= size.0 {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_path_len(index, size);
    if path.len() != expected {
        return Err(ProofError::WrongPathLength { expected, got: path.len() });
    }
    let (mut f, mut s) = (index.0, size.0 - 1);
    let mut r = *leaf_hash;
    for p in path {
        debug_assert!(s != 0, "the length check bounds the walk");
        if f & 1 == 1 || f == s {
            r = H::node(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = H::node(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    debug_assert_eq!(s, 0);
    Ok(r)
}

/// Checks that `leaf_hash` is leaf `index` of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion<H: TreeHasher>(
    leaf_hash: &Hash,
    index: LeafIndex,
    size: TreeSize,
    path: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion::<H>(leaf_hash, index, size, path)?;
    if computed != *root {
        return Err(ProofError::RootMismatch { computed: hex::encode(computed) });
    }
    Ok(())
}

/// Checks that the tree of `size2` leaves with `root2` extends the tree of `size1` leaves with
/// `root1`.
pub fn verify_consistency<H: TreeHasher>(
    size1: TreeSize,
    size2: TreeSize,
    root1: &Hash,
    root2: &Hash,
    path: &[Hash],
) -> Result<(), ProofError> {
    if size1.0 > size2.0 {
        return Err(ProofError::SizesOutOfOrder { size1, size2 });
    }
    let expected = consistency_path_len(size1, size2);
    if path.len() != expected {
        return Err(ProofError::WrongPathLength { expected, got: path.len() });
    }
    if size1.0 == 0 {
        // Every tree extends the empty one.
        return if *root1 == H::empty() { Ok(()) } else { Err(ProofError::BadEmptyRoot) };
    }
    if size1 == size2 {
        return if root1 == root2 { Ok(()) } else { Err(ProofError::EqualSizesDifferentRoots) };
    }
    let mut nodes = path.iter();
    let first = if size1.0.is_power_of_two() { *root1 } else { *nodes.next().expect("length checked") };
    let (mut f, mut s) = (size1.0 - 1, size2.0 - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (first, first);
    for c in nodes {
        if s == 0 {
            return Err(ProofError::WrongPathLength { expected, got: path.len() });
        }
        if f & 1 == 1 || f == s {
            fr = H::node(c, &fr);
            sr = H::node(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = H::node(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if fr != *root1 {
        return Err(ProofError::FirstRootMismatch);
    }
    if sr != *root2 {
        return Err(ProofError::RootMismatch { computed: hex::encode(sr) });
    }
    if s != 0 {
        return Err(ProofError::WrongPathLength { expected, got: path.len() });
    }
    Ok(())
}
