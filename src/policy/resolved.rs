//! Every mailbox resolved against the organisation, and the writers for `policy resolve`
//! (JSON, CSV, a table for people), which stream: a million-row export is never held twice.

use super::state::{DecidedBy, Organization, PolicyIndex, Population, SmtpAuth};
use serde::Serialize;
use std::io::Write;

/// One resolved mailbox, in the JSON shape `poxspec policy resolve` prints. Borrows the
/// population's strings: resolving a million mailboxes allocates one vector, not two million
/// strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedMailbox<'p> {
    /// Primary address (null when the export has none).
    pub address: Option<&'p str>,
    /// Identity.
    pub identity: &'p str,
    /// The mailbox's own `SmtpClientAuthenticationDisabled`: true, false or null.
    pub mailbox_setting: Option<bool>,
    /// The organisation's `SmtpClientAuthenticationDisabled`.
    pub organization_disabled: bool,
    /// The name of the authentication policy in effect (the user's, else the organisation
    /// default); null when none is named.
    pub authentication_policy: Option<&'p str>,
    /// The effective state: `disabled`, `oauth_only` or `basic_and_oauth`.
    pub effective: SmtpAuth,
    /// Whether `effective` is `disabled` (the boolean earlier versions printed, kept for the
    /// scripts that read it; it says nothing of Basic authentication).
    pub effective_disabled: bool,
    /// Which level decided `effective`.
    pub decided_by: DecidedBy,
}

/// Resolves every mailbox of a population against an organisation.
pub fn resolve_all<'p>(org: &Organization, p: &'p Population) -> Vec<ResolvedMailbox<'p>> {
    let index = PolicyIndex::new(&p.authentication_policies);
    p.mailboxes
        .iter()
        .map(|m| {
            let r = p.resolve(org, &index, m);
            ResolvedMailbox {
                address: m.address.as_deref(),
                identity: &m.identity,
                mailbox_setting: m.smtp_client_authentication_disabled,
                organization_disabled: org.smtp_client_authentication_disabled,
                authentication_policy: p.named_policy(&index, m).map(|(_, a)| a.name.as_str()),
                effective: r.state,
                effective_disabled: r.effective_disabled,
                decided_by: r.decided_by,
            }
        })
        .collect()
}

fn nullable(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "null",
    }
}

fn boolean(v: bool) -> &'static str {
    if v {
        "true"
    } else {
        "false"
    }
}

/// `{"mailboxes":[...]}`, pretty-printed, newline-terminated.
pub fn write_json(out: &mut impl Write, rows: &[ResolvedMailbox]) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Rows<'a, 'p> {
        mailboxes: &'a [ResolvedMailbox<'p>],
    }
    serde_json::to_writer_pretty(&mut *out, &Rows { mailboxes: rows })?;
    writeln!(out)
}

/// CSV (RFC 4180, quoted where needed) with a header row; `null` for an unset mailbox, an
/// empty field for no authentication policy.
pub fn write_csv(out: &mut impl Write, rows: &[ResolvedMailbox]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "address",
        "identity",
        "mailbox_setting",
        "organization_disabled",
        "authentication_policy",
        "effective",
        "effective_disabled",
        "decided_by",
    ])?;
    for r in rows {
        w.write_record([
            r.address.unwrap_or(""),
            r.identity,
            nullable(r.mailbox_setting),
            boolean(r.organization_disabled),
            r.authentication_policy.unwrap_or(""),
            r.effective.as_str(),
            boolean(r.effective_disabled),
            r.decided_by.as_str(),
        ])?;
    }
    w.flush()
}

/// A table for people: the organisation's setting, then one line per mailbox.
pub fn write_human(
    out: &mut impl Write,
    org: &Organization,
    rows: &[ResolvedMailbox],
) -> std::io::Result<()> {
    writeln!(
        out,
        "organisation SmtpClientAuthenticationDisabled = {}",
        org.smtp_client_authentication_disabled
    )?;
    writeln!(
        out,
        "{:<32} {:<8} {:<16} {:<20} decided by",
        "mailbox", "setting", "SMTP AUTH", "auth policy"
    )?;
    for r in rows {
        cell(out, r.address.unwrap_or(r.identity), 32)?;
        cell(out, nullable(r.mailbox_setting), 8)?;
        cell(out, r.effective.as_str(), 16)?;
        cell(out, r.authentication_policy.unwrap_or("-"), 20)?;
        out.write_all(r.decided_by.as_str().as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `text` left-aligned in `width` characters and a separating space: what `{:<width} `
/// writes, without the formatter's padding one character at a time (40 % of the
/// instructions of `policy resolve` over 100,000 mailboxes, callgrind).
fn cell(out: &mut impl Write, text: &str, width: usize) -> std::io::Result<()> {
    const SPACES: &[u8] = &[b' '; 64];
    out.write_all(text.as_bytes())?;
    // Identities and addresses are ASCII nearly always: their length is their width.
    let chars = if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    };
    let pad = width.saturating_sub(chars) + 1;
    out.write_all(&SPACES[..pad.min(SPACES.len())])
}
