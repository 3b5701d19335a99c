//! The corpus is the rules' executable specification: `y_` files have no error, `n_` files
//! have at least one, and every `expect:` comment names a finding that must be there.

use crate::common::*;
use poxspec::rules::{self, Severity};
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn corpus_has_every_shape_and_enough_documents() {
    let files = corpus_files();
    assert!(files.len() >= 15, "only {} corpus documents", files.len());
    let names: Vec<String> = files.iter().map(|p| name(p)).collect();
    for needle in [
        "pop3_imap_smtp",
        "exchange",
        "redirect_addr",
        "redirect_url",
        "error_generic",
        "request_outlook",
        "request_mobilesync",
        "mobilesync_settings",
        "prefixed",
    ] {
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("y_") && n.contains(needle)),
            "no y_ document for {needle}"
        );
    }
    for n in &names {
        assert!(
            n.starts_with("y_") || n.starts_with("n_") || n.starts_with("i_"),
            "{n} is not named y_/n_/i_"
        );
    }
}

#[test]
fn y_files_have_no_error_and_n_files_have_one() {
    let mut problems = Vec::new();
    for path in corpus_files() {
        let n = name(&path);
        let bytes = std::fs::read(&path).unwrap();
        let v = rules::validate_default(&bytes);
        let errors = v.outcome.count(Severity::Error);
        if n.starts_with("y_") && errors > 0 {
            problems.push(format!("{n}: {errors} errors: {:?}", v.outcome.findings));
        }
        if n.starts_with("n_") && errors == 0 {
            problems.push(format!("{n}: no error finding: {:?}", v.outcome.findings));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_expectation_is_met_on_the_right_element() {
    let mut problems = Vec::new();
    for path in corpus_files() {
        let n = name(&path);
        let bytes = std::fs::read(&path).unwrap();
        let v = rules::validate_default(&bytes);
        let expects = expectations(&bytes);
        if (n.starts_with("n_") || n.contains("_warn_") || n.starts_with("i_"))
            && expects.is_empty()
            && !bytes.is_empty()
            && !n.contains("utf16_without_bom")
            && !n.contains("encoding_declaration")
        {
            problems.push(format!("{n}: names no expected rule"));
        }
        for (rule, path) in expects {
            assert!(rules::find(&rule).is_some(), "{n}: unknown rule {rule}");
            let hit = v
                .outcome
                .findings
                .iter()
                .any(|f| f.rule == rule && path.as_ref().is_none_or(|p| &f.path == p));
            if !hit {
                problems.push(format!(
                    "{n}: expected {rule} at {path:?}, got {:?}",
                    v.outcome
                        .findings
                        .iter()
                        .map(|f| (f.rule, f.path.as_str()))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_document_rule_has_a_failing_and_a_passing_corpus_case() {
    let mut fired: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut passed: BTreeSet<&str> = BTreeSet::new();
    for path in corpus_files() {
        let bytes = std::fs::read(&path).unwrap();
        let v = rules::validate_default(&bytes);
        for f in &v.outcome.findings {
            fired.entry(f.rule).or_default().push(name(&path));
        }
        for id in &v.outcome.applied {
            if v.outcome.of(id).next().is_none() {
                passed.insert(id);
            }
        }
    }
    let mut missing = Vec::new();
    for r in rules::ALL
        .iter()
        .filter(|r| r.scope == rules::Scope::Document)
    {
        if !fired.contains_key(r.id) {
            missing.push(format!("{}: no corpus document triggers it", r.id));
        }
        if !passed.contains(r.id) {
            missing.push(format!("{}: no corpus document passes it", r.id));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn microsoft_own_on_off_spelling_is_a_warning_never_an_error() {
    let bytes = std::fs::read(root().join("corpus/y_warn_onoff_case_exchange_online.xml")).unwrap();
    let v = rules::validate_default(&bytes);
    assert_eq!(v.outcome.count(Severity::Error), 0);
    assert!(v.outcome.of("POX-ONOFF-001").count() >= 10);
}

#[test]
fn xml_equivalent_spellings_of_on_raise_no_finding() {
    let bytes = std::fs::read(root().join("corpus/y_onoff_xml_equivalents.xml")).unwrap();
    let v = rules::validate_default(&bytes);
    assert!(v.outcome.findings.is_empty(), "{:?}", v.outcome.findings);
}
