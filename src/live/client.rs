//! The HTTP client: TLS verified by default (rustls, ring, webpki roots), size and time caps,
//! no automatic redirects, credentials that never reach output.

use super::catalogue::Transport;
use super::raw::{self, Pace, RawRequest};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use hyper_util::client::legacy::Client as Pool;
use hyper_util::rt::TokioExecutor;
use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// HTTP Basic credentials bound to the one origin the user named.
///
/// Guarantee: a [`Client`] attaches them only to requests whose origin (scheme, host and port)
/// is the named one, and only over https unless plain http was explicitly allowed. A redirect
/// to any other origin is followed without them. `Debug` never shows the password.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: String,
    origin: url::Url,
    allow_http: bool,
}

/// Why credentials could not be bound to the named URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// The named URL does not parse, or has no host (and so no origin).
    #[error("{0}: not an absolute http(s) URL, so there is no origin to bind the credentials to")]
    NoOrigin(String),
    /// The named URL is plain http and `allow_http` was not given: Basic credentials would be
    /// readable on the wire.
    #[error("{0} is plain http: Basic credentials would cross the network readable by anyone on the path; use https, or pass --allow-http-auth to send them anyway")]
    PlainHttp(String),
}

/// Whether a request carries the credentials, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorization {
    /// No credentials were configured.
    None,
    /// `Authorization` was sent (its value is never kept).
    Sent,
    /// Withheld: the request goes to another origin than the one the user named.
    WithheldOtherOrigin,
    /// Withheld: the request is plain http and `--allow-http-auth` was not given.
    WithheldPlainHttp,
}

impl Credentials {
    /// Binds `user`/`password` to the origin of `named_url`. Plain http is refused unless
    /// `allow_http`.
    pub fn new(
        user: impl Into<String>,
        password: impl Into<String>,
        named_url: &str,
        allow_http: bool,
    ) -> Result<Credentials, CredentialsError> {
        let url = url::Url::parse(named_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| CredentialsError::NoOrigin(named_url.to_owned()))?;
        if url.scheme() == "http" && !allow_http {
            return Err(CredentialsError::PlainHttp(named_url.to_owned()));
        }
        Ok(Credentials {
            user: user.into(),
            password: password.into(),
            origin: url,
            allow_http,
        })
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password (for redaction; never print it).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The `Authorization` header value as sent; known only to redact it.
    pub fn basic_token(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.user, self.password))
    }

    /// The origin the credentials belong to, as `scheme://host:port`.
    pub fn origin(&self) -> String {
        self.origin.origin().ascii_serialization()
    }

    /// Whether a request to `url` may carry the credentials.
    pub fn decide(&self, url: &str) -> Authorization {
        let Ok(u) = url::Url::parse(url) else {
            return Authorization::WithheldOtherOrigin;
        };
        if u.origin() != self.origin.origin() {
            Authorization::WithheldOtherOrigin
        } else if u.scheme() != "https" && !self.allow_http {
            Authorization::WithheldPlainHttp
        } else {
            Authorization::Sent
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"[redacted]")
            .field("origin", &self.origin())
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

/// What the client is allowed to do.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// What is trusted: the web roots plus private CAs, or anything (`--insecure`).
    pub trust: super::tls::Trust,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Largest response body read.
    pub body_cap: usize,
    /// Basic credentials, bound to the origin the user named. The password is never printed.
    pub credentials: Option<Credentials>,
    /// Where connections really go: DNS (`--dns`) and the `--connect-to`/`--resolve`
    /// overrides; `None`: the system resolver, no overrides.
    pub routing: Option<Arc<super::route::Routing>>,
}

/// A request a case sends: method, Content-Type, body, and how the body travels.
#[derive(Debug, Clone)]
pub struct Req {
    /// The method.
    pub method: &'static str,
    /// The Content-Type header (`None`: none).
    pub content_type: Option<&'static str>,
    /// The body.
    pub body: Vec<u8>,
    /// How the body travels.
    pub transport: Transport,
    /// For [`Transport::Slow`]: how long to keep sending.
    pub slow_window: Duration,
}

