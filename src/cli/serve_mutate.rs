//! `serve --mutate SEED`: the reference server as a fuzzing server for client authors. Every
//! POST gets the next document of `generate --kind response --mutate --seed SEED`; the set and
//! its manifest are written first, and each answer is logged (standard output and
//! `served.jsonl`), so a client's verdict on request N can be compared with the manifest.

use super::{EXIT_OK, EXIT_USAGE};
use clap::Args;
use poxspec::generate::{self, Kind};
use poxspec::server::{self, Script, ScriptedDocument, ServerOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Args)]
pub struct MutateArgs {
    /// Answer every POST with the next of a seeded sequence of mutated responses.
    #[arg(long, value_name = "SEED", conflicts_with_all = ["faults", "list_faults", "fixture"])]
    pub mutate: Option<u64>,
    /// Documents in the sequence (it starts over after the last).
    #[arg(long = "count", default_value_t = 1000, requires = "mutate", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub count: u64,
    /// Where the documents, manifest.json and served.jsonl go (default: ./serve-mutate-SEED).
    #[arg(long = "out", requires = "mutate")]
    pub out: Option<PathBuf>,
}

/// One line of `served.jsonl`.
fn log_line(s: &server::Served<'_>, entry: Option<&generate::Entry>) -> String {
    serde_json::json!({
        "request": s.request,
        "path": s.path,
        "file": s.document.name,
        "cycle": s.cycle,
        "expect": entry.map(|e| e.expect),
        "mutation": entry.and_then(|e| e.mutation.clone()),
        "rule": entry.and_then(|e| e.rule.clone()),
    })
    .to_string()
}

pub(super) fn serve(
    listen: SocketAddr,
    http_listen: Option<SocketAddr>,
    seed: u64,
    args: &MutateArgs,
) -> i32 {
    let batch = generate::generate(&generate::Options {
        seed,
        count: args.count as usize,
        kind: Kind::Response,
        mutate: true,
    });
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("serve-mutate-{seed}")));
    if let Err(e) = batch.write_to(&dir) {
        eprintln!("{}: cannot write: {e}", dir.display());
        return EXIT_USAGE;
    }
    let log_path = dir.join("served.jsonl");
    let log = match std::fs::File::create(&log_path) {
        Ok(f) => Mutex::new(std::io::BufWriter::new(f)),
        Err(e) => {
            eprintln!("{}: cannot write: {e}", log_path.display());
            return EXIT_USAGE;
        }
    };
    let entries = batch.manifest.documents.clone();
    let documents: Vec<ScriptedDocument> = entries
        .iter()
        .map(|e| ScriptedDocument {
            name: e.file.clone(),
            bytes: batch.file(&e.file).unwrap_or_default().to_vec(),
        })
        .collect();
    let script = Script::new(documents, move |s| {
        let entry = entries.iter().find(|e| e.file == s.document.name);
        outln!(
            "request {} {} -> {} (expect {}{})",
            s.request,
            s.path,
            s.document.name,
            entry.map_or("?".into(), |e| format!("{:?}", e.expect).to_lowercase()),
            entry
                .and_then(|e| e.rule.as_deref())
                .map(|r| format!(", {r}"))
                .unwrap_or_default()
        );
        if let Ok(mut w) = log.lock() {
            let _ = writeln!(w, "{}", log_line(s, entry));
            let _ = w.flush();
        }
    })
    .expect("count is at least 1");
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("poxspec serve: cannot start the runtime: {e}");
            return EXIT_USAGE;
        }
    };
    rt.block_on(async {
        let s = match server::start(ServerOptions {
            https: listen,
            http: http_listen,
            script: Some(Arc::new(script)),
            ..ServerOptions::local()
        })
        .await
        {
            Ok(s) => s,
            Err(e) => {
                eprintln!("poxspec serve: {e}");
                return EXIT_USAGE;
            }
        };
        outln!(
            "poxspec fuzzing server (seed {seed}, {} documents)",
            args.count
        );
        outln!("  POST {}  (self-signed certificate)", s.url());
        outln!(
            "  documents and manifest.json in {}; each answer is logged to served.jsonl",
            dir.display()
        );
        outln!("Ctrl-C stops it.");
        let _ = tokio::signal::ctrl_c().await;
        s.shutdown();
        EXIT_OK
    })
}
