//! The catalogue is data: IDs are unique and well-formed, and docs/RULES.md is generated from it.

use crate::common::root;
use poxspec::rules;
use std::collections::BTreeSet;

#[test]
fn rule_ids_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for r in rules::ALL {
        assert!(seen.insert(r.id), "duplicate rule ID {}", r.id);
        let parts: Vec<&str> = r.id.split('-').collect();
        assert_eq!(parts.len(), 3, "{}", r.id);
        assert_eq!(parts[0], "POX");
        assert!(
            parts[2].len() == 3 && parts[2].bytes().all(|b| b.is_ascii_digit()),
            "{}",
            r.id
        );
        assert!(
            !r.summary.is_empty() && !r.source.is_empty() && !r.rationale.is_empty(),
            "{}",
            r.id
        );
        assert!(!r.elements.is_empty(), "{}", r.id);
    }
}

#[test]
fn implementation_defined_rules_say_so() {
    for r in rules::ALL
        .iter()
        .filter(|r| r.severity == rules::Severity::Info)
    {
        let t = r.rationale.to_ascii_lowercase();
        assert!(
            t.contains("implementation-defined")
                || t.contains("extension")
                || t.contains("documented behaviour"),
            "{} is info but its rationale does not say why",
            r.id
        );
    }
}

#[test]
fn docs_rules_md_is_current() {
    let path = root().join("docs/RULES.md");
    let want = rules::catalogue_markdown();
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        if std::env::var_os("POXSPEC_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
            return;
        }
        panic!("docs/RULES.md is stale: run `cargo run -- rules --format markdown > docs/RULES.md` (or POXSPEC_BLESS=1 cargo test)");
    }
}
