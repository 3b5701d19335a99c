//! Wire throughput: `poxspec fuzz` against the embedded reference server in the same process
//! (HTTPS over loopback, kept-alive connections), in requests per second. Every request is
//! drawn, sent, answered, and its answer judged by the oracle, as in a real run.
//!
//! `cargo bench --bench wire`; figures in benches/README.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use poxspec::fixture::Fixture;
use poxspec::live::ClientOptions;
use poxspec::server::{self, ServerOptions};
use poxspec::wirefuzz::{self, FuzzOptions, Quiet};
use std::time::Duration;

const REQUESTS: u64 = 1000;

fn wire(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(server::start(ServerOptions::local())).unwrap();
    let emails: Vec<String> = Fixture::builtin()
        .mailboxes
        .iter()
        .map(|m| m.address().to_owned())
        .collect();
    let mut g = c.benchmark_group("wire");
    g.sample_size(10);
    g.throughput(Throughput::Elements(REQUESTS));
    for concurrency in [1usize, 8, 32] {
        let mut opts = FuzzOptions::new(
            s.url(),
            1,
            ClientOptions {
                trust: poxspec::live::tls::Trust {
                    insecure: false,
                    extra_roots: vec![s.certificate_der.clone()],
                },
                timeout: Duration::from_secs(10),
                body_cap: 1024 * 1024,
                credentials: None,
                routing: None,
            },
        );
        opts.count = REQUESTS;
        opts.concurrency = concurrency;
        opts.emails = emails.clone();
        g.bench_with_input(
            BenchmarkId::new("fuzz_requests", concurrency),
            &opts,
            |b, opts| {
                b.iter(|| {
                    let out = rt.block_on(wirefuzz::fuzz(opts, &Quiet)).unwrap();
                    assert!(out.passes(), "the clean server never fails");
                    out.sent
                })
            },
        );
    }
    g.finish();
    s.shutdown();
}

criterion_group!(benches, wire);
criterion_main!(benches);