impl Req {
    /// A POST of `body` as `text/xml; charset=utf-8`, in one go.
    pub fn post(body: Vec<u8>) -> Req {
        Req {
            method: "POST",
            content_type: Some(super::catalogue::CT_XML_UTF8),
            body,
            transport: Transport::Plain,
            slow_window: Duration::ZERO,
        }
    }
}

/// One request and what came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Method and URL.
    pub method: &'static str,
    /// The URL requested.
    pub url: String,
    /// The request's Content-Type, if any.
    pub request_type: Option<String>,
    /// The request body.
    pub request_body: Vec<u8>,
    /// Whether `Authorization` went with the request.
    pub authorization: Authorization,
    /// What happened.
    pub outcome: Result<Answer, Failure>,
    /// Time taken.
    pub elapsed: Duration,
}

/// A response.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Response headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (at most the cap).
    pub body: Vec<u8>,
}

impl Answer {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request produced no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No TCP/TLS connection could be made.
    Connect(String),
    /// The response did not arrive within the timeout.
    Timeout,
    /// The body exceeded the cap.
    TooLarge {
        /// Bytes read before stopping.
        read: usize,
        /// Status of the response.
        status: u16,
    },
    /// Anything else (protocol error, reset).
    Other(String),
}

/// The HTTP client.
#[derive(Clone)]
pub struct Client {
    http: Pool<super::connector::Connector, Full<Bytes>>,
    /// The TLS configuration of the pool, for the raw connections of [`Client::request`].
    tls: Arc<rustls::ClientConfig>,
    options: ClientOptions,
}

impl Client {
    /// Builds a client.
    pub fn new(options: ClientOptions) -> Result<Client, String> {
        // HTTP/1.1 as Outlook speaks it; tls/http2 tries HTTP/2 on its own connection.
        let tls = options.trust.client_config(&[b"http/1.1"])?;
        let raw_tls = Arc::new(tls.clone());
        let connector =
            super::connector::Connector::new(options.routing.clone(), tls, options.timeout);
        let http = Pool::builder(TokioExecutor::new()).build(connector);
        Ok(Client {
            http,
            tls: raw_tls,
            options,
        })
    }

    /// The options in force.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// POSTs `body` as `text/xml; charset=utf-8`, with the credentials only when `url` is on
    /// the origin they are bound to (see [`Credentials`]).
    pub async fn post(&self, url: &str, body: Vec<u8>) -> Exchange {
        self.post_with(url, body, self.options.credentials.as_ref())
            .await
    }

    /// POSTs like [`Client::post`] but with `credentials` instead of the configured ones
    /// (`None`: anonymous); the same origin rule applies to them. The `auth/…` cases send a
    /// wrong password and no password this way.
    pub async fn post_with(
        &self,
        url: &str,
        body: Vec<u8>,
        credentials: Option<&Credentials>,
    ) -> Exchange {
        let ct = "text/xml; charset=utf-8";
        let mut req = hyper::Request::post(url).header(CONTENT_TYPE, ct);
        let authorization = match credentials {
            None => Authorization::None,
            Some(c) => {
                let decision = c.decide(url);
                if decision == Authorization::Sent {
                    req = req.header(AUTHORIZATION, format!("Basic {}", c.basic_token()));
                }
                decision
            }
        };
        self.send("POST", url, Some(ct.to_owned()), body, authorization, req)
            .await
    }

