//! The executor: turns the catalogue's data ([`super::catalogue`]) into requests and judges
//! every answer, with the case's own requirement (Expected/Actual) and every document rule.
//! It adds no case of its own.

use super::bait::Bait;
use super::catalogue::{
    self, CaseDef, ChainCheck, Ctx, Expect, GetCheck, Level, MethodCheck, MobileCheck, Path, Probe,
    Transport,
};
use super::client::{evidence, redact, Answer, Client, Credentials, Exchange, Failure, Req};
use super::redirect::{is_redirect, redirect_target, Chain};
use crate::fixture::Fixture;
use crate::model::fields::{AccountField, ErrorField, MobileServerField, UserField};
use crate::model::ns::KnownNs;
use crate::model::{Document, MobileActionItem, MobileSettingsItem, ResponseItem};
use crate::report::Unit;
use crate::rules::catalogue::*;
use crate::rules::{self, Finding, Outcome, Rule};
use crate::Parsed;
use std::time::Duration;

/// How long a case that sends a bait URL waits for the server to fetch it.
const BAIT_GRACE: std::time::Duration = std::time::Duration::from_millis(2000);

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
    /// How long the slow-body case keeps sending one byte per second.
    pub slow_body: Duration,
}

/// A case of a run: a catalogue entry, with `{mailbox}` replaced for settings cases.
#[derive(Debug, Clone)]
pub struct Case {
    /// Stable ID, e.g. `settings/chris@contoso.com` or `request/legacydn/only`.
    pub id: String,
    /// One line.
    pub description: String,
    kind: Kind,
    mailbox: Option<String>,
}

/// Where a case's definition lives: the data catalogue, or the `tls/` and `auth/` tables.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Data(&'static CaseDef),
    Tls(&'static super::tls_cases::TlsCaseDef),
    Auth(&'static super::auth_cases::AuthCaseDef),
}

impl Case {
    /// The catalogue entry, for a case of the data catalogue.
    pub fn def(&self) -> Option<&'static CaseDef> {
        match self.kind {
            Kind::Data(d) => Some(d),
            _ => None,
        }
    }

    /// The `tls/…` definition, when this is a TLS case (judged from the run's inspection).
    pub fn tls(&self) -> Option<&'static super::tls_cases::TlsCaseDef> {
        match self.kind {
            Kind::Tls(d) => Some(d),
            _ => None,
        }
    }
}

/// The cases for a target, in catalogue order.
pub fn catalogue(t: &Target) -> Vec<Case> {
    let mut v = Vec::new();
    for def in catalogue::all() {
        if matches!(def.probe, Probe::Settings) {
            for e in &t.emails {
                v.push(Case {
                    id: def.id.replace("{mailbox}", e),
                    description: def.description.to_owned(),
                    kind: Kind::Data(def),
                    mailbox: Some(e.clone()),
                });
            }
        } else {
            v.push(Case {
                id: def.id.to_owned(),
                description: def.description.to_owned(),
                kind: Kind::Data(def),
                mailbox: None,
            });
        }
    }
    for d in super::auth_cases::AUTH_CASES {
        v.push(Case {
            id: d.id.into(),
            description: d.description.into(),
            kind: Kind::Auth(d),
            mailbox: None,
        });
    }
    for d in super::tls_cases::TLS_CASES {
        v.push(Case {
            id: d.id.into(),
            description: d.description.into(),
            kind: Kind::Tls(d),
            mailbox: None,
        });
    }
    v
}

/// What every case of one run shares: the context the bodies are built from, the bait for
/// the external-entity cases, what the canonical request answers, and the redirect chains.
pub struct RunShared {
    /// The context.
    pub ctx: Ctx,
    bait: Bait,
    /// `User/AutoDiscoverSMTPAddress` of the canonical request's settings for `ctx.email`.
    baseline: Option<String>,
    chains: tokio::sync::OnceCell<Vec<Trace>>,
}

