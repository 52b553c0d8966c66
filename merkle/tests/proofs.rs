//! Property tests: for every size up to 300 and every index, inclusion proofs verify and every
//! single-element change of a proof fails; consistency proofs hold between every pair of sizes up
//! to 100 and fail when changed. rs_merkle, with the same hasher, builds the same roots and paths.

use proptest::prelude::*;
use registrar_merkle::{
    verify_consistency, verify_inclusion, Blake3, Hash, LeafIndex, Sha256, Tree, TreeHasher, TreeSize,
};

fn build<H: TreeHasher>(n: u64) -> (Tree<H>, Vec<Hash>) {
    let mut tree = Tree::new();
    let leaves: Vec<Hash> = (0..n).map(|i| H::leaf(&i.to_le_bytes())).collect();
    for l in &leaves {
        tree.push(*l);
    }
    (tree, leaves)
}

/// Every change of one element of an inclusion proof's path that leaves a different path.
fn path_mutations(path: &[Hash]) -> Vec<Vec<Hash>> {
    let mut out = Vec::new();
    for i in 0..path.len() {
        let mut p = path.to_vec();
        p[i][i % 32] ^= 0x40;
        out.push(p);
        let mut p = path.to_vec();
        p.remove(i);
        out.push(p);
        let mut p = path.to_vec();
        p.insert(i, path[i]);
        out.push(p);
        if i + 1 < path.len() && path[i] != path[i + 1] {
            let mut p = path.to_vec();
            p.swap(i, i + 1);
            out.push(p);
        }
    }
    let mut p = path.to_vec();
    p.push([0u8; 32]);
    out.push(p);
    if let Some(first) = path.first() {
        let mut p = path.to_vec();
        p.push(*first);
        out.push(p);
    }
    out
}

#[test]
fn inclusion_every_size_and_index_up_to_300() {
    let (tree, leaves) = build::<Blake3>(300);
    let roots: Vec<Hash> = (0..=300).map(|s| tree.root_at(TreeSize(s)).unwrap()).collect();
    for size in 1..=300u64 {
        let root = roots[size as usize];
        for index in 0..size {
            let (i, s) = (LeafIndex(index), TreeSize(size));
            let path = tree.inclusion_proof(i, s).unwrap();
            let leaf = leaves[index as usize];
            verify_inclusion::<Blake3>(&leaf, i, s, &path, &root).unwrap();
            {
                for bad in path_mutations(&path) {
                    assert!(verify_inclusion::<Blake3>(&leaf, i, s, &bad, &root).is_err(), "{index}/{size}");
                }
                let mut other = leaf;
                other[0] ^= 1;
                assert!(verify_inclusion::<Blake3>(&other, i, s, &path, &root).is_err());
                let mut bad_root = root;
                bad_root[31] ^= 1;
                assert!(verify_inclusion::<Blake3>(&leaf, i, s, &path, &bad_root).is_err());
                for j in [index.wrapping_sub(1), index + 1, size, size + 7] {
                    if j != index {
                        assert!(verify_inclusion::<Blake3>(&leaf, LeafIndex(j), s, &path, &root).is_err());
                    }
                }
                // A wrong size checked against that size's own root.
                for s2 in [size - 1, size + 1] {
                    if (1..=300).contains(&s2) {
                        let r2 = roots[s2 as usize];
                        assert!(verify_inclusion::<Blake3>(&leaf, i, TreeSize(s2), &path, &r2).is_err());
                    }
                }
            }
        }
    }
}

#[test]
fn consistency_every_pair_up_to_100() {
    let (tree, _) = build::<Sha256>(100);
    let roots: Vec<Hash> = (0..=100).map(|s| tree.root_at(TreeSize(s)).unwrap()).collect();
    for size2 in 0..=100u64 {
        for size1 in 0..=size2 {
            let (s1, s2) = (TreeSize(size1), TreeSize(size2));
            let (r1, r2) = (roots[size1 as usize], roots[size2 as usize]);
            let path = tree.consistency_proof(s1, s2).unwrap();
            verify_consistency::<Sha256>(s1, s2, &r1, &r2, &path).unwrap();
            for bad in path_mutations(&path) {
                assert!(verify_consistency::<Sha256>(s1, s2, &r1, &r2, &bad).is_err(), "{size1}->{size2}");
            }
            if size1 < size2 {
                let mut bad = r1;
                bad[0] ^= 1;
                assert!(verify_consistency::<Sha256>(s1, s2, &bad, &r2, &path).is_err());
                // Every tree extends the empty one: with size1 = 0 there is nothing to check of root2.
                if size1 > 0 {
                    let mut bad = r2;
                    bad[0] ^= 1;
                    assert!(verify_consistency::<Sha256>(s1, s2, &r1, &bad, &path).is_err());
                }
                assert!(verify_consistency::<Sha256>(s2, s1, &r2, &r1, &path).is_err());
                if size1 > 1 {
                    let r0 = roots[size1 as usize - 1];
                    let s0 = TreeSize(size1 - 1);
                    assert!(verify_consistency::<Sha256>(s0, s2, &r0, &r2, &path).is_err());
                }
            }
        }
    }
}

#[test]
fn out_of_range_requests_are_errors() {
    let (tree, leaves) = build::<Blake3>(5);
    assert!(tree.inclusion_proof(LeafIndex(5), TreeSize(5)).is_err());
    assert!(tree.inclusion_proof(LeafIndex(0), TreeSize(6)).is_err());
    assert!(tree.consistency_proof(TreeSize(4), TreeSize(3)).is_err());
    assert!(tree.root_at(TreeSize(6)).is_err());
    let root = tree.root();
    assert!(verify_inclusion::<Blake3>(&leaves[0], LeafIndex(9), TreeSize(5), &[], &root).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// rs_merkle with the domain-separated hasher gives the same roots and paths.
    #[test]
    fn agrees_with_rs_merkle(n in 1usize..2000, pick in any::<prop::sample::Index>()) {
        let (tree, leaves) = build::<Sha256>(n as u64);
        let reference = rs_merkle::MerkleTree::<Sha256>::from_leaves(&leaves);
        prop_assert_eq!(reference.root(), Some(tree.root()));
        let index = pick.index(n);
        let ours = tree.inclusion_proof(LeafIndex(index as u64), TreeSize(n as u64)).unwrap();
        let theirs = reference.proof(&[index]);
        prop_assert_eq!(theirs.proof_hashes(), &ours[..]);
    }

    /// A tree restored from its nodes at any size answers like the original.
    #[test]
    fn restores_at_any_size(n in 0u64..600, m in 0u64..600) {
        let m = m.min(n);
        let mut tree = Tree::<Blake3>::new();
        let mut nodes = Vec::new();
        for i in 0..n {
            tree.push_with(Blake3::leaf(&i.to_be_bytes()), |node| nodes.push(node));
        }
        let restored = Tree::<Blake3>::from_nodes(nodes).unwrap();
        prop_assert_eq!(restored.root(), tree.root());
        prop_assert_eq!(restored.root_at(TreeSize(m)).unwrap(), tree.root_at(TreeSize(m)).unwrap());
        prop_assert_eq!(
            restored.consistency_proof(TreeSize(m), TreeSize(n)).unwrap(),
            tree.consistency_proof(TreeSize(m), TreeSize(n)).unwrap()
        );
    }
}
