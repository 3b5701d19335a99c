//! Loading a population and its organisation from a file, with the organisation's setting
//! given on the command line when the export does not carry it, and the authentication
//! policies, the organisation default and the users' assignments from the exports beside it.

use super::error::{ImportError, ImportErrorKind as K};
use super::import::{check_assignments, import_located, At, InputFormat};
use super::state::{Organization, PolicyIndex, Population};
use super::tenant;
use crate::input::{self, InputError};
use crate::xml::Str;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to read an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// The organisation's `SmtpClientAuthenticationDisabled`; overrides a fixture's.
    pub org_disabled: Option<bool>,
    /// The input format ([`InputFormat::Auto`]: from the file name, then the content).
    pub format: InputFormat,
    /// For an identity list: the value being applied (`Some(None)` for `$null`).
    pub set: Option<Option<bool>>,
    /// A `Get-AuthenticationPolicy` export (CSV or JSON): the named policies, added to a
    /// fixture's.
    pub auth_policies: Option<PathBuf>,
    /// A `Get-OrganizationConfig` export (CSV or JSON): the organisation default policy, which
    /// replaces a fixture's default (named or given as `allow_basic_auth_smtp`).
    pub org_config: Option<PathBuf>,
    /// A `Get-User` export (CSV or JSON): every user's `AuthenticationPolicy`, matched to the
    /// mailboxes by identity or address; every mailbox needs a row.
    pub users: Option<PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            org_disabled: None,
            format: InputFormat::Auto,
            set: None,
            auth_policies: None,
            org_config: None,
            users: None,
        }
    }
}

/// Why an export could not be loaded; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read or is not UTF-8.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The content is malformed (the error carries line and column where known).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Neither the export nor the options give the organisation's setting.
    #[error("{}: the export does not carry the organisation's setting; pass --org-disabled true|false", file.display())]
    NoOrganization {
        /// The export.
        file: PathBuf,
    },
}

/// Loads the population in `file` (or `-`) and the organisation it is judged under.
pub fn load_file(
    file: &Path,
    options: &LoadOptions,
) -> Result<(Organization, Population), LoadError> {
    // One shared text: the mailboxes' strings are ranges of it.
    let text: Arc<str> = input::read_text(file)?.into();
    load_shared(file, &text, options)
}

/// [`load_file`] on text already read; `file` names it in errors. The companion exports named
/// in `options` are read from disk.
pub fn load_text(
    file: &Path,
    text: &str,
    options: &LoadOptions,
) -> Result<(Organization, Population), LoadError> {
    load_shared(file, &Arc::from(text), options)
}

