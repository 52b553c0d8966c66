//! Reads that stop when nobody waits for them any more. The API runs each blocking read inside a
//! [`ReadBudget`]; the long scans of [`crate::StateDb`] check it every few hundred rows and end
//! with [`StoreError::Cancelled`] once the request that asked is gone (its client disconnected,
//! or it ran past its deadline), so an abandoned scan frees its read slot at once.

use std::{
    cell::{Cell, RefCell},
    sync::{
        atomic::{AtomicBool, Ordering::Relaxed},
        Arc,
    },
    time::Instant,
};

use crate::StoreError;

/// Rows a scan reads between two checks.
const CHECK_EVERY: u32 = 256;

/// The cancellation of one read, shared by the request that waits and the thread that reads.
#[derive(Clone, Debug)]
pub struct ReadBudget {
    cancelled: Arc<AtomicBool>,
    deadline: Instant,
}

thread_local! {
    static CURRENT: RefCell<Option<ReadBudget>> = const { RefCell::new(None) };
    static ROWS: Cell<u32> = const { Cell::new(0) };
}

impl ReadBudget {
    /// A budget that ends at `deadline`, or when [`ReadBudget::cancel`] is called.
    pub fn new(deadline: Instant) -> Self {
        ReadBudget { cancelled: Arc::new(AtomicBool::new(false)), deadline }
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Relaxed);
    }

    /// Runs `f` on this thread with this budget in force.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        let out = f();
        CURRENT.with(|c| *c.borrow_mut() = previous);
        out
    }

    fn spent(&self) -> bool {
        self.cancelled.load(Relaxed) || Instant::now() >= self.deadline
    }
}

/// Called by scans once a row: every [`CHECK_EVERY`] rows, an error if the read in force on
/// this thread is cancelled or past its deadline. Outside a budget, always `Ok`.
pub(crate) fn check() -> Result<(), StoreError> {
    let due = ROWS.with(|r| {
        let n = r.get().wrapping_add(1);
        r.set(n);
        n % CHECK_EVERY == 0
    });
    if !due {
        return Ok(());
    }
    match CURRENT.with(|c| c.borrow().as_ref().map(ReadBudget::spent)) {
        Some(true) => Err(StoreError::Cancelled),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_cancelled_budget_stops_the_scan_on_its_thread_only() {
        let budget = ReadBudget::new(Instant::now() + Duration::from_secs(60));
        let scan = |budget: &ReadBudget| budget.run(|| (0..10_000).try_for_each(|_| check()));
        assert!(scan(&budget).is_ok());
        budget.cancel();
        assert!(matches!(scan(&budget), Err(StoreError::Cancelled)));
        assert!((0..10_000).try_for_each(|_| check()).is_ok(), "outside the budget nothing stops");
        let late = ReadBudget::new(Instant::now());
        assert!(matches!(scan(&late), Err(StoreError::Cancelled)));
    }
}
