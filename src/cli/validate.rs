//! `validate` and `rules`.

use super::{read_input, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use poxspec::report::{self, Format, Report, Unit};
use poxspec::rules;
use poxspec::xml::Limits;
use std::path::{Path, PathBuf};

/// Expands folders into the `.xml` files below them (sorted); keeps files and `-` as given.
pub(super) fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() != "-" && p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot read folder: {e}", dir.display()))?;
    for e in entries {
        let e = e.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = e.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("xml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Judges one input into a report unit.
pub(super) fn unit_for(
    name: &str,
    bytes: &[u8],
    extra: impl FnOnce(&poxspec::Parsed, &mut rules::Outcome),
) -> Unit {
    let v = rules::validate_bytes(bytes, &Limits::default());
    let mut outcome = v.outcome;
    let source = match &v.parsed {
        Some(p) => {
            extra(p, &mut outcome);
            Some(p.tree.text.clone())
        }
        None => Some(String::from_utf8_lossy(bytes).into_owned()),
    };
    // Only findings are shown in context; keeping every clean file's text would make memory
    // grow with the size of the run rather than with what there is to report.
    let source = source.filter(|_| !outcome.findings.is_empty());
    let mut u = Unit::new(name, v.kind, outcome);
    u.source = source;
    u
}

pub(super) fn validate(
    paths: &[PathBuf],
    format: Format,
    strict: bool,
    policy: &super::policy::PolicyArgs,
) -> i32 {
    let files = match expand(paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    if files.is_empty() {
        eprintln!("no .xml files found in the paths given");
        return EXIT_USAGE;
    }
    let policy = match policy.load() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    let mut units = Vec::new();
    let mut io_error = false;
    for f in &files {
        let name = f.display().to_string();
        match read_input(f) {
            Ok(bytes) => units.push(unit_for(&name, &bytes, |parsed, outcome| {
                if let Some(p) = &policy {
                    outcome.merge(p.check(parsed));
                }
            })),
            Err(e) => {
                eprintln!("{e}");
                io_error = true;
            }
        }
    }
    let report = Report::new("file", strict, units);
    print!("{}", report::render(&report, format));
    if io_error {
        EXIT_USAGE
    } else if report.passes() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}

pub(super) fn rules(format: Format) -> i32 {
    match format {
        Format::Human => print!("{}", rules::catalogue_human()),
        Format::Json => print!("{}", rules::catalogue_json()),
        Format::Markdown => print!("{}", rules::catalogue_markdown()),
        Format::Junit | Format::Html => {
            eprintln!("rules: --format junit/html is not available; use human, json or markdown");
            return EXIT_USAGE;
        }
    }
    EXIT_OK
}
