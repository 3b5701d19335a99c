//! `poxspec fuzz` against the embedded reference server: the sequence is reproducible, the
//! clean server gives no failure, and crash-class faults are found, shrunk and reproduced.

use crate::common::{poxspec, scratch};
use poxspec::fixture::Fixture;
use poxspec::live::{Answer, ClientOptions, Exchange, Failure};
use poxspec::server::{self, Fault, ServerOptions};
use poxspec::wirefuzz::{self, judge, Class, Expect, FuzzOptions, FuzzOutcome, Plan, Quiet};
use std::collections::BTreeSet;
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn emails() -> Vec<String> {
    Fixture::builtin()
        .mailboxes
        .iter()
        .map(|m| m.address().to_owned())
        .collect()
}

/// Fuzzes the embedded server with `faults`.
pub async fn fuzz_embedded(faults: &[Fault], seed: u64, count: u64) -> FuzzOutcome {
    let s = server::start(ServerOptions {
        faults: faults.to_vec(),
        ..ServerOptions::local()
    })
    .await
    .unwrap();
    let mut opts = FuzzOptions::new(
        s.url(),
        seed,
        ClientOptions {
            trust: poxspec::live::tls::Trust {
                insecure: false,
                extra_roots: vec![s.certificate_der.clone()],
            },
            timeout: Duration::from_secs(5),
            body_cap: 1024 * 1024,
            credentials: None,
            routing: None,
        },
    );
    opts.count = count;
    opts.emails = emails();
    let out = wirefuzz::fuzz(&opts, &Quiet).await.unwrap();
    s.shutdown();
    out
}

#[test]
fn same_seed_same_requests_in_the_same_order() {
    let a = Plan::new(7, emails());
    let b = Plan::new(7, emails());
    let c = Plan::new(8, emails());
    let first: Vec<_> = (0..300).map(|i| a.draw(i)).collect();
    let again: Vec<_> = (0..300).map(|i| b.draw(i)).collect();
    assert_eq!(first, again);
    // Request 150 alone is the same as request 150 of the sequence.
    assert_eq!(b.draw(150), first[150]);
    let other: Vec<_> = (0..300).map(|i| c.draw(i)).collect();
    assert_ne!(first, other, "another seed draws other requests");
    let families: BTreeSet<&str> = first
        .iter()
        .map(|d| d.label.split('/').next().unwrap())
        .collect();
    assert_eq!(
        families,
        ["breaking", "errors", "preserving", "security", "valid"].into(),
        "every family is drawn"
    );
    for d in &first {
        match d.label.split('/').next().unwrap() {
            "valid" => assert_eq!(d.expect, Expect::Valid, "{}", d.label),
            "preserving" => {
                assert_eq!(d.expect, Expect::Valid, "{}", d.label);
                assert_eq!(d.ancestors.len(), d.mutations.len());
            }
            "breaking" => assert_ne!(d.expect, Expect::Valid, "{}", d.label),
            _ => {}
        }
    }
}

fn exchange(outcome: Result<Answer, Failure>) -> Exchange {
    Exchange {
        method: "POST",
        url: "https://example.invalid/autodiscover/autodiscover.xml".into(),
        request_type: None,
        request_body: vec![],
        authorization: poxspec::live::Authorization::None,
        outcome,
        elapsed: Duration::from_millis(3),
    }
}

fn answer(status: u16, ct: &str, body: &str) -> Result<Answer, Failure> {
    Ok(Answer {
        status,
        headers: vec![("content-type".into(), ct.into())],
        body: body.as_bytes().to_vec(),
    })
}

fn error_doc(code: u32) -> String {
    String::from_utf8(
        poxspec::model::to_canonical(&poxspec::model::make::error_response(
            poxspec::model::ns::RESPONSE_ROOT,
            code,
            "x",
            "10:00:00.0000000",
            1,
        ))
        .into_bytes(),
    )
    .unwrap()
}

