//! The case catalogue and how each case is judged.

use super::client::{evidence, redact, Client, Credentials, Exchange, Failure};
use super::redirect::{is_redirect, Chain};
use crate::fixture::Fixture;
use crate::model::fields::{AccountField, ErrorField};
use crate::model::make;
use crate::model::ns::{
    KnownNs, REQUEST_MOBILESYNC, REQUEST_OUTLOOK, RESPONSE_MOBILESYNC, RESPONSE_OUTLOOK,
};
use crate::model::{self, Document};
use crate::report::Unit;
use crate::rules::catalogue::*;
use crate::rules::{self, Finding, Outcome, Rule};
use crate::Parsed;

/// What is being checked.
#[derive(Debug, Clone)]
pub struct Target {
    /// The Autodiscover URL POSTs go to.
    pub url: String,
    /// The plain-http URL of the unauthenticated GET probe.
    pub get_url: String,
    /// Mailboxes to ask for.
    pub emails: Vec<String>,
    /// The fixture, when the mailboxes' policy states are known.
    pub fixture: Option<Fixture>,
    /// Redirect hop limit.
    pub max_hops: usize,
}

/// A case: its ID, what it does, and what it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Stable ID, e.g. `settings/chris@contoso.com`.
    pub id: String,
    /// One line.
    pub description: String,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Settings(String),
    MixedCase(String),
    Malformed,
    EmptyBody,
    MissingEmail,
    Unknown(String),
    UnsupportedSchema(String),
    MobileSync(String),
    OversizeBody(String),
    GetRedirect,
    Tls(&'static super::tls_cases::TlsCaseDef),
    Auth(&'static super::auth_cases::AuthCaseDef),
}

impl Case {
    /// The `tls/…` definition, when this is a TLS case (judged from the run's inspection).
    pub fn tls(&self) -> Option<&'static super::tls_cases::TlsCaseDef> {
        match self.kind {
            Kind::Tls(d) => Some(d),
            _ => None,
        }
    }
}

/// The cases for a target, in a fixed order.
pub fn catalogue(t: &Target) -> Vec<Case> {
    let mut v = Vec::new();
    let case = |id: String, description: &str, kind| Case {
        id,
        description: description.to_owned(),
        kind,
    };
    for e in &t.emails {
        v.push(case(format!("settings/{e}"), "valid Outlook request; the answer (after redirects) is judged by every rule and the mailbox's policy", Kind::Settings(e.clone())));
    }
    let first = t
        .emails
        .first()
        .cloned()
        .unwrap_or_else(|| "user@example.com".into());
    let domain = first.rsplit('@').next().unwrap_or("example.com").to_owned();
    v.push(case(
        "path/mixed-case".into(),
        "the same request to /AutoDiscover/AutoDiscover.xml",
        Kind::MixedCase(first.clone()),
    ));
    v.push(case(
        "request/malformed-xml".into(),
        "a request that is not well-formed XML must get error 600",
        Kind::Malformed,
    ));
    v.push(case(
        "request/empty-body".into(),
        "an empty POST must get error 600",
        Kind::EmptyBody,
    ));
    v.push(case(
        "request/missing-emailaddress".into(),
        "a request without EMailAddress or LegacyDN must get error 600",
        Kind::MissingEmail,
    ));
    v.push(case(
        "request/unknown-address".into(),
        "an address the server does not know must get error 500",
        Kind::Unknown(format!("poxspec-no-such-mailbox@{domain}")),
    ));
    v.push(case(
        "request/unsupported-schema".into(),
        "an unknown AcceptableResponseSchema must get error 601",
        Kind::UnsupportedSchema(first.clone()),
    ));
    v.push(case(
        "request/mobilesync".into(),
        "a mobilesync request must get a mobilesync response",
        Kind::MobileSync(first.clone()),
    ));
    v.push(case(
        "request/oversize-body".into(),
        "a 2 MiB request must be refused cleanly (413 or error 600)",
        Kind::OversizeBody(first),
    ));
    v.push(case(
        "get/redirect".into(),
        "the unauthenticated GET probe must answer 302 to https",
        Kind::GetRedirect,
    ));
    for d in super::auth_cases::AUTH_CASES {
        v.push(case(d.id.into(), d.description, Kind::Auth(d)));
    }
    for d in super::tls_cases::TLS_CASES {
        v.push(case(d.id.into(), d.description, Kind::Tls(d)));
    }
    v
}

