//! `--probe-endpoints`: connects to each IMAP, POP3 and SMTP `Server:Port` an answer advertises
//! and observes its transport instead of guessing it from the port number: implicit TLS where
//! `SSL` is on and `Encryption` is absent or `SSL`; a plain-text greeting that offers STARTTLS
//! where `Encryption` is `TLS`; a certificate valid for `Server`; `AUTH` in SMTP's EHLO reply
//! where `AuthRequired` is on. Every read is bounded in length, line count and time.

use super::super::client::ClientOptions;
use super::super::route::Routing;
use crate::fixture::Fixture;
use crate::model::fields::{ProtocolField, SwitchField, UserField};
use crate::model::Document;
use crate::report::{Table, Unit};
use crate::rules::catalogue::*;
use crate::rules::{Finding, Outcome, Rule};
use rustls::pki_types::ServerName;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Longest line read from an endpoint.
const MAX_LINE: u64 = 2048;
/// Most lines read for one reply.
const MAX_REPLY_LINES: usize = 64;
/// Longest wait for a greeting before concluding the endpoint waits for a TLS handshake.
const GREETING_WAIT: Duration = Duration::from_secs(3);

/// The transport an answer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expect {
    /// TLS from the first byte (`SSL` on, `Encryption` absent or `SSL`).
    ImplicitTls,
    /// Plain-text greeting, then STARTTLS (`Encryption` `TLS`).
    StartTls,
    /// No encryption (`Encryption` `None`, or `SSL` off without `Encryption`).
    Plain,
    /// Either (`Encryption` `Auto`).
    Either,
}

impl Expect {
    fn describe(self) -> &'static str {
        match self {
            Expect::ImplicitTls => "implicit TLS",
            Expect::StartTls => "a plain-text greeting offering STARTTLS",
            Expect::Plain => "a plain-text greeting (no encryption)",
            Expect::Either => "implicit TLS or STARTTLS (Encryption Auto)",
        }
    }
}

/// A mail endpoint an answer advertises.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Advertised {
    /// `IMAP`, `POP3` or `SMTP`.
    pub kind: String,
    /// `Server`.
    pub server: String,
    /// `Port`.
    pub port: u16,
    /// What `SSL`/`Encryption` say.
    pub expect: Expect,
    /// `AuthRequired` (documented default: on).
    pub auth_required: bool,
}

/// The IMAP, POP3 and SMTP endpoints of an Autodiscover answer (others are not probed; a
/// protocol without a usable `Server` or `Port` is left to the document rules).
pub fn advertised(answer: &[u8]) -> Vec<Advertised> {
    let Some(p) = crate::rules::validate_default(answer).parsed else {
        return vec![];
    };
    let Document::Response(r) = &p.model else {
        return vec![];
    };
    let mut out = Vec::new();
    for proto in r.protocols() {
        let Some(kind) = proto.kind().map(|k| k.to_ascii_uppercase()) else {
            continue;
        };
        if !matches!(kind.as_str(), "IMAP" | "POP3" | "SMTP") {
            continue;
        }
        let server = proto
            .text(ProtocolField::Server)
            .map(str::trim)
            .unwrap_or("");
        let port = proto
            .text(ProtocolField::Port)
            .and_then(|p| p.trim().parse::<u16>().ok())
            .filter(|p| *p > 0);
        let (Some(port), false) = (port, server.is_empty()) else {
            continue;
        };
        let encryption = proto
            .text(ProtocolField::Encryption)
            .map(|e| e.trim().to_ascii_lowercase());
        let expect = match encryption.as_deref() {
            Some("ssl") => Expect::ImplicitTls,
            Some("tls") => Expect::StartTls,
            Some("none") => Expect::Plain,
            Some("auto") => Expect::Either,
            _ => match proto.effective(SwitchField::SSL) {
                Some(false) => Expect::Plain,
                _ => Expect::ImplicitTls,
            },
        };
        let e = Advertised {
            kind,
            server: server.to_owned(),
            port,
            expect,
            auth_required: proto.effective(SwitchField::AuthRequired) != Some(false),
        };
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// The mailbox an answer is for: its `User/AutoDiscoverSMTPAddress` (after a `redirectAddr`
/// that is the new address), else `asked`.
pub fn answered_address(answer: &[u8], asked: &str) -> String {
    crate::rules::validate_default(answer)
        .parsed
        .and_then(|p| match &p.model {
            Document::Response(r) => r
                .body()?
                .users()
                .find_map(|u| u.text(UserField::AutoDiscoverSMTPAddress))
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty()),
            _ => None,
        })
        .unwrap_or_else(|| asked.to_owned())
}

/// What a probe saw.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// Findings (ENDP rules).
    pub findings: Vec<Finding>,
    /// One line per fact observed.
    pub facts: Vec<String>,
    /// The conversation: `> ` sent, `< ` received.
    pub transcript: Vec<String>,
    /// SMTP: whether the EHLO reply (after TLS where there was TLS) offered AUTH.
    pub offers_auth: Option<bool>,
    /// Time taken.
    pub elapsed: Duration,
}

