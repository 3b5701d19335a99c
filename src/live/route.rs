//! Where a connection for a URL's host and port really goes: curl's `--connect-to` and
//! `--resolve`, with curl's syntax and meaning. They only choose the socket address; the host
//! name sent (Host header, TLS SNI) and the name the certificate is checked against stay the
//! URL's.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::TcpStream;

/// `--connect-to HOST1:PORT1:HOST2:PORT2`: a request for HOST1:PORT1 connects to HOST2:PORT2.
/// An empty HOST1 or PORT1 matches any host or port; an empty HOST2 or PORT2 keeps the
/// request's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    /// Host to match (lower case, IPv6 without brackets); `None`: any.
    pub host: Option<String>,
    /// Port to match; `None`: any.
    pub port: Option<u16>,
    /// Host to connect to instead; `None`: the request's.
    pub to_host: Option<String>,
    /// Port to connect to instead; `None`: the request's.
    pub to_port: Option<u16>,
}

/// `--resolve HOST:PORT:ADDR[,ADDR...]`: connections to HOST:PORT use these addresses instead
/// of DNS. HOST `*` matches every host; a leading `+` (curl's "expire later") is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    /// Host to match (lower case, IPv6 without brackets); `None` for `*`.
    pub host: Option<String>,
    /// Port to match.
    pub port: u16,
    /// Addresses to use, in order.
    pub addrs: Vec<IpAddr>,
}

/// Why a `--connect-to` or `--resolve` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The value does not have the four (connect-to) or three (resolve) colon-separated parts.
    #[error("{value:?}: expected {expected}")]
    Shape {
        /// The value given.
        value: String,
        /// The syntax expected.
        expected: &'static str,
    },
    /// A port is not a number from 1 to 65535.
    #[error("{value:?}: {port:?} is not a port (1-65535)")]
    Port {
        /// The value given.
        value: String,
        /// The offending part.
        port: String,
    },
    /// An address given to --resolve is not an IP address.
    #[error("{value:?}: {addr:?} is not an IP address")]
    Address {
        /// The value given.
        value: String,
        /// The offending part.
        addr: String,
    },
}

