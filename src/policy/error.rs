//! Import errors: each names the file, the line (and column where the format has one) and the
//! offending text.

use thiserror::Error;

/// Why an export could not be imported. Nothing is half-applied: an error means no population.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportErrorKind {
    /// The file holds no mailbox (empty, or only a header).
    #[error("no mailbox in the file")]
    Empty,
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(String),
    /// The format could not be told from the name or content.
    #[error("cannot tell the format; name the file .toml, .json or .csv, or pass --input-format")]
    UnknownFormat,
    /// The format's own syntax is broken (truncated JSON, unbalanced CSV quotes, bad TOML).
    #[error("{0}")]
    Syntax(String),
    /// A column or key is missing. A missing `SmtpClientAuthenticationDisabled` means the
    /// export did not ask for the property (`Get-EXOCasMailbox` leaves it out): *unknown*,
    /// never `$null`.
    #[error("missing {field}: the export does not carry it, so the value is unknown (not $null); export it explicitly")]
    MissingField {
        /// The column or key.
        field: String,
    },
    /// A value outside the format's vocabulary.
    #[error("{field} value {text:?} is not {expected}")]
    BadValue {
        /// The column or key.
        field: String,
        /// The offending text.
        text: String,
        /// What the format allows.
        expected: &'static str,
    },
    /// A user's assignment or the organisation default names an authentication policy the
    /// inputs do not define. What Exchange does with such a name is not documented (it refuses
    /// to assign a policy that does not exist, so an export can only show one after the policy
    /// was removed, or when the exports were taken apart); poxspec refuses the input rather
    /// than guess a default (implementation-defined).
    #[error("authentication policy {name:?} is not defined ({known} known: pass the Get-AuthenticationPolicy export with --auth-policies, or define it in the fixture)")]
    UnknownPolicy {
        /// The name as written.
        name: String,
        /// How many policies the inputs define.
        known: usize,
    },
    /// Two authentication policies with the same name (Exchange compares names
    /// case-insensitively, so `Block` and `block` are one policy).
    #[error("authentication policy {name:?} is defined again (first at line {first_line})")]
    DuplicatePolicy {
        /// The name as written the second time.
        name: String,
        /// Where it was first defined.
        first_line: usize,
    },
    /// The same mailbox twice with different values.
    #[error(
        "mailbox {identity:?} appears again with a different value (first at line {first_line})"
    )]
    Conflict {
        /// The mailbox.
        identity: String,
        /// Where it first appeared.
        first_line: usize,
    },
}

/// An import error with its location.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.render())]
pub struct ImportError {
    /// The file name as given.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when the format has one.
    pub column: Option<usize>,
    /// The cause.
    pub kind: ImportErrorKind,
}

impl ImportError {
    pub(crate) fn new(
        file: &str,
        line: Option<usize>,
        column: Option<usize>,
        kind: ImportErrorKind,
    ) -> Self {
        ImportError {
            file: file.to_owned(),
            line,
            column,
            kind,
        }
    }

    fn render(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", self.file, self.kind),
            (Some(l), None) => format!("{}:{l}: {}", self.file, self.kind),
            _ => format!("{}: {}", self.file, self.kind),
        }
    }
}
