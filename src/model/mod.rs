//! The typed model of Autodiscover documents, built from the [`crate::xml`] tree.
//!
//! `from_tree` reads, `to_canonical` writes; `parse(write(m)) == m` for every model.

mod build;
pub mod fields;
pub mod make;
pub mod ns;
mod onoff;
mod types;
mod write;

pub use build::{from_tree, ModelError};
pub use onoff::{OnOff, OnOffClass, Translation, TRANSLATIONS};
pub use types::*;
pub use write::{to_canonical, to_tree};
