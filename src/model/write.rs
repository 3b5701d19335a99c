//! Model to tree, for the canonical writer. Elements are written unprefixed; a default
//! namespace declaration appears wherever an element's namespace differs from its parent's,
//! which puts them exactly where Microsoft's examples do (on `Autodiscover` and `Response`).

use super::types::*;
use crate::xml::{self, Attribute, Element, Name, Node, Span, Str, Text, XMLNS_URI, XML_URI};

/// Writes a model in the canonical form (see [`xml::write_canonical`]).
pub fn to_canonical(doc: &Document) -> String {
    xml::write_canonical(&to_tree(doc))
}

/// Converts a model to an element tree.
pub fn to_tree(doc: &Document) -> Element {
    match doc {
        Document::Request(r) => {
            let kids = r
                .items
                .iter()
                .map(|i| match i {
                    RequestRootItem::Request(g) => group("Request", g, r.root.ns.as_deref()),
                    RequestRootItem::Unknown(a) => any(a, r.root.ns.as_deref()),
                })
                .collect();
            element("Autodiscover", &r.root, None, kids)
        }
        Document::Response(r) => {
            let ns = r.root.ns.as_deref();
            let kids = r
                .items
                .iter()
                .map(|i| match i {
                    ResponseRootItem::Response(b) => response_body(b, ns),
                    ResponseRootItem::Unknown(a) => any(a, ns),
                })
                .collect();
            element("Autodiscover", &r.root, None, kids)
        }
    }
}

fn element(local: &str, meta: &Meta, parent_ns: Option<&str>, children: Vec<Element>) -> Element {
    let mut e = bare(local, meta, parent_ns);
    e.children = children.into_iter().map(Node::Element).collect();
    e
}

fn bare(local: &str, meta: &Meta, parent_ns: Option<&str>) -> Element {
    let mut attributes = Vec::new();
    if meta.ns.as_deref() != parent_ns {
        attributes.push(attribute(
            Name {
                prefix: None,
                local: "xmlns".into(),
                ns: Some(XMLNS_URI.into()),
            },
            meta.ns.clone().unwrap_or_default(),
        ));
    }
    let mut declared: Vec<(String, Str)> = Vec::new();
    let mut plain = Vec::new();
    for a in &meta.attrs {
        let prefix = a.ns.as_ref().map(|uri| {
            // Bound by definition: declaring another prefix for it is a namespace error.
            if uri.as_str() == XML_URI {
                return "xml".to_owned();
            }
            if let Some((p, _)) = declared.iter().find(|(_, u)| u == uri) {
                return p.clone();
            }
            let p = format!("a{}", declared.len());
            declared.push((p.clone(), uri.clone()));
            p
        });
        plain.push(attribute(
            Name {
                prefix: prefix.map(Str::from),
                local: a.name.clone(),
                ns: a.ns.clone(),
            },
            a.value.clone(),
        ));
    }
    for (p, uri) in declared {
        attributes.push(attribute(
            Name {
                prefix: Some("xmlns".into()),
                local: p.into(),
                ns: Some(XMLNS_URI.into()),
            },
            uri,
        ));
    }
    attributes.extend(plain);
    Element {
        name: Name {
            prefix: None,
            local: local.into(),
            ns: meta.ns.clone(),
        },
        attributes,
        children: Vec::new(),
        self_closing: false,
        tag_trailing_space: Str::default(),
        span: Span::default(),
        start_tag: Span::default(),
    }
}

fn attribute(name: Name, value: Str) -> Attribute {
    Attribute {
        name,
        raw: value.clone(),
        value,
        quote: '"',
        leading_space: " ".into(),
    }
}

fn text(value: &Str) -> Node {
    let value = value.clone();
    Node::Text(Text {
        raw: value.clone(),
        value,
        span: Span::default(),
    })
}

fn leaf(local: &str, l: &Leaf, parent_ns: Option<&str>) -> Element {
    let mut e = bare(local, &l.meta, parent_ns);
    if !l.text.is_empty() {
        e.children.push(text(&l.text));
    }
    let ns = l.meta.ns.as_deref();
    e.children
        .extend(l.children.iter().map(|c| Node::Element(any(c, ns))));
    e
}

