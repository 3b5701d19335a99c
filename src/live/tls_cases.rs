//! The `tls/…` cases: each judges one property of the TLS endpoint from the run's single
//! [`Inspection`], so that one broken property never hides another. `tls/http2` also sends
//! the Autodiscover POST over HTTP/2 when the server selects it.

use super::cases::http_finding as finding;
use super::cases::Target;
use super::client::Client;
use super::client::{redact, Credentials};
use super::route::Routing;
use super::tls::{Inspection, TlsProblem, Trust};
use crate::report::Unit;
use crate::rules::catalogue::*;
use crate::rules::{Outcome, Rule};
use std::time::Duration;

/// Which property a `tls/…` case judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsCheck {
    /// POX-TLS-001.
    Trusted,
    /// POX-TLS-002.
    Name,
    /// POX-TLS-003 and POX-TLS-004.
    Validity,
    /// POX-TLS-005.
    Version,
    /// POX-TLS-006.
    Legacy,
    /// POX-TLS-007 and POX-TLS-008.
    Http2,
}

/// A `tls/…` case: ID, one line, the property and the rules it applies (their summaries and
/// sources are the case's requirement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsCaseDef {
    /// Case ID.
    pub id: &'static str,
    /// One line.
    pub description: &'static str,
    /// The property.
    pub check: TlsCheck,
    /// The rules applied.
    pub rules: &'static [&'static Rule],
}

/// The `tls/…` cases, in order.
pub static TLS_CASES: &[TlsCaseDef] = &[
    TlsCaseDef {
        id: "tls/chain-trusted",
        description: "the certificate chain leads to a trusted root (--ca-file adds private CAs)",
        check: TlsCheck::Trusted,
        rules: &[TLS_TRUSTED],
    },
    TlsCaseDef {
        id: "tls/name-matches",
        description: "the certificate names the URL's host (also under --connect-to/--resolve)",
        check: TlsCheck::Name,
        rules: &[TLS_NAME],
    },
    TlsCaseDef {
        id: "tls/validity",
        description: "every certificate presented is within its notBefore/notAfter dates",
        check: TlsCheck::Validity,
        rules: &[TLS_EXPIRED, TLS_NOT_YET_VALID],
    },
    TlsCaseDef {
        id: "tls/protocol-version",
        description: "a client offering TLS 1.2 and 1.3 gets one of them",
        check: TlsCheck::Version,
        rules: &[TLS_VERSION],
    },
    TlsCaseDef {
        id: "tls/no-legacy-versions",
        description: "a client offering only TLS 1.1 is refused (hand-written ClientHello)",
        check: TlsCheck::Legacy,
        rules: &[TLS_LEGACY],
    },
    TlsCaseDef {
        id: "tls/http2",
        description:
            "HTTP/2 offered in ALPN (info), and served when selected: the POST over HTTP/2",
        check: TlsCheck::Http2,
        rules: &[TLS_HTTP2, TLS_HTTP2_SERVED],
    },
];

/// What a `tls/…` case needs from the run.
pub struct TlsContext<'a> {
    /// The inspection of the URL's endpoint; `None` when the URL is plain http.
    pub inspection: Option<&'a Inspection>,
    /// The Autodiscover URL.
    pub url: &'a str,
    /// First mailbox, for the HTTP/2 POST.
    pub email: &'a str,
    /// Connection routing.
    pub routing: Option<&'a Routing>,
    /// What the client trusts.
    pub trust: &'a Trust,
    /// Credentials for the HTTP/2 POST (bound to their origin).
    pub credentials: Option<&'a Credentials>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Largest body read.
    pub body_cap: usize,
}

/// Adds a finding of `rule` (for cases outside this module).
pub fn finding_for(out: &mut Outcome, rule: &Rule, message: String) {
    finding(out, rule, message)
}

/// The rule a problem breaks.
pub fn rule(p: &TlsProblem) -> &'static Rule {
    match p {
        TlsProblem::Untrusted { .. } | TlsProblem::SelfSigned => TLS_TRUSTED,
        TlsProblem::NameMismatch { .. } => TLS_NAME,
        TlsProblem::Expired { .. } => TLS_EXPIRED,
        TlsProblem::NotYetValid { .. } => TLS_NOT_YET_VALID,
        TlsProblem::OldProtocol { .. } => TLS_VERSION,
        TlsProblem::LegacyAccepted { .. } => TLS_LEGACY,
    }
}

/// ALPN offered by the inspection (to learn whether the server offers HTTP/2).
pub const INSPECT_ALPN: &[&[u8]] = &[b"h2", b"http/1.1"];

