//! A fuzzing run for people (human, Markdown) and machines (JSON): the summary by failure
//! class, the counts by generator, and the reproducers.

use super::oracle::Class;
use super::run::FuzzOutcome;
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
        let _ = writeln!(
            out,
            "  {:04} {} from {} (request #{}, {} like it): {} -> {} bytes{}",
            r.number,
            r.class,
            r.label,
            r.index,
            r.occurrences,
            r.original_len,
            r.len,
            if r.confirmed { "" } else { ", NOT CONFIRMED" }
        );
        let _ = writeln!(out, "       answer: {}", r.detail);
        if let Some(p) = r.same_as {
            let _ = writeln!(out, "       same reduced request as {p:04}");
            continue;
        }
        let shown: String = r.text.chars().take(400).collect();
        for l in shown.lines() {
            let _ = writeln!(out, "       | {l}");
        }
        if r.text.chars().count() > 400 {
            let _ = writeln!(out, "       | ...");
        }
        if let Some(c) = &r.curl {
            let _ = writeln!(out, "       $ {c}");
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
        let _ = writeln!(
            out,
            "### {:04} `{}` from `{}` ({} -> {} bytes{})\n\n{}\n",
            r.number,
            r.class,
            r.label,
            r.original_len,
            r.len,
            if r.confirmed { "" } else { ", not confirmed" },
            r.detail
        );
        if let Some(p) = r.same_as {
            let _ = writeln!(out, "Same reduced request as {p:04}.\n");
            continue;
        }
        let shown: String = r.text.chars().take(1000).collect();
        let _ = writeln!(
            out,
            "```xml\n{}\n```\n",
            shown.replace("```", "`\u{200b}``")
        );
        if let Some(c) = &r.curl {
            let _ = writeln!(out, "```sh\n{c}\n```\n");
        }
    }
    out
}

/// The comparison matrix of several runs (`Err(reason)` for a target that could not be
/// fuzzed): one row per generator, a cell per target with failed/sent, the failure classes,
/// and the target's reproducers from that generator as detail.
pub fn matrix(
    runs: &[(String, String, Result<FuzzOutcome, String>)],
) -> crate::report::matrix::Matrix {
    use crate::report::matrix::{Cell, Column, Matrix, Row, Status};
    let mut labels: Vec<&String> = runs
        .iter()
        .filter_map(|(_, _, r)| r.as_ref().ok())
        .flat_map(|o| o.rows.keys())
        .collect();
    labels.sort();
    labels.dedup();
    let columns = runs
        .iter()
        .map(|(name, url, r)| Column {
            name: name.clone(),
            url: url.clone(),
            summary: match r {
                Ok(o) => headline(o),
                Err(e) => format!("not fuzzed: {e}"),
            },
            passed: r.as_ref().is_ok_and(FuzzOutcome::passes),
        })
        .collect();
    let rows = labels
        .into_iter()
        .map(|label| Row {
            id: label.clone(),
            description: None,
            cells: runs
                .iter()
                .map(|(_, _, r)| match r {
                    Err(e) => Cell::absent(&format!("not fuzzed: {e}")),
                    Ok(o) => match o.rows.get(label) {
                        None => Cell::absent("this generator drew no request for this target"),
                        Some(row) => {
                            let mut detail = format!(
                                "{} of {} requests failed{}\n",
                                row.failed,
                                row.sent,
                                if row.classes.is_empty() {
                                    String::new()
                                } else {
                                    format!(": {}", classes_of(&row.classes))
                                }
                            );
                            for p in o.reproducers.iter().filter(|p| &p.label == label) {
                                let _ =
                                    write!(
                                    detail,
                                    "\nreproducer {:04}: {} ({} -> {} bytes{})\nanswer: {}\n{}\n",
                                    p.number,
                                    p.class,
                                    p.original_len,
                                    p.len,
                                    if p.confirmed { ", confirmed" } else { ", not confirmed" },
                                    p.detail,
                                    p.text.chars().take(2000).collect::<String>()
                                );
                                let original = p
                                    .same_as
                                    .and_then(|n| o.reproducers.iter().find(|q| q.number == n))
                                    .unwrap_or(p);
                                if let Some(c) = &original.curl {
                                    let _ = writeln!(detail, "$ {c}");
                                }
                            }
                            Cell {
                                status: if row.failed > 0 {
                                    Status::Fail
                                } else {
                                    Status::Pass
                                },
                                text: if row.failed > 0 {
                                    format!(
                                        "{}/{} {}",
                                        row.failed,
                                        row.sent,
                                        classes_of(&row.classes)
                                    )
                                } else {
                                    format!("0/{}", row.sent)
                                },
                                detail,
                            }
                        }
                    },
                })
                .collect(),
        })
        .collect();
    Matrix {
        command: "fuzz".into(),
        row_label: "generator".into(),
        columns,
        rows,
    }
}
