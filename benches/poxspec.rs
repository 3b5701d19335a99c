//! Throughput of every stage, against the floor: a bare quick-xml event loop over the same
//! bytes (`tokenize`). Ratios in benches/README.md come from one run of this file.
//!
//! `cargo bench` runs everything; `cargo bench -- settings` one group.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use poxspec::fixture::Fixture;
use poxspec::live::{self, CheckOptions};
use poxspec::policy::{
    self, export, AuthenticationPolicies, AuthenticationPolicy, InputFormat, Mailbox, Organization,
    Population,
};
use poxspec::server::{self, ServerOptions};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

#[path = "support/floor.rs"]
mod floor;
use floor::tokenize;

fn corpus(filter: impl Fn(&str) -> bool) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .filter(|(n, _)| filter(n))
        .collect();
    v.sort();
    v
}

/// Every stage over `docs`, beside the floor ([`tokenize`]).
fn stages(c: &mut Criterion, group: &str, docs: &[(String, Vec<u8>)]) {
    let bytes: u64 = docs.iter().map(|(_, b)| b.len() as u64).sum();
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("tokenize", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, d)| tokenize(black_box(d)))
                .sum::<usize>()
        })
    });
    let limits = poxspec::xml::Limits::default();
    g.bench_function("xml_tree", |b| {
        b.iter(|| {
            docs.iter()
                .filter(|(_, d)| poxspec::xml::parse_bytes(black_box(d), &limits).is_ok())
                .count()
        })
    });
    g.bench_function("parse", |b| {
        b.iter(|| {
            docs.iter()
                .filter(|(_, d)| poxspec::parse(black_box(d)).is_ok())
                .count()
        })
    });
    g.bench_function("validate", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, d)| {
                    poxspec::rules::validate_default(black_box(d))
                        .outcome
                        .findings
                        .len()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("roundtrip", |b| {
        b.iter(|| {
            docs.iter()
                .filter(|(_, d)| poxspec::roundtrip::check(black_box(d)).is_ok())
                .count()
        })
    });
    g.finish();
}

/// The readable UTF-8 corpus documents (the tokenizer floor reads UTF-8 only).
fn bench_corpus(c: &mut Criterion) {
    let docs = corpus(|n| (n.starts_with("y_") || n.starts_with("i_")) && !n.contains("utf16"));
    stages(c, "corpus", &docs);
}

/// One 1.5 KB settings response (POP3, IMAP, SMTP): the documents-per-second target.
fn bench_settings(c: &mut Criterion) {
    let docs = corpus(|n| n == "y_response_settings_pop3_imap_smtp.xml");
    let mut g = c.benchmark_group("settings_1k5");
    g.throughput(Throughput::Elements(1));
    let d = &docs[0].1;
    let limits = poxspec::xml::Limits::default();
    g.bench_function("tokenize", |b| b.iter(|| tokenize(black_box(d))));
    g.bench_function("xml_tree", |b| {
        b.iter(|| poxspec::xml::parse_bytes(black_box(d), &limits).is_ok())
    });
    g.bench_function("parse", |b| b.iter(|| poxspec::parse(black_box(d)).is_ok()));
    let parsed = poxspec::parse(d).unwrap();
    g.bench_function("rules", |b| {
        b.iter(|| poxspec::rules::validate(black_box(&parsed)).findings.len())
    });
    g.bench_function("validate", |b| {
        b.iter(|| {
            poxspec::rules::validate_default(black_box(d))
                .outcome
                .findings
                .len()
        })
    });
    g.finish();
}

/// Generated documents of every shape (seeded, so the set is the same every run).
fn bench_generated(c: &mut Criterion) {
    let batch = poxspec::generate::generate(&poxspec::generate::Options {
        seed: 1,
        count: 200,
        kind: poxspec::generate::Kind::Any,
        mutate: false,
    });
    stages(c, "generated", &batch.files);
}

/// Responses of 1,000 to 12,000 `Protocol` elements on one line, each with findings (what a
/// hostile server can send within the 1 MiB limit): time per protocol must stay flat.
fn bench_wide(c: &mut Criterion) {
    let mut g = c.benchmark_group("wide");
    g.sample_size(10);
    for n in [1_000usize, 2_000, 4_000, 8_000, 12_000] {
        let doc = poxspec::generate::wide_response(n, true);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("tokenize", n), &doc, |b, d| {
            b.iter(|| tokenize(black_box(d)))
        });
        g.bench_with_input(BenchmarkId::new("validate", n), &doc, |b, d| {
            b.iter(|| {
                poxspec::rules::validate_default(black_box(d))
                    .outcome
                    .findings
                    .len()
            })
        });
    }
    g.finish();
}

