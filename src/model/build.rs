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
    let path = "/Autodiscover".to_owned();
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
    let meta = meta(root, &path);
    if is_request {
        let items = children(root, &path)
            .map(|(c, p)| {
                if c.name.local == "Request" && c.name.ns == root.name.ns {
                    RequestRootItem::Request(group(c, &p, RequestField::from_local))
                } else {
                    RequestRootItem::Unknown(any(c, &p))
                }
            })
            .collect();
        Ok(Document::Request(Request { root: meta, items }))
    } else {
        let items = children(root, &path)
            .map(|(c, p)| {
                // Response re-declares the default namespace, so it is matched by name alone.
                if c.name.local == "Response" {
                    ResponseRootItem::Response(response_body(c, &p))
                } else {
                    ResponseRootItem::Unknown(any(c, &p))
                }
            })
            .collect();
        Ok(Document::Response(Response { root: meta, items }))
    }
}

/// Child elements with their paths; `Name[i]` where several siblings share the name.
fn children<'e>(e: &'e Element, base: &str) -> impl Iterator<Item = (&'e Element, String)> {
    let elements: Vec<&Element> = e.elements().collect();
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let mut out = Vec::with_capacity(elements.len());
    for c in &elements {
        let name = c.name.local.as_str();
        let total = elements.iter().filter(|o| o.name.local == name).count();
        let index = match seen.iter_mut().find(|(n, _)| *n == name) {
            Some((_, i)) => {
                *i += 1;
                *i
            }
            None => {
                seen.push((name, 1));
                1
            }
        };
        let path = if total > 1 {
            format!("{base}/{name}[{index}]")
        } else {
            format!("{base}/{name}")
        };
        out.push((*c, path));
    }
    out.into_iter()
}

/// Whether `child` belongs to `parent`'s vocabulary: same namespace, as default-namespace
/// inheritance gives.
fn same_ns(parent: &Element, child: &Element) -> bool {
    parent.name.ns == child.name.ns
}

fn meta(e: &Element, path: &str) -> Meta {
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
            path: path.to_owned(),
            start: e.span.start,
            content_start: e.content_start(),
        },
    }
}

fn any(e: &Element, path: &str) -> Any {
    let has_elements = e.elements().next().is_some();
    let mut content: Vec<AnyNode> = Vec::new();
    let mut kids = children(e, path);
    for n in &e.children {
        match n {
            Node::Element(_) => {
                let (c, p) = kids.next().expect("one path per child element");
                content.push(AnyNode::Element(any(c, &p)));
            }
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
        meta: meta(e, path),
        content,
    }
}

fn push_text(content: &mut Vec<AnyNode>, s: &str) {
    if let Some(AnyNode::Text(t)) = content.last_mut() {
        t.push_str(s);
    } else {
        content.push(AnyNode::Text(s.to_owned()));
    }
}

fn leaf(e: &Element, path: &str) -> Leaf {
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
        meta: meta(e, path),
        text,
        children: children(e, path).map(|(c, p)| any(c, &p)).collect(),
    }
}

fn group<F>(e: &Element, path: &str, name: fn(&str) -> Option<F>) -> Group<F> {
    Group {
        meta: meta(e, path),
        entries: children(e, path)
            .map(|(c, p)| match name(&c.name.local) {
                Some(f) if same_ns(e, c) => Entry::Field(f, leaf(c, &p)),
                _ => Entry::Unknown(any(c, &p)),
            })
            .collect(),
    }
}

fn response_body(e: &Element, path: &str) -> ResponseBody {
    let items = children(e, path)
        .map(|(c, p)| {
            if !same_ns(e, c) {
                return ResponseItem::Unknown(any(c, &p));
            }
            match c.name.local.as_str() {
                "User" => ResponseItem::User(group(c, &p, UserField::from_local)),
                "Account" => ResponseItem::Account(account(c, &p)),
                "Error" => ResponseItem::Error(group(c, &p, ErrorField::from_local)),
                "Culture" => ResponseItem::Culture(leaf(c, &p)),
                "Action" => ResponseItem::Action(mobile_action(c, &p)),
                _ => ResponseItem::Unknown(any(c, &p)),
            }
        })
        .collect();
    ResponseBody {
        meta: meta(e, path),
        items,
    }
}

