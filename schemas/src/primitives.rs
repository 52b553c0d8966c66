//! Newtypes for the integers that cross module boundaries.

use std::fmt;

/// An EIP-155 chain id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChainId(pub u64);

/// A block height.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockNumber(pub u64);

/// The position of a record in the event log, from zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogOffset(pub u64);

impl BlockNumber {
    /// The block below this one, or `None` at genesis.
    pub fn parent(self) -> Option<BlockNumber> {
        self.0.checked_sub(1).map(BlockNumber)
    }

    pub fn next(self) -> BlockNumber {
        BlockNumber(self.0 + 1)
    }
}

impl LogOffset {
    pub fn next(self) -> LogOffset {
        LogOffset(self.0 + 1)
    }
}

macro_rules! display_inner {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}
display_inner!(ChainId, BlockNumber, LogOffset);