impl RunShared {
    /// Prepares a run: writes the bait, starts its listener, and asks for the first mailbox's
    /// settings once (for its LegacyDN when the fixture gives none, and as the baseline the
    /// request variants are compared with).
    pub async fn prepare(client: &Client, t: &Target) -> Result<RunShared, String> {
        let email = t
            .emails
            .first()
            .cloned()
            .unwrap_or_else(|| "user@example.com".into());
        let domain = email.rsplit('@').next().unwrap_or("example.com").to_owned();
        let other = t
            .emails
            .iter()
            .find(|e| !e.eq_ignore_ascii_case(&email))
            .cloned()
            .unwrap_or_else(|| format!("poxspec-other@{domain}"));
        let bait = Bait::new()
            .await
            .map_err(|e| format!("cannot start the loopback listener: {e}"))?;
        let mut scratch = Outcome::default();
        let mut exchanges = Vec::new();
        let canonical = Req::post(catalogue::outlook(&email).into_bytes());
        let followed = follow(
            client,
            t,
            &t.url,
            &email,
            canonical,
            true,
            &mut scratch,
            &mut exchanges,
        )
        .await;
        let user = |f: UserField| followed.last.as_ref().and_then(|(p, _)| user_field(p, f));
        let baseline = user(UserField::AutoDiscoverSMTPAddress);
        let legacy_dn = t
            .fixture
            .as_ref()
            .and_then(|f| f.find(&email))
            .map(|m| m.legacy_dn().to_owned())
            .or_else(|| user(UserField::LegacyDN));
        Ok(RunShared {
            ctx: Ctx {
                email,
                other,
                domain,
                legacy_dn,
                marker_path: bait.path.clone(),
                marker: bait.marker.clone(),
                fetch_base: bait.base.clone(),
            },
            bait,
            baseline,
            chains: tokio::sync::OnceCell::new(),
        })
    }
}

fn user_field(p: &Parsed, f: UserField) -> Option<String> {
    let Document::Response(r) = &p.model else {
        return None;
    };
    r.body()?.items.iter().find_map(|i| match i {
        ResponseItem::User(u) => u.text(f).map(|s| s.trim().to_owned()),
        _ => None,
    })
}

