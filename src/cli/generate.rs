//! `generate` and `mutate`: seeded document sets with a manifest, checked against the
//! validator before the command returns.

use super::{read_input, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use clap::{Args, ValueEnum};
use poxspec::generate::{self, Batch, Kind, Options};
use poxspec::xml::Limits;
use std::path::{Path, PathBuf};

/// What `generate --kind` accepts.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Requests and responses of every shape.
    Any,
    /// Outlook and mobilesync requests.
    Request,
    /// Responses of every shape.
    Response,
    /// A policy fixture and a response for one of its mailboxes, per document.
    Policy,
}

/// What every document set is made with: seed, size, folder.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The seed (same seed and version: identical bytes).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How many documents.
    #[arg(long, default_value_t = 100)]
    pub count: usize,
    /// The output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

/// `poxspec generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub set: SetArgs,
    /// What to generate.
    #[arg(long, value_enum, default_value_t = KindArg::Any)]
    pub kind: KindArg,
    /// Mutate every document with one operator; the manifest says what the validator must say.
    #[arg(long)]
    pub mutate: bool,
}

/// `poxspec mutate`.
#[derive(Debug, Args)]
pub struct MutateArgs {
    /// The document to mutate (for example a server's real response), or `-`.
    pub file: PathBuf,
    #[command(flatten)]
    pub set: SetArgs,
}

/// Upper bound on `--count`: a set is written to disk and verified in memory.
const MAX_COUNT: usize = 1_000_000;

fn finish(batch: &Batch, out: &Path) -> i32 {
    if let Err(e) = batch.write_to(out) {
        eprintln!("{}: cannot write: {e}", out.display());
        return EXIT_USAGE;
    }
    let disagreements = generate::verify_batch(batch);
    let n = batch.manifest.documents.len();
    let invalid = batch
        .manifest
        .documents
        .iter()
        .filter(|d| d.expect == generate::Expect::Invalid)
        .count();
    outln!(
        "wrote {n} documents ({} expected valid, {invalid} invalid) and manifest.json to {}",
        n - invalid,
        out.display()
    );
    outln!(
        "validator agrees with the manifest on {}/{n}",
        n - disagreements.len()
    );
    for d in &disagreements {
        eprintln!("{}: {}", out.join(&d.file).display(), d.reason);
    }
    if disagreements.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}

fn check_count(count: usize) -> Result<(), i32> {
    if count == 0 || count > MAX_COUNT {
        eprintln!("--count must be between 1 and {MAX_COUNT}");
        return Err(EXIT_USAGE);
    }
    Ok(())
}

pub(super) fn generate(args: &GenerateArgs) -> i32 {
    let set = &args.set;
    if let Err(code) = check_count(set.count) {
        return code;
    }
    let kind = match args.kind {
        KindArg::Any => Kind::Any,
        KindArg::Request => Kind::Request,
        KindArg::Response => Kind::Response,
        KindArg::Policy => Kind::Policy,
    };
    let batch = generate::generate(&Options {
        seed: set.seed,
        count: set.count,
        kind,
        mutate: args.mutate,
    });
    finish(&batch, &set.out)
}

pub(super) fn mutate(args: &MutateArgs) -> i32 {
    let set = &args.set;
    if let Err(code) = check_count(set.count) {
        return code;
    }
    let bytes = match read_input(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    match generate::mutate_document(&bytes, set.seed, set.count, &Limits::default()) {
        Ok(batch) => finish(&batch, &set.out),
        Err(e) => {
            eprintln!("{}", e.with_file(&args.file.display().to_string()));
            EXIT_USAGE
        }
    }
}
