//! The discovery lab: everything a client meets between an e-mail address and a working
//! account, on loopback. For each domain of the fixture it publishes (as asked) the bare domain,
//! `autodiscover.<domain>`, the http GET redirect and an SRV record, in an authoritative DNS
//! server; it runs the reference server, the IMAP, POP3 and SMTP listeners the answers
//! advertise, and the web stubs the walk meets. All certificates come from one throw-away root
//! that the client trusts for the run. The lab's faults ([`LAB_FAULTS`]) break one step each.
//!
//! Names resolve to 127.0.0.1 through the lab's DNS server; the client reaches the right
//! listener through `--connect-to` rules ([`Lab::connect_to`]), because the listeners use
//! ephemeral ports rather than 443, 80, 993, 995 and 587.

use super::dns::{start_dns, DnsRecord, RunningDns, Zone};
use super::mail::{
    closed_port, start_mail, start_site, MailKind, MailListener, MailTransport, RunningListener,
    Site,
};
use super::pki::TestCa;
use super::{start, Fault, RunningServer, ServerError, ServerOptions};
use crate::fixture::Fixture;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// A fault in the discovery path or an advertised endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabFault {
    /// The SRV record names the SMTP listener's port instead of the https endpoint's.
    SrvWrongPort,
    /// The bare domain has an address and serves https with a certificate for another name.
    BareDomainWrongCert,
    /// The http GET redirect names a plain http URL.
    GetRedirectHttp,
    /// The SMTP endpoint speaks implicit TLS while the answer says STARTTLS (Encryption TLS).
    SmtpImplicitTls,
    /// The POP3 endpoint refuses connections.
    PopRefuses,
    /// The IMAP endpoint presents a (trusted) certificate for another name.
    ImapWrongCert,
    /// The SMTP endpoint offers no AUTH in its EHLO reply although the answer says
    /// AuthRequired on.
    SmtpNoAuth,
    /// The SRV record points at a working endpoint in another domain.
    SrvForeignTarget,
    /// The http GET redirect names a working https endpoint in another domain.
    GetRedirectForeign,
    /// The reference server reads a mailbox's `$null` SMTP AUTH setting as enabled (the
    /// `null-as-enabled` server fault), so a mailbox the organisation disables is sent to the
    /// SMTP endpoint, which offers AUTH.
    SmtpOfferedToDisabled,
}

/// The other domain the foreign faults lead to: a hosting provider's shared name, with an
/// address and a certificate valid for it, so that only the domain is wrong.
pub const FOREIGN_HOST: &str = "autodiscover.hosting.example";

/// A lab fault's definition.
#[derive(Debug, Clone, Copy)]
pub struct LabFaultDef {
    /// The fault.
    pub fault: LabFault,
    /// Name for `discover --fault`.
    pub name: &'static str,
    /// What is wrong.
    pub description: &'static str,
    /// Rules of which at least one must fail for the fault to count as detected.
    pub detected_by: &'static [&'static str],
    /// Only `--probe-endpoints` can see it.
    pub needs_probe: bool,
}

