//! Public proptest strategies for Autodiscover documents.
//!
//! Everything the document strategies produce validates with zero `error` findings, so a
//! server or client author can use them as "any valid input". [`any_model`] is the exception:
//! it decorates valid documents with arbitrary text, attributes and unknown elements, for
//! round-trip and robustness properties.
//!
//! ```
//! use proptest::test_runner::{Config, TestRunner};
//! use poxspec::strategy;
//!
//! // In a suite: `proptest! { #[test] fn t(doc in strategy::response()) { ... } }`.
//! let mut runner = TestRunner::new(Config::with_cases(16));
//! runner
//!     .run(&strategy::response(), |doc| {
//!         let xml = poxspec::model::to_canonical(&doc);
//!         // Feed `xml` to the code under test here; poxspec itself must read it back.
//!         assert!(poxspec::parse(xml.as_bytes()).is_ok());
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

use crate::model::fields::*;
use crate::model::make::{self, field, protocol, switch, MailProtocol};
use crate::model::ns::*;
use crate::model::*;
use crate::xml::Str;
use proptest::prelude::*;
use proptest::sample::select;

/// The mail protocols a client configures by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// POP3.
    Pop3,
    /// IMAP.
    Imap,
    /// SMTP.
    Smtp,
}

impl MailKind {
    /// The `Type` text.
    pub fn type_name(self) -> &'static str {
        match self {
            MailKind::Pop3 => "POP3",
            MailKind::Imap => "IMAP",
            MailKind::Smtp => "SMTP",
        }
    }
}

/// `on` or `off`.
pub fn on_off() -> BoxedStrategy<&'static str> {
    select(vec!["on", "off"]).boxed()
}

/// A lower-case DNS domain such as `contoso.example`.
pub fn domain() -> BoxedStrategy<String> {
    (
        "[a-z][a-z0-9]{1,10}",
        select(vec!["com", "example", "net", "org", "co.uk"]),
    )
        .prop_map(|(a, b)| format!("{a}.{b}"))
        .boxed()
}

/// A well-formed e-mail address.
pub fn email_address() -> BoxedStrategy<String> {
    ("[a-z][a-z0-9._-]{0,12}[a-z0-9]", domain())
        .prop_map(|(l, d)| format!("{l}@{d}"))
        .boxed()
}

/// A coherent POP3, IMAP or SMTP `Protocol`: port and security agree (implicit TLS on
/// 995/993/465, STARTTLS via `Encryption` TLS elsewhere), `SPA` is always stated.
pub fn mail_protocol(kind: MailKind) -> BoxedStrategy<Protocol> {
    let ports: Vec<(u16, bool)> = match kind {
        MailKind::Pop3 => vec![(995, true), (110, false)],
        MailKind::Imap => vec![(993, true), (143, false)],
        MailKind::Smtp => vec![(465, true), (587, false), (25, false)],
    };
    (
        "[a-z]{2,8}",
        domain(),
        select(ports),
        any::<bool>(),
        on_off(),
        proptest::option::of(on_off()),
        proptest::option::of(email_address()),
        proptest::option::of(0u32..=168),
        any::<bool>(),
    )
        .prop_map(
            move |(host, dom, (port, implicit), enc, spa, domain_req, login, ttl, auth)| {
                MailProtocol {
                    kind: kind.type_name(),
                    server: &format!("{host}.{dom}"),
                    port,
                    login: login.as_deref(),
                    domain_required: domain_req,
                    spa,
                    implicit_tls: implicit,
                    explicit_encryption: enc,
                    auth_required: auth,
                    ttl,
                }
                .build()
            },
        )
        .boxed()
}

