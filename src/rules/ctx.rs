//! The state checks write into.

use super::catalogue::Rule;
use super::finding::{Finding, Outcome};
use crate::model::Loc;
use crate::xml;

pub(crate) struct Ctx<'a> {
    tree: &'a xml::Document,
    out: Outcome,
    /// For each finding in `out.findings`, the start of the element it is about (`None` for
    /// findings about the document as a whole); paths are filled in once, in
    /// [`Ctx::finish`], with one walk of the tree.
    elements: Vec<Option<usize>>,
    /// Rules applied, by [`Rule::index`]; turned into `out.applied` once, in [`Ctx::finish`],
    /// because inserting string IDs into a set per element dominated validation time.
    applied: Vec<bool>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(tree: &'a xml::Document) -> Self {
        Ctx {
            tree,
            out: Outcome::default(),
            elements: Vec::new(),
            applied: vec![false; super::ALL.len()],
        }
    }

    /// The outcome, findings with their element paths, sorted.
    pub(crate) fn finish(mut self) -> Outcome {
        let starts: Vec<usize> = self.elements.iter().flatten().copied().collect();
        let mut paths = self.tree.element_paths(&starts).into_iter();
        for (f, start) in self.out.findings.iter_mut().zip(&self.elements) {
            if start.is_none() {
                continue;
            }
            if let Some(path) = paths.next().flatten() {
                f.element = element_name(&path).to_owned();
                f.path = path;
            }
        }
        // Collected in ID order, so the list is sorted as it is built, and sized first:
        // collected from a filter, it grew by doubling, six times per document.
        let applied = &self.applied;
        let mut ids = Vec::with_capacity(applied.iter().filter(|&&a| a).count());
        ids.extend(
            by_id()
                .iter()
                .filter(|&&i| applied[i])
                .map(|&i| super::ALL[i].id),
        );
        self.out.applied = super::RuleIds::from_sorted(ids);
        self.out.sort();
        self.out
    }

    /// Records that `rule` was applied.
    pub(crate) fn apply(&mut self, rule: &Rule) {
        self.applied[rule.index] = true;
    }

    /// Reports a finding about an element, pointing at its start tag.
    pub(crate) fn element(&mut self, rule: &Rule, loc: &Loc, message: impl Into<String>) {
        self.push(rule, Some(loc), loc.start, message.into(), None);
    }

    /// Reports a finding about an element's value, pointing at where its text starts.
    pub(crate) fn value(&mut self, rule: &Rule, loc: &Loc, raw: &str, message: impl Into<String>) {
        self.push(
            rule,
            Some(loc),
            loc.content_start,
            message.into(),
            Some(raw.to_owned()),
        );
    }

    /// Reports a finding about the document as a whole (no element), pointing at its start.
    pub(crate) fn document(&mut self, rule: &Rule, message: impl Into<String>) {
        self.push(rule, None, 0, message.into(), None);
    }

    fn push(
        &mut self,
        rule: &Rule,
        element: Option<&Loc>,
        offset: usize,
        message: String,
        raw: Option<String>,
    ) {
        self.apply(rule);
        crate::cost::add(1);
        let pos = self.tree.line_col(offset);
        self.elements.push(element.map(|l| l.start));
        self.out.findings.push(Finding {
            rule: rule.id,
            severity: rule.severity,
            element: String::new(),
            path: String::new(),
            line: pos.line,
            column: pos.column,
            message,
            raw,
        });
    }
}

/// Catalogue indices in the order of the rules' IDs.
fn by_id() -> &'static [usize] {
    static ORDER: std::sync::OnceLock<Vec<usize>> = std::sync::OnceLock::new();
    ORDER.get_or_init(|| {
        let mut order: Vec<usize> = (0..super::ALL.len()).collect();
        order.sort_by_key(|&i| super::ALL[i].id);
        order
    })
}

/// The local name a path ends with (`SSL` for `/Autodiscover/…/Protocol[2]/SSL`).
fn element_name(path: &str) -> &str {
    let last = path.rsplit('/').next().unwrap_or("");
    last.split('[').next().unwrap_or("")
}
