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
        if u.expected_failure.is_some() {
            "⚠️ expected failure"
        } else if u.passes(strict) {
            "✅ pass"
        } else {
            "❌ fail"
        },
        count(Error),
        count(Warning),
        count(Info)
    )
}

/// Writes a unit's table of findings (nothing for a unit without findings).
pub(super) fn write_section(out: &mut impl Write, u: &Unit, strict: bool) -> io::Result<()> {
    if u.findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n## `{}`\n", cell(&u.name))?;
    if let Some(d) = &u.description {
        writeln!(out, "{}\n", cell(d))?;
    }
    if let Some(r) = &u.expected_failure {
        writeln!(out, "Expected failure: {}\n", cell(r))?;
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