/// A finding of `rule` with no location.
pub(super) fn http_finding(out: &mut Outcome, rule: &Rule, message: String) {
    out.applied.insert(rule.id);
    out.findings.push(Finding::unplaced(rule, message));
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

/// What an answer is, in a few words, for Actual.
fn actual(x: &Exchange, parsed: Option<&Parsed>) -> String {
    let Some(p) = parsed else {
        return describe(x);
    };
    let status = match &x.outcome {
        Ok(a) => a.status,
        Err(_) => return describe(x),
    };
    if let Some((code, message)) = error_of(p) {
        return format!("HTTP {status} with a POX Error, ErrorCode {code} ({message:?})");
    }
    if let Some(a) = user_field(p, UserField::AutoDiscoverSMTPAddress) {
        if is_settings(p) {
            return format!("HTTP {status} with settings for {a}");
        }
    }
    if is_settings(p) {
        return format!("HTTP {status} with settings");
    }
    if mobile_body(p) {
        return format!("HTTP {status} with a mobilesync Response");
    }
    format!("HTTP {status} with a {} document", p.model.kind())
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
            format!("Content-Type is {ct:?}; expected text/xml"),
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

fn error_of(p: &Parsed) -> Option<(String, String)> {
    let Document::Response(r) = &p.model else {
        return None;
    };
    let e = r.body()?.errors().next()?;
    Some((
        e.text(ErrorField::ErrorCode)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default(),
        e.text(ErrorField::Message)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default(),
    ))
}

fn is_settings(p: &Parsed) -> bool {
    let Document::Response(r) = &p.model else {
        return false;
    };
    r.accounts().any(|a| {
        a.text(AccountField::Action)
            .is_some_and(|t| t.trim() == "settings")
    })
}

fn mobile_body(p: &Parsed) -> bool {
    match &p.model {
        Document::Response(r) => r
            .body()
            .is_some_and(|b| b.meta.ns_class().intended() == Some(KnownNs::ResponseMobileSync)),
        _ => false,
    }
}

fn with_path(url: &str, path: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let (path, query) = match path.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (path, None),
            };
            u.set_path(path);
            u.set_query(query);
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// One step of a redirect chain.
#[derive(Debug, Clone)]
enum Hop {
    /// An HTTP 3xx: from where, with which status, to where.
    Http {
        from: String,
        status: u16,
        to: String,
    },
    /// A POX `redirectUrl`.
    RedirectUrl(String),
    /// A POX `redirectAddr`: from which address to which.
    RedirectAddr { from: String, to: String },
}

/// Where a chain of requests ended.
struct Followed {
    /// The last document received, with its text.
    last: Option<(Parsed, String)>,
    /// The last exchange.
    last_exchange: Option<Exchange>,
    /// Every redirect on the way.
    hops: Vec<Hop>,
}

/// Sends `first` to `url` for `addr` and follows HTTP and POX redirects through the one
/// follower ([`Chain`]); later hops send the canonical request for the new address. With
/// `full`, every answer's transport and document are judged by the rules into `out` (the
/// `settings/` cases, and cases whose requirement is the answer document itself); otherwise
/// answers are only read, so that a server's settings defects are reported once per mailbox
/// rather than in every case that receives settings. The follower's own findings (loops, hop
/// cap, downgrades) always count. The exchanges are kept as evidence.
#[allow(clippy::too_many_arguments)]
async fn follow(
    client: &Client,
    t: &Target,
    url: &str,
    addr: &str,
    first: Req,
    full: bool,
    out: &mut Outcome,
    exchanges: &mut Vec<Exchange>,
) -> Followed {
    let mut chain = Chain::new(url, addr, t.max_hops, out);
    let mut req = first;
    let mut hops = Vec::new();
    let mut last = None;
    let mut last_exchange;
    loop {
        let before = chain.exchanges.len();
        let x = chain.send(client, &req, out).await;
        for r in &chain.exchanges[before..] {
            if let Ok(a) = &r.outcome {
                if is_redirect(a) {
                    hops.push(Hop::Http {
                        from: r.url.clone(),
                        status: a.status,
                        to: redirect_target(&r.url, a),
                    });
                }
            }
        }
        let ended_on_redirect = matches!(&x.outcome, Ok(a) if is_redirect(a));
        if let Ok(a) = &x.outcome {
            if ended_on_redirect {
                hops.push(Hop::Http {
                    from: x.url.clone(),
                    status: a.status,
                    to: redirect_target(&x.url, a),
                });
            }
        }
        let judged = if ended_on_redirect {
            None
        } else if full {
            judge_xml(&x, out, chain.hops())
        } else {
            judge_xml(&x, &mut Outcome::default(), chain.hops())
        };
        last_exchange = Some(x.clone());
        chain.exchanges.push(x);
        let Some((parsed, text)) = judged else { break };
        let next = {
            let Document::Response(r) = &parsed.model else {
                last = Some((parsed, text));
                break;
            };
            let account = r
                .accounts()
                .find(|a| a.field(AccountField::Action).is_some());
            match account.and_then(|a| a.text(AccountField::Action).map(|act| (a, act.trim()))) {
                Some((a, "redirectAddr")) => a.text(AccountField::RedirectAddr).map(|next| {
                    let next = next.trim().to_owned();
                    hops.push(Hop::RedirectAddr {
                        from: chain.addr().to_owned(),
                        to: next.clone(),
                    });
                    (chain.url().to_owned(), next)
                }),
                // A RedirectUrl that is not https is an error of the document (POX-ACCT-007);
                // clients do not follow it, and neither does the checker.
                Some((a, "redirectUrl")) => a.text(AccountField::RedirectUrl).and_then(|next| {
                    let next = next.trim().to_owned();
                    hops.push(Hop::RedirectUrl(next.clone()));
                    next.to_ascii_lowercase()
                        .starts_with("https://")
                        .then(|| (next, chain.addr().to_owned()))
                }),
                _ => None,
            }
        };
        last = Some((parsed, text));
        let Some((url, addr)) = next else { break };
        if !chain.hop(url, addr.clone(), out) {
            break;
        }
        req = Req::post(catalogue::outlook(&addr).into_bytes());
    }
    exchanges.extend(chain.finish(out));
    Followed {
        last,
        last_exchange,
        hops,
    }
}

/// The rule a case's own finding is filed under: the HTTP rule that states the same
/// requirement when there is one of the same severity, else the level's generic rule.
fn case_rule(def: &CaseDef) -> &'static Rule {
    let specific: Option<&'static Rule> = match def.probe {
        Probe::Post {
            expect: Expect::Error(codes),
            ..
        } => match codes {
            ["600"] => Some(HTTP_INVALID_REQUEST),
            ["500"] => Some(HTTP_UNKNOWN_ADDRESS),
            ["601"] => Some(HTTP_SCHEMA_UNAVAILABLE),
            _ => None,
        },
        Probe::Post {
            expect: Expect::Mobile(MobileCheck::Shape),
            ..
        } => Some(HTTP_MOBILESYNC),
        Probe::Post {
            path: Path::Spelled(p),
            ..
        } if p != "/autodiscover/autodiscover.xml" => Some(HTTP_MIXED_CASE_PATH),
        Probe::GetProbe(GetCheck::Https) => Some(HTTP_GET_REDIRECT),
        _ if def.id == "security/size/2mib" => Some(HTTP_OVERSIZE_REQUEST),
        _ => None,
    };
    let generic = match def.level {
        Level::Must => LIVE_MUST,
        Level::Should => LIVE_SHOULD,
        Level::ImplementationDefined => LIVE_SILENT,
    };
    specific
        .filter(|r| r.severity == generic.severity)
        .unwrap_or(generic)
}

