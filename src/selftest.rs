//! The harness proving itself: the checker against the reference server once clean and once
//! per fault. Every fault must make `check --strict` fail with one of its rules, and the clean
//! server must pass with zero findings.

use crate::check::{self, CheckSettings, Embedded, RunError};
use crate::report;
use crate::server::{Fault, FAULTS};
use serde::Serialize;
use std::fmt::Write;
use std::time::Duration;

/// One row of the matrix: a server configuration and what the checker made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The fault's name, or `(clean)`.
    pub fault: String,
    /// For a fault: one of its rules failed. For the clean server: no finding at all.
    pub detected: bool,
    /// Cases that fail under `--strict`.
    pub failed_cases: Vec<String>,
    /// Rules with a failing finding, sorted, once each.
    pub failing_rules: Vec<&'static str>,
}

/// The fault × case matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// Case IDs, in catalogue order.
    pub cases: Vec<String>,
    /// The clean server first, then one row per fault in catalogue order.
    pub faults: Vec<Row>,
}

/// The settings selftest checks with: strict, short timeouts, 8 cases in flight, and a login
/// so that faults about credentials (echoed, sent cross-origin) can show.
pub fn settings() -> CheckSettings {
    CheckSettings {
        client: crate::live::ClientArgs {
            timeout: 2.0,
            ..Default::default()
        },
        total_timeout: 120.0,
        concurrency: 8,
        strict: true,
        // The embedded server requires authentication with the fixture's passwords.
        program_login: crate::fixture::Fixture::builtin().credentials(),
        ..CheckSettings::default()
    }
}

/// A server configuration the matrix could not check (a usage problem, not a finding).
#[derive(Debug, thiserror::Error)]
#[error("{fault}: {source}")]
pub struct SelftestError {
    /// The fault's name, or `(clean)`.
    pub fault: String,
    /// Why the check could not run.
    pub source: Box<RunError>,
}

/// Runs the matrix: the clean server, then each fault alone.
pub async fn run() -> Result<Matrix, SelftestError> {
    let settings = settings();
    let mut matrix = Matrix {
        cases: vec![],
        faults: vec![],
    };
    let runs =
        std::iter::once((None, "(clean)")).chain(FAULTS.iter().map(|d| (Some(d.fault), d.name)));
    for (fault, name) in runs {
        let embedded = Embedded {
            faults: fault.into_iter().collect::<Vec<Fault>>(),
            slow: Duration::from_secs(4),
        };
        let r = check::run(&settings, &embedded)
            .await
            .map_err(|e| SelftestError {
                fault: name.to_owned(),
                source: Box::new(e),
            })?;
        if matrix.cases.is_empty() {
            matrix.cases = r.units.iter().map(|u| u.name.clone()).collect();
        }
        let failed_cases = r
            .units
            .iter()
            .filter(|u| !u.passes(true))
            .map(|u| u.name.clone())
            .collect();
        let failing: Vec<(&str, &'static str)> = r
            .units
            .iter()
            .flat_map(|u| u.findings.iter().map(move |f| (u.name.as_str(), f)))
            .filter(|(_, f)| report::fails(f, true))
            .map(|(c, f)| (c, f.rule))
            .collect();
        let detected = match fault {
            None => r.units.iter().all(|u| u.findings.is_empty()),
            Some(f) => failing.iter().any(|(c, rule)| f.def().matches(c, rule)),
        };
        let mut failing_rules: Vec<&'static str> = failing.iter().map(|(_, r)| *r).collect();
        failing_rules.sort_unstable();
        failing_rules.dedup();
        matrix.faults.push(Row {
            fault: name.to_owned(),
            detected,
            failed_cases,
            failing_rules,
        });
    }
    Ok(matrix)
}

impl Matrix {
    /// Whether the clean server is clean and every fault was detected.
    pub fn passes(&self) -> bool {
        self.faults.iter().all(|r| r.detected)
    }

    /// `{"cases":[...],"faults":[{fault, detected, failed_cases, failing_rules}]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the matrix serializes")
    }

    /// The matrix as a table: cases numbered, one line per fault with an X per failing case.
    pub fn render_human(&self) -> String {
        let mut out =
            String::from("fault x case detection matrix (X: the case fails under --strict)\n\n");
        for (i, c) in self.cases.iter().enumerate() {
            let _ = writeln!(out, "  c{:<2} {c}", i + 1);
        }
        let _ = write!(out, "\n{:<24} {:<9}", "fault", "verdict");
        for i in 0..self.cases.len() {
            let _ = write!(out, " c{:<2}", i + 1);
        }
        let _ = writeln!(out, "  failing rules");
        for (i, row) in self.faults.iter().enumerate() {
            let verdict = match (i == 0, row.detected) {
                (true, true) => "clean",
                (true, false) => "NOT CLEAN",
                (false, true) => "detected",
                (false, false) => "MISSED",
            };
            let _ = write!(out, "{:<24} {verdict:<9}", row.fault);
            for c in &self.cases {
                let _ = write!(
                    out,
                    " {:<3}",
                    if row.failed_cases.contains(c) {
                        "X"
                    } else {
                        "."
                    }
                );
            }
            let _ = writeln!(out, "  {}", row.failing_rules.join(" "));
        }
        let _ = writeln!(
            out,
            "\n{} faults: {} detected",
            self.faults.len() - 1,
            self.faults.iter().skip(1).filter(|r| r.detected).count()
        );
        out
    }
}
