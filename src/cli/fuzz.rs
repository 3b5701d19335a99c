//! `fuzz`: the wire fuzzer's command line (progress bar, reproducers, exit code).

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use clap::Args;
use poxspec::fuzz_run::{self, FuzzSettings};
use poxspec::wirefuzz::{self, Progress};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FuzzFormat {
    Human,
    Json,
    Markdown,
    /// One self-contained page: the generator x target matrix with reproducers on click.
    Html,
    /// JUnit XML: a test suite per target, a test case per generator (failing with its
    /// reproducers).
    Junit,
}

#[derive(Debug, Clone, Args)]
pub struct FuzzArgs {
    #[command(flatten)]
    pub settings: FuzzSettings,
    /// Write reproducers to DIR/failures/NNNN.xml (+ NNNN.sh with a curl command) and DIR/fuzz.json.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FuzzFormat::Human)]
    pub format: FuzzFormat,
    /// Write the report here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub compare: poxspec::compare::CompareArgs,
}

/// A progress bar on a terminal; plain lines (one per 10% or so) otherwise.
pub(super) enum Bar {
    Terminal(indicatif::ProgressBar),
    Plain {
        total: u64,
        next: std::sync::atomic::AtomicU64,
    },
}

impl Bar {
    pub(super) fn new(total: u64) -> Bar {
        if std::io::stderr().is_terminal() {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} {per_sec} {msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            Bar::Terminal(b)
        } else {
            Bar::Plain {
                total,
                next: std::sync::atomic::AtomicU64::new((total / 10).max(1)),
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Bar::Terminal(b) = self {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn sent(&self, sent: u64, failed: u64) {
        match self {
            Bar::Terminal(b) => {
                b.set_position(sent);
                b.set_message(format!("{failed} failed"));
            }
            Bar::Plain { total, next } => {
                use std::sync::atomic::Ordering;
                let n = next.load(Ordering::Relaxed);
                if sent >= n || sent == *total {
                    next.store(sent + (total / 10).max(1), Ordering::Relaxed);
                    eprintln!("fuzz: {sent}/{total} requests, {failed} failed");
                }
            }
        }
    }

    fn phase(&self, message: &str) {
        match self {
            Bar::Terminal(b) => b.println(format!("fuzz: {message}")),
            Bar::Plain { .. } => eprintln!("fuzz: {message}"),
        }
    }
}

/// A Tokio runtime for one command.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts")
}

pub(super) fn fuzz(args: &FuzzArgs) -> i32 {
    if args.compare.active() {
        return super::compare::fuzz_many(args);
    }
    let rt = runtime();
    let bar = Bar::new(args.settings.count);
    let result = rt.block_on(fuzz_run::run(&args.settings, &bar));
    bar.finish();
    let mut outcome = match result {
        Ok(o) => o,
        Err(e) => {
            eprintln!("poxspec fuzz: {e}");
            return EXIT_USAGE;
        }
    };
    if let Some(dir) = &args.out {
        if let Err(e) = fuzz_run::write_reproducers(&args.settings, dir, &mut outcome) {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    }
    // The page and JUnit render the one-target matrix, as a comparison's do.
    let matrix = || {
        wirefuzz::render::matrix(&[(
            "target".to_owned(),
            outcome.target.clone(),
            Ok(outcome.clone()),
        )])
    };
    let text = match args.format {
        FuzzFormat::Human => wirefuzz::render::human(&outcome),
        FuzzFormat::Json => wirefuzz::render::json(&outcome) + "\n",
        FuzzFormat::Markdown => wirefuzz::render::markdown(&outcome),
        FuzzFormat::Html => poxspec::report::html::render_html(&matrix()),
        FuzzFormat::Junit => poxspec::report::matrix::render_junit(&matrix()),
    };
    match &args.output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &text) {
                eprintln!("{}: cannot write: {e}", p.display());
                return EXIT_USAGE;
            }
            eprintln!("{}", text.lines().next().unwrap_or_default());
        }
        None => out!("{text}"),
    }
    if outcome.passes() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}
