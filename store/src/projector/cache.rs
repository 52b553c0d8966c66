//! Holders' latest states kept in memory between batches, so that a holder the projector saw
//! recently is not read from RocksDB again: the cap table's hot set stays in memory.
//!
//! The projector is the only writer, so what it committed is what the store holds. The cache
//! learns a state only after the batch that wrote it is written; a holder written change by
//! change (blocks above the finalized block) is forgotten, and a revert forgets everything.
//! Memory is bounded by two generations of at most [`GENERATION`] holders each: when the young
//! one is full it becomes the old one and the old one is dropped, which keeps the recently used
//! holders without the bookkeeping of an LRU list.

use crate::tables::{HolderKey, HolderState};

/// A hash map with a fast hasher: the keys are addresses and numbers the projector chose, not
/// input an attacker can aim at one bucket (RocksDB sorts the store; this only finds it).
pub(super) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Holders a generation keeps: two of them take about 40 MB.
pub(super) const GENERATION: usize = 131_072;

#[derive(Default)]
pub(crate) struct HolderCache {
    young: HashMap<HolderKey, HolderState>,
    old: HashMap<HolderKey, HolderState>,
}

impl HolderCache {
    pub(super) fn get(&self, key: &HolderKey) -> Option<HolderState> {
        self.young.get(key).or_else(|| self.old.get(key)).copied()
    }

    /// What a written batch left its holders with.
    pub(super) fn commit(&mut self, states: Vec<(HolderKey, HolderState)>) {
        for (key, state) in states {
            if self.young.len() >= GENERATION {
                self.old = std::mem::take(&mut self.young);
            }
            self.young.insert(key, state);
        }
    }

    pub(super) fn forget(&mut self, key: &HolderKey) {
        self.young.remove(key);
        self.old.remove(key);
    }

    pub(super) fn clear(&mut self) {
        self.young.clear();
        self.old.clear();
    }
}
