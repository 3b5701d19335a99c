//! The mutation engine: operators on the lossless XML tree, each labelled *preserving* (the
//! typed model and the set of failing rules must not change) or *breaking* (with the one rule
//! it must newly trigger). Operators pick their target with a seeded generator, so a seed
//! reproduces a mutation exactly.

use crate::model::ns::{classify, NsClass};
use crate::rules::catalogue::{self as r, Rule};
use crate::xml::{
    self, Attribute, CData, Comment, Document, Element, Misc, Name, Node, Pi, SourceEncoding, Span,
    Text, XMLNS_URI,
};

/// A small deterministic generator (SplitMix64); enough to pick targets reproducibly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// What an operator does to a document's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The typed model and the failing rules stay the same.
    Preserving,
    /// Exactly this rule is newly triggered.
    Breaking(&'static Rule),
}

/// A mutation operator.
#[derive(Debug, Clone, Copy)]
pub struct Operator {
    /// Name used in file names and manifests.
    pub name: &'static str,
    /// What it does to the verdict.
    pub effect: Effect,
    /// One line.
    pub description: &'static str,
    apply: fn(&Document, &mut Rng) -> Option<Vec<u8>>,
}

impl Operator {
    /// Applies the operator to a parsed document; `None` when it has no target there.
    pub fn apply(&self, doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
        (self.apply)(doc, rng)
    }
}

// ---- tree helpers -------------------------------------------------------------------------

type Path = Vec<usize>;

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

fn find(doc: &Document, pred: &dyn Fn(&Element) -> bool) -> Vec<Path> {
    let mut out = Vec::new();
    walk(&doc.root, &mut Vec::new(), &mut out, pred);
    out
}

fn at_mut<'a>(root: &'a mut Element, path: &[usize]) -> &'a mut Element {
    let mut e = root;
    for &i in path {
        e = match &mut e.children[i] {
            Node::Element(c) => c,
            _ => unreachable!("paths only hold element indices"),
        };
    }
    e
}

fn at<'a>(root: &'a Element, path: &[usize]) -> &'a Element {
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
fn edit(
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

fn text_node(value: &str) -> Node {
    Node::Text(Text {
        raw: escape(value),
        value: value.to_owned(),
        span: Span::default(),
    })
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    crate::xml::escape_text(&mut out, s);
    out
}

fn set_text(e: &mut Element, value: &str) {
    e.children
        .retain(|n| !matches!(n, Node::Text(_) | Node::CData(_)));
    e.children.insert(0, text_node(value));
    e.self_closing = false;
}

fn named<'a>(names: &'a [&'a str]) -> impl Fn(&Element) -> bool + 'a {
    move |e: &Element| names.contains(&e.name.local.as_str())
}

fn child_text(e: &Element, name: &str) -> Option<String> {
    e.elements()
        .find(|c| c.name.local == name)
        .map(|c| c.text())
}

fn is_mail_protocol(e: &Element) -> bool {
    e.name.local == "Protocol"
        && matches!(
            child_text(e, "Type").as_deref(),
            Some("POP3" | "IMAP" | "SMTP")
        )
}

fn is_leaf(e: &Element) -> bool {
    e.elements().next().is_none()
}

const SWITCHES: &[&str] = &[
    "DomainRequired",
    "SPA",
    "SSL",
    "AuthRequired",
    "UsePOPAuth",
    "SMTPLast",
];

fn exact_switch(e: &Element) -> bool {
    SWITCHES.contains(&e.name.local.as_str()) && matches!(e.text().as_str(), "on" | "off")
}

fn leaf_element(local: &str, like: &Element, text: &str) -> Element {
    Element {
        name: Name {
            prefix: like.name.prefix.clone(),
            local: local.to_owned(),
            ns: like.name.ns.clone(),
        },
        attributes: vec![],
        children: vec![text_node(text)],
        self_closing: false,
        tag_trailing_space: String::new(),
        span: Span::default(),
        start_tag: Span::default(),
    }
}

// ---- preserving operators ------------------------------------------------------------------

fn char_ref(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
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

fn cdata_wrap(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
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

fn comment_split(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
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

fn insert_pi(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let pi = Pi {
        target: "poxspec".into(),
        content: " mutation=\"pi\"".into(),
        span: Span::default(),
    };
    insert_between_elements(doc, rng, Node::Pi(pi))
}

fn insert_comment(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let comment = Comment {
        text: " inserted by poxspec - - mutate ".into(),
        span: Span::default(),
    };
    insert_between_elements(doc, rng, Node::Comment(comment))
}

fn whitespace_between(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
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
                    value: ws.replace("\r\n", "\n"),
                    span: Span::default(),
                }),
            );
            true
        },
    )
}

