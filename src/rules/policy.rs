//! Consistency of a response with the SMTP AUTH policy, and the semantic rules derived from
//! the documented meaning of UsePOPAuth and SMTPLast.

use super::catalogue::*;
use super::ctx::Ctx;
use super::finding::Outcome;
use crate::model::fields::{ProtocolField, SwitchField};
use crate::model::{Document, Protocol};
use crate::policy::{resolve, DecidedBy, Mailbox, Organization, Resolution, SmtpAuth};
use crate::Parsed;

fn kind_is(p: &Protocol, k: &str) -> bool {
    p.kind() == Some(k)
}

/// The document-scope semantic rules, run with every validation.
pub(crate) fn semantics(ctx: &mut Ctx, doc: &Document) {
    ctx.apply(SEM_USEPOPAUTH_NO_POP3);
    ctx.apply(SEM_SMTPLAST_NO_DOWNLOAD);
    let Document::Response(r) = doc else { return };
    for a in r.accounts() {
        let protocols: Vec<&Protocol> = a.protocols().collect();
        let has = |k: &str| protocols.iter().any(|p| kind_is(p, k));
        for p in &protocols {
            if let Some(f) = p.switch(SwitchField::UsePOPAuth) {
                if f.value.value == Some(true) && !has("POP3") {
                    ctx.element(SEM_USEPOPAUTH_NO_POP3, &f.leaf.meta.loc, "UsePOPAuth is on, but the Account has no POP3 protocol whose credentials could be reused");
                }
            }
            if let Some(f) = p.switch(SwitchField::SMTPLast) {
                if f.value.value == Some(true) && !has("POP3") && !has("IMAP") {
                    ctx.element(SEM_SMTPLAST_NO_DOWNLOAD, &f.leaf.meta.loc, "SMTPLast is on (download before sending), but the Account has no POP3 or IMAP protocol to download from");
                }
            }
        }
    }
}

/// Judges a response against one mailbox's policy state, with no authentication policy of
/// its own (the organisation default applies as far as [`Organization`] gives it). A mailbox
/// of a population with named policies is judged with [`check_policy_resolved`].
pub fn check_policy(parsed: &Parsed, org: &Organization, mailbox: &Mailbox) -> Outcome {
    check_policy_resolved(
        parsed,
        org,
        mailbox,
        resolve(org, mailbox.smtp_client_authentication_disabled),
        None,
    )
}

/// Judges a response against one mailbox's resolved state; `policy_name` names the
/// authentication policy in effect, when it has a name.
pub fn check_policy_resolved(
    parsed: &Parsed,
    org: &Organization,
    mailbox: &Mailbox,
    res: Resolution,
    policy_name: Option<&str>,
) -> Outcome {
    let mut ctx = Ctx::new(&parsed.tree);
    for r in [
        POL_AUTH_DISABLED,
        POL_NO_SMTP,
        POL_PROTOCOL_DISABLED,
        POL_OAUTH_ONLY,
    ] {
        ctx.apply(r);
    }
    let Document::Response(r) = &parsed.model else {
        return ctx.finish();
    };
    let named = policy_name.map_or(String::new(), |n| format!(" {n:?}"));
    let why = match res.decided_by {
        DecidedBy::Mailbox => format!(
            "the mailbox's own setting is {}",
            mailbox
                .smtp_client_authentication_disabled
                .unwrap_or_default()
        ),
        DecidedBy::Organization => format!(
            "the mailbox is $null and the organisation's setting is {}",
            org.smtp_client_authentication_disabled
        ),
        DecidedBy::SecurityDefaults => "security defaults are enabled for the tenant".to_owned(),
        DecidedBy::UserAuthenticationPolicy => format!(
            "the user's authentication policy{} sets AllowBasicAuthSmtp to {}",
            named,
            res.state != SmtpAuth::OAuthOnly
        ),
        DecidedBy::DefaultAuthenticationPolicy => format!(
            "the organisation's default authentication policy{} sets AllowBasicAuthSmtp to {}",
            named,
            res.state != SmtpAuth::OAuthOnly
        ),
    };
    for a in r.accounts() {
        let protocols: Vec<&Protocol> = a.protocols().collect();
        let usable_smtp = protocols.iter().any(|p| {
            kind_is(p, "SMTP")
                && p.text(ProtocolField::Server)
                    .is_some_and(|s| !s.trim().is_empty())
        });
        for p in &protocols {
            if kind_is(p, "SMTP") && p.effective(SwitchField::AuthRequired) == Some(true) {
                match res.state {
                    SmtpAuth::Disabled => ctx.element(POL_AUTH_DISABLED, &p.meta.loc, format!("SMTP with authentication is advertised to {}, but SMTP AUTH is effectively disabled for it ({why}); the client will be refused at send time", mailbox.identity)),
                    SmtpAuth::OAuthOnly => ctx.element(POL_OAUTH_ONLY, &p.meta.loc, format!("SMTP with authentication is advertised to {}, whose SMTP AUTH is OAuth only ({why}): an OAuth (XOAUTH2) client can send, one that sends the password with these settings is refused", mailbox.identity)),
                    SmtpAuth::BasicAndOAuth => {}
                }
            }
            if kind_is(p, "POP3") && mailbox.pop_enabled == Some(false) {
                ctx.element(
                    POL_PROTOCOL_DISABLED,
                    &p.meta.loc,
                    format!(
                        "POP3 is advertised to {}, whose PopEnabled is false",
                        mailbox.identity
                    ),
                );
            }
            if kind_is(p, "IMAP") && mailbox.imap_enabled == Some(false) {
                ctx.element(
                    POL_PROTOCOL_DISABLED,
                    &p.meta.loc,
                    format!(
                        "IMAP is advertised to {}, whose ImapEnabled is false",
                        mailbox.identity
                    ),
                );
            }
        }
        if res.smtp_auth_allowed()
            && !usable_smtp
            && protocols
                .iter()
                .any(|p| kind_is(p, "POP3") || kind_is(p, "IMAP"))
        {
            ctx.element(POL_NO_SMTP, &a.meta.loc, format!("POP3/IMAP is advertised to {} and SMTP AUTH is enabled for it ({why}), but no SMTP protocol with a Server is advertised; the client cannot send", mailbox.identity));
        }
    }
    ctx.finish()
}
