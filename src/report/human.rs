//! rustc-style text.

use super::{fails, Report};
use crate::xml::LineIndex;
use std::fmt::Write;

/// Renders findings as rustc does: severity and rule, location, the source line with a caret.
pub fn render_human(report: &Report) -> String {
    let mut out = String::new();
    for u in &report.units {
        let index = u.source.as_deref().map(LineIndex::new);
        if let Some(d) = &u.description {
            let verdict = if u.expected_failure.is_some() {
                "xfail"
            } else if u.passes(report.strict) {
                "ok"
            } else {
                "FAILED"
            };
            let _ = writeln!(out, "{verdict:>6} {}  {d}", u.name);
            if let Some(r) = &u.expected_failure {
                let _ = writeln!(out, "       expected failure: {r}");
            }
        }
        for f in &u.findings {
            let _ = writeln!(out, "{}[{}]: {}", f.severity.as_str(), f.rule, f.message);
            let gutter = f.line.to_string().len();
            if f.line == 0 {
                let _ = writeln!(out, "{:gutter$}--> {}", "", u.name);
            } else {
                let _ = writeln!(out, "{:gutter$}--> {}:{}:{}", "", u.name, f.line, f.column);
            }
            if let (Some(src), Some(idx), true) = (u.source.as_deref(), index.as_ref(), f.line > 0)
            {
                let line = idx.line_text(src, f.line);
                if !line.is_empty() || f.line == 1 {
                    let shown: String = line.chars().take(200).collect();
                    let pad: String = line
                        .chars()
                        .take(f.column.saturating_sub(1).min(200))
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    let _ = writeln!(out, "{:gutter$} |", "");
                    let _ = writeln!(out, "{} | {shown}", f.line);
                    let _ = writeln!(out, "{:gutter$} | {pad}^", "");
                }
            }
            if !f.path.is_empty() {
                let _ = writeln!(out, "{:gutter$} = path: {}", "", f.path);
            }
            if fails(f, report.strict) || !f.path.is_empty() {
                let _ = writeln!(out);
            }
        }
        if let Some(e) = &u.evidence {
            if !u.passes(report.strict) {
                for line in e.lines() {
                    let _ = writeln!(out, "    | {line}");
                }
                let _ = writeln!(out);
            }
        }
    }
    let s = report.summary();
    let _ = writeln!(
        out,
        "{} {}s: {} passed{}, {} failed; {} errors, {} warnings, {} infos{}",
        s.total,
        report.unit_label,
        s.passed,
        if s.expected_failures > 0 {
            format!(" ({} as expected failures)", s.expected_failures)
        } else {
            String::new()
        },
        s.failed,
        s.errors,
        s.warnings,
        s.infos,
        if report.strict { " (strict)" } else { "" }
    );
    out
}