#[test]
fn oracle_classifies_every_kind_of_wrong_answer() {
    let xml = "text/xml; charset=utf-8";
    let class = |e: Expect, o| judge(e, &exchange(o)).map(|v| v.class);
    assert_eq!(
        class(Expect::Broken, answer(500, "", "")),
        Some(Class::ServerError)
    );
    assert_eq!(
        class(Expect::Valid, answer(200, "text/html", "<html><body>oops")),
        Some(Class::NonXml200)
    );
    assert_eq!(
        class(Expect::Valid, Err(Failure::Timeout)),
        Some(Class::Timeout)
    );
    assert_eq!(
        class(
            Expect::Valid,
            Err(Failure::Other("connection reset".into()))
        ),
        Some(Class::DroppedConnection)
    );
    assert_eq!(
        class(
            Expect::Broken,
            answer(
                200,
                xml,
                &error_doc(600).replace("x</Message>", "POXSPEC-ENTITY-ECHO</Message>")
            )
        ),
        Some(Class::EntityEcho)
    );
    assert_eq!(
        class(Expect::Valid, answer(200, xml, "<Autodiscover/>")),
        Some(Class::InvalidAnswer)
    );
    assert_eq!(
        class(Expect::Valid, answer(400, "", "")),
        Some(Class::ValidRefused)
    );
    assert_eq!(
        class(Expect::Valid, answer(200, xml, &error_doc(600))),
        Some(Class::ValidRefused)
    );
    assert_eq!(
        class(Expect::Broken, answer(200, xml, &error_doc(500))),
        Some(Class::BrokenAccepted)
    );
    // What is right passes.
    assert_eq!(
        class(Expect::Broken, answer(200, xml, &error_doc(600))),
        None
    );
    assert_eq!(class(Expect::Broken, answer(413, "", "")), None);
    assert_eq!(
        class(Expect::Valid, answer(200, xml, &error_doc(500))),
        None
    );
    assert_eq!(
        class(Expect::Either, answer(200, xml, &error_doc(601))),
        None
    );
    let mut redirect = answer(302, "", "").unwrap();
    redirect
        .headers
        .push(("location".into(), "https://elsewhere.invalid/".into()));
    assert_eq!(class(Expect::Valid, Ok(redirect)), None);
}

#[test]
fn clean_server_fuzzing_finds_nothing() {
    let out = runtime().block_on(fuzz_embedded(&[], 11, 1500));
    assert_eq!(out.sent, 1500);
    assert!(out.passes(), "{}", wirefuzz::render::human(&out));
    assert!(out.rows.keys().any(|k| k.starts_with("security/")));
}

/// Fuzzes with one crash-class fault and returns its confirmed reproducers.
fn crash_reproducers(fault: Fault) -> (FuzzOutcome, Vec<wirefuzz::Reproducer>) {
    let out = runtime().block_on(fuzz_embedded(&[fault], 5, 400));
    let r: Vec<_> = out
        .reproducers
        .iter()
        .filter(|r| r.class == Class::ServerError && r.confirmed)
        .cloned()
        .collect();
    (out, r)
}

#[test]
fn empty_body_crash_is_found_and_shrunk() {
    let (out, r) = crash_reproducers(Fault::EmptyBodyCrash);
    assert!(!out.passes());
    assert_eq!(
        out.classes.keys().collect::<Vec<_>>(),
        [&Class::ServerError]
    );
    assert!(!r.is_empty());
    for p in &r {
        assert!(p.body.iter().all(u8::is_ascii_whitespace), "{:?}", p.text);
        assert!(p.len <= 300);
    }
}

#[test]
fn malformed_500_is_found_and_shrunk_to_a_few_bytes() {
    let (out, r) = crash_reproducers(Fault::Malformed500);
    assert!(!out.passes());
    assert!(r.len() >= 3, "several generators hit it: {:?}", out.rows);
    assert!(r.iter().all(|p| p.len <= 300), "{r:?}");
    // Reduced from something larger.
    assert!(r.iter().any(|p| p.original_len > 300 && p.attempts > 0));
}