impl Observation {
    fn find(&mut self, rule: &Rule, message: String) {
        self.findings.push(Finding::unplaced(rule, message));
    }
}

/// Reads one line (at most [`MAX_LINE`] bytes) within `wait`; `None` on timeout, end of
/// stream or error.
async fn read_line<S: AsyncRead + Unpin>(
    r: &mut BufReader<S>,
    wait: Duration,
    transcript: &mut Vec<String>,
) -> Option<String> {
    let mut buf = Vec::new();
    let n = tokio::time::timeout(wait, r.take(MAX_LINE).read_until(b'\n', &mut buf))
        .await
        .ok()?
        .ok()?;
    if n == 0 {
        return None;
    }
    let line = String::from_utf8_lossy(&buf).trim_end().to_owned();
    transcript.push(format!("< {}", line.chars().take(200).collect::<String>()));
    Some(line)
}

async fn send<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut BufReader<S>,
    line: &str,
    transcript: &mut Vec<String>,
) -> Option<()> {
    transcript.push(format!("> {line}"));
    r.get_mut()
        .write_all(format!("{line}\r\n").as_bytes())
        .await
        .ok()?;
    r.get_mut().flush().await.ok()
}

fn greeting_ok(kind: &str, line: &str) -> bool {
    match kind {
        "IMAP" => line.starts_with("* OK") || line.starts_with("* PREAUTH"),
        "POP3" => line.starts_with("+OK"),
        _ => line.starts_with("220"),
    }
}

/// Sends the capability command and returns the capability words (upper case).
async fn capabilities<S: AsyncRead + AsyncWrite + Unpin>(
    kind: &str,
    r: &mut BufReader<S>,
    wait: Duration,
    t: &mut Vec<String>,
) -> Option<Vec<String>> {
    let mut caps = Vec::new();
    match kind {
        "IMAP" => {
            send(r, "p1 CAPABILITY", t).await?;
            for _ in 0..MAX_REPLY_LINES {
                let l = read_line(r, wait, t).await?;
                if let Some(rest) = l.strip_prefix("* CAPABILITY") {
                    caps.extend(rest.split_whitespace().map(|w| w.to_ascii_uppercase()));
                } else if l.starts_with("p1 ") {
                    return Some(caps);
                }
            }
            None
        }
        "POP3" => {
            send(r, "CAPA", t).await?;
            let first = read_line(r, wait, t).await?;
            if !first.starts_with("+OK") {
                return Some(caps);
            }
            for _ in 0..MAX_REPLY_LINES {
                let l = read_line(r, wait, t).await?;
                if l == "." {
                    return Some(caps);
                }
                caps.push(l.to_ascii_uppercase());
            }
            None
        }
        _ => {
            send(r, "EHLO poxspec.invalid", t).await?;
            for _ in 0..MAX_REPLY_LINES {
                let l = read_line(r, wait, t).await?;
                if l.len() < 4 || !l.starts_with("250") {
                    return Some(caps);
                }
                caps.push(l[4..].to_ascii_uppercase());
                if l.as_bytes()[3] == b' ' {
                    return Some(caps);
                }
            }
            None
        }
    }
}

fn offers_starttls(kind: &str, caps: &[String]) -> bool {
    let want = if kind == "POP3" { "STLS" } else { "STARTTLS" };
    caps.iter()
        .any(|c| c.split_whitespace().next() == Some(want))
}

fn offers_auth(caps: &[String]) -> bool {
    caps.iter()
        .any(|c| c.starts_with("AUTH ") || c.starts_with("AUTH=") || c == "AUTH")
}

async fn starttls_command<S: AsyncRead + AsyncWrite + Unpin>(
    kind: &str,
    r: &mut BufReader<S>,
    wait: Duration,
    t: &mut Vec<String>,
) -> Option<bool> {
    match kind {
        "IMAP" => {
            send(r, "p2 STARTTLS", t).await?;
            for _ in 0..MAX_REPLY_LINES {
                let l = read_line(r, wait, t).await?;
                if l.starts_with("p2 ") {
                    return Some(l.starts_with("p2 OK"));
                }
            }
            None
        }
        "POP3" => {
            send(r, "STLS", t).await?;
            Some(read_line(r, wait, t).await?.starts_with("+OK"))
        }
        _ => {
            send(r, "STARTTLS", t).await?;
            Some(read_line(r, wait, t).await?.starts_with("220"))
        }
    }
}

