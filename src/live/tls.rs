//! TLS inspection: one handshake that records what the server presents (chain, version, ALPN)
//! whatever its certificate, then a judgement of each property on its own (trust, name,
//! validity, protocol version), so that an expired certificate does not hide a wrong name and
//! a certificate problem becomes a finding with evidence instead of "unreachable".

use super::route::Routing;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the client trusts: the public web roots plus private CAs (`--ca-file`), or nothing at
/// all (`--insecure`: every certificate is accepted, and still judged and reported).
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Accept any certificate when connecting.
    pub insecure: bool,
    /// Extra trusted roots (DER): `--ca-file`, or the embedded server's CA.
    pub extra_roots: Vec<Vec<u8>>,
}

/// Why a CA file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A PEM block could not be decoded.
    #[error("{file}: not a PEM certificate file: {reason}")]
    Pem {
        /// The file.
        file: String,
        /// What the PEM reader said.
        reason: String,
    },
    /// The file holds no `CERTIFICATE` block.
    #[error("{file}: holds no -----BEGIN CERTIFICATE----- block")]
    Empty {
        /// The file.
        file: String,
    },
    /// A certificate in it cannot be a trust anchor.
    #[error("{file}: certificate {index} cannot be trusted: {reason}")]
    Anchor {
        /// The file.
        file: String,
        /// 1-based position in the file.
        index: usize,
        /// Why.
        reason: String,
    },
}

/// Reads every certificate of a PEM file (`--ca-file`), checking each is usable as a root.
pub fn load_ca_file(path: &std::path::Path) -> Result<Vec<Vec<u8>>, CaFileError> {
    use rustls::pki_types::pem::PemObject;
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| CaFileError::Read {
        file: file.clone(),
        source,
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CaFileError::Pem {
            file: file.clone(),
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(CaFileError::Empty { file });
    }
    for (i, der) in certs.iter().enumerate() {
        let mut store = RootCertStore::empty();
        store
            .add(CertificateDer::from(der.as_slice()))
            .map_err(|e| CaFileError::Anchor {
                file: file.clone(),
                index: i + 1,
                reason: e.to_string(),
            })?;
    }
    Ok(certs)
}

impl Trust {
    /// The webpki roots plus the extra ones.
    pub fn roots(&self) -> RootCertStore {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for der in &self.extra_roots {
            // Checked when loaded (`load_ca_file`); an unusable one is simply not an anchor.
            let _ = roots.add(CertificateDer::from(der.clone()));
        }
        roots
    }

    /// A client configuration offering `alpn`: verifying against [`Trust::roots`], or
    /// accepting anything when insecure.
    pub fn client_config(&self, alpn: &[&[u8]]) -> Result<rustls::ClientConfig, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let mut config = if self.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Recorder::new(provider)))
                .with_no_client_auth()
        } else {
            builder
                .with_root_certificates(self.roots())
                .with_no_client_auth()
        };
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(config)
    }
}

/// A verifier that accepts every certificate and keeps the chain presented. Handshake
/// signatures are still checked, so the server did prove it holds the key.
#[derive(Debug)]
pub struct Recorder {
    provider: Arc<rustls::crypto::CryptoProvider>,
    chain: Mutex<Vec<Vec<u8>>>,
}

impl Recorder {
    /// A recorder using `provider`'s signature algorithms.
    pub fn new(provider: Arc<rustls::crypto::CryptoProvider>) -> Recorder {
        Recorder {
            provider,
            chain: Mutex::new(Vec::new()),
        }
    }

    /// The chain presented last (leaf first).
    pub fn chain(&self) -> Vec<Vec<u8>> {
        self.chain.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut c) = self.chain.lock() {
            *c = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|d| d.to_vec())
                .collect();
        }
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The facts of one certificate that a person needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Subject alternative names (`DNS:` / `IP:`).
    pub sans: Vec<String>,
    /// Not before, seconds since the Unix epoch.
    pub not_before: i64,
    /// Not after, seconds since the Unix epoch.
    pub not_after: i64,
    /// Subject and issuer are the same name.
    pub self_issued: bool,
}

