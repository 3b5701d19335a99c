//! SMTP AUTH policy states: the organisation setting, per-mailbox overrides, tenant gates,
//! their resolution, and importers/exporters for the formats admins have.

mod error;
pub mod export;
pub mod import;
mod state;

pub use error::{ImportError, ImportErrorKind};
pub use import::{import, InputFormat};
pub use state::{resolve, DecidedBy, Mailbox, Organization, Population, Resolution};

use serde::Serialize;

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
