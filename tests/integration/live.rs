//! The live checker against the embedded reference server: the clean server passes with zero
//! findings, every injected fault is detected, and secrets never reach a report.

use crate::common::poxspec_env;
use poxspec::fixture::Fixture;
use poxspec::live::{self, CheckOptions, Credentials};
use poxspec::report::{self, Format, Report};
use poxspec::rules::{self, Scope};
use poxspec::server::{self, Fault, ServerOptions, FAULTS};
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The login the fault tests check with, so that faults about credentials can show: the
/// fixture's (the server requires authentication, as Exchange does).
const LOGIN: (&str, &str) = ("chris@contoso.com", "Kennwort-Grüße-2026");

/// Starts the reference server with `faults`, checks it (with `credentials`, bound to the
/// server's origin), stops it.
async fn check(faults: &[Fault], strict: bool, credentials: Option<(&str, &str)>) -> Report {
    check_with(faults, strict, credentials, Some(server::AuthMode::Basic)).await
}

/// [`check`] with the server's authentication chosen.
async fn check_with(
    faults: &[Fault],
    strict: bool,
    credentials: Option<(&str, &str)>,
    require_auth: Option<server::AuthMode>,
) -> Report {
    let fixture = Fixture::builtin();
    let s = server::start(ServerOptions {
        faults: faults.to_vec(),
        slow: Duration::from_millis(1500),
        require_auth,
        ..ServerOptions::local()
    })
    .await
    .unwrap();
    let mut options = CheckOptions::for_fixture(
        s.url(),
        format!("{}/autodiscover/autodiscover.xml", s.http_base),
        s.certificate_der.clone(),
        fixture,
        Duration::from_millis(700),
    );
    options.client.credentials =
        credentials.map(|(u, p)| Credentials::new(u, p, &s.url(), false).unwrap());
    let units = live::run(&options).await.unwrap();
    s.shutdown();
    Report::new("case", strict, units)
}

#[test]
fn clean_server_passes_strict_with_zero_findings() {
    let r = runtime().block_on(check(&[], true, Some(LOGIN)));
    assert!(r.units.len() >= 14);
    let findings: Vec<_> = r
        .units
        .iter()
        .flat_map(|u| {
            u.findings
                .iter()
                .map(move |f| (u.name.clone(), f.rule, f.message.clone()))
        })
        .collect();
    assert!(findings.is_empty(), "{findings:?}");
    assert!(r.passes());
}

