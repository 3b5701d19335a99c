//! Tree editing for the operators: finding elements by predicate, editing one picked
//! with the seeded generator and writing the result losslessly, and building text and leaf
//! elements.

use super::Rng;
use crate::xml::{self, Document, Element, Name, Node, Span, Text};

pub(super) type Path = Vec<usize>;

fn walk(e: &Element, path: &mut Path, out: &mut Vec<Path>, pred: &dyn Fn(&Element) -> bool) {
    if pred(e) {
        out.push(path.clone());
    }
    for (i, n) in e.children.iter().enumerate() {
        if let Node::Element(c) = n {
            path.push(i);
            walk(c, path, out, pred);
            path.pop();
        }
    }
}

pub(super) fn find(doc: &Document, pred: &dyn Fn(&Element) -> bool) -> Vec<Path> {
    let mut out = Vec::new();
    walk(&doc.root, &mut Vec::new(), &mut out, pred);
    out
}

pub(super) fn at_mut<'a>(root: &'a mut Element, path: &[usize]) -> &'a mut Element {
    let mut e = root;
    for &i in path {
        e = match &mut e.children[i] {
            Node::Element(c) => c,
            _ => unreachable!("paths only hold element indices"),
        };
    }
    e
}

pub(super) fn at<'a>(root: &'a Element, path: &[usize]) -> &'a Element {
    let mut e = root;
    for &i in path {
        e = match &e.children[i] {
            Node::Element(c) => c,
            _ => unreachable!("paths only hold element indices"),
        };
    }
    e
}

/// Picks one element matching `pred` and lets `f` change it.
pub(super) fn edit(
    doc: &Document,
    rng: &mut Rng,
    pred: &dyn Fn(&Element) -> bool,
    f: &mut dyn FnMut(&mut Element, &mut Rng) -> bool,
) -> Option<Vec<u8>> {
    let targets = find(doc, pred);
    if targets.is_empty() {
        return None;
    }
    let path = &targets[rng.below(targets.len())];
    let mut d = doc.clone();
    if !f(at_mut(&mut d.root, path), rng) {
        return None;
    }
    Some(xml::write_lossless(&d))
}

pub(super) fn text_node(value: &str) -> Node {
    Node::Text(Text {
        raw: escape(value).into(),
        value: value.into(),
        span: Span::default(),
    })
}

pub(super) fn escape(s: &str) -> String {
    let mut out = String::new();
    crate::xml::escape_text(&mut out, s);
    out
}

pub(super) fn set_text(e: &mut Element, value: &str) {
    e.children
        .retain(|n| !matches!(n, Node::Text(_) | Node::CData(_)));
    e.children.insert(0, text_node(value));
    e.self_closing = false;
}

pub(super) fn named<'a>(names: &'a [&'a str]) -> impl Fn(&Element) -> bool + 'a {
    move |e: &Element| names.contains(&e.name.local.as_str())
}

pub(super) fn child_text(e: &Element, name: &str) -> Option<String> {
    e.elements()
        .find(|c| c.name.local == name)
        .map(|c| c.text().to_string_owned())
}

pub(super) fn is_mail_protocol(e: &Element) -> bool {
    e.name.local == "Protocol"
        && matches!(
            child_text(e, "Type").as_deref(),
            Some("POP3" | "IMAP" | "SMTP")
        )
}

pub(super) fn is_leaf(e: &Element) -> bool {
    e.elements().next().is_none()
}

pub(super) const SWITCHES: &[&str] = &[
    "DomainRequired",
    "SPA",
    "SSL",
    "AuthRequired",
    "UsePOPAuth",
    "SMTPLast",
];

pub(super) fn exact_switch(e: &Element) -> bool {
    SWITCHES.contains(&e.name.local.as_str()) && matches!(e.text().as_str(), "on" | "off")
}

pub(super) fn leaf_element(local: &str, like: &Element, text: &str) -> Element {
    Element {
        name: Name {
            prefix: like.name.prefix.clone(),
            local: local.into(),
            ns: like.name.ns.clone(),
        },
        attributes: vec![],
        children: vec![text_node(text)],
        self_closing: false,
        tag_trailing_space: xml::Str::default(),
        span: Span::default(),
        start_tag: Span::default(),
    }
}

/// The document with its XML declaration (if any) naming `label` as its encoding.
pub(super) fn with_declared_encoding(doc: &Document, label: &str) -> Document {
    let mut d = doc.clone();
    if let Some(decl) = &mut d.declaration {
        if decl.encoding.is_some() {
            decl.encoding = Some(label.to_owned());
        }
    }
    d
}
