//! `validate` and `rules`.

use super::policy::PolicyArgs;
use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use poxspec::report::{self, Format};
use poxspec::rules;
use poxspec::validate::{self, PolicyContext};
use std::path::PathBuf;

pub(super) fn validate(
    paths: &[PathBuf],
    format: Format,
    strict: bool,
    policy: &PolicyArgs,
) -> i32 {
    let policy = match (&policy.policy, &policy.email) {
        (Some(file), Some(email)) => {
            match PolicyContext::load(file, email, &policy.source.options()) {
                Ok(p) => Some(p),
                Err(e) => {
                    eprintln!("{e}");
                    return EXIT_USAGE;
                }
            }
        }
        _ => None,
    };
    // Each file's unit is written as soon as it is judged: memory stays flat in the number
    // of files (the report is never held whole).
    let header = report::Header {
        unit_label: "file",
        strict,
        context: Vec::new(),
    };
    let out = std::io::BufWriter::new(super::out::Stdout::new());
    let mut writer = match report::ReportWriter::new(out, format, header) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("validate: cannot write the report: {e}");
            return EXIT_USAGE;
        }
    };
    let unreadable = match validate::run_each(paths, policy.as_ref(), |u| writer.unit(&u)) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    let summary = match writer.finish() {
        Ok((_, s)) => s,
        Err(e) => {
            eprintln!("validate: cannot write the report: {e}");
            return EXIT_USAGE;
        }
    };
    for e in &unreadable {
        eprintln!("{e}");
    }
    if !unreadable.is_empty() {
        EXIT_USAGE
    } else if summary.failed == 0 {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}

pub(super) fn rules(format: Format) -> i32 {
    match format {
        Format::Human => out!("{}", rules::catalogue_human()),
        Format::Json => out!("{}", rules::catalogue_json()),
        Format::Markdown => out!("{}", rules::catalogue_markdown()),
        Format::Junit | Format::Html => {
            eprintln!("rules: --format junit/html is not available; use human, json or markdown");
            return EXIT_USAGE;
        }
    }
    EXIT_OK
}
