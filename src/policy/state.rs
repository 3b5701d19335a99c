//! Policy states and their resolution.
//!
//! The Exchange property is `SmtpClientAuthenticationDisabled`: `true` means SMTP AUTH is
//! *off*. The API keeps that inverted name everywhere (`*_disabled`) so nobody flips it by
//! accident; [`SmtpAuth`] is the one place the inversion is spelled out.
//!
//! Exchange Online has two independent questions for a mailbox's authenticated SMTP
//! submission: whether SMTP AUTH is on at all (security defaults, then the mailbox's
//! `SmtpClientAuthenticationDisabled`, else the organisation's), and, when it is on, whether
//! Basic authentication may be used for it (the `AllowBasicAuthSmtp` of the user's
//! authentication policy, else of the organisation's default policy). An authentication policy
//! never turns SMTP AUTH off: OAuth (XOAUTH2) submissions are not affected by it.

use crate::xml::Str;
use serde::Serialize;
use std::collections::HashMap;

/// Tenant-wide settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// `Set-TransportConfig -SmtpClientAuthenticationDisabled`. New tenants: `true`.
    pub smtp_client_authentication_disabled: bool,
    /// Security defaults enabled for the tenant (blocks SMTP AUTH whatever the mailbox says);
    /// `None` when not known.
    pub security_defaults_enabled: Option<bool>,
    /// The organisation default authentication policy's `AllowBasicAuthSmtp`, given without the
    /// policy's name (the fixture's `allow_basic_auth_smtp`). `None`: not given this way (the
    /// default may still be named in [`AuthenticationPolicies::default_policy`]); a population
    /// never gives both.
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

/// One authentication policy (`New-AuthenticationPolicy`), reduced to what decides SMTP AUTH.
///
/// Only `AllowBasicAuthSmtp` matters here: the other `AllowBasicAuth*` switches govern other
/// protocols (a POP3 or IMAP client's *download*), never its submission, so importers read and
/// ignore them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticationPolicy {
    /// `Name`, compared case-insensitively as Exchange does.
    pub name: String,
    /// `AllowBasicAuthSmtp`: `false` blocks Basic authentication for SMTP AUTH (OAuth clients
    /// still submit). New policies are created with every `AllowBasicAuth*` switch false.
    pub allow_basic_auth_smtp: bool,
}

/// The named authentication policies an input carries, and the organisation default.
///
/// Guarantee (kept by every importer and by `load`): names are unique case-insensitively, and
/// `default_policy` and every mailbox's assignment name one of `policies`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuthenticationPolicies {
    /// The policies, in input order.
    pub policies: Vec<AuthenticationPolicy>,
    /// `Set-OrganizationConfig -DefaultAuthenticationPolicy`: the policy that applies to every
    /// user without one of their own; `None` when there is none or it is not known.
    pub default_policy: Option<String>,
}

/// Case-insensitive name lookup over [`AuthenticationPolicies`], built once per resolution so
/// that resolving a million mailboxes costs one hash lookup each, whatever the number of
/// policies.
#[derive(Debug)]
pub struct PolicyIndex<'p> {
    policies: &'p [AuthenticationPolicy],
    by_name: HashMap<String, usize>,
}

impl<'p> PolicyIndex<'p> {
    /// Indexes the policies (the first of two equal names wins; importers refuse duplicates).
    pub fn new(p: &'p AuthenticationPolicies) -> Self {
        let mut by_name = HashMap::with_capacity(p.policies.len());
        for (i, a) in p.policies.iter().enumerate() {
            by_name.entry(a.name.to_lowercase()).or_insert(i);
        }
        PolicyIndex {
            policies: &p.policies,
            by_name,
        }
    }

    /// The policy called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&'p AuthenticationPolicy> {
        // Names are short and few mailboxes differ only in case from the stored spelling, so
        // the exact spelling is tried before a lower-cased copy is made.
        let i = self
            .by_name
            .get(name)
            .or_else(|| self.by_name.get(&name.to_lowercase()))?;
        self.policies.get(*i)
    }
}

