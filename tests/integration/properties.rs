//! Round-trip and validity properties over generated documents.
//! `POXSPEC_PROPTEST_CASES` raises (or lowers) the case counts.

use crate::common::proptest_config;
use poxspec::rules::{self, Severity};
use poxspec::xml::{Element, Node};
use poxspec::{model, strategy};
use proptest::prelude::*;

proptest! {
    #![proptest_config(proptest_config(10_000))]

    /// For every model m: parse(write(m)) == m, and writing again gives the same bytes.
    #[test]
    fn canonical_write_then_parse_is_identity(m in strategy::any_model()) {
        let written = model::to_canonical(&m);
        let parsed = poxspec::parse(written.as_bytes()).map_err(|e| TestCaseError::fail(format!("{}\n{written}", e.with_file("<canonical>"))))?;
        prop_assert_eq!(&parsed.model, &m, "{}", written);
        prop_assert_eq!(model::to_canonical(&parsed.model), written);
    }
}

proptest! {
    #![proptest_config(proptest_config(2_000))]

    /// The public strategies produce documents with zero error findings.
    #[test]
    fn strategies_produce_valid_documents(m in strategy::document()) {
        let written = model::to_canonical(&m);
        let v = rules::validate_default(written.as_bytes());
        let errors: Vec<_> = v.outcome.findings.iter().filter(|f| f.severity == Severity::Error).collect();
        prop_assert!(errors.is_empty(), "{:?}\n{}", errors, written);
    }

    /// `to_tree` builds the tree `to_canonical`'s text describes: read back, that text gives the
    /// same names, prefixes, namespaces (resolved by the reader from the declarations the
    /// writer put), attributes and texts, element by element, indentation aside; and the
    /// tree, written by the canonical writer, is that same text.
    #[test]
    fn to_tree_is_the_tree_of_the_canonical_text(m in strategy::any_model()) {
        let text = model::to_canonical(&m);
        let built = model::to_tree(&m);
        let parsed = poxspec::xml::parse_str(&text, &Default::default()).unwrap();
        if let Err(e) = same_shape(&built, &parsed.root, "") {
            return Err(TestCaseError::fail(format!("{e}\n{text}")));
        }
        prop_assert_eq!(poxspec::xml::write_canonical(&built), text);
    }

    /// The lossless writer reproduces any document the canonical writer produced, byte for byte.
    #[test]
    fn lossless_writer_reproduces_its_input(m in strategy::any_model()) {
        let written = model::to_canonical(&m);
        let tree = poxspec::xml::parse_str(&written, &Default::default()).unwrap();
        prop_assert_eq!(poxspec::xml::write_lossless_text(&tree), written);
    }

    /// Arbitrary bytes never panic the reader or the validator, and every finding's position
    /// lies inside the input.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let v = rules::validate_default(&bytes);
        // Every line break in any supported decoding needs an LF or CR byte.
        let lines = bytes.iter().filter(|b| **b == b'\n' || **b == b'\r').count() + 1;
        for f in &v.outcome.findings {
            prop_assert!(f.line >= 1 && f.line <= lines, "{:?}", f);
        }
    }

    /// Cutting a valid document anywhere never panics and is reported as malformed.
    #[test]
    fn truncated_documents_are_refused(m in strategy::document(), cut in any::<prop::sample::Index>()) {
        let written = model::to_canonical(&m);
        let end = written.trim_end().len();
        let at = cut.index(end);
        let v = rules::validate_default(&written.as_bytes()[..at]);
        prop_assert!(v.outcome.count(Severity::Error) > 0);
    }
}

/// The children the canonical writer keeps: beside child elements, whitespace-only text is
/// indentation unless some text or CDATA beside them is not.
fn kept_children(e: &Element) -> Vec<&Node> {
    let elements = e.children.iter().any(|n| matches!(n, Node::Element(_)));
    let blank = |n: &Node| matches!(n, Node::Text(t) if t.value.trim().is_empty());
    let mixed = e
        .children
        .iter()
        .any(|n| matches!(n, Node::Text(_) | Node::CData(_)) && !blank(n));
    e.children
        .iter()
        .filter(|n| !elements || mixed || !blank(n))
        .collect()
}

/// Whether two trees agree on names (prefix, local name, namespace), attributes (the same,
/// with values) and kept children, element by element; the path of the first difference.
fn same_shape(a: &Element, b: &Element, path: &str) -> Result<(), String> {
    let path = format!("{path}/{}", b.name.qualified());
    let name = |e: &Element| {
        (
            e.name.prefix.as_deref().map(str::to_owned),
            e.name.local.to_string_owned(),
            e.name.ns.as_deref().map(str::to_owned),
        )
    };
    if name(a) != name(b) {
        return Err(format!("{path}: name {:?} against {:?}", name(a), name(b)));
    }
    let attrs = |e: &Element| {
        e.attributes
            .iter()
            .map(|x| {
                (
                    x.name.prefix.as_deref().map(str::to_owned),
                    x.name.local.to_string_owned(),
                    x.name.ns.as_deref().map(str::to_owned),
                    x.value.to_string_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    if attrs(a) != attrs(b) {
        return Err(format!(
            "{path}: attributes {:?} against {:?}",
            attrs(a),
            attrs(b)
        ));
    }
    let (ka, kb) = (kept_children(a), kept_children(b));
    if ka.len() != kb.len() {
        return Err(format!(
            "{path}: {} children against {}",
            ka.len(),
            kb.len()
        ));
    }
    for (x, y) in ka.into_iter().zip(kb) {
        match (x, y) {
            (Node::Element(x), Node::Element(y)) => same_shape(x, y, &path)?,
            (Node::Text(x), Node::Text(y)) if x.value == y.value => {}
            _ => return Err(format!("{path}: child {x:?} against {y:?}")),
        }
    }
    Ok(())
}
