//! The embedded reference server: a real HTTPS (and HTTP) Autodiscover endpoint serving a
//! fixture, with injectable faults. It uses the model and policy modules to build answers and
//! knows nothing of the rules or of the checker.

mod faults;
mod naive;
mod respond;
mod script;

pub use faults::{Fault, FaultDef, FAULTS};
pub use respond::{Endpoint, Incoming, Reply, Responder, MAX_REQUEST};
pub use script::{Script, ScriptedDocument, Served};

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
        }
    }
}

/// A running server. Dropping it does not stop it; call [`RunningServer::shutdown`].
pub struct RunningServer {
    /// `https://127.0.0.1:PORT`.
    pub https_base: String,
    /// `http://127.0.0.1:PORT`.
    pub http_base: String,
    /// The self-signed certificate (DER) the HTTPS endpoint presents; trust it to check it.
    pub certificate_der: Vec<u8>,
    handle: axum_server::Handle<SocketAddr>,
    http_task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// The Autodiscover URL (`https://.../autodiscover/autodiscover.xml`).
    pub fn url(&self) -> String {
        format!("{}/autodiscover/autodiscover.xml", self.https_base)
    }

    /// Stops both endpoints.
    pub fn shutdown(&self) {
        self.handle.shutdown();
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
}

fn self_signed() -> Result<(Vec<u8>, Vec<u8>), ServerError> {
    let ck = rcgen::generate_simple_self_signed(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])
    .map_err(|e| ServerError::Tls(e.to_string()))?;
    Ok((ck.cert.der().to_vec(), ck.signing_key.serialize_der()))
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

/// What each listener's handler knows: the behaviour, and whether it is the https one.
#[derive(Clone)]
struct Listener {
    responder: Arc<Responder>,
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
    let responder = &l.responder;
    let endpoint = classify(req.uri().path());
    if let (Some(script), Some(_), true) =
        (&responder.script, endpoint, req.method() == Method::POST)
    {
        let path = req.uri().path().to_owned();
        let _ = read_bounded(req.into_body(), Some(l.body_timeout)).await;
        return respond_with(script.next_reply(&path)).await;
    }
    let has = |f: Fault| responder.faults.contains(&f);
    let (chunked, expect, content_type, authorization) = request_headers(&req);
    let method = req.method().clone();
    let mut reply = match (&method, endpoint) {
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

/// Starts the server on a Tokio runtime and returns once both endpoints listen.
pub async fn start(options: ServerOptions) -> Result<RunningServer, ServerError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (cert, key) = self_signed()?;
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.clone().into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
        )
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];

    let https_listener =
        std::net::TcpListener::bind(options.https).map_err(|source| ServerError::Bind {
            addr: options.https,
            source,
        })?;
    https_listener
        .set_nonblocking(true)
        .map_err(|source| ServerError::Bind {
            addr: options.https,
            source,
        })?;
    let https_addr = https_listener
        .local_addr()
        .map_err(|source| ServerError::Bind {
            addr: options.https,
            source,
        })?;
    let http_want = options
        .http
        .unwrap_or_else(|| SocketAddr::new(https_addr.ip(), 0));
    let http_listener = tokio::net::TcpListener::bind(http_want)
        .await
        .map_err(|source| ServerError::Bind {
            addr: http_want,
            source,
        })?;
    let http_addr = http_listener
        .local_addr()
        .map_err(|source| ServerError::Bind {
            addr: http_want,
            source,
        })?;

    let host = |a: SocketAddr| {
        if a.is_ipv6() {
            format!("[{}]:{}", a.ip(), a.port())
        } else {
            a.to_string()
        }
    };
    let https_base = format!("https://{}", host(https_addr));
    let http_base = format!("http://{}", host(http_addr));
    let responder = Arc::new(Responder {
        fixture: options.fixture,
        faults: options.faults.into_iter().collect::<BTreeSet<_>>(),
        https_base: https_base.clone(),
        http_base: http_base.clone(),
        slow: options.slow,
        script: options.script,
    });
    let listener = |secure| Listener {
        responder: responder.clone(),
        secure,
        body_timeout: options.body_timeout,
    };
    let https_app = Router::new().fallback(handle).with_state(listener(true));
    let app = Router::new().fallback(handle).with_state(listener(false));

    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(
        https_listener,
        axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls)),
    )
    .map_err(|source| ServerError::Bind {
        addr: https_addr,
        source,
    })?
    .handle(handle.clone());
    tokio::spawn(async move {
        let _ = server.serve(https_app.into_make_service()).await;
    });
    let http_task = tokio::spawn(async move {
        let _ = axum::serve(http_listener, app).await;
    });
    // Wait until the HTTPS endpoint accepts connections.
    let _ = handle.listening().await;
    Ok(RunningServer {
        https_base,
        http_base,
        certificate_der: cert,
        handle,
        http_task,
    })
}
