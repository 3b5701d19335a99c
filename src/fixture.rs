//! The fixture the reference server serves and the live checker judges against: the policy
//! fixture (organisation and mailboxes with their SMTP AUTH states) plus display names and
//! redirects. Shared by `server` and `live`, which know nothing of each other.

use crate::input::{self, InputError};
use crate::policy::{
    self, AuthenticationPolicies, ImportError, ImportErrorKind, InputFormat, Mailbox, Organization,
    PolicyIndex, Resolution,
};
use std::path::Path;

/// Why a fixture file could not be loaded; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The file could not be read or is not UTF-8.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The TOML is malformed or lacks the organisation (with line and column where known).
    #[error(transparent)]
    Parse(#[from] ImportError),
}

/// The fixture compiled into poxspec (`corpus/fixtures/reference.toml`).
pub const DEFAULT_FIXTURE: &str = include_str!("../corpus/fixtures/reference.toml");

/// A mailbox the server knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureMailbox {
    /// Identity, address and SMTP AUTH state.
    pub policy: Mailbox,
    /// `DisplayName` in the `User` element.
    pub display_name: String,
    /// Answer `redirectAddr` to this address.
    pub redirect_addr: Option<String>,
    /// Answer `redirectUrl` to this URL (relative: against the server's https base).
    pub redirect_url: Option<String>,
    /// The password `serve --require-auth basic` accepts for this mailbox (user: its
    /// identity or address).
    pub password: Option<String>,
    /// The legacy DN (`legacy_dn` in the fixture; default
    /// `/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=<identity>`).
    pub legacy_dn: String,
}

impl FixtureMailbox {
    /// The primary address (the identity when the fixture gives none).
    pub fn address(&self) -> &str {
        self.policy
            .address
            .as_deref()
            .unwrap_or(&self.policy.identity)
    }

    /// The legacy DN the server accepts for this mailbox (and writes in `User/LegacyDN`).
    pub fn legacy_dn(&self) -> &str {
        &self.legacy_dn
    }
}

/// Domains, mailboxes, the organisation's SMTP AUTH state and its authentication policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// The organisation.
    pub organization: Organization,
    /// The named authentication policies and the organisation default (`[[authentication_policy]]`
    /// and `default_authentication_policy` in the fixture); every name a mailbox is assigned is
    /// one of them (the importer refuses others).
    pub authentication_policies: AuthenticationPolicies,
    /// The mailboxes, in fixture order.
    pub mailboxes: Vec<FixtureMailbox>,
}

impl Fixture {
    /// The compiled-in fixture.
    pub fn builtin() -> Fixture {
        Fixture::parse("<builtin fixture>", DEFAULT_FIXTURE).expect("the built-in fixture is valid")
    }

    /// Reads and parses a fixture file (or `-`).
    pub fn load(path: &Path) -> Result<Fixture, FixtureError> {
        let text = input::read_text(path)?;
        Ok(Fixture::parse(&path.display().to_string(), &text)?)
    }

    /// Parses a fixture file (TOML).
    pub fn parse(file: &str, text: &str) -> Result<Fixture, ImportError> {
        let population = policy::import(file, text, InputFormat::Toml, None)?;
        let organization = population.organization.ok_or_else(|| {
            ImportError::new(
                file,
                None,
                None,
                ImportErrorKind::MissingField {
                    field: "[organization]".into(),
                },
            )
        })?;
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            ImportError::new(file, None, None, ImportErrorKind::Syntax(e.to_string()))
        })?;
        let extras = table
            .get("mailbox")
            .and_then(|m| m.as_array())
            .cloned()
            .unwrap_or_default();
        let mut mailboxes = Vec::new();
        let authentication_policies = population.authentication_policies;
        for m in population.mailboxes {
            let t = extras
                .iter()
                .filter_map(|e| e.as_table())
                .find(|t| t.get("identity").and_then(|v| v.as_str()) == Some(m.identity.as_str()))
                .cloned()
                .unwrap_or_default();
            let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            mailboxes.push(FixtureMailbox {
                display_name: s("display_name").unwrap_or_else(|| m.identity.to_string()),
                redirect_addr: s("redirect_addr"),
                redirect_url: s("redirect_url"),
                password: s("password"),
                legacy_dn: s("legacy_dn").unwrap_or_else(|| {
                    format!(
                        "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={}",
                        m.identity
                    )
                }),
                policy: m,
            });
        }
        Ok(Fixture {
            organization,
            authentication_policies,
            mailboxes,
        })
    }

    /// The first mailbox with a password, as Basic credentials (its address and password):
    /// what the checker uses against the embedded server.
    pub fn credentials(&self) -> Option<(String, String)> {
        self.mailboxes.iter().find_map(|m| {
            m.password
                .as_ref()
                .map(|p| (m.address().to_owned(), p.clone()))
        })
    }

    /// The mailbox's effective SMTP AUTH state, in Exchange Online's order (security defaults,
    /// the mailbox or organisation setting, then the authentication policy in effect), and the
    /// name of that policy when one applies: what the server answers from and what the checker
    /// judges against.
    pub fn resolve(&self, m: &FixtureMailbox) -> (Resolution, Option<&str>) {
        let index = PolicyIndex::new(&self.authentication_policies);
        let res = self
            .authentication_policies
            .resolve(&self.organization, &index, &m.policy);
        let name = self
            .authentication_policies
            .named_for(&index, &m.policy)
            .map(|(_, p)| p.name.as_str());
        (res, name)
    }

    /// The mailbox with this address, identity or legacy DN (case-insensitive).
    pub fn find(&self, key: &str) -> Option<&FixtureMailbox> {
        let key = key.trim();
        self.mailboxes.iter().find(|m| {
            m.address().eq_ignore_ascii_case(key)
                || m.policy.identity.eq_ignore_ascii_case(key)
                || m.legacy_dn().eq_ignore_ascii_case(key)
        })
    }
}