pub(super) fn http_finding(out: &mut Outcome, rule: &Rule, message: String) {
    out.applied.insert(rule.id);
    out.findings.push(Finding {
        rule: rule.id,
        severity: rule.severity,
        element: rule.elements[0].to_owned(),
        path: String::new(),
        line: 0,
        column: 0,
        message,
        raw: None,
    });
}

pub(super) fn describe(x: &Exchange) -> String {
    match &x.outcome {
        Ok(a) => format!(
            "HTTP {} {} with {} bytes",
            a.status,
            a.header("content-type").unwrap_or("(no Content-Type)"),
            a.body.len()
        ),
        Err(Failure::Timeout) => format!("no response within {} ms", x.elapsed.as_millis()),
        Err(Failure::TooLarge { read, status }) => {
            format!("HTTP {status} with a body over the cap ({read} bytes read)")
        }
        Err(Failure::Connect(e)) | Err(Failure::Other(e)) => format!("no response: {e}"),
    }
}

/// Judges the transport of an answer expected to be an Autodiscover document, then the
/// document itself; returns it when there is one.
fn judge_xml(x: &Exchange, out: &mut Outcome, hop: usize) -> Option<(Parsed, String)> {
    for r in [
        HTTP_STATUS,
        HTTP_CONTENT_TYPE,
        HTTP_CHARSET,
        HTTP_CHARSET_MISSING,
        HTTP_SIZE,
        HTTP_TIME,
    ] {
        out.applied.insert(r.id);
    }
    let a = match &x.outcome {
        Err(Failure::Timeout) => {
            http_finding(
                out,
                HTTP_TIME,
                format!("{} {}: {}", x.method, x.url, describe(x)),
            );
            return None;
        }
        Err(Failure::TooLarge { .. }) => {
            http_finding(
                out,
                HTTP_SIZE,
                format!("{} {}: {}", x.method, x.url, describe(x)),
            );
            return None;
        }
        Err(_) => {
            http_finding(
                out,
                HTTP_STATUS,
                format!("{} {}: {}", x.method, x.url, describe(x)),
            );
            return None;
        }
        Ok(a) => a,
    };
    if a.status != 200 {
        http_finding(
            out,
            HTTP_STATUS,
            format!(
                "expected HTTP 200 with an Autodiscover document, got {}",
                describe(x)
            ),
        );
        return None;
    }
    let ct = a.header("content-type").unwrap_or("");
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != "text/xml" && media != "application/xml" {
        http_finding(
            out,
            HTTP_CONTENT_TYPE,
            format!("Content-Type is {:?}; expected text/xml", ct),
        );
    }
    let charset = ct
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
    let utf16 = a.body.starts_with(&[0xFF, 0xFE]) || a.body.starts_with(&[0xFE, 0xFF]);
    match charset.as_deref() {
        None => http_finding(
            out,
            HTTP_CHARSET_MISSING,
            format!("Content-Type {ct:?} names no charset; send charset=utf-8"),
        ),
        Some("utf-8" | "utf8") if !utf16 => {}
        Some("us-ascii") if a.body.is_ascii() => {}
        Some("utf-16" | "utf-16le" | "utf-16be") if utf16 => {}
        Some(c) => http_finding(
            out,
            HTTP_CHARSET,
            format!(
                "Content-Type says charset={c}, but the body is {}",
                if utf16 { "UTF-16" } else { "UTF-8" }
            ),
        ),
    }
    let v = rules::validate_default(&a.body);
    let mut doc = v.outcome;
    if hop > 0 {
        for f in &mut doc.findings {
            f.message = format!("hop {hop}: {}", f.message);
        }
    }
    out.merge(doc);
    v.parsed
        .map(|p| (p, String::from_utf8_lossy(&a.body).into_owned()))
}