/// Every lab fault.
pub static LAB_FAULTS: &[LabFaultDef] = &[
    LabFaultDef {
        fault: LabFault::SrvWrongPort,
        name: "srv-wrong-port",
        description:
            "the SRV record points at the SMTP listener's port instead of the https endpoint",
        detected_by: &["POX-DISC-005"],
        needs_probe: false,
    },
    LabFaultDef {
        fault: LabFault::BareDomainWrongCert,
        name: "bare-domain-wrong-cert",
        description: "the bare domain serves https with a certificate for www.hosting.example",
        detected_by: &["POX-DISC-003"],
        needs_probe: false,
    },
    LabFaultDef {
        fault: LabFault::GetRedirectHttp,
        name: "get-redirect-http",
        description: "the http GET probe redirects to a plain http URL",
        detected_by: &["POX-DISC-006"],
        needs_probe: false,
    },
    LabFaultDef {
        fault: LabFault::SmtpImplicitTls,
        name: "smtp-implicit-tls",
        description:
            "the SMTP endpoint does implicit TLS where the answer says STARTTLS (Encryption TLS)",
        detected_by: &["POX-ENDP-002"],
        needs_probe: true,
    },
    LabFaultDef {
        fault: LabFault::PopRefuses,
        name: "pop-refuses",
        description: "the advertised POP3 endpoint refuses connections",
        detected_by: &["POX-ENDP-001"],
        needs_probe: true,
    },
    LabFaultDef {
        fault: LabFault::ImapWrongCert,
        name: "imap-wrong-cert",
        description: "the IMAP endpoint presents a trusted certificate for imap.hosting.example, not the Server name the answer gives",
        detected_by: &["POX-ENDP-003"],
        needs_probe: true,
    },
    LabFaultDef {
        fault: LabFault::SmtpNoAuth,
        name: "smtp-no-auth",
        description: "the SMTP endpoint's EHLO reply offers no AUTH although the answer says AuthRequired on",
        detected_by: &["POX-ENDP-004"],
        needs_probe: true,
    },
    LabFaultDef {
        fault: LabFault::SrvForeignTarget,
        name: "srv-foreign-target",
        description: "the SRV record points at autodiscover.hosting.example, a working endpoint outside the mailbox's domain",
        detected_by: &["POX-DISC-004"],
        needs_probe: false,
    },
    LabFaultDef {
        fault: LabFault::GetRedirectForeign,
        name: "get-redirect-foreign",
        description: "the http GET probe redirects to https://autodiscover.hosting.example, a working endpoint outside the mailbox's domain",
        detected_by: &["POX-DISC-004"],
        needs_probe: false,
    },
    LabFaultDef {
        fault: LabFault::SmtpOfferedToDisabled,
        name: "smtp-offered-to-disabled",
        description: "the server reads a $null SmtpClientAuthenticationDisabled as enabled, so dana@contoso.com (disabled by the organisation) is sent to an SMTP endpoint that offers AUTH",
        detected_by: &["POX-ENDP-005"],
        needs_probe: true,
    },
];

impl LabFault {
    /// The definition.
    pub fn def(self) -> &'static LabFaultDef {
        LAB_FAULTS
            .iter()
            .find(|d| d.fault == self)
            .expect("every lab fault is catalogued")
    }

    /// The fault named `name`.
    pub fn from_name(name: &str) -> Option<LabFault> {
        LAB_FAULTS.iter().find(|d| d.name == name).map(|d| d.fault)
    }
}

/// Which discovery methods the lab publishes for each domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publish {
    /// `https://<domain>/…` answers Autodiscover (the bare domain has an address).
    pub bare_domain: bool,
    /// `https://autodiscover.<domain>/…` answers Autodiscover.
    pub autodiscover_host: bool,
    /// `http://autodiscover.<domain>/…` redirects to `https://mail.<domain>:PORT/…`.
    pub get_redirect: bool,
    /// `_autodiscover._tcp.<domain>` points at `mail.<domain>` on the https port.
    pub srv: bool,
}

impl Publish {
    /// What a well-run domain publishes: no address on the bare domain, the autodiscover host,
    /// the GET redirect and the SRV record.
    pub const FULL: Publish = Publish {
        bare_domain: false,
        autodiscover_host: true,
        get_redirect: true,
        srv: true,
    };
    /// Nothing at all.
    pub const NONE: Publish = Publish {
        bare_domain: false,
        autodiscover_host: false,
        get_redirect: false,
        srv: false,
    };
}

/// How to build a lab.
#[derive(Debug, Clone)]
pub struct LabOptions {
    /// The mailboxes (their domains are published).
    pub fixture: Fixture,
    /// What is published.
    pub publish: Publish,
    /// Faults.
    pub faults: Vec<LabFault>,
}

