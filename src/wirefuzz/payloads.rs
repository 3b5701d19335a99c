//! Hostile and invalid request bodies, taken from `check`'s case catalogue (one list): every
//! POST case of the `security/` and `errors/` groups sent as is (the named URL, the usual
//! Content-Type, the body in one go) becomes a payload labelled with its case ID, and what
//! `check` accepts as its answer becomes what the oracle expects ([`expect_of`]). Adding a case
//! to the catalogue adds it here; nothing else lists hostile requests.
//!
//! The catalogue's external-entity cases name a marker file ([`marker_path`]) that the run
//! writes with [`ENTITY_MARKER`] inside: the marker appears in an answer only when the server
//! read the file. Their loopback fetch URLs point at the discard port: the fuzzer has no
//! listener, so a server that fetches them is not caught here (`check` catches it).

use super::plan::Expect;
use crate::live::catalogue::{self, BodyFn, Ctx, Path, Probe, Transport, CT_XML_UTF8};
use std::sync::OnceLock;

/// The text that appears in an answer only when the server read the marker file through an
/// external entity or an XInclude.
pub const ENTITY_MARKER: &str = "POXSPEC-ENTITY-ECHO";

/// The start of `/etc/passwd`, which appears in an answer only when an external entity was read.
pub const PASSWD_MARKER: &str = "root:x:0:0:";

/// The catalogue groups whose POST cases are payloads.
pub const GROUPS: [&str; 2] = ["security", "errors"];

/// A payload: a catalogue case, and what the oracle expects of the answer.
#[derive(Debug, Clone, Copy)]
pub struct Payload {
    /// The case ID (`security/depth/10000`, `errors/empty/body` ...): the payload's label.
    pub id: &'static str,
    /// What a correct server answers.
    pub expect: Expect,
    /// The case's description.
    pub description: &'static str,
    body: BodyFn,
}

impl Payload {
    /// The request body for `ctx`; `None` when the target gives the case nothing to build it
    /// from.
    pub fn body(&self, ctx: &Ctx) -> Option<Vec<u8>> {
        (self.body)(ctx)
    }
}

/// What the oracle expects for an answer `check` judges by `e`: a refusal (a 4xx, error 600
/// or 601) is [`Expect::Broken`]; an error code list beyond 600/601, a tolerant case or an
/// injection case accepts an answer too ([`Expect::Either`]); a case expecting settings is not
/// hostile (`None`).
pub fn expect_of(e: catalogue::Expect) -> Option<Expect> {
    use catalogue::Expect as C;
    match e {
        C::Refused => Some(Expect::Broken),
        C::Error(codes) if codes.iter().all(|c| matches!(*c, "600" | "601")) => {
            Some(Expect::Broken)
        }
        C::Error(_) | C::Tolerant | C::NotInjected => Some(Expect::Either),
        C::Settings | C::Mobile(_) => None,
    }
}

/// Every payload, in catalogue order.
pub fn payloads() -> &'static [Payload] {
    static ALL: OnceLock<Vec<Payload>> = OnceLock::new();
    ALL.get_or_init(|| {
        catalogue::sections()
            .filter(|(g, _)| GROUPS.contains(g))
            .flat_map(|(_, cases)| cases.iter())
            .filter_map(|c| match c.probe {
                Probe::Post {
                    path: Path::Named,
                    content_type: Some(CT_XML_UTF8),
                    body,
                    transport: Transport::Plain,
                    expect,
                } => expect_of(expect).map(|expect| Payload {
                    id: c.id,
                    expect,
                    description: c.description,
                    body,
                }),
                _ => None,
            })
            .collect()
    })
}

/// Where the run writes the marker file the external-entity payloads name (the same path
/// every run, so that the same seed sends the same bytes).
pub fn marker_path() -> std::path::PathBuf {
    std::env::temp_dir().join("poxspec-fuzz-entity-marker.txt")
}

/// The context the payloads are built for: `email` (a mailbox the server knows when one is
/// named), `other` a second one.
pub fn ctx(email: &str, other: &str) -> Ctx {
    let domain = email.rsplit_once('@').map_or("example.com", |(_, d)| d);
    Ctx {
        email: email.to_owned(),
        other: other.to_owned(),
        domain: domain.to_owned(),
        legacy_dn: None,
        marker_path: marker_path().display().to_string(),
        marker: "poxspec-fuzz".to_owned(),
        fetch_base: "http://127.0.0.1:9".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_the_catalogues_hostile_post_cases() {
        let p = payloads();
        let ids: Vec<&str> = p.iter().map(|p| p.id).collect();
        for id in [
            "errors/empty/body",
            "errors/malformed/binary",
            "security/entity/billion-laughs",
            "security/xxe/etc-passwd",
            "security/depth/100",
            "security/depth/10000",
            "security/size/2mib",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        // Sent differently, or expecting settings: not a payload.
        assert!(!ids.contains(&"security/slow/one-byte-per-second"));
        assert!(!ids.iter().any(|i| i.starts_with("request/")));
        let c = ctx("chris@contoso.com", "alex@contoso.com");
        for p in p {
            assert!(p.body(&c).is_some(), "{} builds nothing", p.id);
        }
        assert_eq!(
            p.iter()
                .find(|p| p.id == "security/depth/100")
                .unwrap()
                .expect,
            Expect::Either
        );
        assert_eq!(
            p.iter()
                .find(|p| p.id == "errors/empty/body")
                .unwrap()
                .expect,
            Expect::Broken
        );
    }
}
