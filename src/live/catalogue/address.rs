//! `address/…`: how the server looks addresses up.

use super::{
    email_el, escape, outlook, outlook_with, post, schema_el, CaseDef, Ctx, Expect, Level,
};
use crate::model::ns::RESPONSE_OUTLOOK;

fn ask(address: String) -> Option<Vec<u8>> {
    Some(outlook(&address).into_bytes())
}

fn raw(address_xml: &str) -> Option<Vec<u8>> {
    Some(
        outlook_with(&format!(
            "{}{}",
            email_el(address_xml),
            schema_el(RESPONSE_OUTLOOK)
        ))
        .into_bytes(),
    )
}

const NOT_FOUND: &[&str] = &["500"];
const INVALID: &[&str] = &["600"];

/// The cases.
pub static CASES: &[CaseDef] = &[
    CaseDef {
        id: "address/case/domain-upper",
        description: "the first mailbox with its domain in upper case (chris@CONTOSO.COM)",
        requirement: "Domain names are compared case-insensitively: the upper-case domain gets the mailbox's settings",
        source: "RFC 5321 §2.4 (domain names are case-insensitive); RFC 4343",
        level: Level::Must,
        probe: post(|c: &Ctx| ask(format!("{}@{}", c.local(), c.domain.to_ascii_uppercase())), Expect::Settings),
    },
    CaseDef {
        id: "address/case/domain-mixed",
        description: "the first mailbox with a mixed-case domain (chris@Contoso.Com)",
        requirement: "Domain names are compared case-insensitively",
        source: "RFC 5321 §2.4; RFC 4343",
        level: Level::Must,
        probe: post(
            |c: &Ctx| {
                let d: String = c
                    .domain
                    .chars()
                    .enumerate()
                    .map(|(i, ch)| if i % 2 == 0 { ch.to_ascii_uppercase() } else { ch })
                    .collect();
                ask(format!("{}@{d}", c.local()))
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "address/case/local-upper",
        description: "the first mailbox with its local part in upper case (CHRIS@contoso.com)",
        requirement: "Mailbox lookups are case-insensitive, as Exchange's are",
        source: "RFC 5321 §2.4 (a host may treat the local part as case-sensitive, but SHOULD NOT rely on it); Exchange proxy addresses are case-insensitive",
        level: Level::Should,
        probe: post(|c: &Ctx| ask(format!("{}@{}", c.local().to_uppercase(), c.domain)), Expect::Settings),
    },
    CaseDef {
        id: "address/case/all-upper",
        description: "the whole address in upper case",
        requirement: "Mailbox lookups are case-insensitive",
        source: "RFC 5321 §2.4; Exchange proxy addresses are case-insensitive",
        level: Level::Should,
        probe: post(|c: &Ctx| ask(c.email.to_uppercase()), Expect::Settings),
    },
    CaseDef {
        id: "address/whitespace/padded",
        description: "the address with spaces and a newline around it",
        requirement: "Whitespace around the address is not part of it: the mailbox's settings come back",
        source: "MS-OXDSCLI is silent; Outlook and Exchange trim it, and xs:string keeps it, so a server must trim before the lookup",
        level: Level::Should,
        probe: post(|c: &Ctx| raw(&format!("\n      {}  ", escape(&c.email))), Expect::Settings),
    },
    CaseDef {
        id: "address/unknown/mailbox",
        description: "an unknown mailbox in the first mailbox's domain",
        requirement: "An address the server does not know gets a POX Error with ErrorCode 500 (HTTP 200); a server that configures whole domains and has no mailbox directory may answer the domain's settings instead. Never 204, 404 or an empty body",
        source: "MS-OXDSCLI 2.2.4.1.1.3.2 (500: the e-mail address cannot be found); domain-level servers (automx2, autoconfig) know no mailboxes",
        level: Level::Must,
        probe: post(|c: &Ctx| ask(format!("poxspec-no-such-mailbox@{}", c.domain)), Expect::Tolerant),
    },
    CaseDef {
        id: "address/unknown/domain",
        description: "an address in a domain the server does not serve (example.invalid)",
        requirement: "An address in an unknown domain gets a POX Error with ErrorCode 500, not 204, 404 or an empty body",
        source: "MS-OXDSCLI 2.2.4.1.1.3.2 (500)",
        level: Level::Must,
        probe: post(|_| ask("poxspec@example.invalid".into()), Expect::Error(NOT_FOUND)),
    },
    CaseDef {
        id: "address/unknown/legacydn",
        description: "a LegacyDN that names no mailbox",
        requirement: "An unknown LegacyDN gets a POX Error with ErrorCode 500",
        source: "MS-OXDSCLI 2.2.4.1.1.3.2 (500); https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/legacydn-pox",
        level: Level::Must,
        probe: post(
            |_| {
                Some(outlook_with(&format!(
                    "    <LegacyDN>/o=Poxspec/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=poxspec-nobody</LegacyDN>\n{}",
                    schema_el(RESPONSE_OUTLOOK)
                )).into_bytes())
            },
            Expect::Error(NOT_FOUND),
        ),
    },
    CaseDef {
        id: "address/legacydn/lower-case",
        description: "the first mailbox's LegacyDN in lower case",
        requirement: "X.500 distinguished names compare case-insensitively: the lower-cased LegacyDN gets the mailbox's settings",
        source: "RFC 4517 §4.2.15 (caseIgnoreMatch for DN attribute values in Exchange); https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/legacydn-pox",
        level: Level::Should,
        probe: post(
            |c: &Ctx| {
                let dn = c.legacy_dn.as_deref()?.to_lowercase();
                Some(outlook_with(&format!("    <LegacyDN>{}</LegacyDN>\n{}", escape(&dn), schema_el(RESPONSE_OUTLOOK))).into_bytes())
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "address/invalid/no-at",
        description: "an EMailAddress without @",
        requirement: "Something that is not an e-mail address makes the request invalid: ErrorCode 600",
        source: "MS-OXDSCLI 2.2.4.1.1.3.2 (600: invalid request)",
        level: Level::Should,
        probe: post(|c: &Ctx| ask(c.local().to_owned()), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "address/invalid/empty",
        description: "an empty EMailAddress element",
        requirement: "An empty EMailAddress makes the request invalid: ErrorCode 600",
        source: "MS-OXDSCLI 2.2.4.1.1.3.2 (600: invalid request)",
        level: Level::Must,
        probe: post(|_| raw(""), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "address/invalid/two-at",
        description: "an address with two @ signs (a@b@contoso.com)",
        requirement: "An address with two unquoted @ is not an address: ErrorCode 600",
        source: "RFC 5322 §3.4.1; MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Should,
        probe: post(|c: &Ctx| ask(format!("{}@x@{}", c.local(), c.domain)), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "address/subaddress/plus-tag",
        description: "the first mailbox with a +tag (chris+poxspec@contoso.com)",
        requirement: "The sources are silent on sub-addresses: the base mailbox's settings or error 500 are both acceptable (poxspec prefers the settings); a 5xx is not",
        source: "implementation-defined; RFC 5233 (sub-addressing is a local convention)",
        level: Level::ImplementationDefined,
        probe: post(|c: &Ctx| ask(format!("{}+poxspec@{}", c.local(), c.domain)), Expect::Tolerant),
    },
    CaseDef {
        id: "address/unicode/local-part",
        description: "an unknown address with a non-ASCII local part (jürgen.ñandú@domain)",
        requirement: "A non-ASCII address is looked up like any other: error 500 when unknown (or the domain's settings from a server without a mailbox directory), never a crash",
        source: "RFC 6531 §3.3 (UTF-8 local parts); MS-OXDSCLI 2.2.4.1.1.3.2 (500)",
        level: Level::Must,
        probe: post(|c: &Ctx| ask(format!("jürgen.ñandú@{}", c.domain)), Expect::Tolerant),
    },
    CaseDef {
        id: "address/unicode/domain",
        description: "an address in a non-ASCII (IDN) domain the server does not serve",
        requirement: "An internationalised domain is looked up like any other: error 500 when unknown, never a crash",
        source: "RFC 6531 §3.2; RFC 5890; MS-OXDSCLI 2.2.4.1.1.3.2 (500)",
        level: Level::Must,
        probe: post(|_| ask("poxspec@bücher.example".into()), Expect::Error(&["500", "600"])),
    },
    CaseDef {
        id: "address/long/local-part",
        description: "an address with a 10,000-character local part",
        requirement: "An over-long address gets error 500 or 600 (or the domain's settings from a server without a mailbox directory), not a crash",
        source: "RFC 5321 §4.5.3.1.1 (64-octet local part); MS-OXDSCLI 2.2.4.1.1.3.2",
        level: Level::Must,
        probe: post(|c: &Ctx| ask(format!("{}@{}", "x".repeat(10_000), c.domain)), Expect::Tolerant),
    },
    CaseDef {
        id: "address/long/hundred-thousand",
        description: "an address of 100,000 characters (a 99,988-character local part)",
        requirement: "An address hundreds of times any legal length gets error 500 or 600 (or the domain's settings from a server without a mailbox directory) in bounded time, not a crash. The body (about 100 KB) is past many servers' request limit (the reference server's is 64 KiB): refusing it with error 600 is the same clean answer",
        source: "RFC 5321 §4.5.3.1.1 (64-octet local part), §4.5.3.1.3 (256-octet path); MS-OXDSCLI 2.2.4.1.1.3.2",
        level: Level::Must,
        probe: post(
            |c: &Ctx| {
                let local = 100_000usize.saturating_sub(c.domain.len() + 1);
                ask(format!("{}@{}", "x".repeat(local), c.domain))
            },
            Expect::Tolerant,
        ),
    },
    CaseDef {
        id: "address/form/display-name",
        description: "the address in mailbox form with a display name (Chris <chris@contoso.com>)",
        requirement: "The sources are silent: EMailAddress holds a bare address, so error 600 is the natural answer; settings are tolerated; a 5xx is not",
        source: "implementation-defined; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/emailaddress-pox",
        level: Level::ImplementationDefined,
        probe: post(|c: &Ctx| ask(format!("Poxspec <{}>", c.email)), Expect::Tolerant),
    },
    CaseDef {
        id: "address/form/quoted-local-part",
        description: "an unknown address with a quoted local part (\"no such\"@domain)",
        requirement: "A quoted local part is a valid address: error 500 when unknown (or the domain's settings from a server without a mailbox directory), never a crash",
        source: "RFC 5321 §4.1.2 (Quoted-string); MS-OXDSCLI 2.2.4.1.1.3.2 (500)",
        level: Level::Must,
        probe: post(|c: &Ctx| ask(format!("\"poxspec no such\"@{}", c.domain)), Expect::Tolerant),
    },
    CaseDef {
        id: "address/case/local-mixed",
        description: "the first mailbox with a mixed-case local part (Chris@contoso.com)",
        requirement: "Mailbox lookups are case-insensitive, as Exchange's are",
        source: "RFC 5321 §2.4; Exchange proxy addresses are case-insensitive",
        level: Level::Should,
        probe: post(
            |c: &Ctx| {
                let mut l = c.local().to_owned();
                if let Some(f) = l.get(..1).map(str::to_uppercase) {
                    l.replace_range(..1, &f);
                }
                ask(format!("{l}@{}", c.domain))
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "address/whitespace/legacydn-padded",
        description: "the first mailbox's LegacyDN with spaces and a newline around it",
        requirement: "Whitespace around the LegacyDN is not part of it: the mailbox's settings come back",
        source: "MS-OXDSCLI is silent; Exchange trims it, and a DN never starts or ends with whitespace",
        level: Level::Should,
        probe: post(
            |c: &Ctx| {
                let dn = c.legacy_dn.as_deref()?;
                Some(outlook_with(&format!("    <LegacyDN>\n      {}  </LegacyDN>\n{}", escape(dn), schema_el(RESPONSE_OUTLOOK))).into_bytes())
            },
            Expect::Settings,
        ),
    },
];
