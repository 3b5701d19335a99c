//! Known failures as data, with a ratchet (as rustls keeps its BoGo exceptions and hickory its
//! ignored conformance tests): a TOML file of case-ID globs and reasons. A matching case that
//! fails is reported as an expected failure and does not fail the run; one that now passes
//! fails the run with "fixed: remove it from FILE", so the list only shrinks.
//!
//! ```toml
//! [[expect-fail]]
//! case = "errors/*"
//! reason = "answers invalid requests with an empty HTTP 400"
//! ```

use crate::report::{fails, Unit};
use crate::rules::{Finding, Severity};
use serde::Deserialize;

/// The rule ID of the finding that fails a run when an expected failure passes.
pub const FIXED_RULE: &str = "POX-LIVE-005";

/// One entry: which cases, and why they are expected to fail.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Case-ID glob.
    pub case: glob::Pattern,
    /// Why (shown in the report).
    pub reason: String,
    /// Line of the entry in the file (1-based), for messages.
    pub line: usize,
}

/// A parsed `--expect-fail` file.
#[derive(Debug, Clone)]
pub struct ExpectFail {
    /// The file name as given.
    pub file: String,
    /// The entries, in file order; the first that matches a case applies.
    pub entries: Vec<Entry>,
}

/// Why an `--expect-fail` file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ExpectFailError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML or lacks a field.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A `case` is not a valid glob.
    #[error("{file}:{line}: case {case:?} is not a valid glob: {message}")]
    Glob {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The pattern.
        case: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(rename = "expect-fail", default)]
    expect_fail: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    case: String,
    reason: String,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl ExpectFail {
    /// Parses the text of `file`.
    pub fn parse(file: &str, text: &str) -> Result<ExpectFail, ExpectFailError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            ExpectFailError::Syntax {
                file: file.to_owned(),
                line,
                column,
                message: e.message().to_owned(),
            }
        })?;
        let mut entries = Vec::new();
        for spanned in raw.expect_fail {
            let (line, _) = line_col(text, spanned.span().start);
            let e = spanned.into_inner();
            let case = glob::Pattern::new(&e.case).map_err(|g| ExpectFailError::Glob {
                file: file.to_owned(),
                line,
                case: e.case.clone(),
                message: g.msg.to_owned(),
            })?;
            entries.push(Entry {
                case,
                reason: e.reason,
                line,
            });
        }
        Ok(ExpectFail {
            file: file.to_owned(),
            entries,
        })
    }

    /// Reads and parses `path`.
    pub fn load(path: &std::path::Path) -> Result<ExpectFail, ExpectFailError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ExpectFailError::Read {
            file: file.clone(),
            source,
        })?;
        ExpectFail::parse(&file, &text)
    }

    /// The entry for a case ID, if any.
    pub fn entry_for(&self, case: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.case.matches(case))
    }

    /// Applies the list to a run's units: see [`ExpectFail::judge`]. Returns the entries that
    /// matched no unit (stale, or outside the selection), as `line: glob`.
    pub fn apply(&self, units: &mut [Unit]) -> Vec<String> {
        let mut used = vec![false; self.entries.len()];
        for u in units.iter_mut() {
            self.judge(u, &mut used);
        }
        self.unmatched(&used)
    }

    /// Applies the list to one unit, as it arrives: a matching unit that fails (errors or
    /// warnings) is marked as an expected failure; a matching unit that passes gets an error
    /// finding "fixed: remove it from FILE". `used` (one flag per entry, all false at the
    /// start of a run) records which entries matched.
    pub fn judge(&self, u: &mut Unit, used: &mut [bool]) {
        let Some(i) = self.entries.iter().position(|e| e.case.matches(&u.name)) else {
            return;
        };
        if let Some(flag) = used.get_mut(i) {
            *flag = true;
        }
        let e = &self.entries[i];
        if u.findings.iter().any(|f| fails(f, true)) {
            u.expected_failure = Some(e.reason.clone());
        } else {
            u.findings.push(Finding {
                rule: FIXED_RULE,
                severity: Severity::Error,
                element: String::new(),
                path: String::new(),
                line: 0,
                column: 0,
                message: format!(
                    "fixed: remove it from {} (line {}: case = \"{}\", expected to fail because: {})",
                    self.file,
                    e.line,
                    e.case.as_str(),
                    e.reason
                ),
                raw: None,
            });
        }
    }

    /// How many entries the list has (the length of [`ExpectFail::judge`]'s `used`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries whose `used` flag is false, as `line: glob`.
    pub fn unmatched(&self, used: &[bool]) -> Vec<String> {
        self.entries
            .iter()
            .zip(used)
            .filter(|(_, u)| !**u)
            .map(|(e, _)| format!("{}: {}", e.line, e.case.as_str()))
            .collect()
    }
}
