//! Constructors for well-formed model values, shared by the strategies and the reference
//! server. Everything is in the Outlook response namespace unless a namespace is passed.

use super::fields::*;
use super::ns::*;
use super::onoff::OnOff;
use super::types::*;
use super::write::shared;

/// A meta in namespace `ns`: [`Meta::in_ns`] with the namespace shared among every model and
/// tree written in the process rather than allocated per element.
fn meta(ns: &str) -> Meta {
    Meta {
        ns: Some(shared(ns)),
        attrs: Vec::new(),
        loc: Loc::default(),
    }
}

/// [`Leaf::new`] with a shared namespace (see [`meta`]).
fn leaf(ns: &str, text: &str) -> Leaf {
    Leaf {
        meta: meta(ns),
        text: text.into(),
        children: Vec::new(),
    }
}

/// A text-only `Protocol` child.
pub fn field(f: ProtocolField, text: &str) -> ProtocolItem {
    ProtocolItem::Field(f, leaf(RESPONSE_OUTLOOK, text))
}

/// An on/off `Protocol` child.
pub fn switch(s: SwitchField, text: &str) -> ProtocolItem {
    ProtocolItem::Switch(
        s,
        Flag {
            leaf: leaf(RESPONSE_OUTLOOK, text),
            value: OnOff::classify(text),
        },
    )
}

/// A `Protocol` holding `items`.
pub fn protocol(items: Vec<ProtocolItem>) -> Protocol {
    Protocol {
        meta: meta(RESPONSE_OUTLOOK),
        items,
    }
}

/// A mail `Protocol` (POP3, IMAP, SMTP) as the reference server and the strategies write it:
/// `Type`, `Server`, `Port`, optional `LoginName`, `DomainRequired`, `SPA`, then either
/// implicit TLS (`SSL` on, optionally `Encryption` SSL) or STARTTLS (`Encryption` TLS).
pub struct MailProtocol<'a> {
    /// `POP3`, `IMAP` or `SMTP`.
    pub kind: &'a str,
    /// Host name.
    pub server: &'a str,
    /// Port.
    pub port: u16,
    /// Login name, if any.
    pub login: Option<&'a str>,
    /// `DomainRequired`, if stated.
    pub domain_required: Option<&'a str>,
    /// `SPA`.
    pub spa: &'a str,
    /// Implicit TLS (`SSL` on) rather than STARTTLS (`Encryption` TLS).
    pub implicit_tls: bool,
    /// With implicit TLS, also write `Encryption` SSL.
    pub explicit_encryption: bool,
    /// Write `AuthRequired` on.
    pub auth_required: bool,
    /// `TTL`, if any.
    pub ttl: Option<u32>,
}

impl MailProtocol<'_> {
    /// Builds the `Protocol`.
    pub fn build(&self) -> Protocol {
        let mut items = vec![
            field(ProtocolField::Type, self.kind),
            field(ProtocolField::Server, self.server),
            field(ProtocolField::Port, &self.port.to_string()),
        ];
        if let Some(l) = self.login {
            items.push(field(ProtocolField::LoginName, l));
        }
        if let Some(d) = self.domain_required {
            items.push(switch(SwitchField::DomainRequired, d));
        }
        items.push(switch(SwitchField::SPA, self.spa));
        if self.implicit_tls {
            items.push(switch(SwitchField::SSL, "on"));
            if self.explicit_encryption {
                items.push(field(ProtocolField::Encryption, "SSL"));
            }
        } else {
            items.push(field(ProtocolField::Encryption, "TLS"));
        }
        if self.auth_required {
            items.push(switch(SwitchField::AuthRequired, "on"));
        }
        if self.kind == "SMTP" {
            items.push(switch(SwitchField::SMTPLast, "off"));
        }
        if let Some(t) = self.ttl {
            items.push(field(ProtocolField::TTL, &t.to_string()));
        }
        protocol(items)
    }
}

/// An Outlook response whose `Response` holds `items`.
pub fn outlook_response(items: Vec<ResponseItem>) -> Document {
    Document::Response(Response {
        root: meta(RESPONSE_ROOT),
        items: vec![ResponseRootItem::Response(ResponseBody {
            meta: meta(RESPONSE_OUTLOOK),
            items,
        })],
    })
}

/// An `Account` with text fields first, then protocols.
pub fn account(fields: Vec<(AccountField, String)>, protocols: Vec<Protocol>) -> Account {
    let mut items: Vec<AccountItem> = fields
        .into_iter()
        .map(|(f, t)| AccountItem::Field(f, leaf(RESPONSE_OUTLOOK, &t)))
        .collect();
    items.extend(protocols.into_iter().map(AccountItem::Protocol));
    Account {
        meta: meta(RESPONSE_OUTLOOK),
        items,
    }
}