/// Splits `s` at colons that are not inside `[...]` (IPv6 literals).
fn split_colons(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ':' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// A host as it is compared: lower case, IPv6 literal without brackets.
pub fn normalize_host(h: &str) -> String {
    h.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

fn port(value: &str, p: &str) -> Result<u16, RouteError> {
    p.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| RouteError::Port {
            value: value.to_owned(),
            port: p.to_owned(),
        })
}

impl std::str::FromStr for ConnectTo {
    type Err = RouteError;

    fn from_str(value: &str) -> Result<Self, RouteError> {
        let parts = split_colons(value);
        let [h1, p1, h2, p2] = parts[..] else {
            return Err(RouteError::Shape {
                value: value.to_owned(),
                expected: "HOST1:PORT1:HOST2:PORT2 (any part may be empty; IPv6 in brackets)",
            });
        };
        let opt_host = |h: &str| (!h.is_empty()).then(|| normalize_host(h));
        let opt_port = |p: &str| (!p.is_empty()).then(|| port(value, p)).transpose();
        Ok(ConnectTo {
            host: opt_host(h1),
            port: opt_port(p1)?,
            to_host: opt_host(h2),
            to_port: opt_port(p2)?,
        })
    }
}

impl std::str::FromStr for Resolve {
    type Err = RouteError;

    fn from_str(value: &str) -> Result<Self, RouteError> {
        let body = value.strip_prefix('+').unwrap_or(value);
        let parts = split_colons(body);
        let shape = || RouteError::Shape {
            value: value.to_owned(),
            expected: "HOST:PORT:ADDR[,ADDR...] (HOST may be *; IPv6 in brackets)",
        };
        let [host, p, addrs] = parts[..] else {
            return Err(shape());
        };
        if host.is_empty() || addrs.is_empty() {
            return Err(shape());
        }
        let addrs = addrs
            .split(',')
            .map(|a| {
                normalize_host(a.trim())
                    .parse::<IpAddr>()
                    .map_err(|_| RouteError::Address {
                        value: value.to_owned(),
                        addr: a.to_owned(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Resolve {
            host: (host != "*").then(|| normalize_host(host)),
            port: port(value, p)?,
            addrs,
        })
    }
}

/// The connect-to and resolve rules of a run, applied in the order given (first match wins,
/// as in curl).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes {
    /// `--connect-to` rules.
    pub connect_to: Vec<ConnectTo>,
    /// `--resolve` rules.
    pub resolve: Vec<Resolve>,
}

impl Routes {
    /// Whether no rule is set (connections go where DNS says).
    pub fn is_empty(&self) -> bool {
        self.connect_to.is_empty() && self.resolve.is_empty()
    }

    /// The host and port a request for `host:port` connects to (after `--connect-to`).
    pub fn target(&self, host: &str, port: u16) -> (String, u16) {
        let host = normalize_host(host);
        for c in &self.connect_to {
            if c.host.as_ref().is_none_or(|h| *h == host) && c.port.is_none_or(|p| p == port) {
                return (c.to_host.clone().unwrap_or(host), c.to_port.unwrap_or(port));
            }
        }
        (host, port)
    }

    /// The socket addresses for `host:port` (already mapped by [`Routes::target`]): a
    /// `--resolve` entry, an IP literal, or DNS.
    pub async fn addresses(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        let host = normalize_host(host);
        if let Some(r) = self
            .resolve
            .iter()
            .find(|r| r.port == port && r.host.as_ref().is_none_or(|h| *h == host))
        {
            return Ok(r.addrs.iter().map(|a| SocketAddr::new(*a, port)).collect());
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await?
            .collect();
        Ok(found)
    }

    /// Opens a TCP connection for a request to `host:port`, trying each address in turn within
    /// `timeout` each; the error names the address tried last.
    pub async fn connect(
        &self,
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> std::io::Result<TcpStream> {
        let (to_host, to_port) = self.target(host, port);
        let addrs = tokio::time::timeout(timeout, self.addresses(&to_host, to_port))
            .await
            .map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("resolving {to_host} timed out"),
                )
            })??;
        let mut last = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{to_host} has no address"),
        );
        for a in addrs {
            match tokio::time::timeout(timeout, TcpStream::connect(a)).await {
                Ok(Ok(s)) => {
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Ok(Err(e)) => last = std::io::Error::new(e.kind(), format!("{a}: {e}")),
                Err(_) => {
                    last = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("{a}: connection timed out"),
                    )
                }
            }
        }
        Err(last)
    }

    /// One line for the report context, e.g. `connect-to a.test:443:127.0.0.1:8443`.
    pub fn describe(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let h = |h: &Option<String>| {
            h.as_deref()
                .map(|h| {
                    if h.contains(':') {
                        format!("[{h}]")
                    } else {
                        h.to_owned()
                    }
                })
                .unwrap_or_default()
        };
        let p = |p: &Option<u16>| p.map(|p| p.to_string()).unwrap_or_default();
        let mut parts: Vec<String> = self
            .connect_to
            .iter()
            .map(|c| {
                format!(
                    "--connect-to {}:{}:{}:{}",
                    h(&c.host),
                    p(&c.port),
                    h(&c.to_host),
                    p(&c.to_port)
                )
            })
            .collect();
        parts.extend(self.resolve.iter().map(|r| {
            let addrs: Vec<String> = r
                .addrs
                .iter()
                .map(|a| match a {
                    IpAddr::V6(v6) => format!("[{v6}]"),
                    IpAddr::V4(v4) => v4.to_string(),
                })
                .collect();
            format!(
                "--resolve {}:{}:{}",
                r.host
                    .as_deref()
                    .map_or("*".to_owned(), |x| h(&Some(x.into()))),
                r.port,
                addrs.join(",")
            )
        }));
        Some(parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_to_follows_curl_syntax() {
        let c: ConnectTo = "autodiscover.example.test:443:127.0.0.1:8443"
            .parse()
            .unwrap();
        assert_eq!(c.host.as_deref(), Some("autodiscover.example.test"));
        assert_eq!((c.port, c.to_port), (Some(443), Some(8443)));
        let any: ConnectTo = "::backend:".parse().unwrap();
        assert_eq!((any.host, any.port, any.to_port), (None, None, None));
        assert_eq!(any.to_host.as_deref(), Some("backend"));
        let v6: ConnectTo = "[::1]:443:[fe80::2]:8443".parse().unwrap();
        assert_eq!(v6.host.as_deref(), Some("::1"));
        assert_eq!(v6.to_host.as_deref(), Some("fe80::2"));
        assert!("a:443:b".parse::<ConnectTo>().is_err());
        assert!(matches!(
            "a:0:b:1".parse::<ConnectTo>(),
            Err(RouteError::Port { .. })
        ));
        assert!(matches!(
            "a:x:b:1".parse::<ConnectTo>(),
            Err(RouteError::Port { .. })
        ));
    }

    #[test]
    fn resolve_follows_curl_syntax() {
        let r: Resolve = "Example.test:443:127.0.0.1,[::1]".parse().unwrap();
        assert_eq!(r.host.as_deref(), Some("example.test"));
        assert_eq!(r.addrs.len(), 2);
        let star: Resolve = "+*:80:127.0.0.2".parse().unwrap();
        assert_eq!((star.host, star.port), (None, 80));
        assert!(matches!(
            "a:443:not-an-ip".parse::<Resolve>(),
            Err(RouteError::Address { .. })
        ));
        assert!("a:443".parse::<Resolve>().is_err());
        assert!("a:443:".parse::<Resolve>().is_err());
    }

    #[test]
    fn first_matching_connect_to_wins_and_empty_parts_keep_the_request_s() {
        let routes = Routes {
            connect_to: vec![
                "a.test:443::8443".parse().unwrap(),
                ":443:b.test:".parse().unwrap(),
            ],
            resolve: vec![],
        };
        assert_eq!(routes.target("A.test", 443), ("a.test".into(), 8443));
        assert_eq!(routes.target("c.test", 443), ("b.test".into(), 443));
        assert_eq!(routes.target("c.test", 80), ("c.test".into(), 80));
    }

    #[tokio::test]
    async fn resolve_applies_to_the_connect_to_target_and_matches_the_port() {
        let routes = Routes {
            connect_to: vec!["a.test:443:b.test:9443".parse().unwrap()],
            resolve: vec!["b.test:9443:127.0.0.2".parse().unwrap()],
        };
        let (h, p) = routes.target("a.test", 443);
        let addrs = routes.addresses(&h, p).await.unwrap();
        assert_eq!(addrs, vec!["127.0.0.2:9443".parse().unwrap()]);
        // The resolve entry is for port 9443 only.
        let lit = routes.addresses("127.0.0.3", 80).await.unwrap();
        assert_eq!(lit, vec!["127.0.0.3:80".parse().unwrap()]);
        assert_eq!(
            routes.describe().unwrap(),
            "--connect-to a.test:443:b.test:9443 --resolve b.test:9443:127.0.0.2"
        );
    }
}
