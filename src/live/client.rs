//! The HTTP client: TLS verified by default (rustls, ring, webpki roots), size and time caps,
//! no automatic redirects, credentials that never reach output.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use hyper_util::client::legacy::Client as Pool;
use hyper_util::rt::TokioExecutor;
use std::fmt::Write;
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
    origin: reqwest::Url,
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
        let url = reqwest::Url::parse(named_url)
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
        let Ok(u) = reqwest::Url::parse(url) else {
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
    /// Where connections really go (`--connect-to`, `--resolve`).
    pub routes: super::route::Routes,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Largest response body read.
    pub body_cap: usize,
    /// Basic credentials, bound to the origin the user named. The password is never printed.
    pub credentials: Option<Credentials>,
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
    options: ClientOptions,
}

impl Client {
    /// Builds a client.
    pub fn new(options: ClientOptions) -> Result<Client, String> {
        // HTTP/1.1 as Outlook speaks it; tls/http2 tries HTTP/2 on its own connection.
        let tls = options.trust.client_config(&[b"http/1.1"])?;
        let connector =
            super::connector::Connector::new(options.routes.clone(), tls, options.timeout);
        let http = Pool::builder(TokioExecutor::new()).build(connector);
        Ok(Client { http, options })
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
