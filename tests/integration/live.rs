//! The live checker against the embedded reference server: the clean server passes with zero
//! findings, every injected fault is detected, and secrets never reach a report.

use crate::common::poxspec_env;
use poxspec::fixture::Fixture;
use poxspec::live::{self, CheckOptions, Credentials};
use poxspec::report::{self, Format, Report, Unit};
use poxspec::rules::catalogue::{LIVE_SILENT, LIVE_XFAIL_FIXED};
use poxspec::rules::{self, Scope};
use poxspec::server::{self, Fault, FaultDef, ServerOptions, FAULTS};
use std::collections::{BTreeMap, BTreeSet};
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
    let server = ServerOptions {
        faults: faults.to_vec(),
        slow: Duration::from_millis(1500),
        require_auth,
        ..ServerOptions::local()
    };
    check_server(server, None, strict, credentials).await
}

/// Starts the reference server as `server` says, checks it against the server's fixture (as
/// `emails`, or every fixture mailbox), stops it.
async fn check_server(
    server: ServerOptions,
    emails: Option<Vec<String>>,
    strict: bool,
    credentials: Option<(&str, &str)>,
) -> Report {
    let fixture = server.fixture.clone();
    let s = server::start(server).await.unwrap();
    let mut options = CheckOptions::for_fixture(
        s.url(),
        format!("{}/autodiscover/autodiscover.xml", s.http_base),
        s.certificate_der.clone(),
        fixture,
        Duration::from_millis(700),
    );
    if let Some(e) = emails {
        options.target.emails = e;
    }
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

/// Whether a unit flags its case: it fails under `--strict`, or (an implementation-defined
/// case) it carries the case's own info finding.
fn flagged(u: &Unit) -> bool {
    !u.passes(true) || u.findings.iter().any(|f| f.rule == LIVE_SILENT.id)
}

fn glob(entry: &str) -> Option<glob::Pattern> {
    (!entry.starts_with("POX-")).then(|| glob::Pattern::new(entry).unwrap())
}

/// Every fault makes `check --strict` fail with one of its rules or cases; every case glob a
/// fault names is a must-fail proof (each case it matches is flagged); and every case of the
/// catalogue is covered by such a proof, the clean run being its must-pass proof.
#[test]
fn every_fault_is_detected() {
    assert!(FAULTS.len() >= 45);
    let clean = runtime().block_on(check(&[], true, Some(LOGIN)));
    let mut problems = Vec::new();
    let mut fired = std::collections::BTreeSet::new();
    let mut proven = std::collections::BTreeSet::new();
    for (def, strict) in sweep() {
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
        if !failing.iter().any(|(c, r)| def.matches(c, r)) {
            problems.push(format!(
                "{}: no failing case or rule matches {:?}; got {failing:?}",
                def.name, def.detected_by
            ));
        }
        for entry in def.detected_by {
            let Some(g) = glob(entry) else { continue };
            let matching: Vec<&Unit> = strict.units.iter().filter(|u| g.matches(&u.name)).collect();
            if matching.is_empty() {
                problems.push(format!("{}: {entry} matches no case", def.name));
            }
            for u in matching {
                if flagged(u) {
                    proven.insert(u.name.clone());
                } else {
                    problems.push(format!(
                        "{}: names {} as a must-fail proof, but the case passes",
                        def.name, u.name
                    ));
                }
            }
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
            let shown: Vec<String> = failing
                .iter()
                .filter(|(c, r)| def.matches(c, r))
                .flat_map(|(c, r)| [c.to_string(), r.to_string()])
                .collect();
            for format in [Format::Human, Format::Json, Format::Junit, Format::Markdown] {
                let text = report::render(&plain, format);
                if !shown.iter().any(|x| text.contains(x.as_str())) {
                    problems.push(format!(
                        "{}: the warning is not shown in the {format:?} report",
                        def.name
                    ));
                }
            }
        }
    }
    for u in &clean.units {
        if !proven.contains(&u.name) {
            problems.push(format!(
                "{}: no fault names it as a must-fail proof (detected_by case glob)",
                u.name
            ));
        }
    }
    // Info rules never fail a run, so no fault can "fail" them; their must-report proofs are
    // named tests (POX-HTTP-016: credentials::credentials_never_follow_a_redirect_to_another_origin;
    // POX-LIVE-003 through the implementation-defined cases' proofs above). POX-LIVE-005 is
    // proven by expect_fail tests.
    for r in rules::ALL.iter().filter(|r| {
        r.scope == Scope::Http && r.severity != rules::Severity::Info && r.id != LIVE_XFAIL_FIXED.id
    }) {
        if !fired.contains(r.id) {
            problems.push(format!("{}: no fault triggers this HTTP rule", r.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every fault checked once (strict, with the login), shared by the tests that need the sweep.
fn sweep() -> &'static [(&'static FaultDef, Report)] {
    static SWEEP: std::sync::OnceLock<Vec<(&'static FaultDef, Report)>> =
        std::sync::OnceLock::new();
    SWEEP.get_or_init(|| {
        runtime().block_on(async {
            use futures_util::StreamExt;
            futures_util::stream::iter(FAULTS.iter())
                .map(|def| async move { (def, check(&[def.fault], true, Some(LOGIN)).await) })
                .buffered(4)
                .collect()
                .await
        })
    })
}

/// A unit's `applied` list is what JUnit shows as passed tests, so it must be true: every
/// non-document rule is applied by some case on the clean server, and whenever a fault makes
/// a case report a rule, that same case applied the rule on the clean server (a rule marked
/// applied by a case that never judges it, or judged by a case that does not claim it, fails).
#[test]
fn clean_server_applies_every_http_rule() {
    let clean = runtime().block_on(check(&[], true, Some(LOGIN)));
    let mut applied_by: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for u in &clean.units {
        for r in &u.applied {
            applied_by.entry(r).or_default().insert(u.name.as_str());
        }
    }
    let mut problems = Vec::new();
    for (def, r) in sweep() {
        for u in &r.units {
            for f in &u.findings {
                if !u.applied.contains(&f.rule) {
                    problems.push(format!(
                        "{}: case {} reports {} without listing it as applied",
                        def.name, u.name, f.rule
                    ));
                }
                let rule = rules::find(f.rule).expect("catalogued");
                // While the certificate does not verify, every non-tls/ case is reported "not
                // checked" under the TLS rule that blocked it (a verifying client cannot get
                // that far): the rule is the run's verdict, not one the case judges.
                let blocked_by_tls =
                    rule.area == rules::Area::Tls && f.message.starts_with("not checked: ");
                if matches!(rule.scope, Scope::Http | Scope::Policy)
                    && !blocked_by_tls
                    && !applied_by
                        .get(f.rule)
                        .is_some_and(|c| c.contains(u.name.as_str()))
                {
                    problems.push(format!(
                        "{}: case {} reports {} under the fault but does not apply it on the clean server",
                        def.name, u.name, f.rule
                    ));
                }
            }
        }
    }
    // POX-LIVE-005 applies only to a run with --expect-fail (see the expect_fail tests).
    for rule in rules::ALL
        .iter()
        .filter(|r| matches!(r.scope, Scope::Http | Scope::Policy) && r.id != LIVE_XFAIL_FIXED.id)
    {
        if !applied_by.contains_key(rule.id) {
            problems.push(format!("{} is never applied by the live checker", rule.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
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

/// A `--skip` or `--only` pattern that matches no case (a typo, a renamed case) is named in
/// the report instead of silently selecting nothing or skipping nothing.
#[test]
fn selection_patterns_matching_no_case_are_named() {
    let (code, out, err) = poxspec_env(
        &[
            "check",
            "--format",
            "json",
            "--only",
            "request/*",
            "--only",
            "requests/*",
            "--skip",
            "get/*",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["selection patterns matching no case"],
        "--only requests/*; --skip get/*"
    );
    let (_, out, _) = poxspec_env(&["check", "--format", "json", "--only", "request/*"], &[]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.get("selection patterns matching no case").is_none());
}

/// `check` writes its report case by case through the streaming writer; what it writes must be
/// what the whole-report renderer writes for the same units and context, in every format,
/// including context learnt only at the end of the run.
#[test]
fn streamed_check_reports_match_the_whole_report() {
    let r = runtime().block_on(check(&[Fault::PortZero], false, Some(LOGIN)));
    for format in [Format::Human, Format::Json, Format::Junit, Format::Markdown] {
        let header = report::Header {
            unit_label: "case",
            strict: r.strict,
            context: r.context.clone(),
        };
        let mut w = report::ReportWriter::new(Vec::new(), format, header).unwrap();
        for u in &r.units {
            w.unit(u).unwrap();
        }
        // One key before the units array and one after it, as `check` adds them at the end.
        w.push_context(
            "expect-fail entries matching no case run".into(),
            "3: x/*".into(),
        );
        w.push_context("aaa late".into(), "first".into());
        let (bytes, summary) = w.finish().unwrap();
        let streamed = String::from_utf8(bytes).unwrap();
        let mut whole = r.clone();
        whole.context.push((
            "expect-fail entries matching no case run".into(),
            "3: x/*".into(),
        ));
        whole.context.push(("aaa late".into(), "first".into()));
        let rendered = report::render(&whole, format);
        assert_eq!(summary.failed, whole.summary().failed);
        if format == Format::Json {
            // The early key's place in the sorted object had passed: same object, other order.
            let a: serde_json::Value = serde_json::from_str(&streamed).unwrap();
            let b: serde_json::Value = serde_json::from_str(&rendered).unwrap();
            assert_eq!(a, b);
        } else {
            assert_eq!(streamed, rendered, "{format:?}");
        }
    }
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

/// Numbers out of range on the command line are usage errors naming the range, never panics
/// (`Duration::from_secs_f64` panics on infinity and on values past u64 seconds).
#[test]
fn cli_value_ranges_are_usage_errors() {
    for args in [
        &["check", "--timeout", "inf"][..],
        &["check", "--timeout", "1e30"],
        &["check", "--timeout", "NaN"],
        &["check", "--total-timeout=-1"],
        &["check", "--concurrency", "0"],
        &["serve", "--slow", "1e30"],
        &["serve", "--slow", "inf"],
    ] {
        let (code, _, err) = poxspec_env(args, &[]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("out of range") || err.contains("not a number"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// Guards the ratchet: an expected failure that fails is reported as such and passes the
/// run; one that passes fails it with "fixed: remove it from FILE".
#[test]
fn expect_fail_reports_expected_failures_and_ratchets_fixed_ones() {
    use poxspec::live::expect::ExpectFail;
    let file = "[[expect-fail]]\ncase = \"request/legacydn/*\"\nreason = \"LegacyDN is not implemented yet\"\n\n[[expect-fail]]\ncase = \"nothing/matches/*\"\nreason = \"stale\"\n";
    let x = ExpectFail::parse("known.toml", file).unwrap();
    let rt = runtime();
    let mut broken = rt.block_on(check(&[Fault::LegacyDnIgnored], true, Some(LOGIN)));
    assert!(!broken.passes());
    let stale = x.apply(&mut broken.units);
    assert_eq!(stale, vec!["5: nothing/matches/*".to_owned()]);
    let xfail: Vec<&str> = broken
        .units
        .iter()
        .filter(|u| u.expected_failure.is_some())
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(xfail, ["request/legacydn/only", "request/legacydn/wins"]);
    // Other cases the fault breaks (address/legacydn/lower-case) still fail the run.
    assert!(!broken.passes());
    assert_eq!(broken.summary().expected_failures, 2);
    for format in [Format::Human, Format::Json, Format::Junit, Format::Markdown] {
        let text = report::render(&broken, format);
        assert!(
            text.contains("LegacyDN is not implemented yet"),
            "{format:?}"
        );
    }
    let mut fixed = rt.block_on(check(&[], true, Some(LOGIN)));
    x.apply(&mut fixed.units);
    assert!(!fixed.passes());
    let msgs: Vec<&str> = fixed
        .units
        .iter()
        .flat_map(|u| u.findings.iter())
        .filter(|f| f.rule == LIVE_XFAIL_FIXED.id)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(msgs.len(), 2);
    assert!(msgs
        .iter()
        .all(|m| m.starts_with("fixed: remove it from known.toml")));
}

#[test]
fn expect_fail_file_errors_name_file_line_and_column() {
    use poxspec::live::expect::ExpectFail;
    let e = ExpectFail::parse("k.toml", "[[expect-fail]]\ncase = \"a/*\"\n").unwrap_err();
    assert!(e.to_string().starts_with("k.toml:1:1: "), "{e}");
    let e = ExpectFail::parse(
        "k.toml",
        "[[expect-fail]]\ncase = \"a/[\"\nreason = \"x\"\n",
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("k.toml:1: case \"a/[\""), "{e}");
    let (code, _, err) = poxspec_env(&["check", "--expect-fail", "/nonexistent/k.toml"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/k.toml: cannot read"), "{err}");
}

#[test]
fn cli_check_list_prints_the_catalogue_without_sending() {
    let (code, out, _) = poxspec_env(&["check", "--list"], &[]);
    assert_eq!(code, 0);
    let listed = live::catalogue::listing();
    let n = listed.len();
    assert!(n >= 120, "{n} cases");
    // Every table of cases is listed: the data catalogue, tls/ and auth/.
    assert_eq!(
        n,
        live::catalogue::all().count() + live::TLS_CASES.len() + live::AUTH_CASES.len()
    );
    for c in &listed {
        assert!(
            out.contains(c.id) && out.contains(&c.requirement),
            "{} missing",
            c.id
        );
    }
    for (group, _) in live::catalogue::group_summaries() {
        assert!(out.contains(&format!("{group}/  ")), "{group}");
        assert!(listed.iter().any(|c| c.group == *group), "{group} is empty");
    }
    let (code, out, _) = poxspec_env(&["check", "--list", "--format", "json"], &[]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["cases"].as_array().unwrap().len(), n);
}

/// The catalogue is data: IDs unique and hierarchical (`group/topic/name`, the group one of
/// the sections), every text filled in, implementation-defined cases saying so.
#[test]
fn case_catalogue_is_well_formed() {
    use poxspec::live::catalogue::{self, Level};
    let mut seen = std::collections::BTreeSet::new();
    for (group, cases) in catalogue::sections() {
        for c in cases {
            assert!(seen.insert(c.id), "duplicate case ID {}", c.id);
            assert!(
                c.id.starts_with(&format!("{group}/")),
                "{} is not in {group}/",
                c.id
            );
            assert!(
                c.id.split('/').count() >= 2 && !c.id.contains(' ') && c.id.len() < 64,
                "{}",
                c.id
            );
            assert!(
                !c.description.is_empty() && !c.requirement.is_empty() && !c.source.is_empty(),
                "{}",
                c.id
            );
            if c.level == Level::ImplementationDefined {
                assert!(
                    c.source.contains("implementation-defined") || c.requirement.contains("silent"),
                    "{} is implementation-defined but does not say so",
                    c.id
                );
            }
        }
        assert!(
            catalogue::group_summaries()
                .iter()
                .any(|(g, _)| *g == group),
            "{group} has no summary"
        );
    }
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).unwrap();
    for c in catalogue::listing() {
        assert!(
            c.id.starts_with(&format!("{}/", c.group)),
            "{} is not in {}/",
            c.id,
            c.group
        );
        assert!(
            readme.contains(&format!("| `{}/", c.group)),
            "README's case catalogue table lacks the {}/ group",
            c.group
        );
        if c.group == "tls" || c.group == "auth" {
            assert!(seen.insert(c.id), "duplicate case ID {}", c.id);
        }
    }
}

/// The live policy judgement resolves through the fixture's named authentication policies:
/// erin follows the organisation default "Block Basic Auth" (OAuth only), so the server's
/// answer advertising SMTP is reported as POX-POL-004 (info: a POX answer cannot say which
/// mechanism to use), and the run still passes.
#[test]
fn named_authentication_policies_reach_the_live_policy_judgement() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/policy/fixture-auth-policies.toml"
    );
    let fixture = Fixture::load(std::path::Path::new(path)).unwrap();
    assert!(!fixture.authentication_policies.policies.is_empty());
    let report = runtime().block_on(check_server(
        ServerOptions {
            fixture,
            ..ServerOptions::local()
        },
        Some(vec!["erin@contoso.com".into()]),
        false,
        None,
    ));
    let pol4: Vec<_> = report
        .units
        .iter()
        .flat_map(|u| u.findings.iter())
        .filter(|f| f.rule == "POX-POL-004")
        .collect();
    assert!(!pol4.is_empty(), "no POX-POL-004 for erin");
    assert!(
        pol4.iter().all(|f| f.message.contains("Block Basic Auth")),
        "{pol4:?}"
    );
    assert!(
        report.passes(),
        "{}",
        report::render(&report, Format::Human)
    );
}
