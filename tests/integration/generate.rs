//! `generate` and `mutate`: determinism, and agreement between manifest and validator, in the
//! library over thousands of seeds and from the command line.

use crate::common::*;
#[cfg(feature = "cli")]
use poxspec::generate::Manifest;
use poxspec::generate::{self, Expect, Kind, Options};
use poxspec::xml::Limits;
use std::collections::BTreeMap;
#[cfg(feature = "cli")]
use std::path::Path;

const KINDS: [Kind; 4] = [Kind::Any, Kind::Request, Kind::Response, Kind::Policy];

fn seeds() -> u64 {
    std::env::var("POXSPEC_GENERATE_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

#[test]
fn manifest_and_validator_agree_over_thousands_of_seeds() {
    let mut documents = 0;
    let mut by_expect = BTreeMap::new();
    for seed in 0..seeds() {
        for kind in KINDS {
            let batch = generate::generate(&Options {
                seed,
                count: 3,
                kind,
                mutate: true,
            });
            let bad = generate::verify_batch(&batch);
            assert!(
                bad.is_empty(),
                "seed {seed}, {kind:?}: {bad:?}\n{}",
                String::from_utf8_lossy(batch.file(&bad[0].file).unwrap())
            );
            documents += batch.manifest.documents.len();
            for d in &batch.manifest.documents {
                *by_expect.entry(format!("{:?}", d.expect)).or_insert(0) += 1;
            }
        }
    }
    // Both verdicts must be well represented, or agreement would prove little.
    assert!(by_expect["Valid"] * 4 > documents, "{by_expect:?}");
    assert!(by_expect["Invalid"] * 4 > documents, "{by_expect:?}");
}

#[test]
fn unmutated_sets_are_valid() {
    for seed in 0..200 {
        for kind in KINDS {
            let batch = generate::generate(&Options {
                seed,
                count: 2,
                kind,
                mutate: false,
            });
            assert!(batch
                .manifest
                .documents
                .iter()
                .all(|d| d.expect == Expect::Valid && d.mutation.is_none()));
            assert_eq!(generate::verify_batch(&batch), vec![], "seed {seed}");
        }
    }
}

#[test]
fn every_operator_is_drawn() {
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..300 {
        for kind in KINDS {
            let batch = generate::generate(&Options {
                seed,
                count: 2,
                kind,
                mutate: true,
            });
            seen.extend(
                batch
                    .manifest
                    .documents
                    .iter()
                    .filter_map(|d| d.mutation.as_deref())
                    .flat_map(|m| m.split('+'))
                    .map(str::to_owned),
            );
        }
    }
    for op in poxspec::mutate::OPERATORS {
        assert!(seen.contains(op.name), "{} never drawn", op.name);
    }
    for name in [
        "policy-smtp-advertised",
        "policy-disabled-protocol-advertised",
        "policy-smtp-withheld",
    ] {
        assert!(seen.contains(name), "{name} never drawn");
    }
}

#[test]
fn same_seed_same_bytes_and_longer_sets_extend_shorter_ones() {
    for kind in KINDS {
        let opts = |seed, count| Options {
            seed,
            count,
            kind,
            mutate: true,
        };
        let a = generate::generate(&opts(42, 20));
        let b = generate::generate(&opts(42, 20));
        assert_eq!(a.files, b.files);
        assert_eq!(a.manifest, b.manifest);
        let short = generate::generate(&opts(42, 5));
        assert_eq!(short.files[..], a.files[..short.files.len()]);
        let other = generate::generate(&opts(43, 20));
        assert_ne!(a.files, other.files);
    }
}

#[test]
fn mutations_of_every_readable_corpus_document_agree() {
    let mut files = corpus_files();
    files.extend(
        std::fs::read_dir(root().join("corpus/policy"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "xml")),
    );
    let mut mutated = 0;
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let Ok(batch) = generate::mutate_document(&bytes, 9, 150, &Limits::default()) else {
            continue;
        };
        mutated += 1;
        assert_eq!(generate::verify_batch(&batch), vec![], "{}", file.display());
    }
    assert!(
        mutated > 80,
        "only {mutated} corpus documents were readable"
    );
}

/// Verdicts of `poxspec validate --format json` on every document, by file name.
#[cfg(feature = "cli")]
fn cli_verdicts(dir: &Path, extra: &[&str], files: &[String]) -> BTreeMap<String, bool> {
    let mut args: Vec<String> = vec!["validate".into(), "--format".into(), "json".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(files.iter().map(|f| dir.join(f).display().to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = poxspec(&argv);
    assert!(code == 0 || code == 1, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let name = Path::new(u["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, u["passed"].as_bool().unwrap())
        })
        .collect()
}

#[cfg(feature = "cli")]
fn read_manifest(dir: &Path) -> Manifest {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[cfg(feature = "cli")]
fn assert_cli_agrees(dir: &Path) {
    let manifest = read_manifest(dir);
    let (plain, policy): (Vec<_>, Vec<_>) =
        manifest.documents.iter().partition(|d| d.policy.is_none());
    let names: Vec<String> = plain.iter().map(|d| d.file.clone()).collect();
    let mut verdicts = if names.is_empty() {
        BTreeMap::new()
    } else {
        cli_verdicts(dir, &[], &names)
    };
    for d in &policy {
        let fixture = dir.join(d.policy.as_ref().unwrap()).display().to_string();
        let email = d.email.clone().unwrap();
        verdicts.extend(cli_verdicts(
            dir,
            &["--policy", &fixture, "--email", &email],
            std::slice::from_ref(&d.file),
        ));
    }
    assert_eq!(verdicts.len(), manifest.documents.len());
    for d in &manifest.documents {
        assert_eq!(
            verdicts[&d.file],
            d.expect == Expect::Valid,
            "{}: manifest says {:?}",
            d.file,
            d.expect
        );
    }
}

#[cfg(feature = "cli")]
#[test]
fn cli_generate_is_deterministic_and_agrees_with_cli_validate() {
    for kind in ["any", "request", "response", "policy"] {
        let a = scratch(&format!("generate-{kind}-a"));
        let b = scratch(&format!("generate-{kind}-b"));
        for dir in [&a, &b] {
            let (code, out, err) = poxspec(&[
                "generate",
                "--seed",
                "7",
                "--count",
                "60",
                "--kind",
                kind,
                "--mutate",
                "--out",
                &dir.display().to_string(),
            ]);
            assert_eq!(code, 0, "{out}{err}");
            assert!(out.contains("agrees with the manifest on 60/60"), "{out}");
        }
        let listing = |d: &Path| {
            let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| {
                    let p = e.unwrap().path();
                    (name(&p), std::fs::read(&p).unwrap())
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(listing(&a), listing(&b), "{kind}: two runs differ");
        assert_cli_agrees(&a);
        let first = &read_manifest(&a).documents[0];
        assert!(first.file.starts_with("0000-"), "{}", first.file);
        assert!(
            first.file.contains(first.mutation.as_deref().unwrap()),
            "{}",
            first.file
        );
    }
}

#[cfg(feature = "cli")]
#[test]
fn cli_mutate_a_users_document() {
    let dir = scratch("mutate-exchange");
    let (code, out, err) = poxspec(&[
        "mutate",
        "corpus/y_response_settings_exchange.xml",
        "--seed",
        "3",
        "--count",
        "80",
        "--out",
        &dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_cli_agrees(&dir);
    // A document that cannot be read has no tree to mutate: the located error, exit 2.
    let (code, _, err) = poxspec(&[
        "mutate",
        "corpus/n_truncated.xml",
        "--out",
        &dir.display().to_string(),
    ]);
    assert_eq!(code, 2);
    assert!(err.starts_with("corpus/n_truncated.xml:12:17: "), "{err}");
    let (code, _, err) = poxspec(&["generate", "--count", "0", "--out", "x"]);
    assert_eq!(code, 2, "{err}");
}

/// Guards the `action-unknown` operator against `Action` values that start with a multi-byte
/// character (it once sliced the first byte).
#[test]
fn action_unknown_on_non_ascii_action_does_not_panic() {
    let doc = r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>é</Action></Account></Response></Autodiscover>"#;
    let parsed = poxspec::parse(doc.as_bytes()).unwrap();
    let op = poxspec::mutate::operator("action-unknown").unwrap();
    for seed in 0..20 {
        let out = op
            .apply(&parsed.tree, &mut poxspec::mutate::Rng::new(seed))
            .unwrap();
        assert!(poxspec::parse(&out).is_ok());
    }
    let empty = doc.replace("<Action>é</Action>", "<Action></Action>");
    let parsed = poxspec::parse(empty.as_bytes()).unwrap();
    for seed in 0..20 {
        op.apply(&parsed.tree, &mut poxspec::mutate::Rng::new(seed));
    }
}
