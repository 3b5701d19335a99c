//! The typed model of request and response documents.
//!
//! Every container keeps its children in document order as a list of typed items, so that
//! repeated, misplaced and unknown elements all stay reachable (they are data for rules), and
//! writing the model and reading it back gives an equal model. Equality ignores where a node
//! stood in its source ([`Loc`]) and how its text was spelled lexically (references, CDATA,
//! comments): it compares what an XML processor reports.

use super::fields::*;
use super::ns::{classify, KnownNs, NsClass};
use super::onoff::OnOff;
use crate::xml::Str;
use serde::Serialize;

/// Where a model node came from: offsets into the source text. Never compared. The element's
/// path is not kept: [`crate::xml::Document::element_paths`] computes it from `start` for the
/// few elements a finding is about.
#[derive(Debug, Clone, Copy, Default, Eq)]
pub struct Loc {
    /// Offset of the element's start tag.
    pub start: usize,
    /// Offset just after the start tag, where its text begins.
    pub content_start: usize,
}

impl PartialEq for Loc {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// An attribute other than a namespace declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attr {
    /// Its namespace, for prefixed attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ns: Option<Str>,
    /// Its local name.
    pub name: Str,
    /// Its normalized value.
    pub value: Str,
}

/// What every model element carries: its namespace, attributes and source location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meta {
    /// The element's namespace URI as found (shared with the tree's when built from one).
    pub ns: Option<Str>,
    /// Attributes (namespace declarations excluded).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<Attr>,
    /// Source location.
    #[serde(skip)]
    pub loc: Loc,
}

impl Meta {
    /// A meta for an element in namespace `ns`, with no attributes.
    pub fn in_ns(ns: &str) -> Self {
        Meta {
            ns: Some(ns.into()),
            attrs: Vec::new(),
            loc: Loc::default(),
        }
    }

    /// The value of the unprefixed attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// How this element's namespace classifies.
    pub fn ns_class(&self) -> NsClass {
        classify(self.ns.as_deref())
    }
}

/// Content of an element the model does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AnyNode {
    /// A child element.
    Element(Any),
    /// Character data (adjacent text and CDATA merged).
    Text(Str),
}

/// An element the model does not know, normalized: comments and processing instructions are
/// dropped, adjacent text merged, and whitespace-only text beside child elements dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Any {
    /// Local name.
    pub name: Str,
    /// Namespace, attributes, location.
    pub meta: Meta,
    /// Content in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<AnyNode>,
}

/// A text-only element: its text as an XML processor reports it (exact, whitespace kept).
/// Child elements, which a text-only element should not have, are kept in `children`; beside
/// them, whitespace-only text runs are indentation and are not part of `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leaf {
    /// Namespace, attributes, location.
    pub meta: Meta,
    /// The character data (shared with the tree's text node when it is one node).
    pub text: Str,
    /// Unexpected child elements.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Any>,
}

impl Leaf {
    /// A leaf holding `text` in namespace `ns`.
    pub fn new(ns: &str, text: &str) -> Self {
        Leaf {
            meta: Meta::in_ns(ns),
            text: text.into(),
            children: Vec::new(),
        }
    }
}

/// An item of a container whose known children are all text-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Entry<F> {
    /// A known child.
    Field(F, Leaf),
    /// An unknown child (or a known name in a foreign namespace).
    Unknown(Any),
}

/// A container whose known children are all text-only (`User`, `Error`, `Request`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group<F> {
    /// Namespace, attributes, location.
    pub meta: Meta,
    /// Children in order.
    pub entries: Vec<Entry<F>>,
}

impl<F: Copy + PartialEq> Group<F> {
    /// The first child named `field`.
    pub fn get(&self, field: F) -> Option<&Leaf> {
        self.all(field).next()
    }

    /// Every child named `field`, in order.
    pub fn all(&self, field: F) -> impl Iterator<Item = &Leaf> {
        self.entries.iter().filter_map(move |e| match e {
            Entry::Field(f, l) if *f == field => Some(l),
            _ => None,
        })
    }

