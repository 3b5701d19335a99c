//! Hostile request bodies: what an attacker or a broken client sends, beyond what the
//! mutation engine derives from valid documents. Each payload names what a correct server must
//! do with it ([`Expect`]).
//!
//! Entity payloads build their marker from two entities (`POXSPEC-` and `ENTITY-ECHO`), so the
//! marker only appears in an answer when the server expanded them; an echo of the raw request
//! does not count.

use super::plan::Expect;
use crate::model::ns::{REQUEST_OUTLOOK, RESPONSE_OUTLOOK};

/// The text that appears in an answer only when the server expanded an entity of a payload.
pub const ENTITY_MARKER: &str = "POXSPEC-ENTITY-ECHO";

/// The start of `/etc/passwd`, which appears in an answer only when an external entity was read.
pub const PASSWD_MARKER: &str = "root:x:0:0:";

/// A payload: its name (the label is `security/NAME`), what a correct server does, and how it
/// is built for an address.
#[derive(Debug, Clone, Copy)]
pub struct Payload {
    /// Stable name.
    pub name: &'static str,
    /// What a correct server answers.
    pub expect: Expect,
    /// One line.
    pub description: &'static str,
    build: fn(&str) -> Vec<u8>,
}

impl Payload {
    /// The request body for `email`.
    pub fn body(&self, email: &str) -> Vec<u8> {
        (self.build)(email)
    }
}

fn request_with(email_xml: &str, before_root: &str, inside_request: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{before_root}<Autodiscover xmlns=\"{REQUEST_OUTLOOK}\">\n  <Request>\n    <EMailAddress>{email_xml}</EMailAddress>\n    <AcceptableResponseSchema>{RESPONSE_OUTLOOK}</AcceptableResponseSchema>{inside_request}\n  </Request>\n</Autodiscover>\n"
    )
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    crate::xml::escape_text(&mut out, s);
    out
}

fn empty(_: &str) -> Vec<u8> {
    Vec::new()
}

fn whitespace(_: &str) -> Vec<u8> {
    b"\r\n \t \r\n".to_vec()
}

fn prolog_only(_: &str) -> Vec<u8> {
    b"<?xml version=\"1.0\" encoding=\"utf-8\"?>".to_vec()
}

fn not_xml(email: &str) -> Vec<u8> {
    format!("EMailAddress={email}&AcceptableResponseSchema={RESPONSE_OUTLOOK}").into_bytes()
}

fn binary(_: &str) -> Vec<u8> {
    (0..=255u8).cycle().take(512).collect()
}

fn invalid_utf8(email: &str) -> Vec<u8> {
    let mut b = request_with("\u{1}MARK", "", "").into_bytes();
    let at = b
        .windows(5)
        .position(|w| w == b"\x01MARK")
        .expect("the marker is there");
    b.splice(
        at..at + 5,
        [&[0xC3u8, 0x28, 0xFF][..], email.as_bytes()].concat(),
    );
    b
}

fn nul_in_text(email: &str) -> Vec<u8> {
    let mut b = request_with(&escape(email), "", "").into_bytes();
    let at = b
        .windows(14)
        .position(|w| w == b"<EMailAddress>")
        .expect("the element is there")
        + 14;
    b.insert(at, 0);
    b
}

fn unclosed_cdata(email: &str) -> Vec<u8> {
    request_with(&format!("<![CDATA[{}", escape(email)), "", "").into_bytes()
}

fn unclosed_comment(email: &str) -> Vec<u8> {
    request_with(&escape(email), "<!-- never closed\n", "").into_bytes()
}

fn mismatched_tags(email: &str) -> Vec<u8> {
    request_with(&escape(email), "", "")
        .replace("</Request>", "</Requests>")
        .into_bytes()
}

fn entity_echo(email: &str) -> Vec<u8> {
    let (local, domain) = email.split_once('@').unwrap_or((email, "example.com"));
    request_with(
        &format!("{}&b;@{}", escape(local), escape(domain)),
        "<!DOCTYPE Autodiscover [\n  <!ENTITY a \"POXSPEC-\">\n  <!ENTITY b \"&a;ENTITY-ECHO\">\n]>\n",
        "",
    )
    .into_bytes()
}

