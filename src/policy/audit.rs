//! The three documented audit questions over an export: which mailboxes disable SMTP AUTH
//! themselves (`$true`), which enable it (`$false`), which follow the organisation (`$null`);
//! and the effective states (disabled, OAuth only, Basic and OAuth), whose counts a
//! `-eq $false` filter gets wrong.

use super::resolved::ResolvedMailbox;
use super::state::{Organization, SmtpAuth};
use serde::Serialize;
use std::fmt::Write;

/// The answers, mailboxes named by address (identity when the export has none), in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    /// The organisation's `SmtpClientAuthenticationDisabled`.
    pub organization_disabled: bool,
    /// Mailboxes set to `$true`.
    pub disabled: Vec<String>,
    /// Mailboxes set to `$false`.
    pub enabled: Vec<String>,
    /// Mailboxes set to `$null`.
    pub following_organization: Vec<String>,
    /// The effective state of every mailbox.
    pub effective: Effective,
}

/// Mailboxes by effective state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effective {
    /// SMTP AUTH allowed, in either flavour (`oauth_only` and `basic_and_oauth` together).
    pub enabled: Vec<String>,
    /// SMTP AUTH allowed for OAuth clients only (an authentication policy blocks Basic).
    pub oauth_only: Vec<String>,
    /// SMTP AUTH allowed with Basic authentication and OAuth.
    pub basic_and_oauth: Vec<String>,
    /// SMTP AUTH refused.
    pub disabled: Vec<String>,
}

impl Audit {
    /// Answers the questions over resolved rows.
    pub fn of(org: &Organization, rows: &[ResolvedMailbox]) -> Audit {
        let pick = |f: &dyn Fn(&ResolvedMailbox) -> bool| {
            rows.iter()
                .filter(|r| f(r))
                .map(|r| r.address.unwrap_or(r.identity).to_owned())
                .collect::<Vec<_>>()
        };
        Audit {
            organization_disabled: org.smtp_client_authentication_disabled,
            disabled: pick(&|r| r.mailbox_setting == Some(true)),
            enabled: pick(&|r| r.mailbox_setting == Some(false)),
            following_organization: pick(&|r| r.mailbox_setting.is_none()),
            effective: Effective {
                enabled: pick(&|r| r.effective != SmtpAuth::Disabled),
                oauth_only: pick(&|r| r.effective == SmtpAuth::OAuthOnly),
                basic_and_oauth: pick(&|r| r.effective == SmtpAuth::BasicAndOAuth),
                disabled: pick(&|r| r.effective == SmtpAuth::Disabled),
            },
        }
    }

    /// The answers for people: three lists and the effective counts.
    pub fn render_human(&self) -> String {
        let mut out = String::new();
        let mut list = |title: &str, names: &[String]| {
            let _ = writeln!(out, "{title} ({}):", names.len());
            for n in names {
                let _ = writeln!(out, "  {n}");
            }
        };
        list("SMTP AUTH disabled on the mailbox ($true)", &self.disabled);
        list("SMTP AUTH enabled on the mailbox ($false)", &self.enabled);
        list(
            &format!(
                "following the organisation ($null; organisation is {})",
                self.organization_disabled
            ),
            &self.following_organization,
        );
        let _ = writeln!(
            out,
            "effective: {} enabled ({} Basic and OAuth, {} OAuth only), {} disabled (a `-eq $false` filter finds only the {} explicit overrides)",
            self.effective.enabled.len(),
            self.effective.basic_and_oauth.len(),
            self.effective.oauth_only.len(),
            self.effective.disabled.len(),
            self.enabled.len()
        );
        out
    }
}
