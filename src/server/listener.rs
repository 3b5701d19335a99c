//! The HTTPS accept loop: rustls with ALPN (h2 and http/1.1), HTTP/1.1 and HTTP/2 on the
//! same port, and the transport faults that live below HTTP.
//!
//! TLS 1.0/1.1 cannot be served with rustls (it implements TLS 1.2 and 1.3 only). The legacy
//! faults therefore answer a ClientHello with a hand-written TLS 1.1 ServerHello and close the
//! connection: a client decides about the version at exactly that message, so what it sees is
//! what a TLS 1.1 server sends; the rest of such a handshake is never reached.

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

/// How the listener handles TLS versions below 1.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Legacy {
    /// rustls only: TLS 1.2 and 1.3.
    Off,
    /// Answer every ClientHello with a TLS 1.1 ServerHello (a TLS 1.1-only server).
    Only,
    /// Answer ClientHellos that offer nothing newer than TLS 1.1 with a TLS 1.1 ServerHello,
    /// and the rest with rustls (a server that still accepts TLS 1.1).
    Accept,
}

/// The listener's behaviour.
#[derive(Clone)]
pub(super) struct Setup {
    /// TLS configuration (certificate, ALPN).
    pub tls: Arc<rustls::ServerConfig>,
    /// Legacy-version behaviour.
    pub legacy: Legacy,
    /// Speak HTTP/1.1 whatever ALPN selected.
    pub http1_only: bool,
}

/// Whether a ClientHello offers TLS 1.2 or newer (legacy_version, or the supported_versions
/// extension of TLS 1.3); `None` when the bytes are not a complete ClientHello.
pub(super) fn offers_modern(rec: &[u8]) -> Option<bool> {
    let hs = rec.get(5..)?;
    if rec.first() != Some(&0x16) || hs.first() != Some(&1) {
        return None;
    }
    let body = hs.get(4..)?;
    let legacy_version = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    let mut i = 2 + 32;
    i += 1 + usize::from(*body.get(i)?);
    i += 2 + usize::from(u16::from_be_bytes([*body.get(i)?, *body.get(i + 1)?]));
    i += 1 + usize::from(*body.get(i)?);
    if body.len() < i + 2 {
        return Some(legacy_version >= 0x0303);
    }
    let ext_len = usize::from(u16::from_be_bytes([body[i], body[i + 1]]));
    let mut ext = body.get(i + 2..i + 2 + ext_len)?;
    while ext.len() >= 4 {
        let kind = u16::from_be_bytes([ext[0], ext[1]]);
        let len = usize::from(u16::from_be_bytes([ext[2], ext[3]]));
        let data = ext.get(4..4 + len)?;
        if kind == 0x002b {
            let list = data.get(1..1 + usize::from(*data.first()?))?;
            return Some(
                list.chunks(2)
                    .any(|v| v.len() == 2 && u16::from_be_bytes([v[0], v[1]]) >= 0x0303),
            );
        }
        ext = &ext[4 + len..];
    }
    Some(legacy_version >= 0x0303)
}

/// A TLS 1.1 ServerHello choosing TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA.
pub(super) fn tls11_server_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x02];
    body.extend_from_slice(&[0x42; 32]);
    body.push(0);
    body.extend_from_slice(&[0xc0, 0x13, 0x00]);
    let mut hs = vec![2, 0, 0, body.len() as u8];
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x02, 0, hs.len() as u8];
    rec.extend_from_slice(&hs);
    rec
}

/// Peeks at the first record without consuming it (at most 2 s, 16 KiB).
async fn peek_hello(tcp: &TcpStream) -> Vec<u8> {
    let mut buf = vec![0u8; 16 * 1024];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let n = match tokio::time::timeout_at(deadline, tcp.peek(&mut buf)).await {
            Ok(Ok(n)) => n,
            _ => return Vec::new(),
        };
        let want = if n >= 5 {
            5 + usize::from(u16::from_be_bytes([buf[3], buf[4]]))
        } else {
            usize::MAX
        };
        if n == 0 || n >= want || n == buf.len() {
            buf.truncate(n);
            return buf;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        if tokio::time::Instant::now() >= deadline {
            buf.truncate(n);
            return buf;
        }
    }
}

async fn connection(tcp: TcpStream, setup: Setup, app: Router) {
    if setup.legacy != Legacy::Off {
        let hello = peek_hello(&tcp).await;
        let modern = offers_modern(&hello).unwrap_or(true);
        if setup.legacy == Legacy::Only || !modern {
            let mut tcp = tcp;
            let _ = tcp.write_all(&tls11_server_hello()).await;
            let _ = tcp.shutdown().await;
            return;
        }
    }
    let acceptor = tokio_rustls::TlsAcceptor::from(setup.tls.clone());
    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
    else {
        return;
    };
    let io = TokioIo::new(tls);
    let service = TowerToHyperService::new(app);
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    if setup.http1_only {
        builder = builder.http1_only();
    }
    let _ = builder.serve_connection(io, service).await;
}

/// Accepts connections until the returned task is aborted; aborting it also ends every
/// connection it started.
pub(super) fn spawn(
    listener: TcpListener,
    setup: Setup,
    app: Router,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    if let Ok((tcp, _)) = accepted {
                        let _ = tcp.set_nodelay(true);
                        connections.spawn(connection(tcp, setup.clone(), app.clone()));
                    }
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TLS 1.1 ClientHello with one suite and no extensions, as a record.
    fn tls11_hello(version: u8) -> Vec<u8> {
        let mut body = vec![3, version];
        body.extend_from_slice(&[9; 32]);
        body.extend_from_slice(&[0, 0, 2, 0, 0x2f, 1, 0]);
        let mut hs = vec![1, 0, 0, body.len() as u8];
        hs.extend_from_slice(&body);
        let mut rec = vec![0x16, 3, 1, 0, hs.len() as u8];
        rec.extend_from_slice(&hs);
        rec
    }

    #[test]
    fn modern_and_legacy_client_hellos_are_told_apart() {
        assert_eq!(offers_modern(&tls11_hello(2)), Some(false));
        assert_eq!(offers_modern(&tls11_hello(3)), Some(true));
        assert_eq!(offers_modern(b"GET / HTTP/1.1\r\n"), None);
        assert_eq!(offers_modern(&tls11_hello(2)[..20]), None);
        // What rustls sends (TLS 1.3 via supported_versions) counts as modern.
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
        let mut conn =
            rustls::ClientConnection::new(Arc::new(config), "a.test".try_into().unwrap()).unwrap();
        let mut hello = Vec::new();
        conn.write_tls(&mut hello).unwrap();
        assert_eq!(offers_modern(&hello), Some(true));
    }

    #[test]
    fn the_fake_server_hello_reads_as_tls11() {
        let h = tls11_server_hello();
        assert_eq!(
            (h[0], h[5]),
            (0x16, 2),
            "a handshake record holding a ServerHello"
        );
        assert_eq!(&h[9..11], &[3, 2], "server_version TLS 1.1");
        assert_eq!(usize::from(h[4]), h.len() - 5);
    }
}
