//! The client's connector: TCP to where [`Routing`] says (curl's `--connect-to`/`--resolve`),
//! then TLS with the URL's host as the server name. reqwest cannot do this: its `resolve`
//! keeps the URL's port whenever the URL names one, and its connector layers cannot see the
//! destination, so the client is hyper-util's pooled client over this connector.

use super::route::{normalize_host, Routing};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpStream;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Opens connections for the client.
#[derive(Clone)]
pub struct Connector {
    routing: Option<Arc<Routing>>,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl Connector {
    /// A connector that routes through `routing` (the system resolver when `None`) and
    /// speaks TLS with `tls`.
    pub fn new(
        routing: Option<Arc<Routing>>,
        tls: rustls::ClientConfig,
        timeout: Duration,
    ) -> Connector {
        Connector {
            routing,
            tls: Arc::new(tls),
            timeout,
        }
    }
}

/// A plain or TLS connection.
pub enum Conn {
    /// Plain http.
    Plain(TokioIo<TcpStream>),
    /// https.
    Tls(Box<TokioIo<tokio_rustls::client::TlsStream<TcpStream>>>),
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        match self {
            Conn::Plain(_) => Connected::new(),
            Conn::Tls(t) if t.inner().get_ref().1.alpn_protocol() == Some(b"h2") => {
                Connected::new().negotiated_h2()
            }
            Conn::Tls(_) => Connected::new(),
        }
    }
}

impl Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

async fn open(c: Connector, uri: Uri) -> Result<Conn, BoxError> {
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        other => return Err(format!("unsupported scheme {other:?}").into()),
    };
    let host = uri.host().ok_or("the URL has no host")?.to_owned();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let tcp = super::route::connect(c.routing.as_deref(), &host, port, c.timeout).await?;
    if !https {
        return Ok(Conn::Plain(TokioIo::new(tcp)));
    }
    let name = ServerName::try_from(normalize_host(&host))?;
    let tls = tokio::time::timeout(
        c.timeout,
        tokio_rustls::TlsConnector::from(c.tls.clone()).connect(name, tcp),
    )
    .await
    .map_err(|_| format!("no TLS handshake with {host}:{port} within the timeout"))??;
    Ok(Conn::Tls(Box::new(TokioIo::new(tls))))
}

impl tower_service::Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(open(self.clone(), uri))
    }
}