fn quote_style(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
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

fn empty_element_form(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &|e| e.children.is_empty(), &mut |e, _| {
        e.self_closing = !e.self_closing;
        true
    })
}

fn tag_whitespace(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &|_| true, &mut |e, rng| {
        e.tag_trailing_space
            .push_str([" ", "\n", "\t"][rng.below(3)]);
        true
    })
}

fn rename_prefix(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let prefixes: Vec<String> = find(doc, &|e| e.name.prefix.is_some())
        .iter()
        .filter_map(|p| at(&doc.root, p).name.prefix.clone())
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
            e.name.prefix = Some(new.to_owned());
        }
        for a in &mut e.attributes {
            if a.name.prefix.as_deref() == Some("xmlns") && a.name.local == old {
                a.name.local = new.to_owned();
            } else if a.name.prefix.as_deref() == Some(old) {
                a.name.prefix = Some(new.to_owned());
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
fn default_to_prefixed(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    if has_prefixed_attributes(doc) {
        return None;
    }
    let mut d = doc.clone();
    let mut changed = false;
    fn go(
        e: &mut Element,
        scope: &mut Vec<(String, String)>,
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
            let p = format!("d{counter}");
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
fn prefixed_to_default(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
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

fn with_declared_encoding(doc: &Document, label: &str) -> Document {
    let mut d = doc.clone();
    if let Some(decl) = &mut d.declaration {
        if decl.encoding.is_some() {
            decl.encoding = Some(label.to_owned());
        }
    }
    d
}

fn utf16(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let mut d = with_declared_encoding(doc, "UTF-16");
    d.encoding = if rng.below(2) == 0 {
        SourceEncoding::Utf16Le
    } else {
        SourceEncoding::Utf16Be
    };
    Some(xml::write_lossless(&d))
}

fn utf8_bom(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    if doc.encoding != SourceEncoding::Utf8 {
        return None;
    }
    let mut d = doc.clone();
    d.encoding = SourceEncoding::Utf8Bom;
    Some(xml::write_lossless(&d))
}

fn line_endings(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
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

fn prolog_comment(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    let mut d = doc.clone();
    d.prolog.push(Misc::Comment(Comment {
        text: " generated by poxspec mutate ".into(),
        span: Span::default(),
    }));
    d.prolog.push(Misc::Whitespace("\n".into()));
    Some(xml::write_lossless(&d))
}

// ---- breaking operators --------------------------------------------------------------------

fn onoff_case(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        let v = e.text();
        set_text(
            e,
            &if rng.below(2) == 0 {
                v.to_ascii_uppercase()
            } else {
                format!("{}{}", v[..1].to_ascii_uppercase(), &v[1..])
            },
        );
        true
    })
}

fn onoff_synonym(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        let on = e.text() == "on";
        let pick = if on {
            ["true", "1", "yes", "True"]
        } else {
            ["false", "0", "no", "FALSE"]
        };
        set_text(e, pick[rng.below(4)]);
        true
    })
}

fn onoff_padding(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        let v = e.text();
        set_text(
            e,
            &[format!(" {v} "), format!("\n  {v}\n"), format!("{v}\t")][rng.below(3)],
        );
        true
    })
}

