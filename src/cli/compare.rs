//! Several targets in one run (`--target NAME=URL`, repeatable, with per-target options in a
//! TOML file): `check` and `fuzz` run each target with its own options and render one matrix.
//!
//! Credentials are per target only (from the TOML file): a password given for one server is
//! never sent to another.

use clap::Args;
use poxspec::check::{self, CheckSettings, Embedded};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `NAME=URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetArg {
    pub name: String,
    pub url: String,
}

fn parse_target(s: &str) -> Result<TargetArg, String> {
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

/// The options that select several targets.
#[derive(Debug, Clone, Default, Args)]
pub struct CompareArgs {
    /// Compare several servers: NAME=URL (repeatable); the report is one matrix.
    #[arg(long = "target", value_parser = parse_target, conflicts_with = "url")]
    pub targets: Vec<TargetArg>,
    /// TOML file with per-target options ([target.NAME] url, user, password_env, insecure,
    /// email, fixture, timeout ...); its targets are compared too.
    #[arg(long, conflicts_with = "url")]
    pub targets_file: Option<PathBuf>,
}

/// Per-target options from the TOML file; anything not given falls back to the command line.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TargetOptions {
    pub url: Option<String>,
    pub user: Option<String>,
    pub password_env: Option<String>,
    #[serde(default)]
    pub allow_http_auth: bool,
    pub insecure: Option<bool>,
    #[serde(default)]
    pub email: Vec<String>,
    pub fixture: Option<PathBuf>,
    pub timeout: Option<f64>,
    pub get_url: Option<String>,
}

impl TargetOptions {
    /// The command line's client options for this target: its own credentials only (a
    /// password given for one server is never sent to another), its TLS and timeout when set.
    pub fn client(&self, cli: &poxspec::live::ClientArgs) -> poxspec::live::ClientArgs {
        poxspec::live::ClientArgs {
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
    pub name: String,
    pub url: String,
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

/// The per-target `check` arguments: the command line's, with the target's URL and options.
/// Credentials come from the target's options only.
fn check_args_for(args: &super::check::CheckArgs, t: &Target) -> CheckSettings {
    let o = &t.options;
    let args = &args.settings;
    CheckSettings {
        url: Some(t.url.clone()),
        fixture: o.fixture.clone().or_else(|| args.fixture.clone()),
        emails: if o.email.is_empty() {
            args.emails.clone()
        } else {
            o.email.clone()
        },
        client: o.client(&args.client),
        get_url: o.get_url.clone(),
        program_login: None,
        ..args.clone()
    }
}

fn emit(text: &str, output: &Option<PathBuf>, first_line: &str) -> Result<(), i32> {
    match output {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| {
                eprintln!("{}: cannot write: {e}", p.display());
                super::EXIT_USAGE
            })?;
            eprintln!("{first_line}; report written to {}", p.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

fn exit_code(m: &poxspec::report::matrix::Matrix, any_not_run: bool) -> i32 {
    if any_not_run {
        super::EXIT_USAGE
    } else if m.passes() {
        super::EXIT_OK
    } else {
        super::EXIT_FAIL
    }
}

/// `check --target ...`: every target checked with its options, one matrix.
pub fn check_many(args: &super::check::CheckArgs) -> i32 {
    use poxspec::report::{html, matrix, Format};
    let targets = match args.compare.resolve() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("poxspec check: {e}");
            return super::EXIT_USAGE;
        }
    };
    if args.format == Format::Junit {
        eprintln!("poxspec check: --format junit takes one target; compare with human, json, markdown or html");
        return super::EXIT_USAGE;
    }
    let rt = super::fuzz::runtime();
    let mut results = Vec::new();
    for t in &targets {
        let a = check_args_for(args, t);
        let r = rt
            .block_on(check::run(&a, &Embedded::default()))
            .map_err(|e| e.to_string());
        if let Err(e) = &r {
            eprintln!("poxspec check: target {}: {e}", t.name);
        }
        results.push((t.name.clone(), t.url.clone(), r));
    }
    let any_not_run = results.iter().any(|(_, _, r)| r.is_err());
    let m = matrix::Matrix::from_reports(&results);
    let text = match args.format {
        Format::Json => matrix::render_json(&m),
        Format::Markdown => matrix::render_markdown(&m),
        Format::Html => html::render_html(&m),
        Format::Human | Format::Junit => matrix::render_human(&m),
    };
    let passed = m.columns.iter().filter(|c| c.passed).count();
    if let Err(code) = emit(
        &text,
        &args.output,
        &format!("{passed}/{} targets passed", m.columns.len()),
    ) {
        return code;
    }
    exit_code(&m, any_not_run)
}

/// `fuzz --target ...`: every target fuzzed in turn with the same seed, one matrix;
/// reproducers go to `DIR/NAME/failures/`.
pub fn fuzz_many(args: &super::fuzz::FuzzArgs) -> i32 {
    use super::fuzz::FuzzFormat;
    use poxspec::report::{html, matrix};
    let targets = match args.compare.resolve() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("poxspec fuzz: {e}");
            return super::EXIT_USAGE;
        }
    };
    let rt = super::fuzz::runtime();
    let mut results = Vec::new();
    for t in &targets {
        let o = &t.options;
        let s = &args.settings;
        let a = poxspec::fuzz_run::FuzzSettings {
            url: Some(t.url.clone()),
            fixture: o.fixture.clone().or_else(|| s.fixture.clone()),
            emails: if o.email.is_empty() {
                s.emails.clone()
            } else {
                o.email.clone()
            },
            client: o.client(&s.client),
            ..s.clone()
        };
        eprintln!("fuzz: target {} ({})", t.name, t.url);
        let bar = super::fuzz::Bar::new(a.count);
        let mut r = rt
            .block_on(poxspec::fuzz_run::run(&a, &bar))
            .map_err(|e| e.to_string());
        bar.finish();
        if let (Some(dir), Ok(outcome)) = (&args.out, &mut r) {
            if let Err(e) = poxspec::fuzz_run::write_reproducers(&a, &dir.join(&t.name), outcome) {
                eprintln!("{e}");
                return super::EXIT_USAGE;
            }
        }
        if let Err(e) = &r {
            eprintln!("poxspec fuzz: target {}: {e}", t.name);
        }
        results.push((t.name.clone(), t.url.clone(), r));
    }
    let any_not_run = results.iter().any(|(_, _, r)| r.is_err());
    let m = poxspec::wirefuzz::render::matrix(&results);
    let text = match args.format {
        FuzzFormat::Json => matrix::render_json(&m),
        FuzzFormat::Markdown => matrix::render_markdown(&m),
        FuzzFormat::Html => html::render_html(&m),
        FuzzFormat::Human => matrix::render_human(&m),
    };
    let passed = m.columns.iter().filter(|c| c.passed).count();
    if let Err(code) = emit(
        &text,
        &args.output,
        &format!("{passed}/{} targets passed", m.columns.len()),
    ) {
        return code;
    }
    exit_code(&m, any_not_run)
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
