//! An authoritative DNS server on loopback (hickory-server), so that discovery can be walked
//! with real DNS queries: `A`, `AAAA`, `CNAME` and `SRV` records in one or more zones, served
//! over UDP and TCP on the same port.

use super::ServerError;
use hickory_server::proto::rr::rdata::{A, AAAA, CNAME, SOA, SRV};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// One record the server answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsRecord {
    /// An address record (`A` for IPv4, `AAAA` for IPv6).
    Address {
        /// Owner name, e.g. `autodiscover.contoso.com`.
        name: String,
        /// The address.
        addr: IpAddr,
    },
    /// An alias.
    Cname {
        /// Owner name.
        name: String,
        /// The canonical name it points to.
        target: String,
    },
    /// A service record.
    Srv {
        /// Owner name, e.g. `_autodiscover._tcp.contoso.com`.
        name: String,
        /// Lower is tried first.
        priority: u16,
        /// Share among records of equal priority.
        weight: u16,
        /// TCP port.
        port: u16,
        /// Target host.
        target: String,
    },
}

impl DnsRecord {
    /// `name A|AAAA addr`.
    pub fn address(name: &str, addr: impl Into<IpAddr>) -> DnsRecord {
        DnsRecord::Address {
            name: name.to_owned(),
            addr: addr.into(),
        }
    }

    /// `name CNAME target`.
    pub fn cname(name: &str, target: &str) -> DnsRecord {
        DnsRecord::Cname {
            name: name.to_owned(),
            target: target.to_owned(),
        }
    }

    /// `name SRV priority weight port target`.
    pub fn srv(name: &str, priority: u16, weight: u16, port: u16, target: &str) -> DnsRecord {
        DnsRecord::Srv {
            name: name.to_owned(),
            priority,
            weight,
            port,
            target: target.to_owned(),
        }
    }

    /// The owner name.
    pub fn name(&self) -> &str {
        match self {
            DnsRecord::Address { name, .. }
            | DnsRecord::Cname { name, .. }
            | DnsRecord::Srv { name, .. } => name,
        }
    }
}

impl std::fmt::Display for DnsRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DnsRecord::Address { name, addr } => {
                let t = if addr.is_ipv4() { "A" } else { "AAAA" };
                write!(f, "{name} {t} {addr}")
            }
            DnsRecord::Cname { name, target } => write!(f, "{name} CNAME {target}"),
            DnsRecord::Srv {
                name,
                priority,
                weight,
                port,
                target,
            } => write!(f, "{name} SRV {priority} {weight} {port} {target}"),
        }
    }
}

/// A zone: its origin (e.g. `contoso.com`) and its records. Records whose name is outside the
/// origin are refused when the server starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// The zone's apex.
    pub origin: String,
    /// The records.
    pub records: Vec<DnsRecord>,
}

/// A running DNS server. Dropping it does not stop it; call [`RunningDns::shutdown`].
pub struct RunningDns {
    /// The address both the UDP and the TCP listener use.
    pub addr: SocketAddr,
    stop: Box<dyn Fn() + Send + Sync>,
}

impl RunningDns {
    /// Stops both listeners.
    pub fn shutdown(&self) {
        (self.stop)();
    }
}

fn fqdn(name: &str) -> Result<Name, ServerError> {
    let mut n = Name::from_ascii(name.trim_end_matches('.'))
        .map_err(|e| ServerError::Dns(format!("{name:?} is not a DNS name: {e}")))?;
    n.set_fqdn(true);
    Ok(n)
}

fn zone_handler(zone: &Zone) -> Result<InMemoryZoneHandler, ServerError> {
    let origin = fqdn(&zone.origin)?;
    let mut h = InMemoryZoneHandler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
    let serial = 1;
    let soa = SOA::new(
        fqdn(&format!("ns.{}", zone.origin))?,
        fqdn(&format!("hostmaster.{}", zone.origin))?,
        serial,
        3600,
        600,
        86400,
        60,
    );
    h.upsert_mut(
        Record::from_rdata(origin.clone(), 60, RData::SOA(soa)),
        serial,
    );
    for r in &zone.records {
        let name = fqdn(r.name())?;
        if !origin.zone_of(&name) {
            return Err(ServerError::Dns(format!(
                "{} is outside the zone {}",
                r.name(),
                zone.origin
            )));
        }
        let data = match r {
            DnsRecord::Address {
                addr: IpAddr::V4(a),
                ..
            } => RData::A(A(*a)),
            DnsRecord::Address {
                addr: IpAddr::V6(a),
                ..
            } => RData::AAAA(AAAA(*a)),
            DnsRecord::Cname { target, .. } => RData::CNAME(CNAME(fqdn(target)?)),
            DnsRecord::Srv {
                priority,
                weight,
                port,
                target,
                ..
            } => RData::SRV(SRV::new(*priority, *weight, *port, fqdn(target)?)),
        };
        if !h.upsert_mut(Record::from_rdata(name, 60, data), serial) {
            return Err(ServerError::Dns(format!("cannot add {r}")));
        }
    }
    Ok(h)
}

/// Starts an authoritative server for `zones` on `ip` (UDP and TCP on one ephemeral port).
pub async fn start_dns(ip: IpAddr, zones: &[Zone]) -> Result<RunningDns, ServerError> {
    let mut catalog = Catalog::new();
    for z in zones {
        let h = zone_handler(z)?;
        catalog.upsert(LowerName::new(&fqdn(&z.origin)?), vec![Arc::new(h)]);
    }
    // UDP first on an ephemeral port, then TCP on the same number; another process may hold
    // that TCP port, so try a few times.
    let mut catalog = Some(catalog);
    let mut last = None;
    for _ in 0..16 {
        let udp = tokio::net::UdpSocket::bind(SocketAddr::new(ip, 0))
            .await
            .map_err(|source| ServerError::Bind {
                addr: SocketAddr::new(ip, 0),
                source,
            })?;
        let addr = udp.local_addr().map_err(|source| ServerError::Bind {
            addr: SocketAddr::new(ip, 0),
            source,
        })?;
        match tokio::net::TcpListener::bind(addr).await {
            Ok(tcp) => {
                let mut server = hickory_server::Server::new(catalog.take().expect("used once"));
                server.register_socket(udp);
                server.register_listener(tcp, Duration::from_secs(5), 64 * 1024);
                let cancel = server.shutdown_token().clone();
                tokio::spawn(async move {
                    let _ = server.block_until_done().await;
                });
                return Ok(RunningDns {
                    addr,
                    stop: Box::new(move || cancel.cancel()),
                });
            }
            Err(source) => last = Some(ServerError::Bind { addr, source }),
        }
    }
    Err(last.expect("the loop ran"))
}
