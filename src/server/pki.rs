//! A throw-away certificate authority for loopback runs: one self-signed root the client
//! trusts for the run, and leaf certificates for each listener's names (rcgen).

use super::{Identity, ServerError};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

/// A run's root certificate authority. Only the root's certificate ([`TestCa::root_der`]) is
/// handed to clients; the key never leaves the process.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

fn tls_err(e: rcgen::Error) -> ServerError {
    ServerError::Tls(e.to_string())
}

impl TestCa {
    /// A fresh root, `CN=poxspec test root`.
    pub fn new() -> Result<TestCa, ServerError> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(tls_err)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "poxspec test root");
        let key = KeyPair::generate().map_err(tls_err)?;
        Ok(TestCa {
            issuer: CertifiedIssuer::self_signed(params, key).map_err(tls_err)?,
        })
    }

    /// The root certificate (DER), to trust for the run.
    pub fn root_der(&self) -> Vec<u8> {
        self.issuer.der().to_vec()
    }

    /// A leaf certificate for `names` (DNS names or IP addresses), signed by the root.
    pub fn issue(&self, names: &[&str]) -> Result<Identity, ServerError> {
        let params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .map_err(tls_err)?;
        let key = KeyPair::generate().map_err(tls_err)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(tls_err)?;
        Ok(Identity {
            chain: vec![cert.der().to_vec()],
            key_pkcs8: key.serialize_der(),
            ca_der: self.root_der(),
        })
    }
}

/// A rustls server configuration presenting `id` (ring provider, safe defaults).
pub fn server_config(id: &Identity) -> Result<rustls::ServerConfig, ServerError> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(
            id.chain.iter().map(|c| c.clone().into()).collect(),
            rustls::pki_types::PrivateKeyDer::Pkcs8(id.key_pkcs8.clone().into()),
        )
        .map_err(|e| ServerError::Tls(e.to_string()))
}
