//! Round-trip and validity properties over generated documents.
//! `POXSPEC_PROPTEST_CASES` raises (or lowers) the case counts.

use crate::common::proptest_config;
use poxspec::rules::{self, Severity};
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

    /// The canonical writer reads a model directly (`to_canonical`) exactly as it reads the
    /// tree built from it (`to_tree`): the view both go through drops, adds and reorders
    /// nothing, and the tree-building and tree-reading halves agree.
    #[test]
    fn model_written_directly_is_model_written_through_a_tree(m in strategy::any_model()) {
        let direct = model::to_canonical(&m);
        let through_tree = poxspec::xml::write_canonical(&model::to_tree(&m));
        prop_assert_eq!(direct, through_tree);
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
