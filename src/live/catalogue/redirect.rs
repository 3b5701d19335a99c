//! `redirect/…`: the GET probe and redirect chains (HTTP 3xx, `redirectUrl`, `redirectAddr`).
//! The chain cases follow every named mailbox and judge one property of all the chains.

use super::{CaseDef, ChainCheck, GetCheck, Level, Probe};

/// The cases.
pub static CASES: &[CaseDef] = &[
    CaseDef {
        id: "redirect/get-probe/https",
        description: "unauthenticated GET to http://<host>/autodiscover/autodiscover.xml",
        requirement: "The GET probe answers with a redirect whose Location is https",
        source: "MS-OXDISCO 3.1.5.2 (HTTP redirect method)",
        level: Level::Must,
        probe: Probe::GetProbe(GetCheck::Https),
    },
    CaseDef {
        id: "redirect/get-probe/status-302",
        description: "the status of the GET probe's redirect",
        requirement: "The GET probe's redirect is a 302, the status Outlook and the specification use",
        source: "MS-OXDISCO 3.1.5.2 (302 Found)",
        level: Level::Should,
        probe: Probe::GetProbe(GetCheck::Status302),
    },
    CaseDef {
        id: "redirect/chain/ends",
        description: "the redirect chain of every named mailbox",
        requirement: "Redirects end in settings or an error within 10 hops; a loop is a defect and is named",
        source: "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/redirecturl-pox (stop after 10 redirects); MS-OXDSCLI 3.1.5.1",
        level: Level::Must,
        probe: Probe::Chain(ChainCheck::Ends),
    },
    CaseDef {
        id: "redirect/chain/short",
        description: "the number of redirects before each named mailbox's answer",
        requirement: "Chains are at most 2 redirects long (Thunderbird follows 2, the EWS libraries 10)",
        source: "client behaviour; domain notes §2",
        level: Level::Should,
        probe: Probe::Chain(ChainCheck::Short),
    },
    CaseDef {
        id: "redirect/redirect-url/https",
        description: "every RedirectUrl in the named mailboxes' chains",
        requirement: "A RedirectUrl is an https URL",
        source: "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/redirecturl-pox; MS-OXDSCLI 2.2.4.2.1.1.2.14",
        level: Level::Must,
        probe: Probe::Chain(ChainCheck::RedirectUrlHttps),
    },
    CaseDef {
        id: "redirect/location/https",
        description: "every HTTP redirect Location in the named mailboxes' POST chains",
        requirement: "An HTTP redirect of an Autodiscover POST points at https (a redirect to http sends the request, and any credentials, in clear)",
        source: "MS-OXDSCLI 3.1.5.1 (https); RFC 9110 §17.1",
        level: Level::Must,
        probe: Probe::Chain(ChainCheck::LocationHttps),
    },
    CaseDef {
        id: "redirect/redirect-addr/address",
        description: "every RedirectAddr in the named mailboxes' chains",
        requirement: "A RedirectAddr is an e-mail address, and not the one just asked for",
        source: "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/redirectaddr-pox",
        level: Level::Must,
        probe: Probe::Chain(ChainCheck::RedirectAddrValid),
    },
];