/// Collects the case's own verdict.
struct Verdict<'a> {
    rule: &'static Rule,
    out: &'a mut Outcome,
}

impl Verdict<'_> {
    fn fail(&mut self, expected: impl std::fmt::Display, actual: impl std::fmt::Display) {
        http_finding(
            self.out,
            self.rule,
            format!("expected {expected}; actual: {actual}"),
        );
    }
}

/// Flags a 5xx, a reset or silence: whatever a server prefers, it must answer.
fn robust(x: &Exchange, out: &mut Outcome, slow: bool) {
    out.applied.insert(LIVE_ROBUST.id);
    let problem = match &x.outcome {
        Ok(a) if a.status >= 500 => {
            Some(format!("{} {} answered {}", x.method, x.url, describe(x)))
        }
        // A slow body's silence is the slow-body case's own (SHOULD-level) finding.
        Err(Failure::Timeout) if slow => None,
        Err(Failure::Timeout) => Some(format!("{} {}: {}", x.method, x.url, describe(x))),
        // A slow body that the server cuts off by closing the connection is a clean answer.
        Err(Failure::Other(_)) if slow => None,
        Err(Failure::Other(e)) => Some(format!(
            "{} {}: the connection failed: {e}",
            x.method, x.url
        )),
        _ => None,
    };
    if let Some(p) = problem {
        http_finding(out, LIVE_ROBUST, p);
    }
}

/// Finds the bait in an answer: the marker file's content, or a passwd line.
fn echo_of(bait: &Bait, a: &Answer) -> Option<&'static str> {
    let body = String::from_utf8_lossy(&a.body);
    if body.contains(&bait.marker) {
        Some("the content of the checker's marker file")
    } else if body.contains("root:x:0:0") || body.contains("root:*:0:0") {
        Some("a line of /etc/passwd")
    } else {
        None
    }
}

