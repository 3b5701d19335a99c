//! A validate run over files: every input judged by the rules (and, optionally, against one
//! mailbox's SMTP AUTH policy state) into one report unit per file.

use crate::input::{self, InputError};
use crate::policy::{self, Mailbox, Organization, PolicyIndex, Population, Resolution};
use crate::report::{Report, Unit};
use crate::rules::{self, Outcome};
use crate::xml::Limits;
use crate::Parsed;
use std::path::{Path, PathBuf};

/// One mailbox's policy state, against which responses are judged as well.
#[derive(Debug, Clone)]
pub struct PolicyContext {
    /// The organisation.
    pub organization: Organization,
    /// The mailbox the responses were served for.
    pub mailbox: Mailbox,
    /// The mailbox's effective state, its authentication policy included.
    pub resolution: Resolution,
    /// The name of the authentication policy in effect, when it has one.
    pub policy_name: Option<String>,
}

/// Why a policy context could not be loaded; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum PolicyContextError {
    /// The export or fixture could not be loaded.
    #[error(transparent)]
    Load(#[from] policy::LoadError),
    /// The population has no mailbox with this identity or address.
    #[error("{}: no mailbox {email:?} in the policy", file.display())]
    NoMailbox {
        /// The export.
        file: PathBuf,
        /// The identity or address asked for.
        email: String,
    },
}

impl PolicyContext {
    /// Loads `file` (see [`policy::load_file`]) and picks the mailbox `email`.
    pub fn load(
        file: &Path,
        email: &str,
        source: &policy::LoadOptions,
    ) -> Result<PolicyContext, PolicyContextError> {
        let (organization, population): (Organization, Population) =
            policy::load_file(file, source)?;
        PolicyContext::of(organization, &population, email).ok_or_else(|| {
            PolicyContextError::NoMailbox {
                file: file.to_owned(),
                email: email.to_owned(),
            }
        })
    }

    /// The mailbox `email` of `population`, resolved under `organization`.
    pub fn of(organization: Organization, population: &Population, email: &str) -> Option<Self> {
        let mailbox = population.find(email)?.clone();
        let index = PolicyIndex::new(&population.authentication_policies);
        let resolution = population.resolve(&organization, &index, &mailbox);
        let policy_name = population
            .named_policy(&index, &mailbox)
            .map(|(_, p)| p.name.clone());
        Some(PolicyContext {
            organization,
            mailbox,
            resolution,
            policy_name,
        })
    }

    /// Judges a parsed response against the mailbox's state.
    pub fn check(&self, parsed: &Parsed) -> Outcome {
        rules::check_policy_resolved(
            parsed,
            &self.organization,
            &self.mailbox,
            self.resolution,
            self.policy_name.as_deref(),
        )
    }
}

/// Judges one input into a report unit; `extra` adds findings for a document that parsed.
pub fn unit_for(name: &str, bytes: &[u8], extra: impl FnOnce(&Parsed, &mut Outcome)) -> Unit {
    let v = rules::validate_bytes(bytes, &Limits::default());
    let mut outcome = v.outcome;
    let source = match &v.parsed {
        Some(p) => {
            extra(p, &mut outcome);
            Some(p.tree.text.to_string())
        }
        None => Some(String::from_utf8_lossy(bytes).into_owned()),
    };
    // Only findings are shown in context; keeping every clean file's text would make memory
    // grow with the size of the run rather than with what there is to report.
    let source = source.filter(|_| !outcome.findings.is_empty());
    let mut u = Unit::new(name, v.kind, outcome);
    u.source = source;
    u
}

/// The result of [`run`]: the report over every readable input, and the inputs that could
/// not be read (not judged, not in the report).
#[derive(Debug)]
pub struct Run {
    /// One unit per readable input, in the order given (folders expanded, sorted).
    pub report: Report,
    /// Inputs that could not be read.
    pub unreadable: Vec<InputError>,
}

/// Why a validate run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A folder could not be listed.
    #[error(transparent)]
    Walk(#[from] InputError),
    /// The paths hold no `.xml` file.
    #[error("no .xml files found in the paths given")]
    Empty,
    /// The report could not be written (an [`run_each`] sink failed).
    #[error("cannot write the report: {0}")]
    Write(std::io::Error),
}

/// Validates files, folders (every `.xml` below them) and `-` (standard input).
pub fn run(
    paths: &[PathBuf],
    strict: bool,
    policy: Option<&PolicyContext>,
) -> Result<Run, RunError> {
    let mut units = Vec::new();
    let unreadable = run_each(paths, policy, |u| {
        units.push(u);
        Ok(())
    })?;
    Ok(Run {
        report: Report::new("file", strict, units),
        unreadable,
    })
}

/// Validates like [`run`], but hands each file's unit to `sink` as soon as it is judged
/// instead of keeping it, so that memory stays flat in the number of files (the CLI writes
/// each unit with a [`crate::report::ReportWriter`]). Returns the inputs that could not be
/// read.
pub fn run_each(
    paths: &[PathBuf],
    policy: Option<&PolicyContext>,
    mut sink: impl FnMut(Unit) -> std::io::Result<()>,
) -> Result<Vec<InputError>, RunError> {
    let files = input::expand_xml(paths)?;
    if files.is_empty() {
        return Err(RunError::Empty);
    }
    let mut unreadable = Vec::new();
    for f in &files {
        match input::read(f) {
            Ok(bytes) => sink(unit_for(&f.display().to_string(), &bytes, |parsed, out| {
                if let Some(p) = policy {
                    out.merge(p.check(parsed));
                }
            }))
            .map_err(RunError::Write)?,
            Err(e) => unreadable.push(e),
        }
    }
    Ok(unreadable)
}