#[test]
fn deep_nesting_crash_is_found_and_shrunk() {
    let (out, r) = crash_reproducers(Fault::DeepNestingCrash);
    assert_eq!(
        out.classes.keys().collect::<Vec<_>>(),
        [&Class::ServerError]
    );
    assert!(!r.is_empty(), "{}", wirefuzz::render::human(&out));
    for p in &r {
        assert!(p.label.starts_with("security/depth/"), "{}", p.label);
        assert!(
            p.original_len > 1000 && p.len <= 300,
            "{} -> {}",
            p.original_len,
            p.len
        );
        // Still deeper than the fault's limit: shrinking kept what makes it crash.
        assert!(p.text.matches('<').count() > 32, "{}", p.text);
    }
}

/// `poxspec fuzz` against the embedded server with `malformed-500`, seed 3, 200 requests,
/// reproducers under `out`, then `extra`.
fn fuzz_malformed_500(out: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "fuzz",
        "--fault",
        "malformed-500",
        "--seed",
        "3",
        "--count",
        "200",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    poxspec(&args)
}

#[test]
fn fuzz_cli_writes_reproducers_with_curl_and_exits_1() {
    let dir = scratch("wirefuzz-cli");
    let (code, stdout, stderr) = fuzz_malformed_500(&dir, &[]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("server-error"), "{stdout}");
    assert!(stdout.contains("failures/0001.xml"), "{stdout}");
    let script = std::fs::read_to_string(dir.join("failures/0001.sh")).unwrap();
    assert!(script.contains("curl ") && script.contains("--data-binary @failures/0001.xml"));
    assert!(dir.join("failures/0001.xml").exists());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fuzz.json")).unwrap()).unwrap();
    assert_eq!(json["passed"], false);
    assert_eq!(json["fuzz"]["reproducers"][0]["class"], "server-error");

    let (code, stdout, stderr) = poxspec(&["fuzz", "--seed", "3", "--count", "200"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("no failure"));
}

#[test]
fn fuzz_compares_targets_with_reproducers_per_target() {
    let rt = runtime();
    let clean = rt.block_on(server::start(ServerOptions::local())).unwrap();
    // A fault that a third of all draws meets (every malformed request), so the faulty
    // target fails whatever share of the run the catalogue's payloads take.
    let faulty = rt
        .block_on(server::start(ServerOptions {
            faults: vec![Fault::Malformed500],
            ..ServerOptions::local()
        }))
        .unwrap();
    let dir = scratch("wirefuzz-compare");
    let (code, stdout, stderr) = poxspec(&[
        "fuzz",
        "--target",
        &format!("clean={}", clean.url()),
        "--target",
        &format!("faulty={}", faulty.url()),
        "--insecure",
        "--seed",
        "4",
        "--count",
        "300",
        "--format",
        "json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    clean.shutdown();
    faulty.shutdown();
    assert_eq!(code, 1, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let m = &v["matrix"];
    assert_eq!(m["row_label"], "generator");
    assert_eq!(m["columns"][0]["passed"], true);
    assert_eq!(m["columns"][1]["passed"], false);
    let empty = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][1]["status"] == "fail")
        .expect("a row fails on the faulty server");
    assert_eq!(empty["cells"][0]["status"], "pass");
    assert_eq!(empty["cells"][1]["status"], "fail");
    assert!(empty["cells"][1]["detail"]
        .as_str()
        .unwrap()
        .contains("curl "));
    assert!(dir.join("faulty/failures/0001.xml").exists());
    assert!(!dir.join("clean/failures/0001.xml").exists());
}

#[test]
fn serve_mutate_answers_the_sequence_in_order_and_logs_each_answer() {
    use poxspec::server::{Script, ScriptedDocument};
    use std::sync::{Arc, Mutex};
    let batch = poxspec::generate::generate(&poxspec::generate::Options {
        seed: 9,
        count: 5,
        kind: poxspec::generate::Kind::Response,
        mutate: true,
    });
    assert!(poxspec::generate::verify_batch(&batch).is_empty());
    let docs: Vec<ScriptedDocument> = batch
        .manifest
        .documents
        .iter()
        .map(|e| ScriptedDocument {
            name: e.file.clone(),
            bytes: batch.file(&e.file).unwrap().to_vec(),
        })
        .collect();
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let script = Script::new(docs.clone(), move |s| {
        sink.lock()
            .unwrap()
            .push((s.request, s.document.name.clone(), s.cycle))
    })
    .unwrap();
    let rt = runtime();
    rt.block_on(async {
        let s = server::start(ServerOptions {
            script: Some(Arc::new(script)),
            ..ServerOptions::local()
        })
        .await
        .unwrap();
        let client = poxspec::live::Client::new(ClientOptions {
            trust: poxspec::live::tls::Trust {
                insecure: false,
                extra_roots: vec![s.certificate_der.clone()],
            },
            timeout: Duration::from_secs(5),
            body_cap: 1024 * 1024,
            credentials: None,
            routing: None,
        })
        .unwrap();
        for i in 0..7 {
            // Whatever the request, the answer is the next document.
            let x = client
                .post(&s.url(), format!("request {i}").into_bytes())
                .await;
            let a = x.outcome.unwrap();
            assert_eq!(a.status, 200);
            assert_eq!(a.body, docs[i % 5].bytes, "answer {i}");
        }
        s.shutdown();
    });
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 7);
    for (i, (n, name, cycle)) in log.iter().enumerate() {
        assert_eq!(*n, i as u64 + 1);
        assert_eq!(name, &docs[i % 5].name);
        assert_eq!(*cycle, i as u64 / 5);
    }
}

#[test]
fn serve_mutate_cli_writes_the_manifest_and_the_log() {
    use std::io::BufRead;
    let dir = scratch("serve-mutate-cli");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_poxspec"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--mutate",
            "3",
            "--count",
            "4",
            "--out",
            dir.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find_map(|l| {
            l.trim()
                .strip_prefix("POST ")
                .map(|u| u.split_whitespace().next().unwrap().to_owned())
        })
        .expect("the server prints its URL");
    let client = poxspec::live::Client::new(ClientOptions {
        trust: poxspec::live::tls::Trust {
            insecure: true,
            extra_roots: vec![],
        },
        timeout: Duration::from_secs(5),
        body_cap: 1024 * 1024,
        credentials: None,
        routing: None,
    })
    .unwrap();
    let bodies: Vec<Vec<u8>> = runtime().block_on(async {
        let mut v = Vec::new();
        for _ in 0..2 {
            v.push(
                client
                    .post(&url, b"<x/>".to_vec())
                    .await
                    .outcome
                    .unwrap()
                    .body,
            );
        }
        v
    });
    let first = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find(|l| l.starts_with("request "))
        .expect("the server logs each answer");
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        first.starts_with("request 1 ") && first.contains("(expect "),
        "{first}"
    );
    let manifest: poxspec::generate::Manifest =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest.seed, 3);
    assert_eq!(manifest.documents.len(), 4);
    for (i, b) in bodies.iter().enumerate() {
        assert_eq!(
            b,
            &std::fs::read(dir.join(&manifest.documents[i].file)).unwrap()
        );
    }
    let served = std::fs::read_to_string(dir.join("served.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = served
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["request"], 2);
    assert_eq!(rows[1]["file"], manifest.documents[1].file.as_str());
    assert!(poxspec::generate::verify_dir(&dir).unwrap().is_empty());
}