fn onoff_empty(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        e.children.clear();
        e.self_closing = rng.below(2) == 0;
        true
    })
}

fn onoff_other(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        set_text(e, ["enabled", "disabled", "o n", "auto"][rng.below(4)]);
        true
    })
}

fn remove_children(
    doc: &Document,
    rng: &mut Rng,
    parent: &dyn Fn(&Element) -> bool,
    names: &'static [&'static str],
) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| parent(e) && e.elements().any(|c| names.contains(&c.name.local.as_str())),
        &mut |e, _| {
            e.children.retain(
                |n| !matches!(n, Node::Element(c) if names.contains(&c.name.local.as_str())),
            );
            true
        },
    )
}

fn drop_type(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    remove_children(
        doc,
        rng,
        &|e| e.name.local == "Protocol" && e.attribute("Type").is_none(),
        &["Type"],
    )
}

fn drop_action(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    remove_children(doc, rng, &named(&["Account"]), &["Action"])
}

fn drop_protocols(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    remove_children(
        doc,
        rng,
        &|e| e.name.local == "Account" && child_text(e, "Action").as_deref() == Some("settings"),
        &["Protocol"],
    )
}

fn drop_address(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    remove_children(
        doc,
        rng,
        &named(&["Request"]),
        &["EMailAddress", "LegacyDN"],
    )
}

fn duplicate_single(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    const SINGLE: &[&str] = &[
        "Server",
        "Port",
        "LoginName",
        "ErrorCode",
        "EMailAddress",
        "DisplayName",
        "AcceptableResponseSchema",
    ];
    // Text-only ones: the mobilesync Server container of the same name may repeat.
    let single = |c: &Element| SINGLE.contains(&c.name.local.as_str()) && is_leaf(c);
    edit(doc, rng, &|e| e.elements().any(single), &mut |e, rng| {
        let idx: Vec<usize> = e
            .children
            .iter()
            .enumerate()
            .filter(|(_, n)| matches!(n, Node::Element(c) if single(c)))
            .map(|(i, _)| i)
            .collect();
        let i = idx[rng.below(idx.len())];
        let copy = e.children[i].clone();
        e.children.insert(i + 1, copy);
        true
    })
}

fn usepopauth_elsewhere(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| {
            e.name.local == "Protocol"
                && matches!(child_text(e, "Type").as_deref(), Some("POP3" | "IMAP"))
                && !e
                    .elements()
                    .any(|c| c.name.local == "UsePOPAuth" || c.name.local == "SMTPLast")
        },
        &mut |e, rng| {
            let like = e.elements().next().cloned().expect("has Type");
            let name = ["UsePOPAuth", "SMTPLast"][rng.below(2)];
            e.children
                .push(Node::Element(leaf_element(name, &like, "off")));
            true
        },
    )
}

fn port_out_of_range(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let protos = find(doc, &|e| {
        is_mail_protocol(e) && e.elements().any(|c| c.name.local == "Port")
    });
    if protos.is_empty() {
        return None;
    }
    let p = protos[rng.below(protos.len())].clone();
    let mut d = doc.clone();
    let e = at_mut(&mut d.root, &p);
    for n in &mut e.children {
        if let Node::Element(c) = n {
            if c.name.local == "Port" {
                set_text(c, ["0", "65536", "70000", "-25"][rng.below(4)]);
            }
        }
    }
    Some(xml::write_lossless(&d))
}