struct Prober<'a> {
    ep: &'a Advertised,
    routing: &'a Routing,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

enum Handshake {
    Done(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    Certificate(String),
    Failed(String),
}

impl Prober<'_> {
    async fn connect(&self, obs: &mut Observation) -> Option<TcpStream> {
        let ep = self.ep;
        let addrs: Vec<SocketAddr> = match self.routing.socket_addrs(&ep.server, ep.port).await {
            Ok(a) => a,
            Err(e) => {
                obs.find(
                    ENDP_CONNECT,
                    format!(
                        "{} {}:{}: {} does not resolve: {e}",
                        ep.kind, ep.server, ep.port, ep.server
                    ),
                );
                return None;
            }
        };
        let mut last = String::from("no address");
        for a in &addrs {
            match tokio::time::timeout(self.timeout, TcpStream::connect(a)).await {
                Ok(Ok(s)) => {
                    obs.facts.push(format!("connected to {a}"));
                    return Some(s);
                }
                Ok(Err(e)) => last = format!("{a}: {e}"),
                Err(_) => {
                    last = format!("{a}: no connection within {} ms", self.timeout.as_millis())
                }
            }
        }
        obs.find(
            ENDP_CONNECT,
            format!(
                "{} {}:{} does not accept connections ({last})",
                ep.kind, ep.server, ep.port
            ),
        );
        None
    }

    async fn handshake(&self, tcp: TcpStream) -> Handshake {
        let name = match ServerName::try_from(self.ep.server.clone()) {
            Ok(n) => n,
            Err(e) => {
                return Handshake::Failed(format!("{:?} is not a server name: {e}", self.ep.server))
            }
        };
        let c = tokio_rustls::TlsConnector::from(self.tls.clone());
        match tokio::time::timeout(self.timeout, c.connect(name, tcp)).await {
            Ok(Ok(s)) => Handshake::Done(Box::new(s)),
            Ok(Err(e)) => {
                let msg = e.to_string();
                let lower = msg.to_ascii_lowercase();
                if lower.contains("certificate") || lower.contains("notvalidforname") {
                    Handshake::Certificate(msg)
                } else {
                    Handshake::Failed(msg)
                }
            }
            Err(_) => Handshake::Failed(format!(
                "no TLS handshake within {} ms",
                self.timeout.as_millis()
            )),
        }
    }

