//! Tree to model. Tolerant by design: anything short of a root that is not `Autodiscover`
//! becomes a model, with misplaced and unknown elements kept for the rules to judge.

use super::fields::*;
use super::ns::{classify, NsClass};
use super::onoff::OnOff;
use super::types::*;
use crate::xml::{self, Element, Node};
use thiserror::Error;

/// Why a well-formed document could not be read as an Autodiscover document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModelError {
    /// The root element is not named `Autodiscover`.
    #[error("root element is <{found}>, expected <Autodiscover>")]
    NotAutodiscover {
        /// The root's qualified name.
        found: String,
        /// Offset of the root's start tag.
        offset: usize,
    },
    /// Neither the root namespace nor the root's children say request or response.
    #[error("cannot tell a request from a response: root namespace is {ns} and there is no Request or Response child")]
    UnknownKind {
        /// The root's namespace, for the message.
        ns: String,
        /// Offset of the root's start tag.
        offset: usize,
    },
}

impl ModelError {
    /// Offset the error points at.
    pub fn offset(&self) -> usize {
        match self {
            ModelError::NotAutodiscover { offset, .. } | ModelError::UnknownKind { offset, .. } => {
                *offset
            }
        }
    }
}

/// Builds the typed model of a parsed document.
pub fn from_tree(doc: &xml::Document) -> Result<Document, ModelError> {
    let root = &doc.root;
    if root.name.local != "Autodiscover" {
        return Err(ModelError::NotAutodiscover {
            found: root.name.qualified(),
            offset: root.span.start,
        });
    }
    let is_request = match classify(root.name.ns.as_deref()) {
        NsClass::Known(k) | NsClass::LookAlike(k) => k.is_request(),
        _ => {
            let has = |n: &str| root.elements().any(|e| e.name.local == n);
            if has("Request") {
                true
            } else if has("Response") {
                false
            } else {
                return Err(ModelError::UnknownKind {
                    ns: root
                        .name
                        .ns
                        .as_deref()
                        .map_or("absent".to_owned(), |n| format!("\"{n}\"")),
                    offset: root.span.start,
                });
            }
        }
    };
    let meta = meta(root);
    if is_request {
        let items = map_elements(root, |c| {
            if c.name.local == "Request" && c.name.ns == root.name.ns {
                RequestRootItem::Request(group(c, RequestField::from_local))
            } else {
                RequestRootItem::Unknown(any(c))
            }
        });
        Ok(Document::Request(Request { root: meta, items }))
    } else {
        let items = map_elements(root, |c| {
            // Response re-declares the default namespace, so it is matched by name alone.
            if c.name.local == "Response" {
                ResponseRootItem::Response(response_body(c))
            } else {
                ResponseRootItem::Unknown(any(c))
            }
        });
        Ok(Document::Response(Response { root: meta, items }))
    }
}

/// Whether `child` belongs to `parent`'s vocabulary: same namespace, as default-namespace
/// inheritance gives.
fn same_ns(parent: &Element, child: &Element) -> bool {
    parent.name.ns == child.name.ns
}

/// `f` of each of `e`'s child elements, in order, in a vector allocated once at its size:
/// `elements()` filters the children, so `collect` had no size to go by and grew the vector by
/// doubling (two or three reallocations for a `Protocol`, each a copy, and under the fuzzers'
/// ASan an allocation and a free with their stack traces).
fn map_elements<T>(e: &Element, f: impl FnMut(&Element) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(e.elements().count());
    out.extend(e.elements().map(f));
    out
}

/// Every model element is built through here: its one unit of work.
fn meta(e: &Element) -> Meta {
    crate::cost::add(1);
    Meta {
        ns: e.name.ns.clone(),
        attrs: e
            .plain_attributes()
            .map(|a| Attr {
                ns: a.name.ns.clone(),
                name: a.name.local.clone(),
                value: a.value.clone(),
            })
            .collect(),
        loc: Loc {
            start: e.span.start,
            content_start: e.content_start(),
        },
    }
}

fn any(e: &Element) -> Any {
    let has_elements = e.elements().next().is_some();
    let mut content: Vec<AnyNode> = Vec::with_capacity(e.children.len());
    for n in &e.children {
        match n {
            Node::Element(c) => content.push(AnyNode::Element(any(c))),
            Node::Text(t) => push_text(&mut content, &t.value),
            Node::CData(c) => push_text(&mut content, &c.value),
            Node::Comment(_) | Node::Pi(_) => {}
        }
    }
    if has_elements {
        content.retain(|n| !matches!(n, AnyNode::Text(t) if t.trim().is_empty()));
    }
    Any {
        name: e.name.local.clone(),
        meta: meta(e),
        content,
    }
}

fn push_text(content: &mut Vec<AnyNode>, s: &xml::Str) {
    if let Some(AnyNode::Text(t)) = content.last_mut() {
        // Adjacent text and CDATA: rare, and the only case that copies.
        *t = format!("{t}{s}").into();
    } else {
        content.push(AnyNode::Text(s.clone()));
    }
}