fn account(e: &Element, path: &str) -> Account {
    let items = children(e, path)
        .map(|(c, p)| {
            if !same_ns(e, c) {
                return AccountItem::Unknown(any(c, &p));
            }
            if let Some(f) = AccountField::from_local(&c.name.local) {
                return AccountItem::Field(f, leaf(c, &p));
            }
            match c.name.local.as_str() {
                "Protocol" => AccountItem::Protocol(protocol(c, &p)),
                "Error" => AccountItem::Error(group(c, &p, ErrorField::from_local)),
                "PublicFolderInformation" => AccountItem::PublicFolderInformation(group(
                    c,
                    &p,
                    PublicFolderField::from_local,
                )),
                "AlternativeMailbox" => AccountItem::AlternativeMailbox(any(c, &p)),
                _ => AccountItem::Unknown(any(c, &p)),
            }
        })
        .collect();
    Account {
        meta: meta(e, path),
        items,
    }
}

fn protocol(e: &Element, path: &str) -> Protocol {
    let items = children(e, path)
        .map(|(c, p)| {
            if !same_ns(e, c) {
                return ProtocolItem::Unknown(any(c, &p));
            }
            let local = c.name.local.as_str();
            if let Some(f) = ProtocolField::from_local(local) {
                return ProtocolItem::Field(f, leaf(c, &p));
            }
            if let Some(s) = SwitchField::from_local(local) {
                let leaf = leaf(c, &p);
                let value = OnOff::classify(&leaf.text);
                return ProtocolItem::Switch(s, Flag { leaf, value });
            }
            match local {
                "Internal" => ProtocolItem::Internal(endpoints(c, &p)),
                "External" => ProtocolItem::External(endpoints(c, &p)),
                "MailStore" => ProtocolItem::MailStore(group(c, &p, MapiUrlField::from_local)),
                "AddressBook" => ProtocolItem::AddressBook(group(c, &p, MapiUrlField::from_local)),
                "NetworkRequirements" => {
                    ProtocolItem::NetworkRequirements(group(c, &p, NetworkField::from_local))
                }
                _ => ProtocolItem::Unknown(any(c, &p)),
            }
        })
        .collect();
    Protocol {
        meta: meta(e, path),
        items,
    }
}

fn endpoints(e: &Element, path: &str) -> Endpoints {
    let items = children(e, path)
        .map(|(c, p)| match c.name.local.as_str() {
            "OWAUrl" if same_ns(e, c) => EndpointItem::OwaUrl(leaf(c, &p)),
            "Protocol" if same_ns(e, c) => EndpointItem::Protocol(protocol(c, &p)),
            _ => EndpointItem::Unknown(any(c, &p)),
        })
        .collect();
    Endpoints {
        meta: meta(e, path),
        items,
    }
}

fn mobile_action(e: &Element, path: &str) -> MobileAction {
    let items = children(e, path)
        .map(|(c, p)| match c.name.local.as_str() {
            "Redirect" if same_ns(e, c) => MobileActionItem::Redirect(leaf(c, &p)),
            "Settings" if same_ns(e, c) => MobileActionItem::Settings(MobileSettings {
                meta: meta(c, &p),
                items: children(c, &p)
                    .map(|(s, sp)| match s.name.local.as_str() {
                        "Server" if same_ns(c, s) => {
                            MobileSettingsItem::Server(group(s, &sp, MobileServerField::from_local))
                        }
                        _ => MobileSettingsItem::Unknown(any(s, &sp)),
                    })
                    .collect(),
            }),
            "Error" if same_ns(e, c) => {
                MobileActionItem::Error(group(c, &p, ErrorField::from_local))
            }
            _ => MobileActionItem::Unknown(any(c, &p)),
        })
        .collect();
    MobileAction {
        meta: meta(e, path),
        items,
    }
}
