//! One Autodiscover POST over HTTP/2 (ALPN `h2` only), for `tls/http2`: the main client speaks
//! HTTP/1.1 as Outlook does, so HTTP/2 gets its own connection.

use super::client::Authorization;
use super::tls::Inspection;
use super::tls_cases::TlsContext;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use std::sync::Arc;

/// Status and body of an HTTP/2 answer.
#[derive(Debug, Clone)]
pub struct H2Answer {
    /// Status code.
    pub status: u16,
    /// Body (at most the cap).
    pub body: Vec<u8>,
}

/// POSTs `body` to the case's URL over a fresh HTTP/2 connection; the error says which step
/// failed.
pub async fn post(cx: &TlsContext<'_>, i: &Inspection, body: Vec<u8>) -> Result<H2Answer, String> {
    let work = async {
        let tcp = super::route::connect(cx.routing, &i.host, i.port, cx.timeout)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        // Certificate problems are the other tls/ cases' findings; here only HTTP/2 is judged.
        let trust = super::tls::Trust {
            insecure: true,
            ..cx.trust.clone()
        };
        let config = trust.client_config(&[b"h2"])?;
        let name = ServerName::try_from(i.host.clone()).map_err(|e| e.to_string())?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
            return Err("ALPN did not select h2 on the second connection".to_owned());
        }
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
                .await
                .map_err(|e| format!("HTTP/2 connection preface: {e}"))?;
        tokio::spawn(conn);
        let mut req = hyper::Request::post(cx.url)
            .header("content-type", "text/xml; charset=utf-8")
            .header("user-agent", concat!("poxspec/", env!("CARGO_PKG_VERSION")));
        if let Some(c) = cx.credentials {
            if c.decide(cx.url) == Authorization::Sent {
                req = req.header("authorization", format!("Basic {}", c.basic_token()));
            }
        }
        let req = req
            .body(Full::new(bytes::Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| format!("HTTP/2 request: {e}"))?;
        let status = resp.status().as_u16();
        let body = Limited::new(resp.into_body(), cx.body_cap)
            .collect()
            .await
            .map_err(|e| format!("HTTP/2 body: {e}"))?
            .to_bytes()
            .to_vec();
        Ok(H2Answer { status, body })
    };
    tokio::time::timeout(cx.timeout, work)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} ms", cx.timeout.as_millis())))
}
