//! Command-line definitions and dispatch.

use clap::{Parser, Subcommand, ValueEnum};
use poxspec::report::Format;
use std::path::PathBuf;

// First: its macros are in scope for the modules declared after it.
#[macro_use]
mod out;

#[cfg(all(feature = "live", feature = "server"))]
mod check;
#[cfg(all(feature = "live", feature = "server"))]
mod compare;
#[cfg(all(feature = "live", feature = "server"))]
mod discover;
#[cfg(all(feature = "live", feature = "server"))]
mod fuzz;
mod generate;
mod parse_roundtrip;
mod policy;
#[cfg(feature = "server")]
mod serve;
#[cfg(feature = "server")]
mod serve_mutate;
mod validate;

/// Exit code: success (no failures).
pub const EXIT_OK: i32 = 0;
/// Exit code: conformance failures or unstable documents.
pub const EXIT_FAIL: i32 = 1;
/// Exit code: usage error, unreadable or malformed input.
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "poxspec",
    version,
    about = "Conformance harness and fuzzer for Exchange POX Autodiscover and SMTP AUTH policy states"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the typed model of a document.
    Parse {
        /// The document (`-` for standard input).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ParseFormat::Json)]
        format: ParseFormat,
    },
    /// Check that documents survive writing and reading back (exit 1 with a diff if not).
    Roundtrip {
        /// The documents.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Judge documents against every rule (files, folders of .xml files, or - for stdin).
    Validate {
        /// Files, folders, or `-`.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        policy: policy::PolicyArgs,
    },
    /// SMTP AUTH policy states: resolution and audits of admin exports.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Check a live Autodiscover endpoint (without a URL: the embedded reference server).
    #[cfg(all(feature = "live", feature = "server"))]
    Check(Box<check::CheckArgs>),
    /// Fuzz a live Autodiscover endpoint with seeded valid, mutated and hostile requests.
    #[cfg(all(feature = "live", feature = "server"))]
    Fuzz(Box<fuzz::FuzzArgs>),
    /// Walk the path a client takes from an e-mail address to its settings (DNS, candidate
    /// URLs, GET redirect, SRV), judge the endpoint found, optionally probe the advertised
    /// IMAP/POP3/SMTP endpoints (without an address: the embedded lab).
    #[cfg(all(feature = "live", feature = "server"))]
    Discover(Box<discover::DiscoverArgs>),
    /// Run the reference server, optionally with injected faults.
    #[cfg(feature = "server")]
    Serve {
        /// Where the HTTPS endpoint listens.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: std::net::SocketAddr,
        /// Where the plain-HTTP endpoint (the GET redirect probe) listens (default: an ephemeral port).
        #[arg(long)]
        http_listen: Option<std::net::SocketAddr>,
        /// Fixture with domains, mailboxes, protocols and SMTP AUTH states (default: built in).
        #[arg(long)]
        fixture: Option<PathBuf>,
        /// Inject a fault (repeatable); see --list-faults.
        #[arg(long = "fault")]
        faults: Vec<String>,
        /// Print the fault catalogue: name, then description.
        #[arg(long)]
        list_faults: bool,
        /// Seconds the slow-response fault waits (0 to 3600).
        #[arg(long, default_value_t = 15.0, value_parser = serve::parse_slow)]
        slow: f64,
        #[command(flatten)]
        mutate: serve_mutate::MutateArgs,
        /// Require HTTP authentication on POSTs, with the fixture's passwords.
        #[arg(long, value_enum)]
        require_auth: Option<poxspec::server::AuthMode>,
        /// Write the CA certificate that signed the server's certificate here (PEM), for
        /// `check --ca-file`.
        #[arg(long)]
        ca_out: Option<PathBuf>,
    },
    /// Prove the harness: run the checker against the reference server once per fault.
    #[cfg(all(feature = "live", feature = "server"))]
    Selftest {
        /// Print the matrix as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a seeded set of valid (or, with --mutate, mutated) documents and manifest.json.
    Generate(generate::GenerateArgs),
    /// Write seeded mutations of one document and manifest.json.
    Mutate(generate::MutateArgs),
    /// Print the rule catalogue.
    Rules {
        /// Output format (human, json or markdown).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Resolve every mailbox's effective SMTP AUTH state and what decided it.
    Resolve {
        /// A TOML fixture, ConvertTo-Json, Export-Csv or Format-List export, or an identity list.
        file: PathBuf,
        #[command(flatten)]
        source: policy::Source,
        /// Output format.
        #[arg(long, value_enum, default_value_t = policy::PolicyFormat::Human)]
        format: policy::PolicyFormat,
    },
    /// Answer the three documented audit questions: disabled, enabled, following the organisation.
    Audit {
        /// The export.
        file: PathBuf,
        #[command(flatten)]
        source: policy::Source,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ParseFormat {
    Json,
    Debug,
}

/// Parses the arguments and runs the command; returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let code = match cli.command {
        Command::Parse { file, format } => parse_roundtrip::parse(&file, format),
        Command::Roundtrip { files } => parse_roundtrip::roundtrip(&files),
        Command::Validate {
            paths,
            format,
            strict,
            policy,
        } => validate::validate(&paths, format, strict, &policy),
        Command::Policy(PolicyCommand::Resolve {
            file,
            source,
            format,
        }) => policy::resolve(&file, &source, format),
        Command::Policy(PolicyCommand::Audit { file, source, json }) => {
            policy::audit(&file, &source, json)
        }
        Command::Rules { format } => validate::rules(format),
        #[cfg(all(feature = "live", feature = "server"))]
        Command::Check(args) => check::check(&args),
        #[cfg(all(feature = "live", feature = "server"))]
        Command::Discover(args) => discover::discover(&args),
        #[cfg(all(feature = "live", feature = "server"))]
        Command::Fuzz(args) => fuzz::fuzz(&args),
        #[cfg(feature = "server")]
        Command::Serve {
            listen,
            http_listen,
            fixture,
            faults,
            list_faults,
            slow,
            mutate,
            require_auth,
            ca_out,
        } => match mutate.mutate {
            Some(seed) => serve_mutate::serve(listen, http_listen, seed, &mutate),
            None => serve::serve(serve::ServeArgs {
                listen,
                http_listen,
                fixture,
                faults,
                list: list_faults,
                slow,
                require_auth,
                ca_out,
            }),
        },
        #[cfg(all(feature = "live", feature = "server"))]
        Command::Selftest { json } => check::selftest(json),
        Command::Generate(args) => generate::generate(&args),
        Command::Mutate(args) => generate::mutate(&args),
    };
    if code == EXIT_OK && out::write_failed() {
        EXIT_USAGE
    } else {
        code
    }
}

/// Renders a report to `output` (standard output when `None`; then a one-line summary naming
/// `units` goes to standard error) and returns the exit code its verdict calls for.
#[cfg(all(feature = "live", feature = "server"))]
pub fn emit(
    report: &poxspec::report::Report,
    format: Format,
    output: Option<&std::path::Path>,
    units: &str,
) -> i32 {
    let text = poxspec::report::render(report, format);
    match output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &text) {
                eprintln!("{}: cannot write: {e}", p.display());
                return EXIT_USAGE;
            }
            let s = report.summary();
            eprintln!(
                "{} {units}: {} passed, {} failed; report written to {}",
                s.total,
                s.passed,
                s.failed,
                p.display()
            );
        }
        None => out!("{text}"),
    }
    if report.passes() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}

/// Reads a file, or standard input for `-`; the error names the file.
pub fn read_input(path: &std::path::Path) -> Result<Vec<u8>, String> {
    poxspec::input::read(path).map_err(|e| e.to_string())
}
