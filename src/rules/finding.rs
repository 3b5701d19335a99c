//! What a check reports.

use super::catalogue::{Rule, Severity};
use serde::Serialize;
use std::collections::BTreeSet;

/// One deviation found in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's stable ID.
    pub rule: &'static str,
    /// The rule's severity.
    pub severity: Severity,
    /// Local name of the element concerned (empty when the document has none).
    pub element: String,
    /// Path of the element, e.g. `/Autodiscover/Response/Account/Protocol[2]/SSL`.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, for people.
    pub message: String,
    /// For a value finding, the value's text as an XML processor reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

impl Finding {
    /// A finding of `rule` about an exchange rather than a place in a document: no path, line
    /// or column; the element is the rule's first.
    pub fn unplaced(rule: &Rule, message: String) -> Finding {
        Finding {
            rule: rule.id,
            severity: rule.severity,
            element: rule.elements[0].to_owned(),
            path: String::new(),
            line: 0,
            column: 0,
            message,
            raw: None,
        }
    }

    /// The rule definition this finding refers to.
    pub fn rule_def(&self) -> &'static Rule {
        super::find(self.rule).expect("findings only name catalogued rules")
    }
}

/// Everything the checks said about one document: findings in document order, and which
/// rules were applied (a rule applied with no finding is a rule the document passes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The findings, ordered by position then rule.
    pub findings: Vec<Finding>,
    /// IDs of the rules applied.
    pub applied: BTreeSet<&'static str>,
}

impl Outcome {
    /// Number of findings of severity `s`.
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    /// Whether the document passes: no error, and with `strict` no warning either.
    pub fn passes(&self, strict: bool) -> bool {
        self.findings.iter().all(|f| match f.severity {
            Severity::Error => false,
            Severity::Warning => !strict,
            Severity::Info => true,
        })
    }

    /// Findings of rule `id`.
    pub fn of(&self, id: &str) -> impl Iterator<Item = &Finding> {
        let id = id.to_owned();
        self.findings.iter().filter(move |f| f.rule == id)
    }

    /// Adds another outcome's findings and applied rules.
    pub fn merge(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.applied.extend(other.applied);
        self.sort();
    }

    pub(crate) fn sort(&mut self) {
        let key = |f: &Finding| (f.line, f.column, f.rule);
        // Checks walk the model element by element, so findings arrive in short runs (an
        // element's own finding after its children's). A cached-key sort orders small keys
        // and moves each finding once, where sorting the findings themselves compared and
        // moved whole findings n log n times; it is stable, as the order of equal findings
        // must stay.
        if !self.findings.is_sorted_by(|a, b| key(a) <= key(b)) {
            self.findings.sort_by_cached_key(key);
        }
        self.findings.dedup();
    }
}
