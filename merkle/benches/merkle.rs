//! Hot paths of the Merkle log: appends, inclusion and consistency proofs, verification.
//! `cargo bench -p registrar-merkle --bench merkle` (see BENCHMARKS.md).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use registrar_merkle::{verify_inclusion, Blake3, Hash, LeafIndex, Tree, TreeHasher, TreeSize};

const SIZE: u64 = 1 << 20;

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| Blake3::leaf(&i.to_be_bytes())).collect()
}

fn big_tree() -> Tree<Blake3> {
    let mut tree = Tree::new();
    // A size that is not a power of two, so the right edge is ragged.
    for l in leaves(SIZE + 12_345) {
        tree.push(l);
    }
    tree
}

fn appends(c: &mut Criterion) {
    let mut g = c.benchmark_group("append");
    let input = leaves(100_000);
    g.throughput(Throughput::Elements(input.len() as u64));
    g.bench_function("leaf_hashes_100k", |b| {
        b.iter_batched(
            Tree::<Blake3>::new,
            |mut tree| {
                for l in &input {
                    tree.push(*l);
                }
                tree
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn proofs(c: &mut Criterion) {
    let tree = big_tree();
    let size = tree.size();
    let root = tree.root();
    let mut g = c.benchmark_group("proof");
    g.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    g.bench_function("inclusion_at_current_size", |b| {
        b.iter(|| {
            i = (i + 7919) % size.0;
            tree.inclusion_proof(LeafIndex(i), size).unwrap()
        })
    });
    let old = TreeSize(size.0 / 3);
    g.bench_function("inclusion_at_older_size", |b| {
        b.iter(|| {
            i = (i + 7919) % old.0;
            tree.inclusion_proof(LeafIndex(i), old).unwrap()
        })
    });
    let mut m = 1u64;
    g.bench_function("consistency", |b| {
        b.iter(|| {
            m = (m + 104_729) % size.0 + 1;
            tree.consistency_proof(TreeSize(m.min(size.0)), size).unwrap()
        })
    });
    let index = LeafIndex(size.0 / 2 + 1);
    let path = tree.inclusion_proof(index, size).unwrap();
    let leaf = tree.leaf_hash(index).unwrap();
    g.bench_function("verify_inclusion", |b| {
        b.iter(|| verify_inclusion::<Blake3>(&leaf, index, size, &path, &root).unwrap())
    });
    g.finish();
}

criterion_group!(benches, appends, proofs);
criterion_main!(benches);
