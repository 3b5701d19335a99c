//! What a check reports.

use super::catalogue::{Rule, Severity};
use serde::Serialize;

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
    pub applied: RuleIds,
}

/// Rule IDs, each once, in ID order.
///
/// A sorted vector: `validate` applies some 70 rules to a document and collects their IDs in
/// ID order already, which a `BTreeSet` stored node by node (a twentieth of `validate`'s
/// instructions); the few inserts the live checker makes are a binary search each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RuleIds(Vec<&'static str>);

impl RuleIds {
    /// IDs already sorted and without repeats.
    pub(crate) fn from_sorted(ids: Vec<&'static str>) -> Self {
        debug_assert!(ids.windows(2).all(|w| w[0] < w[1]));
        RuleIds(ids)
    }

    /// Adds `id`; false when it was there.
    pub fn insert(&mut self, id: &'static str) -> bool {
        match self.0.binary_search(&id) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, id);
                true
            }
        }
    }

    /// Whether `id` is one of them.
    pub fn contains(&self, id: &str) -> bool {
        self.0.binary_search_by(|p| (*p).cmp(id)).is_ok()
    }

    /// The IDs, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, &'static str> {
        self.0.iter()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Extend<&'static str> for RuleIds {
    fn extend<I: IntoIterator<Item = &'static str>>(&mut self, ids: I) {
        self.0.extend(ids);
        self.0.sort_unstable();
        self.0.dedup();
    }
}

impl FromIterator<&'static str> for RuleIds {
    fn from_iter<I: IntoIterator<Item = &'static str>>(ids: I) -> Self {
        let mut out = RuleIds::default();
        out.extend(ids);
        out
    }
}

impl IntoIterator for RuleIds {
    type Item = &'static str;
    type IntoIter = std::vec::IntoIter<&'static str>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a RuleIds {
    type Item = &'a &'static str;
    type IntoIter = std::slice::Iter<'a, &'static str>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
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
