//! JUnit XML, written with quick-junit: a test suite per unit, a test case per rule applied.

use super::{fails, Report, Unit};
use crate::rules::Finding;
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};
use std::io::{self, Write};

fn describe(fs: &[&Finding]) -> String {
    fs.iter()
        .map(|f| {
            format!(
                "{}[{}] {}:{} {}: {}",
                f.severity.as_str(),
                f.rule,
                f.line,
                f.column,
                f.path,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders the report as JUnit XML. A rule fails its test case when one of its findings fails
/// the verdict; warnings and infos that do not fail are kept in the case's system-out, so
/// every finding is visible in CI.
pub fn render_junit(report: &Report) -> String {
    super::render(report, super::Format::Junit)
}

/// The test suite for one unit.
fn suite(u: &Unit, strict: bool) -> TestSuite {
    let mut suite = TestSuite::new(u.name.as_str());
    if let Some(k) = &u.kind {
        suite.add_property(("kind", k.as_str()));
    }
    if let Some(e) = &u.evidence {
        suite.set_system_out(e.as_str());
    }
    let mut rules: Vec<&str> = u.applied.clone();
    for f in &u.findings {
        if !rules.contains(&f.rule) {
            rules.push(f.rule);
        }
    }
    rules.sort_unstable();
    // Findings grouped by rule once, rather than a scan of every finding per rule.
    let mut by_rule: Vec<&Finding> = u.findings.iter().collect();
    by_rule.sort_by_key(|f| f.rule);
    for id in rules {
        let from = by_rule.partition_point(|f| f.rule < id);
        let to = by_rule.partition_point(|f| f.rule <= id);
        let fs = &by_rule[from..to];
        let failing: Vec<&Finding> = fs.iter().copied().filter(|f| fails(f, strict)).collect();
        let status = if failing.is_empty() {
            TestCaseStatus::success()
        } else if let Some(reason) = &u.expected_failure {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("expected failure: {reason}"));
            s.set_description(describe(&failing));
            s
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(failing[0].message.as_str());
            s.set_type(failing[0].severity.as_str());
            s.set_description(describe(&failing));
            s
        };
        let mut case = TestCase::new(id, status);
        case.set_classname(u.name.as_str());
        if !fs.is_empty() {
            case.set_system_out(describe(fs));
        }
        suite.add_test_case(case);
    }
    suite
}

/// Writes one unit's `<testsuite>` as quick-junit lays it out inside `<testsuites>`;
/// returns its test and failure counts.
pub(super) fn write_suite(
    out: &mut impl Write,
    u: &Unit,
    strict: bool,
) -> io::Result<(usize, usize)> {
    let suite = suite(u, strict);
    let counts = (suite.tests, suite.failures);
    let mut one = JReport::new("poxspec");
    one.add_test_suite(suite);
    let text = one
        .to_string()
        .map_err(|e| io::Error::other(format!("JUnit serialization failed: {e}")))?;
    // Between the `<testsuites …>` line and the closing `</testsuites>`.
    let body = text
        .splitn(3, '\n')
        .nth(2)
        .and_then(|rest| rest.strip_suffix("</testsuites>\n"))
        .ok_or_else(|| io::Error::other("unexpected JUnit layout from quick-junit"))?;
    out.write_all(body.as_bytes())?;
    Ok(counts)
}

/// Writes the declaration and the `<testsuites>` start tag with the totals.
pub(super) fn write_head(out: &mut impl Write, tests: usize, failures: usize) -> io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"poxspec\" tests=\"{tests}\" skipped=\"0\" failures=\"{failures}\" errors=\"0\">"
    )
}