/// One mailbox's state, as an export gives it. Its strings are [`Str`]s: an importer gives them
/// ranges of the export's text (one shared allocation for a million mailboxes) rather than a
/// copy each; compare and print them as `str`s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    /// `Identity` (or `Name`) as the export wrote it.
    pub identity: Str,
    /// Primary SMTP address, when the export carries one.
    pub address: Option<Str>,
    /// `Set-CASMailbox -SmtpClientAuthenticationDisabled`: `Some(true)` disabled, `Some(false)`
    /// enabled, `None` (`$null`) follows the organisation.
    pub smtp_client_authentication_disabled: Option<bool>,
    /// `PopEnabled`, when the export carries it.
    pub pop_enabled: Option<bool>,
    /// `ImapEnabled`, when the export carries it.
    pub imap_enabled: Option<bool>,
    /// `Set-User -AuthenticationPolicy`: the name of the user's own authentication policy;
    /// `None` when the user has none (the organisation default applies) or the input does not
    /// carry assignments.
    pub authentication_policy: Option<Str>,
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
    /// The authentication policy assigned to the user (`Set-User -AuthenticationPolicy`).
    UserAuthenticationPolicy,
    /// The organisation default authentication policy
    /// (`Set-OrganizationConfig -DefaultAuthenticationPolicy`).
    DefaultAuthenticationPolicy,
}

impl DecidedBy {
    /// The JSON/CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DecidedBy::Mailbox => "mailbox",
            DecidedBy::Organization => "organization",
            DecidedBy::SecurityDefaults => "security_defaults",
            DecidedBy::UserAuthenticationPolicy => "user_authentication_policy",
            DecidedBy::DefaultAuthenticationPolicy => "default_authentication_policy",
        }
    }
}

/// A mailbox's effective SMTP AUTH state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpAuth {
    /// SMTP AUTH is off: every submission is refused.
    Disabled,
    /// SMTP AUTH is on, Basic authentication for it is blocked by an authentication policy:
    /// only OAuth (XOAUTH2) clients can submit.
    #[serde(rename = "oauth_only")]
    OAuthOnly,
    /// SMTP AUTH is on with Basic authentication and OAuth.
    #[serde(rename = "basic_and_oauth")]
    BasicAndOAuth,
}

impl SmtpAuth {
    /// The JSON/CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpAuth::Disabled => "disabled",
            SmtpAuth::OAuthOnly => "oauth_only",
            SmtpAuth::BasicAndOAuth => "basic_and_oauth",
        }
    }
}

/// A mailbox's effective state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// The effective state.
    pub state: SmtpAuth,
    /// Whether SMTP AUTH is effectively disabled: always `state == SmtpAuth::Disabled` (kept
    /// for the callers that only ask whether a submission is refused outright).
    pub effective_disabled: bool,
    /// Which level decided `state`.
    pub decided_by: DecidedBy,
}

impl Resolution {
    fn new(state: SmtpAuth, decided_by: DecidedBy) -> Self {
        Resolution {
            state,
            effective_disabled: state == SmtpAuth::Disabled,
            decided_by,
        }
    }

    /// Whether the mailbox may use SMTP AUTH at all (OAuth only counts).
    pub fn smtp_auth_allowed(self) -> bool {
        self.state != SmtpAuth::Disabled
    }
}

/// The authentication policy in effect for a mailbox: where it comes from and its
/// `AllowBasicAuthSmtp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyInEffect {
    /// [`DecidedBy::UserAuthenticationPolicy`] or [`DecidedBy::DefaultAuthenticationPolicy`].
    pub level: DecidedBy,
    /// The policy's `AllowBasicAuthSmtp`.
    pub allow_basic_auth_smtp: bool,
}

/// Resolves a mailbox with no authentication policy of its own: the organisation default
/// applies only as far as [`Organization::allow_basic_auth_smtp`] gives it. See
/// [`resolve_with`].
pub fn resolve(org: &Organization, mailbox_disabled: Option<bool>) -> Resolution {
    resolve_with(
        org,
        mailbox_disabled,
        org.allow_basic_auth_smtp.map(|b| PolicyInEffect {
            level: DecidedBy::DefaultAuthenticationPolicy,
            allow_basic_auth_smtp: b,
        }),
    )
}

/// Resolves a mailbox, in Exchange Online's order:
///
/// 1. security defaults on: disabled ("SMTP AUTH is already disabled", Microsoft's SMTP AUTH
///    page; whether OAuth submissions pass under security defaults is not documented
///    separately, so this is the documented reading);
/// 2. `disabled = mailbox ?? organisation`: disabled when true;
/// 3. otherwise the authentication policy in effect (the user's wins over the organisation
///    default, as documented): `AllowBasicAuthSmtp` false gives OAuth only, true gives Basic
///    and OAuth, decided by that policy; with no policy in effect, Basic and OAuth, decided by
///    the level of step 2.
pub fn resolve_with(
    org: &Organization,
    mailbox_disabled: Option<bool>,
    policy: Option<PolicyInEffect>,
) -> Resolution {
    if org.security_defaults_enabled == Some(true) {
        return Resolution::new(SmtpAuth::Disabled, DecidedBy::SecurityDefaults);
    }
    let (disabled, level) = match mailbox_disabled {
        Some(d) => (d, DecidedBy::Mailbox),
        None => (
            org.smtp_client_authentication_disabled,
            DecidedBy::Organization,
        ),
    };
    if disabled {
        return Resolution::new(SmtpAuth::Disabled, level);
    }
    match policy {
        Some(p) if !p.allow_basic_auth_smtp => Resolution::new(SmtpAuth::OAuthOnly, p.level),
        Some(p) => Resolution::new(SmtpAuth::BasicAndOAuth, p.level),
        None => Resolution::new(SmtpAuth::BasicAndOAuth, level),
    }
}