impl CertInfo {
    /// Reads a DER certificate.
    pub fn parse(der: &[u8]) -> Result<CertInfo, String> {
        use x509_parser::extensions::GeneralName;
        let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| e.to_string())?;
        let mut sans = Vec::new();
        if let Ok(Some(ext)) = cert.subject_alternative_name() {
            for n in &ext.value.general_names {
                sans.push(match n {
                    GeneralName::DNSName(d) => format!("DNS:{d}"),
                    GeneralName::IPAddress(b) => match b.len() {
                        4 => format!(
                            "IP:{}",
                            std::net::Ipv4Addr::from(<[u8; 4]>::try_from(*b).unwrap_or_default())
                        ),
                        16 => format!(
                            "IP:{}",
                            std::net::Ipv6Addr::from(<[u8; 16]>::try_from(*b).unwrap_or_default())
                        ),
                        _ => "IP:(malformed)".into(),
                    },
                    other => other.to_string(),
                });
            }
        }
        let subject = cert.subject().to_string();
        let issuer = cert.issuer().to_string();
        Ok(CertInfo {
            self_issued: subject == issuer,
            subject,
            issuer,
            sans,
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
        })
    }

    /// Several lines of evidence.
    pub fn describe(&self) -> String {
        format!(
            "subject: {}\nSANs: {}\nissuer: {}\nvalid: {} to {}",
            if self.subject.is_empty() {
                "(empty)"
            } else {
                &self.subject
            },
            if self.sans.is_empty() {
                "(none)".to_owned()
            } else {
                self.sans.join(", ")
            },
            self.issuer,
            utc(self.not_before),
            utc(self.not_after)
        )
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch (proleptic Gregorian, UTC).
pub fn utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// A TLS property that fails, with what shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsProblem {
    /// No trusted root vouches for the chain (unknown issuer).
    Untrusted {
        /// What the verifier said.
        reason: String,
    },
    /// The server presents a self-signed certificate that is not trusted.
    SelfSigned,
    /// The certificate does not name the URL's host.
    NameMismatch {
        /// The host checked.
        name: String,
    },
    /// A certificate of the chain is past its notAfter.
    Expired {
        /// Position in the chain (0: leaf).
        index: usize,
        /// Its notAfter.
        not_after: i64,
    },
    /// A certificate of the chain is before its notBefore.
    NotYetValid {
        /// Position in the chain (0: leaf).
        index: usize,
        /// Its notBefore.
        not_before: i64,
    },
    /// With a client offering TLS 1.2 and 1.3, the server picks an older version (or refuses).
    OldProtocol {
        /// What the server answered.
        detail: String,
    },
    /// The server accepts a client that offers only TLS 1.1 or older.
    LegacyAccepted {
        /// The version it selected.
        version: String,
    },
}

/// The outcome of the hand-rolled TLS 1.1 ClientHello probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyProbe {
    /// The server answered with a ServerHello for this version (0x0301: TLS 1.0, 0x0302: 1.1).
    Accepted(u16),
    /// The server refused (an alert, or it closed the connection).
    Refused(String),
    /// Nothing could be learned (timeout, unexpected bytes).
    Inconclusive(String),
}

/// What the modern handshake (TLS 1.2 and 1.3 offered) produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// Negotiated version, e.g. `TLSv1_3`.
    pub version: String,
    /// Negotiated ALPN protocol, if any.
    pub alpn: Option<String>,
    /// Negotiated cipher suite.
    pub cipher: String,
}

/// Everything learned about a host's TLS endpoint.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The URL's host (the name checked).
    pub host: String,
    /// The URL's port.
    pub port: u16,
    /// The modern handshake, or why it failed.
    pub handshake: Result<Handshake, String>,
    /// The chain presented (leaf first), DER.
    pub chain_der: Vec<Vec<u8>>,
    /// The chain presented, parsed (unparseable certificates are left out and noted).
    pub chain: Vec<CertInfo>,
    /// The TLS 1.1-only probe.
    pub legacy: LegacyProbe,
    /// Trust anchors used for the judgement.
    trust: Trust,
    /// When the judgement was made (seconds since the epoch).
    pub now: i64,
}