/// Runs one case.
pub async fn run_case(client: &Client, t: &Target, shared: &RunShared, case: &Case) -> Unit {
    let mut out = Outcome::default();
    let mut exchanges: Vec<Exchange> = Vec::new();
    let mut source: Option<String> = None;
    let def = match case.kind {
        Kind::Data(def) => def,
        Kind::Tls(def) => return super::tls_cases::run_alone(client, t, def).await,
        Kind::Auth(def) => {
            let first = t.emails.first().map_or("user@example.com", String::as_str);
            super::auth_cases::run(client, &t.url, first, def, &mut out, &mut exchanges).await;
            return finish(client, case, out, exchanges, source);
        }
    };
    let rule = case_rule(def);
    out.applied.insert(rule.id);
    let ctx = &shared.ctx;
    match def.probe {
        Probe::Settings => {
            let email = case.mailbox.as_deref().unwrap_or(&ctx.email);
            let canonical = Req::post(catalogue::outlook(email).into_bytes());
            let f = follow(
                client,
                t,
                &t.url,
                email,
                canonical,
                true,
                &mut out,
                &mut exchanges,
            )
            .await;
            if let Some((parsed, text)) = &f.last {
                source = Some(text.clone());
                if is_settings(parsed) {
                    let asked = f
                        .hops
                        .iter()
                        .rev()
                        .find_map(|h| match h {
                            Hop::RedirectAddr { to, .. } => Some(to.as_str()),
                            _ => None,
                        })
                        .unwrap_or(email);
                    if let Some(fx) = &t.fixture {
                        if let Some(m) = fx.find(asked) {
                            let (res, name) = fx.resolve(m);
                            out.merge(rules::check_policy_resolved(
                                parsed,
                                &fx.organization,
                                &m.policy,
                                res,
                                name,
                            ));
                        }
                    }
                }
            }
            if let Some(x) = &f.last_exchange {
                robust(x, &mut out, false);
            }
        }
        Probe::Post {
            path,
            content_type,
            body,
            transport,
            expect,
        } => {
            let Some(bytes) = body(ctx) else {
                http_finding(
                    &mut out,
                    LIVE_SILENT,
                    format!(
                        "not applicable: no LegacyDN is known for {} (give a --fixture with legacy_dn, or a server whose settings carry User/LegacyDN)",
                        ctx.email
                    ),
                );
                return finish(client, case, out, exchanges, source);
            };
            let needle = def.id.replace('/', "-");
            let baited = std::str::from_utf8(&bytes).is_ok_and(|b| b.contains(&needle));
            let url = match path {
                Path::Named => t.url.clone(),
                Path::Spelled(p) => with_path(&t.url, p),
            };
            let shown = if bytes.len() > 4096 {
                Some(format!("({} bytes: {})", bytes.len(), def.description).into_bytes())
            } else {
                None
            };
            let req = Req {
                method: "POST",
                content_type,
                body: bytes,
                transport,
                slow_window: t.slow_body,
            };
            let full = matches!(
                expect,
                Expect::Error(_) | Expect::Mobile(MobileCheck::Shape)
            );
            let f = follow(
                client,
                t,
                &url,
                &ctx.email,
                req,
                full,
                &mut out,
                &mut exchanges,
            )
            .await;
            if let Some(s) = shown {
                for x in exchanges.iter_mut().take(1) {
                    x.request_body = s.clone();
                }
            }
            let parsed = f.last.as_ref().map(|(p, _)| p);
            if let Some((_, text)) = &f.last {
                source = Some(text.clone());
            }
            let Some(x) = f.last_exchange.as_ref() else {
                return finish(client, case, out, exchanges, source);
            };
            robust(x, &mut out, transport == Transport::Slow);
            let mut v = Verdict {
                rule,
                out: &mut out,
            };
            judge_post(&mut v, shared, expect, x, parsed, transport);
            if let Ok(a) = &x.outcome {
                if let Some(what) = echo_of(&shared.bait, a) {
                    v.fail(
                        "no echo of an external entity's target",
                        format!("the answer contains {what}"),
                    );
                }
            }
            // A fetch can trail the answer (regression: under CI load the entity-fetched
            // fault's request reached the listener after the case had looked), so a case whose
            // request names the listener waits for it; the others only look.
            let hits = if baited {
                shared.bait.hits_within(&needle, BAIT_GRACE).await
            } else {
                shared.bait.hits(&needle)
            };
            if !hits.is_empty() {
                v.fail(
                    "no request to the checker's loopback listener",
                    format!("the server fetched {}{}", ctx.fetch_base, hits.join(", ")),
                );
            }
        }
        Probe::Method(method, check) => {
            let req = Req {
                method,
                content_type: None,
                body: Vec::new(),
                transport: Transport::Plain,
                slow_window: t.slow_body,
            };
            let x = client.request(&t.url, &req).await;
            robust(&x, &mut out, false);
            let mut v = Verdict {
                rule,
                out: &mut out,
            };
            if let Ok(a) = &x.outcome {
                let allow = a.header("allow").unwrap_or("");
                let lists_post = allow
                    .split(',')
                    .any(|m| m.trim().eq_ignore_ascii_case("POST"));
                match check {
                    MethodCheck::NoFailure => {
                        if is_redirect(a) && redirect_target(&x.url, a) == x.url {
                            v.fail(
                                "anything but a redirect to the same URL",
                                format!("{} to itself (a loop)", a.status),
                            );
                        }
                    }
                    MethodCheck::Allow => {
                        if a.status == 405 && allow.is_empty() {
                            v.fail("a 405 with an Allow header", "a 405 without Allow");
                        } else if (200..300).contains(&a.status)
                            && method == "OPTIONS"
                            && !lists_post
                        {
                            v.fail(
                                "Allow listing POST",
                                format!("HTTP {} with Allow {allow:?}", a.status),
                            );
                        } else if (200..300).contains(&a.status) && method != "OPTIONS" {
                            v.fail(format!("405 (or another 4xx) for {method}"), describe(&x));
                        }
                    }
                }
            }
            exchanges.push(x);
        }
        Probe::KeepAlive => {
            let body = catalogue::outlook(&ctx.email).into_bytes();
            let (first, second, reused) = client.keep_alive(&t.url, body).await;
            for x in [&first, &second].into_iter().flatten() {
                robust(x, &mut out, false);
            }
            let mut v = Verdict {
                rule,
                out: &mut out,
            };
            match (&second, reused) {
                (_, Err(why)) => v.fail("the connection kept open for a second request", why),
                (Some(x), Ok(())) if x.outcome.is_err() => v.fail(
                    "an answer to the second request on the connection",
                    describe(x),
                ),
                _ => {}
            }
            exchanges.extend(first);
            exchanges.extend(second);
        }
        Probe::GetProbe(check) => {
            let x = client.get(&t.get_url).await;
            let mut v = Verdict {
                rule,
                out: &mut out,
            };
            match (&x.outcome, check) {
                (Ok(a), GetCheck::Https) if is_redirect(a) => {
                    let loc = redirect_target(&x.url, a);
                    if !loc.to_ascii_lowercase().starts_with("https://") {
                        v.fail(
                            "a redirect to an https URL",
                            format!("{} to {loc}", a.status),
                        );
                    }
                }
                (Ok(a), GetCheck::Status302) if is_redirect(a) => {
                    if a.status != 302 {
                        v.fail("302", a.status);
                    }
                }
                (_, GetCheck::Https) => v.fail("a redirect to an https URL", describe(&x)),
                // Without a redirect there is no status to judge; redirect/get-probe/https says so.
                (_, GetCheck::Status302) => {}
            }
            exchanges.push(x);
        }
        Probe::Chain(check) => {
            let traces = shared.chains.get_or_init(|| traces(client, t)).await;
            let mut v = Verdict {
                rule,
                out: &mut out,
            };
            for tr in traces {
                let before = v.out.findings.len();
                judge_chain(&mut v, check, tr);
                if v.out.findings.len() > before || !tr.hops.is_empty() {
                    exchanges.extend(tr.exchanges.iter().cloned());
                }
            }
        }
    }
    finish(client, case, out, exchanges, source)
}