fn unknown_action(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    // Only an Account with a single Action: with several, the repetition is what is reported.
    let single = |e: &Element| {
        e.name.local == "Account"
            && e.elements().filter(|c| c.name.local == "Action").count() == 1
            && e.elements().any(|c| c.name.local == "Action" && is_leaf(c))
    };
    edit(doc, rng, &single, &mut |account, rng| {
        let Some(e) = account.children.iter_mut().find_map(|n| match n {
            Node::Element(c) if c.name.local == "Action" => Some(c),
            _ => None,
        }) else {
            return false;
        };
        let v = e.text();
        let mut chars = v.chars();
        let capitalized: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let choices = [v.to_ascii_uppercase(), "configure".into(), capitalized];
        let pick = choices[rng.below(3)].clone();
        set_text(e, if pick == v { "configure" } else { &pick });
        true
    })
}

fn wrong_namespace(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    // Only where nothing else inherits the root namespace's meaning (Response re-declares).
    let inherits = doc
        .root
        .elements()
        .any(|c| c.name.local == "Response" && c.name.ns == doc.root.name.ns);
    let mut d = doc.clone();
    let old = d.root.name.ns.clone()?;
    if inherits || doc.root.name.prefix.is_some() {
        return None;
    }
    let a = d
        .root
        .attributes
        .iter_mut()
        .find(|a| a.name.prefix.is_none() && a.name.local == "xmlns")?;
    let new = "urn:example:not-autodiscover";
    a.raw = new.into();
    a.value = new.into();
    fn retag(e: &mut Element, old: &str, new: &str) {
        if e.name.ns.as_deref() == Some(old) && e.name.prefix.is_none() {
            e.name.ns = Some(new.to_owned());
            for n in &mut e.children {
                if let Node::Element(c) = n {
                    if !c
                        .attributes
                        .iter()
                        .any(|a| a.name.prefix.is_none() && a.name.local == "xmlns")
                    {
                        retag(c, old, new);
                    }
                }
            }
        }
    }
    retag(&mut d.root, &old, new);
    Some(xml::write_lossless(&d))
}

fn https_namespace(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    let mut d = doc.clone();
    // The declaration must be the one the root's own name resolves through; a look-alike of
    // some other declaration says nothing about the root.
    let root_ns = doc.root.name.ns.clone()?;
    if !matches!(classify(Some(&root_ns)), NsClass::Known(_)) {
        return None;
    }
    let prefix = doc.root.name.prefix.clone();
    let a = d.root.attributes.iter_mut().find(|a| {
        a.name.is_namespace_declaration()
            && a.value == root_ns
            && match &prefix {
                None => a.name.prefix.is_none(),
                Some(p) => a.name.local == *p,
            }
    })?;
    a.value = a.value.replacen("http://", "https://", 1);
    a.raw = a.raw.replacen("http://", "https://", 1);
    Some(xml::write_lossless(&d))
}

fn truncate(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let text = xml::write_lossless_text(doc);
    let end = doc.root.span.end.min(text.len()).max(1);
    let mut cut = 1 + rng.below(end - 1);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(text.as_bytes()[..cut].to_vec())
}

fn doctype(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let mut text = xml::write_lossless_text(&with_declared_encoding(doc, "utf-8"));
    if doc.encoding != SourceEncoding::Utf8 {
        return None;
    }
    let at = doc.declaration.as_ref().map_or(0, |d| d.span.end);
    let dtd = [
        "<!DOCTYPE Autodiscover>",
        "<!DOCTYPE Autodiscover [<!ENTITY x \"y\">]>",
        "<!DOCTYPE Autodiscover SYSTEM \"http://example.invalid/a.dtd\">",
    ][rng.below(3)];
    text.insert_str(at, dtd);
    Some(text.into_bytes())
}

fn empty_server(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| e.name.local == "Server" && is_leaf(e) && !e.text().trim().is_empty(),
        &mut |e, _| {
            set_text(e, "");
            true
        },
    )
}

