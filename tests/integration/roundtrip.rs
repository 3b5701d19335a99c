//! The round-trip contract over the corpus, and the CLI's exit codes.

use crate::common::*;
use poxspec::roundtrip::{check, Stability};

#[test]
fn every_readable_corpus_document_round_trips() {
    let mut unstable = Vec::new();
    let mut readable = 0;
    for path in corpus_files() {
        let bytes = std::fs::read(&path).unwrap();
        match check(&bytes) {
            Ok(Stability::Stable) => readable += 1,
            Ok(Stability::Unstable(why)) => unstable.push(format!("{}: {why}", name(&path))),
            Err(_) => {}
        }
    }
    assert!(unstable.is_empty(), "{}", unstable.join("\n"));
    assert!(readable >= 60, "only {readable} readable documents");
}

#[test]
fn lossless_writer_reproduces_corpus_bytes() {
    for path in corpus_files() {
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(doc) = poxspec::xml::parse_bytes(&bytes, &Default::default()) {
            assert_eq!(poxspec::xml::write_lossless(&doc), bytes, "{}", name(&path));
        }
    }
}

#[cfg(feature = "cli")]
#[test]
fn cli_roundtrip_exit_codes() {
    let good: Vec<String> = corpus_files()
        .iter()
        .filter(|p| name(p).starts_with("y_"))
        .map(|p| p.display().to_string())
        .collect();
    let args: Vec<&str> = std::iter::once("roundtrip")
        .chain(good.iter().map(String::as_str))
        .collect();
    let (code, out, _) = poxspec(&args);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.ends_with(": stable")).count(),
        good.len()
    );

    let (code, _, err) = poxspec(&["roundtrip", "corpus/n_mismatched_end_tag.xml"]);
    assert_eq!(code, 2);
    assert_eq!(err.trim(), "corpus/n_mismatched_end_tag.xml:15:18: end tag </port> does not match the open element <Port>");

    let (code, _, err) = poxspec(&["roundtrip", "corpus/does-not-exist.xml"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("corpus/does-not-exist.xml: cannot read"),
        "{err}"
    );
}

#[cfg(feature = "cli")]
#[test]
fn cli_parse_prints_the_model() {
    let (code, out, _) = poxspec(&["parse", "corpus/y_response_redirect_url.xml"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "response");
    assert!(out.contains("https://autodiscover.contoso.com/autodiscover/autodiscover.xml"));
    let (code, out, _) = poxspec(&["parse", "--format", "debug", "corpus/y_request_outlook.xml"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Request("), "{out}");
    let (code, _, err) = poxspec(&["parse", "corpus/n_truncated.xml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("corpus/n_truncated.xml:") && err.contains("is not closed"),
        "{err}"
    );
}
