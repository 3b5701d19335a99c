//! What the reference server answers: a pure function of the fixture, the faults and the
//! request, so that it can be tested without a socket.

use super::faults::Fault;
use super::naive;
use crate::fixture::{Fixture, FixtureMailbox};
use crate::model::fields::{ProtocolField, RequestField, SwitchField, UserField};
use crate::model::make::{self, MailProtocol};
use crate::model::ns::{
    REQUEST_MOBILESYNC, REQUEST_OUTLOOK, RESPONSE_MOBILESYNC, RESPONSE_OUTLOOK, RESPONSE_ROOT,
};
use crate::model::{
    self, Document, Entry, Flag, Leaf, Protocol, ProtocolItem, ResponseItem, ResponseRootItem,
};
use crate::policy::{resolve_with, PolicyIndex};
use crate::xml::XmlErrorKind;
use std::collections::BTreeSet;
use std::time::Duration;

/// Which URL a POST arrived at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/autodiscover/autodiscover.xml`.
    Primary,
    /// `/AutoDiscover/AutoDiscover.xml` (or any other casing).
    MixedCase,
    /// `/hosted/autodiscover/autodiscover.xml`: where `redirect_url` mailboxes are served.
    Hosted,
    /// `/relay/N/autodiscover/autodiscover.xml`: a 302 to relay N-1; relay 0 serves like Primary.
    Relay(u8),
}

/// What the server knows about a POST besides its path.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// Which URL it arrived at.
    pub endpoint: Endpoint,
    /// The body; `None` when it was larger than [`MAX_REQUEST`].
    pub body: Option<&'a [u8]>,
    /// The Content-Type header, if any.
    pub content_type: Option<&'a str>,
    /// The Authorization header, if any.
    pub authorization: Option<&'a str>,
    /// Whether it arrived over https.
    pub secure: bool,
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers (Content-Type, Location).
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
}

/// The server's behaviour.
#[derive(Debug, Clone)]
pub struct Responder {
    /// Mailboxes and policy.
    pub fixture: Fixture,
    /// Faults in force.
    pub faults: BTreeSet<Fault>,
    /// `https://host:port`, for redirects.
    pub https_base: String,
    /// `http://host:port`, for the faults that redirect to plain http.
    pub http_base: String,
    /// How long `slow-response` waits.
    pub slow: Duration,
    /// When set, every POST gets the script's next document instead (`serve --mutate`).
    pub script: Option<std::sync::Arc<super::Script>>,
}

/// A request as the server read it.
struct ReadRequest {
    /// The mailbox: LegacyDN when given (and heeded), else EMailAddress.
    id: Option<String>,
    /// Whether `id` is a LegacyDN.
    by_legacy_dn: bool,
    /// AcceptableResponseSchema.
    schema: Option<String>,
    /// Whether the root is in the mobilesync request namespace.
    mobile_namespace: bool,
    /// The `namespace-crash` fault fires.
    crash: bool,
}

/// Whether `id` looks like an e-mail address: not empty, exactly one `@` outside a quoted
/// local part, something on both sides.
fn plausible(id: &str) -> bool {
    let (local, domain) = match id.rsplit_once('@') {
        Some(x) => x,
        None => return false,
    };
    let quoted = local.len() >= 2 && local.starts_with('"') && local.ends_with('"');
    !local.is_empty() && !domain.is_empty() && (quoted || !local.contains('@'))
}

fn strip_response_items(doc: &mut Document, drop: impl Fn(&ResponseItem) -> bool) {
    if let Document::Response(r) = doc {
        for i in &mut r.items {
            if let ResponseRootItem::Response(b) = i {
                b.items.retain(|x| !drop(x));
            }
        }
    }
}

/// The largest request body the server reads.
pub const MAX_REQUEST: usize = 64 * 1024;

/// How deep the `deep-nesting-crash` fault's "parser" can go before it crashes.
const DEEP_NESTING_CRASH: usize = 32;

