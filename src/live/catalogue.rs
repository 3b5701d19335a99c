//! The live case catalogue as data, h2spec style: one file per section under `catalogue/`,
//! each case with a hierarchical ID, a one-line description, the requirement in words with its
//! source, its level, and what it sends and expects. `poxspec check --list`, the README's
//! group table and the coverage tests are all derived from [`sections`]; nothing else lists
//! cases. The executor (`cases.rs`) interprets a [`Probe`]; it adds no case of its own.

mod address;
mod errors;
mod http;
mod mobilesync;
mod redirect;
mod request;
mod schema;
mod security;
mod settings;

use crate::model::ns::{REQUEST_OUTLOOK, RESPONSE_OUTLOOK};
use crate::rules::Severity;
use serde::Serialize;

/// How strongly the sources require what a case checks. It decides the severity of the case's
/// own finding; rule findings on the documents a case receives keep their own severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// MUST (or an equivalent "required" in the element pages): a failure is an error.
    Must,
    /// SHOULD, or what real clients depend on without a MUST: a failure is a warning, which
    /// fails the run only under `--strict`.
    Should,
    /// The sources are silent; the case says what poxspec prefers and why. A deviation is an
    /// `info` finding that never fails the run. A 5xx, a reset or no answer still is an error
    /// (`POX-HTTP-016`): whatever a server prefers, it must answer.
    ImplementationDefined,
}

impl Level {
    /// The severity of the case's own finding.
    pub fn severity(self) -> Severity {
        match self {
            Level::Must => Severity::Error,
            Level::Should => Severity::Warning,
            Level::ImplementationDefined => Severity::Info,
        }
    }

    /// How `--list` and the README spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::ImplementationDefined => "impl-defined",
        }
    }
}

/// What a case needs to know about the target to build its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctx {
    /// A mailbox the server knows (the first one named); the answer is expected to be its.
    pub email: String,
    /// A second known mailbox, or a made-up address in the same domain when only one is named.
    pub other: String,
    /// The domain of [`Ctx::email`].
    pub domain: String,
    /// The legacy DN of [`Ctx::email`]: from the fixture, or from `User/LegacyDN` in the
    /// server's own settings answer; `None` when neither gives one.
    pub legacy_dn: Option<String>,
    /// A local file the checker wrote for the external-entity cases, holding [`Ctx::marker`].
    pub marker_path: String,
    /// A random token; seeing it in an answer proves the server read the file or fetched the URL.
    pub marker: String,
    /// `http://127.0.0.1:PORT` of the checker's own loopback listener, which records every
    /// request it gets (a server that fetches an external entity is caught there).
    pub fetch_base: String,
}

impl Ctx {
    /// The local part of [`Ctx::email`].
    pub fn local(&self) -> &str {
        self.email.rsplit_once('@').map_or(&self.email, |(l, _)| l)
    }

    /// A URL on the checker's listener unique to `case`.
    pub fn fetch_url(&self, case: &str) -> String {
        format!(
            "{}/{}/{}",
            self.fetch_base,
            self.marker,
            case.replace('/', "-")
        )
    }
}

/// Builds a request body; `None` when the target gives the case nothing to build it from
/// (no LegacyDN known): the case then reports that it did not apply.
pub type BodyFn = fn(&Ctx) -> Option<Vec<u8>>;

/// Which URL a case POSTs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// The URL the user named.
    Named,
    /// The named URL with this path instead.
    Spelled(&'static str),
}

/// How the body travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// With a Content-Length, in one go.
    Plain,
    /// `Transfer-Encoding: chunked`, in several chunks.
    Chunked,
    /// With `Expect: 100-continue` (as .NET clients send).
    ExpectContinue,
    /// One byte per second, for at most the run's slow-body window.
    Slow,
}

/// What a POST case accepts as the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Outlook settings for [`Ctx::email`] (HTTP and POX redirects followed).
    Settings,
    /// A mobilesync answer for [`Ctx::email`], judged by this check.
    Mobile(MobileCheck),
    /// HTTP 200 with a well-formed POX `Error` whose `ErrorCode` is one of these.
    Error(&'static [&'static str]),
    /// Settings for [`Ctx::email`] or a POX `Error` (HTTP 200): the sources do not say which.
    Tolerant,
    /// Refused cleanly: a 4xx, or HTTP 200 with a POX `Error` 600; never settings, a 5xx or a
    /// hang; and never the marker file's content echoed, nor a request to the checker's
    /// listener.
    Refused,
    /// Whatever the answer, the markup sent (escaped) inside the address did not become markup
    /// of the answer; an answer document is judged by every rule.
    NotInjected,
}

/// What a mobilesync case checks in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MobileCheck {
    /// A `Response` in the mobilesync namespace with `Action/Settings/Server` of `Type`
    /// `MobileSync` and a `Url`.
    Shape,
    /// Every `Server/Url` is https.
    UrlHttps,
    /// `User/EMailAddress` names the mailbox asked for.
    User,
    /// `Culture` is present.
    Culture,
}