/// A running lab. Dropping it does not stop it; call [`Lab::shutdown`].
pub struct Lab {
    /// The DNS server (UDP and TCP).
    pub dns: SocketAddr,
    /// The root certificate (DER) every listener's certificate chains to.
    pub root_der: Vec<u8>,
    /// `--connect-to` rules (`HOST:PORT::LOOPBACK_PORT`) that take each published name and
    /// well-known port to its listener.
    pub connect_to: Vec<String>,
    /// The zones served, for showing.
    pub zones: Vec<Zone>,
    /// The reference server.
    pub server: RunningServer,
    dns_server: RunningDns,
    listeners: Vec<RunningListener>,
}

impl Lab {
    /// Stops every listener.
    pub fn shutdown(&self) {
        self.server.shutdown();
        self.dns_server.shutdown();
        for l in &self.listeners {
            l.shutdown();
        }
    }
}

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The domains of a fixture's mailboxes, in first-seen order.
pub fn fixture_domains(f: &Fixture) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for m in &f.mailboxes {
        if let Some((_, d)) = m.address().rsplit_once('@') {
            let d = d.to_ascii_lowercase();
            if !v.contains(&d) {
                v.push(d);
            }
        }
    }
    v
}

/// Starts a lab.
pub async fn start_lab(options: LabOptions) -> Result<Lab, ServerError> {
    let ca = TestCa::new()?;
    let domains = fixture_domains(&options.fixture);
    let has = |f: LabFault| options.faults.contains(&f);
    let names =
        |prefix: &str| -> Vec<String> { domains.iter().map(|d| format!("{prefix}{d}")).collect() };

    let mut https_names = names("autodiscover.");
    https_names.extend(names("mail."));
    if options.publish.bare_domain {
        https_names.extend(domains.iter().cloned());
    }
    let foreign = has(LabFault::SrvForeignTarget) || has(LabFault::GetRedirectForeign);
    if foreign {
        https_names.push(FOREIGN_HOST.to_owned());
    }
    https_names.extend(["localhost".to_owned(), "127.0.0.1".to_owned()]);
    let mut server_faults = Vec::new();
    if has(LabFault::SmtpOfferedToDisabled) {
        server_faults.push(Fault::NullAsEnabled);
    }
    let server = start(ServerOptions {
        fixture: options.fixture.clone(),
        identity: Some(ca.issue(&refs(&https_names))?),
        faults: server_faults,
        ..ServerOptions::local()
    })
    .await?;
    let https_port = server_port(&server.https_base);

    let mut listeners = Vec::new();
    let mut connect_to = Vec::new();
    let closed = closed_port(LOOPBACK).await?.port();
    let mail = |kind, transport, prefix: &str| -> Result<MailListener, ServerError> {
        Ok(MailListener {
            kind,
            transport,
            host: format!("{prefix}{}", domains.first().map_or("", String::as_str)),
            identity: ca.issue(&refs(&names(prefix)))?,
            offer_auth: true,
        })
    };
    let mut imap_config = mail(MailKind::Imap, MailTransport::ImplicitTls, "imap.")?;
    if has(LabFault::ImapWrongCert) {
        imap_config.identity = ca.issue(&["imap.hosting.example"])?;
    }
    let imap = start_mail(LOOPBACK, imap_config).await?;
    let pop = start_mail(
        LOOPBACK,
        mail(MailKind::Pop3, MailTransport::ImplicitTls, "pop.")?,
    )
    .await?;
    let smtp_transport = if has(LabFault::SmtpImplicitTls) {
        MailTransport::ImplicitTls
    } else {
        MailTransport::StartTls
    };
    let mut smtp_config = mail(MailKind::Smtp, smtp_transport, "smtp.")?;
    smtp_config.offer_auth = !has(LabFault::SmtpNoAuth);
    let smtp = start_mail(LOOPBACK, smtp_config).await?;
    let pop_port = if has(LabFault::PopRefuses) {
        closed
    } else {
        pop.addr.port()
    };
    let wrong_cert = if options.publish.bare_domain || has(LabFault::BareDomainWrongCert) {
        Some(start_site(LOOPBACK, Site::Https(ca.issue(&["www.hosting.example"])?)).await?)
    } else {
        None
    };

    let mut zones = Vec::new();
    for (i, d) in domains.iter().enumerate() {
        let mut records = vec![
            DnsRecord::address(&format!("mail.{d}"), LOOPBACK),
            DnsRecord::address(&format!("imap.{d}"), LOOPBACK),
            DnsRecord::address(&format!("pop.{d}"), LOOPBACK),
            DnsRecord::address(&format!("smtp.{d}"), LOOPBACK),
        ];
        connect_to.push(format!("imap.{d}:993::{}", imap.addr.port()));
        connect_to.push(format!("pop.{d}:995::{pop_port}"));
        connect_to.push(format!("smtp.{d}:587::{}", smtp.addr.port()));

        if options.publish.bare_domain || has(LabFault::BareDomainWrongCert) {
            records.push(DnsRecord::address(d, LOOPBACK));
            let port = match (&wrong_cert, has(LabFault::BareDomainWrongCert)) {
                (Some(w), true) => w.addr.port(),
                _ => https_port,
            };
            connect_to.push(format!("{d}:443::{port}"));
        }
        let ad = format!("autodiscover.{d}");
        if options.publish.autodiscover_host || options.publish.get_redirect {
            // The second domain reaches the shared host through an alias, as hosted domains do.
            if i > 0 && options.publish.autodiscover_host {
                records.push(DnsRecord::cname(
                    &ad,
                    &format!("autodiscover.{}", domains[0]),
                ));
            } else {
                records.push(DnsRecord::address(&ad, LOOPBACK));
            }
        }
        let https_target = if options.publish.autodiscover_host {
            https_port
        } else {
            closed
        };
        connect_to.push(format!("{ad}:443::{https_target}"));
        let http_target = if options.publish.get_redirect {
            let location = if has(LabFault::GetRedirectHttp) {
                format!("http://{ad}/autodiscover/autodiscover.xml")
            } else if has(LabFault::GetRedirectForeign) {
                format!("https://{FOREIGN_HOST}:{https_port}/autodiscover/autodiscover.xml")
            } else {
                format!("https://mail.{d}:{https_port}/autodiscover/autodiscover.xml")
            };
            let s = start_site(LOOPBACK, Site::Redirect { location }).await?;
            let p = s.addr.port();
            listeners.push(s);
            p
        } else {
            closed
        };
        connect_to.push(format!("{ad}:80::{http_target}"));
        if options.publish.srv {
            let port = if has(LabFault::SrvWrongPort) {
                smtp.addr.port()
            } else {
                https_port
            };
            let target = if has(LabFault::SrvForeignTarget) {
                FOREIGN_HOST.to_owned()
            } else {
                format!("mail.{d}")
            };
            records.push(DnsRecord::srv(
                &format!("_autodiscover._tcp.{d}"),
                0,
                10,
                port,
                &target,
            ));
        }
        zones.push(Zone {
            origin: d.clone(),
            records,
        });
    }
    if foreign {
        let origin = FOREIGN_HOST
            .split_once('.')
            .map_or(FOREIGN_HOST, |(_, o)| o);
        zones.push(Zone {
            origin: origin.to_owned(),
            records: vec![DnsRecord::address(FOREIGN_HOST, LOOPBACK)],
        });
    }
    let dns_server = start_dns(LOOPBACK, &zones).await?;
    listeners.extend([imap, pop, smtp]);
    listeners.extend(wrong_cert);
    Ok(Lab {
        dns: dns_server.addr,
        root_der: ca.root_der(),
        connect_to,
        zones,
        server,
        dns_server,
        listeners,
    })
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn server_port(base: &str) -> u16 {
    base.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(443)
}
