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
    let run = match validate::run(paths, strict, policy.as_ref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    for e in &run.unreadable {
        eprintln!("{e}");
    }
    print!("{}", report::render(&run.report, format));
    if !run.unreadable.is_empty() {
        EXIT_USAGE
    } else if run.report.passes() {
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
