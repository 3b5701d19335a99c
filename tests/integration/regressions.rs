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

/// The fuzz targets cargo-fuzz builds (`fuzz/Cargo.toml`'s binaries, one file each under
/// `fuzz/fuzz_targets/`) are exactly the catalogue's, each calling its own oracle and named in
/// the README's table: a target added, renamed or split in one place only is caught here.
#[test]
fn fuzz_targets_match_the_catalogue() {
    let mut catalogue: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    catalogue.sort_unstable();
    let mut files: Vec<String> = std::fs::read_dir(root().join("fuzz/fuzz_targets"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    files.sort_unstable();
    assert_eq!(
        files, catalogue,
        "fuzz/fuzz_targets/ against poxspec::fuzzing::TARGETS"
    );
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
    let mut bins: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "poxspec-fuzz")
        .collect();
    bins.sort_unstable();
    assert_eq!(bins, catalogue, "fuzz/Cargo.toml's binaries");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let fuzzing = readme
        .split("\n## Fuzzing\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Fuzzing section");
    for name in &catalogue {
        assert!(
            fuzzing.contains(&format!("`{name}`")),
            "README's Fuzzing section names target {name}"
        );
        let source =
            std::fs::read_to_string(root().join(format!("fuzz/fuzz_targets/{name}.rs"))).unwrap();
        assert!(
            source.contains(&format!("poxspec::fuzzing::{name}(")),
            "fuzz/fuzz_targets/{name}.rs calls poxspec::fuzzing::{name}"
        );
    }
}

/// Each command that writes to standard output, run with a pipe whose reader has already
/// gone (as `poxspec serve --list-faults | head` leaves it): the output stops without a
/// panic, and the exit code is the one the command gives when its output is read.
#[cfg(all(feature = "cli", feature = "live", feature = "server"))]
#[test]
fn closed_stdout_is_not_a_panic() {
    let commands: &[&[&str]] = &[
        &["rules"],
        &["rules", "--format", "json"],
        &["serve", "--list-faults"],
        &["check", "--list"],
        &["discover", "--list-faults"],
        &["parse", "corpus/y_response_settings_exchange.xml"],
        &["roundtrip", "corpus/y_response_settings_exchange.xml"],
        &["validate", "corpus/y_response_settings_exchange.xml"],
        &["validate", "--format", "json", "corpus"],
        &["policy", "resolve", "corpus/policy/fixture.toml"],
        &["policy", "audit", "corpus/policy/fixture.toml"],
    ];
    for args in commands {
        let (read_code, _, _) = crate::common::poxspec(args);
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let closed = std::process::Command::new(env!("CARGO_BIN_EXE_poxspec"))
            .args(*args)
            .current_dir(root())
            .stdout(writer)
            .output()
            .expect("the poxspec binary runs");
        let stderr = String::from_utf8_lossy(&closed.stderr);
        assert!(
            !stderr.contains("panicked"),
            "poxspec {args:?} panicked on a closed stdout:\n{stderr}"
        );
        assert_eq!(
            closed.status.code(),
            Some(read_code),
            "poxspec {args:?}: exit code with a closed stdout\n{stderr}"
        );
    }
}
