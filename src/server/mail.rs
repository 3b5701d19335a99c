//! Loopback listeners for the endpoints an Autodiscover answer advertises: IMAP, POP3 and
//! SMTP greeting servers (implicit TLS or STARTTLS), and two small web stubs a discovery walk
//! meets (an https site that is not an Autodiscover endpoint, an http redirect). They speak
//! just enough of each protocol for a client to observe the transport: greeting, capability
//! list, STARTTLS, EHLO with or without AUTH. Reads are bounded (line length, command count,
//! time); no mail is accepted.

use super::pki::server_config;
use super::Identity;
use super::ServerError;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// Longest command line read.
const MAX_LINE: u64 = 1024;
/// Commands per connection before it is closed.
const MAX_COMMANDS: usize = 32;
/// How long a connection may stay silent.
const IDLE: Duration = Duration::from_secs(10);

/// Which protocol a mail listener speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// IMAP4rev1 (greeting `* OK`, `CAPABILITY`, `STARTTLS`).
    Imap,
    /// POP3 (greeting `+OK`, `CAPA`, `STLS`).
    Pop3,
    /// SMTP submission (greeting `220`, `EHLO`, `STARTTLS`, `AUTH` after TLS).
    Smtp,
}

/// How a listener starts TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTransport {
    /// TLS from the first byte (993, 995, 465).
    ImplicitTls,
    /// A plain-text greeting, then STARTTLS (143, 110, 587).
    StartTls,
}

/// What a mail listener does.
#[derive(Debug, Clone)]
pub struct MailListener {
    /// The protocol.
    pub kind: MailKind,
    /// The transport.
    pub transport: MailTransport,
    /// The host name in greetings.
    pub host: String,
    /// The certificate it presents.
    pub identity: Identity,
    /// SMTP only: offer `AUTH PLAIN LOGIN` in the EHLO reply once TLS is up.
    pub offer_auth: bool,
}

/// A small web listener a discovery walk meets.
#[derive(Debug, Clone)]
pub enum Site {
    /// An https web site that answers every request with 404 (a bare domain's home page
    /// server, typically with a certificate for another name).
    Https(Identity),
    /// A plain-http server that answers every request with 302 to `location`.
    Redirect {
        /// The Location header.
        location: String,
    },
}

/// A running listener. Dropping it does not stop it; call [`RunningListener::shutdown`].
pub struct RunningListener {
    /// Where it listens.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl RunningListener {
    /// Stops accepting connections.
    pub fn shutdown(&self) {
        self.task.abort();
    }
}

async fn bind(ip: IpAddr) -> Result<(TcpListener, SocketAddr), ServerError> {
    let want = SocketAddr::new(ip, 0);
    let l = TcpListener::bind(want)
        .await
        .map_err(|source| ServerError::Bind { addr: want, source })?;
    let addr = l
        .local_addr()
        .map_err(|source| ServerError::Bind { addr: want, source })?;
    Ok((l, addr))
}

/// A loopback port on `ip` that refuses connections: bound, then closed. (Another process
/// could take it in between; on loopback with ephemeral ports that is rare, and a probe then
/// reports what it finds there.)
pub async fn closed_port(ip: IpAddr) -> Result<SocketAddr, ServerError> {
    let (l, addr) = bind(ip).await?;
    drop(l);
    Ok(addr)
}

/// Starts a mail listener on an ephemeral port of `ip`.
pub async fn start_mail(ip: IpAddr, config: MailListener) -> Result<RunningListener, ServerError> {
    let acceptor = TlsAcceptor::from(Arc::new(server_config(&config.identity)?));
    let (listener, addr) = bind(ip).await?;
    let config = Arc::new(config);
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (config, acceptor) = (config.clone(), acceptor.clone());
            tokio::spawn(async move {
                let _ = tokio::time::timeout(IDLE * 3, serve_mail(tcp, &config, &acceptor)).await;
            });
        }
    });
    Ok(RunningListener { addr, task })
}

async fn serve_mail(tcp: TcpStream, c: &MailListener, acceptor: &TlsAcceptor) {
    match c.transport {
        MailTransport::ImplicitTls => {
            if let Ok(Ok(tls)) = tokio::time::timeout(IDLE, acceptor.accept(tcp)).await {
                let _ = dialog(tls, c, true, true).await;
            }
        }
        MailTransport::StartTls => {
            if let Some(tcp) = dialog(tcp, c, false, true).await {
                if let Ok(Ok(tls)) = tokio::time::timeout(IDLE, acceptor.accept(tcp)).await {
                    let _ = dialog(tls, c, true, false).await;
                }
            }
        }
    }
}

fn greeting(c: &MailListener, secure: bool) -> String {
    match c.kind {
        MailKind::Imap => format!(
            "* OK [CAPABILITY {}] {} poxspec IMAP ready\r\n",
            imap_caps(secure),
            c.host
        ),
        MailKind::Pop3 => format!("+OK {} poxspec POP3 ready\r\n", c.host),
        MailKind::Smtp => format!("220 {} ESMTP poxspec\r\n", c.host),
    }
}

fn imap_caps(secure: bool) -> &'static str {
    if secure {
        "IMAP4rev1 AUTH=PLAIN"
    } else {
        "IMAP4rev1 STARTTLS LOGINDISABLED"
    }
}

/// What to do after a command.
enum Next {
    Reply(String),
    Upgrade(String),
    Close(String),
}

