//! Where connections go: DNS through hickory-resolver (the system configuration, or one server
//! named with `--dns`), and curl's `--resolve HOST:PORT:ADDR` and
//! `--connect-to HOST1:PORT1:HOST2:PORT2` overrides on top.
//!
//! Every connection the checker opens — the pooled HTTP client's, the raw HTTP/1.1 probes',
//! the TLS inspection's, the mail-endpoint probes' — goes through [`connect`], which applies
//! every rule to the URL's own host and port (explicit ports included) and then tries each
//! address in turn. TLS still checks the certificate against the name in the URL.

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Which DNS server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsSource {
    /// The operating system's resolver configuration (`/etc/resolv.conf`, hosts file).
    System,
    /// One server, over UDP with TCP fallback; the hosts file is not read.
    Server(SocketAddr),
}

/// Why a name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsFailure {
    /// The name does not exist (NXDOMAIN).
    #[error("no such name (NXDOMAIN)")]
    NoSuchName,
    /// The name exists but has no record of the type asked for.
    #[error("no {0} record")]
    NoRecords(&'static str),
    /// The server did not answer, or answered with an error.
    #[error("DNS lookup failed: {0}")]
    Failed(String),
}

/// The addresses a name resolved to, with the aliases followed on the way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addresses {
    /// `CNAME` targets, in the order followed.
    pub aliases: Vec<String>,
    /// `A` and `AAAA` addresses.
    pub ips: Vec<IpAddr>,
}

impl std::fmt::Display for Addresses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for a in &self.aliases {
            write!(f, "CNAME {a} → ")?;
        }
        let ips: Vec<String> = self.ips.iter().map(|i| i.to_string()).collect();
        write!(f, "{}", ips.join(", "))
    }
}

/// One `SRV` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv {
    /// Lower is tried first.
    pub priority: u16,
    /// Share among records of equal priority (higher preferred).
    pub weight: u16,
    /// TCP port.
    pub port: u16,
    /// Target host, without the trailing dot.
    pub target: String,
}

impl std::fmt::Display for Srv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.priority, self.weight, self.port, self.target
        )
    }
}

/// A DNS client (hickory-resolver) with short timeouts and no cache, so that every lookup of a
/// run is a real query.
#[derive(Clone)]
pub struct Dns {
    resolver: TokioResolver,
    source: DnsSource,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dns({:?})", self.source)
    }
}

fn name_text(n: &hickory_resolver::proto::rr::Name) -> String {
    n.to_ascii().trim_end_matches('.').to_owned()
}

impl Dns {
    /// A client for `source`; `timeout` bounds each query.
    pub fn new(source: DnsSource, timeout: Duration) -> Result<Dns, String> {
        let mut builder = match source {
            DnsSource::System => TokioResolver::builder_tokio()
                .map_err(|e| format!("cannot read the system DNS configuration: {e}"))?,
            DnsSource::Server(addr) => {
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                let ns = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
                TokioResolver::builder_with_config(
                    ResolverConfig::from_name_servers(vec![ns]),
                    TokioRuntimeProvider::default(),
                )
            }
        };
        let opts = builder.options_mut();
        opts.timeout = timeout;
        opts.attempts = 1;
        opts.cache_size = 0;
        opts.ndots = 0;
        if matches!(source, DnsSource::Server(_)) {
            opts.use_hosts_file = ResolveHosts::Never;
        }
        let resolver = builder.build().map_err(|e| e.to_string())?;
        Ok(Dns { resolver, source })
    }

    /// Which server answers.
    pub fn source(&self) -> DnsSource {
        self.source
    }

