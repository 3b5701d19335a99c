//! `schema/…`: `AcceptableResponseSchema` negotiation.

use super::{
    email_el, escape, outlook_with, post, schema_el, CaseDef, Ctx, Expect, Level, MobileCheck, DECL,
};
use crate::model::ns::{
    REQUEST_MOBILESYNC, REQUEST_OUTLOOK, RESPONSE_MOBILESYNC, RESPONSE_OUTLOOK,
};

fn asking(c: &Ctx, schema: &str) -> Option<Vec<u8>> {
    Some(
        outlook_with(&format!(
            "{}{}",
            email_el(&escape(&c.email)),
            schema_el(schema)
        ))
        .into_bytes(),
    )
}

fn in_ns(c: &Ctx, request_ns: &str, schema: &str) -> Option<Vec<u8>> {
    Some(
        format!(
            "{DECL}\n<Autodiscover xmlns=\"{request_ns}\">\n  <Request>\n{}{}  </Request>\n</Autodiscover>\n",
            email_el(&escape(&c.email)),
            schema_el(schema)
        )
        .into_bytes(),
    )
}

const UNAVAILABLE: &[&str] = &["601"];
const SOURCE: &str = "MS-OXDSCLI 2.2.4.1.1.3.2 (601: the requested schema is not available); https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptableresponseschema-pox";

/// The cases.
pub static CASES: &[CaseDef] = &[
    CaseDef {
        id: "schema/unknown/future-version",
        description: "AcceptableResponseSchema .../outlook/responseschema/2099",
        requirement: "A schema the server does not offer gets ErrorCode 601, not settings in another schema",
        source: SOURCE,
        level: Level::Must,
        probe: post(|c| asking(c, "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2099"), Expect::Error(UNAVAILABLE)),
    },
    CaseDef {
        id: "schema/unknown/without-a",
        description: "AcceptableResponseSchema .../outlook/responseschema/2006 (without the trailing a)",
        requirement: "The Outlook response schema is 2006a; 2006 without the a is another URI and gets ErrorCode 601",
        source: SOURCE,
        level: Level::Must,
        probe: post(|c| asking(c, "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006"), Expect::Error(UNAVAILABLE)),
    },
    CaseDef {
        id: "schema/unknown/https-lookalike",
        description: "AcceptableResponseSchema written with https://",
        requirement: "Schema URIs compare as exact strings: the https:// look-alike is not offered and gets ErrorCode 601",
        source: "RFC 3986 §6.2.1 (URI equivalence is string equality for namespace names); Namespaces in XML 1.0 §2.3",
        level: Level::Should,
        probe: post(|c| asking(c, "https://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"), Expect::Error(UNAVAILABLE)),
    },
    CaseDef {
        id: "schema/unknown/other-case",
        description: "AcceptableResponseSchema with the path in upper case (.../OUTLOOK/RESPONSESCHEMA/2006A)",
        requirement: "Schema URIs compare as exact strings: another case is another schema and gets ErrorCode 601",
        source: "Namespaces in XML 1.0 §2.3 (namespace names compare character by character)",
        level: Level::Should,
        probe: post(|c| asking(c, "http://schemas.microsoft.com/exchange/autodiscover/OUTLOOK/RESPONSESCHEMA/2006A"), Expect::Error(UNAVAILABLE)),
    },
    CaseDef {
        id: "schema/unknown/empty",
        description: "an empty AcceptableResponseSchema",
        requirement: "An empty schema is no schema the server offers: ErrorCode 600 or 601, never settings",
        source: SOURCE,
        level: Level::Must,
        probe: post(|c| asking(c, ""), Expect::Error(&["600", "601"])),
    },
    CaseDef {
        id: "schema/whitespace/surrounding",
        description: "the Outlook schema with spaces and a newline around it",
        requirement: "Whitespace around the schema URI is not part of it (xs:anyURI collapses whitespace): Outlook settings come back",
        source: "XML Schema Part 2 §3.2.17 (anyURI, whiteSpace collapse); MS-OXDSCLI 2.2.4.1.1.1",
        level: Level::Should,
        probe: post(|c| asking(c, &format!("\n      {RESPONSE_OUTLOOK}  ")), Expect::Settings),
    },
    CaseDef {
        id: "schema/cross/outlook-request-mobilesync-schema",
        description: "an Outlook-namespace request asking for the mobilesync response schema",
        requirement: "The schema asked for decides the answer: a mobilesync Response (or ErrorCode 601 if mobilesync is not offered)",
        source: "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptableresponseschema-pox; MS-ASCMD 2.2.2.1",
        level: Level::Must,
        probe: post(|c| in_ns(c, REQUEST_OUTLOOK, RESPONSE_MOBILESYNC), Expect::Mobile(MobileCheck::Shape)),
    },
    CaseDef {
        id: "schema/cross/mobilesync-request-outlook-schema",
        description: "a mobilesync-namespace request asking for the Outlook response schema",
        requirement: "The schema asked for decides the answer: Outlook settings (or ErrorCode 601)",
        source: "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptableresponseschema-pox",
        level: Level::Must,
        probe: post(|c| in_ns(c, REQUEST_MOBILESYNC, RESPONSE_OUTLOOK), Expect::Settings),
    },
    CaseDef {
        id: "schema/unknown/trailing-slash",
        description: "AcceptableResponseSchema .../outlook/responseschema/2006a/ (a trailing slash)",
        requirement: "Schema URIs compare as exact strings: a trailing slash is another schema and gets ErrorCode 601",
        source: "Namespaces in XML 1.0 §2.3; RFC 3986 §6.2.1",
        level: Level::Should,
        probe: post(|c| asking(c, &format!("{RESPONSE_OUTLOOK}/")), Expect::Error(UNAVAILABLE)),
    },
    CaseDef {
        id: "schema/unknown/mobilesync-2006a",
        description: "AcceptableResponseSchema .../mobilesync/responseschema/2006a (the Outlook suffix on the mobilesync schema)",
        requirement: "A near-miss of the mobilesync schema is not offered and gets ErrorCode 601",
        source: SOURCE,
        level: Level::Should,
        probe: post(|c| asking(c, &format!("{RESPONSE_MOBILESYNC}a")), Expect::Error(UNAVAILABLE)),
    },
];
