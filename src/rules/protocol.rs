//! Checks of `Protocol` and its values, on/off values included.

use super::catalogue::*;
use super::ctx::Ctx;
use super::structure::{once_each, text_only, unknown};
use super::values::{decimal, http_url_scheme};
use crate::model::fields::*;
use crate::model::{EndpointItem, Entry, Flag, Group, OnOffClass, Protocol, ProtocolItem};

/// Type values the documentation names or implies.
pub const DOCUMENTED_TYPES: &[&str] = &[
    "EXCH", "EXPR", "EXHTTP", "WEB", "POP3", "IMAP", "SMTP", "DAV", "NNTP",
];

/// Type spellings that are mistakes for a documented value, not extensions.
const TYPE_NEAR_MISSES: &[(&str, &str)] = &[
    ("POP", "POP3"),
    ("POPS", "POP3"),
    ("POP3S", "POP3"),
    ("IMAP4", "IMAP"),
    ("IMAPS", "IMAP"),
    ("IMAP4S", "IMAP"),
    ("SMTPS", "SMTP"),
    ("ESMTP", "SMTP"),
    ("SUBMISSION", "SMTP"),
];

const URL_FIELDS: &[ProtocolField] = &[
    ProtocolField::ASUrl,
    ProtocolField::EwsUrl,
    ProtocolField::EmwsUrl,
    ProtocolField::EcpUrl,
    ProtocolField::OOFUrl,
    ProtocolField::OABUrl,
    ProtocolField::UMUrl,
    ProtocolField::SharingUrl,
    ProtocolField::EwsPartnerUrl,
];

/// The AuthPackage page's values, then `anonymous`, which the page does not list but Exchange
/// Online writes in its EXCH and EXPR blocks (what Microsoft's service sends is conformant for
/// every client that works with Office 365). Compared ignoring case: Exchange writes `Basic`,
/// `Ntlm`, `Negotiate`, `Anonymous`.
const AUTH_PACKAGES: &[&str] = &[
    "basic",
    "kerb",
    "kerbntlm",
    "ntlm",
    "certificate",
    "negotiate",
    "nego2",
    "anonymous",
];

const IMPLICIT_TLS_PORTS: &[u64] = &[993, 995, 465];

/// Whether `kind` is one of the mail protocols whose settings a client types in by hand.
pub fn is_mail_kind(kind: Option<&str>) -> bool {
    matches!(kind, Some("POP3" | "IMAP" | "SMTP"))
}

pub(crate) fn check(ctx: &mut Ctx, p: &Protocol) {
    let kind = p.kind();
    for i in &p.items {
        match i {
            ProtocolItem::Field(f, l) => text_only(ctx, f.as_str(), l),
            ProtocolItem::Switch(s, f) => {
                text_only(ctx, s.as_str(), &f.leaf);
                on_off(ctx, *s, f);
            }
            ProtocolItem::Internal(e) | ProtocolItem::External(e) => {
                let parent = match i {
                    ProtocolItem::Internal(_) => "Internal",
                    _ => "External",
                };
                for item in &e.items {
                    match item {
                        EndpointItem::OwaUrl(l) => {
                            text_only(ctx, "OWAUrl", l);
                            url(ctx, "OWAUrl", &l.meta.loc, &l.text);
                        }
                        EndpointItem::Protocol(np) => check(ctx, np),
                        EndpointItem::Unknown(a) => unknown(ctx, parent, a),
                    }
                }
            }
            ProtocolItem::MailStore(g) => mapi_urls(ctx, "MailStore", g),
            ProtocolItem::AddressBook(g) => mapi_urls(ctx, "AddressBook", g),
            ProtocolItem::NetworkRequirements(g) => {
                for e in &g.entries {
                    match e {
                        Entry::Field(f, l) => text_only(ctx, f.as_str(), l),
                        Entry::Unknown(a) => unknown(ctx, "NetworkRequirements", a),
                    }
                }
            }
            ProtocolItem::Unknown(a) => unknown(ctx, "Protocol", a),
        }
    }
    // Fields and switches share one table of slots, the switches' after the fields'.
    const { assert!(ProtocolField::COUNT + SwitchField::COUNT <= 64) };
    let named = p.items.iter().filter_map(|i| match i {
        ProtocolItem::Field(f, l) => Some((f.index(), f.name(), &l.meta.loc)),
        ProtocolItem::Switch(s, f) => {
            Some((ProtocolField::COUNT + s.index(), s.name(), &f.leaf.meta.loc))
        }
        _ => None,
    });
    once_each(ctx, "Protocol", named);
    type_checks(ctx, p);
    ports(ctx, p, kind);
    ttl(ctx, p);
    server(ctx, p, kind);
    smtp_only(ctx, p, kind);
    encryption(ctx, p, kind);
    security_defaults(ctx, p, kind);
    for f in URL_FIELDS {
        if let Some(l) = p.field(*f) {
            url(ctx, f.as_str(), &l.meta.loc, &l.text);
        }
    }
    if let Some(l) = p.field(ProtocolField::AuthPackage) {
        ctx.apply(PROTO_AUTH_PACKAGE);
        if !AUTH_PACKAGES
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&l.text))
        {
            ctx.value(
                PROTO_AUTH_PACKAGE,
                &l.meta.loc,
                &l.text,
                format!(
                    "AuthPackage \"{}\" is not one of {}",
                    l.text,
                    AUTH_PACKAGES.join(", ")
                ),
            );
        }
    }
    if let Some(l) = p.field(ProtocolField::ServerVersion) {
        ctx.apply(PROTO_SERVER_VERSION);
        if l.text.len() != 8 || !l.text.bytes().all(|b| b.is_ascii_hexdigit()) {
            ctx.value(
                PROTO_SERVER_VERSION,
                &l.meta.loc,
                &l.text,
                format!(
                    "ServerVersion \"{}\" is not eight hexadecimal digits",
                    l.text
                ),
            );
        }
    }
}

