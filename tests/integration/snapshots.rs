//! insta snapshots of every corpus document: its parsed model and its findings.

use poxspec::rules;
use serde_json::json;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

#[test]
fn corpus_models() {
    settings().bind(|| {
        insta::glob!("../../corpus", "*.xml", |path| {
            let bytes = std::fs::read(path).unwrap();
            let value = match poxspec::parse(&bytes) {
                Ok(p) => json!({ "model": p.model }),
                Err(e) => json!({ "error": format!("{}:{}: {}", e.position().line, e.position().column, e.message()) }),
            };
            insta::assert_json_snapshot!("model", value);
        });
    });
}

#[test]
fn corpus_findings() {
    settings().bind(|| {
        insta::glob!("../../corpus", "*.xml", |path| {
            let bytes = std::fs::read(path).unwrap();
            let v = rules::validate_default(&bytes);
            insta::assert_json_snapshot!(
                "findings",
                json!({ "kind": v.kind, "findings": v.outcome.findings })
            );
        });
    });
}