fn error_code(p: &Parsed) -> Option<String> {
    let Document::Response(r) = &p.model else {
        return None;
    };
    r.body()?
        .errors()
        .next()?
        .text(ErrorField::ErrorCode)
        .map(|s| s.trim().to_owned())
}

fn expect_error(
    x: &Exchange,
    out: &mut Outcome,
    rule: &Rule,
    code: &str,
    source: &mut Option<String>,
) {
    out.applied.insert(rule.id);
    match judge_xml(x, out, 0) {
        Some((p, text)) => {
            *source = Some(text);
            match error_code(&p) {
                Some(c) if c == code => {}
                Some(c) => http_finding(
                    out,
                    rule,
                    format!("expected ErrorCode {code}, got ErrorCode {c}"),
                ),
                None => http_finding(
                    out,
                    rule,
                    format!(
                        "expected a POX Error with ErrorCode {code}, got a {} without an Error",
                        p.model.kind()
                    ),
                ),
            }
        }
        None => http_finding(
            out,
            rule,
            format!(
                "expected a POX Error with ErrorCode {code}, got {}",
                describe(x)
            ),
        ),
    }
}

/// POSTs `body` for `addr` through the one redirect follower (HTTP 3xx only: a POX redirect
/// answer is the caller's to judge); the redirects before the answer are kept as evidence.
async fn post_follow(
    client: &Client,
    t: &Target,
    url: &str,
    addr: &str,
    body: Vec<u8>,
    out: &mut Outcome,
    exchanges: &mut Vec<Exchange>,
) -> Exchange {
    let mut chain = Chain::new(url, addr, t.max_hops, out);
    let x = chain.post(client, &body, out).await;
    exchanges.extend(chain.finish(out));
    x
}

fn request_xml(doc: &Document) -> Vec<u8> {
    model::to_canonical(doc).into_bytes()
}

