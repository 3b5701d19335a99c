//! Credentials go only to the origin the user named: never across a redirect to another
//! origin, never over plain http unless allowed, and never into a report.

use crate::common::poxspec_env;
use poxspec::fixture::Fixture;
use poxspec::live::{self, Authorization, CheckOptions, Credentials, CredentialsError};
use poxspec::report::{self, Format, Report};
use poxspec::server::{self, Fault, ServerOptions};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const USER: &str = "chris@contoso.com";
const PASSWORD: &str = "cr0ss-0rigin-Secret";
/// base64("chris@contoso.com:cr0ss-0rigin-Secret")
const TOKEN: &str = "Y2hyaXNAY29udG9zby5jb206Y3Iwc3MtMHJpZ2luLVNlY3JldA==";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A plain-http listener that records every request it receives (head and body, raw) and
/// answers each with `reply(port)`.
async fn recorder(ip: [u8; 4], reply: fn(u16) -> String) -> (u16, Arc<Mutex<Vec<Vec<u8>>>>) {
    let listener = TcpListener::bind((std::net::Ipv4Addr::from(ip), 0u16))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the head, then as much body as Content-Length says (bounded).
                let body_end = loop {
                    let Ok(n) = sock.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(h) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..h]).to_ascii_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0)
                            .min(1 << 20);
                        break h + 4 + len;
                    }
                    if buf.len() > 1 << 20 {
                        return;
                    }
                };
                while buf.len() < body_end {
                    let Ok(n) = sock.read(&mut chunk).await else {
                        break;
                    };
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                log.lock().unwrap().push(buf);
                let _ = sock.write_all(reply(port).as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (port, seen)
}

fn settings_reply(_: u16) -> String {
    let body = poxspec::model::to_canonical(&poxspec::model::make::settings_response(
        "Chris",
        USER,
        vec![],
    ));
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/xml; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The regression this guards: a 302 from 127.0.0.1 to 127.0.0.2 used to carry
/// `authorization: Basic …` to the second host.
#[test]
fn credentials_never_follow_a_redirect_to_another_origin() {
    let rt = runtime();
    let report = rt.block_on(async {
        let (second_port, second) = recorder([127, 0, 0, 2], settings_reply).await;
        // The first host redirects every request to the second (another origin: other host).
        static SECOND: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
        SECOND.set(second_port).unwrap();
        let (first_port, first) = recorder([127, 0, 0, 1], |_| {
            format!(
                "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.2:{}/autodiscover/autodiscover.xml\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                SECOND.get().unwrap()
            )
        })
        .await;
        let url = format!("http://127.0.0.1:{first_port}/autodiscover/autodiscover.xml");
        let mut options = CheckOptions::for_fixture(
            url.clone(),
            format!("http://127.0.0.1:{first_port}/autodiscover/autodiscover.xml"),
            Vec::new(),
            Fixture::builtin(),
            Duration::from_secs(5),
        );
        options.client.trust.extra_roots.clear();
        options.target.emails = vec![USER.into()];
        options.only = vec![glob::Pattern::new("settings/*").unwrap()];
        // Plain http is allowed here so that the origin is the only reason to withhold them.
        options.client.credentials = Some(Credentials::new(USER, PASSWORD, &url, true).unwrap());
        let units = live::run(&options).await.unwrap();
        let first = first.lock().unwrap().clone();
        let second = second.lock().unwrap().clone();
        (Report::new("case", false, units), first, second)
    });
    let (report, first, second) = report;
    assert!(
        first.iter().any(|r| contains(r, TOKEN)),
        "the named origin must get the credentials (else this test proves nothing)"
    );
    assert!(!second.is_empty(), "the redirect was not followed");
    for r in &second {
        let text = String::from_utf8_lossy(r).to_ascii_lowercase();
        assert!(!text.contains("authorization:"), "{text}");
        assert!(!contains(r, PASSWORD) && !contains(r, TOKEN), "{text}");
    }
    let rules: Vec<&str> = report
        .units
        .iter()
        .flat_map(|u| u.findings.iter().map(|f| f.rule))
        .collect();
    assert!(rules.contains(&"POX-HTTP-016"), "{rules:?}");
    for format in [Format::Human, Format::Json, Format::Junit, Format::Markdown] {
        let text = report::render(&report, format);
        assert!(
            !text.contains(PASSWORD) && !text.contains(TOKEN),
            "{format:?} leaks the password"
        );
        assert!(
            text.contains("credentials withheld") || format == Format::Junit,
            "{format:?} does not say the credentials were withheld"
        );
    }
}

/// An https endpoint that redirects to plain http: followed without credentials, an error.
#[test]
fn redirect_from_https_to_http_is_an_error_and_gets_no_credentials() {
    let rt = runtime();
    let r = rt.block_on(async {
        let s = server::start(ServerOptions {
            // The echo fault makes any credentials that reach the http hop visible.
            faults: vec![Fault::RedirectToHttp, Fault::CredentialsEchoed],
            ..ServerOptions::local()
        })
        .await
        .unwrap();
        let mut options = CheckOptions::for_fixture(
            s.url(),
            format!("{}/autodiscover/autodiscover.xml", s.http_base),
            s.certificate_der.clone(),
            Fixture::builtin(),
            Duration::from_secs(5),
        );
        options.only = vec![glob::Pattern::new("settings/*").unwrap()];
        options.client.credentials =
            Some(Credentials::new(USER, PASSWORD, &s.url(), false).unwrap());
        let units = live::run(&options).await.unwrap();
        s.shutdown();
        Report::new("case", false, units)
    });
    let findings: Vec<(&str, &str)> = r
        .units
        .iter()
        .flat_map(|u| u.findings.iter().map(|f| (f.rule, f.message.as_str())))
        .collect();
    assert!(
        findings.iter().any(|(r, _)| *r == "POX-HTTP-017"),
        "{findings:?}"
    );
    // Hops back on the named https origin (the hosted mailbox's RedirectUrl) rightly carry
    // the credentials, and the fault echoes them there; on the http hop nothing may arrive.
    assert!(
        !findings
            .iter()
            .any(|(r, m)| *r == "POX-HTTP-018" && m.contains("http://")),
        "credentials reached the plain-http hop: {findings:?}"
    );
    assert!(!r.passes());
}

#[test]
fn credentials_are_bound_to_the_named_origin() {
    let c = Credentials::new(
        "u",
        "p",
        "https://autodiscover.example.net/autodiscover/autodiscover.xml",
        false,
    )
    .unwrap();
    let d = |u: &str| c.decide(u);
    assert_eq!(d("https://autodiscover.example.net/x"), Authorization::Sent);
    assert_eq!(
        d("https://autodiscover.example.net:443/x"),
        Authorization::Sent
    );
    assert_eq!(d("https://AUTODISCOVER.example.net/x"), Authorization::Sent);
    assert_eq!(
        d("https://autodiscover.example.net:8443/x"),
        Authorization::WithheldOtherOrigin
    );
    assert_eq!(
        d("http://autodiscover.example.net/x"),
        Authorization::WithheldOtherOrigin
    );
    assert_eq!(
        d("https://example.net/x"),
        Authorization::WithheldOtherOrigin
    );
    assert_eq!(
        d("https://autodiscover.example.net.evil.test/x"),
        Authorization::WithheldOtherOrigin
    );
    assert_eq!(d("not a url"), Authorization::WithheldOtherOrigin);
    assert!(!format!("{c:?}").contains("\"p\""));
    assert!(matches!(
        Credentials::new("u", "p", "http://example.net/", false),
        Err(CredentialsError::PlainHttp(_))
    ));
    let h = Credentials::new("u", "p", "http://example.net/", true).unwrap();
    assert_eq!(h.decide("http://example.net/a"), Authorization::Sent);
    assert!(matches!(
        Credentials::new("u", "p", "mailto:x@example.net", false),
        Err(CredentialsError::NoOrigin(_))
    ));
}

#[test]
fn cli_refuses_credentials_over_plain_http_without_allow_http_auth() {
    let (code, out, err) = poxspec_env(
        &[
            "check",
            "http://127.0.0.1:1/autodiscover/autodiscover.xml",
            "--email",
            "a@b.example",
            "--user",
            "a@b.example",
            "--password-env",
            "POXSPEC_TEST_PASSWORD",
        ],
        &[("POXSPEC_TEST_PASSWORD", "plain-http-secret")],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("--allow-http-auth"), "{err}");
    assert!(!err.contains("plain-http-secret") && !out.contains("plain-http-secret"));
}