fn leaf(e: &Element) -> Leaf {
    let has_elements = e.elements().next().is_some();
    // Beside child elements, whitespace-only text is indentation, as in `Any`.
    let text = if has_elements {
        e.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) if !t.value.trim().is_empty() => Some(t.value.as_str()),
                Node::CData(c) if !c.value.trim().is_empty() => Some(c.value.as_str()),
                _ => None,
            })
            .collect()
    } else {
        e.text()
    };
    Leaf {
        meta: meta(e),
        text,
        children: map_elements(e, any),
    }
}

fn group<F>(e: &Element, name: fn(&str) -> Option<F>) -> Group<F> {
    Group {
        meta: meta(e),
        entries: map_elements(e, |c| match name(&c.name.local) {
            Some(f) if same_ns(e, c) => Entry::Field(f, leaf(c)),
            _ => Entry::Unknown(any(c)),
        }),
    }
}

fn response_body(e: &Element) -> ResponseBody {
    let items = map_elements(e, |c| {
        if !same_ns(e, c) {
            return ResponseItem::Unknown(any(c));
        }
        match c.name.local.as_str() {
            "User" => ResponseItem::User(group(c, UserField::from_local)),
            "Account" => ResponseItem::Account(account(c)),
            "Error" => ResponseItem::Error(group(c, ErrorField::from_local)),
            "Culture" => ResponseItem::Culture(leaf(c)),
            "Action" => ResponseItem::Action(mobile_action(c)),
            _ => ResponseItem::Unknown(any(c)),
        }
    });
    ResponseBody {
        meta: meta(e),
        items,
    }
}

fn account(e: &Element) -> Account {
    let items = map_elements(e, |c| {
        if !same_ns(e, c) {
            return AccountItem::Unknown(any(c));
        }
        if let Some(f) = AccountField::from_local(&c.name.local) {
            return AccountItem::Field(f, leaf(c));
        }
        match c.name.local.as_str() {
            "Protocol" => AccountItem::Protocol(protocol(c)),
            "Error" => AccountItem::Error(group(c, ErrorField::from_local)),
            "PublicFolderInformation" => {
                AccountItem::PublicFolderInformation(group(c, PublicFolderField::from_local))
            }
            "AlternativeMailbox" => AccountItem::AlternativeMailbox(any(c)),
            _ => AccountItem::Unknown(any(c)),
        }
    });
    Account {
        meta: meta(e),
        items,
    }
}

fn protocol(e: &Element) -> Protocol {
    let items = map_elements(e, |c| {
        if !same_ns(e, c) {
            return ProtocolItem::Unknown(any(c));
        }
        let local = c.name.local.as_str();
        if let Some(f) = ProtocolField::from_local(local) {
            return ProtocolItem::Field(f, leaf(c));
        }
        if let Some(s) = SwitchField::from_local(local) {
            let leaf = leaf(c);
            let value = OnOff::classify_shared(&leaf.text);
            return ProtocolItem::Switch(s, Flag { leaf, value });
        }
        match local {
            "Internal" => ProtocolItem::Internal(endpoints(c)),
            "External" => ProtocolItem::External(endpoints(c)),
            "MailStore" => ProtocolItem::MailStore(group(c, MapiUrlField::from_local)),
            "AddressBook" => ProtocolItem::AddressBook(group(c, MapiUrlField::from_local)),
            "NetworkRequirements" => {
                ProtocolItem::NetworkRequirements(group(c, NetworkField::from_local))
            }
            _ => ProtocolItem::Unknown(any(c)),
        }
    });
    Protocol {
        meta: meta(e),
        items,
    }
}

fn endpoints(e: &Element) -> Endpoints {
    let items = map_elements(e, |c| match c.name.local.as_str() {
        "OWAUrl" if same_ns(e, c) => EndpointItem::OwaUrl(leaf(c)),
        "Protocol" if same_ns(e, c) => EndpointItem::Protocol(protocol(c)),
        _ => EndpointItem::Unknown(any(c)),
    });
    Endpoints {
        meta: meta(e),
        items,
    }
}

fn mobile_action(e: &Element) -> MobileAction {
    let items = map_elements(e, |c| match c.name.local.as_str() {
        "Redirect" if same_ns(e, c) => MobileActionItem::Redirect(leaf(c)),
        "Settings" if same_ns(e, c) => MobileActionItem::Settings(MobileSettings {
            meta: meta(c),
            items: map_elements(c, |s| match s.name.local.as_str() {
                "Server" if same_ns(c, s) => {
                    MobileSettingsItem::Server(group(s, MobileServerField::from_local))
                }
                _ => MobileSettingsItem::Unknown(any(s)),
            }),
        }),
        "Error" if same_ns(e, c) => MobileActionItem::Error(group(c, ErrorField::from_local)),
        _ => MobileActionItem::Unknown(any(c)),
    });
    MobileAction {
        meta: meta(e),
        items,
    }
}
