//! `check --target ...` and `fuzz --target ...`: the library runs every target
//! ([`poxspec::compare`]); this renders the matrix and picks the exit code.

use poxspec::compare::{self, TargetRun};
use poxspec::report::matrix::{self, Matrix};
use poxspec::report::{html, Format};
use std::path::PathBuf;

fn emit(text: &str, output: &Option<PathBuf>, first_line: &str) -> Result<(), i32> {
    match output {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| {
                eprintln!("{}: cannot write: {e}", p.display());
                super::EXIT_USAGE
            })?;
            eprintln!("{first_line}; report written to {}", p.display());
        }
        None => out!("{text}"),
    }
    Ok(())
}

/// Renders the matrix, writes it, and returns the exit code: 2 when a target could not be
/// run, 1 when one fails, 0 when all pass.
fn finish<T>(
    command: &str,
    runs: &[TargetRun<T>],
    m: &Matrix,
    format: Format,
    output: &Option<PathBuf>,
) -> i32 {
    for (name, _, r) in runs {
        if let Err(e) = r {
            eprintln!("poxspec {command}: target {name}: {e}");
        }
    }
    let text = match format {
        Format::Json => matrix::render_json(m),
        Format::Markdown => matrix::render_markdown(m),
        Format::Html => html::render_html(m),
        Format::Junit => matrix::render_junit(m),
        Format::Human => matrix::render_human(m),
    };
    let passed = m.columns.iter().filter(|c| c.passed).count();
    if let Err(code) = emit(
        &text,
        output,
        &format!("{passed}/{} targets passed", m.columns.len()),
    ) {
        return code;
    }
    if runs.iter().any(|(_, _, r)| r.is_err()) {
        super::EXIT_USAGE
    } else if m.passes() {
        super::EXIT_OK
    } else {
        super::EXIT_FAIL
    }
}

/// `check --target ...`: every target checked with its options, one matrix.
pub fn check_many(args: &super::check::CheckArgs) -> i32 {
    let targets = match args.compare.resolve() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("poxspec check: {e}");
            return super::EXIT_USAGE;
        }
    };
    let runs = super::fuzz::runtime().block_on(compare::check_targets(&args.settings, &targets));
    let m = Matrix::from_reports(&runs);
    finish("check", &runs, &m, args.format, &args.output)
}

/// `fuzz --target ...`: every target fuzzed in turn with the same seed, one matrix;
/// reproducers go to `DIR/NAME/failures/`.
pub fn fuzz_many(args: &super::fuzz::FuzzArgs) -> i32 {
    use super::fuzz::FuzzFormat;
    let targets = match args.compare.resolve() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("poxspec fuzz: {e}");
            return super::EXIT_USAGE;
        }
    };
    let count = args.settings.count;
    let progress = |t: &compare::Target| -> Box<dyn poxspec::wirefuzz::Progress> {
        eprintln!("fuzz: target {} ({})", t.name, t.url);
        Box::new(super::fuzz::Bar::new(count))
    };
    let runs = match super::fuzz::runtime().block_on(compare::fuzz_targets(
        &args.settings,
        &targets,
        args.out.as_deref(),
        &progress,
    )) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return super::EXIT_USAGE;
        }
    };
    let m = poxspec::wirefuzz::render::matrix(&runs);
    let format = match args.format {
        FuzzFormat::Json => Format::Json,
        FuzzFormat::Markdown => Format::Markdown,
        FuzzFormat::Html => Format::Html,
        FuzzFormat::Human => Format::Human,
        FuzzFormat::Junit => Format::Junit,
    };
    finish("fuzz", &runs, &m, format, &args.output)
}