/// Why a host could not be inspected at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    /// No TCP connection could be made.
    #[error("cannot connect to {host}:{port}: {reason}")]
    Connect {
        /// The URL's host.
        host: String,
        /// The URL's port.
        port: u16,
        /// Why.
        reason: String,
    },
    /// The URL has no host, or it is not a valid TLS server name.
    #[error("{0:?} is not a host name a certificate can be checked against")]
    BadName(String),
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Connects to `host:port` (through `routing`, the system resolver when `None`), completes a TLS 1.2/1.3 handshake offering
/// `alpn` whatever the certificate, and sends a TLS 1.1-only ClientHello on a second
/// connection; `timeout` bounds each step.
pub async fn inspect(
    host: &str,
    port: u16,
    routing: Option<&Routing>,
    trust: &Trust,
    alpn: &[&[u8]],
    timeout: Duration,
) -> Result<Inspection, InspectError> {
    let name_str = super::route::normalize_host(host);
    let server_name = ServerName::try_from(name_str.clone())
        .map_err(|_| InspectError::BadName(host.to_owned()))?;
    let connect_err = |e: std::io::Error| InspectError::Connect {
        host: name_str.clone(),
        port,
        reason: e.to_string(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(Recorder::new(provider.clone()));
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| InspectError::BadName(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = super::route::connect(routing, &name_str, port, timeout)
        .await
        .map_err(connect_err)?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let handshake =
        match tokio::time::timeout(timeout, connector.connect(server_name.clone(), tcp)).await {
            Ok(Ok(mut stream)) => {
                let (_, conn) = stream.get_ref();
                let h = Handshake {
                    version: conn
                        .protocol_version()
                        .map_or("unknown".into(), |v| format!("{v:?}")),
                    alpn: conn
                        .alpn_protocol()
                        .map(|p| String::from_utf8_lossy(p).into_owned()),
                    cipher: conn
                        .negotiated_cipher_suite()
                        .map_or("unknown".into(), |c| format!("{:?}", c.suite())),
                };
                let _ = tokio::time::timeout(Duration::from_millis(200), stream.shutdown()).await;
                Ok(h)
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "no TLS handshake within {} ms",
                timeout.as_millis()
            )),
        };
    let legacy = match super::route::connect(routing, &name_str, port, timeout).await {
        Ok(tcp) => legacy_probe(tcp, &name_str, timeout).await,
        Err(e) => LegacyProbe::Inconclusive(e.to_string()),
    };
    let chain_der = recorder.chain();
    let chain = chain_der
        .iter()
        .filter_map(|d| CertInfo::parse(d).ok())
        .collect();
    Ok(Inspection {
        host: name_str,
        port,
        handshake,
        chain_der,
        chain,
        legacy,
        trust: trust.clone(),
        now: now_secs(),
    })
}

impl Inspection {
    /// Whether a certificate was presented at all.
    pub fn has_chain(&self) -> bool {
        !self.chain_der.is_empty()
    }

    /// Trust: does a trusted root vouch for the chain? Judged at a moment inside every
    /// presented certificate's validity, so that expiry is reported by [`Inspection::validity`]
    /// alone. `None`: no certificate was presented.
    pub fn trust(&self) -> Option<Result<(), TlsProblem>> {
        let leaf = self.chain_der.first()?;
        let leaf_der = CertificateDer::from(leaf.as_slice());
        let Ok(parsed) = rustls::server::ParsedCertificate::try_from(&leaf_der) else {
            return Some(Err(TlsProblem::Untrusted {
                reason: "the certificate cannot be parsed".into(),
            }));
        };
        let intermediates: Vec<CertificateDer<'_>> = self.chain_der[1..]
            .iter()
            .map(|d| CertificateDer::from(d.as_slice()))
            .collect();
        let latest_start = self.chain.iter().map(|c| c.not_before).max();
        let earliest_end = self.chain.iter().map(|c| c.not_after).min();
        let at = match (latest_start, earliest_end) {
            (Some(s), Some(e)) if !(s..=e).contains(&self.now) && s <= e => s.max(0) as u64 + 1,
            _ => self.now.max(0) as u64,
        };
        let algs = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        let r = rustls::client::verify_server_cert_signed_by_trust_anchor(
            &parsed,
            &self.trust.roots(),
            &intermediates,
            UnixTime::since_unix_epoch(Duration::from_secs(at)),
            algs.all,
        );
        Some(match r {
            Ok(()) => Ok(()),
            // Expiry that no single moment avoids is validity's finding, not trust's.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. },
            )) => Ok(()),
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer))
                if self.chain.len() == 1 && self.chain[0].self_issued =>
            {
                Err(TlsProblem::SelfSigned)
            }
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
                Err(TlsProblem::Untrusted {
                    reason: format!(
                        "no trusted root issued {:?}",
                        self.chain.last().map_or("", |c| c.issuer.as_str())
                    ),
                })
            }
            Err(e) => Err(TlsProblem::Untrusted {
                reason: e.to_string(),
            }),
        })
    }

    /// Name: does the leaf certificate name the URL's host? `None`: no certificate.
    pub fn name(&self) -> Option<Result<(), TlsProblem>> {
        let leaf = CertificateDer::from(self.chain_der.first()?.as_slice());
        let mismatch = || TlsProblem::NameMismatch {
            name: self.host.clone(),
        };
        let Ok(parsed) = rustls::server::ParsedCertificate::try_from(&leaf) else {
            return Some(Err(mismatch()));
        };
        let Ok(name) = ServerName::try_from(self.host.as_str()) else {
            return Some(Err(mismatch()));
        };
        Some(rustls::client::verify_server_name(&parsed, &name).map_err(|_| mismatch()))
    }

    /// Validity: is every presented certificate within its dates now? `None`: no certificate.
    pub fn validity(&self) -> Option<Result<(), TlsProblem>> {
        if self.chain.is_empty() {
            return None;
        }
        for (index, c) in self.chain.iter().enumerate() {
            if self.now > c.not_after {
                return Some(Err(TlsProblem::Expired {
                    index,
                    not_after: c.not_after,
                }));
            }
            if self.now < c.not_before {
                return Some(Err(TlsProblem::NotYetValid {
                    index,
                    not_before: c.not_before,
                }));
            }
        }
        Some(Ok(()))
    }

    /// Protocol: does a client offering TLS 1.2 and 1.3 get one of them?
    pub fn protocol(&self) -> Result<(), TlsProblem> {
        match (&self.handshake, &self.legacy) {
            (Ok(_), _) => Ok(()),
            (Err(e), LegacyProbe::Accepted(v)) => Err(TlsProblem::OldProtocol {
                detail: format!(
                    "the TLS 1.2/1.3 handshake failed ({e}); offered only TLS 1.1, the server chose {}",
                    version_name(*v)
                ),
            }),
            (Err(e), _) => Err(TlsProblem::OldProtocol {
                detail: format!("the TLS 1.2/1.3 handshake failed: {e}"),
            }),
        }
    }

    /// Legacy versions: does the server refuse a client that offers only TLS 1.1 or older?
    /// `None`: the probe could not tell.
    pub fn legacy(&self) -> Option<Result<(), TlsProblem>> {
        match &self.legacy {
            LegacyProbe::Accepted(v) => Some(Err(TlsProblem::LegacyAccepted {
                version: version_name(*v),
            })),
            LegacyProbe::Refused(_) => Some(Ok(())),
            LegacyProbe::Inconclusive(_) => None,
        }
    }

    /// The first problem that makes a verifying client refuse the connection, if any.
    pub fn blocking_problem(&self) -> Option<TlsProblem> {
        if let Err(p) = self.protocol() {
            return Some(p);
        }
        [self.trust(), self.name(), self.validity()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
    }

    /// Evidence for people: endpoint, handshake, probe and the chain.
    pub fn evidence(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "TLS endpoint {}:{}", self.host, self.port);
        match &self.handshake {
            Ok(h) => {
                let _ = writeln!(
                    out,
                    "handshake offering TLS 1.2 and 1.3: {}, {}, ALPN {}",
                    h.version,
                    h.cipher,
                    h.alpn.as_deref().unwrap_or("(none)")
                );
            }
            Err(e) => {
                let _ = writeln!(out, "handshake offering TLS 1.2 and 1.3 failed: {e}");
            }
        }
        let _ = writeln!(
            out,
            "ClientHello offering only TLS 1.1: {}",
            match &self.legacy {
                LegacyProbe::Accepted(v) => format!("accepted ({})", version_name(*v)),
                LegacyProbe::Refused(r) => format!("refused ({r})"),
                LegacyProbe::Inconclusive(r) => format!("inconclusive ({r})"),
            }
        );
        let _ = writeln!(out, "checked at {}", utc(self.now));
        for (i, c) in self.chain.iter().enumerate() {
            let _ = writeln!(
                out,
                "certificate {i}{}:",
                if i == 0 { " (leaf)" } else { "" }
            );
            for l in c.describe().lines() {
                let _ = writeln!(out, "  {l}");
            }
        }
        if self.chain.len() < self.chain_der.len() {
            let _ = writeln!(
                out,
                "{} certificate(s) could not be parsed",
                self.chain_der.len() - self.chain.len()
            );
        }
        out
    }

    /// One sentence for a problem, naming the certificate facts that show it.
    pub fn explain(&self, p: &TlsProblem) -> String {
        let leaf = self.chain.first();
        match p {
            TlsProblem::Untrusted { reason } => format!(
                "the certificate chain is not trusted: {reason} (leaf subject {:?}, issuer {:?})",
                leaf.map_or("", |c| c.subject.as_str()),
                leaf.map_or("", |c| c.issuer.as_str())
            ),
            TlsProblem::SelfSigned => format!(
                "the server presents a self-signed certificate that no trusted root vouches for (subject {:?}); trust it with --ca-file if it is yours",
                leaf.map_or("", |c| c.subject.as_str())
            ),
            TlsProblem::NameMismatch { name } => format!(
                "the certificate is not valid for {name:?}: it names {}",
                leaf.map_or("nothing".into(), |c| if c.sans.is_empty() {
                    format!("no SANs (subject {:?})", c.subject)
                } else {
                    c.sans.join(", ")
                })
            ),
            TlsProblem::Expired { index, not_after } => format!(
                "certificate {index}{} expired at {} (checked at {}; subject {:?})",
                if *index == 0 { " (leaf)" } else { "" },
                utc(*not_after),
                utc(self.now),
                self.chain.get(*index).map_or("", |c| c.subject.as_str())
            ),
            TlsProblem::NotYetValid { index, not_before } => format!(
                "certificate {index}{} is not valid before {} (checked at {}; subject {:?})",
                if *index == 0 { " (leaf)" } else { "" },
                utc(*not_before),
                utc(self.now),
                self.chain.get(*index).map_or("", |c| c.subject.as_str())
            ),
            TlsProblem::OldProtocol { detail } => {
                format!("no TLS 1.2 or 1.3 connection could be made: {detail}")
            }
            TlsProblem::LegacyAccepted { version } => format!(
                "a client offering only TLS 1.1 was answered with a ServerHello for {version}"
            ),
        }
    }
}

