//! SMTP AUTH policy states: the organisation setting, per-mailbox overrides, tenant gates,
//! authentication policies (per user, with an organisation default), their resolution into
//! disabled / OAuth only / Basic and OAuth, and importers/exporters for the formats admins
//! have.

mod audit;
mod csv_records;
mod error;
pub mod export;
pub mod import;
mod load;
mod quoted;
mod resolved;
mod state;
pub(crate) mod tenant;

pub use audit::{Audit, Effective};
pub use error::{ImportError, ImportErrorKind};
pub use import::{import, InputFormat};
pub use load::{load_file, load_text, LoadError, LoadOptions};
pub use resolved::{
    resolve_all, resolve_each, write_csv, write_human, write_json, ResolvedMailbox,
};
pub use state::{
    resolve, resolve_with, AuthenticationPolicies, AuthenticationPolicy, DecidedBy, Mailbox,
    Organization, PolicyInEffect, PolicyIndex, Population, Resolution, SmtpAuth,
};