#[test]
fn fuzz_follows_redirects_on_the_named_origin_and_judges_the_answer_behind_them() {
    // Every POST goes through three 302 relays on the same origin. Behind them the server
    // crashes on malformed requests: seen only because the relays are followed (a fuzzer
    // that accepted any redirect would pass this server).
    let out = runtime().block_on(fuzz_embedded(
        &[Fault::LongRedirectChain, Fault::Malformed500],
        5,
        300,
    ));
    assert!(
        out.classes.contains_key(&Class::ServerError),
        "{}",
        wirefuzz::render::human(&out)
    );
    let p = out
        .reproducers
        .iter()
        .find(|r| r.class == Class::ServerError)
        .unwrap();
    assert!(p.evidence.contains("302"), "{}", p.evidence);
    // The same relays in front of a clean server: answered, within the hop cap, no failure.
    let out = runtime().block_on(fuzz_embedded(&[Fault::LongRedirectChain], 5, 300));
    assert!(out.passes(), "{}", wirefuzz::render::human(&out));
}

#[test]
fn fuzz_never_follows_a_redirect_off_the_named_origin_and_flags_a_downgrade() {
    let rt = runtime();
    let s = rt
        .block_on(server::start(ServerOptions {
            faults: vec![Fault::RedirectToHttp],
            require_auth: Some(server::AuthMode::Basic),
            ..ServerOptions::local()
        }))
        .unwrap();
    let (user, password) = Fixture::builtin().credentials().unwrap();
    let mut opts = FuzzOptions::new(
        s.url(),
        6,
        ClientOptions {
            trust: poxspec::live::tls::Trust {
                insecure: false,
                extra_roots: vec![s.certificate_der.clone()],
            },
            timeout: Duration::from_secs(5),
            body_cap: 1024 * 1024,
            credentials: Some(
                poxspec::live::Credentials::new(user, password, &s.url(), false).unwrap(),
            ),
            routing: None,
        },
    );
    opts.count = 150;
    opts.emails = emails();
    opts.max_reproducers = 1;
    let out = rt.block_on(wirefuzz::fuzz(&opts, &Quiet)).unwrap();
    let seen = s.requests();
    s.shutdown();
    // Every answer is the 302 down to http: each request fails as an invalid answer naming
    // the rule, and nothing (no request, no credentials) went to the http endpoint.
    assert_eq!(out.failed, out.sent);
    assert_eq!(
        out.classes.keys().collect::<Vec<_>>(),
        [&Class::InvalidAnswer]
    );
    assert!(
        out.reproducers[0].detail.contains("POX-HTTP-017"),
        "{}",
        out.reproducers[0].detail
    );
    assert!(seen.iter().any(|r| r.secure && r.authorization));
    assert!(
        !seen.iter().any(|r| !r.secure && r.method == "POST"),
        "{seen:?}"
    );
}