fn type_near_miss(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| e.name.local == "Type" && matches!(e.text().as_str(), "POP3" | "IMAP" | "SMTP"),
        &mut |e, rng| {
            let t = e.text();
            let new = match t.as_str() {
                "POP3" => ["POP", "pop3", "POP3S"][rng.below(3)],
                "IMAP" => ["IMAP4", "imap", "IMAPS"][rng.below(3)],
                _ => ["SMTPS", "smtp", "Smtp"][rng.below(3)],
            };
            set_text(e, new);
            true
        },
    )
}

fn wrong_case_element(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    // Only elements whose disappearance has no other consequence (SPA's absence would be a
    // warning of its own, EMailAddress's a missing address).
    const CANDIDATES: &[&str] = &[
        "SSL",
        "AuthRequired",
        "DisplayName",
        "AutoDiscoverSMTPAddress",
    ];
    edit(
        doc,
        rng,
        // In a documented namespace only: elsewhere nothing is recognised, so nothing is "nearly"
        // recognised either.
        &|e| {
            CANDIDATES.contains(&e.name.local.as_str())
                && matches!(classify(e.name.ns.as_deref()), NsClass::Known(_))
        },
        &mut |e, _| {
            e.name.local = match e.name.local.as_str() {
                "SSL" => "Ssl".into(),
                "AuthRequired" => "authRequired".into(),
                "AutoDiscoverSMTPAddress" => "AutodiscoverSMTPAddress".into(),
                _ => "Displayname".into(),
            };
            true
        },
    )
}

fn ttl_negative(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &named(&["TTL"]), &mut |e, rng| {
        set_text(e, ["-1", "1.5", "one"][rng.below(3)]);
        true
    })
}

fn error_code_text(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &named(&["ErrorCode"]), &mut |e, rng| {
        set_text(e, ["InvalidRequest", "6OO", ""][rng.below(3)]);
        true
    })
}

fn redirect_url_http(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| e.name.local == "RedirectUrl" && e.text().starts_with("https://"),
        &mut |e, _| {
            let t = e.text().replacen("https://", "http://", 1);
            set_text(e, &t);
            true
        },
    )
}

macro_rules! operators {
    ($($f:ident = $name:literal, $effect:expr, $desc:literal;)*) => {
        /// Every operator.
        pub static OPERATORS: &[Operator] = &[$(Operator { name: $name, effect: $effect, description: $desc, apply: $f }),*];
    };
}

