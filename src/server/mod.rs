//! The embedded reference server: a real HTTPS (and HTTP) Autodiscover endpoint serving a
//! fixture, with injectable faults. It uses the model and policy modules to build answers and
//! knows nothing of the rules or of the checker.

mod auth;
mod certs;
mod dns;
mod faults;
mod lab;
mod listener;
mod mail;
mod naive;
mod pki;
mod respond;
mod script;
mod seen;

pub use auth::{AuthMode, CHALLENGE, LOGIN_PATH};
pub use certs::{issue as issue_certificate, CertProfile, Identity, OTHER_NAME};

pub use dns::{start_dns, DnsRecord, RunningDns, Zone};
pub use faults::{Fault, FaultDef, FAULTS};
pub use lab::{
    fixture_domains, start_lab, Lab, LabFault, LabFaultDef, LabOptions, Publish, FOREIGN_HOST,
    LAB_FAULTS,
};
pub use mail::{
    closed_port, start_mail, start_site, MailKind, MailListener, MailTransport, RunningListener,
    Site,
};
pub use pki::{server_config, TestCa};
pub use respond::{Endpoint, Incoming, Reply, Responder, MAX_REQUEST};
pub use script::{Script, ScriptedDocument, Served};
pub use seen::{Seen, SEEN_CAP};

use crate::fixture::Fixture;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request, Response, StatusCode};
use axum::Router;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Mailboxes and policy.
    pub fixture: Fixture,
    /// Faults to inject.
    pub faults: Vec<Fault>,
    /// How long `slow-response` waits.
    pub slow: Duration,
    /// How long the server waits for a whole request body before answering 408 (the
    /// `slow-body-unbounded` fault waits without a limit).
    pub body_timeout: Duration,
    /// Where the HTTPS endpoint listens (port 0: ephemeral).
    pub https: SocketAddr,
    /// Where the plain HTTP endpoint (the GET redirect path) listens; `None`: an ephemeral
    /// port on the HTTPS address's interface.
    pub http: Option<SocketAddr>,
    /// Answer every POST with the next document of this sequence instead (`serve --mutate`).
    pub script: Option<Arc<Script>>,
    /// The certificate to present; `None`: one made at start-up for [`ServerOptions::tls_names`]
    /// and signed by a fresh CA (the certificate faults change it).
    pub identity: Option<Identity>,
    /// The names (DNS names, IP addresses) the made certificate is for.
    pub tls_names: Vec<String>,
    /// Serve only requests whose Host is this name (others get 421 Misdirected Request) and
    /// call itself `https://NAME` in redirects, as a virtual host behind a name does.
    pub virtual_host: Option<String>,
    /// Require HTTP authentication on POSTs, with the fixture's passwords.
    pub require_auth: Option<AuthMode>,
    /// Offer HTTP/2 (ALPN h2) besides HTTP/1.1.
    pub http2: bool,
}

impl ServerOptions {
    /// The built-in fixture, no faults, ephemeral loopback ports.
    pub fn local() -> Self {
        ServerOptions {
            fixture: Fixture::builtin(),
            faults: Vec::new(),
            slow: Duration::from_secs(15),
            body_timeout: Duration::from_secs(2),
            https: SocketAddr::from(([127, 0, 0, 1], 0)),
            http: None,
            script: None,
            identity: None,
            tls_names: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            virtual_host: None,
            require_auth: None,
            http2: true,
        }
    }
}

/// A running server. Dropping it does not stop it; call [`RunningServer::shutdown`].
pub struct RunningServer {
    /// `https://127.0.0.1:PORT`.
    pub https_base: String,
    /// `http://127.0.0.1:PORT`.
    pub http_base: String,
    /// The certificate to trust to check the HTTPS endpoint (DER): the CA that signed the
    /// certificate it presents (whatever a certificate fault did to that certificate).
    pub certificate_der: Vec<u8>,
    https_task: tokio::task::JoinHandle<()>,
    http_task: tokio::task::JoinHandle<()>,
    seen: seen::SeenLog,
}

impl RunningServer {
    /// The Autodiscover URL (`https://.../autodiscover/autodiscover.xml`).
    pub fn url(&self) -> String {
        format!("{}/autodiscover/autodiscover.xml", self.https_base)
    }

