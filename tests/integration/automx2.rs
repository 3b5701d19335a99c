//! A real third-party Autodiscover server in the suite: automx2 from PyPI, which `.ci/run`
//! installs in a virtual environment and starts on loopback with its sample data, naming it in
//! `POXSPEC_AUTOMX2_URL`. Its known defects are the repository's example `--expect-fail` file,
//! `examples/automx2.expect-fail.toml`: `check` must report each of them, and nothing else.

use crate::common::poxspec_env;

const EXPECT_FAIL: &str = "examples/automx2.expect-fail.toml";

/// Cases left out against automx2 because what they judge is the deployment, not automx2:
/// the GET redirect is served by the web server in front of it, and Werkzeug's development
/// server (what `flask run` starts) closes every connection and waits for slow bodies
/// without a limit, where a production WSGI server does not.
const NOT_AUTOMX2: &[&str] = &[
    "redirect/get-probe/*",
    "http/connection/keep-alive",
    "security/slow/*",
];

fn url() -> Option<String> {
    match std::env::var("POXSPEC_AUTOMX2_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            eprintln!("automx2 test skipped: POXSPEC_AUTOMX2_URL is not set (.ci/run starts automx2 from PyPI and sets it)");
            None
        }
    }
}

fn check(url: &str, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec![
        "check",
        url,
        "--email",
        "alice@example.net",
        "--email",
        "nobody@serverless.tld",
        "--format",
        "json",
        "--strict",
        "--slow-body",
        "2",
    ];
    for s in NOT_AUTOMX2 {
        args.extend(["--skip", s]);
    }
    args.extend_from_slice(extra);
    let (code, out, err) = poxspec_env(&args, &[]);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v, err)
}

fn failing(v: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false || c.get("expected_failure").is_some())
        .map(|c| {
            let rules = c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["severity"] != "info")
                .map(|f| {
                    format!(
                        "{} {}",
                        f["rule"].as_str().unwrap(),
                        f["message"].as_str().unwrap()
                    )
                })
                .collect();
            (c["case"].as_str().unwrap().to_owned(), rules)
        })
        .collect()
}

/// Every failure is a known defect listed in the example file (exit 0 under --strict), and
/// every listed defect still fails (the ratchet would exit 1 otherwise).
#[test]
fn automx2_fails_exactly_its_known_defects() {
    let Some(url) = url() else { return };
    let (code, v, err) = check(&url, &["--expect-fail", EXPECT_FAIL]);
    let unexpected: Vec<_> = failing(&v)
        .into_iter()
        .filter(|(c, _)| {
            !v["cases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["case"] == c.as_str() && x.get("expected_failure").is_some())
        })
        .collect();
    assert_eq!(
        code, 0,
        "unexpected failures or fixed defects: {unexpected:#?}\n{err}"
    );
    assert!(
        v.get("expect-fail entries matching no case run").is_none(),
        "stale entries in {EXPECT_FAIL}: {}",
        v["expect-fail entries matching no case run"]
    );
}

/// The defects a careful reading of the specification calls defects, each found where it is.
#[test]
fn automx2_real_defects_are_each_reported() {
    let Some(url) = url() else { return };
    let (code, v, _) = check(&url, &[]);
    assert_eq!(code, 1);
    let f = failing(&v);
    let has = |case: &str, needle: &str| {
        f.iter()
            .any(|(c, rules)| c == case && rules.iter().any(|r| r.contains(needle)))
    };
    let mut missing = Vec::new();
    for (case, needle, defect) in [
        (
            "errors/malformed/unclosed",
            "POX-HTTP-005",
            "error answers that are not POX errors (HTTP 500 HTML)",
        ),
        (
            "errors/structure/no-emailaddress",
            "POX-HTTP-005",
            "a request without EMailAddress gets a plain-text 400",
        ),
        (
            "schema/unknown/future-version",
            "POX-HTTP-007",
            "AcceptableResponseSchema ignored",
        ),
        ("settings/alice@example.net", "POX-PROTO-013", "SPA omitted"),
        (
            "settings/nobody@serverless.tld",
            "Protocol",
            "settings without Protocol for a domain without servers",
        ),
        (
            "address/unknown/domain",
            "POX-HTTP-006",
            "204 for an unknown domain",
        ),
        (
            "address/case/domain-upper",
            "POX-LIVE-001",
            "case-sensitive domain lookup",
        ),
        (
            "security/entity/internal",
            "POX-LIVE-001",
            "internal entities expanded",
        ),
    ] {
        if !has(case, needle) {
            missing.push(format!("{defect}: {case} has no {needle} finding"));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}\nfailing: {f:#?}");
}

/// `fuzz` against automx2 reports its crashes on malformed input, each shrunk and reproduced:
/// automx2 (2026.2) answers HTTP 500 to any body it cannot parse as XML, and shrinking finds
/// the smallest such body, the empty POST.
#[test]
fn automx2_fuzzing_reports_its_500s_on_malformed_input_with_shrunk_reproducers() {
    let Some(url) = url() else { return };
    let dir = crate::common::scratch("automx2-fuzz");
    let (code, out, err) = poxspec_env(
        &[
            "fuzz",
            &url,
            "--email",
            "alice@example.net",
            "--seed",
            "1",
            "--count",
            "300",
            "--concurrency",
            "4",
            "--max-reproducers",
            "12",
            "--format",
            "json",
            "--out",
            dir.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let f = &v["fuzz"];
    assert!(
        f["classes"]["server-error"].as_u64().unwrap_or(0) > 0,
        "{f:#}"
    );
    let crashes: Vec<&serde_json::Value> = f["reproducers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["class"] == "server-error" && r["confirmed"] == true)
        .collect();
    // Malformed requests (a breaking mutation or an errors/malformed case) crash it...
    assert!(
        crashes.iter().any(|r| {
            let l = r["label"].as_str().unwrap();
            l.starts_with("breaking/") || l.starts_with("errors/malformed/")
        }),
        "{crashes:#?}"
    );
    // ... each reduced to the empty POST, which crashes it too, and written with a curl
    // command that sends it again.
    for r in &crashes {
        assert!(r["len"].as_u64().unwrap() <= r["original_len"].as_u64().unwrap());
        if r["same_as"].is_null() {
            let file = dir.join(r["file"].as_str().unwrap());
            assert!(file.exists(), "{}", file.display());
            let script = std::fs::read_to_string(file.with_extension("sh")).unwrap();
            assert!(
                script.contains("curl ") && script.contains(&url),
                "{script}"
            );
        }
    }
    assert!(
        crashes
            .iter()
            .any(|r| r["len"] == 0 && r["original_len"].as_u64() > Some(100)),
        "{crashes:#?}"
    );
}
