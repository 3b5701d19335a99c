//! The client options `check`, `discover` and `fuzz` share (credentials, TLS trust, routing,
//! limits), declared once: with the `cli` feature they are one clap group that each command
//! flattens, so a flag is edited in one place. [`ClientArgs::options`] turns them into the
//! [`ClientOptions`] every client is built from.

use super::route::{ConnectTo, Dns, DnsSource, ResolveTo, Routing};
use super::tls::{self, CaFileError, Trust};
use super::{ClientOptions, Credentials, CredentialsError};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Default per-request timeout, seconds.
pub const DEFAULT_TIMEOUT: f64 = 10.0;
/// Longest per-request timeout accepted, seconds (an hour: longer is a hang, not a timeout).
pub const MAX_TIMEOUT: f64 = 3600.0;
/// Default cap on a response body, bytes.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// `--timeout`: 0.001 to [`MAX_TIMEOUT`] seconds.
pub fn parse_timeout(s: &str) -> Result<f64, String> {
    crate::input::parse_seconds(s, 0.001, MAX_TIMEOUT)
}

/// The client options of every command that talks to an endpoint. Credentials are bound to
/// the origin the command names (check, fuzz: the URL; discover: `https://DOMAIN` and
/// `https://autodiscover.DOMAIN`) and never follow a redirect elsewhere.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct ClientArgs {
    /// User name for HTTP Basic authentication (sent only to the origin the command names:
    /// check and fuzz the URL's; discover https://DOMAIN and https://autodiscover.DOMAIN,
    /// never a GET redirect or SRV target).
    #[cfg_attr(feature = "cli", arg(long, requires = "password_env"))]
    pub user: Option<String>,
    /// Name of the environment variable holding the password (never printed).
    #[cfg_attr(feature = "cli", arg(long, requires = "user"))]
    pub password_env: Option<String>,
    /// Send the credentials over plain http too (they are readable on the wire). Without it,
    /// --user with an http:// URL is refused. (discover asks https URLs only.)
    #[cfg_attr(feature = "cli", arg(long, requires = "user"))]
    pub allow_http_auth: bool,
    /// Do not verify TLS certificates: the tls/ cases show the certificate's problems without
    /// judging them, and the report says verification was off.
    #[cfg_attr(feature = "cli", arg(long))]
    pub insecure: bool,
    /// Trust the CA certificates in this PEM file too (a private CA on staging; repeatable).
    /// The public web roots stay trusted.
    #[cfg_attr(feature = "cli", arg(long = "ca-file", value_name = "PEM"))]
    pub ca_files: Vec<PathBuf>,
    /// HOST1:PORT1:HOST2:PORT2 (curl's syntax): connect to HOST2:PORT2 for requests to
    /// HOST1:PORT1; an empty part matches any (1, 2) or keeps the request's (3, 4). Host
    /// header, SNI and the certificate name stay the URL's. Repeatable; the first match wins.
    #[cfg_attr(
        feature = "cli",
        arg(long = "connect-to", value_name = "HOST1:PORT1:HOST2:PORT2")
    )]
    pub connect_to: Vec<ConnectTo>,
    /// HOST:PORT:ADDR[,ADDR...] (curl's syntax): use these addresses for HOST:PORT instead of
    /// DNS (HOST may be *). Repeatable.
    #[cfg_attr(feature = "cli", arg(long, value_name = "HOST:PORT:ADDR"))]
    pub resolve: Vec<ResolveTo>,
    /// Per-request timeout in seconds (0.001 to 3600); a slower answer is a timeout.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULT_TIMEOUT, value_parser = parse_timeout))]
    pub timeout: f64,
    /// Largest response body read, in bytes.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULT_MAX_BODY))]
    pub max_body: usize,
}

