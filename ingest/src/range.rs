//! The size of the next `eth_getLogs` range: halves when the node refuses or times out, grows
//! eightfold at once after an answer far below the logs a range may hold (a sparse chain is
//! crossed in a few ranges), doubles after a run of fuller answers, within bounds, and narrows
//! when an answer carries so many logs that holding it would cost more memory than a range should.

/// An adaptive block-range size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdaptiveRange {
    size: u64,
    min: u64,
    max: u64,
    successes: u32,
}

impl AdaptiveRange {
    /// Successes in a row before the range grows.
    const GROW_AFTER: u32 = 2;
    /// Logs per answer above which the range narrows (about 10 MB of JSON).
    pub const TARGET_LOGS: usize = 10_000;
    /// How much the range grows at once after an answer of at most 1/8 of `TARGET_LOGS`.
    const FAST_GROWTH: u64 = 8;

    pub fn new(initial: u64, min: u64, max: u64) -> Self {
        let min = min.max(1);
        let max = max.max(min);
        AdaptiveRange { size: initial.clamp(min, max), min, max, successes: 0 }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The node answered a range of `len` blocks with `logs` logs.
    pub fn success(&mut self, len: u64, logs: usize) {
        if logs > Self::TARGET_LOGS {
            let scaled = (len as u128 * Self::TARGET_LOGS as u128 / logs as u128) as u64;
            self.size = scaled.clamp(self.min, self.max);
            self.successes = 0;
            return;
        }
        // A small range at the chain's tip says nothing about what the node can take.
        if len < self.size {
            return;
        }
        if logs.saturating_mul(Self::FAST_GROWTH as usize) <= Self::TARGET_LOGS {
            // Eight times the range holds at most what one range may.
            self.size = self.size.saturating_mul(Self::FAST_GROWTH).min(self.max);
            self.successes = 0;
            return;
        }
        self.successes += 1;
        if self.successes >= Self::GROW_AFTER {
            self.size = (self.size.saturating_mul(2)).min(self.max);
            self.successes = 0;
        }
    }

    /// The node refused a range of `len` blocks as too large, or timed out on it.
    pub fn shrink(&mut self, len: u64) {
        self.size = (len / 2).clamp(self.min, self.max);
        self.successes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_after_successes_and_halves_on_refusal() {
        let mut r = AdaptiveRange::new(100, 1, 1000);
        // Answers of a fair share of the target: doubles after two.
        r.success(100, 5_000);
        assert_eq!(r.size(), 100);
        r.success(100, 5_000);
        assert_eq!(r.size(), 200);
        r.shrink(200);
        assert_eq!(r.size(), 100);
        for _ in 0..20 {
            let s = r.size();
            r.success(s, 0);
        }
        assert_eq!(r.size(), 1000);
        for _ in 0..20 {
            let s = r.size();
            r.shrink(s);
        }
        assert_eq!(r.size(), 1);
    }

    #[test]
    fn sparse_answers_grow_it_eightfold_at_once() {
        let mut r = AdaptiveRange::new(10, 1, 10_000);
        r.success(10, 0);
        assert_eq!(r.size(), 80);
        r.success(80, AdaptiveRange::TARGET_LOGS / 8);
        assert_eq!(r.size(), 640);
        // A fuller answer does not: two of them double it.
        r.success(640, AdaptiveRange::TARGET_LOGS / 8 + 1);
        assert_eq!(r.size(), 640);
        r.success(640, 5_000);
        assert_eq!(r.size(), 1280);
        r.success(1280, 0);
        assert_eq!(r.size(), 10_000);
    }

    #[test]
    fn dense_answers_narrow_the_range() {
        let mut r = AdaptiveRange::new(1000, 1, 10_000);
        r.success(1000, 40_000);
        assert_eq!(r.size(), 250);
        r.success(1, 1_000_000);
        assert_eq!(r.size(), 1);
    }

    #[test]
    fn short_ranges_at_the_tip_do_not_grow_it() {
        let mut r = AdaptiveRange::new(100, 1, 1000);
        for _ in 0..10 {
            r.success(3, 0);
        }
        assert_eq!(r.size(), 100);
    }
}