/// The deepest element nesting of `body`, counted the way a naive recursive parser would
/// (start tags in, end tags out, markup declarations and self-closing tags ignored); linear
/// and allocation-free, whatever the bytes.
fn nesting_depth(body: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'<' {
            match body.get(i + 1) {
                Some(b'/') => depth = depth.saturating_sub(1),
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' || *c == b':' => {
                    // An unclosed last tag still counts; nothing after it can.
                    let Some(e) = body[i..].iter().position(|&b| b == b'>').map(|p| i + p) else {
                        return max.max(depth + 1);
                    };
                    if body[e - 1] != b'/' {
                        depth += 1;
                        max = max.max(depth);
                    }
                    i = e;
                }
                _ => {}
            }
        }
        i += 1;
    }
    max
}

const ERROR_ID: u32 = 2_767_464_328;

fn time_of_day() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let s = now.as_secs() % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{:07}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        now.subsec_nanos() / 100
    )
}

impl Responder {
    fn has(&self, f: Fault) -> bool {
        self.faults.contains(&f)
    }

    fn plain(status: u16, text: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "text/plain; charset=utf-8".into())],
            body: text.as_bytes().to_vec(),
            delay: None,
        }
    }

    fn xml(&self, doc: &Document, settings: bool) -> Reply {
        let mut text = model::to_canonical(doc);
        if self.has(Fault::NamespaceWrong) {
            text = text.replace(
                RESPONSE_OUTLOOK,
                "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006",
            );
        }
        if self.has(Fault::NamespaceMissing) {
            for ns in [RESPONSE_ROOT, RESPONSE_OUTLOOK, RESPONSE_MOBILESYNC] {
                text = text.replace(&format!(" xmlns=\"{ns}\""), "");
            }
        }
        if self.has(Fault::NamespaceHttps) {
            text = text.replace("xmlns=\"http://", "xmlns=\"https://");
        }
        let decl_end = text.find("?>").map_or(0, |i| i + 2);
        if self.has(Fault::Doctype) {
            text.insert_str(decl_end, "\n<!DOCTYPE Autodiscover>");
        }
        if settings && self.has(Fault::OversizeResponse) {
            text.insert_str(
                decl_end,
                &format!("\n<!-- {} -->", "padding ".repeat(150_000)),
            );
        }
        let mut body = text.into_bytes();
        if self.has(Fault::TruncatedBody) {
            body.truncate(body.len() / 2);
        }
        let content_type = if self.has(Fault::ContentTypeWrong) {
            "text/plain; charset=utf-8"
        } else if self.has(Fault::CharsetWrong) {
            "text/xml; charset=iso-8859-1"
        } else if self.has(Fault::CharsetMissing) {
            "text/xml"
        } else {
            "text/xml; charset=utf-8"
        };
        Reply {
            status: 200,
            headers: vec![("content-type", content_type.into())],
            body,
            delay: (settings && self.has(Fault::SlowResponse)).then_some(self.slow),
        }
    }

    fn error(&self, ns: &str, code: u32, message: &str) -> Reply {
        let mut r = self.xml(
            &make::error_response(ns, code, message, &time_of_day(), ERROR_ID),
            false,
        );
        if self.has(Fault::ErrorStatus400) {
            r.status = 400;
        }
        r
    }

    /// The unknown-address error. The echo faults put the address into the message: escaped
    /// (`entity-resolved`, which shows what the entity resolved to) or raw
    /// (`error-echo-unescaped`, which lets markup in the address become markup).
    fn not_found(&self, ns: &str, address: &str) -> Reply {
        const MESSAGE: &str = "The email address can't be found.";
        if self.has(Fault::ErrorEchoUnescaped) {
            let mut r = self.error(ns, 500, MESSAGE);
            let text = String::from_utf8_lossy(&r.body).replace(
                MESSAGE,
                &format!("The email address {address} can't be found."),
            );
            r.body = text.into_bytes();
            return r;
        }
        if self.has(Fault::EntityResolved) {
            return self.error(
                ns,
                500,
                &format!("The email address {address} can't be found."),
            );
        }
        self.error(ns, 500, MESSAGE)
    }

    fn crash() -> Reply {
        Reply {
            status: 500,
            headers: vec![],
            body: vec![],
            delay: None,
        }
    }

    fn invalid(&self, empty: bool) -> Reply {
        if empty && self.has(Fault::EmptyBodyCrash) {
            return Reply {
                status: 500,
                headers: vec![],
                body: vec![],
                delay: None,
            };
        }
        if self.has(Fault::MalformedPlain400) {
            return Self::plain(400, "Bad Request");
        }
        if self.has(Fault::Malformed500) {
            return Reply {
                status: 500,
                headers: vec![],
                body: vec![],
                delay: None,
            };
        }
        self.error(RESPONSE_ROOT, 600, "Invalid Request")
    }

    /// Answers GET on the https POST URL as Exchange does: a POX error 600 (HTTP 200).
    pub fn get_secure(&self) -> Reply {
        self.error(RESPONSE_ROOT, 600, "Invalid Request")
    }

    /// Answers an unauthenticated GET over http: a 302 to the https endpoint.
    pub fn get(&self) -> Reply {
        if self.has(Fault::GetNoRedirect) {
            return Self::plain(404, "Not Found");
        }
        let base = if self.has(Fault::GetRedirectHttp) {
            &self.http_base
        } else {
            &self.https_base
        };
        Reply {
            status: if self.has(Fault::GetRedirect301) {
                301
            } else {
                302
            },
            headers: vec![("location", format!("{base}/autodiscover/autodiscover.xml"))],
            body: vec![],
            delay: None,
        }
    }

    /// Answers a POST (the `credentials-echoed` fault copies its Authorization into the answer).
    pub fn post(&self, incoming: Incoming<'_>) -> Reply {
        let mut reply = self.answer(incoming);
        if let (true, Some(auth)) = (self.has(Fault::CredentialsEchoed), incoming.authorization) {
            if reply.status == 200 {
                echo_credentials(&mut reply, auth);
            }
        }
        reply
    }

    fn answer(&self, incoming: Incoming<'_>) -> Reply {
        let endpoint = incoming.endpoint;
        if endpoint == Endpoint::MixedCase && self.has(Fault::MixedCasePath404) {
            return Self::plain(404, "Not Found");
        }
        if endpoint == Endpoint::Primary && self.has(Fault::LowerCasePath404) {
            return Self::plain(404, "Not Found");
        }
        let relay = match endpoint {
            Endpoint::Primary if self.has(Fault::LongRedirectChain) => Some(2),
            Endpoint::Relay(n) if n > 0 => Some(n - 1),
            _ => None,
        };
        if let Some(next) = relay {
            return Self::found(format!(
                "{}/relay/{next}/autodiscover/autodiscover.xml",
                self.https_base
            ));
        }
        if incoming.secure && endpoint == Endpoint::Primary && self.has(Fault::RedirectToHttp) {
            return Self::found(format!("{}/autodiscover/autodiscover.xml", self.http_base));
        }
        let endpoint = if endpoint == Endpoint::Relay(0) {
            Endpoint::Primary
        } else {
            endpoint
        };
        let ct = incoming.content_type.map(str::trim);
        if self.has(Fault::ContentTypeExact) && ct != Some("text/xml; charset=utf-8") {
            return Self::plain(415, "Unsupported Media Type");
        }
        if self.has(Fault::ContentTypeParametersRefused) && ct.is_some_and(|t| t.contains(';')) {
            return Self::plain(415, "Unsupported Media Type");
        }
        let Some(body) = incoming.body else {
            if self.has(Fault::LimitsCrash) {
                return Self::crash();
            }
            return self.error(RESPONSE_ROOT, 600, "Request too large");
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return self.invalid(true);
        }
        if self.has(Fault::DeepNestingCrash) && nesting_depth(body) > DEEP_NESTING_CRASH {
            return Self::crash();
        }
        if self.has(Fault::BadBytesCrash)
            && (std::str::from_utf8(body).is_err()
                || body.contains(&0)
                || (declares_ascii(body) && !body.is_ascii()))
        {
            return Self::crash();
        }
        if self.has(Fault::RequestBomRefused)
            && (body.starts_with(&[0xEF, 0xBB, 0xBF])
                || body.starts_with(&[0xFF, 0xFE])
                || body.starts_with(&[0xFE, 0xFF]))
        {
            return self.invalid(false);
        }
        if self.has(Fault::RequestDeclarationRequired)
            && !body.starts_with(br#"<?xml version="1.0" encoding="utf-8"?>"#)
        {
            return self.invalid(false);
        }
        if self.has(Fault::RequestLineParser)
            && (body.contains(&b'\r') || body.iter().filter(|b| **b == b'\n').count() < 3)
        {
            return self.invalid(false);
        }
        let dtd = naive::Dtd {
            expand: self.has(Fault::EntityExpanded),
            resolve: self.has(Fault::EntityResolved),
            fetch: self.has(Fault::EntityFetched),
        };
        let processed;
        let body = if dtd.expand || dtd.resolve || dtd.fetch {
            let Ok(text) = std::str::from_utf8(body) else {
                return self.invalid(false);
            };
            match naive::process(text, dtd) {
                Ok(t) => {
                    processed = t;
                    processed.as_bytes()
                }
                Err(naive::Exhausted) => return Self::crash(),
            }
        } else {
            body
        };
        let Some(request) = self.read_request(body) else {
            return match crate::parse(body) {
                Err(crate::ParseError::Xml(e))
                    if self.has(Fault::LimitsCrash)
                        && matches!(
                            e.kind,
                            XmlErrorKind::TooDeep { .. } | XmlErrorKind::TooManyAttributes { .. }
                        ) =>
                {
                    Self::crash()
                }
                _ if self.has(Fault::MissingFieldCrash) => Self::crash(),
                _ => self.invalid(false),
            };
        };
        if request.crash {
            return Self::crash();
        }
        let (Some(id), Some(schema)) = (request.id, request.schema) else {
            if self.has(Fault::MissingFieldCrash) {
                return Self::crash();
            }
            return self.invalid(false);
        };
        let (id, schema) = if self.has(Fault::WhitespaceNotTrimmed) {
            (id, schema)
        } else {
            (id.trim().to_owned(), schema.trim().to_owned())
        };
        let mobile = if self.has(Fault::SchemaFromNamespace) {
            request.mobile_namespace
        } else {
            match schema.as_str() {
                s if s == RESPONSE_MOBILESYNC => true,
                s if s == RESPONSE_OUTLOOK => false,
                _ if self.has(Fault::SchemaIgnored) => false,
                _ => {
                    return self.error(
                        RESPONSE_ROOT,
                        601,
                        "The requested schema version is not supported",
                    )
                }
            }
        };
        if mobile && self.has(Fault::MobileSync400) {
            return Self::plain(400, "Bad Request");
        }
        let ns = if mobile {
            RESPONSE_MOBILESYNC
        } else {
            RESPONSE_OUTLOOK
        };
        if !request.by_legacy_dn && !self.has(Fault::AddressNotValidated) && !plausible(&id) {
            if self.has(Fault::EntityResolved) {
                return self.error(ns, 600, &format!("Invalid Request: {id} is not an address"));
            }
            return self.error(ns, 600, "Invalid Request");
        }
        if self.has(Fault::AddressUncheckedCrash)
            && (id.len() > 320
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c)))
        {
            return Self::crash();
        }
        let Some(mailbox) = self.find(&id) else {
            if self.has(Fault::Unknown204) {
                return Reply {
                    status: 204,
                    headers: vec![],
                    body: vec![],
                    delay: None,
                };
            }
            if self.has(Fault::ErrorCodeUndocumented) {
                return self.error(ns, 404, "The email address can't be found.");
            }
            return self.not_found(ns, &id);
        };
        if !mobile {
            if let Some(target) = &mailbox.redirect_addr {
                let target = if self.has(Fault::RedirectAddrInvalid) {
                    target.split('@').next().unwrap_or(target)
                } else {
                    target
                };
                return self.xml(&make::redirect_addr_response(target), false);
            }
            if let Some(url) = &mailbox.redirect_url {
                let loop_back = endpoint == Endpoint::Hosted && self.has(Fault::RedirectLoop);
                if endpoint != Endpoint::Hosted || loop_back {
                    let mut url = if loop_back {
                        format!("{}/autodiscover/autodiscover.xml", self.https_base)
                    } else if url.starts_with('/') {
                        format!("{}{url}", self.https_base)
                    } else {
                        url.clone()
                    };
                    if self.has(Fault::RedirectUrlHttp) {
                        url = url.replacen("https://", "http://", 1);
                    }
                    return self.xml(&make::redirect_url_response(&url), false);
                }
            }
        }
        if mobile {
            let base = if self.has(Fault::MobileSyncUrlHttp) {
                &self.http_base
            } else {
                &self.https_base
            };
            let mut doc = make::mobilesync_response(
                mailbox.address(),
                &format!("{base}/Microsoft-Server-ActiveSync"),
            );
            if self.has(Fault::MobileSyncMinimal) {
                strip_response_items(&mut doc, |i| {
                    matches!(i, ResponseItem::Culture(_) | ResponseItem::User(_))
                });
            }
            return self.xml(&doc, true);
        }
        match self.settings(mailbox) {
            Some(doc) => self.xml(&doc, true),
            None => self.error(ns, 501, "The mailbox has no protocol it may use"),
        }
    }

    fn found(location: String) -> Reply {
        Reply {
            status: 302,
            headers: vec![("location", location)],
            body: vec![],
            delay: None,
        }
    }

    /// The mailbox named `id`, looked up as this (possibly faulty) server does.
    fn find(&self, id: &str) -> Option<&FixtureMailbox> {
        if self.has(Fault::WhitespaceNotTrimmed) && id != id.trim() {
            return None;
        }
        let exact_domain = self.has(Fault::DomainCaseSensitive);
        let exact_local = self.has(Fault::LocalPartCaseSensitive);
        if !exact_domain && !exact_local {
            return self.fixture.find(id);
        }
        let m = self.fixture.find(id)?;
        if m.legacy_dn().eq_ignore_ascii_case(id) {
            return Some(m);
        }
        let (l, d) = id.rsplit_once('@')?;
        let (ml, md) = m.address().rsplit_once('@')?;
        ((!exact_domain || d == md) && (!exact_local || l == ml)).then_some(m)
    }

    /// Reads the mailbox and schema from a request as this (possibly faulty) server does;
    /// `None` when the body is not a request it can read.
    fn read_request(&self, body: &[u8]) -> Option<ReadRequest> {
        if self.has(Fault::RequestRegexParser) {
            let text = std::str::from_utf8(body).ok()?;
            let legacy =
                naive::text_field(text, "LegacyDN").filter(|_| !self.has(Fault::LegacyDnIgnored));
            return Some(ReadRequest {
                by_legacy_dn: legacy.is_some(),
                id: legacy.or_else(|| naive::text_field(text, "EMailAddress")),
                schema: naive::text_field(text, "AcceptableResponseSchema"),
                mobile_namespace: text.contains(REQUEST_MOBILESYNC),
                crash: false,
            });
        }
        let parsed = crate::parse(body).ok();
        let req = match parsed.as_ref().map(|p| &p.model) {
            Some(Document::Request(r)) if r.bodies().count() == 1 => r,
            _ if self.has(Fault::ElementSearch) => {
                let text = String::from_utf8_lossy(body);
                let text = text.as_ref();
                return Some(ReadRequest {
                    by_legacy_dn: false,
                    id: naive::text_field(text, "EMailAddress"),
                    schema: naive::text_field(text, "AcceptableResponseSchema")
                        .or_else(|| Some(RESPONSE_OUTLOOK.to_owned())),
                    mobile_namespace: false,
                    crash: false,
                });
            }
            _ => return None,
        };
        let root_ns = req.root.ns.as_deref().unwrap_or("");
        let known_ns = root_ns == REQUEST_OUTLOOK || root_ns == REQUEST_MOBILESYNC;
        if self.has(Fault::NamespaceCrash) && !known_ns {
            return Some(ReadRequest {
                id: None,
                by_legacy_dn: false,
                schema: None,
                mobile_namespace: false,
                crash: true,
            });
        }
        // A request in no request namespace (look-alikes are read as what they resemble: the
        // specification is silent and refusing them helps nobody), or with a repeated field
        // is invalid (MS-OXDSCLI, MS-ASCMD: error 600); so is more than one Request (above).
        let repeated = [
            RequestField::EMailAddress,
            RequestField::LegacyDN,
            RequestField::AcceptableResponseSchema,
        ]
        .iter()
        .any(|f| req.body().is_some_and(|b| b.all(*f).count() > 1));
        if !req
            .root
            .ns_class()
            .intended()
            .is_some_and(|k| k.is_request())
            || repeated
        {
            return None;
        }
        let fields = req.body().map(|b| b.entries.as_slice()).unwrap_or_default();
        let unknown = fields.iter().any(|e| matches!(e, Entry::Unknown(_)));
        if self.has(Fault::UnknownElementRefused) && unknown {
            return None;
        }
        if self.has(Fault::RequestOrderFixed)
            && !matches!(
                fields.first(),
                Some(Entry::Field(
                    RequestField::EMailAddress | RequestField::LegacyDN,
                    _
                ))
            )
        {
            return None;
        }
        let legacy = req
            .field(RequestField::LegacyDN)
            .filter(|_| !self.has(Fault::LegacyDnIgnored));
        Some(ReadRequest {
            by_legacy_dn: legacy.is_some(),
            id: legacy
                .or_else(|| req.field(RequestField::EMailAddress))
                .map(str::to_owned),
            schema: req
                .field(RequestField::AcceptableResponseSchema)
                .map(str::to_owned),
            mobile_namespace: root_ns == REQUEST_MOBILESYNC,
            crash: false,
        })
    }

    /// Whether SMTP AUTH is disabled for the mailbox, as this (possibly faulty) server reads it:
    /// the fixture's resolution (organisation, mailbox, authentication policies), with the
    /// mailbox's own setting misread as the faults say.
    fn smtp_disabled(&self, m: &FixtureMailbox) -> bool {
        let f = &self.fixture;
        let own = m.policy.smtp_client_authentication_disabled;
        let as_read = if self.has(Fault::OverrideIgnored) {
            None
        } else if self.has(Fault::NullAsEnabled) && own.is_none() {
            Some(false)
        } else {
            own
        };
        let index = PolicyIndex::new(&f.authentication_policies);
        let policy = f
            .authentication_policies
            .in_effect(&f.organization, &index, &m.policy);
        let effective = resolve_with(&f.organization, as_read, policy).effective_disabled;
        if self.has(Fault::DisabledInverted) {
            !effective
        } else {
            effective
        }
    }

    fn settings(&self, m: &FixtureMailbox) -> Option<Document> {
        let domain = m
            .address()
            .rsplit('@')
            .next()
            .unwrap_or("contoso.com")
            .to_owned();
        let login = m.address().to_owned();
        let mail = |kind: &str, host: &str, port: u16, implicit: bool| -> Protocol {
            MailProtocol {
                kind,
                server: &format!("{host}.{domain}"),
                port,
                login: Some(&login),
                domain_required: Some("off"),
                spa: "off",
                implicit_tls: implicit,
                explicit_encryption: false,
                auth_required: true,
                ttl: Some(1),
            }
            .build()
        };
        let mut protocols = Vec::new();
        if m.policy.imap_enabled != Some(false) {
            let mut imap = if self.has(Fault::StartTlsOnImplicitPort) {
                mail("IMAP", "imap", 993, false)
            } else {
                mail("IMAP", "imap", 993, true)
            };
            if self.has(Fault::PortZero) {
                imap.items.iter_mut().for_each(|i| {
                    if let ProtocolItem::Field(ProtocolField::Port, l) = i {
                        l.text = "0".into();
                    }
                });
            }
            if self.has(Fault::UsePopAuthOnImap) {
                imap.items.push(make::switch(SwitchField::UsePOPAuth, "on"));
            }
            protocols.push(imap.clone());
            if self.has(Fault::DuplicateProtocol) {
                protocols.push(imap);
            }
        }
        if m.policy.pop_enabled != Some(false) {
            protocols.push(mail("POP3", "pop", 995, true));
        }
        if !self.smtp_disabled(m) {
            protocols.push(mail("SMTP", "smtp", 587, false));
        }
        if protocols.is_empty() {
            return None;
        }
        for p in &mut protocols {
            p.items.retain(|i| {
                !(self.has(Fault::SpaOmitted)
                    && matches!(i, ProtocolItem::Switch(SwitchField::SPA, _)))
            });
            for i in &mut p.items {
                if let ProtocolItem::Switch(_, f) = i {
                    let on = f.value.value == Some(true);
                    if self.has(Fault::OnOffUppercase) {
                        *f = Flag::new(RESPONSE_OUTLOOK, if on { "ON" } else { "OFF" });
                    } else if self.has(Fault::OnOffBoolean) {
                        *f = Flag::new(RESPONSE_OUTLOOK, if on { "true" } else { "false" });
                    }
                }
            }
        }
        let mut doc = make::settings_response(&m.display_name, m.address(), protocols);
        if let Document::Response(r) = &mut doc {
            for i in &mut r.items {
                if let ResponseRootItem::Response(b) = i {
                    for x in &mut b.items {
                        if let ResponseItem::User(u) = x {
                            u.entries.insert(
                                1,
                                Entry::Field(
                                    UserField::LegacyDN,
                                    Leaf::new(RESPONSE_OUTLOOK, m.legacy_dn()),
                                ),
                            );
                        }
                    }
                }
            }
        }
        if self.has(Fault::UserMissing) {
            strip_response_items(&mut doc, |x| matches!(x, ResponseItem::User(_)));
        }
        Some(doc)
    }
}