fn mapi_urls(ctx: &mut Ctx, parent: &str, g: &Group<MapiUrlField>) {
    for e in &g.entries {
        match e {
            Entry::Field(f, l) => {
                text_only(ctx, f.as_str(), l);
                url(ctx, f.as_str(), &l.meta.loc, &l.text);
            }
            Entry::Unknown(a) => unknown(ctx, parent, a),
        }
    }
}

fn url(ctx: &mut Ctx, name: &str, loc: &crate::model::Loc, text: &str) {
    ctx.apply(PROTO_URL);
    if let Err(why) = http_url_scheme(text) {
        ctx.value(PROTO_URL, loc, text, format!("{name} \"{text}\" {why}"));
    }
}

fn type_checks(ctx: &mut Ctx, p: &Protocol) {
    ctx.apply(PROTO_TYPE_REQUIRED);
    if let Some(t) = p.meta.attr("Type") {
        ctx.apply(PROTO_MAPI_FORM);
        if t != "mapiHttp" {
            ctx.element(PROTO_MAPI_FORM, &p.meta.loc, format!("the Protocol Type attribute is \"{t}\"; the only documented attribute form is Type=\"mapiHttp\""));
        }
        if let Some(v) = p.meta.attr("Version") {
            if decimal(v).is_none_or(|n| n == 0) {
                ctx.element(
                    PROTO_MAPI_FORM,
                    &p.meta.loc,
                    format!("the Protocol Version attribute \"{v}\" is not a positive integer"),
                );
            }
        }
    }
    let Some(leaf) = p.field(ProtocolField::Type) else {
        if p.meta.attr("Type").is_none() {
            ctx.element(
                PROTO_TYPE_REQUIRED,
                &p.meta.loc,
                "Protocol has no Type, so clients cannot tell what it describes",
            );
        }
        return;
    };
    ctx.apply(PROTO_TYPE_NEAR_MISS);
    ctx.apply(PROTO_TYPE_EXTENSION);
    let t = leaf.text.as_str();
    if DOCUMENTED_TYPES.contains(&t) {
        return;
    }
    let trimmed = t.trim();
    let meant = DOCUMENTED_TYPES
        .iter()
        .find(|d| d.eq_ignore_ascii_case(trimmed))
        .copied()
        .or_else(|| {
            TYPE_NEAR_MISSES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(trimmed))
                .map(|(_, m)| *m)
        });
    match meant {
        Some(m) => ctx.value(PROTO_TYPE_NEAR_MISS, &leaf.meta.loc, t, format!("Type \"{t}\" is a misspelling of \"{m}\"; clients compare Type exactly and skip this protocol")),
        None if trimmed.is_empty() => ctx.value(PROTO_TYPE_REQUIRED, &leaf.meta.loc, t, "Type is empty"),
        None => ctx.value(PROTO_TYPE_EXTENSION, &leaf.meta.loc, t, format!("Type \"{t}\" is not documented; clients that do not know it skip this protocol")),
    }
}

