//! `policy resolve`, `policy audit`, and the policy inputs of `validate`.

use super::{read_input, EXIT_OK, EXIT_USAGE};
use clap::{Args, ValueEnum};
use poxspec::policy::{self, InputFormat, Mailbox, Organization, Population};
use std::io::Write;
use std::path::PathBuf;

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
}

impl Source {
    /// [`Source::load`], printing the error and giving the usage exit code on failure.
    fn load_or_report(&self, file: &std::path::Path) -> Result<(Organization, Population), i32> {
        self.load(file).map_err(|e| {
            eprintln!("{e}");
            EXIT_USAGE
        })
    }

    /// Loads the population and the organisation.
    pub fn load(&self, file: &std::path::Path) -> Result<(Organization, Population), String> {
        let name = file.display().to_string();
        let bytes = read_input(file)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            format!(
                "{name}: not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            )
        })?;
        let p = policy::import(
            &name,
            &text,
            self.input_format,
            self.set.map(Nullable::value),
        )
        .map_err(|e| e.to_string())?;
        let org = match (self.org_disabled, p.organization) {
            (Some(d), Some(o)) => Organization { smtp_client_authentication_disabled: d, ..o },
            (Some(d), None) => Organization::new(d),
            (None, Some(o)) => o,
            (None, None) => return Err(format!("{name}: the export does not carry the organisation's setting; pass --org-disabled true|false")),
        };
        Ok((org, p))
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

/// A loaded policy context for one mailbox.
pub struct PolicyContext {
    org: Organization,
    mailbox: Mailbox,
}

impl PolicyContext {
    /// Judges a parsed response against the mailbox's state.
    pub fn check(&self, parsed: &poxspec::Parsed) -> poxspec::rules::Outcome {
        poxspec::rules::check_policy(parsed, &self.org, &self.mailbox)
    }
}

impl PolicyArgs {
    /// Loads the context, or `None` when no policy was given.
    pub fn load(&self) -> Result<Option<PolicyContext>, String> {
        let (Some(file), Some(email)) = (&self.policy, &self.email) else {
            return Ok(None);
        };
        let (org, p) = self.source.load(file)?;
        let mailbox = p
            .find(email)
            .cloned()
            .ok_or_else(|| format!("{}: no mailbox {email:?} in the policy", file.display()))?;
        Ok(Some(PolicyContext { org, mailbox }))
    }
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

fn b(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "null",
    }
}

pub(super) fn resolve(file: &std::path::Path, source: &Source, format: PolicyFormat) -> i32 {
    let (org, p) = match source.load_or_report(file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let rows = policy::resolve_all(&org, &p);
    // Written as it is produced: output the size of a million-row export is never held whole.
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match format {
        PolicyFormat::Json => {
            #[derive(serde::Serialize)]
            struct Rows<'a, 'p> {
                mailboxes: &'a [policy::ResolvedMailbox<'p>],
            }
            serde_json::to_writer_pretty(&mut out, &Rows { mailboxes: &rows })
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
        PolicyFormat::Csv => write_csv(&mut out, &rows),
        PolicyFormat::Human => write_human(&mut out, &org, &rows),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("cannot write the output: {e}");
            return EXIT_USAGE;
        }
    }
    EXIT_OK
}

fn write_csv(out: &mut impl Write, rows: &[policy::ResolvedMailbox]) -> std::io::Result<()> {
    writeln!(
        out,
        "address,identity,mailbox_setting,organization_disabled,effective_disabled,decided_by"
    )?;
    let q = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    for r in rows {
        writeln!(
            out,
            "{},{},{},{},{},{}",
            q(r.address.unwrap_or("")),
            q(r.identity),
            b(r.mailbox_setting),
            r.organization_disabled,
            r.effective_disabled,
            r.decided_by.as_str()
        )?;
    }
    Ok(())
}

fn write_human(
    out: &mut impl Write,
    org: &Organization,
    rows: &[policy::ResolvedMailbox],
) -> std::io::Result<()> {
    writeln!(
        out,
        "organisation SmtpClientAuthenticationDisabled = {}",
        org.smtp_client_authentication_disabled
    )?;
    writeln!(
        out,
        "{:<32} {:<8} {:<9} decided by",
        "mailbox", "setting", "SMTP AUTH"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<32} {:<8} {:<9} {}",
            r.address.unwrap_or(r.identity),
            b(r.mailbox_setting),
            if r.effective_disabled {
                "disabled"
            } else {
                "enabled"
            },
            r.decided_by.as_str()
        )?;
    }
    Ok(())
}

pub(super) fn audit(file: &std::path::Path, source: &Source, json: bool) -> i32 {
    let (org, p) = match source.load_or_report(file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let rows = policy::resolve_all(&org, &p);
    let name = |r: &policy::ResolvedMailbox| r.address.unwrap_or(r.identity).to_owned();
    let pick = |f: &dyn Fn(&policy::ResolvedMailbox) -> bool| {
        rows.iter().filter(|r| f(r)).map(name).collect::<Vec<_>>()
    };
    let explicit_disabled = pick(&|r| r.mailbox_setting == Some(true));
    let explicit_enabled = pick(&|r| r.mailbox_setting == Some(false));
    let following = pick(&|r| r.mailbox_setting.is_none());
    let effective_enabled = pick(&|r| !r.effective_disabled);
    let effective_disabled = pick(&|r| r.effective_disabled);
    if json {
        let v = serde_json::json!({
            "organization_disabled": org.smtp_client_authentication_disabled,
            "disabled": explicit_disabled,
            "enabled": explicit_enabled,
            "following_organization": following,
            "effective": { "enabled": effective_enabled, "disabled": effective_disabled },
        });
        println!("{}", serde_json::to_string_pretty(&v).expect("serializes"));
        return EXIT_OK;
    }
    let list = |title: &str, names: &[String]| {
        println!("{title} ({}):", names.len());
        for n in names {
            println!("  {n}");
        }
    };
    list(
        "SMTP AUTH disabled on the mailbox ($true)",
        &explicit_disabled,
    );
    list(
        "SMTP AUTH enabled on the mailbox ($false)",
        &explicit_enabled,
    );
    list(
        &format!(
            "following the organisation ($null; organisation is {})",
            org.smtp_client_authentication_disabled
        ),
        &following,
    );
    println!(
        "effective: {} enabled, {} disabled (a `-eq $false` filter finds only the {} explicit overrides)",
        effective_enabled.len(),
        effective_disabled.len(),
        explicit_enabled.len()
    );
    EXIT_OK
}
