//! Model to tree, for the canonical writer. Elements are written unprefixed; a default
//! namespace declaration appears wherever an element's namespace differs from its parent's,
//! which puts them exactly where Microsoft's examples do (on `Autodiscover` and `Response`).

use super::fields::*;
use super::types::*;
use crate::xml::{self, Attribute, Element, Name, Node, Span, Str, Text, XMLNS_URI, XML_URI};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The element names the writer spells itself (every field and switch, and the structural
/// elements), `xmlns`, its namespace, the documented namespaces and the fixed spacing, as
/// ranges of one text built once per process. A tree written from a model then allocates
/// nothing per name or space, as a parsed tree's names are ranges of its source: each was an
/// `Arc<str>` of its own, made and freed per element (a sixth of the allocations of the
/// `structured` and `roundtrip` fuzz targets). [`super::make`] shares namespaces from here too.
///
/// Callers pass the same `&'static str`s the table is built from (the field enums' names, the
/// literals here), so the table is looked up by address and length first: hashing and comparing
/// the text were a twentieth of a `structured` fuzz run (a traced comparison per byte hashed,
/// and `memcmp`, which libFuzzer intercepts); a text met at another address is looked up by
/// content.
pub(super) fn shared(s: &str) -> Str {
    type ByAddress = HashMap<(usize, usize), Str, foldhash::fast::FixedState>;
    type ByText = HashMap<&'static str, Str, foldhash::fast::FixedState>;
    static SHARED: OnceLock<(ByAddress, ByText)> = OnceLock::new();
    let (by_address, by_text) = SHARED.get_or_init(|| {
        const STRUCTURAL: &[&str] = &[
            "Autodiscover",
            "Request",
            "Response",
            "User",
            "Error",
            "Culture",
            "Account",
            "PublicFolderInformation",
            "Protocol",
            "Internal",
            "External",
            "MailStore",
            "AddressBook",
            "NetworkRequirements",
            "OWAUrl",
            "Action",
            "Redirect",
            "Settings",
            "Server",
            "xmlns",
            XMLNS_URI,
            super::ns::REQUEST_OUTLOOK,
            super::ns::REQUEST_MOBILESYNC,
            super::ns::RESPONSE_ROOT,
            super::ns::RESPONSE_OUTLOOK,
            super::ns::RESPONSE_MOBILESYNC,
            " ",
            "",
        ];
        let mut all: Vec<&'static str> = STRUCTURAL.to_vec();
        all.extend(RequestField::ALL.iter().map(|f| f.as_str()));
        all.extend(UserField::ALL.iter().map(|f| f.as_str()));
        all.extend(AccountField::ALL.iter().map(|f| f.as_str()));
        all.extend(ProtocolField::ALL.iter().map(|f| f.as_str()));
        all.extend(SwitchField::ALL.iter().map(|f| f.as_str()));
        all.extend(ErrorField::ALL.iter().map(|f| f.as_str()));
        all.extend(MapiUrlField::ALL.iter().map(|f| f.as_str()));
        all.extend(NetworkField::ALL.iter().map(|f| f.as_str()));
        all.extend(PublicFolderField::ALL.iter().map(|f| f.as_str()));
        all.extend(MobileServerField::ALL.iter().map(|f| f.as_str()));
        let text: std::sync::Arc<str> = all.concat().into();
        let mut by_address = ByAddress::with_hasher(foldhash::fast::FixedState::default());
        let mut by_text = ByText::with_hasher(foldhash::fast::FixedState::default());
        let mut at = 0;
        for s in all {
            let str = Str::slice_of(&text, at, at + s.len()).expect("a range of the text");
            by_address.insert(address(s), str.clone());
            by_text.insert(s, str);
            at += s.len();
        }
        (by_address, by_text)
    });
    by_address
        .get(&address(s))
        .or_else(|| by_text.get(s))
        .cloned()
        .unwrap_or_else(|| Str::from(s))
}

/// Where a text lies in memory, and its length: equal for the same `&'static str`.
fn address(s: &str) -> (usize, usize) {
    (s.as_ptr() as usize, s.len())
}

/// Writes a model in the canonical form (see [`xml::write_canonical`]).
pub fn to_canonical(doc: &Document) -> String {
    xml::write_canonical(&to_tree(doc))
}

/// Converts a model to an element tree.
pub fn to_tree(doc: &Document) -> Element {
    match doc {
        Document::Request(r) => {
            let kids = r.items.iter().map(|i| match i {
                RequestRootItem::Request(g) => group("Request", g, r.root.ns.as_deref()),
                RequestRootItem::Unknown(a) => any(a, r.root.ns.as_deref()),
            });
            element("Autodiscover", &r.root, None, kids)
        }
        Document::Response(r) => {
            let ns = r.root.ns.as_deref();
            let kids = r.items.iter().map(|i| match i {
                ResponseRootItem::Response(b) => response_body(b, ns),
                ResponseRootItem::Unknown(a) => any(a, ns),
            });
            element("Autodiscover", &r.root, None, kids)
        }
    }
}

fn element(
    local: &str,
    meta: &Meta,
    parent_ns: Option<&str>,
    children: impl Iterator<Item = Element>,
) -> Element {
    let mut e = bare(shared(local), meta, parent_ns);
    e.children = children.map(Node::Element).collect();
    e
}

fn bare(local: Str, meta: &Meta, parent_ns: Option<&str>) -> Element {
    let mut attributes = Vec::new();
    if meta.ns.as_deref() != parent_ns {
        attributes.push(attribute(
            Name {
                prefix: None,
                local: shared("xmlns"),
                ns: Some(shared(XMLNS_URI)),
            },
            meta.ns.clone().unwrap_or_else(|| shared("")),
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
                prefix: Some(shared("xmlns")),
                local: p.into(),
                ns: Some(shared(XMLNS_URI)),
            },
            uri,
        ));
    }
    attributes.extend(plain);
    Element {
        name: Name {
            prefix: None,
            local,
            ns: meta.ns.clone(),
        },
        attributes,
        children: Vec::new(),
        self_closing: false,
        tag_trailing_space: shared(""),
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
        leading_space: shared(" "),
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
    let mut e = bare(shared(local), &l.meta, parent_ns);
    if !l.text.is_empty() {
        e.children.push(text(&l.text));
    }
    let ns = l.meta.ns.as_deref();
    e.children
        .extend(l.children.iter().map(|c| Node::Element(any(c, ns))));
    e
}

fn any(a: &Any, parent_ns: Option<&str>) -> Element {
    let mut e = bare(a.name.clone(), &a.meta, parent_ns);
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

fn group<F: ElementName>(local: &str, g: &Group<F>, parent_ns: Option<&str>) -> Element {
    let ns = g.meta.ns.as_deref();
    let kids = g.entries.iter().map(|en| match en {
        Entry::Field(f, l) => leaf(f.name(), l, ns),
        Entry::Unknown(a) => any(a, ns),
    });
    element(local, &g.meta, parent_ns, kids)
}

fn response_body(b: &ResponseBody, parent_ns: Option<&str>) -> Element {
    let ns = b.meta.ns.as_deref();
    let kids = b.items.iter().map(|i| match i {
        ResponseItem::User(g) => group("User", g, ns),
        ResponseItem::Account(a) => account(a, ns),
        ResponseItem::Error(g) => group("Error", g, ns),
        ResponseItem::Culture(l) => leaf("Culture", l, ns),
        ResponseItem::Action(a) => mobile_action(a, ns),
        ResponseItem::Unknown(a) => any(a, ns),
    });
    element("Response", &b.meta, parent_ns, kids)
}

fn account(a: &Account, parent_ns: Option<&str>) -> Element {
    let ns = a.meta.ns.as_deref();
    let kids = a.items.iter().map(|i| match i {
        AccountItem::Field(f, l) => leaf(f.as_str(), l, ns),
        AccountItem::Protocol(p) => protocol(p, ns),
        AccountItem::Error(g) => group("Error", g, ns),
        AccountItem::PublicFolderInformation(g) => group("PublicFolderInformation", g, ns),
        AccountItem::AlternativeMailbox(x) | AccountItem::Unknown(x) => any(x, ns),
    });
    element("Account", &a.meta, parent_ns, kids)
}

fn protocol(p: &Protocol, parent_ns: Option<&str>) -> Element {
    let ns = p.meta.ns.as_deref();
    let kids = p.items.iter().map(|i| match i {
        ProtocolItem::Field(f, l) => leaf(f.as_str(), l, ns),
        ProtocolItem::Switch(s, f) => leaf(s.as_str(), &f.leaf, ns),
        ProtocolItem::Internal(e) => endpoints("Internal", e, ns),
        ProtocolItem::External(e) => endpoints("External", e, ns),
        ProtocolItem::MailStore(g) => group("MailStore", g, ns),
        ProtocolItem::AddressBook(g) => group("AddressBook", g, ns),
        ProtocolItem::NetworkRequirements(g) => group("NetworkRequirements", g, ns),
        ProtocolItem::Unknown(a) => any(a, ns),
    });
    element("Protocol", &p.meta, parent_ns, kids)
}

fn endpoints(local: &str, e: &Endpoints, parent_ns: Option<&str>) -> Element {
    let ns = e.meta.ns.as_deref();
    let kids = e.items.iter().map(|i| match i {
        EndpointItem::OwaUrl(l) => leaf("OWAUrl", l, ns),
        EndpointItem::Protocol(p) => protocol(p, ns),
        EndpointItem::Unknown(a) => any(a, ns),
    });
    element(local, &e.meta, parent_ns, kids)
}

fn mobile_action(a: &MobileAction, parent_ns: Option<&str>) -> Element {
    let ns = a.meta.ns.as_deref();
    let kids = a.items.iter().map(|i| match i {
        MobileActionItem::Redirect(l) => leaf("Redirect", l, ns),
        MobileActionItem::Settings(s) => {
            let sns = s.meta.ns.as_deref();
            let servers = s.items.iter().map(|it| match it {
                MobileSettingsItem::Server(g) => group("Server", g, sns),
                MobileSettingsItem::Unknown(x) => any(x, sns),
            });
            element("Settings", &s.meta, ns, servers)
        }
        MobileActionItem::Error(g) => group("Error", g, ns),
        MobileActionItem::Unknown(x) => any(x, ns),
    });
    element("Action", &a.meta, parent_ns, kids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::make;

    /// Every name, namespace and space of a tree written from a model is a range of the one
    /// shared text (none allocated per element), and the text reads as before.
    #[test]
    fn written_names_share_one_text() {
        let doc = make::settings_response(
            "Fuzz",
            "fuzz@contoso.example",
            vec![make::MailProtocol {
                kind: "IMAP",
                server: "imap.contoso.example",
                port: 993,
                login: Some("fuzz"),
                domain_required: Some("off"),
                spa: "off",
                implicit_tls: true,
                explicit_encryption: true,
                auth_required: true,
                ttl: Some(1),
            }
            .build()],
        );
        let tree = to_tree(&doc);
        let anchor = shared("Autodiscover");
        let mut seen = 0;
        let mut stack = vec![&tree];
        while let Some(e) = stack.pop() {
            assert!(e.name.local.shares_source(&anchor), "{}", e.name.local);
            assert!(e.tag_trailing_space.shares_source(&anchor));
            let ns = e.name.ns.as_ref().expect("a namespace");
            assert!(ns.shares_source(&anchor), "{ns}");
            for a in &e.attributes {
                assert!(a.name.local.shares_source(&anchor), "{}", a.name.local);
                assert!(a.leading_space.shares_source(&anchor));
            }
            seen += 1;
            stack.extend(e.elements());
        }
        assert!(seen > 15, "{seen} elements");
        let back = crate::parse(to_canonical(&doc).as_bytes()).expect("canonical parses");
        assert_eq!(back.model, doc);
    }

    #[test]
    fn names_outside_the_table_are_their_own() {
        assert_eq!(
            shared("NotAnAutodiscoverName").as_str(),
            "NotAnAutodiscoverName"
        );
        assert_eq!(shared("Protocol").as_str(), "Protocol");
        assert_eq!(shared("").as_str(), "");
    }
}