fn judge_post(
    v: &mut Verdict<'_>,
    shared: &RunShared,
    expect: Expect,
    x: &Exchange,
    parsed: Option<&Parsed>,
    transport: Transport,
) {
    let status = x.outcome.as_ref().ok().map(|a| a.status);
    let ctx = &shared.ctx;
    let settings_for = || match &shared.baseline {
        Some(a) => format!("settings for {a} (as for the canonical request)"),
        None => format!("settings for {}", ctx.email),
    };
    let pox_error = parsed.and_then(error_of).filter(|_| status == Some(200));
    let right_settings = parsed.is_some_and(|p| {
        is_settings(p)
            && match (
                &shared.baseline,
                user_field(p, UserField::AutoDiscoverSMTPAddress),
            ) {
                (Some(want), Some(got)) => want.eq_ignore_ascii_case(&got),
                _ => true,
            }
    });
    match expect {
        Expect::Settings => {
            if !right_settings {
                v.fail(settings_for(), actual(x, parsed));
            }
        }
        Expect::Error(codes) => match &pox_error {
            Some((c, _)) if codes.contains(&c.as_str()) => {}
            _ => v.fail(
                format!(
                    "HTTP 200 with a POX Error, ErrorCode {}",
                    codes.join(" or ")
                ),
                actual(x, parsed),
            ),
        },
        Expect::Tolerant => {
            if !right_settings && pox_error.is_none() {
                v.fail(
                    format!("{} or a POX Error with HTTP 200", settings_for()),
                    actual(x, parsed),
                );
            }
        }
        Expect::Refused => {
            let clean = match status {
                Some(s) if (400..500).contains(&s) => true,
                Some(200) => pox_error.as_ref().is_some_and(|(c, _)| c == "600"),
                _ => transport == Transport::Slow && matches!(x.outcome, Err(Failure::Other(_))),
            };
            if !clean {
                let expected = if transport == Transport::Slow {
                    format!(
                        "within the slow-body window ({} s): a 4xx (408), a POX Error 600, or a closed connection",
                        x.elapsed.as_secs().max(1)
                    )
                } else {
                    "a clean refusal: a 4xx, or HTTP 200 with a POX Error 600".to_owned()
                };
                v.fail(expected, actual(x, parsed));
            }
        }
        Expect::NotInjected => {
            let injected = x
                .outcome
                .as_ref()
                .is_ok_and(|a| String::from_utf8_lossy(&a.body).contains("<PoxspecInjected"));
            if injected {
                v.fail(
                    "the address's markup escaped in the answer",
                    "the answer contains a <PoxspecInjected/> element built from the request",
                );
            }
        }
        Expect::Mobile(check) => judge_mobile(v, ctx, check, x, parsed, pox_error.as_ref()),
    }
}

