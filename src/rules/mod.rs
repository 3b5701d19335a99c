//! The conformance rules: a catalogue of definitions ([`catalogue`]) and the checks that apply
//! them to a parsed document, producing [`Finding`]s.

pub mod catalogue;
mod ctx;
mod describe;
mod finding;
mod policy;
pub mod protocol;
mod request;
mod response;
mod structure;
pub mod values;

pub use catalogue::{Area, Rule, Scope, Severity, ALL};
pub use describe::{catalogue_human, catalogue_json, catalogue_markdown, CATALOGUE_JSON_VERSION};
pub use finding::{Finding, Outcome, RuleIds};
pub use policy::{check_policy, check_policy_resolved};

use crate::model::ns::{classify, NsClass};
use crate::model::{Document, Loc};
use crate::xml::{Element, Limits, SourceEncoding, XmlErrorKind};
use crate::{ParseError, Parsed};
use catalogue::*;
use ctx::Ctx;

/// The rule with this ID.
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// A document judged: what kind it was (when it could be read) and the outcome.
#[derive(Debug, Clone)]
pub struct Validation {
    /// `"request"` or `"response"`, or `None` when the document could not be read.
    pub kind: Option<&'static str>,
    /// Findings and applied rules.
    pub outcome: Outcome,
    /// The parsed document, when it could be read.
    pub parsed: Option<Parsed>,
}

/// Reads and judges bytes. A document that cannot be read yields one finding (well-formedness,
/// DOCTYPE or root element) rather than an error, so that every input gets a verdict.
pub fn validate_bytes(bytes: &[u8], limits: &Limits) -> Validation {
    match crate::parse_with(bytes, limits) {
        Ok(parsed) => Validation {
            kind: Some(parsed.model.kind()),
            outcome: validate(&parsed),
            parsed: Some(parsed),
        },
        Err(e) => Validation {
            kind: None,
            outcome: unreadable(&e),
            parsed: None,
        },
    }
}

/// The outcome for a document that could not be read.
pub fn unreadable(e: &ParseError) -> Outcome {
    let mut out = Outcome::default();
    for r in [DOC_WELL_FORMED, DOC_DOCTYPE, DOC_ROOT] {
        out.applied.insert(r.id);
    }
    let rule = match e {
        ParseError::Xml(x) if x.kind == XmlErrorKind::Doctype => DOC_DOCTYPE,
        ParseError::Xml(_) => DOC_WELL_FORMED,
        ParseError::Model { .. } => DOC_ROOT,
    };
    let p = e.position();
    out.findings.push(Finding {
        rule: rule.id,
        severity: rule.severity,
        element: String::new(),
        path: String::new(),
        line: p.line,
        column: p.column,
        message: e.message(),
        raw: None,
    });
    out
}

/// Judges a parsed document against every document-scope rule.
pub fn validate(parsed: &Parsed) -> Outcome {
    let mut ctx = Ctx::new(&parsed.tree);
    for r in [
        DOC_WELL_FORMED,
        DOC_DOCTYPE,
        DOC_ROOT,
        DOC_ENCODING,
        NS_LOOKALIKE,
    ] {
        ctx.apply(r);
    }
    if matches!(
        parsed.tree.encoding,
        SourceEncoding::Utf16Le | SourceEncoding::Utf16Be
    ) {
        ctx.document(
            DOC_ENCODING,
            format!(
                "document is {}; the User reference page says Autodiscover documents must be UTF-8",
                parsed.tree.encoding.name()
            ),
        );
    }
    lookalikes(&mut ctx, &parsed.tree.root, None);
    policy::semantics(&mut ctx, &parsed.model);
    match &parsed.model {
        Document::Request(r) => request::check(&mut ctx, r),
        Document::Response(r) => response::check(&mut ctx, r),
    }
    ctx.finish()
}

/// Reports each place a look-alike namespace is declared into use (not every element in it).
fn lookalikes(ctx: &mut Ctx, e: &Element, parent_ns: Option<&crate::xml::Str>) {
    // Compared as `Str`: a parsed document shares one text per namespace, so a child in its
    // parent's namespace is a pointer comparison, not a comparison of the URIs' bytes.
    if e.name.ns.as_ref() != parent_ns {
        if let NsClass::LookAlike(k) = classify(e.name.ns.as_deref()) {
            let loc = Loc {
                start: e.span.start,
                content_start: e.content_start(),
            };
            ctx.element(NS_LOOKALIKE, &loc, format!("namespace \"{}\" is a look-alike of \"{}\"; clients compare namespaces exactly (Microsoft's pages print https://, the protocol uses http://)", e.name.ns.as_deref().unwrap_or_default(), k.uri()));
        }
    }
    for c in e.elements() {
        lookalikes(ctx, c, e.name.ns.as_ref());
    }
}

/// Convenience: judge bytes with the default limits.
pub fn validate_default(bytes: &[u8]) -> Validation {
    validate_bytes(bytes, &Limits::default())
}