/// An Exchange `Protocol`: EXCH, EXPR or WEB, in the shapes Exchange writes.
pub fn exchange_protocol() -> BoxedStrategy<Protocol> {
    (select(vec!["EXCH", "EXPR", "WEB"]), domain(), "[0-9A-F]{8}")
        .prop_map(|(kind, dom, version)| {
            let ews = format!("https://mail.{dom}/EWS/Exchange.asmx");
            match kind {
                "EXCH" => protocol(vec![
                    field(ProtocolField::Type, "EXCH"),
                    field(ProtocolField::Server, &format!("mbx01.{dom}")),
                    field(ProtocolField::ServerVersion, &version),
                    field(ProtocolField::Port, "0"),
                    field(ProtocolField::ASUrl, &ews),
                    field(ProtocolField::EwsUrl, &ews),
                    field(ProtocolField::OABUrl, &format!("https://mail.{dom}/OAB/")),
                ]),
                "EXPR" => protocol(vec![
                    field(ProtocolField::Type, "EXPR"),
                    field(ProtocolField::Server, &format!("mail.{dom}")),
                    field(ProtocolField::ASUrl, &ews),
                    switch(SwitchField::SSL, "on"),
                    field(ProtocolField::AuthPackage, "Ntlm"),
                ]),
                _ => protocol(vec![
                    field(ProtocolField::Type, "WEB"),
                    ProtocolItem::External(Endpoints {
                        meta: Meta::in_ns(RESPONSE_OUTLOOK),
                        items: vec![EndpointItem::OwaUrl(Leaf {
                            meta: Meta {
                                attrs: vec![Attr {
                                    ns: None,
                                    name: "AuthenticationMethod".into(),
                                    value: "Fba".into(),
                                }],
                                ..Meta::in_ns(RESPONSE_OUTLOOK)
                            },
                            text: format!("https://mail.{dom}/owa/").into(),
                            children: vec![],
                        })],
                    }),
                ]),
            }
        })
        .boxed()
}

/// A settings response: `User`, and an `Account` with one to three mail protocols of distinct
/// types and up to three Exchange protocols of distinct types.
pub fn settings_response() -> BoxedStrategy<Document> {
    (
        "[A-Z][a-z]{1,8} [A-Z][a-z]{1,10}",
        email_address(),
        proptest::sample::subsequence(vec![MailKind::Imap, MailKind::Pop3, MailKind::Smtp], 1..=3),
        proptest::collection::vec(exchange_protocol(), 0..=3),
    )
        .prop_flat_map(|(name, addr, kinds, exch)| {
            let mails: Vec<BoxedStrategy<Protocol>> =
                kinds.into_iter().map(mail_protocol).collect();
            (Just(name), Just(addr), mails, Just(exch))
        })
        .prop_map(|(name, addr, mails, exch)| {
            let mut protocols = mails;
            for p in exch {
                if !protocols.iter().any(|q| q.kind() == p.kind()) {
                    protocols.push(p);
                }
            }
            make::settings_response(&name, &addr, protocols)
        })
        .boxed()
}

/// A `redirectAddr` response.
pub fn redirect_addr_response() -> BoxedStrategy<Document> {
    email_address()
        .prop_map(|a| make::redirect_addr_response(&a))
        .boxed()
}

/// A `redirectUrl` response to an https URL.
pub fn redirect_url_response() -> BoxedStrategy<Document> {
    domain()
        .prop_map(|d| {
            make::redirect_url_response(&format!(
                "https://autodiscover.{d}/autodiscover/autodiscover.xml"
            ))
        })
        .boxed()
}

/// An error response with a documented code, `Time` and `Id`, under `Response` in either the
/// Outlook or the root namespace.
pub fn error_response() -> BoxedStrategy<Document> {
    (
        select(vec![500u32, 501, 600, 601, 602, 603]),
        (0u32..24, 0u32..60, 0u32..60, 0u32..10_000_000),
        any::<u32>(),
        any::<bool>(),
        "[A-Z][a-z ]{3,30}",
    )
        .prop_map(|(code, (h, m, s, frac), id, outlook_ns, message)| {
            let ns = if outlook_ns {
                RESPONSE_OUTLOOK
            } else {
                RESPONSE_ROOT
            };
            make::error_response(
                ns,
                code,
                message.trim(),
                &format!("{h:02}:{m:02}:{s:02}.{frac:07}"),
                id,
            )
        })
        .boxed()
}

/// A mobilesync settings response.
pub fn mobilesync_response() -> BoxedStrategy<Document> {
    (email_address(), domain())
        .prop_map(|(addr, dom)| {
            make::mobilesync_response(
                &addr,
                &format!("https://mail.{dom}/Microsoft-Server-ActiveSync"),
            )
        })
        .boxed()
}

/// Any valid response: settings, redirects, errors, mobilesync.
pub fn response() -> BoxedStrategy<Document> {
    prop_oneof![
        4 => settings_response(),
        1 => redirect_addr_response(),
        1 => redirect_url_response(),
        2 => error_response(),
        1 => mobilesync_response(),
    ]
    .boxed()
}