    /// The last [`SEEN_CAP`] requests both endpoints received, oldest first.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.snapshot()
    }

    /// Stops both endpoints and every open connection.
    pub fn shutdown(&self) {
        self.https_task.abort();
        self.http_task.abort();
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The certificate or TLS configuration could not be made.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// A DNS zone could not be built (a bad name, or a record outside its zone).
    #[error("DNS setup failed: {0}")]
    Dns(String),
}

fn classify(path: &str) -> Option<Endpoint> {
    const PRIMARY: &str = "/autodiscover/autodiscover.xml";
    if path == PRIMARY {
        Some(Endpoint::Primary)
    } else if path.eq_ignore_ascii_case(PRIMARY) {
        Some(Endpoint::MixedCase)
    } else if path.eq_ignore_ascii_case("/hosted/autodiscover/autodiscover.xml") {
        Some(Endpoint::Hosted)
    } else {
        let n = path.strip_prefix("/relay/")?.strip_suffix(PRIMARY)?;
        n.parse::<u8>()
            .ok()
            .filter(|n| *n <= 8)
            .map(Endpoint::Relay)
    }
}

/// What the handler needs besides the responder: the host name it insists on and whether it
/// requires authentication.
struct Frontend {
    responder: Responder,
    virtual_host: Option<String>,
    require_auth: Option<AuthMode>,
    seen: seen::SeenLog,
}

/// The request's host name (HTTP/2 `:authority` or the Host header), without the port.
fn request_host(req: &Request<Body>) -> Option<String> {
    let authority = req
        .uri()
        .authority()
        .map(|a| a.host().to_owned())
        .or_else(|| {
            let h = req.headers().get(axum::http::header::HOST)?.to_str().ok()?;
            Some(match h.rsplit_once(':') {
                Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host.to_owned(),
                _ => h.to_owned(),
            })
        })?;
    Some(authority.to_ascii_lowercase())
}

/// What each listener's handler knows: the site, and whether it is the https one.
#[derive(Clone)]
struct Listener {
    site: Arc<Frontend>,
    secure: bool,
    body_timeout: Duration,
}