impl Default for ClientArgs {
    /// No credentials, verified TLS with the public roots, the system resolver, the documented
    /// timeout and body cap.
    fn default() -> Self {
        ClientArgs {
            user: None,
            password_env: None,
            allow_http_auth: false,
            insecure: false,
            ca_files: vec![],
            connect_to: vec![],
            resolve: vec![],
            timeout: DEFAULT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// Why the client options could not be turned into a client's.
#[derive(Debug, thiserror::Error)]
pub enum ClientArgsError {
    /// `--password-env` names a variable that is not set.
    #[error("--password-env: the environment variable {0} is not set")]
    PasswordEnv(String),
    /// A `--ca-file` could not be used.
    #[error(transparent)]
    CaFile(#[from] CaFileError),
    /// The resolver for `--connect-to`/`--resolve` could not be set up.
    #[error("DNS: {0}")]
    Dns(String),
    /// The credentials cannot be bound to the named origin (no origin, or plain http without
    /// `--allow-http-auth`).
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
}

/// What the program adds to the user's options: a root it trusts for this run (the embedded
/// server's), routing rules of its own (the lab's), a resolver, and credentials the program
/// chose when the user gave none.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// A certificate (DER) trusted as a root for this run.
    pub root: Option<Vec<u8>>,
    /// `--connect-to` rules applied before the user's.
    pub connect_to: Vec<ConnectTo>,
    /// Where names resolve; `None`: routing only when the user gave overrides, through the
    /// system configuration.
    pub dns: Option<DnsSource>,
    /// User and password used when `--user` is not given.
    pub login: Option<(String, String)>,
}

impl ClientArgs {
    /// The timeout as a [`Duration`], clamped into what the parser accepts (options built in
    /// code bypass it; `Duration::from_secs_f64` panics on infinity).
    pub fn timeout(&self) -> Duration {
        let s = if self.timeout.is_nan() {
            MAX_TIMEOUT
        } else {
            self.timeout
        };
        Duration::from_secs_f64(s.clamp(0.001, MAX_TIMEOUT))
    }

    /// `--user` with the password read from `--password-env`.
    pub fn login(&self) -> Result<Option<(String, String)>, ClientArgsError> {
        match (&self.user, &self.password_env) {
            (Some(u), Some(var)) => std::env::var(var)
                .map(|p| Some((u.clone(), p)))
                .map_err(|_| ClientArgsError::PasswordEnv(var.clone())),
            _ => Ok(None),
        }
    }

    /// The client options. Credentials (the user's, else `extra.login`) are bound to the
    /// origin of `credential_url` when one is given; without one they are not set here (the
    /// caller binds them to the origins it names).
    pub fn options(
        &self,
        credential_url: Option<&str>,
        extra: Extra,
    ) -> Result<ClientOptions, ClientArgsError> {
        let mut extra_roots: Vec<Vec<u8>> = extra.root.into_iter().collect();
        for f in &self.ca_files {
            extra_roots.extend(tls::load_ca_file(f)?);
        }
        let timeout = self.timeout();
        // With overrides, names resolve through hickory with the system configuration (as
        // discover does); without, through the system resolver.
        let mut connect_to = extra.connect_to;
        connect_to.extend(self.connect_to.iter().cloned());
        let routing = if extra.dns.is_none() && connect_to.is_empty() && self.resolve.is_empty() {
            None
        } else {
            let dns = Dns::new(extra.dns.unwrap_or(DnsSource::System), timeout)
                .map_err(ClientArgsError::Dns)?;
            Some(Arc::new(Routing {
                dns,
                connect_to,
                resolve: self.resolve.clone(),
            }))
        };
        let login = self.login()?.or(extra.login);
        let credentials = match (credential_url, login) {
            (Some(url), Some((user, password))) => {
                Some(Credentials::new(user, password, url, self.allow_http_auth)?)
            }
            _ => None,
        };
        Ok(ClientOptions {
            trust: Trust {
                insecure: self.insecure,
                extra_roots,
            },
            timeout,
            body_cap: self.max_body,
            credentials,
            routing,
        })
    }

    /// Lines for a report's context: verification off, CA files, routing.
    pub fn context(&self, options: &ClientOptions) -> Vec<(String, String)> {
        let mut c = Vec::new();
        if self.insecure {
            c.push((
                "tls_verification".into(),
                "off (--insecure): certificates are neither verified nor judged".into(),
            ));
        }
        if !self.ca_files.is_empty() {
            c.push((
                "ca_files".into(),
                self.ca_files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        if let Some(r) = options.routing.as_ref().and_then(|r| r.describe()) {
            c.push(("routing".into(), r));
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_built_in_code_never_panic() {
        let mut a = ClientArgs {
            timeout: f64::INFINITY,
            ..ClientArgs::default()
        };
        assert_eq!(a.timeout(), Duration::from_secs(3600));
        a.timeout = f64::NAN;
        assert_eq!(a.timeout(), Duration::from_secs(3600));
        a.timeout = -5.0;
        assert_eq!(a.timeout(), Duration::from_millis(1));
    }

    #[test]
    fn parse_timeout_refuses_infinity_nan_and_out_of_range() {
        for bad in ["inf", "-inf", "NaN", "1e30", "0", "-1", "3600.5", "ten"] {
            assert!(parse_timeout(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(parse_timeout("0.001"), Ok(0.001));
        assert!(parse_timeout("inf").unwrap_err().contains("0.001 to 3600"));
    }

    #[test]
    fn credentials_bind_to_the_named_origin_and_refuse_plain_http() {
        let var = "POXSPEC_CLIENT_ARGS_TEST_PASSWORD";
        std::env::set_var(var, "s3cret");
        let a = ClientArgs {
            user: Some("u".into()),
            password_env: Some(var.into()),
            ..ClientArgs::default()
        };
        let o = a
            .options(Some("https://a.example/x"), Extra::default())
            .unwrap();
        assert_eq!(o.credentials.as_ref().map(|c| c.user()), Some("u"));
        assert!(matches!(
            a.options(Some("http://a.example/x"), Extra::default()),
            Err(ClientArgsError::Credentials(_))
        ));
        let missing = ClientArgs {
            password_env: Some("POXSPEC_CLIENT_ARGS_TEST_UNSET".into()),
            ..a
        };
        assert!(matches!(
            missing.login(),
            Err(ClientArgsError::PasswordEnv(_))
        ));
    }
}
