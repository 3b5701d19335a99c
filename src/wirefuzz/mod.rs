//! Fuzzing servers over the wire (`poxspec fuzz`): a seeded sequence of valid, mutated and
//! hostile requests ([`plan`], [`payloads`]) sent to a live endpoint, each answer judged by
//! the [`oracle`], failures shrunk ([`shrink`]) and written as reproducers ([`repro`]).
//!
//! Same seed, same requests in the same order: request `i` depends only on the seed, `i` and
//! the mailbox list.

pub mod oracle;
pub mod payloads;
pub mod plan;
pub mod render;
pub mod repro;
mod run;
pub mod shrink;

pub use oracle::{judge, judge_followed, Class, Verdict};
pub use plan::{Draw, Expect, Plan};
pub use run::{fuzz, FuzzError, FuzzOptions, FuzzOutcome, Progress, Quiet, Reproducer, Row};