#[test]
fn every_fault_is_detected() {
    assert!(FAULTS.len() >= 25);
    let rt = runtime();
    let mut problems = Vec::new();
    let mut fired = std::collections::BTreeSet::new();
    for def in FAULTS {
        let strict = rt.block_on(check(&[def.fault], true, Some(LOGIN)));
        let failing: Vec<(&str, &str)> = strict
            .units
            .iter()
            .flat_map(|u| {
                u.findings
                    .iter()
                    .filter(|f| report::fails(f, true))
                    .map(move |f| (u.name.as_str(), f.rule))
            })
            .collect();
        fired.extend(failing.iter().map(|(_, r)| *r));
        if strict.passes() {
            problems.push(format!("{}: check --strict passes", def.name));
            continue;
        }
        if !failing.iter().any(|(_, r)| def.detected_by.contains(r)) {
            problems.push(format!(
                "{}: no failing case names {:?}; got {failing:?}",
                def.name, def.detected_by
            ));
        }
        let plain = Report {
            strict: false,
            ..strict.clone()
        };
        if def.breaks_error_rule && plain.passes() {
            problems.push(format!(
                "{}: breaks an error rule but a plain check passes",
                def.name
            ));
        }
        if !def.breaks_error_rule {
            if !plain.passes() {
                problems.push(format!(
                    "{}: only trips warnings but a plain check fails",
                    def.name
                ));
            }
            for format in [Format::Human, Format::Json, Format::Junit, Format::Markdown] {
                let text = report::render(&plain, format);
                if !def.detected_by.iter().any(|r| text.contains(r)) {
                    problems.push(format!(
                        "{}: the warning is not shown in the {format:?} report",
                        def.name
                    ));
                }
            }
        }
    }
    // Info rules never fail a run, so no fault can "fail" them; their must-report proofs are
    // named tests (POX-HTTP-016: credentials::credentials_never_follow_a_redirect_to_another_origin).
    for r in rules::ALL
        .iter()
        .filter(|r| r.scope == Scope::Http && r.severity != rules::Severity::Info)
    {
        if !fired.contains(r.id) {
            problems.push(format!("{}: no fault triggers this HTTP rule", r.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn clean_server_applies_every_http_rule() {
    let r = runtime().block_on(check(&[], true, Some(LOGIN)));
    let applied: std::collections::BTreeSet<&str> = r
        .units
        .iter()
        .flat_map(|u| u.applied.iter().copied())
        .collect();
    for rule in rules::ALL.iter().filter(|r| r.scope != Scope::Document) {
        assert!(
            applied.contains(rule.id),
            "{} is never applied by the live checker",
            rule.id
        );
    }
}

/// Guards redaction: the server echoes the password and its Basic token into its answers, so
/// every report format would show them if redaction slipped.
#[test]
fn passwords_never_reach_any_report() {
    let secret = "s3cr3t-Pa55w0rd!";
    // A server that takes any password, so that the echo reaches the answers.
    let r = runtime().block_on(check_with(
        &[Fault::CredentialsEchoed, Fault::MalformedPlain400],
        false,
        Some(("chris", secret)),
        None,
    ));
    let token = "Y2hyaXM6czNjcjN0LVBhNTV3MHJkIQ=="; // base64("chris:s3cr3t-Pa55w0rd!")
    let echoed = r
        .units
        .iter()
        .flat_map(|u| &u.findings)
        .filter(|f| f.rule == "POX-HTTP-018")
        .count();
    assert!(echoed > 0, "the echo was not detected");
    for format in [Format::Human, Format::Json, Format::Junit, Format::Markdown] {
        let text = report::render(&r, format);
        assert!(
            !text.contains(secret) && !text.contains(token) && !text.contains(&token[..20]),
            "{format:?} leaks the password"
        );
        assert!(
            text.contains("POX-HTTP-018"),
            "{format:?} does not show the echo"
        );
        if format == Format::Json {
            assert!(text.contains("authorization: [redacted]"));
        }
    }
}

#[test]
fn cli_check_against_the_embedded_server() {
    let (code, out, err) = poxspec_env(
        &[
            "check",
            "--format",
            "json",
            "--strict",
            "--user",
            "chris",
            "--password-env",
            "POXSPEC_TEST_PASSWORD",
        ],
        // The embedded server requires the fixture's password (non-ASCII on purpose).
        &[("POXSPEC_TEST_PASSWORD", LOGIN.1)],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains(LOGIN.1) && !err.contains(LOGIN.1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 14);
    assert!(cases
        .iter()
        .all(|c| c["passed"] == true && c["case"].is_string() && c["description"].is_string()));
    assert_eq!(v["summary"]["failed"], 0);
}

#[test]
fn cli_check_selection_and_partitions() {
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["check", "--format", "json"];
        a.extend_from_slice(args);
        let (code, out, err) = poxspec_env(&a, &[]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["case"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = ids(&[]);
    let mut shards = ids(&["--partition", "1/3"]);
    shards.extend(ids(&["--partition", "2/3"]));
    shards.extend(ids(&["--partition", "3/3"]));
    shards.sort();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(
        shards, sorted,
        "the partitions must cover every case exactly once"
    );
    assert!(ids(&["--only", "request/*"])
        .iter()
        .all(|c| c.starts_with("request/")));
    assert!(!ids(&["--skip", "settings/*"])
        .iter()
        .any(|c| c.starts_with("settings/")));
}

#[test]
fn cli_check_unreachable_and_usage_errors_exit_2() {
    let (code, _, err) = poxspec_env(
        &[
            "check",
            "https://127.0.0.1:1/autodiscover/autodiscover.xml",
            "--email",
            "a@b.example",
            "--timeout",
            "2",
        ],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unreachable"), "{err}");
    let (code, _, err) = poxspec_env(
        &["check", "https://127.0.0.1:1/autodiscover/autodiscover.xml"],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--email"), "{err}");
    let (code, _, _) = poxspec_env(&["check", "--partition", "4/3"], &[]);
    assert_eq!(code, 2);
}

#[test]
fn cli_serve_lists_faults() {
    let (code, out, _) = poxspec_env(&["serve", "--list-faults"], &[]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), FAULTS.len());
    for (l, d) in lines.iter().zip(FAULTS) {
        assert_eq!(*l, format!("{}\t{}", d.name, d.description));
    }
}

#[test]
fn cli_selftest_detects_every_fault() {
    let (code, out, _) = poxspec_env(&["selftest", "--json"], &[]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["faults"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["detected"] == true));
}
