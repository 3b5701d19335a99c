//! Model to text, and to a tree. The model describes itself to the XML layer's canonical writer
//! as elements ([`xml::ElementView`]), so it is written without first being copied into a
//! tree; [`to_tree`] builds that tree from the same description for callers that want one.
//! Elements are written unprefixed; a default namespace declaration appears wherever an
//! element's namespace differs from its parent's, which puts them exactly where Microsoft's
//! examples do (on `Autodiscover` and `Response`).

use super::fields::*;
use super::types::*;
use crate::xml::{self, ChildView, Element, Str, XMLNS_URI, XML_URI};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The element names the writer spells itself (every field and switch, and the structural
/// elements), `xmlns`, its namespace, the documented namespaces and the fixed spacing, as
/// ranges of one text built once per process, so that what takes them from here allocates
/// nothing for them: [`super::make`] its namespaces (one per model element; each was an
/// `Arc<str>` of its own, made and freed per element), [`to_tree`] its names, namespaces and
/// spacing. A text not in the table is copied.
///
/// Callers pass the same `&'static str`s the table is built from (the field enums' names, the
/// literals here), so the table is looked up by address and length first: hashing and
/// comparing the text were a twentieth of a `structured` fuzz run (a traced comparison per
/// byte hashed, and `memcmp`, which libFuzzer intercepts); a text met at another address is
/// looked up by content.
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

/// Writes a model in the canonical form (see [`xml::write_canonical`]), straight from the
/// model: the same text as writing [`to_tree`]'s tree, without building it.
pub fn to_canonical(doc: &Document) -> String {
    xml::write_canonical_view(&View::root(doc))
}

/// Converts a model to an element tree, the tree its canonical text describes (see
/// [`xml::element_from_view`]): the writer's own names, the documented namespaces and the
/// spacing are shared among all trees, every other text (element texts, attribute values, the
/// names of unknown elements and attributes) is copied. The canonical writer does not go
/// through it.
pub fn to_tree(doc: &Document) -> Element {
    xml::element_from_view(&View::root(doc), &shared)
}

/// A model element as the writers read it ([`xml::ElementView`]): its name, its metadata, its
/// parent's namespace (a default namespace declaration is written where the two differ) and
/// what it holds. `View`, its constructors below and its `children` are the one place that
/// says which model item is written as which element.
#[derive(Clone, Copy)]
struct View<'a> {
    local: &'a str,
    meta: &'a Meta,
    parent_ns: Option<&'a str>,
    body: Body<'a>,
}

/// What a [`View`] holds.
#[derive(Clone, Copy)]
enum Body<'a> {
    RequestRoot(&'a [RequestRootItem]),
    ResponseRoot(&'a [ResponseRootItem]),
    Group(&'a dyn Entries),
    Leaf(&'a Leaf),
    Any(&'a Any),
    Response(&'a [ResponseItem]),
    Account(&'a [AccountItem]),
    Protocol(&'a [ProtocolItem]),
    Endpoints(&'a [EndpointItem]),
    Action(&'a [MobileActionItem]),
    Settings(&'a [MobileSettingsItem]),
}

/// A [`Group`]'s entries as views, whatever its field type.
trait Entries {
    fn each<'a>(&'a self, ns: Option<&'a str>, f: &mut dyn FnMut(View<'a>));
}

impl<F: ElementName> Entries for Group<F> {
    fn each<'a>(&'a self, ns: Option<&'a str>, f: &mut dyn FnMut(View<'a>)) {
        for en in &self.entries {
            f(match en {
                Entry::Field(f, l) => leaf(f.name(), l, ns),
                Entry::Unknown(a) => any(a, ns),
            });
        }
    }
}

fn view<'a>(
    local: &'a str,
    meta: &'a Meta,
    parent_ns: Option<&'a str>,
    body: Body<'a>,
) -> View<'a> {
    View {
        local,
        meta,
        parent_ns,
        body,
    }
}

fn leaf<'a>(local: &'a str, l: &'a Leaf, parent_ns: Option<&'a str>) -> View<'a> {
    view(local, &l.meta, parent_ns, Body::Leaf(l))
}

fn any<'a>(a: &'a Any, parent_ns: Option<&'a str>) -> View<'a> {
    view(&a.name, &a.meta, parent_ns, Body::Any(a))
}

fn group<'a, F: ElementName>(
    local: &'a str,
    g: &'a Group<F>,
    parent_ns: Option<&'a str>,
) -> View<'a> {
    view(local, &g.meta, parent_ns, Body::Group(g))
}