    /// Sends a case's request to `url`: over the pooled client when the body travels in one
    /// go, else on a raw connection ([`super::raw`], routed like every other connection).
    /// Credentials go only where [`Credentials::decide`]
    /// allows, as for [`Client::post`].
    pub async fn request(&self, url: &str, r: &Req) -> Exchange {
        let authorization = match &self.options.credentials {
            None => Authorization::None,
            Some(c) => c.decide(url),
        };
        let credentials = self
            .options
            .credentials
            .as_ref()
            .filter(|_| authorization == Authorization::Sent);
        let pace = match r.transport {
            Transport::Plain => None,
            Transport::Chunked => Some(Pace::Chunked),
            Transport::ExpectContinue => Some(Pace::Whole),
            Transport::Slow => Some(Pace::Slow(r.slow_window)),
        };
        let Some(pace) = pace else {
            let mut req = hyper::Request::builder().method(r.method).uri(url);
            if let Some(ct) = r.content_type {
                req = req.header(CONTENT_TYPE, ct);
            }
            if let Some(c) = credentials {
                req = req.header(AUTHORIZATION, format!("Basic {}", c.basic_token()));
            }
            return self
                .send(
                    r.method,
                    url,
                    r.content_type.map(str::to_owned),
                    r.body.clone(),
                    authorization,
                    req,
                )
                .await;
        };
        let mut headers = Vec::new();
        if let Some(ct) = r.content_type {
            headers.push(("content-type", ct.to_owned()));
        }
        if r.transport == Transport::ExpectContinue {
            headers.push(("expect", "100-continue".to_owned()));
        }
        if let Some(c) = credentials {
            headers.push(("authorization", format!("Basic {}", c.basic_token())));
        }
        let start = Instant::now();
        let outcome = match self.raw_connect(url).await {
            Ok(mut conn) => {
                conn.send(RawRequest {
                    method: r.method,
                    headers,
                    body: r.body.clone(),
                    pace,
                })
                .await
                .outcome
            }
            Err(f) => Err(f),
        };
        Exchange {
            method: r.method,
            url: url.to_owned(),
            request_type: r.content_type.map(|ct| match r.transport {
                Transport::Chunked => format!("{ct} (transfer-encoding: chunked)"),
                Transport::ExpectContinue => format!("{ct} (expect: 100-continue)"),
                Transport::Slow => format!("{ct} (sent one byte per second)"),
                Transport::Plain => ct.to_owned(),
            }),
            request_body: r.body.clone(),
            authorization,
            outcome,
            elapsed: start.elapsed(),
        }
    }

    /// Two canonical POSTs on one HTTP/1.1 connection: both exchanges (the second when the
    /// first was answered), and whether the connection stayed open for the second.
    pub async fn keep_alive(
        &self,
        url: &str,
        body: Vec<u8>,
    ) -> (Option<Exchange>, Option<Exchange>, Result<(), String>) {
        let authorization = match &self.options.credentials {
            None => Authorization::None,
            Some(c) => c.decide(url),
        };
        let mut headers = vec![("content-type", "text/xml; charset=utf-8".to_owned())];
        if let (Authorization::Sent, Some(c)) = (authorization, &self.options.credentials) {
            headers.push(("authorization", format!("Basic {}", c.basic_token())));
        }
        let mut conn = match self.raw_connect(url).await {
            Ok(c) => c,
            Err(f) => return (None, None, Err(format!("no connection: {f:?}"))),
        };
        let exchange = |a: raw::RawAnswer| Exchange {
            method: "POST",
            url: url.to_owned(),
            request_type: Some("text/xml; charset=utf-8".into()),
            request_body: body.clone(),
            authorization,
            outcome: a.outcome,
            elapsed: a.elapsed,
        };
        let request = || RawRequest {
            method: "POST",
            headers: headers.clone(),
            body: body.clone(),
            pace: Pace::Whole,
        };
        let first = exchange(conn.send(request()).await);
        if first.outcome.is_err() {
            return (
                Some(first),
                None,
                Err("the first request got no answer".into()),
            );
        }
        let closes = first
            .outcome
            .as_ref()
            .ok()
            .and_then(|a| a.header("connection"))
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        if closes || !conn.reusable().await {
            let why = if closes {
                "the first answer says Connection: close".to_owned()
            } else {
                "the server closed the connection after the first answer".to_owned()
            };
            return (Some(first), None, Err(why));
        }
        let second = exchange(conn.send(request()).await);
        (Some(first), Some(second), Ok(()))
    }

    /// A raw HTTP/1.1 connection to `url` with this client's TLS, limits and routing.
    async fn raw_connect(&self, url: &str) -> Result<raw::Connection, Failure> {
        raw::connect(
            url,
            self.tls.clone(),
            self.options.timeout,
            self.options.body_cap,
            self.options.routing.as_deref(),
        )
        .await
    }

    /// GETs without credentials (the documented unauthenticated probe).
    pub async fn get(&self, url: &str) -> Exchange {
        let req = hyper::Request::get(url);
        self.send("GET", url, None, Vec::new(), Authorization::None, req)
            .await
    }