fn judge_mobile(
    v: &mut Verdict<'_>,
    ctx: &Ctx,
    check: MobileCheck,
    x: &Exchange,
    parsed: Option<&Parsed>,
    pox_error: Option<&(String, String)>,
) {
    let not_offered = pox_error.is_some_and(|(c, _)| c == "601");
    let body = parsed
        .filter(|p| mobile_body(p))
        .and_then(|p| match &p.model {
            Document::Response(r) => r.body(),
            _ => None,
        });
    let servers: Vec<_> = body
        .into_iter()
        .flat_map(|b| b.items.iter())
        .filter_map(|i| match i {
            ResponseItem::Action(a) => Some(a),
            _ => None,
        })
        .flat_map(|a| a.items.iter())
        .filter_map(|i| match i {
            MobileActionItem::Settings(s) => Some(s),
            _ => None,
        })
        .flat_map(|s| s.items.iter())
        .filter_map(|i| match i {
            MobileSettingsItem::Server(g) => Some(g),
            _ => None,
        })
        .collect();
    match check {
        MobileCheck::Shape => {
            let ok = servers.iter().any(|s| {
                s.text(MobileServerField::Type)
                    .is_some_and(|t| t.trim() == "MobileSync")
                    && s.text(MobileServerField::Url).is_some()
            });
            if !ok && !not_offered {
                v.fail(
                    "a mobilesync Response with Action/Settings/Server of Type MobileSync and a Url (or ErrorCode 601)",
                    actual(x, parsed),
                );
            }
        }
        MobileCheck::UrlHttps => {
            for s in &servers {
                if let Some(u) = s.text(MobileServerField::Url) {
                    if !u.trim().to_ascii_lowercase().starts_with("https://") {
                        v.fail("an https Url", format!("Url {}", u.trim()));
                    }
                }
            }
        }
        MobileCheck::User => {
            if let Some(b) = body {
                let user = b.items.iter().find_map(|i| match i {
                    ResponseItem::User(u) => Some(u.text(UserField::EMailAddress).map(str::trim)),
                    _ => None,
                });
                match user {
                    Some(Some(a)) if a.eq_ignore_ascii_case(&ctx.email) => {}
                    Some(Some(a)) => v.fail(format!("User/EMailAddress {}", ctx.email), a),
                    Some(None) => v.fail("User/EMailAddress", "a User without EMailAddress"),
                    None => v.fail("a User element naming the mailbox", "no User element"),
                }
            }
        }
        MobileCheck::Culture => {
            if let Some(b) = body {
                if !b
                    .items
                    .iter()
                    .any(|i| matches!(i, ResponseItem::Culture(_)))
                {
                    v.fail("a Culture element", "none");
                }
            }
        }
    }
}