/// `TLS 1.1` for 0x0302 and so on.
pub fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        v => format!("version 0x{v:04x}"),
    }
}

/// A ClientHello whose highest version is TLS 1.1 (as a TLS 1.0/1.1-only client sends it):
/// RSA and ECDHE CBC suites, SNI for DNS names, the elliptic-curve extensions and the
/// renegotiation SCSV. rustls cannot send one (it implements TLS 1.2 and 1.3 only).
pub fn legacy_client_hello(host: &str, random: [u8; 32]) -> Vec<u8> {
    fn u16be(v: usize) -> [u8; 2] {
        (v as u16).to_be_bytes()
    }
    let mut body = vec![0x03, 0x02];
    body.extend_from_slice(&random);
    body.push(0); // no session ID
    let suites: [u16; 7] = [0xc013, 0xc014, 0xc009, 0xc00a, 0x002f, 0x0035, 0x00ff];
    body.extend_from_slice(&u16be(suites.len() * 2));
    for s in suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // compression: null only
    let mut ext = Vec::new();
    if host.parse::<std::net::IpAddr>().is_err() && !host.is_empty() {
        let name = host.as_bytes();
        ext.extend_from_slice(&[0x00, 0x00]);
        ext.extend_from_slice(&u16be(name.len() + 5));
        ext.extend_from_slice(&u16be(name.len() + 3));
        ext.push(0);
        ext.extend_from_slice(&u16be(name.len()));
        ext.extend_from_slice(name);
    }
    // supported_groups: secp256r1, secp384r1, x25519
    ext.extend_from_slice(&[
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x17, 0x00, 0x18, 0x00, 0x1d,
    ]);
    // ec_point_formats: uncompressed
    ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    body.extend_from_slice(&u16be(ext.len()));
    body.extend_from_slice(&ext);
    let mut hs = vec![1];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&u16be(hs.len()));
    record.extend_from_slice(&hs);
    record
}

