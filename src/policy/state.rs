//! Policy states and their resolution.
//!
//! The Exchange property is `SmtpClientAuthenticationDisabled`: `true` means SMTP AUTH is
//! *off*. The API keeps that inverted name everywhere (`*_disabled`) so nobody flips it by
//! accident; [`Resolution::smtp_auth_allowed`] is the one place the inversion is spelled out.

use serde::Serialize;

/// Tenant-wide settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// `Set-TransportConfig -SmtpClientAuthenticationDisabled`. New tenants: `true`.
    pub smtp_client_authentication_disabled: bool,
    /// Security defaults enabled for the tenant (blocks SMTP AUTH whatever the mailbox says);
    /// `None` when not known.
    pub security_defaults_enabled: Option<bool>,
    /// The default authentication policy's `AllowBasicAuthSmtp`; `Some(false)` blocks the Basic
    /// authentication that POP3/IMAP clients and devices use for SMTP AUTH. `None`: not known.
    pub allow_basic_auth_smtp: Option<bool>,
}

impl Organization {
    /// An organisation with only the transport setting known.
    pub fn new(smtp_client_authentication_disabled: bool) -> Self {
        Organization {
            smtp_client_authentication_disabled,
            security_defaults_enabled: None,
            allow_basic_auth_smtp: None,
        }
    }
}

/// One mailbox's state, as an export gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    /// `Identity` (or `Name`) as the export wrote it.
    pub identity: String,
    /// Primary SMTP address, when the export carries one.
    pub address: Option<String>,
    /// `Set-CASMailbox -SmtpClientAuthenticationDisabled`: `Some(true)` disabled, `Some(false)`
    /// enabled, `None` (`$null`) follows the organisation.
    pub smtp_client_authentication_disabled: Option<bool>,
    /// `PopEnabled`, when the export carries it.
    pub pop_enabled: Option<bool>,
    /// `ImapEnabled`, when the export carries it.
    pub imap_enabled: Option<bool>,
}

/// What decided a mailbox's effective state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// The mailbox's own non-null setting.
    Mailbox,
    /// The organisation's setting (the mailbox is `$null`).
    Organization,
    /// Tenant security defaults, which block SMTP AUTH.
    SecurityDefaults,
    /// An authentication policy with `AllowBasicAuthSmtp` false.
    AuthenticationPolicy,
}

impl DecidedBy {
    /// The JSON/CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DecidedBy::Mailbox => "mailbox",
            DecidedBy::Organization => "organization",
            DecidedBy::SecurityDefaults => "security_defaults",
            DecidedBy::AuthenticationPolicy => "authentication_policy",
        }
    }
}

/// A mailbox's effective state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// Whether SMTP AUTH is effectively disabled for the mailbox.
    pub effective_disabled: bool,
    /// Which level decided.
    pub decided_by: DecidedBy,
}

impl Resolution {
    /// Whether the mailbox may use SMTP AUTH (the negation of `effective_disabled`).
    pub fn smtp_auth_allowed(self) -> bool {
        !self.effective_disabled
    }
}

/// Resolves a mailbox: tenant gates first (they block whatever the mailbox says), then the
/// mailbox's own setting when not null, else the organisation: `disabled = mailbox ?? org`.
pub fn resolve(org: &Organization, mailbox_disabled: Option<bool>) -> Resolution {
    if org.security_defaults_enabled == Some(true) {
        return Resolution {
            effective_disabled: true,
            decided_by: DecidedBy::SecurityDefaults,
        };
    }
    if org.allow_basic_auth_smtp == Some(false) {
        return Resolution {
            effective_disabled: true,
            decided_by: DecidedBy::AuthenticationPolicy,
        };
    }
    match mailbox_disabled {
        Some(d) => Resolution {
            effective_disabled: d,
            decided_by: DecidedBy::Mailbox,
        },
        None => Resolution {
            effective_disabled: org.smtp_client_authentication_disabled,
            decided_by: DecidedBy::Organization,
        },
    }
}

/// An organisation and its mailboxes, in input order, identities unique (case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Population {
    /// The organisation, when the input carried it (only the TOML fixture does).
    pub organization: Option<Organization>,
    /// The mailboxes.
    pub mailboxes: Vec<Mailbox>,
}

impl Population {
    /// The mailbox whose identity or address is `key` (case-insensitive).
    pub fn find(&self, key: &str) -> Option<&Mailbox> {
        self.mailboxes.iter().find(|m| {
            m.identity.eq_ignore_ascii_case(key)
                || m.address
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(key))
        })
    }
}