/// 20,000 generated responses, 17 MB: the set the `validate` goals are stated over
/// (`poxspec generate --seed 1 --count 20000 --kind response` writes the same bytes, for the
/// command-line comparison with `xmllint --noout` in benches/README.md).
fn bench_set20k(c: &mut Criterion) {
    let batch = poxspec::generate::generate(&poxspec::generate::Options {
        seed: 1,
        count: 20_000,
        kind: poxspec::generate::Kind::Response,
        mutate: false,
    });
    let docs = &batch.files;
    let bytes: u64 = docs.iter().map(|(_, b)| b.len() as u64).sum();
    let mut g = c.benchmark_group("set20k");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("tokenize", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, d)| tokenize(black_box(d)))
                .sum::<usize>()
        })
    });
    g.bench_function("validate", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, d)| {
                    poxspec::rules::validate_default(black_box(d))
                        .outcome
                        .findings
                        .len()
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

fn population(n: usize) -> Population {
    Population {
        organization: None,
        authentication_policies: Default::default(),
        mailboxes: (0..n)
            .map(|i| Mailbox {
                identity: format!("user{i}").into(),
                address: Some(format!("user{i}@contoso.example").into()),
                smtp_client_authentication_disabled: [None, Some(true), Some(false)][i % 3],
                pop_enabled: None,
                imap_enabled: None,
                authentication_policy: None,
            })
            .collect(),
    }
}

/// Import a Get-CASMailbox Export-Csv and resolve every mailbox; `csv_policies`: the same
/// export with an AuthenticationPolicy column (two users in three assigned one of 1,000
/// policies, spelled in another case than the policy, the rest following a default), resolved
/// through the policy index; `csv_human`: what `poxspec policy resolve --org-disabled false`
/// does after reading the file (load, resolve, the table for people, written to a sink).
fn bench_policy(c: &mut Criterion) {
    let mut g = c.benchmark_group("policy_resolve");
    g.sample_size(10);
    let org = Organization::new(true);
    // SMTP AUTH on organisation-wide, so that the policies decide every enabled row.
    let enabled = Organization::new(false);
    let policies = AuthenticationPolicies {
        policies: (0..1_000)
            .map(|i| AuthenticationPolicy {
                name: format!("Policy {i}"),
                allow_basic_auth_smtp: i % 2 == 0,
            })
            .collect(),
        default_policy: Some("Policy 1".to_owned()),
    };
    for n in [100_000usize, 1_000_000] {
        let csv = export::to_csv(&population(n));
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("csv", n), &csv, |b, csv| {
            b.iter(|| {
                let p = policy::import("x.csv", csv, InputFormat::Csv, None).unwrap();
                policy::resolve_all(&org, &p).len()
            })
        });
        g.bench_with_input(BenchmarkId::new("csv_human", n), &csv, |b, csv| {
            let options = policy::LoadOptions {
                org_disabled: Some(false),
                ..Default::default()
            };
            b.iter(|| {
                let (org, p) =
                    policy::load_text(std::path::Path::new("x.csv"), csv, &options).unwrap();
                policy::write_human(&mut std::io::sink(), &org, policy::resolve_each(&org, &p))
                    .unwrap();
                p.mailboxes.len()
            })
        });
        let mut assigned = population(n);
        for (i, m) in assigned.mailboxes.iter_mut().enumerate() {
            m.authentication_policy = (i % 3 != 0).then(|| format!("policy {}", i % 1_000).into());
        }
        let csv = export::to_csv(&assigned);
        g.bench_with_input(BenchmarkId::new("csv_policies", n), &csv, |b, csv| {
            b.iter(|| {
                let mut p = policy::import("x.csv", csv, InputFormat::Csv, None).unwrap();
                p.authentication_policies = policies.clone();
                policy::resolve_all(&enabled, &p).len()
            })
        });
    }
    g.finish();
}

/// The full live suite against the embedded reference server (server started once).
fn bench_check(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let fixture = Fixture::builtin();
    let s = rt
        .block_on(server::start(ServerOptions {
            fixture: fixture.clone(),
            ..ServerOptions::local()
        }))
        .unwrap();
    let mut options = CheckOptions::for_fixture(
        s.url(),
        format!("{}/autodiscover/autodiscover.xml", s.http_base),
        s.certificate_der.clone(),
        fixture,
        Duration::from_secs(10),
    );
    // The slow-body case waits for the server's body deadline by design: it measures the
    // server's patience, not the checker's speed.
    options
        .skip
        .push(glob::Pattern::new("security/slow/*").expect("a valid glob"));
    let cases = live::select(&options).len() as u64;
    let mut g = c.benchmark_group("check");
    g.sample_size(10);
    g.throughput(Throughput::Elements(cases));
    g.bench_function("suite", |b| {
        b.iter(|| rt.block_on(live::run(&options)).unwrap().len())
    });
    g.finish();
    s.shutdown();
}

criterion_group!(
    benches,
    bench_corpus,
    bench_settings,
    bench_generated,
    bench_wide,
    bench_set20k,
    bench_policy,
    bench_check
);
criterion_main!(benches);
