//! `check` and `selftest`.

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use clap::Args;
use poxspec::check::{self, CheckSettings, Embedded};
use poxspec::report::Format;
use poxspec::selftest;
use std::path::PathBuf;

/// `poxspec check`: the run's settings and where the report goes.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub settings: CheckSettings,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub compare: super::compare::CompareArgs,
}

pub(super) fn check(args: &CheckArgs) -> i32 {
    if args.compare.active() {
        return super::compare::check_many(args);
    }
    let report = match check::run_blocking(&args.settings, &Embedded::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("poxspec check: {e}");
            return EXIT_USAGE;
        }
    };
    super::emit(&report, args.format, args.output.as_deref(), "cases")
}

pub(super) fn selftest(json: bool) -> i32 {
    let matrix = match check::runtime().map(|rt| rt.block_on(selftest::run())) {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
        Err(e) => {
            eprintln!("poxspec selftest: cannot start the runtime: {e}");
            return EXIT_USAGE;
        }
    };
    if json {
        println!("{}", matrix.to_json());
    } else {
        print!("{}", matrix.render_human());
    }
    if matrix.passes() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}
