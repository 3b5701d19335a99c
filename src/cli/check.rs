//! `check` and `selftest`.

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use clap::Args;
use poxspec::check::{self, CheckSettings, Embedded};
use poxspec::report::{self, Format};
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
    /// Print the case catalogue (ID, level, requirement, source) and exit without sending
    /// anything; with --format json, as JSON.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub compare: super::compare::CompareArgs,
}

/// `check --list`: the catalogue, derived from the data, without sending anything.
fn list(format: Format) -> i32 {
    use poxspec::live::catalogue;
    if format == Format::Json {
        let cases: Vec<_> = catalogue::all()
            .map(|c| {
                serde_json::json!({
                    "id": c.id,
                    "level": c.level,
                    "description": c.description,
                    "requirement": c.requirement,
                    "source": c.source,
                })
            })
            .collect();
        let groups: Vec<_> = catalogue::group_summaries()
            .iter()
            .map(|(g, s)| serde_json::json!({"group": g, "covers": s}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"groups": groups, "cases": cases}))
                .expect("serializes")
        );
        return EXIT_OK;
    }
    let width = catalogue::all().map(|c| c.id.len()).max().unwrap_or(0);
    for (group, cases) in catalogue::sections() {
        let summary = catalogue::group_summaries()
            .iter()
            .find(|(g, _)| *g == group)
            .map_or("", |(_, s)| *s);
        println!("{group}/  {summary}");
        for c in cases {
            println!(
                "  {:<width$}  {:<12}  {} [{}]",
                c.id,
                c.level.as_str(),
                c.requirement,
                c.source
            );
        }
        println!();
    }
    println!(
        "{} cases (settings/{{mailbox}} runs once per mailbox); levels: MUST fails the run, SHOULD fails it under --strict, impl-defined is reported as info",
        catalogue::all().count()
    );
    EXIT_OK
}

pub(super) fn check(args: &CheckArgs) -> i32 {
    if args.list {
        return list(args.format);
    }
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
    let text = report::render(&report, args.format);
    match &args.output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &text) {
                eprintln!("{}: cannot write: {e}", p.display());
                return EXIT_USAGE;
            }
            let s = report.summary();
            eprintln!(
                "{} cases: {} passed, {} failed; report written to {}",
                s.total,
                s.passed,
                s.failed,
                p.display()
            );
        }
        None => print!("{text}"),
    }
    if report.passes() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
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
