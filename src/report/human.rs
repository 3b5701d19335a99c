//! rustc-style text.

use super::stream::Header;
use super::{fails, Report, Summary, Unit};
use crate::xml::LineIndex;
use std::io::{self, Write};

/// Renders findings as rustc does: severity and rule, location, the source line with a caret.
pub fn render_human(report: &Report) -> String {
    super::render(report, super::Format::Human)
}

/// Writes one unit's findings.
pub(super) fn write_unit(out: &mut impl Write, u: &Unit, strict: bool) -> io::Result<()> {
    let index = u.source.as_deref().map(LineIndex::new);
    if let Some(d) = &u.description {
        let verdict = if u.expected_failure.is_some() {
            "xfail"
        } else if u.passes(strict) {
            "ok"
        } else {
            "FAILED"
        };
        writeln!(out, "{verdict:>6} {}  {d}", u.name)?;
        if let Some(r) = &u.expected_failure {
            writeln!(out, "       expected failure: {r}")?;
        }
    }
    if let Some(t) = &u.table {
        out.write_all(t.to_text("       ").as_bytes())?;
    }
    for f in &u.findings {
        writeln!(out, "{}[{}]: {}", f.severity.as_str(), f.rule, f.message)?;
        let gutter = f.line.to_string().len();
        if f.line == 0 {
            writeln!(out, "{:gutter$}--> {}", "", u.name)?;
        } else {
            writeln!(out, "{:gutter$}--> {}:{}:{}", "", u.name, f.line, f.column)?;
        }
        if let (Some(src), Some(idx), true) = (u.source.as_deref(), index.as_ref(), f.line > 0) {
            let line = idx.line_text(src, f.line);
            if !line.is_empty() || f.line == 1 {
                let shown: String = line.chars().take(200).collect();
                let pad: String = line
                    .chars()
                    .take(f.column.saturating_sub(1).min(200))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                writeln!(out, "{:gutter$} |", "")?;
                writeln!(out, "{} | {shown}", f.line)?;
                writeln!(out, "{:gutter$} | {pad}^", "")?;
            }
        }
        if !f.path.is_empty() {
            writeln!(out, "{:gutter$} = path: {}", "", f.path)?;
        }
        if fails(f, strict) || !f.path.is_empty() {
            writeln!(out)?;
        }
    }
    if let Some(e) = &u.evidence {
        if !u.passes(strict) {
            for line in e.lines() {
                writeln!(out, "    | {line}")?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Writes the closing count line.
pub(super) fn write_summary(out: &mut impl Write, h: &Header, s: &Summary) -> io::Result<()> {
    writeln!(
        out,
        "{} {}s: {} passed{}, {} failed; {} errors, {} warnings, {} infos{}",
        s.total,
        h.unit_label,
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
        if h.strict { " (strict)" } else { "" }
    )
}
