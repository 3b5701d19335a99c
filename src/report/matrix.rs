//! The comparative report: one matrix of rows (live cases, or fuzz generators) × targets
//! (servers), as Autobahn|Testsuite's index page compares implementations. Each cell has a
//! status, a short text and a detail (findings, evidence, reproducers) for people who click.
//!
//! The matrix is data: [`Matrix::from_reports`] builds it from `check` reports, the fuzzer
//! builds its own rows, and every format (human, JSON, Markdown, HTML) renders the same data.

use super::{fails, Report};
use crate::rules::Severity;
use serde::Serialize;
use std::fmt::Write;

/// A cell's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Passes.
    Pass,
    /// Passes, with warnings that do not fail the run.
    Warn,
    /// Fails.
    Fail,
    /// Not run against this target (the target was unreachable, or the row is not in its run).
    Absent,
}

impl Status {
    /// One character for text tables.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
            Status::Absent => "-",
        }
    }
}

/// One row × target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The verdict.
    pub status: Status,
    /// A few words for the table (failing rules, `3/40 failed` ...).
    pub text: String,
    /// Everything known about it, as plain text (redacted by whoever built it).
    pub detail: String,
}

impl Cell {
    /// A cell for a row that was not run on a target.
    pub fn absent(why: &str) -> Cell {
        Cell {
            status: Status::Absent,
            text: String::new(),
            detail: why.to_owned(),
        }
    }
}

/// A row: a case or generator, and one cell per target (in target order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Case ID or generator label.
    pub id: String,
    /// One line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// One cell per target.
    pub cells: Vec<Cell>,
}

/// A column: one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The name given with `--target NAME=URL`.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// One line: the target's result (`41/43 cases passed`), or why it could not be run.
    pub summary: String,
    /// Whether the target's run passes as a whole.
    pub passed: bool,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// `check` or `fuzz`.
    pub command: String,
    /// What a row is (`case` or `generator`).
    pub row_label: String,
    /// The servers, in the order given.
    pub columns: Vec<Column>,
    /// The rows, in a stable order.
    pub rows: Vec<Row>,
}

impl Matrix {
    /// Whether every target's run passes.
    pub fn passes(&self) -> bool {
        self.columns.iter().all(|c| c.passed)
    }

    /// Builds the matrix of several runs: a column per target (its summary, or why it could
    /// not be run, prefixed by `not_run`), a row per ID any run has, in order of first
    /// appearance, and a cell per row and target (absent, saying `absent`, where that run has
    /// no such row).
    pub fn build<T: MatrixSource>(
        command: &str,
        row_label: &str,
        not_run: &str,
        absent: &str,
        runs: &[TargetRun<T>],
    ) -> Matrix {
        let cells: Vec<Result<Vec<SourceRow>, &String>> = runs
            .iter()
            .map(|(_, _, r)| r.as_ref().map(MatrixSource::cells))
            .collect();
        let mut ids: Vec<(&String, &Option<String>)> = Vec::new();
        for (id, description, _) in cells.iter().flatten().flatten() {
            if !ids.iter().any(|(i, _)| *i == id) {
                ids.push((id, description));
            }
        }
        let columns = runs
            .iter()
            .map(|(name, url, r)| Column {
                name: name.clone(),
                url: url.clone(),
                summary: match r {
                    Ok(t) => t.summary(),
                    Err(e) => format!("{not_run}: {e}"),
                },
                passed: r.as_ref().is_ok_and(MatrixSource::passed),
            })
            .collect();
        let rows = ids
            .iter()
            .map(|(id, description)| Row {
                id: (*id).clone(),
                description: (*description).clone(),
                cells: cells
                    .iter()
                    .map(|c| match c {
                        Err(e) => Cell::absent(&format!("{not_run}: {e}")),
                        Ok(c) => c
                            .iter()
                            .find(|(i, _, _)| i == *id)
                            .map_or_else(|| Cell::absent(absent), |(_, _, cell)| cell.clone()),
                    })
                    .collect(),
            })
            .collect();
        Matrix {
            command: command.into(),
            row_label: row_label.into(),
            columns,
            rows,
        }
    }

    /// Builds a matrix from one `check` report per target (`Err(reason)` for a target that
    /// could not be checked). Rows are the union of the case IDs, in order of first appearance.
    pub fn from_reports(targets: &[TargetRun<Report>]) -> Matrix {
        Matrix::build(
            "check",
            "case",
            "not checked",
            "this case was not run on this target",
            targets,
        )
    }
}

/// One target's result: its name, URL, and the run's result or why it could not run.
pub type TargetRun<T> = (String, String, Result<T, String>);

/// A row as one run has it: ID, description, and that target's cell.
pub type SourceRow = (String, Option<String>, Cell);

/// What a matrix needs of one target's run (a `check` report, a fuzz outcome).
pub trait MatrixSource {
    /// One line for the column: the run's result.
    fn summary(&self) -> String;
    /// Whether the run passes as a whole.
    fn passed(&self) -> bool;
    /// The run's rows: ID, description, and this target's cell.
    fn cells(&self) -> Vec<SourceRow>;
}

impl MatrixSource for Report {
    fn summary(&self) -> String {
        let s = Report::summary(self);
        format!(
            "{}/{} cases passed, {} errors, {} warnings",
            s.passed, s.total, s.errors, s.warnings
        )
    }

    fn passed(&self) -> bool {
        self.passes()
    }

    fn cells(&self) -> Vec<SourceRow> {
        self.units
            .iter()
            .map(|u| {
                (
                    u.name.clone(),
                    u.description.clone(),
                    unit_cell(u, self.strict),
                )
            })
            .collect()
    }
}