    async fn send(
        &self,
        method: &'static str,
        url: &str,
        request_type: Option<String>,
        request_body: Vec<u8>,
        authorization: Authorization,
        req: hyper::http::request::Builder,
    ) -> Exchange {
        let start = Instant::now();
        let req = req
            .header(USER_AGENT, concat!("poxspec/", env!("CARGO_PKG_VERSION")))
            .body(Full::new(Bytes::from(request_body.clone())));
        let outcome = match req {
            Err(e) => Err(Failure::Other(format!("cannot build the request: {e}"))),
            Ok(req) => match tokio::time::timeout(self.options.timeout, self.read(req)).await {
                Ok(r) => r,
                Err(_) => Err(Failure::Timeout),
            },
        };
        Exchange {
            method,
            url: url.to_owned(),
            request_type,
            request_body,
            authorization,
            outcome,
            elapsed: start.elapsed(),
        }
    }

    async fn read(&self, req: hyper::Request<Full<Bytes>>) -> Result<Answer, Failure> {
        let resp = self.http.request(req).await.map_err(classify)?;
        let status = resp.status().as_u16();
        let headers = headers(resp.headers());
        let mut incoming = resp.into_body();
        let mut body = Vec::new();
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(|e| Failure::Other(chain(&e)))?;
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            if body.len() + chunk.len() > self.options.body_cap {
                return Err(Failure::TooLarge {
                    read: body.len() + chunk.len(),
                    status,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

fn headers(h: &HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// An error and its causes, one after the other.
fn chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    msg
}

fn classify(e: hyper_util::client::legacy::Error) -> Failure {
    if e.is_connect() {
        Failure::Connect(chain(&e))
    } else {
        Failure::Other(chain(&e))
    }
}

/// Replaces every occurrence of the password and of its Basic token in `text` (credentials
/// never reach output, even when a server echoes them).
pub fn redact(text: &str, credentials: Option<&Credentials>) -> String {
    let Some(c) = credentials else {
        return text.to_owned();
    };
    let mut out = text.to_owned();
    for secret in [c.basic_token(), c.password().to_owned()] {
        if !secret.is_empty() {
            out = out.replace(&secret, "[redacted]");
        }
    }
    out
}

/// Evidence for people: the request (Authorization shown as redacted, or why it was
/// withheld), the status, headers and a numbered excerpt of the body.
pub fn evidence(x: &Exchange) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "> {} {}", x.method, x.url);
    if let Some(t) = &x.request_type {
        let _ = writeln!(out, "> content-type: {t}");
    }
    match x.authorization {
        Authorization::None => {}
        Authorization::Sent => {
            let _ = writeln!(out, "> authorization: [redacted]");
        }
        Authorization::WithheldOtherOrigin => {
            let _ = writeln!(
                out,
                "> (credentials withheld: another origin than the one named)"
            );
        }
        Authorization::WithheldPlainHttp => {
            let _ = writeln!(
                out,
                "> (credentials withheld: plain http without --allow-http-auth)"
            );
        }
    }
    if !x.request_body.is_empty() {
        let body = String::from_utf8_lossy(&x.request_body);
        let shown: String = body.chars().take(300).collect();
        let _ = writeln!(
            out,
            "> ({} bytes) {}",
            x.request_body.len(),
            shown.replace('\n', " ").trim()
        );
    }
    match &x.outcome {
        Ok(a) => {
            let _ = writeln!(out, "< HTTP {} ({} ms)", a.status, x.elapsed.as_millis());
            for (k, v) in &a.headers {
                if k == "content-type" || k == "location" || k == "content-length" {
                    let _ = writeln!(out, "< {k}: {v}");
                }
            }
            let text = String::from_utf8_lossy(&a.body);
            let lines: Vec<&str> = text.lines().collect();
            for (i, l) in lines.iter().take(40).enumerate() {
                let shown: String = l.chars().take(160).collect();
                let _ = writeln!(out, "< {:>4} | {shown}", i + 1);
            }
            if lines.len() > 40 {
                let _ = writeln!(out, "< ... {} more lines", lines.len() - 40);
            }
        }
        Err(f) => {
            let _ = writeln!(
                out,
                "< no response: {f:?} after {} ms",
                x.elapsed.as_millis()
            );
        }
    }
    out
}