    /// After TLS (or on a plain connection where none is asked for): the greeting when
    /// `greet`, then the SMTP EHLO check.
    async fn after_transport<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        r: &mut BufReader<S>,
        greet: bool,
        obs: &mut Observation,
    ) {
        let kind = self.ep.kind.as_str();
        if greet {
            match read_line(r, self.timeout, &mut obs.transcript).await {
                Some(g) if greeting_ok(kind, &g) => obs.facts.push(format!("{kind} greeting")),
                Some(g) => obs.facts.push(format!("unexpected greeting {g:?}")),
                None => {
                    obs.facts.push("no greeting".into());
                    return;
                }
            }
        }
        if kind == "SMTP" {
            let caps = capabilities(kind, r, self.timeout, &mut obs.transcript).await;
            let auth = caps.as_deref().is_some_and(offers_auth);
            obs.offers_auth = Some(auth);
            obs.facts.push(if auth {
                "EHLO offers AUTH".into()
            } else {
                "EHLO offers no AUTH".into()
            });
            if self.ep.auth_required && !auth {
                obs.find(
                    ENDP_SMTP_AUTH,
                    format!(
                        "SMTP {}:{} is advertised with AuthRequired on, but its EHLO reply{} offers no AUTH",
                        self.ep.server,
                        self.ep.port,
                        if self.ep.expect == Expect::Plain { "" } else { " after TLS" }
                    ),
                );
            }
        }
        let quit = if kind == "IMAP" { "p9 LOGOUT" } else { "QUIT" };
        let _ = send(r, quit, &mut obs.transcript).await;
    }

    fn certificate_finding(&self, obs: &mut Observation, msg: &str) {
        obs.find(
            ENDP_CERT,
            format!(
                "{} {}:{}: the certificate is not valid for {}: {msg}",
                self.ep.kind, self.ep.server, self.ep.port, self.ep.server
            ),
        );
    }

    async fn implicit(&self, obs: &mut Observation, tcp: TcpStream) {
        match self.handshake(tcp).await {
            Handshake::Done(tls) => {
                obs.facts.push("implicit TLS handshake".into());
                let mut r = BufReader::new(tls);
                self.after_transport(&mut r, true, obs).await;
            }
            Handshake::Certificate(m) => {
                obs.facts.push("implicit TLS, certificate refused".into());
                self.certificate_finding(obs, &m);
            }
            Handshake::Failed(m) => {
                // Look at what the port says without TLS.
                let plain = match self.connect(obs).await {
                    Some(tcp) => {
                        let mut r = BufReader::new(tcp);
                        read_line(&mut r, GREETING_WAIT.min(self.timeout), &mut obs.transcript)
                            .await
                    }
                    None => return,
                };
                obs.find(
                    ENDP_TRANSPORT,
                    match plain {
                        Some(g) => format!(
                            "{} {}:{} is advertised with implicit TLS (SSL on), but it sends a plain-text greeting ({g:?}); the TLS handshake failed: {m}",
                            self.ep.kind, self.ep.server, self.ep.port
                        ),
                        None => format!(
                            "{} {}:{} is advertised with implicit TLS (SSL on), but the TLS handshake failed: {m}",
                            self.ep.kind, self.ep.server, self.ep.port
                        ),
                    },
                );
            }
        }
    }

    /// Plain-text greeting expected (STARTTLS or no encryption).
    async fn plaintext(&self, obs: &mut Observation, tcp: TcpStream) {
        let kind = self.ep.kind.as_str();
        let mut r = BufReader::new(tcp);
        let wait = GREETING_WAIT.min(self.timeout);
        let Some(greeting) = read_line(&mut r, wait, &mut obs.transcript).await else {
            // Silence: does it wait for a TLS handshake?
            let Some(tcp) = self.connect(obs).await else {
                return;
            };
            let verdict = match self.handshake(tcp).await {
                Handshake::Done(_) | Handshake::Certificate(_) => format!(
                    "{kind} {}:{} speaks implicit TLS, but the answer says {}: a client waits for a plain-text greeting that never comes",
                    self.ep.server, self.ep.port, self.ep.expect.describe()
                ),
                Handshake::Failed(_) => format!(
                    "{kind} {}:{} sent no greeting within {} ms and does not speak TLS either",
                    self.ep.server,
                    self.ep.port,
                    wait.as_millis()
                ),
            };
            obs.facts.push("no plain-text greeting".into());
            obs.find(ENDP_TRANSPORT, verdict);
            return;
        };
        if !greeting_ok(kind, &greeting) {
            obs.find(
                ENDP_TRANSPORT,
                format!(
                    "{kind} {}:{} greets with {greeting:?}, not a {kind} greeting",
                    self.ep.server, self.ep.port
                ),
            );
            return;
        }
        obs.facts.push(format!("plain-text {kind} greeting"));
        if self.ep.expect == Expect::Plain {
            self.after_transport(&mut r, false, obs).await;
            return;
        }
        let caps = capabilities(kind, &mut r, self.timeout, &mut obs.transcript)
            .await
            .unwrap_or_default();
        if !offers_starttls(kind, &caps) {
            obs.find(
                ENDP_TRANSPORT,
                format!(
                    "{kind} {}:{} is advertised with STARTTLS (Encryption TLS), but its capabilities do not offer it",
                    self.ep.server, self.ep.port
                ),
            );
            return;
        }
        obs.facts.push("STARTTLS offered".into());
        if starttls_command(kind, &mut r, self.timeout, &mut obs.transcript).await != Some(true) {
            obs.find(
                ENDP_TRANSPORT,
                format!(
                    "{kind} {}:{} offers STARTTLS but refuses the command",
                    self.ep.server, self.ep.port
                ),
            );
            return;
        }
        match self.handshake(r.into_inner()).await {
            Handshake::Done(tls) => {
                obs.facts.push("TLS after STARTTLS".into());
                let mut r = BufReader::new(tls);
                self.after_transport(&mut r, false, obs).await;
            }
            Handshake::Certificate(m) => self.certificate_finding(obs, &m),
            Handshake::Failed(m) => obs.find(
                ENDP_TRANSPORT,
                format!(
                    "{kind} {}:{}: the TLS handshake after STARTTLS failed: {m}",
                    self.ep.server, self.ep.port
                ),
            ),
        }
    }

    async fn run(&self) -> Observation {
        let start = Instant::now();
        let mut obs = Observation::default();
        if let Some(tcp) = self.connect(&mut obs).await {
            match self.ep.expect {
                Expect::ImplicitTls => self.implicit(&mut obs, tcp).await,
                Expect::StartTls | Expect::Plain => self.plaintext(&mut obs, tcp).await,
                Expect::Either => {
                    // Auto: a greeting means STARTTLS; silence means implicit TLS.
                    let mut r = BufReader::new(tcp);
                    let wait = GREETING_WAIT.min(self.timeout);
                    let greeted = read_line(&mut r, wait, &mut obs.transcript).await.is_some();
                    drop(r);
                    if let Some(tcp) = self.connect(&mut obs).await {
                        if greeted {
                            self.plaintext(&mut obs, tcp).await
                        } else {
                            self.implicit(&mut obs, tcp).await
                        }
                    }
                }
            }
        }
        obs.elapsed = start.elapsed();
        obs
    }
}

