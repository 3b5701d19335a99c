//! `check` and `selftest`.

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use clap::Args;
use poxspec::check::{self, CheckSettings, Embedded};
use poxspec::report::{self, Format};
use poxspec::selftest;
use std::io::Write;
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
    pub compare: poxspec::compare::CompareArgs,
}

/// `check --list`: the catalogue, derived from the data, without sending anything.
fn list(format: Format) -> i32 {
    use poxspec::live::catalogue;
    let cases = catalogue::listing();
    if format == Format::Json {
        let groups: Vec<_> = catalogue::group_summaries()
            .iter()
            .map(|(g, s)| serde_json::json!({"group": g, "covers": s}))
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"groups": groups, "cases": cases}))
                .expect("serializes")
        );
        return EXIT_OK;
    }
    let width = cases.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for (group, summary) in catalogue::group_summaries() {
        outln!("{group}/  {summary}");
        for c in cases.iter().filter(|c| c.group == *group) {
            outln!(
                "  {:<width$}  {:<12}  {} [{}]",
                c.id,
                c.level.as_str(),
                c.requirement,
                c.source
            );
        }
        outln!();
    }
    outln!(
        "{} cases (settings/{{mailbox}} runs once per mailbox); levels: MUST fails the run, SHOULD fails it under --strict, impl-defined is reported as info",
        cases.len()
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
    if args.format == Format::Html {
        // The page needs every unit: built whole.
        let report = match check::run_blocking(&args.settings, &Embedded::default()) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("poxspec check: {e}");
                return EXIT_USAGE;
            }
        };
        return super::emit(&report, args.format, args.output.as_deref(), "cases");
    }
    stream(args)
}

/// Runs the check and writes the report case by case as the cases finish (in catalogue
/// order), so that a long run shows progress and a report file grows as it goes.
fn stream(args: &CheckArgs) -> i32 {
    let rt = match check::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("poxspec check: cannot start the runtime: {e}");
            return EXIT_USAGE;
        }
    };
    let prepared = match rt.block_on(check::prepare(&args.settings, &Embedded::default())) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("poxspec check: {e}");
            return EXIT_USAGE;
        }
    };
    let header = report::Header {
        unit_label: "case",
        strict: prepared.strict,
        context: prepared.context.clone(),
    };
    // Opened before the run, so that an unwritable --output fails before anything is sent.
    let out: Box<dyn Write> = match &args.output {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Box::new(std::io::BufWriter::new(f)),
            Err(e) => {
                eprintln!("{}: cannot write: {e}", p.display());
                return EXIT_USAGE;
            }
        },
        None => Box::new(super::out::Stdout::new()),
    };
    let mut writer = match report::ReportWriter::new(out, args.format, header) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("poxspec check: cannot write the report: {e}");
            return EXIT_USAGE;
        }
    };
    let mut write_error = None;
    let late = rt.block_on(prepared.execute(|u| {
        if write_error.is_none() {
            write_error = writer.unit(&u).err();
        }
    }));
    let late = match late {
        Ok(l) => l,
        Err(e) => {
            eprintln!("poxspec check: {e}");
            if let Some(p) = &args.output {
                // Nothing was judged: no partial report is left behind.
                let _ = std::fs::remove_file(p);
            }
            return EXIT_USAGE;
        }
    };
    for (k, v) in late {
        writer.push_context(k, v);
    }
    let summary = match write_error.map_or_else(|| writer.finish(), Err) {
        Ok((_, s)) => s,
        Err(e) => {
            eprintln!("poxspec check: cannot write the report: {e}");
            return EXIT_USAGE;
        }
    };
    if let Some(p) = &args.output {
        eprintln!(
            "{} cases: {} passed, {} failed; report written to {}",
            summary.total,
            summary.passed,
            summary.failed,
            p.display()
        );
    }
    if summary.failed == 0 {
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
        outln!("{}", matrix.to_json());
    } else {
        out!("{}", matrix.render_human());
    }
    if matrix.passes() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}