fn with_path(url: &str, path: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            u.set_path(path);
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// Runs one case.
pub async fn run_case(client: &Client, t: &Target, case: &Case) -> Unit {
    let mut out = Outcome::default();
    let mut exchanges: Vec<Exchange> = Vec::new();
    let mut source: Option<String> = None;
    match &case.kind {
        Kind::Tls(def) => return super::tls_cases::run_alone(client, t, def).await,
        Kind::Auth(def) => {
            let first = t.emails.first().map_or("user@example.com", String::as_str);
            super::auth_cases::run(client, &t.url, first, def, &mut out, &mut exchanges).await
        }
        Kind::Settings(email) => {
            settings(client, t, email, &mut out, &mut exchanges, &mut source).await
        }
        Kind::MixedCase(email) => {
            out.applied.insert(HTTP_MIXED_CASE_PATH.id);
            let x = post_follow(
                client,
                t,
                &with_path(&t.url, "/AutoDiscover/AutoDiscover.xml"),
                email,
                request_xml(&make::outlook_request(email)),
                &mut out,
                &mut exchanges,
            )
            .await;
            match judge_xml(&x, &mut out, 0) {
                Some((p, text)) => {
                    source = Some(text);
                    if p.model.kind() != "response" {
                        http_finding(
                            &mut out,
                            HTTP_MIXED_CASE_PATH,
                            "the mixed-case path did not answer with an Autodiscover response"
                                .into(),
                        );
                    }
                }
                None => http_finding(
                    &mut out,
                    HTTP_MIXED_CASE_PATH,
                    format!("the mixed-case path answered {}", describe(&x)),
                ),
            }
            exchanges.push(x);
        }
        Kind::Malformed => {
            let x = post_follow(client, t, &t.url, "", b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\n  <Request>\n    <EMailAddress>".to_vec(), &mut out, &mut exchanges).await;
            expect_error(&x, &mut out, HTTP_INVALID_REQUEST, "600", &mut source);
            exchanges.push(x);
        }
        Kind::EmptyBody => {
            let x = post_follow(client, t, &t.url, "", Vec::new(), &mut out, &mut exchanges).await;
            expect_error(&x, &mut out, HTTP_INVALID_REQUEST, "600", &mut source);
            exchanges.push(x);
        }
        Kind::MissingEmail => {
            let body = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"{REQUEST_OUTLOOK}\">\n  <Request>\n    <AcceptableResponseSchema>{RESPONSE_OUTLOOK}</AcceptableResponseSchema>\n  </Request>\n</Autodiscover>\n");
            let x = post_follow(
                client,
                t,
                &t.url,
                "",
                body.into_bytes(),
                &mut out,
                &mut exchanges,
            )
            .await;
            expect_error(&x, &mut out, HTTP_INVALID_REQUEST, "600", &mut source);
            exchanges.push(x);
        }
        Kind::Unknown(email) => {
            let x = post_follow(
                client,
                t,
                &t.url,
                email,
                request_xml(&make::outlook_request(email)),
                &mut out,
                &mut exchanges,
            )
            .await;
            expect_error(&x, &mut out, HTTP_UNKNOWN_ADDRESS, "500", &mut source);
            exchanges.push(x);
        }
        Kind::UnsupportedSchema(email) => {
            let doc = make::request(
                REQUEST_OUTLOOK,
                email,
                "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2099",
            );
            let x = post_follow(
                client,
                t,
                &t.url,
                email,
                request_xml(&doc),
                &mut out,
                &mut exchanges,
            )
            .await;
            expect_error(&x, &mut out, HTTP_SCHEMA_UNAVAILABLE, "601", &mut source);
            exchanges.push(x);
        }
        Kind::MobileSync(email) => {
            out.applied.insert(HTTP_MOBILESYNC.id);
            let x = post_follow(
                client,
                t,
                &t.url,
                email,
                request_xml(&make::request(
                    REQUEST_MOBILESYNC,
                    email,
                    RESPONSE_MOBILESYNC,
                )),
                &mut out,
                &mut exchanges,
            )
            .await;
            match judge_xml(&x, &mut out, 0) {
                Some((p, text)) => {
                    source = Some(text);
                    let mobile = match &p.model {
                        Document::Response(r) => r.body().is_some_and(|b| {
                            b.meta.ns_class().intended() == Some(KnownNs::ResponseMobileSync)
                        }),
                        _ => false,
                    };
                    if !mobile && error_code(&p).as_deref() != Some("601") {
                        http_finding(
                            &mut out,
                            HTTP_MOBILESYNC,
                            "a mobilesync request got neither a mobilesync Response nor error 601"
                                .into(),
                        );
                    }
                }
                None => http_finding(
                    &mut out,
                    HTTP_MOBILESYNC,
                    format!("a mobilesync request got {}", describe(&x)),
                ),
            }
            exchanges.push(x);
        }
        Kind::OversizeBody(email) => {
            out.applied.insert(HTTP_OVERSIZE_REQUEST.id);
            let mut body = model::to_canonical(&make::outlook_request(email));
            let at = body.find("?>").map_or(0, |i| i + 2);
            body.insert_str(at, &format!("\n<!-- {} -->", "x".repeat(2 * 1024 * 1024)));
            let x = post_follow(
                client,
                t,
                &t.url,
                email,
                body.into_bytes(),
                &mut out,
                &mut exchanges,
            )
            .await;
            let clean = match &x.outcome {
                Ok(a) if a.status == 413 => true,
                Ok(a) if a.status == 200 => rules::validate_default(&a.body)
                    .parsed
                    .is_some_and(|p| error_code(&p).is_some()),
                _ => false,
            };
            if !clean {
                http_finding(
                    &mut out,
                    HTTP_OVERSIZE_REQUEST,
                    format!("a 2 MiB request got {}", describe(&x)),
                );
            }
            exchanges.push(Exchange {
                request_body: format!("(2 MiB request for {email})").into_bytes(),
                ..x
            });
        }
        Kind::GetRedirect => {
            out.applied.insert(HTTP_GET_REDIRECT.id);
            let x = client.get(&t.get_url).await;
            match &x.outcome {
                Ok(a) if is_redirect(a) => {
                    let loc = a.header("location").unwrap_or_default();
                    if !loc.to_ascii_lowercase().starts_with("https://") {
                        http_finding(
                            &mut out,
                            HTTP_GET_REDIRECT,
                            format!("the GET probe redirects to {loc:?}, which is not https"),
                        );
                    } else if a.status != 302 {
                        http_finding(
                            &mut out,
                            HTTP_GET_REDIRECT,
                            format!("the GET probe answers {} rather than 302", a.status),
                        );
                    }
                }
                _ => http_finding(
                    &mut out,
                    HTTP_GET_REDIRECT,
                    format!("the GET probe answered {}", describe(&x)),
                ),
            }
            exchanges.push(x);
        }
    }
    let credentials = client.options().credentials.as_ref();
    if let Some(c) = credentials {
        credentials_echo(c, &exchanges, &mut out);
    }
    out.sort();
    for f in &mut out.findings {
        f.message = redact(&f.message, credentials);
    }
    let ev: Vec<String> = exchanges.iter().map(evidence).collect();
    let mut unit = Unit::new(case.id.clone(), None, out);
    unit.description = Some(case.description.clone());
    unit.evidence = Some(redact(&ev.join("\n"), credentials));
    unit.source = source.map(|s| redact(&s, credentials));
    unit
}

/// Flags answers that carry the password or its Basic token back (in the body or a header).
fn credentials_echo(c: &Credentials, exchanges: &[Exchange], out: &mut Outcome) {
    out.applied.insert(HTTP_CREDENTIALS_ECHO.id);
    let token = c.basic_token();
    let secrets = [c.password(), token.as_str()];
    let contains = |hay: &[u8]| {
        secrets
            .iter()
            .filter(|s| !s.is_empty())
            .any(|s| hay.windows(s.len()).any(|w| w == s.as_bytes()))
    };
    for x in exchanges {
        let Ok(a) = &x.outcome else { continue };
        let header = a.headers.iter().find(|(_, v)| contains(v.as_bytes()));
        let place = if let Some((k, _)) = header {
            format!("its {k} header")
        } else if contains(&a.body) {
            "its body".to_owned()
        } else {
            continue;
        };
        http_finding(
            out,
            HTTP_CREDENTIALS_ECHO,
            format!(
                "the answer to {} {} carries the credentials back in {place} (shown here as [redacted])",
                x.method, x.url
            ),
        );
    }
}

async fn settings(
    client: &Client,
    t: &Target,
    email: &str,
    out: &mut Outcome,
    exchanges: &mut Vec<Exchange>,
    source: &mut Option<String>,
) {
    let mut chain = Chain::new(&t.url, email, t.max_hops, out);
    loop {
        let body = request_xml(&make::outlook_request(chain.addr()));
        let x = chain.post(client, &body, out).await;
        let ended_on_redirect = matches!(&x.outcome, Ok(a) if is_redirect(a));
        let judged = judge_xml(&x, out, chain.hops());
        chain.exchanges.push(x);
        if ended_on_redirect {
            break;
        }
        let Some((parsed, text)) = judged else { break };
        *source = Some(text);
        let Document::Response(r) = &parsed.model else {
            break;
        };
        let account = r
            .accounts()
            .find(|a| a.field(AccountField::Action).is_some());
        let next = match account.and_then(|a| a.text(AccountField::Action).map(|act| (a, act))) {
            Some((a, "redirectAddr")) => a
                .text(AccountField::RedirectAddr)
                .map(|next| (chain.url().to_owned(), next.trim().to_owned())),
            // A RedirectUrl that is not https is an error of the document (POX-ACCT-007);
            // clients do not follow it, and neither does the checker.
            Some((a, "redirectUrl")) => a
                .text(AccountField::RedirectUrl)
                .map(str::trim)
                .filter(|next| next.to_ascii_lowercase().starts_with("https://"))
                .map(|next| (next.to_owned(), chain.addr().to_owned())),
            _ => {
                if let Some(f) = &t.fixture {
                    if let Some(m) = f.find(chain.addr()) {
                        out.merge(rules::check_policy(&parsed, &f.organization, &m.policy));
                    }
                }
                None
            }
        };
        let Some((url, addr)) = next else { break };
        if !chain.hop(url, addr, out) {
            break;
        }
    }
    exchanges.extend(chain.finish(out));
}