fn unit_cell(u: &super::Unit, strict: bool) -> Cell {
    let failing: Vec<&str> = u
        .findings
        .iter()
        .filter(|f| fails(f, strict))
        .map(|f| f.rule)
        .collect();
    let warned = u.findings.iter().any(|f| f.severity == Severity::Warning);
    let status = if !failing.is_empty() {
        Status::Fail
    } else if warned {
        Status::Warn
    } else {
        Status::Pass
    };
    let mut rules: Vec<&str> = u.findings.iter().map(|f| f.rule).collect();
    rules.dedup();
    let mut detail = String::new();
    if let Some(d) = &u.description {
        let _ = writeln!(detail, "{d}\n");
    }
    for f in &u.findings {
        let _ = writeln!(
            detail,
            "{:?} {} {}: {}",
            f.severity,
            f.rule,
            if f.line > 0 {
                format!("at {}:{}", f.line, f.column)
            } else {
                String::new()
            },
            f.message
        );
    }
    if let Some(e) = &u.evidence {
        let _ = writeln!(detail, "\n{e}");
    }
    Cell {
        status,
        text: rules.join(" "),
        detail,
    }
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Text: one line per row with a column per target, then the targets' summaries.
pub fn render_human(m: &Matrix) -> String {
    let mut out = String::new();
    let width = m
        .rows
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(4)
        .max(m.row_label.len());
    let colw: Vec<usize> = m.columns.iter().map(|c| c.name.len().max(6)).collect();
    let _ = write!(out, "{:<width$}", m.row_label);
    for (c, w) in m.columns.iter().zip(&colw) {
        let _ = write!(out, "  {:<w$}", c.name);
    }
    out.push('\n');
    for r in &m.rows {
        let _ = write!(out, "{:<width$}", r.id);
        for (c, w) in r.cells.iter().zip(&colw) {
            let _ = write!(out, "  {:<w$}", c.status.mark());
        }
        let notes: Vec<String> = m
            .columns
            .iter()
            .zip(&r.cells)
            .filter(|(_, c)| c.status == Status::Fail && !c.text.is_empty())
            .map(|(col, c)| format!("{}: {}", col.name, c.text))
            .collect();
        if !notes.is_empty() {
            let _ = write!(out, "  {}", notes.join("; "));
        }
        out.push('\n');
    }
    out.push('\n');
    for c in &m.columns {
        let _ = writeln!(
            out,
            "{} ({}): {}{}",
            c.name,
            c.url,
            c.summary,
            if c.passed { "" } else { " [FAIL]" }
        );
    }
    out
}

/// Markdown: the matrix as a table, then each target's summary.
pub fn render_markdown(m: &Matrix) -> String {
    let mut out = format!("# poxspec {}: comparison\n\n", m.command);
    for c in &m.columns {
        let _ = writeln!(
            out,
            "- **{}** (`{}`): {} {}",
            md(&c.name),
            md(&c.url),
            md(&c.summary),
            if c.passed { "✅" } else { "❌" }
        );
    }
    let _ = write!(out, "\n| {} |", m.row_label);
    for c in &m.columns {
        let _ = write!(out, " {} |", md(&c.name));
    }
    let _ = write!(out, "\n|---|");
    for _ in &m.columns {
        out.push_str("---|");
    }
    out.push('\n');
    for r in &m.rows {
        let _ = write!(out, "| `{}` |", md(&r.id));
        for c in &r.cells {
            let mark = match c.status {
                Status::Pass => "✅",
                Status::Warn => "⚠️",
                Status::Fail => "❌",
                Status::Absent => "—",
            };
            let _ = write!(out, " {mark} {} |", md(&c.text));
        }
        out.push('\n');
    }
    out
}

/// JUnit XML for CI: a test suite per target (named after it, its URL and summary as
/// properties), a test case per row. A failing cell is a failure whose message is the cell's
/// text and whose description is its detail (findings, reproducers); an absent cell is
/// skipped with the reason; a target that could not be run is one errored test case.
pub fn render_junit(m: &Matrix) -> String {
    use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};
    let mut report = JReport::new(format!("poxspec {}", m.command));
    for (k, col) in m.columns.iter().enumerate() {
        let mut suite = TestSuite::new(col.name.as_str());
        suite.add_property(("url", col.url.as_str()));
        suite.add_property(("summary", col.summary.as_str()));
        let ran = m.rows.iter().any(|r| r.cells[k].status != Status::Absent);
        if !ran && !col.passed {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(col.summary.as_str());
            let mut case = TestCase::new("run", status);
            case.set_classname(col.name.as_str());
            suite.add_test_case(case);
        }
        for row in &m.rows {
            let cell = &row.cells[k];
            let status = match cell.status {
                Status::Pass | Status::Warn => TestCaseStatus::success(),
                Status::Absent if !ran => continue,
                Status::Absent => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(cell.detail.as_str());
                    s
                }
                Status::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(cell.text.as_str());
                    s.set_description(cell.detail.as_str());
                    s
                }
            };
            let mut case = TestCase::new(row.id.as_str(), status);
            case.set_classname(col.name.as_str());
            if cell.status == Status::Warn && !cell.detail.is_empty() {
                case.set_system_out(cell.detail.as_str());
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .expect("quick-junit serializes what it was given")
}

/// Versioned JSON.
pub fn render_json(m: &Matrix) -> String {
    let mut s = serde_json::to_string_pretty(&serde_json::json!({
        "poxspec": env!("CARGO_PKG_VERSION"),
        "version": super::JSON_VERSION,
        "matrix": m,
        "passed": m.passes(),
    }))
    .expect("serializable");
    s.push('\n');
    s
}