/// Runs a `tls/…` case on its own: inspects the target's endpoint first (the run shares one
/// inspection between its cases instead).
pub async fn run_alone(client: &Client, t: &Target, def: &TlsCaseDef) -> Unit {
    let o = client.options();
    let inspection = match super::tls::https_endpoint(&t.url) {
        Some((host, port)) => Some(
            super::tls::inspect(
                &host,
                port,
                o.routing.as_deref(),
                &o.trust,
                INSPECT_ALPN,
                o.timeout,
            )
            .await,
        ),
        None => None,
    };
    if let Some(Err(e)) = &inspection {
        let mut out = Outcome::default();
        let rule = def.rules[0];
        finding(
            &mut out,
            rule,
            format!("the TLS endpoint could not be inspected: {e}"),
        );
        let mut unit = Unit::new(def.id, None, out);
        unit.description = Some(def.description.to_owned());
        return unit;
    }
    let inspection = inspection.and_then(Result::ok);
    let cx = TlsContext {
        inspection: inspection.as_ref(),
        url: &t.url,
        email: t.emails.first().map_or("user@example.com", String::as_str),
        routing: o.routing.as_deref(),
        trust: &o.trust,
        credentials: o.credentials.as_ref(),
        timeout: o.timeout,
        body_cap: o.body_cap,
    };
    run(def, &cx).await
}

/// Runs one `tls/…` case.
pub async fn run(def: &TlsCaseDef, cx: &TlsContext<'_>) -> Unit {
    let mut out = Outcome::default();
    for r in def.rules {
        out.applied.insert(r.id);
    }
    let mut evidence = String::new();
    match cx.inspection {
        None => {
            evidence.push_str("not applicable: the URL is plain http, there is no TLS to judge\n")
        }
        Some(i) => {
            evidence.push_str(&i.evidence());
            let problem = |r: Option<Result<(), TlsProblem>>| match r {
                Some(Err(p)) => Some(p),
                _ => None,
            };
            let certificate = match def.check {
                TlsCheck::Trusted => problem(i.trust()),
                TlsCheck::Name => problem(i.name()),
                TlsCheck::Validity => problem(i.validity()),
                _ => None,
            };
            match def.check {
                // --insecure turns certificate verification off: what would fail is shown,
                // not judged (the report's context says verification was off).
                TlsCheck::Trusted | TlsCheck::Name | TlsCheck::Validity if cx.trust.insecure => {
                    if let Some(p) = certificate {
                        evidence.push_str(&format!(
                            "not judged (--insecure, verification off): {}\n",
                            i.explain(&p)
                        ));
                    }
                }
                TlsCheck::Trusted | TlsCheck::Name | TlsCheck::Validity => {
                    if let Some(p) = certificate {
                        finding(&mut out, rule(&p), i.explain(&p));
                    }
                }
                TlsCheck::Version => {
                    if let Err(p) = i.protocol() {
                        finding(&mut out, TLS_VERSION, i.explain(&p));
                    }
                }
                TlsCheck::Legacy => {
                    if let Some(p) = problem(i.legacy()) {
                        finding(&mut out, TLS_LEGACY, i.explain(&p));
                    }
                }
                TlsCheck::Http2 => http2(i, cx, &mut out, &mut evidence).await,
            }
        }
    }
    out.sort();
    for f in &mut out.findings {
        f.message = redact(&f.message, cx.credentials);
    }
    let mut unit = Unit::new(def.id, None, out);
    unit.description = Some(def.description.to_owned());
    unit.evidence = Some(redact(&evidence, cx.credentials));
    unit
}

async fn http2(i: &Inspection, cx: &TlsContext<'_>, out: &mut Outcome, evidence: &mut String) {
    let alpn = i.handshake.as_ref().ok().and_then(|h| h.alpn.clone());
    if alpn.as_deref() != Some("h2") {
        finding(
            out,
            TLS_HTTP2,
            format!(
                "HTTP/2 is not offered: ALPN selected {} (implementation-defined; clients fall back to HTTP/1.1)",
                alpn.as_deref().unwrap_or("nothing")
            ),
        );
        return;
    }
    let body = crate::model::to_canonical(&crate::model::make::outlook_request(cx.email));
    match super::h2::post(cx, i, body.into_bytes()).await {
        Ok(a) => {
            evidence.push_str(&format!(
                "> POST {} over HTTP/2\n< HTTP/2 {} ({} bytes)\n",
                cx.url,
                a.status,
                a.body.len()
            ));
            if a.status == 200 && crate::rules::validate_default(&a.body).parsed.is_none() {
                finding(
                    out,
                    TLS_HTTP2_SERVED,
                    format!(
                        "over HTTP/2 the POST got HTTP 200 with {} bytes that are not an XML document",
                        a.body.len()
                    ),
                );
            }
        }
        Err(e) => {
            evidence.push_str(&format!("> POST {} over HTTP/2\n< {e}\n", cx.url));
            finding(
                out,
                TLS_HTTP2_SERVED,
                format!("ALPN selected h2, but the POST over HTTP/2 failed: {e}"),
            );
        }
    }
}
