//! Markdown, for pull-request comments and CI job summaries.

use super::{fails, Report};
use std::fmt::Write;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Renders a summary table of units and a table of findings for each unit that has any.
pub fn render_markdown(report: &Report) -> String {
    let s = report.summary();
    let mut out = String::from("# poxspec report\n\n");
    for (k, v) in &report.context {
        let _ = writeln!(out, "- **{}**: {}", cell(k), cell(v));
    }
    let _ = writeln!(
        out,
        "- **result**: {} of {} {}s passed; {} errors, {} warnings, {} infos{}\n",
        s.passed,
        s.total,
        report.unit_label,
        s.errors,
        s.warnings,
        s.infos,
        if report.strict { " (strict)" } else { "" }
    );
    let _ = writeln!(
        out,
        "| {} | verdict | errors | warnings | infos |",
        report.unit_label
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for u in &report.units {
        let count = |sev| u.findings.iter().filter(|f| f.severity == sev).count();
        use crate::rules::Severity::*;
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            cell(&u.name),
            if u.expected_failure.is_some() {
                "⚠️ expected failure"
            } else if u.passes(report.strict) {
                "✅ pass"
            } else {
                "❌ fail"
            },
            count(Error),
            count(Warning),
            count(Info)
        );
    }
    for u in report.units.iter().filter(|u| !u.findings.is_empty()) {
        let _ = writeln!(out, "\n## `{}`\n", cell(&u.name));
        if let Some(d) = &u.description {
            let _ = writeln!(out, "{}\n", cell(d));
        }
        if let Some(r) = &u.expected_failure {
            let _ = writeln!(out, "Expected failure: {}\n", cell(r));
        }
        let _ = writeln!(out, "| severity | rule | location | message |");
        let _ = writeln!(out, "|---|---|---|---|");
        for f in &u.findings {
            let sev = if fails(f, report.strict) {
                format!("**{}**", f.severity.as_str())
            } else {
                f.severity.as_str().to_owned()
            };
            let _ = writeln!(
                out,
                "| {sev} | `{}` | {}:{} `{}` | {} |",
                f.rule,
                f.line,
                f.column,
                cell(&f.path),
                cell(&f.message)
            );
        }
        if let Some(e) = &u.evidence {
            if !u.passes(report.strict) {
                let _ = writeln!(
                    out,
                    "\n<details><summary>evidence</summary>\n\n```\n{}\n```\n</details>",
                    e.replace("```", "'''")
                );
            }
        }
    }
    out
}
