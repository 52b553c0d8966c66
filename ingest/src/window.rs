//! The hash chain of recent blocks ingest has appended, to notice when the node's chain no
//! longer contains them and to find the last block both chains share.

use std::collections::BTreeMap;

use alloy::primitives::B256;

/// Known `(number, hash)` pairs of appended blocks, at most `capacity`, newest kept.
#[derive(Clone, Debug)]
pub struct BlockWindow {
    blocks: BTreeMap<u64, B256>,
    capacity: usize,
}

impl BlockWindow {
    pub fn new(capacity: usize) -> Self {
        BlockWindow { blocks: BTreeMap::new(), capacity: capacity.max(1) }
    }

    pub fn insert(&mut self, number: u64, hash: B256) {
        self.blocks.insert(number, hash);
        while self.blocks.len() > self.capacity {
            self.blocks.pop_first();
        }
    }

    /// The newest known block.
    pub fn tip(&self) -> Option<(u64, B256)> {
        self.blocks.last_key_value().map(|(n, h)| (*n, *h))
    }

    /// Known blocks from newest to oldest, for the common-ancestor search.
    pub fn newest_first(&self) -> impl Iterator<Item = (u64, B256)> + '_ {
        self.blocks.iter().rev().map(|(n, h)| (*n, *h))
    }

    /// Forgets every block above `number`, after a revert.
    pub fn truncate_above(&mut self, number: u64) {
        self.blocks.split_off(&(number + 1));
    }

    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    pub fn lowest(&self) -> Option<u64> {
        self.blocks.first_key_value().map(|(n, _)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_and_truncates() {
        let mut w = BlockWindow::new(3);
        for n in 1..=5 {
            w.insert(n, B256::repeat_byte(n as u8));
        }
        assert_eq!(w.len(), 3);
        assert_eq!(w.lowest(), Some(3));
        assert_eq!(w.tip(), Some((5, B256::repeat_byte(5))));
        w.truncate_above(3);
        assert_eq!(w.tip(), Some((3, B256::repeat_byte(3))));
        assert_eq!(w.newest_first().map(|(n, _)| n).collect::<Vec<_>>(), vec![3]);
    }
}