    async fn records(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> Result<Vec<hickory_resolver::proto::rr::Record>, DnsFailure> {
        let fq = format!("{}.", name.trim_end_matches('.'));
        match self.resolver.lookup(fq.as_str(), rtype).await {
            Ok(l) => Ok(l.answers().to_vec()),
            Err(e) if e.is_nx_domain() => Err(DnsFailure::NoSuchName),
            Err(e) if e.is_no_records_found() => Err(DnsFailure::NoRecords(match rtype {
                RecordType::A => "A",
                RecordType::AAAA => "AAAA",
                RecordType::SRV => "SRV",
                _ => "matching",
            })),
            Err(e) => Err(DnsFailure::Failed(e.to_string())),
        }
    }

    /// `A` and `AAAA` records of `host` (an IP literal is returned as it is).
    pub async fn addresses(&self, host: &str) -> Result<Addresses, DnsFailure> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(Addresses {
                aliases: vec![],
                ips: vec![ip],
            });
        }
        let (v4, v6) = tokio::join!(
            self.records(host, RecordType::A),
            self.records(host, RecordType::AAAA)
        );
        let mut out = Addresses::default();
        let mut errors = Vec::new();
        for r in [v4, v6] {
            match r {
                Ok(records) => {
                    for rec in records {
                        match &rec.data {
                            RData::A(a) => push_unique(&mut out.ips, IpAddr::V4(a.0)),
                            RData::AAAA(a) => push_unique(&mut out.ips, IpAddr::V6(a.0)),
                            RData::CNAME(c) => push_unique(&mut out.aliases, name_text(&c.0)),
                            _ => {}
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if !out.ips.is_empty() {
            return Ok(out);
        }
        Err(
            if errors.iter().any(|e| matches!(e, DnsFailure::Failed(_))) {
                errors
                    .into_iter()
                    .find(|e| matches!(e, DnsFailure::Failed(_)))
                    .expect("checked")
            } else if errors.contains(&DnsFailure::NoSuchName) {
                DnsFailure::NoSuchName
            } else {
                DnsFailure::NoRecords("A or AAAA")
            },
        )
    }

    /// `SRV` records of `name`, in the order clients use them: lowest priority first, then
    /// highest weight.
    pub async fn srv(&self, name: &str) -> Result<Vec<Srv>, DnsFailure> {
        let mut v: Vec<Srv> = self
            .records(name, RecordType::SRV)
            .await?
            .into_iter()
            .filter_map(|r| match &r.data {
                RData::SRV(s) => Some(Srv {
                    priority: s.priority,
                    weight: s.weight,
                    port: s.port,
                    target: name_text(&s.target),
                }),
                _ => None,
            })
            .collect();
        if v.is_empty() {
            return Err(DnsFailure::NoRecords("SRV"));
        }
        v.sort_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then(b.weight.cmp(&a.weight))
                .then(a.target.cmp(&b.target))
        });
        Ok(v)
    }
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// `--connect-to HOST1:PORT1:HOST2:PORT2` (curl): a connection to HOST1:PORT1 goes to
/// HOST2:PORT2 instead. An empty HOST1 or PORT1 matches any; an empty HOST2 or PORT2 keeps the
/// original. TLS still checks the certificate against the name in the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    /// Host to match (any when `None`), lower case.
    pub host: Option<String>,
    /// Port to match (any when `None`).
    pub port: Option<u16>,
    /// Host to connect to instead (the same when `None`).
    pub to_host: Option<String>,
    /// Port to connect to instead (the same when `None`).
    pub to_port: Option<u16>,
}

/// `--resolve HOST:PORT:ADDR[,ADDR...]` (curl): HOST (or `*`) on PORT resolves to these
/// addresses without asking DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveTo {
    /// Host to match, lower case (`*`: any).
    pub host: String,
    /// Port to match.
    pub port: u16,
    /// The addresses.
    pub addrs: Vec<IpAddr>,
}

/// Splits `a:b:c` where parts may be bracketed IPv6 literals.
fn split_fields(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c)
            }
            ']' => {
                depth -= 1;
                cur.push(c)
            }
            ':' if depth == 0 => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A host as it is compared: lower case, an IPv6 literal without brackets.
pub fn normalize_host(h: &str) -> String {
    unbracket(h)
}

fn unbracket(s: &str) -> String {
    s.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

fn port_field(s: &str, what: &str) -> Result<Option<u16>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<u16>()
        .map(Some)
        .map_err(|_| format!("{what} {s:?} is not a port number (0-65535)"))
}

/// A host as curl's syntax writes it: an IPv6 literal in brackets.
fn bracket(h: &str) -> String {
    if h.contains(':') {
        format!("[{h}]")
    } else {
        h.to_owned()
    }
}

impl std::fmt::Display for ConnectTo {
    /// `HOST1:PORT1:HOST2:PORT2`, as given (and as curl reads it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let h = |h: &Option<String>| h.as_deref().map(bracket).unwrap_or_default();
        let p = |p: &Option<u16>| p.map(|p| p.to_string()).unwrap_or_default();
        write!(
            f,
            "{}:{}:{}:{}",
            h(&self.host),
            p(&self.port),
            h(&self.to_host),
            p(&self.to_port)
        )
    }
}

impl std::fmt::Display for ResolveTo {
    /// `HOST:PORT:ADDR[,ADDR...]`, as given (and as curl reads it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let addrs: Vec<String> = self.addrs.iter().map(|a| bracket(&a.to_string())).collect();
        write!(f, "{}:{}:{}", self.host, self.port, addrs.join(","))
    }
}

impl std::str::FromStr for ConnectTo {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let f = split_fields(s);
        if f.len() != 4 {
            return Err(format!(
                "{s:?}: expected HOST1:PORT1:HOST2:PORT2 (parts may be empty)"
            ));
        }
        let host = |x: &str| (!x.is_empty()).then(|| unbracket(x));
        Ok(ConnectTo {
            host: host(&f[0]),
            port: port_field(&f[1], "PORT1")?,
            to_host: host(&f[2]),
            to_port: port_field(&f[3], "PORT2")?,
        })
    }
}