/// What a case about another method on the POST URL accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodCheck {
    /// Anything but a 5xx, a hang or a redirect back to the same URL.
    NoFailure,
    /// A 405 names the allowed methods in `Allow`; a 2xx to OPTIONS lists POST in `Allow`.
    Allow,
}

/// What the GET-probe cases check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetCheck {
    /// A redirect whose `Location` is https.
    Https,
    /// The status is 302 (not 301, 307 or 308).
    Status302,
}

/// Which property of the redirect chains of every named mailbox a case checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainCheck {
    /// Each chain ends in an answer within the hop cap, without a loop (the loop is named).
    Ends,
    /// Each chain has at most 2 redirects.
    Short,
    /// Every `RedirectUrl` is https.
    RedirectUrlHttps,
    /// Every HTTP redirect `Location` of a POST is https.
    LocationHttps,
    /// Every `RedirectAddr` is an e-mail address other than the one asked for.
    RedirectAddrValid,
}

/// What a case sends and what it accepts.
#[derive(Debug, Clone, Copy)]
pub enum Probe {
    /// The canonical Outlook request for one named mailbox, judged by every rule and the
    /// mailbox's policy (one case per mailbox: the ID's `{mailbox}` is replaced).
    Settings,
    /// A POST.
    Post {
        /// Where to.
        path: Path,
        /// The request's Content-Type (`None`: no header).
        content_type: Option<&'static str>,
        /// The body.
        body: BodyFn,
        /// How it travels.
        transport: Transport,
        /// What is accepted.
        expect: Expect,
    },
    /// Another method on the POST URL.
    Method(&'static str, MethodCheck),
    /// Two POSTs on one connection: the second must be answered on it.
    KeepAlive,
    /// The unauthenticated GET to the http URL.
    GetProbe(GetCheck),
    /// The redirect chains of every named mailbox.
    Chain(ChainCheck),
}

/// One case.
#[derive(Debug, Clone, Copy)]
pub struct CaseDef {
    /// Hierarchical ID, `section/topic/name` (stable: never reused for another meaning).
    pub id: &'static str,
    /// One line: what is sent.
    pub description: &'static str,
    /// The requirement in words: what the server must (or should) do.
    pub requirement: &'static str,
    /// Where the requirement comes from (MS-OXDSCLI section, element page, RFC), or why the
    /// sources are silent.
    pub source: &'static str,
    /// How strongly it is required.
    pub level: Level,
    /// What is sent and accepted.
    pub probe: Probe,
}

/// The default POST probe: the named URL, `text/xml; charset=utf-8`, in one go.
pub const fn post(body: BodyFn, expect: Expect) -> Probe {
    Probe::Post {
        path: Path::Named,
        content_type: Some(CT_XML_UTF8),
        body,
        transport: Transport::Plain,
        expect,
    }
}

/// A POST with another Content-Type (`None`: none at all).
pub const fn post_typed(content_type: Option<&'static str>, body: BodyFn, expect: Expect) -> Probe {
    Probe::Post {
        path: Path::Named,
        content_type,
        body,
        transport: Transport::Plain,
        expect,
    }
}

/// A POST to another path spelling.
pub const fn post_to(path: &'static str, body: BodyFn, expect: Expect) -> Probe {
    Probe::Post {
        path: Path::Spelled(path),
        content_type: Some(CT_XML_UTF8),
        body,
        transport: Transport::Plain,
        expect,
    }
}

/// A POST whose body travels another way.
pub const fn post_via(transport: Transport, body: BodyFn, expect: Expect) -> Probe {
    Probe::Post {
        path: Path::Named,
        content_type: Some(CT_XML_UTF8),
        body,
        transport,
        expect,
    }
}

/// The Content-Type every client sends.
pub const CT_XML_UTF8: &str = "text/xml; charset=utf-8";

/// The XML declaration Outlook writes.
pub const DECL: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

/// An Outlook request whose `Request` holds `inner` verbatim, with the usual declaration.
pub fn outlook_with(inner: &str) -> String {
    format!("{DECL}\n<Autodiscover xmlns=\"{REQUEST_OUTLOOK}\">\n  <Request>\n{inner}  </Request>\n</Autodiscover>\n")
}

/// The `EMailAddress` line for `address` (written as given: escape it first if needed).
pub fn email_el(address: &str) -> String {
    format!("    <EMailAddress>{address}</EMailAddress>\n")
}

/// The `AcceptableResponseSchema` line for `schema`.
pub fn schema_el(schema: &str) -> String {
    format!("    <AcceptableResponseSchema>{schema}</AcceptableResponseSchema>\n")
}

/// The canonical Outlook request for `address` (escaped here).
pub fn outlook(address: &str) -> String {
    outlook_with(&format!(
        "{}{}",
        email_el(&escape(address)),
        schema_el(RESPONSE_OUTLOOK)
    ))
}

/// XML-escapes text content.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The sections (group name and cases), in `--list` order. The `tls/` and `auth/` groups join
/// here; nothing else lists cases.
pub static SECTIONS: &[(&str, &[CaseDef])] = &[
    ("settings", settings::CASES),
    ("request", request::CASES),
    ("address", address::CASES),
    ("errors", errors::CASES),
    ("schema", schema::CASES),
    ("mobilesync", mobilesync::CASES),
    ("http", http::CASES),
    ("redirect", redirect::CASES),
    ("security", security::CASES),
];

/// The sections, in `--list` order.
pub fn sections() -> impl Iterator<Item = (&'static str, &'static [CaseDef])> {
    SECTIONS.iter().copied()
}

/// Every case definition, in `--list` order.
pub fn all() -> impl Iterator<Item = &'static CaseDef> {
    sections().flat_map(|(_, cases)| cases.iter())
}

