//! The mutation engine: operators on the lossless XML tree, each labelled *preserving* (the
//! typed model and the set of failing rules must not change) or *breaking* (with the one rule
//! it must newly trigger). Operators pick their target with a seeded generator, so a seed
//! reproduces a mutation exactly.

mod breaking;
mod policy;
mod preserving;
mod registry;
mod tree;

pub use policy::{PolicyOperator, POLICY_OPERATORS};
pub use registry::{mutate_any, operator, OPERATORS};

use crate::rules::catalogue::Rule;
use crate::xml::Document;

/// A small deterministic generator (SplitMix64); enough to pick targets reproducibly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// What an operator does to a document's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The typed model and the failing rules stay the same.
    Preserving,
    /// Exactly this rule is newly triggered.
    Breaking(&'static Rule),
}

/// A mutation operator.
#[derive(Debug, Clone, Copy)]
pub struct Operator {
    /// Name used in file names and manifests.
    pub name: &'static str,
    /// What it does to the verdict.
    pub effect: Effect,
    /// One line.
    pub description: &'static str,
    apply: fn(&Document, &mut Rng) -> Option<Vec<u8>>,
}

impl Operator {
    /// Applies the operator to a parsed document; `None` when it has no target there.
    pub fn apply(&self, doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
        (self.apply)(doc, rng)
    }
}
