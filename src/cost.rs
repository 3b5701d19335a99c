//! Work counters, so that tests can assert that a stage's cost is linear in its input
//! without timing anything.
//!
//! Every stage whose work depends on what a document contains (the tree builder per event,
//! the model builder per element, line and column lookups per byte counted, element paths per
//! node visited, the rules per item judged) adds its units of work here. The counter is
//! per thread, so tests running in parallel do not see each other's work, and costs a few
//! instructions per call (calls add in bulk, never per byte).

use std::cell::Cell;

thread_local! {
    static UNITS: Cell<u64> = const { Cell::new(0) };
}

/// Records `n` units of work on this thread.
#[inline]
pub(crate) fn add(n: u64) {
    UNITS.with(|u| u.set(u.get().wrapping_add(n)));
}

/// Runs `f` and returns its result with the units of work it recorded on this thread.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = UNITS.with(Cell::get);
    let r = f();
    (r, UNITS.with(Cell::get).wrapping_sub(before))
}
