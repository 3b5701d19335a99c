//! `poxspec validate` from the command line: exit codes, formats, standard input.

use crate::common::*;

#[test]
fn exit_codes_follow_the_verdict() {
    let (code, out, _) = poxspec(&["validate", "corpus/y_response_settings_pop3_imap_smtp.xml"]);
    assert_eq!(code, 0, "{out}");
    // A warning passes, unless --strict.
    let (code, _, _) = poxspec(&["validate", "corpus/y_warn_onoff_upper.xml"]);
    assert_eq!(code, 0);
    let (code, _, _) = poxspec(&["validate", "--strict", "corpus/y_warn_onoff_upper.xml"]);
    assert_eq!(code, 1);
    let (code, out, _) = poxspec(&["validate", "corpus/n_truncated.xml"]);
    assert_eq!(code, 1);
    assert!(out.contains("POX-DOC-001"), "{out}");
    let (code, _, err) = poxspec(&["validate", "corpus/does-not-exist.xml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("corpus/does-not-exist.xml: cannot read"),
        "{err}"
    );
}

#[test]
fn json_and_junit_reports() {
    let (code, out, _) = poxspec(&[
        "validate",
        "--format",
        "json",
        "corpus/y_request_outlook.xml",
        "corpus/n_truncated.xml",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["passed"], true);
    assert_eq!(files[1]["passed"], false);
    assert_eq!(files[1]["findings"][0]["rule"], "POX-DOC-001");
    assert_eq!(files[1]["findings"][0]["line"], 12);

    let (code, out, _) = poxspec(&[
        "validate",
        "--format",
        "junit",
        "corpus/y_request_outlook.xml",
        "corpus/n_truncated.xml",
    ]);
    assert_eq!(code, 1);
    // The JUnit report is itself well-formed XML, with one failure (the truncated file).
    let doc = poxspec::xml::parse_str(&out, &poxspec::xml::Limits::default()).unwrap();
    assert_eq!(doc.root.name.local, "testsuites");
    assert_eq!(out.matches("<failure").count(), 1, "{out}");
}

#[test]
fn standard_input_is_a_file_named_dash() {
    let input = std::fs::read(root().join("corpus/y_request_outlook.xml")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_poxspec"))
        .args(["validate", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["file"], "-");
}

/// Reports are written file by file; the totals each format states up front (JUnit's
/// `<testsuites>`, Markdown's result line) or at the end (JSON's summary) agree with the
/// units written, over the whole corpus.
#[test]
fn streamed_reports_agree_with_their_totals() {
    let mut args = vec!["validate".to_owned(), "--format".to_owned(), String::new()];
    args.extend(corpus_files().iter().map(|p| p.display().to_string()));
    let run = |format: &str| {
        let mut a = args.clone();
        a[2] = format.to_owned();
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        poxspec(&a).1
    };
    let files = corpus_files().len();

    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let units = json["files"].as_array().unwrap();
    assert_eq!(units.len(), files);
    let failed = units.iter().filter(|u| u["passed"] == false).count();
    let errors: usize = units
        .iter()
        .flat_map(|u| u["findings"].as_array().unwrap())
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(json["summary"]["total"], files);
    assert_eq!(json["summary"]["failed"], failed);
    assert_eq!(json["summary"]["errors"], errors);

    let junit = run("junit");
    let cases = junit.matches("<testcase ").count();
    let failures = junit.matches("<failure ").count();
    assert_eq!(junit.matches("<testsuite ").count(), files);
    assert!(
        junit.contains(&format!(
            "<testsuites name=\"poxspec\" tests=\"{cases}\" skipped=\"0\" failures=\"{failures}\" errors=\"0\">"
        )),
        "{}",
        junit.lines().take(2).collect::<Vec<_>>().join("\n")
    );
    assert!(junit.ends_with("</testsuites>\n"));

    let md = run("markdown");
    assert!(md.contains(&format!(
        "- **result**: {} of {files} files passed",
        files - failed
    )));
    assert_eq!(
        md.matches("| ✅ pass |").count() + md.matches("| ❌ fail |").count(),
        files
    );
}
