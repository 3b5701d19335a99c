//! `policy resolve`, `policy audit`, and the policy inputs of `validate`.

use super::{EXIT_OK, EXIT_USAGE};
use clap::{Args, ValueEnum};
use poxspec::policy::{self, Audit, InputFormat, LoadOptions, Organization, Population};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A nullable boolean on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Nullable {
    /// `$true`.
    True,
    /// `$false`.
    False,
    /// `$null`.
    Null,
}

impl Nullable {
    fn value(self) -> Option<bool> {
        match self {
            Nullable::True => Some(true),
            Nullable::False => Some(false),
            Nullable::Null => None,
        }
    }
}

/// Where a population comes from.
#[derive(Debug, Clone, Args)]
pub struct Source {
    /// The organisation's SmtpClientAuthenticationDisabled (overrides a TOML fixture's).
    #[arg(long, value_name = "true|false")]
    pub org_disabled: Option<bool>,
    /// Input format (default: from the file name, then the content).
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// For an identity list: the value being applied to every identity.
    #[arg(long, value_enum)]
    pub set: Option<Nullable>,
    /// `Get-AuthenticationPolicy | Export-Csv` or `| ConvertTo-Json`: the named
    /// authentication policies (Name, AllowBasicAuthSmtp).
    #[arg(long, value_name = "FILE")]
    pub auth_policies: Option<PathBuf>,
    /// `Get-OrganizationConfig | Export-Csv` or `| ConvertTo-Json`: the organisation's
    /// DefaultAuthenticationPolicy.
    #[arg(long, value_name = "FILE")]
    pub org_config: Option<PathBuf>,
    /// `Get-User | Export-Csv` or `| ConvertTo-Json`: every user's AuthenticationPolicy,
    /// matched to the mailboxes by Identity, Name, UserPrincipalName or address.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
}

impl Source {
    /// The library's load options.
    pub fn options(&self) -> LoadOptions {
        LoadOptions {
            org_disabled: self.org_disabled,
            format: self.input_format,
            set: self.set.map(Nullable::value),
            auth_policies: self.auth_policies.clone(),
            org_config: self.org_config.clone(),
            users: self.users.clone(),
        }
    }

    /// Loads the population, printing the error and giving the usage exit code on failure.
    fn load_or_report(&self, file: &Path) -> Result<(Organization, Population), i32> {
        policy::load_file(file, &self.options()).map_err(|e| {
            eprintln!("{e}");
            EXIT_USAGE
        })
    }
}

/// `validate --policy FILE --email ADDR`.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// A policy export or fixture to check responses against.
    #[arg(long, requires = "email")]
    pub policy: Option<PathBuf>,
    /// The mailbox (identity or address) the responses were served for.
    #[arg(long, requires = "policy")]
    pub email: Option<String>,
    #[command(flatten)]
    pub source: Source,
}

/// Output formats of `policy resolve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyFormat {
    /// A table for people.
    Human,
    /// `{"mailboxes":[...]}`.
    Json,
    /// CSV with a header row.
    Csv,
}

pub(super) fn resolve(file: &Path, source: &Source, format: PolicyFormat) -> i32 {
    let (org, p) = match source.load_or_report(file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // Resolved and written row by row: neither the resolved rows nor output the size of a
    // million-row export are ever held whole.
    let rows = policy::resolve_each(&org, &p);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let written = match format {
        PolicyFormat::Json => policy::write_json(&mut out, rows),
        PolicyFormat::Csv => policy::write_csv(&mut out, rows),
        PolicyFormat::Human => policy::write_human(&mut out, &org, rows),
    };
    let flushed = written.and_then(|()| out.flush());
    // The process ends right after: freeing a million-mailbox population string by string
    // would cost a sixth of the command's time for nothing.
    std::mem::forget(p);
    if let Err(e) = flushed {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("cannot write the output: {e}");
            return EXIT_USAGE;
        }
    }
    EXIT_OK
}

pub(super) fn audit(file: &Path, source: &Source, json: bool) -> i32 {
    let (org, p) = match source.load_or_report(file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let audit = Audit::of(&org, &policy::resolve_all(&org, &p));
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&audit).expect("the audit serializes")
        );
    } else {
        out!("{}", audit.render_human());
    }
    EXIT_OK
}
