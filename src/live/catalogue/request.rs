//! `request/…`: request variants a conforming server must accept. Each expects the settings of
//! the first named mailbox, exactly as for the canonical request.

use super::{
    email_el, escape, outlook, outlook_with, post, post_typed, post_via, schema_el, CaseDef, Ctx,
    Expect, Level, Transport, DECL,
};
use crate::model::ns::{REQUEST_OUTLOOK, RESPONSE_OUTLOOK};

fn bytes(s: String) -> Option<Vec<u8>> {
    Some(s.into_bytes())
}

fn without_decl(c: &Ctx) -> Option<Vec<u8>> {
    bytes(outlook(&c.email).replacen(&format!("{DECL}\n"), "", 1))
}

fn decl(c: &Ctx, replacement: &str) -> Option<Vec<u8>> {
    bytes(outlook(&c.email).replacen(DECL, replacement, 1))
}

fn utf16(c: &Ctx, big_endian: bool) -> Option<Vec<u8>> {
    let text = outlook(&c.email).replacen("utf-8", "utf-16", 1);
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    Some(out)
}

fn legacy_only(c: &Ctx) -> Option<Vec<u8>> {
    let dn = c.legacy_dn.as_deref()?;
    bytes(outlook_with(&format!(
        "    <LegacyDN>{}</LegacyDN>\n{}",
        escape(dn),
        schema_el(RESPONSE_OUTLOOK)
    )))
}

fn legacy_wins(c: &Ctx) -> Option<Vec<u8>> {
    let dn = c.legacy_dn.as_deref()?;
    bytes(outlook_with(&format!(
        "{}    <LegacyDN>{}</LegacyDN>\n{}",
        email_el(&escape(&c.other)),
        escape(dn),
        schema_el(RESPONSE_OUTLOOK)
    )))
}

fn first_char_reference(c: &Ctx) -> String {
    let mut chars = c.email.chars();
    let first = chars.next().unwrap_or('x');
    format!("&#x{:x};{}", first as u32, escape(chars.as_str()))
}

