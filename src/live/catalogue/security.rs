//! `security/…`: hostile requests. Each must be refused cleanly (a 4xx, or a POX Error 600
//! with HTTP 200) within the client's timeout: never settings, a 5xx, a hang, an echo of a
//! local file, or a request to the checker's loopback listener. Skippable as a group with
//! `--skip 'security/*'` (for servers one may not probe this way).

use super::{
    email_el, escape, outlook, outlook_with, post, post_via, schema_el, CaseDef, Ctx, Expect,
    Level, Transport, DECL,
};
use crate::model::ns::{REQUEST_OUTLOOK, RESPONSE_OUTLOOK};

/// The request with `doctype` after the declaration and `address_xml` as the address.
fn with_doctype(doctype: &str, address_xml: &str) -> Option<Vec<u8>> {
    let body = outlook_with(&format!(
        "{}{}",
        email_el(address_xml),
        schema_el(RESPONSE_OUTLOOK)
    ));
    Some(
        body.replacen(DECL, &format!("{DECL}\n{doctype}"), 1)
            .into_bytes(),
    )
}

const OWASP: &str = "OWASP XML External Entity Prevention Cheat Sheet; MS-OXDSCLI 2.2 (no DTD is defined); 2.2.4.1.1.3.2 (600)";

/// The cases.
pub static CASES: &[CaseDef] = &[
    CaseDef {
        id: "security/entity/internal",
        description: "a DOCTYPE declaring an internal entity that expands to the mailbox's address, used as EMailAddress",
        requirement: "The protocol defines no DTD: a request with a DOCTYPE is refused (4xx or error 600), its entities never expanded into a lookup",
        source: OWASP,
        level: Level::Must,
        probe: post(
            |c: &Ctx| with_doctype(&format!("<!DOCTYPE Autodiscover [<!ENTITY who \"{}\">]>", escape(&c.email)), "&who;"),
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/entity/billion-laughs",
        description: "nine levels of entities, each ten times the one before (10^9 'lol's), in EMailAddress",
        requirement: "Exponential entity expansion is refused at once (4xx or error 600), not attempted",
        source: "CVE-2003-1564 (billion laughs); OWASP XXE cheat sheet",
        level: Level::Must,
        probe: post(
            |_| {
                let mut d = String::from("<!DOCTYPE Autodiscover [\n <!ENTITY lol0 \"lol\">\n");
                for i in 1..=9 {
                    let refs = format!("&lol{};", i - 1).repeat(10);
                    d.push_str(&format!(" <!ENTITY lol{i} \"{refs}\">\n"));
                }
                d.push_str("]>");
                with_doctype(&d, "&lol9;")
            },
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/entity/quadratic-blowup",
        description: "one 40,000-character entity referenced 500 times in EMailAddress (20 MB expanded)",
        requirement: "Quadratic entity expansion is refused (4xx or error 600) in bounded time",
        source: "OWASP XXE cheat sheet (quadratic blowup)",
        level: Level::Must,
        probe: post(
            |_| {
                let d = format!("<!DOCTYPE Autodiscover [<!ENTITY a \"{}\">]>", "a".repeat(40_000));
                with_doctype(&d, &"&a;".repeat(500))
            },
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/xxe/local-file",
        description: "an external entity naming a file the checker wrote (file:///.../poxspec-xxe-<token>), used as EMailAddress",
        requirement: "External entities are never resolved: the answer is a clean refusal and never contains the file's content. Only a server on the checker's machine can see the file; elsewhere the case proves only the refusal",
        source: "CWE-611; OWASP XXE cheat sheet",
        level: Level::Must,
        probe: post(
            |c: &Ctx| with_doctype(&format!("<!DOCTYPE Autodiscover [<!ENTITY x SYSTEM \"file://{}\">]>", c.marker_path), "&x;"),
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/xxe/etc-passwd",
        description: "an external entity naming file:///etc/passwd, used as EMailAddress",
        requirement: "External entities are never resolved: the answer is a clean refusal that contains no passwd line (root:x:0:0)",
        source: "CWE-611; OWASP XXE cheat sheet",
        level: Level::Must,
        probe: post(
            |_| with_doctype("<!DOCTYPE Autodiscover [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>", "&x;"),
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/xxe/http-entity",
        description: "an external entity naming an http URL on the checker's loopback listener",
        requirement: "External entities are never fetched: the checker's listener receives no request, and the answer is a clean refusal. Only a server on the checker's machine can reach the listener",
        source: "CWE-611, CWE-918 (SSRF); OWASP XXE cheat sheet",
        level: Level::Must,
        probe: post(
            |c: &Ctx| with_doctype(&format!("<!DOCTYPE Autodiscover [<!ENTITY x SYSTEM \"{}\">]>", c.fetch_url("security/xxe/http-entity")), "&x;"),
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/xxe/external-dtd",
        description: "a DOCTYPE whose external subset is an http URL on the checker's loopback listener",
        requirement: "An external DTD is never fetched; the request is refused cleanly",
        source: "CWE-611, CWE-918; OWASP XXE cheat sheet",
        level: Level::Must,
        probe: post(
            |c: &Ctx| with_doctype(&format!("<!DOCTYPE Autodiscover SYSTEM \"{}\">", c.fetch_url("security/xxe/external-dtd")), &escape(&c.email)),
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/xxe/parameter-entity",
        description: "an external parameter entity (%p;) naming an http URL on the checker's loopback listener",
        requirement: "External parameter entities are never fetched (the out-of-band XXE channel); the request is refused cleanly",
        source: "CWE-611; OWASP XXE cheat sheet (blind XXE)",
        level: Level::Must,
        probe: post(
            |c: &Ctx| with_doctype(&format!("<!DOCTYPE Autodiscover [<!ENTITY % p SYSTEM \"{}\"> %p;]>", c.fetch_url("security/xxe/parameter-entity")), &escape(&c.email)),
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/xinclude/local-file",
        description: "an XInclude of the checker's marker file as text inside EMailAddress",
        requirement: "XInclude is not processed: the answer never contains the file's content; error 500 or 600 are the clean answers",
        source: "CWE-611; W3C XInclude 1.0 (processing is opt-in)",
        level: Level::Must,
        probe: post(
            |c: &Ctx| {
                let inc = format!("<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"file://{}\" parse=\"text\"/>", c.marker_path);
                Some(outlook_with(&format!("{}{}", email_el(&inc), schema_el(RESPONSE_OUTLOOK))).into_bytes())
            },
            Expect::Error(&["500", "600"]),
        ),
    },
    CaseDef {
        id: "security/depth/10000",
        description: "10,000 nested elements inside Request",
        requirement: "Pathological nesting is refused (4xx or error 600) in bounded time, without exhausting the stack (a hardening limit: a server that parses it and answers is not broken, hence SHOULD; a 5xx or a hang is an error)",
        source: "CWE-674; MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Should,
        probe: post(
            |c: &Ctx| {
                let nest = format!("{}{}", "<x>".repeat(10_000), "</x>".repeat(10_000));
                Some(outlook_with(&format!("{}{}    {nest}\n", email_el(&escape(&c.email)), schema_el(RESPONSE_OUTLOOK))).into_bytes())
            },
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/attributes/10000",
        description: "10,000 attributes on the Request element",
        requirement: "Pathological attribute counts are refused (4xx or error 600) in bounded time (a hardening limit, hence SHOULD; a 5xx or a hang is an error)",
        source: "CWE-770; MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Should,
        probe: post(
            |c: &Ctx| {
                let attrs: String = (0..10_000).map(|i| format!(" a{i}=\"x\"")).collect();
                Some(outlook(&c.email).replacen("<Request>", &format!("<Request{attrs}>"), 1).into_bytes())
            },
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/size/2mib",
        description: "a 2 MiB request (a valid request padded with a comment)",
        requirement: "An oversize request is refused cleanly: 413 (or another 4xx) or error 600, never a crash or a hang",
        source: "RFC 9110 §15.5.14 (413); MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(
            |c: &Ctx| {
                let t = outlook(&c.email);
                Some(t.replacen(DECL, &format!("{DECL}\n<!-- {} -->", "x".repeat(2 * 1024 * 1024)), 1).into_bytes())
            },
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/encoding/invalid-utf8",
        description: "invalid UTF-8 bytes (0xC3 0x28, 0xFF) inside EMailAddress of a request declared UTF-8",
        requirement: "Bytes that are not the declared encoding make the request not well-formed: refused cleanly (4xx or error 600)",
        source: "XML 1.0 §4.3.3 (an encoding error is fatal); MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(
            |c: &Ctx| {
                let t = outlook(&c.email);
                let at = t.find("</EMailAddress>")?;
                let mut b = t.as_bytes()[..at].to_vec();
                b.extend_from_slice(&[0xC3, 0x28, 0xFF]);
                b.extend_from_slice(&t.as_bytes()[at..]);
                Some(b)
            },
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/encoding/nul-byte",
        description: "a NUL byte inside EMailAddress",
        requirement: "A NUL is not an XML character: the request is refused cleanly (4xx or error 600), and never truncates the lookup to the part before it",
        source: "XML 1.0 §2.2 (Char); CWE-158",
        level: Level::Must,
        probe: post(
            |c: &Ctx| Some(outlook(&c.email).replacen("</EMailAddress>", "\0poxspec</EMailAddress>", 1).into_bytes()),
            Expect::Refused,
        ),
    },
    CaseDef {
        id: "security/slow/one-byte-per-second",
        description: "a valid request whose body is sent one byte per second (slowloris)",
        requirement: "A server bounds how long it waits for a request body: within the checker's slow-body window (--slow-body, 10 s) it answers (408 or another 4xx, or error 600) or closes the connection; never waits without bound",
        source: "RFC 9112 §9.5 (servers may close idle connections); CWE-400; Apache mod_reqtimeout, nginx client_body_timeout",
        level: Level::Should,
        probe: post_via(Transport::Slow, |c: &Ctx| Some(outlook(&c.email).into_bytes()), Expect::Refused),
    },
    CaseDef {
        id: "security/injection/error-message",
        description: "an address in an unknown domain holding escaped markup (</Message><PoxspecInjected/>...) that a server echoing it unescaped would turn into elements",
        requirement: "Text from the request is escaped in the answer: whatever the server answers (error 500 is usual), no element the request injected appears in it",
        source: "CWE-91 (XML injection); XML 1.0 §2.4",
        level: Level::Must,
        probe: post(
            |c: &Ctx| {
                let _ = c;
                let evil = "poxspec&lt;/Message&gt;&lt;PoxspecInjected/&gt;&lt;Message&gt;@poxspec-unknown.invalid";
                Some(format!("{DECL}\n<Autodiscover xmlns=\"{REQUEST_OUTLOOK}\">\n  <Request>\n{}{}  </Request>\n</Autodiscover>\n", email_el(evil), schema_el(RESPONSE_OUTLOOK)).into_bytes())
            },
            Expect::NotInjected,
        ),
    },
];
