//! Markdown, for pull-request comments and CI job summaries.

use super::stream::Header;
use super::{fails, Report, Summary, Unit};
use std::io::{self, Write};

/// Text for a table cell: HTML-significant characters as entities (GitHub drops a bare `<SSL>`
/// as an unknown tag), `|` escaped so it does not split the cell, line breaks as spaces.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span in a table cell: shown literally (no entities), fenced with more backticks
/// than the text holds in a row, `|` escaped (GitHub splits cells before reading code spans).
fn code(s: &str) -> String {
    let text = s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
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
        "| {} | {} | {} | {} | {} |",
        code(&u.name),
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

/// Writes a unit's own table (discovery steps, say) and its table of findings (nothing for a
/// unit with neither).
pub(super) fn write_section(out: &mut impl Write, u: &Unit, strict: bool) -> io::Result<()> {
    if u.findings.is_empty() && u.table.is_none() {
        return Ok(());
    }
    writeln!(out, "\n## {}\n", code(&u.name))?;
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
    if let Some(r) = &u.expected_failure {
        writeln!(out, "Expected failure: {}\n", cell(r))?;
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
            "| {sev} | `{}` | {}:{} {} | {} |",
            f.rule,
            f.line,
            f.column,
            code(&f.path),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Unit;
    use crate::rules::{Finding, Outcome, Severity};

    #[test]
    fn element_names_survive_github_rendering() {
        let mut out = Outcome::default();
        out.findings.push(Finding {
            rule: "POX-PROTO-014",
            severity: Severity::Error,
            element: "SSL".into(),
            path: "/Autodiscover/Response/Account/Protocol[1]/SSL".into(),
            line: 3,
            column: 5,
            message: "<SSL> is off & no <Encryption> | given".into(),
            raw: None,
        });
        let mut u = Unit::new("a|b`c.xml", Some("response"), out);
        u.description = Some("checks <SSL>".into());
        let md = render_markdown(&Report::new("file", false, vec![u]));
        assert!(
            !md.contains("<SSL>") && !md.contains("<Encryption>"),
            "{md}"
        );
        assert!(
            md.contains("&lt;SSL&gt; is off &amp; no &lt;Encryption&gt; \\| given"),
            "{md}"
        );
        assert!(md.contains("checks &lt;SSL&gt;"), "{md}");
        // Code spans stay literal; a backtick in the name gets a longer fence.
        assert!(md.contains("``a\\|b`c.xml``"), "{md}");
        assert!(
            md.contains("`/Autodiscover/Response/Account/Protocol[1]/SSL`"),
            "{md}"
        );
    }
}
