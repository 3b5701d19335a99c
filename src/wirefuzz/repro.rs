//! Reproducers on disk: `DIR/failures/NNNN.xml` (the reduced request), `NNNN.orig.xml` is not
//! kept (the seed and index rebuild it), and `NNNN.sh`, a `curl` command that sends the
//! reduced request again. The command never holds a password: with credentials, curl asks
//! for it.

use super::run::FuzzOutcome;
use std::path::Path;
use std::time::Duration;

/// What the `curl` command needs to reach the server the way the run did.
#[derive(Debug, Clone, Default)]
pub struct CurlOptions {
    /// User for Basic authentication (curl prompts for the password).
    pub user: Option<String>,
    /// `--insecure`.
    pub insecure: bool,
    /// A CA certificate file to trust (`--cacert`).
    pub ca_file: Option<String>,
    /// `--connect-to` mappings (`HOST:PORT:CONNECT-HOST:CONNECT-PORT`).
    pub connect_to: Vec<String>,
    /// `--resolve` mappings (`HOST:PORT:ADDR[,ADDR...]`).
    pub resolve: Vec<String>,
    /// `--max-time`.
    pub timeout: Duration,
}

/// Quotes a word for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c))
    {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The command that POSTs `file` to `url` as the fuzzer did.
pub fn curl_command(url: &str, file: &str, o: &CurlOptions) -> String {
    let mut words = vec![
        "curl".to_owned(),
        "--silent".into(),
        "--show-error".into(),
        "--include".into(),
        "--max-time".into(),
        format!("{}", o.timeout.as_secs_f64().max(1.0).ceil() as u64),
        "-X".into(),
        "POST".into(),
        "-H".into(),
        shell_quote("Content-Type: text/xml; charset=utf-8"),
        "--data-binary".into(),
        shell_quote(&format!("@{file}")),
    ];
    if let Some(u) = &o.user {
        words.push("--user".into());
        words.push(shell_quote(u));
    }
    if o.insecure {
        words.push("--insecure".into());
    }
    if let Some(ca) = &o.ca_file {
        words.push("--cacert".into());
        words.push(shell_quote(ca));
    }
    for c in &o.connect_to {
        words.push("--connect-to".into());
        words.push(shell_quote(c));
    }
    for r in &o.resolve {
        words.push("--resolve".into());
        words.push(shell_quote(r));
    }
    words.push(shell_quote(url));
    words.join(" ")
}

/// Writes every reproducer that is not a duplicate into `dir/failures/` and fills in its
/// `file` and `curl`; also writes `dir/fuzz.json`.
pub fn write(dir: &Path, outcome: &mut FuzzOutcome, o: &CurlOptions) -> std::io::Result<()> {
    let failures = dir.join("failures");
    std::fs::create_dir_all(&failures)?;
    for r in &mut outcome.reproducers {
        if r.same_as.is_some() {
            continue;
        }
        let name = format!("failures/{:04}.xml", r.number);
        std::fs::write(dir.join(&name), &r.body)?;
        let curl = curl_command(&outcome.target, &name, o);
        let script = format!(
            "#!/bin/sh\n# poxspec fuzz reproducer {:04}: {} from {} (seed {}, request #{})\n# expected: {:?}; got: {}\ncd \"$(dirname \"$0\")/..\" && {curl}\n",
            r.number,
            r.class,
            r.label,
            outcome.seed,
            r.index,
            r.expect,
            r.detail.replace('\n', " ")
        );
        let sh = dir.join(format!("failures/{:04}.sh", r.number));
        std::fs::write(&sh, script)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&sh, std::fs::Permissions::from_mode(0o755))?;
        }
        r.file = Some(name);
        r.curl = Some(curl);
    }
    let mut json = super::render::json(outcome);
    json.push('\n');
    std::fs::write(dir.join("fuzz.json"), json)
}
