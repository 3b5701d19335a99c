//! `errors/…`: invalid requests. Each must get HTTP 200 with a well-formed POX `Error` and the
//! documented `ErrorCode` (600: invalid request), so that the client learns why.

use super::{
    email_el, escape, outlook, outlook_with, post, post_typed, schema_el, CaseDef, Ctx, Expect,
    Level, DECL,
};
use crate::model::ns::{REQUEST_OUTLOOK, RESPONSE_MOBILESYNC, RESPONSE_OUTLOOK, RESPONSE_ROOT};

const INVALID: &[&str] = &["600"];
const SOURCE: &str =
    "MS-OXDSCLI 2.2.4.1.1.3.2 (600: invalid request); 3.1.5 (errors travel as HTTP 200 bodies)";

fn bytes(s: String) -> Option<Vec<u8>> {
    Some(s.into_bytes())
}

/// The cases.
pub static CASES: &[CaseDef] = &[
    CaseDef {
        id: "errors/malformed/unclosed",
        description: "a request cut off inside EMailAddress (no closing tags)",
        requirement: "A request that is not well-formed XML gets ErrorCode 600",
        source: SOURCE,
        level: Level::Must,
        probe: post(
            |c: &Ctx| bytes(format!("{DECL}\n<Autodiscover xmlns=\"{REQUEST_OUTLOOK}\">\n  <Request>\n    <EMailAddress>{}", escape(&c.email))),
            Expect::Error(INVALID),
        ),
    },
    CaseDef {
        id: "errors/malformed/truncated",
        description: "the canonical request cut in the middle of a tag",
        requirement: "A truncated request gets ErrorCode 600",
        source: SOURCE,
        level: Level::Must,
        probe: post(
            |c: &Ctx| {
                let t = outlook(&c.email);
                let cut = t.find("</EMailAddress>").map_or(t.len() / 2, |i| i + 6);
                Some(t.as_bytes()[..cut].to_vec())
            },
            Expect::Error(INVALID),
        ),
    },
    CaseDef {
        id: "errors/malformed/mismatched-tags",
        description: "EMailAddress closed by </EmailAddress>",
        requirement: "Mismatched tags make the request not well-formed: ErrorCode 600",
        source: SOURCE,
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(outlook(&c.email).replacen("</EMailAddress>", "</EmailAddress>", 1)), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/malformed/undeclared-prefix",
        description: "elements with a prefix that no xmlns declares",
        requirement: "An undeclared prefix is a namespace well-formedness error: ErrorCode 600",
        source: "Namespaces in XML 1.0 §5 (namespace constraint: prefix declared); MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(
            |c: &Ctx| bytes(format!("{DECL}\n<x:Autodiscover><x:Request><x:EMailAddress>{}</x:EMailAddress><x:AcceptableResponseSchema>{RESPONSE_OUTLOOK}</x:AcceptableResponseSchema></x:Request></x:Autodiscover>\n", escape(&c.email))),
            Expect::Error(INVALID),
        ),
    },
    CaseDef {
        id: "errors/malformed/trailing-garbage",
        description: "a second root element after the request",
        requirement: "Content after the root element makes the request not well-formed: ErrorCode 600",
        source: "XML 1.0 §2.1 (exactly one root); MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(format!("{}<Autodiscover/>\n", outlook(&c.email))), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/malformed/json",
        description: "a JSON body ({\"EMailAddress\": ...}) labelled text/xml",
        requirement: "A body that is not XML at all gets ErrorCode 600",
        source: SOURCE,
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(format!("{{\"EMailAddress\": \"{}\"}}", c.email)), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/malformed/binary",
        description: "256 bytes of binary noise",
        requirement: "Binary noise gets ErrorCode 600",
        source: SOURCE,
        level: Level::Must,
        probe: post(|_| Some((0..=255u8).map(|b| b.wrapping_mul(37).wrapping_add(11)).collect()), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/empty/body",
        description: "an empty POST body",
        requirement: "An empty request gets ErrorCode 600",
        source: SOURCE,
        level: Level::Must,
        probe: post(|_| Some(Vec::new()), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/empty/whitespace",
        description: "a body of spaces and newlines only",
        requirement: "A request of whitespace only gets ErrorCode 600",
        source: SOURCE,
        level: Level::Must,
        probe: post(|_| Some(b"  \n\t\n  ".to_vec()), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/structure/wrong-root",
        description: "the Request wrapped in <Discover> instead of <Autodiscover>",
        requirement: "A request whose root is not Autodiscover gets ErrorCode 600, not settings found by searching the document",
        source: "MS-OXDSCLI 2.2.4.1 (root Autodiscover); 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(outlook(&c.email).replace("<Autodiscover ", "<Discover ").replace("</Autodiscover>", "</Discover>")), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/structure/no-request",
        description: "EMailAddress and AcceptableResponseSchema directly under Autodiscover, no Request",
        requirement: "A request without the Request element gets ErrorCode 600",
        source: "MS-OXDSCLI 2.2.4.1.1 (Request is required); 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(outlook(&c.email).replace("  <Request>\n", "").replace("  </Request>\n", "")), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/structure/two-requests",
        description: "two Request elements, for two different mailboxes",
        requirement: "A request with two Request elements is invalid (the schema allows one): ErrorCode 600, not the settings of either mailbox",
        source: "MS-OXDSCLI 2.2.4.1.1 (one Request); 2.2.4.1.1.3.2 (600)",
        level: Level::Should,
        probe: post(
            |c: &Ctx| {
                let one = |a: &str| format!("  <Request>\n{}{}  </Request>\n", email_el(&escape(a)), schema_el(RESPONSE_OUTLOOK));
                bytes(format!("{DECL}\n<Autodiscover xmlns=\"{REQUEST_OUTLOOK}\">\n{}{}</Autodiscover>\n", one(&c.email), one(&c.other)))
            },
            Expect::Error(INVALID),
        ),
    },
    CaseDef {
        id: "errors/structure/no-emailaddress",
        description: "a Request with AcceptableResponseSchema but neither EMailAddress nor LegacyDN",
        requirement: "A request that names no mailbox gets ErrorCode 600",
        source: "MS-OXDSCLI 2.2.4.1.1.1 (EMailAddress or LegacyDN is required); 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|_| bytes(outlook_with(&schema_el(RESPONSE_OUTLOOK))), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/structure/empty-request",
        description: "an empty <Request/>",
        requirement: "An empty Request gets ErrorCode 600",
        source: SOURCE,
        level: Level::Must,
        probe: post(|_| bytes(format!("{DECL}\n<Autodiscover xmlns=\"{REQUEST_OUTLOOK}\"><Request/></Autodiscover>\n")), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/structure/response-document",
        description: "a mobilesync response document (which holds User/EMailAddress) POSTed as if it were a request",
        requirement: "A response document is not a request: ErrorCode 600, not settings for the address found inside it",
        source: "MS-OXDSCLI 2.2.4.1 (request root in a request namespace); 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(
            |c: &Ctx| bytes(format!("{DECL}\n<Autodiscover xmlns=\"{RESPONSE_ROOT}\">\n  <Response xmlns=\"{RESPONSE_MOBILESYNC}\">\n    <User>\n{}    </User>\n  </Response>\n</Autodiscover>\n", email_el(&escape(&c.email)))),
            Expect::Error(INVALID),
        ),
    },
    CaseDef {
        id: "errors/structure/no-schema",
        description: "a Request with EMailAddress but no AcceptableResponseSchema",
        requirement: "The sources disagree in effect: the element is required by MS-OXDSCLI, yet some servers default to the Outlook schema. Error 600 or Outlook settings are both accepted; a 5xx is not",
        source: "implementation-defined; MS-OXDSCLI 2.2.4.1.1.1 (AcceptableResponseSchema required)",
        level: Level::ImplementationDefined,
        probe: post(|c: &Ctx| bytes(outlook_with(&email_el(&escape(&c.email)))), Expect::Tolerant),
    },
    CaseDef {
        id: "errors/structure/no-namespace",
        description: "the canonical request with no namespace at all",
        requirement: "The sources are silent on requests outside the namespace: error 600 is the strict answer, settings the lenient one; a 5xx is not acceptable",
        source: "implementation-defined; MS-OXDSCLI 2.2.4.1 (the request namespace)",
        level: Level::ImplementationDefined,
        probe: post(|c: &Ctx| bytes(outlook(&c.email).replace(&format!(" xmlns=\"{REQUEST_OUTLOOK}\""), "")), Expect::Tolerant),
    },
    CaseDef {
        id: "errors/malformed/unclosed-comment",
        description: "a comment that is never closed before the end of the request",
        requirement: "An unterminated comment makes the request not well-formed: ErrorCode 600",
        source: "XML 1.0 §2.5; MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(outlook(&c.email).replacen("<Request>", "<Request><!-- never closed", 1)), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/malformed/undefined-entity",
        description: "an undefined entity reference (&nbsp;) inside EMailAddress",
        requirement: "A reference to an undeclared entity is a well-formedness error: ErrorCode 600",
        source: "XML 1.0 §4.1 (WFC: Entity Declared); MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(outlook(&c.email).replacen("</EMailAddress>", "&nbsp;</EMailAddress>", 1)), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/malformed/unquoted-attribute",
        description: "an attribute value without quotes on Request",
        requirement: "An unquoted attribute value makes the request not well-formed: ErrorCode 600",
        source: "XML 1.0 §3.1 (AttValue is quoted); MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(outlook(&c.email).replacen("<Request>", "<Request id=poxspec>", 1)), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/malformed/text-before-root",
        description: "text before the XML declaration",
        requirement: "Content before the declaration makes the request not well-formed: ErrorCode 600",
        source: "XML 1.0 §2.8 (the declaration, when present, comes first); MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(format!("poxspec{}", outlook(&c.email))), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/malformed/bom-only",
        description: "a body of a UTF-8 byte-order mark and nothing else",
        requirement: "A document without a root element gets ErrorCode 600",
        source: "XML 1.0 §2.1 (a document has a root element); MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|_| Some(vec![0xEF, 0xBB, 0xBF]), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/malformed/prolog-only",
        description: "an XML declaration and nothing else",
        requirement: "A document of a prolog alone has no root element: ErrorCode 600",
        source: "XML 1.0 §2.1 (document ::= prolog element Misc*); MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|_| bytes(format!("{DECL}\n")), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/malformed/unclosed-cdata",
        description: "a CDATA section inside EMailAddress that is never closed",
        requirement: "An unterminated CDATA section makes the request not well-formed: ErrorCode 600",
        source: "XML 1.0 §2.7; MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        level: Level::Must,
        probe: post(|c: &Ctx| bytes(outlook(&c.email).replacen("<EMailAddress>", "<EMailAddress><![CDATA[", 1)), Expect::Error(INVALID)),
    },
    CaseDef {
        id: "errors/encoding/utf16-no-bom",
        description: "the canonical request in UTF-16 little-endian without a byte-order mark, declared utf-16 (charset=utf-16)",
        requirement: "XML 1.0 says a UTF-16 entity MUST begin with a byte-order mark, yet its appendix F (non-normative) shows how to detect UTF-16 from the first bytes. Implementation-defined: the mailbox's settings (detected) or error 600 (refused) are both accepted; a 5xx is not",
        source: "implementation-defined; XML 1.0 §4.3.3 (UTF-16 begins with a BOM), appendix F.1 (detection without a BOM)",
        level: Level::ImplementationDefined,
        probe: post_typed(
            Some("text/xml; charset=utf-16"),
            |c: &Ctx| {
                let text = outlook(&c.email).replacen("utf-8", "utf-16", 1);
                Some(text.encode_utf16().flat_map(u16::to_le_bytes).collect())
            },
            Expect::Tolerant,
        ),
    },
    CaseDef {
        id: "errors/encoding/declared-ascii",
        description: "a request declared encoding=\"us-ascii\" whose bytes are UTF-8 with non-ASCII characters (in a comment, the address itself stays ASCII)",
        requirement: "Bytes outside the declared encoding are a fatal error to a strict processor (error 600), while many read US-ASCII as the UTF-8 it is a subset of (settings). Implementation-defined: both are accepted; a 5xx is not",
        source: "implementation-defined; XML 1.0 §4.3.3 (an encoding error is fatal); RFC 7303 §3",
        level: Level::ImplementationDefined,
        probe: post(
            |c: &Ctx| {
                let text = outlook(&c.email)
                    .replacen("encoding=\"utf-8\"", "encoding=\"us-ascii\"", 1)
                    .replacen("<Request>", "<Request><!-- Café Zürich, 東京 -->", 1);
                bytes(text)
            },
            Expect::Tolerant,
        ),
    },
];
