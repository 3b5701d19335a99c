//! The round-trip contract, as a check that reports what broke.

use crate::model;
use crate::xml;
use crate::{parse, ParseError};

/// How a document fared when written and read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stability {
    /// Both contracts hold: the canonical form parses to the same model and is a fixed point,
    /// and the lossless form reproduces the document's tree.
    Stable,
    /// A contract is broken; the text says which, with a unified diff.
    Unstable(String),
}

/// Checks the round-trip contract for one document's bytes.
pub fn check(bytes: &[u8]) -> Result<Stability, ParseError> {
    let first = parse(bytes)?;
    let canonical = model::to_canonical(&first.model);
    let second = match parse(canonical.as_bytes()) {
        Ok(p) => p,
        Err(e) => {
            return Ok(Stability::Unstable(format!(
                "the canonical form does not parse: {}\n{}",
                e.with_file("<canonical>"),
                canonical
            )))
        }
    };
    if second.model != first.model {
        return Ok(Stability::Unstable(format!(
            "the canonical form parses to a different model:\n{}",
            diff(&debug(&first.model), &debug(&second.model))
        )));
    }
    let again = model::to_canonical(&second.model);
    if again != canonical {
        return Ok(Stability::Unstable(format!(
            "the canonical form is not a fixed point:\n{}",
            diff(&canonical, &again)
        )));
    }
    // `xml::write_lossless` is this text encoded: written once, not once per form.
    let lossless = xml::write_lossless_text(&first.tree);
    let lossless_bytes = first.tree.encoding.encode(&lossless);
    if lossless_bytes == bytes {
        // The lossless form is the input itself, which `parse` read with these limits into
        // `first.tree`, whose lossless text is `lossless`: a fixed point without reading the
        // same bytes a second time (a third of the check's parsing).
        return Ok(Stability::Stable);
    }
    match xml::parse_bytes(&lossless_bytes, &xml::Limits::default()) {
        Ok(t) => {
            let relossless = xml::write_lossless_text(&t);
            if relossless != lossless {
                return Ok(Stability::Unstable(format!(
                    "the lossless form is not a fixed point:\n{}",
                    diff(&lossless, &relossless)
                )));
            }
        }
        Err(e) => {
            return Ok(Stability::Unstable(format!(
                "the lossless form does not parse: {}",
                e.with_file("<lossless>")
            )))
        }
    }
    Ok(Stability::Stable)
}

fn debug(m: &model::Document) -> String {
    serde_json::to_string_pretty(m).unwrap_or_else(|e| format!("<unserializable: {e}>"))
}

/// A unified diff of two texts, for people.
pub fn diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header("before", "after")
        .to_string()
}
