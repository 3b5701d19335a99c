//! Findings to reports: human (rustc style), JSON, JUnit and Markdown.
//!
//! A report is a list of [`Unit`]s (a file for `validate`, a case for `check`), each with its
//! findings and the rules applied to it. Reports never hold secrets: callers redact evidence
//! before it reaches a unit.

pub mod html;
mod human;
mod json;
mod junit;
mod markdown;
pub mod matrix;
mod stream;

use crate::rules::{Finding, Outcome, Severity};
use serde::Serialize;

pub use human::render_human;
pub use json::render_json;
pub use junit::render_junit;
pub use markdown::render_markdown;
pub use stream::{Header, ReportWriter};

/// Version of the JSON report layout; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 1;

/// One judged thing: a file or a live case.
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    /// File name or case ID.
    pub name: String,
    /// `request`/`response` for files; `None` when unreadable or not applicable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// What the case does (live cases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Findings in order.
    pub findings: Vec<Finding>,
    /// IDs of the rules applied.
    pub applied: Vec<&'static str>,
    /// Evidence for people (request, status, headers, body excerpt), already redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The judged text, for showing source lines; not serialized.
    #[serde(skip)]
    pub source: Option<String>,
    /// Set when the unit fails and an `--expect-fail` entry expects it to: the entry's reason.
    /// Such a unit passes; its findings stay visible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_failure: Option<String>,
}

impl Unit {
    /// A unit from a name and an outcome.
    pub fn new(name: impl Into<String>, kind: Option<&str>, outcome: Outcome) -> Self {
        Unit {
            name: name.into(),
            kind: kind.map(str::to_owned),
            description: None,
            findings: outcome.findings,
            applied: outcome.applied.into_iter().collect(),
            evidence: None,
            source: None,
            expected_failure: None,
        }
    }

    /// Whether the unit passes: no finding fails the verdict, or the failure is expected.
    pub fn passes(&self, strict: bool) -> bool {
        self.expected_failure.is_some() || self.findings.iter().all(|f| !fails(f, strict))
    }
}

/// Whether a finding fails the verdict: errors always, warnings under `--strict`.
pub fn fails(f: &Finding, strict: bool) -> bool {
    match f.severity {
        Severity::Error => true,
        Severity::Warning => strict,
        Severity::Info => false,
    }
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct Report {
    /// What a unit is called in JSON (`file` or `case`).
    pub unit_label: &'static str,
    /// Whether warnings fail.
    pub strict: bool,
    /// The units.
    pub units: Vec<Unit>,
    /// Extra top-level facts for JSON and Markdown (target URL, partition ...).
    pub context: Vec<(String, String)>,
}

/// Counts over a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Units judged.
    pub total: usize,
    /// Units that pass.
    pub passed: usize,
    /// Units that fail.
    pub failed: usize,
    /// Units that fail as an `--expect-fail` entry expects (counted in `passed`).
    pub expected_failures: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Info findings.
    pub infos: usize,
}

impl Report {
    /// A report over `units`.
    pub fn new(unit_label: &'static str, strict: bool, units: Vec<Unit>) -> Self {
        Report {
            unit_label,
            strict,
            units,
            context: Vec::new(),
        }
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            total: self.units.len(),
            ..Summary::default()
        };
        for u in &self.units {
            if u.expected_failure.is_some() {
                s.expected_failures += 1;
            }
            if u.passes(self.strict) {
                s.passed += 1;
            } else {
                s.failed += 1;
            }
            for f in &u.findings {
                match f.severity {
                    Severity::Error => s.errors += 1,
                    Severity::Warning => s.warnings += 1,
                    Severity::Info => s.infos += 1,
                }
            }
        }
        s
    }

    /// Whether every unit passes.
    pub fn passes(&self) -> bool {
        self.units.iter().all(|u| u.passes(self.strict))
    }
}

/// Output formats every reporting command offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// rustc-style text for people.
    Human,
    /// Versioned JSON.
    Json,
    /// JUnit XML.
    Junit,
    /// Markdown (for pull-request comments and CI summaries).
    Markdown,
    /// One self-contained HTML page (the comparison matrix, with one column per target).
    Html,
}

/// Renders a report whole (what [`ReportWriter`] writes unit by unit).
pub fn render(report: &Report, format: Format) -> String {
    if format == Format::Html {
        return html_page(report);
    }
    let header = Header {
        unit_label: report.unit_label,
        strict: report.strict,
        context: report.context.clone(),
    };
    let written = ReportWriter::new(Vec::new(), format, header).and_then(|mut w| {
        for u in &report.units {
            w.unit(u)?;
        }
        w.finish()
    });
    match written {
        Ok((bytes, _)) => String::from_utf8(bytes).expect("reports are written as UTF-8"),
        // Only the temporary spool of JUnit and Markdown can fail on a Vec.
        Err(e) => format!("poxspec: the report could not be written: {e}\n"),
    }
}

/// One report as the HTML comparison matrix with a single column. The page is built whole:
/// its matrix needs every unit.
fn html_page(report: &Report) -> String {
    let name = report
        .context
        .iter()
        .find(|(k, _)| k == "target")
        .map_or_else(|| "report".to_owned(), |(_, v)| v.clone());
    html::render_html(&matrix::Matrix::from_reports(&[(
        name.clone(),
        name,
        Ok(report.clone()),
    )]))
}
