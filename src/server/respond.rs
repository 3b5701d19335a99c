//! What the reference server answers: a pure function of the fixture, the faults and the
//! request, so that it can be tested without a socket.

use super::faults::Fault;
use crate::fixture::{Fixture, FixtureMailbox};
use crate::model::fields::{ProtocolField, RequestField, SwitchField};
use crate::model::make::{self, MailProtocol};
use crate::model::ns::{RESPONSE_MOBILESYNC, RESPONSE_OUTLOOK, RESPONSE_ROOT};
use crate::model::{self, Document, Flag, Protocol, ProtocolItem, ResponseItem, ResponseRootItem};
use crate::policy::resolve;
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
    /// `http://host:port` of the plain-http endpoint, for the `redirect-to-http` fault.
    pub http_base: String,
    /// How long `slow-response` waits.
    pub slow: Duration,
    /// When set, every POST gets the script's next document instead (`serve --mutate`).
    pub script: Option<std::sync::Arc<super::Script>>,
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
        self.xml(
            &make::error_response(ns, code, message, &time_of_day(), ERROR_ID),
            false,
        )
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

    /// Answers an unauthenticated GET: a 302 to the https endpoint.
    pub fn get(&self) -> Reply {
        if self.has(Fault::GetNoRedirect) {
            return Self::plain(404, "Not Found");
        }
        Reply {
            status: 302,
            headers: vec![(
                "location",
                format!("{}/autodiscover/autodiscover.xml", self.https_base),
            )],
            body: vec![],
            delay: None,
        }
    }

    /// Answers a POST. `body` is `None` when it was larger than [`MAX_REQUEST`];
    /// `authorization` is the request's `Authorization` header, if any. `secure` tells whether
    /// it arrived over TLS.
    pub fn post(
        &self,
        endpoint: Endpoint,
        body: Option<&[u8]>,
        authorization: Option<&str>,
        secure: bool,
    ) -> Reply {
        let mut reply = self.answer(endpoint, body, secure);
        if let (true, Some(auth)) = (self.has(Fault::CredentialsEchoed), authorization) {
            if reply.status == 200 {
                echo_credentials(&mut reply, auth);
            }
        }
        reply
    }

    fn answer(&self, endpoint: Endpoint, body: Option<&[u8]>, secure: bool) -> Reply {
        if secure && endpoint == Endpoint::Primary && self.has(Fault::RedirectToHttp) {
            return Reply {
                status: 302,
                headers: vec![(
                    "location",
                    format!("{}/autodiscover/autodiscover.xml", self.http_base),
                )],
                body: vec![],
                delay: None,
            };
        }
        if endpoint == Endpoint::MixedCase && self.has(Fault::MixedCasePath404) {
            return Self::plain(404, "Not Found");
        }
        let relay = match endpoint {
            Endpoint::Primary if self.has(Fault::LongRedirectChain) => Some(2),
            Endpoint::Relay(n) if n > 0 => Some(n - 1),
            _ => None,
        };
        if let Some(next) = relay {
            return Reply {
                status: 302,
                headers: vec![(
                    "location",
                    format!(
                        "{}/relay/{next}/autodiscover/autodiscover.xml",
                        self.https_base
                    ),
                )],
                body: vec![],
                delay: None,
            };
        }
        let endpoint = if endpoint == Endpoint::Relay(0) {
            Endpoint::Primary
        } else {
            endpoint
        };
        let Some(body) = body else {
            return self.error(RESPONSE_ROOT, 600, "Request too large");
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return self.invalid(true);
        }
        if self.has(Fault::DeepNestingCrash) && nesting_depth(body) > DEEP_NESTING_CRASH {
            return Reply {
                status: 500,
                headers: vec![],
                body: vec![],
                delay: None,
            };
        }
        let Ok(parsed) = crate::parse(body) else {
            return self.invalid(false);
        };
        let Document::Request(req) = &parsed.model else {
            return self.invalid(false);
        };
        // A request in no request namespace (look-alikes are read as what they resemble: the
        // specification is silent and refusing them helps nobody), with more than one
        // Request, or with a repeated field is invalid (MS-OXDSCLI, MS-ASCMD: error 600).
        let repeated = req.bodies().count() != 1
            || [
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
            return self.invalid(false);
        }
        let id = req
            .field(RequestField::LegacyDN)
            .or_else(|| req.field(RequestField::EMailAddress))
            .map(str::trim);
        let (Some(id), Some(schema)) = (
            id.filter(|i| !i.is_empty()),
            req.field(RequestField::AcceptableResponseSchema),
        ) else {
            return self.invalid(false);
        };
        let mobile = match schema.trim() {
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
        };
        if mobile && self.has(Fault::MobileSync400) {
            return Self::plain(400, "Bad Request");
        }
        let ns = if mobile {
            RESPONSE_MOBILESYNC
        } else {
            RESPONSE_OUTLOOK
        };
        let Some(mailbox) = self.fixture.find(id) else {
            if self.has(Fault::Unknown204) {
                return Reply {
                    status: 204,
                    headers: vec![],
                    body: vec![],
                    delay: None,
                };
            }
            let code = if self.has(Fault::ErrorCodeUndocumented) {
                404
            } else {
                500
            };
            return self.error(ns, code, "The email address can't be found.");
        };
        if !mobile {
            if let Some(target) = &mailbox.redirect_addr {
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
            return self.xml(
                &make::mobilesync_response(
                    mailbox.address(),
                    &format!("{}/Microsoft-Server-ActiveSync", self.https_base),
                ),
                true,
            );
        }
        match self.settings(mailbox) {
            Some(doc) => self.xml(&doc, true),
            None => self.error(ns, 501, "The mailbox has no protocol it may use"),
        }
    }

    /// Whether SMTP AUTH is disabled for the mailbox, as this (possibly faulty) server reads it.
    fn smtp_disabled(&self, m: &FixtureMailbox) -> bool {
        let org = &self.fixture.organization;
        let own = m.policy.smtp_client_authentication_disabled;
        if self.has(Fault::OverrideIgnored) {
            return resolve(org, None).effective_disabled;
        }
        if self.has(Fault::NullAsEnabled) && own.is_none() {
            return false;
        }
        let effective = resolve(org, own).effective_disabled;
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
        if self.has(Fault::UserMissing) {
            if let Document::Response(r) = &mut doc {
                for i in &mut r.items {
                    if let ResponseRootItem::Response(b) = i {
                        b.items.retain(|x| !matches!(x, ResponseItem::User(_)));
                    }
                }
            }
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
