//! JUnit XML, written with quick-junit: a test suite per unit, a test case per rule applied.

use super::{fails, Report};
use crate::rules::Finding;
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

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
    let mut r = JReport::new("poxspec");
    for u in &report.units {
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
        for id in rules {
            let fs: Vec<&Finding> = u.findings.iter().filter(|f| f.rule == id).collect();
            let failing: Vec<&Finding> = fs
                .iter()
                .copied()
                .filter(|f| fails(f, report.strict))
                .collect();
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
                case.set_system_out(describe(&fs));
            }
            suite.add_test_case(case);
        }
        r.add_test_suite(suite);
    }
    r.to_string()
        .unwrap_or_else(|e| format!("<!-- JUnit serialization failed: {e} -->\n"))
}
