//! Replays every saved fuzzer finding (`corpus/regressions/<target>/`) through the same oracle
//! the fuzz target uses (`poxspec::fuzzing`), so each stays fixed on stable.

use crate::common::root;
use poxspec::fuzzing::TARGETS;

#[test]
fn fuzz_regressions_stay_fixed() {
    let mut replayed = 0;
    let mut failures = Vec::new();
    for (target, check) in TARGETS {
        let dir = root().join("corpus/regressions").join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.into_iter().filter(|p| p.is_file()) {
            let bytes = std::fs::read(&file).unwrap();
            replayed += 1;
            if let Err(e) = std::panic::catch_unwind(|| check(&bytes)) {
                let why = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{target}: {}: {why}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        replayed > 0,
        "no regressions found under corpus/regressions/"
    );
}

/// `<` inside an attribute value is not well-formed XML; it used to be accepted and, in a
/// namespace declaration, broke the round trip.
#[test]
fn lt_in_attribute_value_is_refused() {
    let e = poxspec::parse(br#"<Autodiscover xmlns="http://a<b"/>"#).unwrap_err();
    assert_eq!(
        e.with_file("f.xml"),
        "f.xml:1:1: '<' is not allowed in the value of attribute xmlns"
    );
}

/// A namespace declaration's name is its normalized value: a character reference in it
/// resolves before the name is compared with the documented URIs.
#[test]
fn namespace_declaration_values_are_normalized() {
    let doc = br#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/&#x32;006"><Request><EMailAddress>a@b.example</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>"#;
    let p = poxspec::parse(doc).unwrap();
    assert_eq!(
        p.tree.root.name.ns.as_deref(),
        Some("http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006")
    );
    assert!(poxspec::rules::validate(&p).passes(true));
}
