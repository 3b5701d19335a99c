//! Markdown, for pull-request comments and CI job summaries.

use super::stream::Header;
use super::{fails, Report, Summary, Unit};
use std::io::{self, Write};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Renders a summary table of units and a table of findings for each unit that has any.
pub fn render_markdown(report: &Report) -> String {
    super::render(report, super::Format::Markdown)
}

/// Writes the title, the context, the result line and the summary table's header.
pub(super) fn write_head(out: &mut impl Write, h: &Header, s: &Summary) -> io::Result<()> {
    write!(out, "# poxspec report\n\n")?;
    for (k, v) in &h.context {
        writeln!(out, "- **{}**: {}", cell(k), cell(v))?;
    }
    writeln!(
        out,
        "- **result**: {} of {} {}s passed; {} errors, {} warnings, {} infos{}\n",
        s.passed,
        s.total,
        h.unit_label,
        s.errors,
        s.warnings,
        s.infos,
        if h.strict { " (strict)" } else { "" }
    )?;
    writeln!(
        out,
        "| {} | verdict | errors | warnings | infos |",
        h.unit_label
    )?;
    writeln!(out, "|---|---|---|---|---|")
}

/// Writes a unit's row of the summary table.
pub(super) fn write_row(out: &mut impl Write, u: &Unit, strict: bool) -> io::Result<()> {
    use crate::rules::Severity::*;
    let count = |sev| u.findings.iter().filter(|f| f.severity == sev).count();
    writeln!(
        out,
        "| `{}` | {} | {} | {} | {} |",
        cell(&u.name),
        if u.passes(strict) {
            "✅ pass"
        } else {
            "❌ fail"
        },
        count(Error),
        count(Warning),
        count(Info)
    )
}

/// Writes a unit's own table (discovery steps, say) and its table of findings (nothing for a
/// unit with neither).
pub(super) fn write_section(out: &mut impl Write, u: &Unit, strict: bool) -> io::Result<()> {
    if u.findings.is_empty() && u.table.is_none() {
        return Ok(());
    }
    writeln!(out, "\n## `{}`\n", cell(&u.name))?;
    if let Some(d) = &u.description {
        writeln!(out, "{}\n", cell(d))?;
    }
    if let Some(t) = &u.table {
        let row = |r: &[String]| r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ");
        writeln!(out, "| {} |", row(&t.columns))?;
        writeln!(out, "|{}", "---|".repeat(t.columns.len()))?;
        for r in &t.rows {
            writeln!(out, "| {} |", row(r))?;
        }
        writeln!(out)?;
    }
    if u.findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "| severity | rule | location | message |")?;
    writeln!(out, "|---|---|---|---|")?;
    for f in &u.findings {
        let sev = if fails(f, strict) {
            format!("**{}**", f.severity.as_str())
        } else {
            f.severity.as_str().to_owned()
        };
        writeln!(
            out,
            "| {sev} | `{}` | {}:{} `{}` | {} |",
            f.rule,
            f.line,
            f.column,
            cell(&f.path),
            cell(&f.message)
        )?;
    }
    if let Some(e) = &u.evidence {
        if !u.passes(strict) {
            writeln!(
                out,
                "\n<details><summary>evidence</summary>\n\n```\n{}\n```\n</details>",
                e.replace("```", "'''")
            )?;
        }
    }
    Ok(())
}