impl std::str::FromStr for ResolveTo {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let f = split_fields(s);
        if f.len() < 3 {
            return Err(format!("{s:?}: expected HOST:PORT:ADDR[,ADDR...]"));
        }
        let port = port_field(&f[1], "PORT")?.ok_or_else(|| format!("{s:?}: PORT is empty"))?;
        // An IPv6 address may come unbracketed after the port; rejoin what remains.
        let rest = f[2..].join(":");
        let addrs = rest
            .split(',')
            .map(|a| {
                unbracket(a.trim())
                    .parse::<IpAddr>()
                    .map_err(|_| format!("{s:?}: {a:?} is not an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ResolveTo {
            host: unbracket(&f[0]),
            port,
            addrs,
        })
    }
}

/// DNS plus the user's overrides: where a connection to a host and port really goes.
#[derive(Debug, Clone)]
pub struct Routing {
    /// The DNS client.
    pub dns: Dns,
    /// `--connect-to` rules, first match wins.
    pub connect_to: Vec<ConnectTo>,
    /// `--resolve` rules, first match wins.
    pub resolve: Vec<ResolveTo>,
}

impl Routing {
    /// Routing through `dns` without overrides.
    pub fn new(dns: Dns) -> Routing {
        Routing {
            dns,
            connect_to: vec![],
            resolve: vec![],
        }
    }

    /// Where a connection to `host:port` goes after `--connect-to`: the host to resolve and
    /// the port to connect to.
    pub fn target(&self, host: &str, port: u16) -> (String, u16) {
        let h = unbracket(host);
        for r in &self.connect_to {
            if r.host.as_ref().is_none_or(|x| *x == h) && r.port.is_none_or(|p| p == port) {
                return (r.to_host.clone().unwrap_or(h), r.to_port.unwrap_or(port));
            }
        }
        (h, port)
    }

    /// The addresses of `host` for a connection on `port`, after `--resolve` (DNS is not
    /// asked when a rule matches; an IP literal is its own address).
    pub async fn addresses(&self, host: &str, port: u16) -> Result<Addresses, DnsFailure> {
        let h = unbracket(host);
        if let Ok(ip) = h.parse::<IpAddr>() {
            return Ok(Addresses {
                aliases: vec![],
                ips: vec![ip],
            });
        }
        if let Some(r) = self
            .resolve
            .iter()
            .find(|r| (r.host == h || r.host == "*") && r.port == port)
        {
            return Ok(Addresses {
                aliases: vec![],
                ips: r.addrs.clone(),
            });
        }
        self.dns.addresses(&h).await
    }

    /// Every socket address a connection to `host:port` tries, after all overrides.
    pub async fn socket_addrs(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, DnsFailure> {
        let (h, p) = self.target(host, port);
        let a = self.addresses(&h, p).await?;
        Ok(a.ips.into_iter().map(|ip| SocketAddr::new(ip, p)).collect())
    }
}

impl Routing {
    /// Whether any `--connect-to` or `--resolve` rule is set.
    pub fn has_overrides(&self) -> bool {
        !self.connect_to.is_empty() || !self.resolve.is_empty()
    }

    /// The overrides as one line for a report's context (`None` without any), in the
    /// command-line syntax they were given in.
    pub fn describe(&self) -> Option<String> {
        if !self.has_overrides() {
            return None;
        }
        let mut parts: Vec<String> = self
            .connect_to
            .iter()
            .map(|c| format!("--connect-to {c}"))
            .collect();
        parts.extend(self.resolve.iter().map(|r| format!("--resolve {r}")));
        Some(parts.join(" "))
    }
}

/// Opens a TCP connection for a request to `host:port`: through `routing` (its DNS and every
/// override) when given, else through the system resolver. Each address is tried in turn
/// within `timeout`; the error names the address tried last.
pub async fn connect(
    routing: Option<&Routing>,
    host: &str,
    port: u16,
    timeout: Duration,
) -> std::io::Result<tokio::net::TcpStream> {
    use std::io::{Error, ErrorKind};
    let host = unbracket(host);
    let resolve = async {
        match routing {
            Some(r) => r
                .socket_addrs(&host, port)
                .await
                .map_err(|e| Error::new(ErrorKind::NotFound, format!("{host}: {e}"))),
            None => match host.parse::<IpAddr>() {
                Ok(ip) => Ok(vec![SocketAddr::new(ip, port)]),
                Err(_) => Ok(tokio::net::lookup_host((host.as_str(), port))
                    .await?
                    .collect()),
            },
        }
    };
    let addrs = tokio::time::timeout(timeout, resolve)
        .await
        .map_err(|_| Error::new(ErrorKind::TimedOut, format!("resolving {host} timed out")))??;
    let mut last = Error::new(ErrorKind::NotFound, format!("{host} has no address"));
    for a in addrs {
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(a)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Ok(Err(e)) => last = Error::new(e.kind(), format!("{a}: {e}")),
            Err(_) => last = Error::new(ErrorKind::TimedOut, format!("{a}: connection timed out")),
        }
    }
    Err(last)
}