fn ports(ctx: &mut Ctx, p: &Protocol, kind: Option<&str>) {
    // Port 0 means "the default" in EXCH/EXPR blocks; with no documented Type the protocol's
    // kind is unknown (reported by its own rule), so 0 cannot be judged either.
    let zero_ok = matches!(kind, Some("EXCH" | "EXPR"))
        || kind.is_none_or(|k| !DOCUMENTED_TYPES.contains(&k));
    for f in [
        ProtocolField::Port,
        ProtocolField::DirectoryPort,
        ProtocolField::ReferralPort,
    ] {
        let Some(l) = p.field(f) else { continue };
        ctx.apply(PROTO_PORT);
        let t = l.text.as_str();
        match decimal(t) {
            Some(0) if zero_ok => {}
            Some(0) => ctx.value(
                PROTO_PORT,
                &l.meta.loc,
                t,
                format!(
                    "{f} 0 is only meaningful in EXCH/EXPR blocks; a {} port must be 1..65535",
                    kind.unwrap_or("mail")
                ),
            ),
            Some(n) if n <= 65535 => {}
            Some(_) => ctx.value(
                PROTO_PORT,
                &l.meta.loc,
                t,
                format!("{f} \"{t}\" is out of range (1..65535)"),
            ),
            None => ctx.value(
                PROTO_PORT,
                &l.meta.loc,
                t,
                format!("{f} \"{t}\" is not a decimal integer"),
            ),
        }
    }
}

fn ttl(ctx: &mut Ctx, p: &Protocol) {
    if let Some(l) = p.field(ProtocolField::TTL) {
        ctx.apply(PROTO_TTL);
        if decimal(&l.text).is_none() {
            ctx.value(
                PROTO_TTL,
                &l.meta.loc,
                &l.text,
                format!(
                    "TTL \"{}\" is not a non-negative integer number of hours",
                    l.text
                ),
            );
        }
    }
}

fn server(ctx: &mut Ctx, p: &Protocol, kind: Option<&str>) {
    match p.field(ProtocolField::Server) {
        Some(l) => {
            ctx.apply(PROTO_SERVER);
            if l.text.trim().is_empty() {
                ctx.value(PROTO_SERVER, &l.meta.loc, &l.text, "Server is empty");
            }
        }
        None if is_mail_kind(kind) => {
            ctx.apply(PROTO_SERVER);
            ctx.element(
                PROTO_SERVER,
                &p.meta.loc,
                format!(
                    "{} Protocol has no Server to connect to",
                    kind.unwrap_or_default()
                ),
            );
        }
        None => {}
    }
}

fn smtp_only(ctx: &mut Ctx, p: &Protocol, kind: Option<&str>) {
    // A misspelt or missing Type is its own finding; which protocol was meant is unknown.
    let Some(kind) = kind.filter(|k| DOCUMENTED_TYPES.contains(k)) else {
        return;
    };
    for s in [SwitchField::UsePOPAuth, SwitchField::SMTPLast] {
        for f in p.switches(s) {
            ctx.apply(PROTO_SMTP_ONLY);
            if kind != "SMTP" {
                ctx.element(
                    PROTO_SMTP_ONLY,
                    &f.leaf.meta.loc,
                    format!("{s} is only meaningful in an SMTP Protocol, not in {kind}"),
                );
            }
        }
    }
}