operators! {
    rename_prefix = "prefix-rename", Effect::Preserving, "renames a namespace prefix and its declaration";
    default_to_prefixed = "default-to-prefixed", Effect::Preserving, "turns default namespace declarations into prefixed ones";
    prefixed_to_default = "prefixed-to-default", Effect::Preserving, "turns prefixed names into default namespace declarations";
    char_ref = "char-ref", Effect::Preserving, "writes one character of a text as a character reference";
    cdata_wrap = "cdata-wrap", Effect::Preserving, "wraps a value in a CDATA section";
    comment_split = "comment-split", Effect::Preserving, "splits a value with a comment";
    insert_comment = "comment-insert", Effect::Preserving, "inserts a comment between elements";
    insert_pi = "pi-insert", Effect::Preserving, "inserts a processing instruction between elements";
    whitespace_between = "whitespace-between", Effect::Preserving, "inserts whitespace between elements";
    quote_style = "attribute-quotes", Effect::Preserving, "switches an attribute between double and single quotes";
    empty_element_form = "empty-element-form", Effect::Preserving, "switches an empty element between <X></X> and <X/>";
    tag_whitespace = "tag-whitespace", Effect::Preserving, "adds whitespace before a tag's closing bracket";
    utf16 = "utf16-bom", Effect::Preserving, "re-encodes the document as UTF-16 with a byte-order mark";
    utf8_bom = "utf8-bom", Effect::Preserving, "adds a UTF-8 byte-order mark";
    line_endings = "crlf-line-ends", Effect::Preserving, "writes CRLF line ends between tags";
    prolog_comment = "prolog-comment", Effect::Preserving, "adds a comment before the root element";
    onoff_case = "onoff-case-flip", Effect::Breaking(r::ONOFF_CASE), "writes an on/off value in another case";
    onoff_synonym = "onoff-synonym", Effect::Breaking(r::ONOFF_SYNONYM), "writes an on/off value as a boolean synonym";
    onoff_padding = "onoff-padding", Effect::Breaking(r::ONOFF_PADDED), "pads an on/off value with whitespace";
    onoff_empty = "onoff-empty", Effect::Breaking(r::ONOFF_EMPTY), "empties an on/off element";
    onoff_other = "onoff-other", Effect::Breaking(r::ONOFF_OTHER), "writes an on/off element with another word";
    drop_type = "drop-type", Effect::Breaking(r::PROTO_TYPE_REQUIRED), "drops a Protocol's Type";
    drop_action = "drop-action", Effect::Breaking(r::ACCT_ACTION_REQUIRED), "drops an Account's Action";
    drop_protocols = "drop-protocols", Effect::Breaking(r::ACCT_PROTOCOL_REQUIRED), "drops every Protocol of a settings Account";
    drop_address = "drop-address", Effect::Breaking(r::REQ_ADDRESS), "drops a request's EMailAddress and LegacyDN";
    duplicate_single = "duplicate-single", Effect::Breaking(r::STRUCT_REPEATED), "repeats a single-occurrence element";
    usepopauth_elsewhere = "smtp-only-elsewhere", Effect::Breaking(r::PROTO_SMTP_ONLY), "puts UsePOPAuth or SMTPLast under POP3 or IMAP";
    port_out_of_range = "port-out-of-range", Effect::Breaking(r::PROTO_PORT), "sets a mail protocol's port outside 1..65535";
    unknown_action = "action-unknown", Effect::Breaking(r::ACCT_ACTION), "writes an undocumented Action";
    wrong_namespace = "namespace-wrong", Effect::Breaking(r::NS_ROOT), "moves the root into another namespace";
    https_namespace = "namespace-https", Effect::Breaking(r::NS_LOOKALIKE), "declares the root namespace with https://";
    truncate = "truncate", Effect::Breaking(r::DOC_WELL_FORMED), "cuts the document short";
    doctype = "doctype-inject", Effect::Breaking(r::DOC_DOCTYPE), "injects a DOCTYPE declaration";
    empty_server = "server-empty", Effect::Breaking(r::PROTO_SERVER), "empties a Server";
    type_near_miss = "type-near-miss", Effect::Breaking(r::PROTO_TYPE_NEAR_MISS), "misspells a mail protocol's Type";
    wrong_case_element = "element-wrong-case", Effect::Breaking(r::STRUCT_NEAR_MISS), "misspells an element name's case";
    ttl_negative = "ttl-invalid", Effect::Breaking(r::PROTO_TTL), "writes a TTL that is not a non-negative integer";
    error_code_text = "errorcode-not-integer", Effect::Breaking(r::ERR_CODE), "writes an ErrorCode that is not an integer";
    redirect_url_http = "redirecturl-http", Effect::Breaking(r::ACCT_REDIRECT_URL), "downgrades RedirectUrl to http";
}

/// The operator named `name`.
pub fn operator(name: &str) -> Option<&'static Operator> {
    OPERATORS.iter().find(|o| o.name == name)
}

/// Applies a random applicable operator; returns it with the mutated bytes. Tries every
/// operator in a seeded random order (a shuffle, so each applicable operator is equally
/// likely; a rotation would favour the ones after operators that rarely apply), so it only
/// fails when none applies.
pub fn mutate_any(doc: &Document, rng: &mut Rng) -> Option<(&'static Operator, Vec<u8>)> {
    let mut order: Vec<usize> = (0..OPERATORS.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    order.into_iter().find_map(|i| {
        let op = &OPERATORS[i];
        op.apply(doc, rng).map(|b| (op, b))
    })
}
