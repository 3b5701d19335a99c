//! A fuzzing run for people (human, Markdown) and machines (JSON): the summary by failure
//! class, the counts by generator, and the reproducers.

use super::oracle::Class;
use super::run::{FuzzOutcome, Reproducer};
use crate::report::matrix::{Cell, Matrix, MatrixSource, SourceRow, Status, TargetRun};
use std::fmt::Write;

/// Version of the fuzz JSON layout; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 1;

/// Versioned JSON.
pub fn json(o: &FuzzOutcome) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "poxspec": env!("CARGO_PKG_VERSION"),
        "version": JSON_VERSION,
        "fuzz": o,
        "passed": o.passes(),
    }))
    .expect("serializable")
}

fn headline(o: &FuzzOutcome) -> String {
    format!(
        "{} requests to {}{} (seed {}) in {:.1} s ({:.0}/s{}): {}",
        o.sent,
        o.target,
        o.note
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default(),
        o.seed,
        o.elapsed_ms as f64 / 1000.0,
        o.rate(),
        if o.stopped_by_duration {
            ", stopped by --duration"
        } else {
            ""
        },
        if o.failed == 0 {
            "no failure".to_owned()
        } else {
            format!("{} failed", o.failed)
        }
    )
}

fn classes_of(c: &std::collections::BTreeMap<Class, u64>) -> String {
    c.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text for a terminal or a log.
pub fn human(o: &FuzzOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(o));
    if o.failed == 0 {
        return out;
    }
    let _ = writeln!(out, "\nfailures by class:");
    for (c, n) in &o.classes {
        let _ = writeln!(
            out,
            "  {:<20} {n:>7}{}",
            c.name(),
            if c.is_crash() { "  (crash)" } else { "" }
        );
    }
    let _ = writeln!(out, "\nfailing generators (failed/sent):");
    for (label, r) in o.rows.iter().filter(|(_, r)| r.failed > 0) {
        let _ = writeln!(
            out,
            "  {label:<40} {:>6}/{:<6} {}",
            r.failed,
            r.sent,
            classes_of(&r.classes)
        );
    }
    let _ = writeln!(out, "\nreproducers (shrunk, then re-sent twice):");
    for r in &o.reproducers {
        let mut lines = reproducer(o, r, 400).into_iter();
        let _ = writeln!(out, "  {}", lines.next().unwrap_or_default());
        for l in lines {
            let _ = writeln!(out, "       {l}");
        }
    }
    if o.unshrunk_groups > 0 {
        let _ = writeln!(
            out,
            "\n{} more failure groups were not shrunk (--max-reproducers)",
            o.unshrunk_groups
        );
    }
    out
}

/// Markdown for a CI summary.
pub fn markdown(o: &FuzzOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# poxspec fuzz\n\n{}\n", headline(o));
    if o.failed == 0 {
        return out;
    }
    let _ = writeln!(out, "| class | failures |\n|---|---:|");
    for (c, n) in &o.classes {
        let _ = writeln!(out, "| `{c}` | {n} |");
    }
    let _ = writeln!(
        out,
        "\n| generator | failed | sent | classes |\n|---|---:|---:|---|"
    );
    for (label, r) in o.rows.iter().filter(|(_, r)| r.failed > 0) {
        let _ = writeln!(
            out,
            "| `{label}` | {} | {} | {} |",
            r.failed,
            r.sent,
            classes_of(&r.classes)
        );
    }
    let _ = writeln!(out, "\n## Reproducers\n");
    for r in &o.reproducers {
        let mut lines = reproducer(o, r, 1000).into_iter();
        let _ = writeln!(
            out,
            "### {}\n\n```text\n{}\n```\n",
            lines.next().unwrap_or_default(),
            lines
                .collect::<Vec<_>>()
                .join("\n")
                .replace("```", "`\u{200b}``")
        );
    }
    out
}

/// A reproducer as lines of text, for the human report and the matrix's cells: the headline,
/// the answer, the reduced request (its first `max_chars` characters, each line after `| `)
/// or the earlier reproducer it repeats, and the `curl` command once written.
pub fn reproducer(o: &FuzzOutcome, r: &Reproducer, max_chars: usize) -> Vec<String> {
    let mut lines = vec![
        format!(
            "{:04} {} from {} (request #{}, {} like it): {} -> {} bytes{}",
            r.number,
            r.class,
            r.label,
            r.index,
            r.occurrences,
            r.original_len,
            r.len,
            if r.confirmed { "" } else { ", NOT CONFIRMED" }
        ),
        format!("answer: {}", r.detail),
    ];
    let original = match r.same_as {
        Some(p) => {
            lines.push(format!("same reduced request as {p:04}"));
            o.reproducers.iter().find(|q| q.number == p).unwrap_or(r)
        }
        None => {
            let shown: String = r.text.chars().take(max_chars).collect();
            lines.extend(shown.lines().map(|l| format!("| {l}")));
            if r.text.chars().count() > max_chars {
                lines.push("| ...".into());
            }
            r
        }
    };
    if let Some(c) = &original.curl {
        lines.push(format!("$ {c}"));
    }
    lines
}

impl MatrixSource for FuzzOutcome {
    fn summary(&self) -> String {
        headline(self)
    }

    fn passed(&self) -> bool {
        self.passes()
    }

    /// A row per generator: failed/sent and the failure classes, with the target's
    /// reproducers from that generator as detail.
    fn cells(&self) -> Vec<SourceRow> {
        self.rows
            .iter()
            .map(|(label, row)| {
                let classes = classes_of(&row.classes);
                let mut detail = format!(
                    "{} of {} requests failed{}\n",
                    row.failed,
                    row.sent,
                    if classes.is_empty() {
                        String::new()
                    } else {
                        format!(": {classes}")
                    }
                );
                for p in self.reproducers.iter().filter(|p| &p.label == label) {
                    let _ = write!(detail, "\n{}\n", reproducer(self, p, 2000).join("\n"));
                }
                let cell = Cell {
                    status: if row.failed > 0 {
                        Status::Fail
                    } else {
                        Status::Pass
                    },
                    text: if row.failed > 0 {
                        format!("{}/{} {classes}", row.failed, row.sent)
                    } else {
                        format!("0/{}", row.sent)
                    },
                    detail,
                };
                (label.clone(), None, cell)
            })
            .collect()
    }
}

/// The comparison matrix of several runs (`Err(reason)` for a target that could not be
/// fuzzed): one row per generator, in name order, a cell per target.
pub fn matrix(runs: &[TargetRun<FuzzOutcome>]) -> Matrix {
    let mut m = Matrix::build(
        "fuzz",
        "generator",
        "not fuzzed",
        "this generator drew no request for this target",
        runs,
    );
    m.rows.sort_by(|a, b| a.id.cmp(&b.id));
    m
}
