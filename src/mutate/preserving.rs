//! Preserving operators: the typed model and the set of failing rules must not change
//! (namespace prefixes and forms, references, CDATA, comments, processing instructions,
//! whitespace, quoting, encodings).

use super::tree::*;
use super::Rng;
use crate::xml::{
    self, Attribute, CData, Comment, Document, Element, Misc, Name, Node, Pi, SourceEncoding, Span,
    Text, XMLNS_URI,
};

pub(super) fn char_ref(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| {
            e.children.iter().any(
                |n| matches!(n, Node::Text(t) if t.raw == t.value && !t.value.trim().is_empty()),
            )
        },
        &mut |e, rng| {
            let idx: Vec<usize> = e.children.iter().enumerate().filter(|(_, n)| matches!(n, Node::Text(t) if t.raw == t.value && !t.value.trim().is_empty())).map(|(i, _)| i).collect();
            let Node::Text(t) = &mut e.children[idx[rng.below(idx.len())]] else {
                return false;
            };
            let chars: Vec<char> = t.value.chars().collect();
            let k = rng.below(chars.len());
            t.raw = chars
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == k {
                        format!("&#{};", *c as u32)
                    } else {
                        escape(&c.to_string())
                    }
                })
                .collect();
            true
        },
    )
}

pub(super) fn cdata_wrap(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| {
            is_leaf(e) && e.children.iter().any(|n| matches!(n, Node::Text(t) if !t.value.contains("]]>") && !t.value.contains('\r')))
        },
        &mut |e, _| {
            for n in &mut e.children {
                if let Node::Text(t) = n {
                    let v = t.value.clone();
                    *n = Node::CData(CData {
                        raw: v.clone(),
                        value: v,
                        span: Span::default(),
                    });
                    return true;
                }
            }
            false
        },
    )
}

pub(super) fn comment_split(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| {
            is_leaf(e) && e.children.iter().any(|n| matches!(n, Node::Text(t) if t.raw == t.value && t.value.chars().count() >= 2))
        },
        &mut |e, rng| {
            let i = e.children.iter().position(|n| matches!(n, Node::Text(t) if t.raw == t.value && t.value.chars().count() >= 2)).expect("predicate holds");
            let Node::Text(t) = e.children[i].clone() else {
                return false;
            };
            let chars: Vec<char> = t.value.chars().collect();
            let k = 1 + rng.below(chars.len() - 1);
            let (a, b): (String, String) =
                (chars[..k].iter().collect(), chars[k..].iter().collect());
            e.children.splice(
                i..=i,
                [
                    text_node(&a),
                    Node::Comment(Comment {
                        text: " poxspec ".into(),
                        span: Span::default(),
                    }),
                    text_node(&b),
                ],
            );
            true
        },
    )
}

/// Inserts `node` at a random place among the children of an element that has elements.
fn insert_between_elements(doc: &Document, rng: &mut Rng, node: Node) -> Option<Vec<u8>> {
    edit(doc, rng, &|e| !is_leaf(e), &mut |e, rng| {
        let at = rng.below(e.children.len() + 1);
        e.children.insert(at, node.clone());
        true
    })
}

pub(super) fn insert_pi(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let pi = Pi {
        target: "poxspec".into(),
        content: " mutation=\"pi\"".into(),
        span: Span::default(),
    };
    insert_between_elements(doc, rng, Node::Pi(pi))
}

pub(super) fn insert_comment(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let comment = Comment {
        text: " inserted by poxspec - - mutate ".into(),
        span: Span::default(),
    };
    insert_between_elements(doc, rng, Node::Comment(comment))
}

pub(super) fn whitespace_between(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| {
            !is_leaf(e)
                && e.children.iter().all(|n| {
                    !matches!(n, Node::Text(t) if !t.value.trim().is_empty())
                        && !matches!(n, Node::CData(_))
                })
        },
        &mut |e, rng| {
            let at = rng.below(e.children.len() + 1);
            let ws = ["\n", "\t", "  \r\n  ", " "][rng.below(4)];
            e.children.insert(
                at,
                Node::Text(Text {
                    raw: ws.into(),
                    value: ws.replace("\r\n", "\n").into(),
                    span: Span::default(),
                }),
            );
            true
        },
    )
}

pub(super) fn quote_style(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &|e| !e.attributes.is_empty(), &mut |e, rng| {
        let i = rng.below(e.attributes.len());
        let a = &mut e.attributes[i];
        let q = if a.quote == '"' { '\'' } else { '"' };
        if a.raw.contains(q) {
            return false;
        }
        a.quote = q;
        true
    })
}

pub(super) fn empty_element_form(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &|e| e.children.is_empty(), &mut |e, _| {
        e.self_closing = !e.self_closing;
        true
    })
}

pub(super) fn tag_whitespace(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &|_| true, &mut |e, rng| {
        let more = [" ", "\n", "\t"][rng.below(3)];
        e.tag_trailing_space = format!("{}{more}", e.tag_trailing_space).into();
        true
    })
}