/// A valid request, Outlook or mobilesync, by address or (Outlook) by legacy DN.
pub fn request() -> BoxedStrategy<Document> {
    (any::<bool>(), any::<bool>(), email_address(), "[a-z]{1,12}")
        .prop_map(|(mobile, by_dn, addr, cn)| {
            let (ns, schema) = if mobile {
                (REQUEST_MOBILESYNC, RESPONSE_MOBILESYNC)
            } else {
                (REQUEST_OUTLOOK, RESPONSE_OUTLOOK)
            };
            let id = if by_dn && !mobile {
                Entry::Field(
                    RequestField::LegacyDN,
                    Leaf::new(
                        ns,
                        &format!(
                            "/o=Contoso/ou=Exchange Administrative Group/cn=Recipients/cn={cn}"
                        ),
                    ),
                )
            } else {
                Entry::Field(RequestField::EMailAddress, Leaf::new(ns, &addr))
            };
            Document::Request(Request {
                root: Meta::in_ns(ns),
                items: vec![RequestRootItem::Request(Group {
                    meta: Meta::in_ns(ns),
                    entries: vec![
                        id,
                        Entry::Field(
                            RequestField::AcceptableResponseSchema,
                            Leaf::new(ns, schema),
                        ),
                    ],
                })],
            })
        })
        .boxed()
}

/// Any valid request or response.
pub fn document() -> BoxedStrategy<Document> {
    prop_oneof![1 => request(), 3 => response()].boxed()
}

/// Arbitrary text of XML characters, markup characters, CR, TAB and non-ASCII included.
pub fn xml_text() -> BoxedStrategy<String> {
    "[a-zA-Z0-9 <>&\"'\t\r\n.:/@é€\u{1F600}-]{0,16}".boxed()
}

