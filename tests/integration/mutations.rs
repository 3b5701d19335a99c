//! The mutation engine's contract, over generated documents.

use crate::common::proptest_config;
use poxspec::mutate::{Effect, Rng, OPERATORS};
use poxspec::rules::{self, Severity};
use poxspec::{model, strategy};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn failing(o: &rules::Outcome) -> BTreeSet<&'static str> {
    o.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule)
        .collect()
}

/// The tree of a generated document, written with prefixed namespaces when `prefixed` (the
/// canonical form has none, and the prefix operators need some).
fn base(doc: &poxspec::model::Document, prefixed: bool) -> poxspec::xml::Document {
    let bytes = model::to_canonical(doc);
    let tree = poxspec::parse(bytes.as_bytes()).unwrap().tree;
    if !prefixed {
        return tree;
    }
    let op = poxspec::mutate::operator("default-to-prefixed").unwrap();
    match op.apply(&tree, &mut Rng::new(0)) {
        Some(out) => poxspec::parse(&out).unwrap().tree,
        None => tree,
    }
}

fn all_rules(o: &rules::Outcome) -> BTreeSet<&'static str> {
    o.findings.iter().map(|f| f.rule).collect()
}

#[test]
fn there_are_at_least_twenty_operators_of_both_kinds() {
    assert!(OPERATORS.len() >= 20);
    assert!(
        OPERATORS
            .iter()
            .filter(|o| o.effect == Effect::Preserving)
            .count()
            >= 10
    );
    assert!(
        OPERATORS
            .iter()
            .filter(|o| matches!(o.effect, Effect::Breaking(_)))
            .count()
            >= 10
    );
}

proptest! {
    #![proptest_config(proptest_config(2_000))]

    #[test]
    fn preserving_mutations_keep_model_and_verdict(doc in strategy::document(), prefixed in any::<bool>(), seed in any::<u64>(), pick in any::<prop::sample::Index>()) {
        let preserving: Vec<_> = OPERATORS.iter().filter(|o| o.effect == Effect::Preserving).collect();
        let op = preserving[pick.index(preserving.len())];
        let before = poxspec::parse(&poxspec::xml::write_lossless(&base(&doc, prefixed))).unwrap();
        if let Some(out) = op.apply(&before.tree, &mut Rng::new(seed)) {
            let text = String::from_utf8_lossy(&out).into_owned();
            let after = poxspec::parse(&out).map_err(|e| TestCaseError::fail(format!("{}: {}\n{text}", op.name, e.with_file("<mutated>"))))?;
            prop_assert_eq!(&after.model, &before.model, "{} changed the model:\n{}", op.name, text);
            prop_assert_eq!(failing(&rules::validate(&after)), failing(&rules::validate(&before)), "{} changed the verdict:\n{}", op.name, text);
        }
    }

    #[test]
    fn breaking_mutations_trigger_exactly_their_rule(doc in strategy::document(), prefixed in any::<bool>(), seed in any::<u64>(), pick in any::<prop::sample::Index>()) {
        let breaking: Vec<_> = OPERATORS.iter().filter(|o| matches!(o.effect, Effect::Breaking(_))).collect();
        let op = breaking[pick.index(breaking.len())];
        let Effect::Breaking(rule) = op.effect else { unreachable!() };
        let bytes = poxspec::xml::write_lossless(&base(&doc, prefixed));
        let before = rules::validate_default(&bytes);
        let parsed = before.parsed.as_ref().unwrap();
        if let Some(out) = op.apply(&parsed.tree, &mut Rng::new(seed)) {
            let after = rules::validate_default(&out);
            let new: BTreeSet<_> = all_rules(&after.outcome).difference(&all_rules(&before.outcome)).copied().collect();
            let want: BTreeSet<_> = [rule.id].into_iter().collect();
            prop_assert_eq!(new, want, "{}:\n{}\n{:?}", op.name, String::from_utf8_lossy(&out), after.outcome.findings);
        }
    }
}