/// What the first record a server sends after a ClientHello says.
pub fn read_server_answer(first: &[u8]) -> LegacyProbe {
    match first {
        [0x16, _, _, _, _, 0x02, _, _, _, hi, lo, ..] => {
            LegacyProbe::Accepted(u16::from_be_bytes([*hi, *lo]))
        }
        [0x15, _, _, _, _, level, desc, ..] => {
            LegacyProbe::Refused(format!("alert {desc} (level {level})"))
        }
        [] => LegacyProbe::Refused("the server closed the connection".into()),
        other => LegacyProbe::Inconclusive(format!(
            "unexpected answer starting {:02x?}",
            &other[..other.len().min(8)]
        )),
    }
}

async fn legacy_probe(
    mut tcp: tokio::net::TcpStream,
    host: &str,
    timeout: Duration,
) -> LegacyProbe {
    let mut random = [0u8; 32];
    let seed = now_secs() as u64 ^ u64::from(std::process::id());
    for (i, b) in random.iter_mut().enumerate() {
        *b = (seed.rotate_left(i as u32 * 7) >> (i % 8)) as u8;
    }
    let hello = legacy_client_hello(host, random);
    let io = async {
        tcp.write_all(&hello).await?;
        let mut buf = Vec::with_capacity(16);
        let mut chunk = [0u8; 16];
        while buf.len() < 11 {
            let n = tcp.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.first() == Some(&0x15) && buf.len() >= 7 {
                break;
            }
        }
        Ok::<_, std::io::Error>(buf)
    };
    match tokio::time::timeout(timeout, io).await {
        Ok(Ok(buf)) => read_server_answer(&buf),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {
            LegacyProbe::Refused("the server reset the connection".into())
        }
        Ok(Err(e)) => LegacyProbe::Inconclusive(e.to_string()),
        Err(_) => LegacyProbe::Inconclusive(format!("no answer within {} ms", timeout.as_millis())),
    }
}

