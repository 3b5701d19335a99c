//! The state checks write into.

use super::catalogue::Rule;
use super::finding::{Finding, Outcome};
use crate::model::Loc;
use crate::xml;

pub(crate) struct Ctx<'a> {
    tree: &'a xml::Document,
    out: Outcome,
    /// Rules applied, by [`Rule::index`]; turned into `out.applied` once, in [`Ctx::finish`],
    /// because inserting string IDs into a set per element dominated validation time.
    applied: Vec<bool>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(tree: &'a xml::Document) -> Self {
        Ctx {
            tree,
            out: Outcome::default(),
            applied: vec![false; super::ALL.len()],
        }
    }

    /// The outcome, findings sorted.
    pub(crate) fn finish(mut self) -> Outcome {
        for (r, on) in super::ALL.iter().zip(&self.applied) {
            if *on {
                self.out.applied.insert(r.id);
            }
        }
        self.out.sort();
        self.out
    }

    /// Records that `rule` was applied.
    pub(crate) fn apply(&mut self, rule: &Rule) {
        self.applied[rule.index] = true;
    }

    /// Reports a finding about an element, pointing at its start tag.
    pub(crate) fn element(&mut self, rule: &Rule, loc: &Loc, message: impl Into<String>) {
        self.push(rule, loc, loc.start, message.into(), None);
    }

    /// Reports a finding about an element's value, pointing at where its text starts.
    pub(crate) fn value(&mut self, rule: &Rule, loc: &Loc, raw: &str, message: impl Into<String>) {
        self.push(
            rule,
            loc,
            loc.content_start,
            message.into(),
            Some(raw.to_owned()),
        );
    }

    fn push(
        &mut self,
        rule: &Rule,
        loc: &Loc,
        offset: usize,
        message: String,
        raw: Option<String>,
    ) {
        self.apply(rule);
        let pos = self.tree.line_col(offset);
        let element = loc
            .path
            .rsplit('/')
            .next()
            .unwrap_or("")
            .split('[')
            .next()
            .unwrap_or("")
            .to_owned();
        self.out.findings.push(Finding {
            rule: rule.id,
            severity: rule.severity,
            element,
            path: loc.path.clone(),
            line: pos.line,
            column: pos.column,
            message,
            raw,
        });
    }
}