/// The `credentials-echoed` fault: the decoded Basic credentials (or the raw header) in an XML
/// comment after the declaration, as a debugging server might leave them.
fn echo_credentials(reply: &mut Reply, authorization: &str) {
    use base64::Engine;
    let shown = authorization
        .strip_prefix("Basic ")
        .and_then(|t| {
            base64::engine::general_purpose::STANDARD
                .decode(t.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| authorization.to_owned())
        .replace("--", "- -");
    let comment = format!("\n<!-- debug: authorization {authorization} ({shown}) -->");
    let at = reply
        .body
        .windows(2)
        .position(|w| w == b"?>")
        .map_or(0, |i| i + 2);
    reply.body.splice(at..at, comment.into_bytes());
}

/// Whether the request's XML declaration names US-ASCII (`us-ascii` or `ascii`, any case),
/// read with quick-xml's declaration reader as the parser reads it.
fn declares_ascii(body: &[u8]) -> bool {
    let mut reader = quick_xml::Reader::from_reader(body);
    let Ok(quick_xml::events::Event::Decl(d)) = reader.read_event() else {
        return false;
    };
    matches!(d.encoding(), Some(Ok(e)) if e.eq_ignore_ascii_case("us-ascii") || e.eq_ignore_ascii_case("ascii"))
}