    /// The first child named `field`'s text.
    pub fn text(&self, field: F) -> Option<&str> {
        self.get(field).map(|l| l.text.as_str())
    }

    /// Unknown children.
    pub fn unknown(&self) -> impl Iterator<Item = &Any> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Unknown(a) => Some(a),
            _ => None,
        })
    }
}

/// A request or a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Document {
    /// `Autodiscover/Request`.
    Request(Request),
    /// `Autodiscover/Response`.
    Response(Response),
}

impl Document {
    /// `"request"` or `"response"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Document::Request(_) => "request",
            Document::Response(_) => "response",
        }
    }
}

/// Which request schema a request is in, from its root namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RequestSchema {
    /// Outlook (`.../outlook/requestschema/2006`).
    Outlook,
    /// ActiveSync (`.../mobilesync/requestschema/2006`).
    MobileSync,
    /// Neither (wrong or missing namespace).
    Unknown,
}

/// A request document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The root `Autodiscover` element.
    pub root: Meta,
    /// Children of the root.
    pub items: Vec<RequestRootItem>,
}

/// A child of a request's root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RequestRootItem {
    /// `Request`.
    Request(Group<RequestField>),
    /// Anything else.
    Unknown(Any),
}

impl Request {
    /// The schema, from the root namespace (look-alikes count as what they resemble).
    pub fn schema(&self) -> RequestSchema {
        match self.root.ns_class().intended() {
            Some(KnownNs::RequestOutlook) => RequestSchema::Outlook,
            Some(KnownNs::RequestMobileSync) => RequestSchema::MobileSync,
            _ => RequestSchema::Unknown,
        }
    }

    /// Every `Request` element.
    pub fn bodies(&self) -> impl Iterator<Item = &Group<RequestField>> {
        self.items.iter().filter_map(|i| match i {
            RequestRootItem::Request(g) => Some(g),
            _ => None,
        })
    }

    /// The first `Request` element.
    pub fn body(&self) -> Option<&Group<RequestField>> {
        self.bodies().next()
    }

    /// The first field `f` of the first `Request`.
    pub fn field(&self, f: RequestField) -> Option<&str> {
        self.body().and_then(|b| b.text(f))
    }
}

/// A response document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// The root `Autodiscover` element.
    pub root: Meta,
    /// Children of the root.
    pub items: Vec<ResponseRootItem>,
}

/// A child of a response's root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ResponseRootItem {
    /// `Response`.
    Response(ResponseBody),
    /// Anything else.
    Unknown(Any),
}

/// The `Response` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseBody {
    /// Namespace (Outlook, mobilesync or root), attributes, location.
    pub meta: Meta,
    /// Children in order.
    pub items: Vec<ResponseItem>,
}

/// A child of `Response`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ResponseItem {
    /// `User`.
    User(Group<UserField>),
    /// `Account` (Outlook).
    Account(Account),
    /// `Error` directly under `Response` (the published examples' placement).
    Error(Group<ErrorField>),
    /// `Culture` (mobilesync).
    Culture(Leaf),
    /// `Action` (mobilesync).
    Action(MobileAction),
    /// Anything else.
    Unknown(Any),
}

impl Response {
    /// Every `Response` element.
    pub fn bodies(&self) -> impl Iterator<Item = &ResponseBody> {
        self.items.iter().filter_map(|i| match i {
            ResponseRootItem::Response(b) => Some(b),
            _ => None,
        })
    }

    /// The first `Response` element.
    pub fn body(&self) -> Option<&ResponseBody> {
        self.bodies().next()
    }

    /// Every `Account` of the first `Response`.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.body().into_iter().flat_map(|b| b.accounts())
    }

    /// Every `Protocol` directly under an `Account` of the first `Response`.
    pub fn protocols(&self) -> impl Iterator<Item = &Protocol> {
        self.accounts().flat_map(|a| a.protocols())
    }
}