/// Probes one endpoint.
pub async fn probe(ep: &Advertised, routing: &Routing, client: &ClientOptions) -> Observation {
    let tls = match client.trust.client_config(&[]) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            let mut o = Observation::default();
            o.facts.push(format!("cannot set up TLS: {e}"));
            return o;
        }
    };
    Prober {
        ep,
        routing,
        tls,
        timeout: client.timeout,
    }
    .run()
    .await
}

/// Probes every endpoint advertised in `answers` (address, answer text) once, and reports one
/// unit per endpoint. With a fixture, a mailbox whose SMTP AUTH is effectively disabled but
/// whose answer points at an SMTP endpoint that offers AUTH is reported on that endpoint.
pub async fn probe_answers(
    answers: &[(String, String)],
    fixture: Option<&Fixture>,
    routing: &Arc<Routing>,
    client: &ClientOptions,
) -> Vec<Unit> {
    let mut endpoints: Vec<(Advertised, Vec<String>)> = Vec::new();
    for (asked, text) in answers {
        let address = answered_address(text.as_bytes(), asked);
        for ep in advertised(text.as_bytes()) {
            match endpoints.iter_mut().find(|(e, _)| *e == ep) {
                Some((_, who)) if !who.contains(&address) => who.push(address.clone()),
                Some(_) => {}
                None => endpoints.push((ep, vec![address.clone()])),
            }
        }
    }
    let mut set = tokio::task::JoinSet::new();
    for (i, (ep, _)) in endpoints.iter().enumerate() {
        let (ep, routing, client) = (ep.clone(), routing.clone(), client.clone());
        set.spawn(async move { (i, probe(&ep, &routing, &client).await) });
    }
    let mut observed: Vec<(usize, Observation)> = Vec::new();
    while let Some(Ok(x)) = set.join_next().await {
        observed.push(x);
    }
    observed.sort_by_key(|(i, _)| *i);
    let mut units = Vec::new();
    for (i, mut obs) in observed {
        let (ep, who) = &endpoints[i];
        if let (Some(f), Some(true)) = (fixture, obs.offers_auth) {
            for a in who {
                if let Some(m) = f.find(a) {
                    let (res, _) = f.resolve(m);
                    if res.effective_disabled {
                        obs.find(
                            ENDP_SMTP_POLICY,
                            format!(
                                "the answer for {a} points at SMTP {}:{}, which offers AUTH, but SMTP AUTH is effectively disabled for {a}: every submission will be refused",
                                ep.server, ep.port
                            ),
                        );
                    }
                }
            }
        }
        let mut out = Outcome::default();
        for r in [ENDP_CONNECT, ENDP_TRANSPORT, ENDP_CERT] {
            out.applied.insert(r.id);
        }
        if ep.kind == "SMTP" {
            out.applied.insert(ENDP_SMTP_AUTH.id);
            if fixture.is_some() {
                out.applied.insert(ENDP_SMTP_POLICY.id);
            }
        }
        out.findings = obs.findings.clone();
        let mut u = Unit::new(
            format!("probe/{} {}:{}", ep.kind, ep.server, ep.port),
            None,
            out,
        );
        u.description = Some(format!(
            "the answer says {}{}; advertised to {}",
            ep.expect.describe(),
            if ep.kind == "SMTP" && ep.auth_required {
                ", AuthRequired on"
            } else {
                ""
            },
            who.join(", ")
        ));
        u.table = Some(Table {
            columns: vec!["endpoint".into(), "observed".into(), "time".into()],
            rows: vec![vec![
                format!("{} {}:{}", ep.kind, ep.server, ep.port),
                if obs.facts.is_empty() {
                    "nothing".into()
                } else {
                    obs.facts.join("; ")
                },
                format!("{} ms", obs.elapsed.as_millis()),
            ]],
        });
        u.evidence = Some(obs.transcript.join("\n"));
        units.push(u);
    }
    units
}