fn protocol<'a>(p: &'a Protocol, parent_ns: Option<&'a str>) -> View<'a> {
    view("Protocol", &p.meta, parent_ns, Body::Protocol(&p.items))
}

impl<'a> View<'a> {
    fn root(doc: &'a Document) -> Self {
        match doc {
            Document::Request(r) => {
                view("Autodiscover", &r.root, None, Body::RequestRoot(&r.items))
            }
            Document::Response(r) => {
                view("Autodiscover", &r.root, None, Body::ResponseRoot(&r.items))
            }
        }
    }
}

impl<'a> xml::ElementView for View<'a> {
    /// Every child element or text, in order. A leaf's or an unknown element's children, texts
    /// among them, go to `each` directly; every other body holds only elements, passed
    /// through `el`.
    fn children(&self, each: &mut dyn FnMut(ChildView<'_, Self>)) {
        let meta: &'a Meta = self.meta;
        let ns = meta.ns.as_deref();
        let mut el = |v: View<'a>| each(ChildView::Element(v));
        match self.body {
            Body::RequestRoot(items) => items.iter().for_each(|i| match i {
                RequestRootItem::Request(g) => el(group("Request", g, ns)),
                RequestRootItem::Unknown(a) => el(any(a, ns)),
            }),
            Body::ResponseRoot(items) => items.iter().for_each(|i| match i {
                ResponseRootItem::Response(b) => {
                    el(view("Response", &b.meta, ns, Body::Response(&b.items)))
                }
                ResponseRootItem::Unknown(a) => el(any(a, ns)),
            }),
            Body::Group(g) => g.each(ns, &mut el),
            Body::Leaf(l) => {
                if !l.text.is_empty() {
                    each(ChildView::Text(&l.text));
                }
                for c in &l.children {
                    each(ChildView::Element(any(c, ns)));
                }
            }
            Body::Any(a) => {
                for n in &a.content {
                    each(match n {
                        AnyNode::Element(c) => ChildView::Element(any(c, ns)),
                        AnyNode::Text(t) => ChildView::Text(t),
                    });
                }
            }
            Body::Response(items) => items.iter().for_each(|i| match i {
                ResponseItem::User(g) => el(group("User", g, ns)),
                ResponseItem::Account(a) => {
                    el(view("Account", &a.meta, ns, Body::Account(&a.items)))
                }
                ResponseItem::Error(g) => el(group("Error", g, ns)),
                ResponseItem::Culture(l) => el(leaf("Culture", l, ns)),
                ResponseItem::Action(a) => el(view("Action", &a.meta, ns, Body::Action(&a.items))),
                ResponseItem::Unknown(a) => el(any(a, ns)),
            }),
            Body::Account(items) => items.iter().for_each(|i| match i {
                AccountItem::Field(f, l) => el(leaf(f.as_str(), l, ns)),
                AccountItem::Protocol(p) => el(protocol(p, ns)),
                AccountItem::Error(g) => el(group("Error", g, ns)),
                AccountItem::PublicFolderInformation(g) => {
                    el(group("PublicFolderInformation", g, ns))
                }
                AccountItem::AlternativeMailbox(x) | AccountItem::Unknown(x) => el(any(x, ns)),
            }),
            Body::Protocol(items) => items.iter().for_each(|i| match i {
                ProtocolItem::Field(f, l) => el(leaf(f.as_str(), l, ns)),
                ProtocolItem::Switch(s, f) => el(leaf(s.as_str(), &f.leaf, ns)),
                ProtocolItem::Internal(e) => {
                    el(view("Internal", &e.meta, ns, Body::Endpoints(&e.items)))
                }
                ProtocolItem::External(e) => {
                    el(view("External", &e.meta, ns, Body::Endpoints(&e.items)))
                }
                ProtocolItem::MailStore(g) => el(group("MailStore", g, ns)),
                ProtocolItem::AddressBook(g) => el(group("AddressBook", g, ns)),
                ProtocolItem::NetworkRequirements(g) => el(group("NetworkRequirements", g, ns)),
                ProtocolItem::Unknown(a) => el(any(a, ns)),
            }),
            Body::Endpoints(items) => items.iter().for_each(|i| match i {
                EndpointItem::OwaUrl(l) => el(leaf("OWAUrl", l, ns)),
                EndpointItem::Protocol(p) => el(protocol(p, ns)),
                EndpointItem::Unknown(a) => el(any(a, ns)),
            }),
            Body::Action(items) => items.iter().for_each(|i| match i {
                MobileActionItem::Redirect(l) => el(leaf("Redirect", l, ns)),
                MobileActionItem::Settings(s) => {
                    el(view("Settings", &s.meta, ns, Body::Settings(&s.items)))
                }
                MobileActionItem::Error(g) => el(group("Error", g, ns)),
                MobileActionItem::Unknown(x) => el(any(x, ns)),
            }),
            Body::Settings(items) => items.iter().for_each(|i| match i {
                MobileSettingsItem::Server(g) => el(group("Server", g, ns)),
                MobileSettingsItem::Unknown(x) => el(any(x, ns)),
            }),
        }
    }

    fn name(&self) -> (Option<&str>, &str) {
        (None, self.local)
    }

    fn namespace(&self) -> Option<&str> {
        self.meta.ns.as_deref()
    }

    /// A default namespace declaration where the namespace differs from the parent's, then a
    /// declaration for each namespace of the attributes (`a0`, `a1`, … in order of first use;
    /// the XML namespace is bound to `xml` by definition and declaring it is an error), then
    /// the attributes.
    fn attributes(&self, each: &mut dyn FnMut(xml::AttributeView<'_>)) {
        let ns = self.meta.ns.as_deref();
        if ns != self.parent_ns {
            each(xml::AttributeView {
                prefix: None,
                local: "xmlns",
                ns: Some(XMLNS_URI),
                value: ns.unwrap_or(""),
            });
        }
        let attrs = &self.meta.attrs;
        let mut declared: Vec<(Cow<'static, str>, &str)> = Vec::new();
        let mut prefixes: Vec<Option<Cow<'static, str>>> = Vec::new();
        // Almost every element has no namespaced attribute: no list is made for those.
        if attrs.iter().any(|a| a.ns.is_some()) {
            prefixes = attrs
                .iter()
                .map(|a| {
                    let uri = a.ns.as_deref()?;
                    if uri == XML_URI {
                        return Some(Cow::Borrowed("xml"));
                    }
                    if let Some((p, _)) = declared.iter().find(|(_, u)| *u == uri) {
                        return Some(p.clone());
                    }
                    let p: Cow<'static, str> = Cow::Owned(format!("a{}", declared.len()));
                    declared.push((p.clone(), uri));
                    Some(p)
                })
                .collect();
        }
        for (p, uri) in &declared {
            each(xml::AttributeView {
                prefix: Some("xmlns"),
                local: p,
                ns: Some(XMLNS_URI),
                value: uri,
            });
        }
        for (i, a) in attrs.iter().enumerate() {
            each(xml::AttributeView {
                prefix: prefixes.get(i).and_then(|p| p.as_deref()),
                local: &a.name,
                ns: a.ns.as_deref(),
                value: &a.value,
            });
        }
    }
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
