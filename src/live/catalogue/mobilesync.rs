//! `mobilesync/…`: the Exchange ActiveSync variant of the exchange.

use super::{email_el, escape, post, schema_el, CaseDef, Ctx, Expect, Level, MobileCheck, DECL};
use crate::model::ns::{REQUEST_MOBILESYNC, RESPONSE_MOBILESYNC};

fn mobile(address: &str) -> Option<Vec<u8>> {
    Some(
        format!(
            "{DECL}\n<Autodiscover xmlns=\"{REQUEST_MOBILESYNC}\">\n  <Request>\n{}{}  </Request>\n</Autodiscover>\n",
            email_el(&escape(address)),
            schema_el(RESPONSE_MOBILESYNC)
        )
        .into_bytes(),
    )
}

fn first(c: &Ctx) -> Option<Vec<u8>> {
    mobile(&c.email)
}

/// The cases.
pub static CASES: &[CaseDef] = &[
    CaseDef {
        id: "mobilesync/settings/shape",
        description: "a mobilesync request for the first mailbox",
        requirement: "A mobilesync request gets a Response in the mobilesync namespace with Action/Settings/Server of Type MobileSync and a Url (or ErrorCode 601 if mobilesync is not offered), not an HTTP error",
        source: "MS-ASCMD 2.2.2.1 (Autodiscover), 2.2.3.170 (Server), 2.2.3.182 (Type)",
        level: Level::Must,
        probe: post(first, Expect::Mobile(MobileCheck::Shape)),
    },
    CaseDef {
        id: "mobilesync/settings/url-https",
        description: "the Url of every mobilesync Server",
        requirement: "The ActiveSync URL is https",
        source: "MS-ASCMD 2.2.3.187 (Url); MS-ASHTTP 2.1 (HTTPS)",
        level: Level::Must,
        probe: post(first, Expect::Mobile(MobileCheck::UrlHttps)),
    },
    CaseDef {
        id: "mobilesync/settings/user",
        description: "User/EMailAddress of the mobilesync answer",
        requirement: "The mobilesync Response names the mailbox in User/EMailAddress",
        source: "MS-ASCMD 2.2.3.194 (User), 2.2.3.62 (EMailAddress)",
        level: Level::Should,
        probe: post(first, Expect::Mobile(MobileCheck::User)),
    },
    CaseDef {
        id: "mobilesync/settings/culture",
        description: "Culture of the mobilesync answer",
        requirement: "The mobilesync Response carries Culture",
        source: "MS-ASCMD 2.2.3.40 (Culture: a required child of Response)",
        level: Level::Should,
        probe: post(first, Expect::Mobile(MobileCheck::Culture)),
    },
    CaseDef {
        id: "mobilesync/address/domain-upper",
        description: "a mobilesync request with the domain in upper case",
        requirement: "Domain names are compared case-insensitively, for mobilesync as for Outlook",
        source: "RFC 5321 §2.4; MS-ASCMD 2.2.2.1",
        level: Level::Must,
        probe: post(|c| mobile(&format!("{}@{}", c.local(), c.domain.to_ascii_uppercase())), Expect::Mobile(MobileCheck::Shape)),
    },
    CaseDef {
        id: "mobilesync/errors/unknown-address",
        description: "a mobilesync request for an unknown mailbox",
        requirement: "An unknown mailbox gets a POX Error with ErrorCode 500 (HTTP 200), as for Outlook",
        source: "MS-ASCMD 2.2.2.1; MS-OXDSCLI 2.2.4.1.1.3.2 (500)",
        level: Level::Must,
        probe: post(|c| mobile(&format!("poxspec-no-such-mailbox@{}", c.domain)), Expect::Error(&["500"])),
    },
    CaseDef {
        id: "mobilesync/errors/malformed",
        description: "a mobilesync request cut off inside EMailAddress",
        requirement: "A malformed mobilesync request gets ErrorCode 600 (HTTP 200)",
        source: "MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(
            |c| {
                let t = String::from_utf8(mobile(&c.email)?).ok()?;
                let cut = t.find("</EMailAddress>")?;
                Some(t.as_bytes()[..cut].to_vec())
            },
            Expect::Error(&["600"]),
        ),
    },
];