impl ResponseBody {
    /// Every `Account`.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.items.iter().filter_map(|i| match i {
            ResponseItem::Account(a) => Some(a),
            _ => None,
        })
    }

    /// Every `User`.
    pub fn users(&self) -> impl Iterator<Item = &Group<UserField>> {
        self.items.iter().filter_map(|i| match i {
            ResponseItem::User(u) => Some(u),
            _ => None,
        })
    }

    /// Every `Error`, whether under `Response` or under an `Account`.
    pub fn errors(&self) -> impl Iterator<Item = &Group<ErrorField>> {
        self.items
            .iter()
            .flat_map(|i| -> Box<dyn Iterator<Item = &Group<ErrorField>> + '_> {
                match i {
                    ResponseItem::Error(e) => Box::new(std::iter::once(e)),
                    ResponseItem::Account(a) => Box::new(a.errors()),
                    ResponseItem::Action(a) => Box::new(a.errors()),
                    _ => Box::new(std::iter::empty()),
                }
            })
    }
}

/// The `Account` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Namespace, attributes, location.
    pub meta: Meta,
    /// Children in order.
    pub items: Vec<AccountItem>,
}

/// A child of `Account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AccountItem {
    /// A text-only child.
    Field(AccountField, Leaf),
    /// `Protocol`.
    Protocol(Protocol),
    /// `Error` (the reference page's placement).
    Error(Group<ErrorField>),
    /// `PublicFolderInformation`.
    PublicFolderInformation(Group<PublicFolderField>),
    /// `AlternativeMailbox` (its children are not verified against the specification).
    AlternativeMailbox(Any),
    /// Anything else.
    Unknown(Any),
}

impl Account {
    /// Every child named `f`.
    pub fn fields(&self, f: AccountField) -> impl Iterator<Item = &Leaf> {
        self.items.iter().filter_map(move |i| match i {
            AccountItem::Field(g, l) if *g == f => Some(l),
            _ => None,
        })
    }

    /// The first child named `f`.
    pub fn field(&self, f: AccountField) -> Option<&Leaf> {
        self.fields(f).next()
    }

    /// The text of the first child named `f`.
    pub fn text(&self, f: AccountField) -> Option<&str> {
        self.field(f).map(|l| l.text.as_str())
    }

    /// Every `Protocol`.
    pub fn protocols(&self) -> impl Iterator<Item = &Protocol> {
        self.items.iter().filter_map(|i| match i {
            AccountItem::Protocol(p) => Some(p),
            _ => None,
        })
    }

    /// Every `Error` under this account.
    pub fn errors(&self) -> impl Iterator<Item = &Group<ErrorField>> {
        self.items.iter().filter_map(|i| match i {
            AccountItem::Error(e) => Some(e),
            _ => None,
        })
    }
}

/// An on/off element: the leaf and its classified value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// The element.
    pub leaf: Leaf,
    /// Its value, classified from `leaf.text`.
    pub value: OnOff,
}

impl Flag {
    /// A flag element in namespace `ns` holding `text`.
    pub fn new(ns: &str, text: &str) -> Self {
        Flag {
            leaf: Leaf::new(ns, text),
            value: OnOff::classify(text),
        }
    }
}

/// The `Protocol` element: flat (`Type` child) or the MAPI/HTTP form (`Type` attribute).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protocol {
    /// Namespace, attributes (`Type`, `Version` in the MAPI/HTTP form), location.
    pub meta: Meta,
    /// Children in order.
    pub items: Vec<ProtocolItem>,
}

/// A child of `Protocol`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ProtocolItem {
    /// A text-only child.
    Field(ProtocolField, Leaf),
    /// An on/off child.
    Switch(SwitchField, Flag),
    /// `Internal` (WEB).
    Internal(Endpoints),
    /// `External` (WEB).
    External(Endpoints),
    /// `MailStore` (MAPI/HTTP).
    MailStore(Group<MapiUrlField>),
    /// `AddressBook` (MAPI/HTTP).
    AddressBook(Group<MapiUrlField>),
    /// `NetworkRequirements`.
    NetworkRequirements(Group<NetworkField>),
    /// Anything else.
    Unknown(Any),
}

impl Protocol {
    /// Every child named `f`.
    pub fn fields(&self, f: ProtocolField) -> impl Iterator<Item = &Leaf> {
        self.items.iter().filter_map(move |i| match i {
            ProtocolItem::Field(g, l) if *g == f => Some(l),
            _ => None,
        })
    }