fn encryption(ctx: &mut Ctx, p: &Protocol, kind: Option<&str>) {
    let Some(l) = p.field(ProtocolField::Encryption) else {
        return;
    };
    ctx.apply(PROTO_ENCRYPTION);
    let e = l.text.as_str();
    if !matches!(e, "None" | "SSL" | "TLS" | "Auto") {
        let hint = ["None", "SSL", "TLS", "Auto"]
            .iter()
            .find(|v| v.eq_ignore_ascii_case(e.trim()))
            .map(|v| format!("; did you mean \"{v}\"?"))
            .unwrap_or_default();
        ctx.value(
            PROTO_ENCRYPTION,
            &l.meta.loc,
            e,
            format!("Encryption \"{e}\" is not one of None, SSL, TLS, Auto{hint}"),
        );
        return;
    }
    if let Some(ssl) = p.switch(SwitchField::SSL) {
        ctx.apply(PROTO_ENCRYPTION_SSL);
        match (e, ssl.value.value) {
            ("None", Some(true)) => ctx.element(PROTO_ENCRYPTION_SSL, &l.meta.loc, "Encryption None contradicts SSL on; clients that read only SSL will use TLS"),
            ("SSL" | "TLS", Some(false)) => ctx.element(PROTO_ENCRYPTION_SSL, &l.meta.loc, format!("Encryption {e} contradicts SSL off; clients that read only SSL will connect without TLS")),
            _ => {}
        }
    }
    if e == "TLS" && is_mail_kind(kind) {
        if let Some(port) = p.field(ProtocolField::Port).and_then(|l| decimal(&l.text)) {
            ctx.apply(PROTO_STARTTLS_PORT);
            if IMPLICIT_TLS_PORTS.contains(&port) {
                ctx.element(PROTO_STARTTLS_PORT, &l.meta.loc, format!("Encryption TLS means STARTTLS, but port {port} expects TLS from the first byte; use Encryption SSL"));
            }
        }
    }
}

fn security_defaults(ctx: &mut Ctx, p: &Protocol, kind: Option<&str>) {
    if is_mail_kind(kind) {
        ctx.apply(PROTO_SPA_ABSENT);
        if p.switch(SwitchField::SPA).is_none() {
            ctx.element(PROTO_SPA_ABSENT, &p.meta.loc, format!("{} Protocol omits SPA, which defaults to on: a client following the documentation will require Secure Password Authentication (NTLM)", kind.unwrap_or_default()));
        }
    }
    if let Some(ssl) = p.switch(SwitchField::SSL) {
        ctx.apply(PROTO_SSL_OFF);
        if ssl.value.value == Some(false) && p.field(ProtocolField::Encryption).is_none() {
            ctx.element(PROTO_SSL_OFF, &ssl.leaf.meta.loc, "SSL is off and no Encryption is given: the client will send credentials in clear text");
        }
    }
}

fn on_off(ctx: &mut Ctx, s: SwitchField, f: &Flag) {
    for r in [
        ONOFF_CASE,
        ONOFF_SYNONYM,
        ONOFF_PADDED,
        ONOFF_EMPTY,
        ONOFF_OTHER,
        ONOFF_TRANSLATED,
    ] {
        ctx.apply(r);
    }
    let v = &f.value;
    let loc = &f.leaf.meta.loc;
    let raw = v.raw.as_str();
    if v.padded {
        ctx.value(ONOFF_PADDED, loc, raw, format!("{s} value {raw:?} has surrounding whitespace; whether clients trim it is implementation-defined"));
    }
    match v.class {
        OnOffClass::Exact => {}
        OnOffClass::CaseVariant => ctx.value(ONOFF_CASE, loc, raw, format!("{s} value {:?} is a case variant of \"{}\"; Exchange Online writes this form and clients accept it, but the documented value is lower case", raw.trim(), if v.value == Some(true) { "on" } else { "off" })),
        OnOffClass::BooleanSynonym => ctx.value(ONOFF_SYNONYM, loc, raw, format!("{s} value {:?} is a boolean synonym; the only values are \"on\" and \"off\", and clients read anything else as off", raw.trim())),
        OnOffClass::Empty => ctx.value(ONOFF_EMPTY, loc, raw, format!("{s} is empty; write \"on\" or \"off\", or omit the element to mean the default")),
        OnOffClass::Other => ctx.value(ONOFF_OTHER, loc, raw, format!("{s} value {:?} is not \"on\" or \"off\"", raw.trim())),
        OnOffClass::Translated => {
            let (language, intended) = v.translation().map_or(("a translated", "on or off"), |t| {
                (t.language, if t.intended { "on" } else { "off" })
            });
            ctx.value(ONOFF_TRANSLATED, loc, raw, format!("{s} value {:?} is the {language} documentation's translation of `{intended}`; the XML value is always `on` or `off`", raw.trim()));
        }
    }
}