/// The definition with this ID (`settings/{mailbox}` for any settings case).
pub fn by_id(id: &str) -> Option<&'static CaseDef> {
    all().find(|c| c.id == id).or_else(|| {
        id.starts_with("settings/")
            .then(|| all().find(|c| c.id == settings::ID))
            .flatten()
    })
}

/// A group's name (the ID's first part) and the one-line summary of what it covers, for
/// `--list` and the README.
pub fn group_summaries() -> &'static [(&'static str, &'static str)] {
    &[
        ("settings", "one case per mailbox: the canonical request, every document rule and the mailbox's SMTP AUTH policy"),
        ("request", "request variants a conforming server must accept (XML equivalences, LegacyDN, Content-Type, transfer codings)"),
        ("address", "address semantics: case-insensitive lookups, unknown and invalid addresses, sub-addresses"),
        ("errors", "invalid requests get a well-formed POX Error with the right ErrorCode, with HTTP 200"),
        ("schema", "AcceptableResponseSchema negotiation: 601 for unknown schemas, the schema asked for wins"),
        ("mobilesync", "the mobilesync (Exchange ActiveSync) variant of the exchange"),
        ("http", "path spellings, other methods, keep-alive"),
        ("redirect", "the GET probe, HTTP and POX redirects: https only, no loops, short chains"),
        ("security", "hostile requests (entities, XXE, depth, size, encoding, slow bodies): refused cleanly, in bounded time; skippable with --skip 'security/*'"),
        ("tls", "the certificate (trusted chain, the URL's name, dates), the protocol version, HTTP/2: judged from one inspection of the endpoint"),
        ("auth", "HTTP authentication: 401 with a challenge without or with wrong credentials, an answer with the right ones"),
    ]
}

/// One entry of `check --list`: a case of the data catalogue, or a `tls/…` or `auth/…` case,
/// whose requirement and source are those of the rules it applies and whose level follows
/// their gravest severity (error: MUST, warning: SHOULD, info: implementation-defined).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// The group (the ID's first part).
    pub group: &'static str,
    /// The case ID.
    pub id: &'static str,
    /// How strongly it is required.
    pub level: Level,
    /// One line: what is sent or inspected.
    pub description: &'static str,
    /// The requirement in words.
    pub requirement: String,
    /// Where it comes from.
    pub source: String,
}

fn from_rules(
    group: &'static str,
    id: &'static str,
    description: &'static str,
    rules: &[&crate::rules::Rule],
) -> Listed {
    let level = match rules.iter().map(|r| r.severity).max_by_key(|s| match s {
        Severity::Error => 2,
        Severity::Warning => 1,
        Severity::Info => 0,
    }) {
        Some(Severity::Error) => Level::Must,
        Some(Severity::Warning) => Level::Should,
        _ => Level::ImplementationDefined,
    };
    let join = |f: fn(&crate::rules::Rule) -> String| {
        rules.iter().map(|r| f(r)).collect::<Vec<_>>().join("; ")
    };
    Listed {
        group,
        id,
        level,
        description,
        requirement: join(|r| format!("{} ({})", r.summary, r.id)),
        source: join(|r| r.source.to_owned()),
    }
}

/// Every case a run can send, in `--list` order: the data catalogue's groups, then `tls/` and
/// `auth/` (each defined once, in its own table; this only reads them).
pub fn listing() -> Vec<Listed> {
    let mut v: Vec<Listed> = sections()
        .flat_map(|(group, cases)| {
            cases.iter().map(move |c| Listed {
                group,
                id: c.id,
                level: c.level,
                description: c.description,
                requirement: c.requirement.to_owned(),
                source: c.source.to_owned(),
            })
        })
        .collect();
    v.extend(
        super::TLS_CASES
            .iter()
            .map(|c| from_rules("tls", c.id, c.description, c.rules)),
    );
    v.extend(
        super::AUTH_CASES
            .iter()
            .map(|c| from_rules("auth", c.id, c.description, c.rules)),
    );
    v
}