/// The cases.
pub static CASES: &[CaseDef] = &[
    CaseDef {
        id: "request/declaration/none",
        description: "the canonical request without an XML declaration",
        requirement: "A request without an XML declaration is answered like one with it",
        source: "XML 1.0 §2.8 (the declaration is optional); MS-OXDSCLI 2.2.4.1",
        level: Level::Must,
        probe: post(without_decl, Expect::Settings),
    },
    CaseDef {
        id: "request/declaration/single-quoted-standalone",
        description: "<?xml version='1.0' encoding='utf-8' standalone='yes'?>",
        requirement: "A declaration with single quotes and a standalone pseudo-attribute is read like the usual one",
        source: "XML 1.0 §2.8, §2.9 (either quote; standalone)",
        level: Level::Must,
        probe: post(
            |c| decl(c, "<?xml version='1.0' encoding='utf-8' standalone='yes'?>"),
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/declaration/upper-case-encoding",
        description: "encoding=\"UTF-8\" in the declaration",
        requirement: "Encoding names in the declaration are case-insensitive",
        source: "XML 1.0 §4.3.3 (XML processors should match encoding names case-insensitively)",
        level: Level::Must,
        probe: post(
            |c| decl(c, r#"<?xml version="1.0" encoding="UTF-8"?>"#),
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/namespace/prefixed",
        description: "every element written with a prefix (a:Autodiscover, a:Request, ...)",
        requirement: "A prefixed request namespace is the same namespace as the default one",
        source: "Namespaces in XML 1.0 §6 (only the namespace name matters, not the prefix)",
        level: Level::Must,
        probe: post(
            |c| {
                let t = outlook(&c.email)
                    .replace("<Autodiscover xmlns=", "<a:Autodiscover xmlns:a=")
                    .replace("</", "</a:")
                    .replace("<Request>", "<a:Request>")
                    .replace("<EMailAddress>", "<a:EMailAddress>")
                    .replace("<AcceptableResponseSchema>", "<a:AcceptableResponseSchema>");
                bytes(t)
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/namespace/mixed-prefixes",
        description: "the root with a default namespace, Request and its children with a prefix for the same namespace",
        requirement: "Elements in the request namespace are recognised whatever prefix each one uses",
        source: "Namespaces in XML 1.0 §6",
        level: Level::Must,
        probe: post(
            |c| {
                bytes(format!(
                    "{DECL}\n<Autodiscover xmlns=\"{REQUEST_OUTLOOK}\">\n  <r:Request xmlns:r=\"{REQUEST_OUTLOOK}\">\n    <r:EMailAddress>{}</r:EMailAddress>\n    <r:AcceptableResponseSchema>{RESPONSE_OUTLOOK}</r:AcceptableResponseSchema>\n  </r:Request>\n</Autodiscover>\n",
                    escape(&c.email)
                ))
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/namespace/redeclared",
        description: "the default namespace declared again on every element",
        requirement: "Redundant namespace declarations change nothing",
        source: "Namespaces in XML 1.0 §6.2",
        level: Level::Must,
        probe: post(
            |c| {
                let ns = format!(" xmlns=\"{REQUEST_OUTLOOK}\">");
                bytes(
                    outlook(&c.email)
                        .replace("<Request>", &format!("<Request{ns}"))
                        .replace("<EMailAddress>", &format!("<EMailAddress{ns}"))
                        .replace(
                            "<AcceptableResponseSchema>",
                            &format!("<AcceptableResponseSchema{ns}"),
                        ),
                )
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/namespace/https-lookalike",
        description: "the request namespace written with https:// as Microsoft's reference pages print it",
        requirement: "The sources are silent: accepting the look-alike is kind to clients that copied the documentation, error 600 is also defensible; poxspec prefers settings. A 5xx is never acceptable",
        source: "implementation-defined; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/autodiscover-pox (prints https://)",
        level: Level::ImplementationDefined,
        probe: post(
            |c| bytes(outlook(&c.email).replace("xmlns=\"http://", "xmlns=\"https://")),
            Expect::Tolerant,
        ),
    },
    CaseDef {
        id: "request/encoding/utf8-bom",
        description: "the canonical request preceded by a UTF-8 byte-order mark",
        requirement: "A UTF-8 byte-order mark is read and ignored",
        source: "XML 1.0 §4.3.3, appendix F.1; RFC 7303 §3",
        level: Level::Must,
        probe: post(
            |c| {
                let mut b = vec![0xEF, 0xBB, 0xBF];
                b.extend_from_slice(outlook(&c.email).as_bytes());
                Some(b)
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/encoding/utf16le-bom",
        description: "the request in UTF-16 little-endian with a byte-order mark (charset=utf-16)",
        requirement: "A UTF-16 request is read: every XML processor must accept UTF-16, though the User page asks clients for UTF-8",
        source: "XML 1.0 §4.3.3 (processors MUST accept UTF-16); https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/user-pox (UTF-8)",
        level: Level::Should,
        probe: post_typed(Some("text/xml; charset=utf-16"), |c| utf16(c, false), Expect::Settings),
    },
    CaseDef {
        id: "request/encoding/utf16be-bom",
        description: "the request in UTF-16 big-endian with a byte-order mark (charset=utf-16)",
        requirement: "A big-endian UTF-16 request is read like a little-endian one",
        source: "XML 1.0 §4.3.3, appendix F.1",
        level: Level::Should,
        probe: post_typed(Some("text/xml; charset=utf-16"), |c| utf16(c, true), Expect::Settings),
    },
    CaseDef {
        id: "request/whitespace/crlf",
        description: "the canonical request with CRLF line ends",
        requirement: "CRLF line ends are normalised like LF",
        source: "XML 1.0 §2.11 (end-of-line handling)",
        level: Level::Must,
        probe: post(|c| bytes(outlook(&c.email).replace('\n', "\r\n")), Expect::Settings),
    },
    CaseDef {
        id: "request/whitespace/one-line",
        description: "the canonical request on a single line, no whitespace between elements",
        requirement: "Whitespace between elements is insignificant; a one-line request is the same request",
        source: "XML 1.0 §2.10",
        level: Level::Must,
        probe: post(
            |c| {
                let t: String = outlook(&c.email)
                    .lines()
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("");
                bytes(t)
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/order/schema-first",
        description: "AcceptableResponseSchema before EMailAddress",
        requirement: "The children of Request are recognised in any order",
        source: "MS-OXDSCLI 2.2.4.1.1 (the Outlook request schema fixes no order); Exchange accepts either",
        level: Level::Must,
        probe: post(
            |c| {
                bytes(outlook_with(&format!(
                    "{}{}",
                    schema_el(RESPONSE_OUTLOOK),
                    email_el(&escape(&c.email))
                )))
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/legacydn/only",
        description: "LegacyDN instead of EMailAddress",
        requirement: "A request that names the mailbox by LegacyDN alone gets that mailbox's settings",
        source: "MS-OXDSCLI 2.2.4.1.1.1; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/legacydn-pox",
        level: Level::Must,
        probe: post(legacy_only, Expect::Settings),
    },
    CaseDef {
        id: "request/legacydn/wins",
        description: "EMailAddress of another mailbox together with the first mailbox's LegacyDN",
        requirement: "When a request carries both, the server uses LegacyDN",
        source: "MS-OXDSCLI 2.2.4.1.1.1 (LegacyDN takes precedence); https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/legacydn-pox",
        level: Level::Must,
        probe: post(legacy_wins, Expect::Settings),
    },
    CaseDef {
        id: "request/escape/character-reference",
        description: "the address's first character written as a character reference (&#x..;)",
        requirement: "Character references in the address are resolved before the lookup",
        source: "XML 1.0 §4.1",
        level: Level::Must,
        probe: post(
            |c| {
                bytes(outlook_with(&format!(
                    "{}{}",
                    email_el(&first_char_reference(c)),
                    schema_el(RESPONSE_OUTLOOK)
                )))
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/escape/cdata",
        description: "the address inside a CDATA section",
        requirement: "A CDATA section is the same text as its content",
        source: "XML 1.0 §2.7",
        level: Level::Must,
        probe: post(
            |c| {
                bytes(outlook_with(&format!(
                    "{}{}",
                    email_el(&format!("<![CDATA[{}]]>", c.email)),
                    schema_el(RESPONSE_OUTLOOK)
                )))
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/escape/comment-in-address",
        description: "a comment splitting the address (chris<!-- -->@contoso.com)",
        requirement: "Comments are not part of an element's text",
        source: "XML 1.0 §2.5",
        level: Level::Must,
        probe: post(
            |c| {
                let (l, d) = (c.local(), &c.domain);
                bytes(outlook_with(&format!(
                    "{}{}",
                    email_el(&format!("{}<!-- poxspec -->@{}", escape(l), escape(d))),
                    schema_el(RESPONSE_OUTLOOK)
                )))
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/content-type/text-xml-charset",
        description: "Content-Type: text/xml; charset=utf-8 (what Outlook sends)",
        requirement: "A request labelled text/xml; charset=utf-8 is accepted",
        source: "MS-OXDSCLI 2.1 (POST of text/xml); RFC 7303 §3.1",
        level: Level::Must,
        probe: post_typed(Some("text/xml; charset=utf-8"), |c| bytes(outlook(&c.email)), Expect::Settings),
    },
    CaseDef {
        id: "request/content-type/text-xml",
        description: "Content-Type: text/xml without a charset",
        requirement: "A request labelled text/xml without a charset is accepted (the declaration names the encoding)",
        source: "MS-OXDSCLI 2.1; RFC 7303 §3.1, §8.1",
        level: Level::Must,
        probe: post_typed(Some("text/xml"), |c| bytes(outlook(&c.email)), Expect::Settings),
    },
    CaseDef {
        id: "request/content-type/application-xml",
        description: "Content-Type: application/xml",
        requirement: "application/xml is the same media type as text/xml for this purpose and is accepted",
        source: "RFC 7303 §9.2 (text/xml is an alias of application/xml)",
        level: Level::Should,
        probe: post_typed(Some("application/xml"), |c| bytes(outlook(&c.email)), Expect::Settings),
    },
    CaseDef {
        id: "request/content-type/none",
        description: "no Content-Type header at all",
        requirement: "The sources are silent: poxspec prefers settings (the body is self-describing XML); error 600 is also acceptable; a 5xx is not",
        source: "implementation-defined; RFC 9110 §8.3 (a recipient may sniff a missing type)",
        level: Level::ImplementationDefined,
        probe: post_typed(None, |c| bytes(outlook(&c.email)), Expect::Tolerant),
    },
    CaseDef {
        id: "request/extension/unknown-element",
        description: "an extra element the server does not know inside Request",
        requirement: "Unknown elements in a request are ignored, so that clients can add elements without breaking servers",
        source: "MS-OXDSCLI is silent on extensions; must-ignore is the XML convention newer clients rely on",
        level: Level::Should,
        probe: post(
            |c| {
                bytes(outlook_with(&format!(
                    "{}{}    <PoxspecExtension>ignore me</PoxspecExtension>\n",
                    email_el(&escape(&c.email)),
                    schema_el(RESPONSE_OUTLOOK)
                )))
            },
            Expect::Settings,
        ),
    },
    CaseDef {
        id: "request/transfer/chunked",
        description: "the body sent with Transfer-Encoding: chunked, in several chunks",
        requirement: "A chunked request body is read like one with a Content-Length",
        source: "RFC 9112 §7.1 (a recipient MUST be able to parse the chunked coding)",
        level: Level::Must,
        probe: post_via(Transport::Chunked, |c| bytes(outlook(&c.email)), Expect::Settings),
    },
    CaseDef {
        id: "request/transfer/expect-continue",
        description: "Expect: 100-continue (as .NET clients send by default)",
        requirement: "A request with Expect: 100-continue is answered (100 then the final status, or the final status directly)",
        source: "RFC 9110 §10.1.1",
        level: Level::Must,
        probe: post_via(Transport::ExpectContinue, |c| bytes(outlook(&c.email)), Expect::Settings),
    },
    CaseDef {
        id: "request/declaration/no-encoding",
        description: "<?xml version=\"1.0\"?> without an encoding declaration",
        requirement: "A declaration without encoding means UTF-8 and is read like the usual one",
        source: "XML 1.0 §4.3.3 (no encoding declaration and no BOM: UTF-8)",
        level: Level::Must,
        probe: post(|c| decl(c, r#"<?xml version="1.0"?>"#), Expect::Settings),
    },
];