fn any(a: &Any, parent_ns: Option<&str>) -> Element {
    let mut e = bare(&a.name, &a.meta, parent_ns);
    let ns = a.meta.ns.as_deref();
    e.children = a
        .content
        .iter()
        .map(|n| match n {
            AnyNode::Element(c) => Node::Element(any(c, ns)),
            AnyNode::Text(t) => text(t),
        })
        .collect();
    e
}

fn group<F: Copy + std::fmt::Display>(
    local: &str,
    g: &Group<F>,
    parent_ns: Option<&str>,
) -> Element {
    let ns = g.meta.ns.as_deref();
    let kids = g
        .entries
        .iter()
        .map(|en| match en {
            Entry::Field(f, l) => leaf(&f.to_string(), l, ns),
            Entry::Unknown(a) => any(a, ns),
        })
        .collect();
    element(local, &g.meta, parent_ns, kids)
}

fn response_body(b: &ResponseBody, parent_ns: Option<&str>) -> Element {
    let ns = b.meta.ns.as_deref();
    let kids = b
        .items
        .iter()
        .map(|i| match i {
            ResponseItem::User(g) => group("User", g, ns),
            ResponseItem::Account(a) => account(a, ns),
            ResponseItem::Error(g) => group("Error", g, ns),
            ResponseItem::Culture(l) => leaf("Culture", l, ns),
            ResponseItem::Action(a) => mobile_action(a, ns),
            ResponseItem::Unknown(a) => any(a, ns),
        })
        .collect();
    element("Response", &b.meta, parent_ns, kids)
}

fn account(a: &Account, parent_ns: Option<&str>) -> Element {
    let ns = a.meta.ns.as_deref();
    let kids = a
        .items
        .iter()
        .map(|i| match i {
            AccountItem::Field(f, l) => leaf(f.as_str(), l, ns),
            AccountItem::Protocol(p) => protocol(p, ns),
            AccountItem::Error(g) => group("Error", g, ns),
            AccountItem::PublicFolderInformation(g) => group("PublicFolderInformation", g, ns),
            AccountItem::AlternativeMailbox(x) | AccountItem::Unknown(x) => any(x, ns),
        })
        .collect();
    element("Account", &a.meta, parent_ns, kids)
}

fn protocol(p: &Protocol, parent_ns: Option<&str>) -> Element {
    let ns = p.meta.ns.as_deref();
    let kids = p
        .items
        .iter()
        .map(|i| match i {
            ProtocolItem::Field(f, l) => leaf(f.as_str(), l, ns),
            ProtocolItem::Switch(s, f) => leaf(s.as_str(), &f.leaf, ns),
            ProtocolItem::Internal(e) => endpoints("Internal", e, ns),
            ProtocolItem::External(e) => endpoints("External", e, ns),
            ProtocolItem::MailStore(g) => group("MailStore", g, ns),
            ProtocolItem::AddressBook(g) => group("AddressBook", g, ns),
            ProtocolItem::NetworkRequirements(g) => group("NetworkRequirements", g, ns),
            ProtocolItem::Unknown(a) => any(a, ns),
        })
        .collect();
    element("Protocol", &p.meta, parent_ns, kids)
}

fn endpoints(local: &str, e: &Endpoints, parent_ns: Option<&str>) -> Element {
    let ns = e.meta.ns.as_deref();
    let kids = e
        .items
        .iter()
        .map(|i| match i {
            EndpointItem::OwaUrl(l) => leaf("OWAUrl", l, ns),
            EndpointItem::Protocol(p) => protocol(p, ns),
            EndpointItem::Unknown(a) => any(a, ns),
        })
        .collect();
    element(local, &e.meta, parent_ns, kids)
}

fn mobile_action(a: &MobileAction, parent_ns: Option<&str>) -> Element {
    let ns = a.meta.ns.as_deref();
    let kids = a
        .items
        .iter()
        .map(|i| match i {
            MobileActionItem::Redirect(l) => leaf("Redirect", l, ns),
            MobileActionItem::Settings(s) => {
                let sns = s.meta.ns.as_deref();
                let servers = s
                    .items
                    .iter()
                    .map(|it| match it {
                        MobileSettingsItem::Server(g) => group("Server", g, sns),
                        MobileSettingsItem::Unknown(x) => any(x, sns),
                    })
                    .collect();
                element("Settings", &s.meta, ns, servers)
            }
            MobileActionItem::Error(g) => group("Error", g, ns),
            MobileActionItem::Unknown(x) => any(x, ns),
        })
        .collect();
    element("Action", &a.meta, parent_ns, kids)
}