pub(super) fn rename_prefix(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let prefixes: Vec<String> = find(doc, &|e| e.name.prefix.is_some())
        .iter()
        .filter_map(|p| at(&doc.root, p).name.prefix.as_deref().map(str::to_owned))
        .collect();
    if prefixes.is_empty() {
        return None;
    }
    let old = prefixes[rng.below(prefixes.len())].clone();
    let new = format!("p{}", rng.below(1000));
    if prefixes.contains(&new) {
        return None;
    }
    let mut d = doc.clone();
    fn rename(e: &mut Element, old: &str, new: &str) {
        if e.name.prefix.as_deref() == Some(old) {
            e.name.prefix = Some(new.into());
        }
        for a in &mut e.attributes {
            if a.name.prefix.as_deref() == Some("xmlns") && a.name.local == old {
                a.name.local = new.into();
            } else if a.name.prefix.as_deref() == Some(old) {
                a.name.prefix = Some(new.into());
            }
        }
        for n in &mut e.children {
            if let Node::Element(c) = n {
                rename(c, old, new);
            }
        }
    }
    rename(&mut d.root, &old, &new);
    Some(xml::write_lossless(&d))
}

/// Whether any element has a prefixed attribute other than a namespace declaration: the
/// namespace-form operators leave such documents alone, since moving declarations would
/// change what those attributes' prefixes resolve to.
fn has_prefixed_attributes(doc: &Document) -> bool {
    !find(doc, &|e| {
        e.attributes
            .iter()
            .any(|a| a.name.prefix.is_some() && !a.name.is_namespace_declaration())
    })
    .is_empty()
}

/// Default namespace declarations become prefixed ones (`xmlns="X"` → `xmlns:dN="X"`).
pub(super) fn default_to_prefixed(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    if has_prefixed_attributes(doc) {
        return None;
    }
    let mut d = doc.clone();
    let mut changed = false;
    fn go(
        e: &mut Element,
        scope: &mut Vec<(xml::Str, xml::Str)>,
        counter: &mut usize,
        changed: &mut bool,
    ) {
        let mut pushed = false;
        if let Some(i) = e
            .attributes
            .iter()
            .position(|a| a.name.prefix.is_none() && a.name.local == "xmlns" && !a.value.is_empty())
        {
            let uri = e.attributes[i].value.clone();
            let p = xml::Str::from(format!("d{counter}"));
            *counter += 1;
            e.attributes[i].name = Name {
                prefix: Some("xmlns".into()),
                local: p.clone(),
                ns: Some(XMLNS_URI.into()),
            };
            scope.push((uri, p));
            pushed = true;
            *changed = true;
        }
        if e.name.prefix.is_none() {
            if let Some(ns) = &e.name.ns {
                if let Some((_, p)) = scope.iter().rev().find(|(u, _)| u == ns) {
                    e.name.prefix = Some(p.clone());
                }
            }
        }
        for n in &mut e.children {
            if let Node::Element(c) = n {
                go(c, scope, counter, changed);
            }
        }
        if pushed {
            scope.pop();
        }
    }
    go(&mut d.root, &mut Vec::new(), &mut 0, &mut changed);
    // An element left unprefixed in a namespace would now be in none: refuse then.
    let stray = find(&d, &|e| e.name.prefix.is_none() && e.name.ns.is_some());
    (changed && stray.is_empty()).then(|| xml::write_lossless(&d))
}

/// Prefixed elements become unprefixed, with default namespace declarations where the
/// namespace changes (the inverse of [`default_to_prefixed`]).
pub(super) fn prefixed_to_default(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    if find(doc, &|e| e.name.prefix.is_some()).is_empty() || has_prefixed_attributes(doc) {
        return None;
    }
    let mut d = doc.clone();
    fn go(e: &mut Element, parent_default: Option<&str>) {
        e.attributes.retain(|a| !a.name.is_namespace_declaration());
        e.name.prefix = None;
        if e.name.ns.as_deref() != parent_default {
            e.attributes.insert(
                0,
                Attribute {
                    name: Name {
                        prefix: None,
                        local: "xmlns".into(),
                        ns: Some(XMLNS_URI.into()),
                    },
                    raw: e.name.ns.clone().unwrap_or_default(),
                    value: e.name.ns.clone().unwrap_or_default(),
                    quote: '"',
                    leading_space: " ".into(),
                },
            );
        }
        let ns = e.name.ns.clone();
        for n in &mut e.children {
            if let Node::Element(c) = n {
                go(c, ns.as_deref());
            }
        }
    }
    go(&mut d.root, None);
    Some(xml::write_lossless(&d))
}

pub(super) fn utf16(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let mut d = with_declared_encoding(doc, "UTF-16");
    d.encoding = if rng.below(2) == 0 {
        SourceEncoding::Utf16Le
    } else {
        SourceEncoding::Utf16Be
    };
    Some(xml::write_lossless(&d))
}

pub(super) fn utf8_bom(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    if doc.encoding != SourceEncoding::Utf8 {
        return None;
    }
    let mut d = doc.clone();
    d.encoding = SourceEncoding::Utf8Bom;
    Some(xml::write_lossless(&d))
}

pub(super) fn line_endings(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let text =
        String::from_utf8(xml::write_lossless(&with_declared_encoding(doc, "utf-8"))).ok()?;
    if !text.contains('\n') || doc.encoding != SourceEncoding::Utf8 {
        return None;
    }
    // Only between tags: a newline inside a value would change it.
    let _ = rng;
    let out = text.replace(">\n", ">\r\n");
    (out != text).then(|| out.into_bytes())
}

pub(super) fn prolog_comment(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    let mut d = doc.clone();
    d.prolog.push(Misc::Comment(Comment {
        text: " generated by poxspec mutate ".into(),
        span: Span::default(),
    }));
    d.prolog.push(Misc::Whitespace("\n".into()));
    Some(xml::write_lossless(&d))
}
