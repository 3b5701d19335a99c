//! Every mailbox resolved against the organisation, and the writers for `policy resolve`
//! (JSON, CSV, a table for people), which stream: a million-row export is never held twice.

use super::state::{resolve, DecidedBy, Organization, Population};
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
    /// The effective state.
    pub effective_disabled: bool,
    /// Which level decided.
    pub decided_by: DecidedBy,
}

/// Resolves every mailbox of a population against an organisation.
pub fn resolve_all<'p>(org: &Organization, p: &'p Population) -> Vec<ResolvedMailbox<'p>> {
    p.mailboxes
        .iter()
        .map(|m| {
            let r = resolve(org, m.smtp_client_authentication_disabled);
            ResolvedMailbox {
                address: m.address.as_deref(),
                identity: &m.identity,
                mailbox_setting: m.smtp_client_authentication_disabled,
                organization_disabled: org.smtp_client_authentication_disabled,
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

/// `{"mailboxes":[...]}`, pretty-printed, newline-terminated.
pub fn write_json(out: &mut impl Write, rows: &[ResolvedMailbox]) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Rows<'a, 'p> {
        mailboxes: &'a [ResolvedMailbox<'p>],
    }
    serde_json::to_writer_pretty(&mut *out, &Rows { mailboxes: rows })?;
    writeln!(out)
}

/// CSV (RFC 4180, quoted where needed) with a header row; `null` for an unset mailbox.
pub fn write_csv(out: &mut impl Write, rows: &[ResolvedMailbox]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "address",
        "identity",
        "mailbox_setting",
        "organization_disabled",
        "effective_disabled",
        "decided_by",
    ])?;
    for r in rows {
        w.write_record([
            r.address.unwrap_or(""),
            r.identity,
            nullable(r.mailbox_setting),
            if r.organization_disabled {
                "true"
            } else {
                "false"
            },
            if r.effective_disabled {
                "true"
            } else {
                "false"
            },
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
        "{:<32} {:<8} {:<9} decided by",
        "mailbox", "setting", "SMTP AUTH"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<32} {:<8} {:<9} {}",
            r.address.unwrap_or(r.identity),
            nullable(r.mailbox_setting),
            if r.effective_disabled {
                "disabled"
            } else {
                "enabled"
            },
            r.decided_by.as_str()
        )?;
    }
    Ok(())
}