/// A `User` with `DisplayName` and `AutoDiscoverSMTPAddress`.
pub fn user(display: &str, address: &str) -> ResponseItem {
    ResponseItem::User(Group {
        meta: meta(RESPONSE_OUTLOOK),
        entries: vec![
            Entry::Field(UserField::DisplayName, leaf(RESPONSE_OUTLOOK, display)),
            Entry::Field(
                UserField::AutoDiscoverSMTPAddress,
                leaf(RESPONSE_OUTLOOK, address),
            ),
        ],
    })
}

/// A settings response: `User` and an `Account` with `AccountType` email, `Action` settings.
pub fn settings_response(display: &str, address: &str, protocols: Vec<Protocol>) -> Document {
    outlook_response(vec![
        user(display, address),
        ResponseItem::Account(account(
            vec![
                (AccountField::AccountType, "email".into()),
                (AccountField::Action, "settings".into()),
            ],
            protocols,
        )),
    ])
}

/// A `redirectAddr` response.
pub fn redirect_addr_response(address: &str) -> Document {
    outlook_response(vec![ResponseItem::Account(account(
        vec![
            (AccountField::Action, "redirectAddr".into()),
            (AccountField::RedirectAddr, address.into()),
        ],
        vec![],
    ))])
}

/// A `redirectUrl` response.
pub fn redirect_url_response(url: &str) -> Document {
    outlook_response(vec![ResponseItem::Account(account(
        vec![
            (AccountField::AccountType, "email".into()),
            (AccountField::Action, "redirectUrl".into()),
            (AccountField::RedirectUrl, url.into()),
        ],
        vec![],
    ))])
}

/// An error response: `Error` (with `Time` and `Id`) directly under `Response` in namespace
/// `ns` (the Outlook or the root namespace).
pub fn error_response(ns: &str, code: u32, message: &str, time: &str, id: u32) -> Document {
    let error = Group {
        meta: Meta {
            attrs: vec![
                Attr {
                    ns: None,
                    name: "Time".into(),
                    value: time.into(),
                },
                Attr {
                    ns: None,
                    name: "Id".into(),
                    value: id.to_string().into(),
                },
            ],
            ..meta(ns)
        },
        entries: vec![
            Entry::Field(ErrorField::ErrorCode, leaf(ns, &code.to_string())),
            Entry::Field(ErrorField::Message, leaf(ns, message)),
            Entry::Field(ErrorField::DebugData, leaf(ns, "")),
        ],
    };
    Document::Response(Response {
        root: meta(RESPONSE_ROOT),
        items: vec![ResponseRootItem::Response(ResponseBody {
            meta: meta(ns),
            items: vec![ResponseItem::Error(error)],
        })],
    })
}

/// A mobilesync settings response pointing at `url`.
pub fn mobilesync_response(address: &str, url: &str) -> Document {
    let m = RESPONSE_MOBILESYNC;
    let server = Group {
        meta: meta(m),
        entries: vec![
            Entry::Field(MobileServerField::Type, leaf(m, "MobileSync")),
            Entry::Field(MobileServerField::Url, leaf(m, url)),
            Entry::Field(MobileServerField::Name, leaf(m, url)),
        ],
    };
    Document::Response(Response {
        root: meta(RESPONSE_ROOT),
        items: vec![ResponseRootItem::Response(ResponseBody {
            meta: meta(m),
            items: vec![
                ResponseItem::Culture(leaf(m, "en:us")),
                ResponseItem::User(Group {
                    meta: meta(m),
                    entries: vec![Entry::Field(UserField::EMailAddress, leaf(m, address))],
                }),
                ResponseItem::Action(MobileAction {
                    meta: meta(m),
                    items: vec![MobileActionItem::Settings(MobileSettings {
                        meta: meta(m),
                        items: vec![MobileSettingsItem::Server(server)],
                    })],
                }),
            ],
        })],
    })
}

/// A request for `address` asking for `schema`, in request namespace `ns`.
pub fn request(ns: &str, address: &str, schema: &str) -> Document {
    Document::Request(Request {
        root: meta(ns),
        items: vec![RequestRootItem::Request(Group {
            meta: meta(ns),
            entries: vec![
                Entry::Field(RequestField::EMailAddress, leaf(ns, address)),
                Entry::Field(RequestField::AcceptableResponseSchema, leaf(ns, schema)),
            ],
        })],
    })
}

/// An Outlook request for `address`.
pub fn outlook_request(address: &str) -> Document {
    request(REQUEST_OUTLOOK, address, RESPONSE_OUTLOOK)
}