/// Strings of a length in `len` (in characters) drawn from `chars`: for a property over text
/// where some characters matter more than others, `chars` being a `prop_oneof!` of those
/// characters and `any::<char>()`.
pub fn text_of(
    chars: impl Strategy<Value = char> + 'static,
    len: std::ops::Range<usize>,
) -> BoxedStrategy<String> {
    proptest::collection::vec(chars, len)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

fn ext_attrs() -> BoxedStrategy<Vec<Attr>> {
    proptest::collection::vec(
        (
            0u8..4,
            proptest::option::of(Just("urn:poxspec:attr")),
            xml_text(),
        ),
        0..3,
    )
    .prop_map(|v| {
        let mut out: Vec<Attr> = Vec::new();
        for (n, ns, value) in v {
            let name = format!("a{n}");
            if !out.iter().any(|a| a.name == name && a.ns.as_deref() == ns) {
                out.push(Attr {
                    ns: ns.map(Str::from),
                    name: name.into(),
                    value: value.into(),
                });
            }
        }
        out
    })
    .boxed()
}

/// An unknown element (named `Ext...`, so that it never collides with a documented name), with
/// attributes and normalized content, nested up to three levels.
pub fn unknown_element() -> BoxedStrategy<Any> {
    let ns = select(vec![Some(RESPONSE_OUTLOOK), Some("urn:poxspec:ext"), None]);
    let leaf = ("Ext[A-Za-z0-9]{0,5}", ns.clone(), ext_attrs(), xml_text()).prop_map(
        |(name, ns, attrs, text)| Any {
            name: name.into(),
            meta: Meta {
                ns: ns.map(Str::from),
                attrs,
                loc: Loc::default(),
            },
            content: if text.is_empty() {
                vec![]
            } else {
                vec![AnyNode::Text(text.into())]
            },
        },
    );
    leaf.prop_recursive(3, 12, 3, move |inner| {
        (
            "Ext[A-Za-z0-9]{0,5}",
            ns.clone(),
            ext_attrs(),
            proptest::collection::vec((inner, proptest::option::of("[a-z]{1,4}")), 1..3),
        )
            .prop_map(|(name, ns, attrs, kids)| {
                let mut content = Vec::new();
                for (k, t) in kids {
                    content.push(AnyNode::Element(k));
                    // Text beside elements must not be blank, or it is indentation.
                    if let Some(t) = t {
                        content.push(AnyNode::Text(t.into()));
                    }
                }
                Any {
                    name: name.into(),
                    meta: Meta {
                        ns: ns.map(Str::from),
                        attrs,
                        loc: Loc::default(),
                    },
                    content,
                }
            })
    })
    .boxed()
}

/// A valid document decorated for round-trip properties: arbitrary text in some values,
/// extra attributes, and unknown elements inserted into `Account` and `Protocol`.
pub fn any_model() -> BoxedStrategy<Document> {
    (
        document(),
        proptest::collection::vec(unknown_element(), 0..3),
        proptest::collection::vec(xml_text(), 0..4),
        ext_attrs(),
    )
        .prop_map(|(mut doc, extras, texts, attrs)| {
            if let Document::Response(r) = &mut doc {
                for item in &mut r.items {
                    let ResponseRootItem::Response(b) = item else {
                        continue;
                    };
                    for it in &mut b.items {
                        if let ResponseItem::Account(a) = it {
                            let mut texts = texts.iter();
                            for ai in &mut a.items {
                                if let AccountItem::Protocol(p) = ai {
                                    p.meta.attrs = attrs.clone();
                                    for pi in &mut p.items {
                                        match pi {
                                            ProtocolItem::Switch(_, f) => {
                                                if let Some(t) = texts.next() {
                                                    *f = Flag::new(RESPONSE_OUTLOOK, t);
                                                }
                                            }
                                            ProtocolItem::Field(
                                                ProtocolField::LoginName | ProtocolField::Server,
                                                l,
                                            ) => {
                                                if let Some(t) = texts.next() {
                                                    l.text = t.as_str().into();
                                                }
                                            }
                                            _ => {}
                                        }
                                    }
                                    p.items
                                        .extend(extras.iter().cloned().map(ProtocolItem::Unknown));
                                }
                            }
                            a.items
                                .extend(extras.iter().cloned().map(AccountItem::Unknown));
                        }
                    }
                }
            } else if let Document::Request(r) = &mut doc {
                r.items
                    .extend(extras.into_iter().map(RequestRootItem::Unknown));
            }
            doc
        })
        .boxed()
}

/// An organisation: the transport setting, with the tenant gates unknown or set.
pub fn organization() -> BoxedStrategy<crate::policy::Organization> {
    (
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(d, sd, basic)| crate::policy::Organization {
            smtp_client_authentication_disabled: d,
            security_defaults_enabled: sd,
            allow_basic_auth_smtp: basic,
        })
        .boxed()
}

/// Up to `max` named authentication policies (names unique case-insensitively, some differing
/// from an assignment only in case), and maybe a default among them.
pub fn authentication_policies(max: usize) -> BoxedStrategy<crate::policy::AuthenticationPolicies> {
    (
        proptest::collection::vec(("[A-Z][A-Za-z ]{0,12}", any::<bool>()), 0..=max),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(v, pick, with_default)| {
            let policies: Vec<crate::policy::AuthenticationPolicy> = v
                .into_iter()
                .enumerate()
                .map(|(i, (name, allow))| crate::policy::AuthenticationPolicy {
                    // Unique, and never ending in a space (importers trim names).
                    name: format!("{}-{i}", name.trim_end()),
                    allow_basic_auth_smtp: allow,
                })
                .collect();
            let default_policy = (with_default && !policies.is_empty())
                .then(|| policies[pick.index(policies.len())].name.clone());
            crate::policy::AuthenticationPolicies {
                policies,
                default_policy,
            }
        })
        .boxed()
}

/// A population of up to `max` mailboxes with unique identities and every combination of
/// settings; with `with_org`, the organisation is part of it (as in the TOML fixture), and so
/// are named authentication policies, a default among them and per-user assignments (some
/// spelled in another case than the policy's name), as the fixture can carry them.
pub fn policy_population(max: usize, with_org: bool) -> BoxedStrategy<crate::policy::Population> {
    let mailbox = (
        "[a-z][a-z0-9.-]{0,10}",
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of((any::<prop::sample::Index>(), any::<bool>())),
    );
    (
        proptest::collection::vec(mailbox, 1..=max.max(1)),
        proptest::option::of(organization()),
        authentication_policies(4),
    )
        .prop_map(move |(v, org, policies)| {
            let (organization, policies) = if with_org {
                let mut org = org.unwrap_or(crate::policy::Organization::new(true));
                // A population gives the default policy by name or by value, never both.
                if policies.default_policy.is_some() {
                    org.allow_basic_auth_smtp = None;
                }
                (Some(org), policies)
            } else {
                (None, crate::policy::AuthenticationPolicies::default())
            };
            let mailboxes = v
                .into_iter()
                .enumerate()
                .map(|(i, (name, addr, d, pop, imap, assign))| {
                    // Unique: the index is what follows the last `-`, so identity → (name, index)
                    // is one-to-one ("d1"+"0" and "d"+"10" once both gave "d10").
                    let identity = format!("{name}-{i}");
                    let authentication_policy = assign
                        .filter(|_| !policies.policies.is_empty())
                        .map(|(pick, upper)| {
                            let n = &policies.policies[pick.index(policies.policies.len())].name;
                            if upper {
                                n.to_uppercase()
                            } else {
                                n.clone()
                            }
                        });
                    crate::policy::Mailbox {
                        address: addr.then(|| format!("{identity}@contoso.example").into()),
                        identity: identity.into(),
                        smtp_client_authentication_disabled: d,
                        pop_enabled: pop,
                        imap_enabled: imap,
                        authentication_policy: authentication_policy.map(Into::into),
                    }
                })
                .collect();
            crate::policy::Population {
                organization,
                authentication_policies: policies,
                mailboxes,
            }
        })
        .boxed()
}

/// A policy population, one of its mailboxes, and a settings response for that mailbox that
/// agrees with the policy (no `POX-POL-*` finding): POP3 and IMAP unless the export disables
/// them, SMTP exactly when the mailbox may use SMTP AUTH.
#[derive(Debug, Clone)]
pub struct PolicyCase {
    /// The organisation (always present) and the mailboxes; every mailbox has an address.
    pub population: crate::policy::Population,
    /// The address of the mailbox the response is for.
    pub address: String,
    /// The response.
    pub response: Document,
}

impl PolicyCase {
    /// The organisation.
    pub fn organization(&self) -> &crate::policy::Organization {
        self.population
            .organization
            .as_ref()
            .expect("policy cases carry an organisation")
    }

    /// The mailbox the response is for.
    pub fn mailbox(&self) -> &crate::policy::Mailbox {
        self.population
            .find(&self.address)
            .expect("the case's mailbox is in its population")
    }

    /// Whether the mailbox may use SMTP AUTH.
    pub fn smtp_allowed(&self) -> bool {
        crate::policy::resolve(
            self.organization(),
            self.mailbox().smtp_client_authentication_disabled,
        )
        .smtp_auth_allowed()
    }
}

/// A [`PolicyCase`] with up to `max` mailboxes.
pub fn policy_case(max: usize) -> BoxedStrategy<PolicyCase> {
    (policy_population(max, true), any::<prop::sample::Index>())
        .prop_flat_map(|(mut population, pick)| {
            for m in &mut population.mailboxes {
                if m.address.is_none() {
                    m.address = Some(format!("{}@contoso.example", m.identity).into());
                }
            }
            let i = pick.index(population.mailboxes.len());
            let org = population.organization.expect("with_org");
            let allowed = |m: &crate::policy::Mailbox| {
                crate::policy::resolve(&org, m.smtp_client_authentication_disabled)
                    .smtp_auth_allowed()
            };
            if population.mailboxes[i].imap_enabled == Some(false)
                && population.mailboxes[i].pop_enabled == Some(false)
                && !allowed(&population.mailboxes[i])
            {
                // A mailbox with nothing to advertise gets no settings response at all.
                population.mailboxes[i].imap_enabled = None;
            }
            let m = population.mailboxes[i].clone();
            let mut kinds = Vec::new();
            if m.imap_enabled != Some(false) {
                kinds.push(MailKind::Imap);
            }
            if m.pop_enabled != Some(false) {
                kinds.push(MailKind::Pop3);
            }
            if allowed(&m) {
                kinds.push(MailKind::Smtp);
            }
            let protocols: Vec<BoxedStrategy<Protocol>> =
                kinds.into_iter().map(mail_protocol).collect();
            (
                Just(population),
                Just(m.address.expect("set above").to_string()),
                "[A-Z][a-z]{1,8} [A-Z][a-z]{1,10}",
                protocols,
            )
        })
        .prop_map(|(population, address, name, protocols)| PolicyCase {
            response: make::settings_response(&name, &address, protocols),
            population,
            address,
        })
        .boxed()
}
