//! Several targets in one run (`--target NAME=URL`, repeatable, with per-target options in a
//! TOML file): `check` and `fuzz` run each target with its own options, and the results become
//! one [`crate::report::matrix::Matrix`].
//!
//! Credentials are per target only (from the TOML file): a password given for one server is
//! never sent to another.

use crate::check::{self, CheckSettings, Embedded};
use crate::fuzz_run::{self, FuzzSettings};
use crate::live::ClientArgs;
pub use crate::report::matrix::TargetRun;
use crate::report::Report;
use crate::wirefuzz::{FuzzOutcome, Progress};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `NAME=URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetArg {
    /// The name (letters, digits, `-`, `_`, `.`): the matrix's column and the reproducers'
    /// folder.
    pub name: String,
    /// The Autodiscover URL.
    pub url: String,
}

/// Parses `NAME=URL`.
pub fn parse_target(s: &str) -> Result<TargetArg, String> {
    let (name, url) = s.split_once('=').ok_or(
        "expected NAME=URL, e.g. exchange=https://mail.example.net/autodiscover/autodiscover.xml",
    )?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(format!(
            "target name {name:?}: use letters, digits, '-', '_' or '.'"
        ));
    }
    url::Url::parse(url).map_err(|e| format!("{url}: not a URL: {e}"))?;
    Ok(TargetArg {
        name: name.to_owned(),
        url: url.to_owned(),
    })
}

/// The options that select several targets. With the `cli` feature, `check`'s and `fuzz`'s.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct CompareArgs {
    /// Compare several servers: NAME=URL (repeatable); the report is one matrix.
    #[cfg_attr(feature = "cli", arg(long = "target", value_parser = parse_target, conflicts_with = "url"))]
    pub targets: Vec<TargetArg>,
    /// TOML file with per-target options ([target.NAME] url, user, password_env, insecure,
    /// email, fixture, timeout ...); its targets are compared too.
    #[cfg_attr(feature = "cli", arg(long, conflicts_with = "url"))]
    pub targets_file: Option<PathBuf>,
}

/// Per-target options from the TOML file; anything not given falls back to the command line,
/// except credentials, which are the target's own or none.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TargetOptions {
    /// The URL (required for a target the command line does not name).
    pub url: Option<String>,
    /// User for HTTP Basic authentication on this target only.
    pub user: Option<String>,
    /// The environment variable holding that user's password.
    pub password_env: Option<String>,
    /// Send the credentials over plain http too.
    #[serde(default)]
    pub allow_http_auth: bool,
    /// Do not verify TLS certificates.
    pub insecure: Option<bool>,
    /// Mailboxes to ask for.
    #[serde(default)]
    pub email: Vec<String>,
    /// Fixture naming the mailboxes (relative to the file).
    pub fixture: Option<PathBuf>,
    /// Per-request timeout, seconds.
    pub timeout: Option<f64>,
    /// URL of the unauthenticated GET probe (`check`).
    pub get_url: Option<String>,
}

impl TargetOptions {
    /// The command line's client options for this target: its own credentials only (a
    /// password given for one server is never sent to another), its TLS and timeout when set.
    pub fn client(&self, cli: &ClientArgs) -> ClientArgs {
        ClientArgs {
            user: self.user.clone(),
            password_env: self.password_env.clone(),
            allow_http_auth: self.allow_http_auth,
            insecure: self.insecure.unwrap_or(cli.insecure),
            timeout: self.timeout.unwrap_or(cli.timeout),
            ..cli.clone()
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    #[serde(default)]
    target: BTreeMap<String, TargetOptions>,
}

/// One target to run: its name, URL and options.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The name.
    pub name: String,
    /// The URL.
    pub url: String,
    /// Its options from the file (defaults when it has none there).
    pub options: TargetOptions,
}

impl CompareArgs {
    /// Whether several-target mode is on.
    pub fn active(&self) -> bool {
        !self.targets.is_empty() || self.targets_file.is_some()
    }

    /// The targets: `--target` ones in order (with their file options), then the file's
    /// others in name order. A relative `fixture` in the file is relative to the file.
    pub fn resolve(&self) -> Result<Vec<Target>, String> {
        let mut file = BTreeMap::new();
        if let Some(p) = &self.targets_file {
            file = read_file(p)?;
        }
        let mut out = Vec::new();
        for t in &self.targets {
            if out.iter().any(|o: &Target| o.name == t.name) {
                return Err(format!("--target {}: the name is given twice", t.name));
            }
            let options = file.remove(&t.name).unwrap_or_default();
            out.push(Target {
                name: t.name.clone(),
                url: t.url.clone(),
                options,
            });
        }
        for (name, options) in file {
            let url = options.url.clone().ok_or_else(|| {
                format!(
                    "{}: [target.{name}] has no url (and no --target {name}=URL names one)",
                    self.targets_file
                        .as_deref()
                        .unwrap_or(Path::new(""))
                        .display()
                )
            })?;
            out.push(Target { name, url, options });
        }
        if out.is_empty() {
            return Err("no target: give --target NAME=URL or [target.NAME] in the file".into());
        }
        Ok(out)
    }
}

fn read_file(p: &Path) -> Result<BTreeMap<String, TargetOptions>, String> {
    let text =
        std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
    let parsed: TargetsFile = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!("{line}:{col}: ")
            })
            .unwrap_or_default();
        format!("{}:{at}{}", p.display(), e.message())
    })?;
    let base = p.parent().unwrap_or(Path::new("."));
    let mut map = parsed.target;
    for (name, o) in &mut map {
        if let Some(u) = &o.url {
            url::Url::parse(u)
                .map_err(|e| format!("{}: [target.{name}] url {u}: {e}", p.display()))?;
        }
        if let Some(f) = &mut o.fixture {
            if f.is_relative() {
                *f = base.join(&*f);
            }
        }
    }
    Ok(map)
}

impl TargetOptions {
    /// The fixture, mailboxes and client options for this target, given the command line's.
    fn merge(
        &self,
        fixture: &Option<PathBuf>,
        emails: &[String],
        client: &ClientArgs,
    ) -> (Option<PathBuf>, Vec<String>, ClientArgs) {
        (
            self.fixture.clone().or_else(|| fixture.clone()),
            if self.email.is_empty() {
                emails.to_vec()
            } else {
                self.email.clone()
            },
            self.client(client),
        )
    }
}

/// The per-target `check` settings: the command line's, with the target's URL and options.
/// Credentials come from the target's options only.
pub fn check_settings_for(settings: &CheckSettings, t: &Target) -> CheckSettings {
    let (fixture, emails, client) =
        t.options
            .merge(&settings.fixture, &settings.emails, &settings.client);
    CheckSettings {
        url: Some(t.url.clone()),
        fixture,
        emails,
        client,
        get_url: t.options.get_url.clone(),
        program_login: None,
        ..settings.clone()
    }
}

/// The per-target `fuzz` settings, as [`check_settings_for`]; the same seed for every target.
pub fn fuzz_settings_for(settings: &FuzzSettings, t: &Target) -> FuzzSettings {
    let (fixture, emails, client) =
        t.options
            .merge(&settings.fixture, &settings.emails, &settings.client);
    FuzzSettings {
        url: Some(t.url.clone()),
        fixture,
        emails,
        client,
        faults: vec![],
        ..settings.clone()
    }
}

/// Checks every target in turn with its settings; one that cannot be checked keeps its
/// reason (the matrix shows it, the others still run).
pub async fn check_targets(settings: &CheckSettings, targets: &[Target]) -> Vec<TargetRun<Report>> {
    let mut results = Vec::new();
    for t in targets {
        let r = check::run(&check_settings_for(settings, t), &Embedded::default())
            .await
            .map_err(|e| e.to_string());
        results.push((t.name.clone(), t.url.clone(), r));
    }
    results
}

/// Fuzzes every target in turn with the same seed, reporting progress to `progress(target)`;
/// with `out`, each target's reproducers go to `out/NAME/failures/`. An error writing them
/// stops the comparison.
pub async fn fuzz_targets(
    settings: &FuzzSettings,
    targets: &[Target],
    out: Option<&Path>,
    progress: &dyn Fn(&Target) -> Box<dyn Progress>,
) -> Result<Vec<TargetRun<FuzzOutcome>>, String> {
    let mut results = Vec::new();
    for t in targets {
        let a = fuzz_settings_for(settings, t);
        let p = progress(t);
        let mut r = fuzz_run::run(&a, p.as_ref())
            .await
            .map_err(|e| e.to_string());
        if let (Some(dir), Ok(outcome)) = (out, &mut r) {
            fuzz_run::write_reproducers(&a, &dir.join(&t.name), outcome)?;
        }
        results.push((t.name.clone(), t.url.clone(), r));
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_args_and_file_merge() {
        let dir = std::env::temp_dir().join(format!("poxspec-compare-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("targets.toml");
        std::fs::write(
            &f,
            "[target.a]\nuser = \"u\"\npassword_env = \"P\"\n\n[target.b]\nurl = \"https://b.example/x\"\nfixture = \"fx.toml\"\n",
        )
        .unwrap();
        let args = CompareArgs {
            targets: vec![
                parse_target("a=https://a.example/autodiscover/autodiscover.xml").unwrap(),
            ],
            targets_file: Some(f.clone()),
        };
        let t = args.resolve().unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].name.as_str(), t[0].options.user.as_deref()),
            ("a", Some("u"))
        );
        assert_eq!(t[1].url, "https://b.example/x");
        assert_eq!(
            t[1].options.fixture.as_deref(),
            Some(dir.join("fx.toml").as_path())
        );
        assert!(parse_target("no-url").is_err());
        assert!(parse_target("bad name=https://x").is_err());
        std::fs::write(&f, "[target.c]\nuser = \"u\"\n").unwrap();
        let e = CompareArgs {
            targets: vec![],
            targets_file: Some(f.clone()),
        }
        .resolve()
        .unwrap_err();
        assert!(e.contains("has no url"), "{e}");
        std::fs::write(&f, "[target.c]\nurll = \"x\"\n").unwrap();
        let e = CompareArgs {
            targets: vec![],
            targets_file: Some(f),
        }
        .resolve()
        .unwrap_err();
        assert!(e.contains(":2:1:"), "{e}");
    }
}
