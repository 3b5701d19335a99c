//! Writers for the formats the importers read, so that export → import is the identity.

use super::import::{POLICY_PROPERTY, PROPERTY};
use super::state::{Mailbox, Population};
use std::fmt::Write;

fn ps(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "True",
        Some(false) => "False",
        None => "",
    }
}

/// Whether any mailbox names an authentication policy: only then do the mailbox exports carry
/// the `AuthenticationPolicy` column, so a population without assignments exports as before.
fn has_assignments(p: &Population) -> bool {
    p.mailboxes
        .iter()
        .any(|m| m.authentication_policy.is_some())
}

/// `Export-Csv` style: a `#TYPE` line, a quoted header, quoted values, CRLF line ends; an
/// `AuthenticationPolicy` column (empty for none) when any mailbox has an assignment.
pub fn to_csv(p: &Population) -> String {
    let policies = has_assignments(p);
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"#TYPE Microsoft.Exchange.Data.Directory.Management.CASMailbox\r\n".to_vec());
    let columns = if policies { 6 } else { 5 };
    let rows = std::iter::once([
        "Identity",
        "PrimarySmtpAddress",
        PROPERTY,
        "PopEnabled",
        "ImapEnabled",
        POLICY_PROPERTY,
    ])
    .chain(p.mailboxes.iter().map(|m| {
        [
            m.identity.as_str(),
            m.address.as_deref().unwrap_or(""),
            ps(m.smtp_client_authentication_disabled),
            ps(m.pop_enabled),
            ps(m.imap_enabled),
            m.authentication_policy.as_deref().unwrap_or(""),
        ]
    }));
    for row in rows {
        w.write_record(&row[..columns])
            .expect("writing to memory cannot fail");
    }
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the fields are UTF-8")
}

fn json_mailbox(m: &Mailbox) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    o.insert("Identity".into(), m.identity.as_str().into());
    if let Some(a) = &m.address {
        o.insert("PrimarySmtpAddress".into(), a.as_str().into());
    }
    o.insert(
        PROPERTY.into(),
        m.smtp_client_authentication_disabled.into(),
    );
    if m.pop_enabled.is_some() {
        o.insert("PopEnabled".into(), m.pop_enabled.into());
    }
    if m.imap_enabled.is_some() {
        o.insert("ImapEnabled".into(), m.imap_enabled.into());
    }
    if let Some(a) = &m.authentication_policy {
        o.insert(POLICY_PROPERTY.into(), a.as_str().into());
    }
    serde_json::Value::Object(o)
}

/// `ConvertTo-Json` style: an array of objects (a single object for one mailbox, as
/// PowerShell writes it).
pub fn to_json(p: &Population) -> String {
    let v = if p.mailboxes.len() == 1 {
        json_mailbox(&p.mailboxes[0])
    } else {
        serde_json::Value::Array(p.mailboxes.iter().map(json_mailbox).collect())
    };
    serde_json::to_string_pretty(&v).expect("JSON values serialize")
}

/// `Format-List` style: one block per mailbox, `Name : value` lines, blank lines between.
pub fn to_format_list(p: &Population) -> String {
    let mut out = String::new();
    for m in &p.mailboxes {
        let _ = writeln!(out, "\n{:<33}: {}", "Identity", m.identity);
        if let Some(a) = &m.address {
            let _ = writeln!(out, "{:<33}: {a}", "PrimarySmtpAddress");
        }
        let _ = writeln!(
            out,
            "{PROPERTY:<33}: {}",
            ps(m.smtp_client_authentication_disabled)
        );
        if m.pop_enabled.is_some() {
            let _ = writeln!(out, "{:<33}: {}", "PopEnabled", ps(m.pop_enabled));
        }
        if m.imap_enabled.is_some() {
            let _ = writeln!(out, "{:<33}: {}", "ImapEnabled", ps(m.imap_enabled));
        }
        if let Some(a) = &m.authentication_policy {
            let _ = writeln!(out, "{POLICY_PROPERTY:<33}: {a}");
        }
    }
    out
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The project's TOML fixture: the organisation (with the default policy's name), the named
/// authentication policies, then the mailboxes.
pub fn to_toml(p: &Population) -> String {
    let mut out = String::new();
    if let Some(o) = &p.organization {
        let _ = writeln!(
            out,
            "[organization]\nsmtp_client_authentication_disabled = {}",
            o.smtp_client_authentication_disabled
        );
        if let Some(v) = o.security_defaults_enabled {
            let _ = writeln!(out, "security_defaults_enabled = {v}");
        }
        if let Some(v) = o.allow_basic_auth_smtp {
            let _ = writeln!(out, "allow_basic_auth_smtp = {v}");
        }
        if let Some(d) = &p.authentication_policies.default_policy {
            let _ = writeln!(out, "default_authentication_policy = {}", toml_str(d));
        }
        out.push('\n');
    }
    for a in &p.authentication_policies.policies {
        let _ = writeln!(
            out,
            "[[authentication_policy]]\nname = {}\nallow_basic_auth_smtp = {}\n",
            toml_str(&a.name),
            a.allow_basic_auth_smtp
        );
    }
    let nullable = |v: Option<bool>| v.map_or("\"null\"".to_owned(), |b| b.to_string());
    for m in &p.mailboxes {
        let _ = writeln!(out, "[[mailbox]]\nidentity = {}", toml_str(&m.identity));
        if let Some(a) = &m.address {
            let _ = writeln!(out, "address = {}", toml_str(a));
        }
        let _ = writeln!(
            out,
            "smtp_client_authentication_disabled = {}",
            nullable(m.smtp_client_authentication_disabled)
        );
        if let Some(v) = m.pop_enabled {
            let _ = writeln!(out, "pop_enabled = {v}");
        }
        if let Some(v) = m.imap_enabled {
            let _ = writeln!(out, "imap_enabled = {v}");
        }
        if let Some(a) = &m.authentication_policy {
            let _ = writeln!(out, "authentication_policy = {}", toml_str(a));
        }
        out.push('\n');
    }
    out
}