/// The address `host:port` of a URL, for inspection: `None` when the URL is not https.
pub fn https_endpoint(url: &str) -> Option<(String, u16)> {
    let u = url::Url::parse(url).ok()?;
    if u.scheme() != "https" {
        return None;
    }
    Some((u.host_str()?.to_owned(), u.port_or_known_default()?))
}

/// A socket address as a URL authority (`[v6]:port`).
pub fn authority(a: SocketAddr) -> String {
    if a.is_ipv6() {
        format!("[{}]:{}", a.ip(), a.port())
    } else {
        a.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_577_836_800), "2020-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(-86_400), "1969-12-31T00:00:00Z");
    }

    #[test]
    fn legacy_hello_is_a_well_formed_tls11_client_hello() {
        let h = legacy_client_hello("autodiscover.example.test", [7; 32]);
        assert_eq!(&h[..3], &[0x16, 0x03, 0x01]);
        assert_eq!(usize::from(u16::from_be_bytes([h[3], h[4]])), h.len() - 5);
        assert_eq!(h[5], 1);
        let hs_len = u32::from_be_bytes([0, h[6], h[7], h[8]]) as usize;
        assert_eq!(hs_len, h.len() - 9);
        assert_eq!(&h[9..11], &[0x03, 0x02]);
        let text = String::from_utf8_lossy(&h);
        assert!(text.contains("autodiscover.example.test"));
        // No SNI for an IP literal (RFC 6066 §3).
        let ip = legacy_client_hello("127.0.0.1", [7; 32]);
        assert!(!String::from_utf8_lossy(&ip).contains("127.0.0.1"));
    }

    #[test]
    fn server_answers_are_read() {
        assert_eq!(
            read_server_answer(&[0x16, 3, 2, 0, 60, 2, 0, 0, 56, 3, 2]),
            LegacyProbe::Accepted(0x0302)
        );
        assert!(matches!(
            read_server_answer(&[0x15, 3, 1, 0, 2, 2, 70]),
            LegacyProbe::Refused(r) if r.contains("alert 70")
        ));
        assert!(matches!(read_server_answer(&[]), LegacyProbe::Refused(_)));
        assert!(matches!(
            read_server_answer(b"HTTP/1.1 400"),
            LegacyProbe::Inconclusive(_)
        ));
    }
}