/// A named mailbox's redirect chain, followed once per run for all the chain cases.
struct Trace {
    email: String,
    hops: Vec<Hop>,
    /// The follower's own findings (loop, cap, downgrade, origin, length).
    findings: Vec<Finding>,
    exchanges: Vec<Exchange>,
}

async fn traces(client: &Client, t: &Target) -> Vec<Trace> {
    let mut v = Vec::new();
    for email in &t.emails {
        let mut out = Outcome::default();
        let mut exchanges = Vec::new();
        let canonical = Req::post(catalogue::outlook(email).into_bytes());
        let f = follow(
            client,
            t,
            &t.url,
            email,
            canonical,
            true,
            &mut out,
            &mut exchanges,
        )
        .await;
        v.push(Trace {
            email: email.clone(),
            hops: f.hops,
            findings: out.findings,
            exchanges,
        });
    }
    v
}

fn judge_chain(v: &mut Verdict<'_>, check: ChainCheck, tr: &Trace) {
    match check {
        ChainCheck::Ends => {
            for f in tr
                .findings
                .iter()
                .filter(|f| f.rule == HTTP_REDIRECT_CHAIN.id)
            {
                v.fail(
                    format!("{}: an answer within 10 hops, no loop", tr.email),
                    &f.message,
                );
            }
        }
        ChainCheck::Short => {
            let n = tr.hops.len();
            if n > 2 {
                v.fail(
                    format!("{}: at most 2 redirects", tr.email),
                    format!("{n} redirects"),
                );
            }
        }
        ChainCheck::RedirectUrlHttps => {
            for h in &tr.hops {
                if let Hop::RedirectUrl(u) = h {
                    if !u.to_ascii_lowercase().starts_with("https://") {
                        v.fail(format!("{}: an https RedirectUrl", tr.email), u);
                    }
                }
            }
        }
        ChainCheck::LocationHttps => {
            for h in &tr.hops {
                if let Hop::Http { from, status, to } = h {
                    if !to.to_ascii_lowercase().starts_with("https://") {
                        v.fail(
                            format!("{}: redirects to https only", tr.email),
                            format!("{status} from {from} to {to}"),
                        );
                    }
                }
            }
        }
        ChainCheck::RedirectAddrValid => {
            for h in &tr.hops {
                if let Hop::RedirectAddr { from, to } = h {
                    let (local, domain) = to.rsplit_once('@').unwrap_or(("", ""));
                    if local.is_empty() || domain.is_empty() || to.eq_ignore_ascii_case(from) {
                        v.fail(
                            format!(
                                "{}: a RedirectAddr that is another e-mail address",
                                tr.email
                            ),
                            format!("RedirectAddr {to:?} for {from}"),
                        );
                    }
                }
            }
        }
    }
}

fn finish(
    client: &Client,
    case: &Case,
    mut out: Outcome,
    exchanges: Vec<Exchange>,
    source: Option<String>,
) -> Unit {
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
