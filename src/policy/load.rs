//! Loading a population and its organisation from a file, with the organisation's setting
//! given on the command line when the export does not carry it.

use super::error::ImportError;
use super::import::{import, InputFormat};
use super::state::{Organization, Population};
use crate::input::{self, InputError};
use std::path::{Path, PathBuf};

/// How to read an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// The organisation's `SmtpClientAuthenticationDisabled`; overrides a fixture's.
    pub org_disabled: Option<bool>,
    /// The input format ([`InputFormat::Auto`]: from the file name, then the content).
    pub format: InputFormat,
    /// For an identity list: the value being applied (`Some(None)` for `$null`).
    pub set: Option<Option<bool>>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            org_disabled: None,
            format: InputFormat::Auto,
            set: None,
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
    let text = input::read_text(file)?;
    load_text(file, &text, options)
}

/// [`load_file`] on text already read; `file` names it in errors.
pub fn load_text(
    file: &Path,
    text: &str,
    options: &LoadOptions,
) -> Result<(Organization, Population), LoadError> {
    let p = import(
        &file.display().to_string(),
        text,
        options.format,
        options.set,
    )?;
    let org = match (options.org_disabled, p.organization) {
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
    Ok((org, p))
}
