//! One HTTP/1.1 connection under the checker's control (hyper's client connection over
//! tokio-rustls), for what reqwest cannot express: a chunked or slow request body,
//! `Expect: 100-continue`, and two requests on one connection. Same caps as the client: the
//! answer's body is read up to the cap, every wait is bounded.

use super::client::{Answer, Failure};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use rustls::pki_types::ServerName;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// How a raw request's body travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// With a Content-Length, in one go.
    Whole,
    /// `Transfer-Encoding: chunked`, in chunks of at most 64 bytes.
    Chunked,
    /// One byte per second for at most this long, then nothing more (the connection stays open).
    Slow(Duration),
}

/// A request sent on a raw connection.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// Method.
    pub method: &'static str,
    /// Extra headers (Content-Type, Expect, Authorization ...).
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// How it travels.
    pub pace: Pace,
}

/// What came back on a raw connection, and when.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    /// The answer, or why there is none.
    pub outcome: Result<Answer, Failure>,
    /// Time from sending to the end of the answer.
    pub elapsed: Duration,
}

/// An open connection to one origin.
pub struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Body>,
    task: tokio::task::JoinHandle<()>,
    authority: String,
    path: String,
    timeout: Duration,
    body_cap: usize,
}

impl Drop for Connection {
    fn drop(&mut self) {
        // A slow body may still be pending; the connection must not outlive the case.
        self.task.abort();
    }
}

fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(e.to_string())
}

/// Opens a connection to `url`'s origin (TLS for https, verified with `tls`, HTTP/1.1 only).
pub async fn connect(
    url: &str,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
    body_cap: usize,
    routing: Option<&super::route::Routing>,
) -> Result<Connection, Failure> {
    let u = url::Url::parse(url).map_err(other)?;
    let host = u
        .host_str()
        .ok_or_else(|| Failure::Connect(format!("{url}: no host")))?
        .to_owned();
    let port = u.port_or_known_default().unwrap_or(443);
    let authority = match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let path = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    };
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let open = async {
        // The same DNS and --connect-to/--resolve overrides as the client's other requests.
        let tcp = super::route::connect(routing, &bare, port, timeout)
            .await
            .map_err(|e| Failure::Connect(e.to_string()))?;
        if u.scheme() == "https" {
            let mut config = (*tls).clone();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            let name =
                ServerName::try_from(bare.clone()).map_err(|e| Failure::Connect(e.to_string()))?;
            let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await
                .map_err(|e| Failure::Connect(e.to_string()))?;
            handshake(hyper_util::rt::TokioIo::new(stream)).await
        } else {
            handshake(hyper_util::rt::TokioIo::new(tcp)).await
        }
    };
    let (sender, task) = tokio::time::timeout(timeout, open)
        .await
        .map_err(|_| Failure::Timeout)??;
    Ok(Connection {
        sender,
        task,
        authority,
        path,
        timeout,
        body_cap,
    })
}

async fn handshake<T>(
    io: hyper_util::rt::TokioIo<T>,
) -> Result<
    (
        hyper::client::conn::http1::SendRequest<Body>,
        tokio::task::JoinHandle<()>,
    ),
    Failure,
>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| Failure::Connect(e.to_string()))?;
    let task = tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok((sender, task))
}

fn body(bytes: Vec<u8>, pace: Pace) -> Body {
    match pace {
        Pace::Whole => Full::new(Bytes::from(bytes)).boxed(),
        Pace::Chunked => {
            let chunks: Vec<Result<Frame<Bytes>, Infallible>> = bytes
                .chunks(64)
                .map(|c| Ok(Frame::data(Bytes::copy_from_slice(c))))
                .collect();
            StreamBody::new(futures_util::stream::iter(chunks)).boxed()
        }
        Pace::Slow(window) => {
            let start = tokio::time::Instant::now();
            let stream = futures_util::stream::unfold(0usize, move |i| {
                let bytes = bytes.clone();
                async move {
                    if i > 0 {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    if i >= bytes.len() || start.elapsed() >= window {
                        // Out of bytes or out of window: stall without ending the body.
                        std::future::pending::<()>().await;
                    }
                    Some((
                        Ok(Frame::data(Bytes::copy_from_slice(&bytes[i..=i]))),
                        i + 1,
                    ))
                }
            });
            StreamBody::new(stream).boxed()
        }
    }
}

impl Connection {
    /// Sends one request and reads the answer (within the timeout, plus the slow window for a
    /// slow body).
    pub async fn send(&mut self, r: RawRequest) -> RawAnswer {
        let start = Instant::now();
        let wait = match r.pace {
            Pace::Slow(w) => w + self.timeout,
            _ => self.timeout,
        };
        let outcome = match tokio::time::timeout(wait, self.exchange(r)).await {
            Ok(o) => o,
            Err(_) => Err(Failure::Timeout),
        };
        RawAnswer {
            outcome,
            elapsed: start.elapsed(),
        }
    }

    async fn exchange(&mut self, r: RawRequest) -> Result<Answer, Failure> {
        self.sender.ready().await.map_err(other)?;
        let mut b = hyper::Request::builder()
            .method(r.method)
            .uri(&self.path)
            .header("host", &self.authority)
            .header("user-agent", concat!("poxspec/", env!("CARGO_PKG_VERSION")));
        if r.pace == Pace::Whole {
            b = b.header("content-length", r.body.len());
        }
        for (k, v) in &r.headers {
            b = b.header(*k, v);
        }
        let req = b.body(body(r.body, r.pace)).map_err(other)?;
        let resp = self.sender.send_request(req).await.map_err(other)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut incoming = resp.into_body();
        let mut out = Vec::new();
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(other)?;
            if let Ok(data) = frame.into_data() {
                if out.len() + data.len() > self.body_cap {
                    return Err(Failure::TooLarge {
                        read: out.len() + data.len(),
                        status,
                    });
                }
                out.extend_from_slice(&data);
            }
        }
        Ok(Answer {
            status,
            headers,
            body: out,
        })
    }

    /// Whether the connection can carry another request (the server did not close it).
    pub async fn reusable(&mut self) -> bool {
        tokio::time::timeout(Duration::from_millis(200), self.sender.ready())
            .await
            .is_ok_and(|r| r.is_ok())
            && !self.sender.is_closed()
    }
}