/// An organisation, its authentication policies and its mailboxes, in input order, identities
/// unique (case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Population {
    /// The organisation, when the input carried it (only the TOML fixture does).
    pub organization: Option<Organization>,
    /// The named authentication policies and the organisation default (empty when the input
    /// carries none).
    pub authentication_policies: AuthenticationPolicies,
    /// The mailboxes.
    pub mailboxes: Vec<Mailbox>,
}

impl Population {
    /// A population of mailboxes with no authentication policies.
    pub fn new(organization: Option<Organization>, mailboxes: Vec<Mailbox>) -> Self {
        Population {
            organization,
            authentication_policies: AuthenticationPolicies::default(),
            mailboxes,
        }
    }

    /// The mailbox whose identity or address is `key` (case-insensitive).
    pub fn find(&self, key: &str) -> Option<&Mailbox> {
        self.mailboxes.iter().find(|m| {
            m.identity.eq_ignore_ascii_case(key)
                || m.address
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(key))
        })
    }

    /// Resolves one mailbox of this population under `org`: see
    /// [`AuthenticationPolicies::resolve`].
    pub fn resolve(&self, org: &Organization, index: &PolicyIndex, m: &Mailbox) -> Resolution {
        self.authentication_policies.resolve(org, index, m)
    }

    /// The authentication policy in effect for `m`: see
    /// [`AuthenticationPolicies::in_effect`].
    pub fn policy_in_effect(
        &self,
        org: &Organization,
        index: &PolicyIndex,
        m: &Mailbox,
    ) -> Option<PolicyInEffect> {
        self.authentication_policies.in_effect(org, index, m)
    }

    /// The named policy in effect for `m`: see [`AuthenticationPolicies::named_for`].
    pub fn named_policy<'p>(
        &'p self,
        index: &PolicyIndex<'p>,
        m: &Mailbox,
    ) -> Option<(DecidedBy, &'p AuthenticationPolicy)> {
        self.authentication_policies.named_for(index, m)
    }
}

impl AuthenticationPolicies {
    /// Resolves `m` under `org`: the user's policy, else the organisation default (named, or
    /// given as [`Organization::allow_basic_auth_smtp`]). `index` must index `self`. An
    /// assignment naming no known policy is treated as no assignment; importers refuse such
    /// input, so this only happens to a population built by hand.
    pub fn resolve(&self, org: &Organization, index: &PolicyIndex, m: &Mailbox) -> Resolution {
        resolve_with(
            org,
            m.smtp_client_authentication_disabled,
            self.in_effect(org, index, m),
        )
    }

    /// The authentication policy in effect for `m`, with the level it comes from.
    pub fn in_effect(
        &self,
        org: &Organization,
        index: &PolicyIndex,
        m: &Mailbox,
    ) -> Option<PolicyInEffect> {
        self.named_for(index, m)
            .map(|(level, p)| PolicyInEffect {
                level,
                allow_basic_auth_smtp: p.allow_basic_auth_smtp,
            })
            .or_else(|| {
                org.allow_basic_auth_smtp.map(|b| PolicyInEffect {
                    level: DecidedBy::DefaultAuthenticationPolicy,
                    allow_basic_auth_smtp: b,
                })
            })
    }

    /// The named policy in effect for `m` (the user's, else the organisation default) and the
    /// level it comes from.
    pub fn named_for<'p>(
        &'p self,
        index: &PolicyIndex<'p>,
        m: &Mailbox,
    ) -> Option<(DecidedBy, &'p AuthenticationPolicy)> {
        m.authentication_policy
            .as_deref()
            .and_then(|n| index.get(n))
            .map(|p| (DecidedBy::UserAuthenticationPolicy, p))
            .or_else(|| {
                self.default_policy
                    .as_deref()
                    .and_then(|n| index.get(n))
                    .map(|p| (DecidedBy::DefaultAuthenticationPolicy, p))
            })
    }
}
