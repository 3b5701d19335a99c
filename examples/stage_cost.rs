//! One stage over a set of files, repeated: for instruction counts under callgrind and CPU
//! time under `perf stat`, which a loaded machine moves far less than criterion's wall-clock
//! timings (benches/README.md, fifth round).
//!
//! ```sh
//! cargo build --release --example stage_cost
//! valgrind --tool=callgrind target/release/examples/stage_cost validate FILES_OR_FOLDERS
//! REPS=5 perf stat -e task-clock -r 3 target/release/examples/stage_cost tokenize FOLDER
//! ```
//!
//! Stages: `read` (loading the files, the baseline to subtract), `tokenize` (the floor: a bare
//! quick-xml `NsReader` loop keeping nothing, as in benches/poxspec.rs), `tree` (bytes to the
//! XML tree), `parse` (tree and typed model) and `validate` (everything `poxspec validate`
//! does to a document but writing the report); `fuzz:NAME` runs fuzz target NAME's oracle
//! (`poxspec::fuzzing::TARGETS`) on each file cut at 4,096 bytes, as `-max_len=4096` does.
//! `REPS` (default 1) repeats the pass.

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../benches/support/floor.rs"]
mod floor;
use floor::tokenize;

fn every_file(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            for e in std::fs::read_dir(p).map_err(|e| format!("{}: {e}", p.display()))? {
                let path = e.map_err(|e| format!("{}: {e}", p.display()))?.path();
                if path.is_file() {
                    found.push(path);
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((stage, paths)) = args.split_first() else {
        eprintln!("usage: stage_cost read|tokenize|tree|parse|validate FILES_OR_FOLDERS...");
        return ExitCode::from(2);
    };
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    // Fuzz corpora name their files by hash, without `.xml`: every file of a folder counts.
    let expanded = if stage.starts_with("fuzz:") {
        every_file(&paths)
    } else {
        poxspec::input::expand_xml(&paths).map_err(|e| e.to_string())
    };
    let files = match expanded {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut docs = Vec::with_capacity(files.len());
    for f in &files {
        match std::fs::read(f) {
            Ok(d) => docs.push(d),
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                return ExitCode::from(2);
            }
        }
    }
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    if let Some(name) = stage.strip_prefix("fuzz:") {
        let Some(&(_, check)) = poxspec::fuzzing::TARGETS.iter().find(|(n, _)| *n == name) else {
            eprintln!("no fuzz target {name:?}");
            return ExitCode::from(2);
        };
        // As libFuzzer runs them under `-max_len=4096`.
        for _ in 0..reps {
            for d in &docs {
                check(std::hint::black_box(&d[..d.len().min(4096)]));
            }
        }
        println!("{} files x {reps}", docs.len());
        return ExitCode::SUCCESS;
    }
    let limits = poxspec::xml::Limits::default();
    let run: fn(&[u8], &poxspec::xml::Limits) -> usize = match stage.as_str() {
        "read" => |d, _| d.len(),
        "tokenize" => |d, _| tokenize(d),
        "tree" => |d, l| usize::from(poxspec::xml::parse_bytes(d, l).is_ok()),
        "parse" => |d, _| usize::from(poxspec::parse(d).is_ok()),
        "validate" => |d, _| poxspec::rules::validate_default(d).outcome.findings.len(),
        other => {
            eprintln!("unknown stage {other:?}: read, tokenize, tree, parse or validate");
            return ExitCode::from(2);
        }
    };
    let mut total = 0usize;
    for _ in 0..reps {
        for d in &docs {
            total = total.wrapping_add(run(std::hint::black_box(d), &limits));
        }
    }
    println!("{} files x {reps}: {total}", docs.len());
    ExitCode::SUCCESS
}