fn answer(c: &MailListener, secure: bool, line: &str) -> Next {
    let mut words = line.split_whitespace();
    match c.kind {
        MailKind::Imap => {
            let tag = words.next().unwrap_or("*");
            let cmd = words.next().unwrap_or("").to_ascii_uppercase();
            match cmd.as_str() {
                "CAPABILITY" => Next::Reply(format!(
                    "* CAPABILITY {}\r\n{tag} OK CAPABILITY completed\r\n",
                    imap_caps(secure)
                )),
                "STARTTLS" if !secure => {
                    Next::Upgrade(format!("{tag} OK Begin TLS negotiation now\r\n"))
                }
                "NOOP" => Next::Reply(format!("{tag} OK NOOP completed\r\n")),
                "LOGOUT" => Next::Close(format!(
                    "* BYE logging out\r\n{tag} OK LOGOUT completed\r\n"
                )),
                _ => Next::Reply(format!("{tag} BAD not supported by this test server\r\n")),
            }
        }
        MailKind::Pop3 => match words.next().unwrap_or("").to_ascii_uppercase().as_str() {
            "CAPA" => Next::Reply(if secure {
                "+OK capability list follows\r\nUSER\r\nSASL PLAIN\r\n.\r\n".into()
            } else {
                "+OK capability list follows\r\nUSER\r\nSTLS\r\n.\r\n".into()
            }),
            "STLS" if !secure => Next::Upgrade("+OK begin TLS negotiation\r\n".into()),
            "NOOP" => Next::Reply("+OK\r\n".into()),
            "QUIT" => Next::Close("+OK bye\r\n".into()),
            _ => Next::Reply("-ERR not supported by this test server\r\n".into()),
        },
        MailKind::Smtp => match words.next().unwrap_or("").to_ascii_uppercase().as_str() {
            "EHLO" => {
                let mut lines = vec![c.host.clone()];
                if !secure {
                    lines.push("STARTTLS".into());
                }
                if secure && c.offer_auth {
                    lines.push("AUTH PLAIN LOGIN".into());
                }
                lines.push("8BITMIME".into());
                let n = lines.len();
                Next::Reply(
                    lines
                        .iter()
                        .enumerate()
                        .map(|(i, l)| format!("250{}{l}\r\n", if i + 1 < n { '-' } else { ' ' }))
                        .collect(),
                )
            }
            "HELO" => Next::Reply(format!("250 {}\r\n", c.host)),
            "STARTTLS" if !secure => Next::Upgrade("220 2.0.0 Ready to start TLS\r\n".into()),
            "NOOP" => Next::Reply("250 2.0.0 OK\r\n".into()),
            "QUIT" => Next::Close("221 2.0.0 Bye\r\n".into()),
            _ => Next::Reply("502 5.5.2 not supported by this test server\r\n".into()),
        },
    }
}

/// Greets (when `greet`), then answers commands; returns the stream when the client asked for
/// STARTTLS and may now start its handshake.
async fn dialog<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    c: &MailListener,
    secure: bool,
    greet: bool,
) -> Option<S> {
    let mut reader = BufReader::new(stream);
    if greet {
        reader
            .get_mut()
            .write_all(greeting(c, secure).as_bytes())
            .await
            .ok()?;
    }
    for _ in 0..MAX_COMMANDS {
        let mut line = Vec::new();
        let read = tokio::time::timeout(
            IDLE,
            (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line),
        )
        .await
        .ok()?
        .ok()?;
        if read == 0 || !line.ends_with(b"\n") {
            return None;
        }
        let text = String::from_utf8_lossy(&line);
        match answer(c, secure, text.trim_end()) {
            Next::Reply(r) => reader.get_mut().write_all(r.as_bytes()).await.ok()?,
            Next::Upgrade(r) => {
                reader.get_mut().write_all(r.as_bytes()).await.ok()?;
                reader.get_mut().flush().await.ok()?;
                // The client sends nothing before our reply, so nothing is lost in the buffer.
                return Some(reader.into_inner());
            }
            Next::Close(r) => {
                let _ = reader.get_mut().write_all(r.as_bytes()).await;
                let _ = reader.get_mut().shutdown().await;
                return None;
            }
        }
    }
    None
}

/// Starts a web stub on an ephemeral port of `ip`.
pub async fn start_site(ip: IpAddr, site: Site) -> Result<RunningListener, ServerError> {
    let acceptor = match &site {
        Site::Https(id) => Some(TlsAcceptor::from(Arc::new(server_config(id)?))),
        Site::Redirect { .. } => None,
    };
    let (listener, addr) = bind(ip).await?;
    let reply: Arc<String> = Arc::new(match &site {
        Site::Https(_) => {
            let body = "<html><body>Welcome</body></html>";
            format!("HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
        }
        Site::Redirect { location } => format!(
            "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        ),
    });
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, reply) = (acceptor.clone(), reply.clone());
            tokio::spawn(async move {
                let _ = tokio::time::timeout(IDLE, async move {
                    match acceptor {
                        Some(a) => {
                            if let Ok(tls) = a.accept(tcp).await {
                                http_once(tls, &reply).await;
                            }
                        }
                        None => http_once(tcp, &reply).await,
                    }
                })
                .await;
            });
        }
    });
    Ok(RunningListener { addr, task })
}

/// Reads one request head (at most 16 KiB) and answers with `reply`.
async fn http_once<S: AsyncRead + AsyncWrite + Unpin>(stream: S, reply: &str) {
    let mut reader = BufReader::new(stream);
    let mut total = 0u64;
    loop {
        let mut line = Vec::new();
        match (&mut reader)
            .take(MAX_LINE * 8)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(n) => total += n as u64,
        }
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if total > 16 * 1024 {
            return;
        }
    }
    let s = reader.get_mut();
    let _ = s.write_all(reply.as_bytes()).await;
    let _ = s.shutdown().await;
}