/// [`load_text`] on a shared text.
fn load_shared(
    file: &Path,
    text: &Arc<str>,
    options: &LoadOptions,
) -> Result<(Organization, Population), LoadError> {
    let name = file.display().to_string();
    let (mut p, assigned) = import_located(&name, text, options.format, options.set)?;
    let mut org = match (options.org_disabled, p.organization) {
        (Some(d), Some(o)) => Organization {
            smtp_client_authentication_disabled: d,
            ..o
        },
        (Some(d), None) => Organization::new(d),
        (None, Some(o)) => o,
        (None, None) => {
            return Err(LoadError::NoOrganization {
                file: file.to_owned(),
            })
        }
    };
    // Where the default's name was written, so that an unknown one is reported there.
    let mut default_at: Option<(String, String, At)> = None;
    if let Some(path) = &options.auth_policies {
        let (shown, text) = read(path)?;
        let policies = tenant::authentication_policies(&shown, &text)?;
        let index = PolicyIndex::new(&p.authentication_policies);
        if let Some(dup) = policies.iter().find(|a| index.get(&a.name).is_some()) {
            return Err(ImportError::new(
                &shown,
                None,
                None,
                K::Syntax(format!(
                    "authentication policy {:?} is also defined in {name}",
                    dup.name
                )),
            )
            .into());
        }
        p.authentication_policies.policies.extend(policies);
    }
    if let Some(path) = &options.org_config {
        let (shown, text) = read(path)?;
        let default = tenant::default_policy(&shown, &text)?;
        org.allow_basic_auth_smtp = None;
        p.authentication_policies.default_policy = default.as_ref().map(|(n, _)| n.clone());
        if let Some((_, at)) = default {
            default_at = Some((shown, text, at));
        }
    }
    let mut user_file = None;
    if let Some(path) = &options.users {
        let (shown, text) = read(path)?;
        let assigned = assign_users(&shown, &text, &mut p)?;
        user_file = Some((shown, text, assigned));
    }
    p.organization = p.organization.map(|_| org);
    let index = PolicyIndex::new(&p.authentication_policies);
    let known = p.authentication_policies.policies.len();
    if let Some((shown, text, at)) = &default_at {
        if let Some(d) = &p.authentication_policies.default_policy {
            if index.get(d).is_none() {
                let (line, column) = at.locate(text);
                return Err(ImportError::new(
                    shown,
                    line,
                    column,
                    K::UnknownPolicy {
                        name: d.clone(),
                        known,
                    },
                )
                .into());
            }
        }
    }
    match &user_file {
        // The users' export decided every assignment: names are placed in it.
        Some((shown, text, assigned)) => {
            check_assignments(shown, text, &p, assigned, &index, known)?
        }
        None => check_assignments(&name, text, &p, &assigned, &index, known)?,
    }
    Ok((org, p))
}

fn read(path: &Path) -> Result<(String, String), LoadError> {
    Ok((path.display().to_string(), input::read_text(path)?))
}

/// Gives every mailbox the assignment of its `Get-User` row. A row matching no mailbox is a
/// user without one (normal); a mailbox without a row is an error (its assignment is unknown),
/// as is a row contradicting the mailbox export's own `AuthenticationPolicy` column.
/// Returns where each assignment was written (mailbox index, position in the users' export).
fn assign_users(
    file: &str,
    text: &str,
    p: &mut Population,
) -> Result<Vec<(usize, At)>, ImportError> {
    let rows = tenant::users(file, text)?;
    // Mailbox identities and addresses, lower-cased, to their index: one pass each side.
    let mut by_key: HashMap<String, usize> = HashMap::with_capacity(p.mailboxes.len() * 2);
    for (i, m) in p.mailboxes.iter().enumerate() {
        by_key.entry(m.identity.to_lowercase()).or_insert(i);
        if let Some(a) = &m.address {
            by_key.entry(a.to_lowercase()).or_insert(i);
        }
    }
    let had_column = p
        .mailboxes
        .iter()
        .any(|m| m.authentication_policy.is_some());
    let mut from_row: Vec<Option<usize>> = vec![None; p.mailboxes.len()];
    let mut assigned = Vec::new();
    for r in &rows {
        let Some(i) = r
            .keys
            .iter()
            .find_map(|k| by_key.get(&k.to_lowercase()).copied())
        else {
            continue;
        };
        let m = &mut p.mailboxes[i];
        let same = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => true,
            _ => false,
        };
        let earlier = from_row[i];
        if (earlier.is_some() || had_column)
            && !same(m.authentication_policy.as_deref(), r.policy.as_deref())
        {
            let (line, column) = r.at.locate(text);
            return Err(ImportError::new(
                file,
                line,
                column,
                K::Conflict {
                    identity: m.identity.to_string(),
                    first_line: earlier.unwrap_or(0),
                },
            ));
        }
        m.authentication_policy = r.policy.as_deref().map(Str::from);
        from_row[i] = Some(r.line);
        assigned.push((i, r.at));
    }
    if let Some(i) = from_row.iter().position(Option::is_none) {
        return Err(ImportError::new(
            file,
            None,
            None,
            K::MissingField {
                field: format!("a row for mailbox {:?}", p.mailboxes[i].identity),
            },
        ));
    }
    Ok(assigned)
}