    /// The first child named `f`.
    pub fn field(&self, f: ProtocolField) -> Option<&Leaf> {
        self.fields(f).next()
    }

    /// The text of the first child named `f`.
    pub fn text(&self, f: ProtocolField) -> Option<&str> {
        self.field(f).map(|l| l.text.as_str())
    }

    /// Every on/off child named `s`.
    pub fn switches(&self, s: SwitchField) -> impl Iterator<Item = &Flag> {
        self.items.iter().filter_map(move |i| match i {
            ProtocolItem::Switch(g, f) if *g == s => Some(f),
            _ => None,
        })
    }

    /// The first on/off child named `s`.
    pub fn switch(&self, s: SwitchField) -> Option<&Flag> {
        self.switches(s).next()
    }

    /// What a client following the documentation takes `s` to mean: the element's value when
    /// it is exact or a case variant, else the documented default when absent; `None` when the
    /// value is unusable or absence has no documented default.
    pub fn effective(&self, s: SwitchField) -> Option<bool> {
        match self.switch(s) {
            Some(f) => f.value.value,
            None => s.documented_default(),
        }
    }

    /// The protocol's kind: the `Type` child's text, else the `Type` attribute (MAPI/HTTP form).
    pub fn kind(&self) -> Option<&str> {
        self.text(ProtocolField::Type)
            .map(str::trim)
            .or_else(|| self.meta.attr("Type"))
    }

    /// Whether this is the MAPI/HTTP attribute form (`<Protocol Type="mapiHttp" ...>`).
    pub fn is_attribute_form(&self) -> bool {
        self.meta.attr("Type").is_some()
    }

    /// Protocols nested in `Internal`/`External`.
    pub fn nested(&self) -> impl Iterator<Item = &Protocol> {
        self.items
            .iter()
            .filter_map(|i| match i {
                ProtocolItem::Internal(e) | ProtocolItem::External(e) => Some(e),
                _ => None,
            })
            .flat_map(|e| e.protocols())
    }
}

/// `Internal` or `External` under a WEB protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoints {
    /// Namespace, attributes, location.
    pub meta: Meta,
    /// Children in order.
    pub items: Vec<EndpointItem>,
}

/// A child of `Internal`/`External`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EndpointItem {
    /// `OWAUrl` (attribute `AuthenticationMethod`).
    OwaUrl(Leaf),
    /// A nested `Protocol` (Type and ASUrl).
    Protocol(Protocol),
    /// Anything else.
    Unknown(Any),
}

impl Endpoints {
    /// Nested protocols.
    pub fn protocols(&self) -> impl Iterator<Item = &Protocol> {
        self.items.iter().filter_map(|i| match i {
            EndpointItem::Protocol(p) => Some(p),
            _ => None,
        })
    }
}

/// The mobilesync `Action` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MobileAction {
    /// Namespace, attributes, location.
    pub meta: Meta,
    /// Children in order.
    pub items: Vec<MobileActionItem>,
}

/// A child of the mobilesync `Action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum MobileActionItem {
    /// `Redirect`: an address whose domain to retry.
    Redirect(Leaf),
    /// `Settings`.
    Settings(MobileSettings),
    /// `Error`.
    Error(Group<ErrorField>),
    /// Anything else.
    Unknown(Any),
}

impl MobileAction {
    /// Every `Error`.
    pub fn errors(&self) -> impl Iterator<Item = &Group<ErrorField>> {
        self.items.iter().filter_map(|i| match i {
            MobileActionItem::Error(e) => Some(e),
            _ => None,
        })
    }
}

/// The mobilesync `Settings` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MobileSettings {
    /// Namespace, attributes, location.
    pub meta: Meta,
    /// Children in order.
    pub items: Vec<MobileSettingsItem>,
}

/// A child of the mobilesync `Settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum MobileSettingsItem {
    /// `Server`.
    Server(Group<MobileServerField>),
    /// Anything else.
    Unknown(Any),
}
