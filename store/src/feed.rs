//! What the projector tells readers after each commit: where the chain stands now, and the
//! reverts since a reader last looked. Live readers (subscriptions, webhooks) wake on it, read
//! the state for what changed, and retract what they sent of blocks a revert abandoned.

use std::collections::VecDeque;

use crate::ChainStatus;

/// Reverts remembered for readers that look late; one that missed more retracts everything it
/// sent that was not final (a revert never goes below the finalized block).
const REVERTS_KEPT: usize = 64;

/// The state's position after a commit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tip {
    /// `None` before the first committed block.
    pub status: Option<ChainStatus>,
    /// Reverts applied since the process started.
    pub reverts: u64,
    /// The last reverts: (their number, counting from 1, and the common ancestor).
    recent: VecDeque<(u64, u64)>,
}

impl Tip {
    /// The lowest common ancestor of the reverts after the first `seen`: `None` when there was
    /// none, `Some(0)` when a reader missed more than are remembered.
    pub fn reverted_since(&self, seen: u64) -> Option<u64> {
        if seen >= self.reverts {
            return None;
        }
        let oldest_kept = self.recent.front().map_or(u64::MAX, |(n, _)| *n);
        if seen + 1 < oldest_kept {
            return Some(0);
        }
        self.recent.iter().filter(|(n, _)| *n > seen).map(|(_, ancestor)| *ancestor).min()
    }

    pub(crate) fn advance(&mut self, status: Option<ChainStatus>, reverted_to: Option<u64>) {
        self.status = status;
        if let Some(ancestor) = reverted_to {
            self.reverts += 1;
            if self.recent.len() == REVERTS_KEPT {
                self.recent.pop_front();
            }
            self.recent.push_back((self.reverts, ancestor));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverts_since_a_reader_looked() {
        let mut tip = Tip::default();
        assert_eq!(tip.reverted_since(0), None);
        tip.advance(None, Some(10));
        tip.advance(None, None);
        tip.advance(None, Some(7));
        tip.advance(None, Some(12));
        assert_eq!(tip.reverted_since(0), Some(7));
        assert_eq!(tip.reverted_since(2), Some(12));
        assert_eq!(tip.reverted_since(3), None);
        for _ in 0..REVERTS_KEPT {
            tip.advance(None, Some(20));
        }
        assert_eq!(tip.reverted_since(1), Some(0), "a reader that missed forgotten reverts retracts all");
        assert_eq!(tip.reverted_since(tip.reverts - 1), Some(20));
    }
}