fn billion_laughs(email: &str) -> Vec<u8> {
    let mut dtd = String::from(
        "<!DOCTYPE Autodiscover [\n  <!ENTITY p \"POXSPEC-\">\n  <!ENTITY l0 \"&p;ENTITY-ECHO\">\n",
    );
    for i in 1..=9 {
        let refs = format!("&l{};", i - 1).repeat(10);
        dtd.push_str(&format!("  <!ENTITY l{i} \"{refs}\">\n"));
    }
    dtd.push_str("]>\n");
    let (_, domain) = email.split_once('@').unwrap_or((email, "example.com"));
    request_with(&format!("&l9;@{}", escape(domain)), &dtd, "").into_bytes()
}

fn external_entity(email: &str) -> Vec<u8> {
    let (local, domain) = email.split_once('@').unwrap_or((email, "example.com"));
    request_with(
        &format!("{}&x;@{}", escape(local), escape(domain)),
        "<!DOCTYPE Autodiscover [\n  <!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n",
        "",
    )
    .into_bytes()
}

fn deep_nesting(email: &str) -> Vec<u8> {
    let depth = 100;
    let inner = format!("\n    {}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    request_with(&escape(email), "", &inner).into_bytes()
}

fn many_attributes(email: &str) -> Vec<u8> {
    let attrs: String = (0..5_000).map(|i| format!(" a{i}=\"{i}\"")).collect();
    request_with(&escape(email), "", "")
        .replacen("<Request>", &format!("<Request{attrs}>"), 1)
        .into_bytes()
}

fn long_address(email: &str) -> Vec<u8> {
    let (_, domain) = email.split_once('@').unwrap_or((email, "example.com"));
    request_with(
        &format!("{}@{}", "a".repeat(100_000), escape(domain)),
        "",
        "",
    )
    .into_bytes()
}

fn oversize(email: &str) -> Vec<u8> {
    let comment = format!("<!-- {} -->\n", "x".repeat(2 * 1024 * 1024));
    request_with(&escape(email), &comment, "").into_bytes()
}

fn markup_in_address(_: &str) -> Vec<u8> {
    request_with(&escape("<script>alert(1)</script>'\"@example.com"), "", "").into_bytes()
}

fn utf16_without_bom(email: &str) -> Vec<u8> {
    request_with(&escape(email), "", "")
        .replace("utf-8", "utf-16")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect()
}

fn encoding_lie(email: &str) -> Vec<u8> {
    request_with(&escape(&format!("é{email}")), "", "")
        .replace("utf-8", "us-ascii")
        .into_bytes()
}

fn two_roots(email: &str) -> Vec<u8> {
    let one = request_with(&escape(email), "", "");
    let body = one.split_once("?>").map_or(one.as_str(), |(_, b)| b);
    format!("{one}{body}").into_bytes()
}

macro_rules! payloads {
    ($($f:ident = $name:literal, $expect:ident, $desc:literal;)*) => {
        /// Every payload, in a fixed order.
        pub static PAYLOADS: &[Payload] = &[$(Payload { name: $name, expect: Expect::$expect, description: $desc, build: $f }),*];
    };
}

payloads! {
    empty = "empty-body", Broken, "an empty POST";
    whitespace = "whitespace-body", Broken, "a body of whitespace only";
    prolog_only = "prolog-only", Broken, "an XML declaration and nothing else";
    not_xml = "form-encoded", Broken, "form-encoded fields instead of XML";
    binary = "binary", Broken, "512 bytes of every byte value";
    invalid_utf8 = "invalid-utf8", Broken, "an address with bytes that are not UTF-8";
    nul_in_text = "nul-character", Broken, "a NUL character inside EMailAddress";
    unclosed_cdata = "cdata-unclosed", Broken, "a CDATA section that never ends";
    unclosed_comment = "comment-unclosed", Broken, "a comment before the root that never ends";
    mismatched_tags = "tags-mismatched", Broken, "an end tag that does not match its start tag";
    two_roots = "two-roots", Broken, "the request twice in one body";
    entity_echo = "entity-echo", Broken, "a DTD whose internal entities would put a marker into the address";
    billion_laughs = "entity-expansion", Broken, "nine levels of tenfold entity expansion (a billion laughs)";
    external_entity = "external-entity", Broken, "an external entity naming file:///etc/passwd";
    deep_nesting = "deep-nesting", Either, "100 levels of nested unknown elements inside Request";
    many_attributes = "many-attributes", Either, "5,000 attributes on Request";
    long_address = "long-address", Either, "a 100,000-character address";
    oversize = "oversize-body", Either, "a 2 MiB request";
    markup_in_address = "markup-in-address", Either, "escaped markup and quotes in the address";
    utf16_without_bom = "utf16-no-bom", Either, "UTF-16 without a byte-order mark";
    encoding_lie = "encoding-lie", Either, "UTF-8 bytes declared as us-ascii";
}