/// A JUnit test case: its name, and its failure's message and text when it fails.
pub(crate) type JunitCase = (String, Option<String>);

/// The test suites of a JUnit report: each suite's name and its test cases.
pub(crate) fn junit_suites(xml: &str) -> Vec<(String, Vec<JunitCase>)> {
    use poxspec::xml::{parse_str, Limits, Node};
    let doc = parse_str(xml, &Limits::default()).expect("JUnit output is well-formed XML");
    assert_eq!(doc.root.name.local.as_str(), "testsuites");
    doc.root
        .elements()
        .map(|suite| {
            assert_eq!(suite.name.local.as_str(), "testsuite");
            let name = suite.attribute("name").unwrap().value.to_string();
            let cases = suite
                .elements()
                .filter(|c| c.name.local.as_str() == "testcase")
                .map(|c| {
                    let failure = c
                        .elements()
                        .find(|f| f.name.local.as_str() == "failure")
                        .map(|f| {
                            let text: String = f
                                .children
                                .iter()
                                .filter_map(|n| match n {
                                    Node::Text(t) => Some(t.value.to_string()),
                                    Node::CData(t) => Some(t.value.to_string()),
                                    _ => None,
                                })
                                .collect();
                            format!(
                                "{}\n{text}",
                                f.attribute("message")
                                    .map(|m| m.value.to_string())
                                    .unwrap_or_default()
                            )
                        });
                    (c.attribute("name").unwrap().value.to_string(), failure)
                })
                .collect();
            (name, cases)
        })
        .collect()
}

#[test]
fn fuzz_writes_junit_with_a_case_per_generator_failing_with_its_reproducer() {
    let dir = scratch("wirefuzz-junit");
    let report = dir.join("fuzz.xml");
    let (code, _, stderr) = fuzz_malformed_500(
        &dir,
        &["--format", "junit", "--output", report.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{stderr}");
    let suites = junit_suites(&std::fs::read_to_string(&report).unwrap());
    assert_eq!(suites.len(), 1, "one target, one suite");
    let (_, cases) = &suites[0];
    assert!(
        cases.iter().any(|(_, f)| f.is_none()),
        "passing generators are cases too"
    );
    let failing: Vec<&JunitCase> = cases.iter().filter(|(_, f)| f.is_some()).collect();
    assert!(!failing.is_empty(), "{cases:?}");
    assert!(
        failing
            .iter()
            .any(|(_, f)| f.as_deref().unwrap().contains("curl ")),
        "a failing generator carries its reproducer: {failing:?}"
    );
}