fn reply(status: u16, headers: Vec<(&'static str, String)>) -> Reply {
    Reply {
        status,
        headers,
        body: vec![],
        delay: None,
    }
}

const ALLOW: &str = "GET, HEAD, OPTIONS, POST";

/// Whether the body is chunked, whether it carries `Expect: 100-continue`, its Content-Type
/// and its Authorization. (A plain function: a borrow of the request must not live across an await in
/// the handler, the body not being Sync.)
fn request_headers(req: &Request<Body>) -> (bool, bool, Option<String>, Option<String>) {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    (
        header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")),
        header("expect").is_some_and(|t| t.eq_ignore_ascii_case("100-continue")),
        header("content-type"),
        header("authorization"),
    )
}

async fn handle(State(l): State<Listener>, req: Request<Body>) -> Response<Body> {
    let site = &l.site;
    let responder = &site.responder;
    let endpoint = classify(req.uri().path());
    site.seen.push(Seen {
        method: req.method().to_string(),
        host: request_host(&req),
        path: req.uri().path().to_owned(),
        authorization: req
            .headers()
            .contains_key(axum::http::header::AUTHORIZATION),
        secure: l.secure,
    });
    if let (Some(script), Some(_), true) =
        (&responder.script, endpoint, req.method() == Method::POST)
    {
        let path = req.uri().path().to_owned();
        let _ = read_bounded(req.into_body(), Some(l.body_timeout)).await;
        return respond_with(script.next_reply(&path)).await;
    }
    let misdirected = site
        .virtual_host
        .as_ref()
        .is_some_and(|v| request_host(&req).as_deref() != Some(v.as_str()));
    let refused = (req.method() == Method::POST && endpoint.is_some())
        .then(|| {
            auth::check(
                site.require_auth,
                &responder.fixture,
                &responder.faults,
                &responder.https_base,
                req.headers()
                    .get(axum::http::header::AUTHORIZATION)
                    .map(|v| v.as_bytes()),
            )
        })
        .flatten();
    let login_page = req.method() == Method::GET && req.uri().path() == auth::LOGIN_PATH;
    let has = |f: Fault| responder.faults.contains(&f);
    let (chunked, expect, content_type, authorization) = request_headers(&req);
    let method = req.method().clone();
    let mut reply = match (&method, endpoint) {
        _ if misdirected => Reply {
            status: 421,
            headers: vec![("content-type", "text/plain; charset=utf-8".into())],
            body: b"Misdirected Request: this server answers for another host name".to_vec(),
            delay: None,
        },
        (_, Some(_)) if refused.is_some() => refused.expect("checked"),
        (_, None) if login_page => Reply {
            status: 200,
            headers: vec![("content-type", "text/html; charset=utf-8".into())],
            body: auth::LOGIN_PAGE.as_bytes().to_vec(),
            delay: None,
        },
        (m, Some(_))
            if has(Fault::Methods500) && *m != Method::POST && (l.secure || *m != Method::GET) =>
        {
            reply(500, vec![])
        }
        (&Method::GET | &Method::HEAD, Some(Endpoint::Primary | Endpoint::MixedCase)) => {
            if l.secure {
                responder.get_secure()
            } else {
                responder.get()
            }
        }
        (&Method::OPTIONS, Some(_)) => reply(204, vec![("allow", ALLOW.into())]),
        (&Method::POST, Some(e)) => {
            if has(Fault::ChunkedRefused) && chunked {
                reply(411, vec![])
            } else if has(Fault::ExpectContinueRefused) && expect {
                reply(417, vec![])
            } else {
                let deadline = (!has(Fault::SlowBodyUnbounded)).then_some(l.body_timeout);
                match read_bounded(req.into_body(), deadline).await {
                    BodyRead::TimedOut => reply(408, vec![("connection", "close".into())]),
                    BodyRead::Failed => reply(400, vec![]),
                    BodyRead::TooLarge => responder.post(Incoming {
                        endpoint: e,
                        body: None,
                        content_type: content_type.as_deref(),
                        authorization: authorization.as_deref(),
                        secure: l.secure,
                    }),
                    BodyRead::Complete(body) => responder.post(Incoming {
                        endpoint: e,
                        body: Some(&body),
                        content_type: content_type.as_deref(),
                        authorization: authorization.as_deref(),
                        secure: l.secure,
                    }),
                }
            }
        }
        (_, Some(_)) => reply(405, vec![("allow", ALLOW.into())]),
        (_, None) => Reply {
            status: 404,
            headers: vec![("content-type", "text/plain; charset=utf-8".into())],
            body: b"Not Found".to_vec(),
            delay: None,
        },
    };
    if has(Fault::KeepAliveRefused) {
        reply.headers.push(("connection", "close".into()));
    }
    respond_with(reply).await
}

async fn respond_with(reply: Reply) -> Response<Body> {
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &reply.headers {
        builder = builder.header(*k, v.as_str());
    }
    builder
        .body(Body::from(reply.body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// How much of an oversize request body is read and discarded before answering, so that the
/// client sees the answer rather than a reset connection.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// How reading a request body ended.
enum BodyRead {
    /// The whole body, at most [`MAX_REQUEST`] bytes.
    Complete(Vec<u8>),
    /// Over [`MAX_REQUEST`] (the rest drained up to [`DRAIN_LIMIT`]).
    TooLarge,
    /// The body did not arrive within the deadline.
    TimedOut,
    /// The connection failed mid-body.
    Failed,
}

/// Reads a request body within `deadline` (none: wait as long as the client sends).
async fn read_bounded(body: Body, deadline: Option<Duration>) -> BodyRead {
    use futures_util::StreamExt;
    let read = async {
        let mut stream = body.into_data_stream();
        let mut buf = Vec::new();
        let mut total = 0usize;
        while let Some(chunk) = stream.next().await {
            let Ok(chunk) = chunk else {
                return BodyRead::Failed;
            };
            total += chunk.len();
            if total <= MAX_REQUEST {
                buf.extend_from_slice(&chunk);
            } else if total > DRAIN_LIMIT {
                break;
            }
        }
        if total <= MAX_REQUEST {
            BodyRead::Complete(buf)
        } else {
            BodyRead::TooLarge
        }
    };
    match deadline {
        Some(d) => tokio::time::timeout(d, read)
            .await
            .unwrap_or(BodyRead::TimedOut),
        None => read.await,
    }
}

fn tls_error(e: impl std::fmt::Display) -> ServerError {
    ServerError::Tls(e.to_string())
}

/// The certificate the options and faults call for.
fn identity(options: &ServerOptions, faults: &BTreeSet<Fault>) -> Result<Identity, ServerError> {
    if let Some(i) = &options.identity {
        return Ok(i.clone());
    }
    let profile = [
        (Fault::CertExpired, CertProfile::Expired),
        (Fault::CertNotYetValid, CertProfile::NotYetValid),
        (Fault::CertWrongName, CertProfile::WrongName),
        (Fault::CertSelfSigned, CertProfile::SelfSigned),
        (Fault::CertUnknownCa, CertProfile::UnknownCa),
    ]
    .into_iter()
    .find(|(f, _)| faults.contains(f))
    .map_or(CertProfile::Valid, |(_, p)| p);
    let names = match &options.virtual_host {
        Some(v) => vec![v.clone()],
        None => options.tls_names.clone(),
    };
    certs::issue(profile, &names).map_err(tls_error)
}

/// Starts the server on a Tokio runtime and returns once both endpoints listen.
pub async fn start(options: ServerOptions) -> Result<RunningServer, ServerError> {
    let faults: BTreeSet<Fault> = options.faults.iter().copied().collect();
    let id = identity(&options, &faults)?;
    let mut tls = server_config(&id)?;
    tls.alpn_protocols = if !options.http2 {
        vec![b"http/1.1".to_vec()]
    } else {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    };
    let setup = listener::Setup {
        tls: Arc::new(tls),
        legacy: if faults.contains(&Fault::Tls11Only) {
            listener::Legacy::Only
        } else if faults.contains(&Fault::Tls11Accepted) {
            listener::Legacy::Accept
        } else {
            listener::Legacy::Off
        },
        http1_only: faults.contains(&Fault::H2AlpnHttp1),
    };

    let bind_err = |addr: SocketAddr| move |source| ServerError::Bind { addr, source };
    let https_listener = tokio::net::TcpListener::bind(options.https)
        .await
        .map_err(bind_err(options.https))?;
    let https_addr = https_listener
        .local_addr()
        .map_err(bind_err(options.https))?;
    let http_want = options
        .http
        .unwrap_or_else(|| SocketAddr::new(https_addr.ip(), 0));
    let http_listener = tokio::net::TcpListener::bind(http_want)
        .await
        .map_err(bind_err(http_want))?;
    let http_addr = http_listener.local_addr().map_err(bind_err(http_want))?;

    let host = |a: SocketAddr| {
        if a.is_ipv6() {
            format!("[{}]:{}", a.ip(), a.port())
        } else {
            a.to_string()
        }
    };
    let https_base = format!("https://{}", host(https_addr));
    let http_base = format!("http://{}", host(http_addr));
    let seen = seen::SeenLog::default();
    let site = Arc::new(Frontend {
        responder: Responder {
            fixture: options.fixture,
            faults,
            https_base: match &options.virtual_host {
                Some(v) => format!("https://{v}"),
                None => https_base.clone(),
            },
            http_base: http_base.clone(),
            slow: options.slow,
            script: options.script,
        },
        virtual_host: options.virtual_host.map(|v| v.to_ascii_lowercase()),
        require_auth: options.require_auth,
        seen: seen.clone(),
    });
    let state = |secure| Listener {
        site: site.clone(),
        secure,
        body_timeout: options.body_timeout,
    };
    let https_app = Router::new().fallback(handle).with_state(state(true));
    let app = Router::new().fallback(handle).with_state(state(false));
    let https_task = listener::spawn(https_listener, setup, https_app);
    let http_task = tokio::spawn(async move {
        let _ = axum::serve(http_listener, app).await;
    });
    Ok(RunningServer {
        https_base,
        http_base,
        certificate_der: id.ca_der,
        https_task,
        http_task,
        seen,
    })
}
