//! The reference server's certificates, made with rcgen at start-up: a private CA that the
//! checker is told to trust (as a user would with `--ca-file`), and a leaf for the server's
//! names signed by it. The certificate faults change one property of the leaf each, so that a
//! finding can only come from that property.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// Which certificate the HTTPS endpoint presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertProfile {
    /// Signed by the run's CA, valid now, for the server's names.
    #[default]
    Valid,
    /// Signed by the run's CA, for the server's names, expired (2020-2021).
    Expired,
    /// Signed by the run's CA, for the server's names, valid only from 2090.
    NotYetValid,
    /// Signed by the run's CA, valid now, for `autodiscover.other.example` only.
    WrongName,
    /// Self-signed for the server's names: no trusted CA vouches for it.
    SelfSigned,
    /// Signed by a second CA that nobody was told to trust.
    UnknownCa,
}

/// A certificate chain, its key, and the CA to trust to verify it.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The chain the server presents (leaf first), DER.
    pub chain: Vec<Vec<u8>>,
    /// The leaf's private key, PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
    /// The run's CA certificate (DER): what a client trusts to check the server.
    pub ca_der: Vec<u8>,
}

/// The name the [`CertProfile::WrongName`] certificate is for.
pub const OTHER_NAME: &str = "autodiscover.other.example";

fn ca(name: &str) -> Result<(CertificateParams, KeyPair, Vec<u8>), rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "poxspec");
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate()?;
    let der = params.self_signed(&key)?.der().to_vec();
    Ok((params, key, der))
}

/// Makes the identity for `profile` with `names` (DNS names or IP addresses) as SANs.
pub fn issue(profile: CertProfile, names: &[String]) -> Result<Identity, rcgen::Error> {
    let (ca_params, ca_key, ca_der) = ca("poxspec reference CA")?;
    let names: Vec<String> = match profile {
        CertProfile::WrongName => vec![OTHER_NAME.to_owned()],
        _ => names.to_vec(),
    };
    let mut params = CertificateParams::new(names.clone())?;
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().map_or("poxspec", String::as_str),
    );
    match profile {
        CertProfile::Expired => {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        CertProfile::NotYetValid => {
            params.not_before = rcgen::date_time_ymd(2090, 1, 1);
            params.not_after = rcgen::date_time_ymd(2091, 1, 1);
        }
        _ => {}
    }
    let key = KeyPair::generate()?;
    let leaf = match profile {
        CertProfile::SelfSigned => params.self_signed(&key)?,
        CertProfile::UnknownCa => {
            let (other_params, other_key, _) = ca("poxspec untrusted CA")?;
            params.signed_by(&key, &Issuer::new(other_params, other_key))?
        }
        _ => params.signed_by(&key, &Issuer::new(ca_params, ca_key))?,
    };
    Ok(Identity {
        chain: vec![leaf.der().to_vec()],
        key_pkcs8: key.serialize_der(),
        ca_der,
    })
}
