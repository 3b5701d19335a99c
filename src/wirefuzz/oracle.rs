//! The per-request oracle: what a server may answer to a request, given what the request is.
//!
//! Any answer that is an Autodiscover document must itself pass the rules (the harness's
//! definition of a conformant answer). Beyond that, a valid request gets settings, a redirect
//! or a POX error with a documented code; a broken one gets POX error 600/601 or an HTTP 4xx;
//! nothing ever gets a 5xx, a 200 that is not XML, silence past the timeout, a dropped
//! connection, or an echo of an entity's expansion.

use super::payloads::{ENTITY_MARKER, PASSWD_MARKER};
use super::plan::Expect;
use crate::live::{Answer, Exchange, Failure, Followed};
use crate::model::fields::ErrorField;
use crate::model::Document;
use crate::rules::{self, Severity};
use serde::Serialize;

/// Why an answer is wrong. Shrinking keeps a request's class: a reduced request counts only
/// when it fails in the same class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// An HTTP 5xx status.
    ServerError,
    /// An HTTP 200 whose body is not well-formed XML.
    NonXml200,
    /// No complete answer within the per-request timeout.
    Timeout,
    /// The connection was refused, reset or closed before a complete answer.
    DroppedConnection,
    /// The answer contains what only a resolved external entity or XInclude produces (the
    /// marker file's content, a line of `/etc/passwd`).
    EntityEcho,
    /// An Autodiscover answer that breaks an `error` rule, an answer over the body cap, or a
    /// status that is neither 200, a redirect, nor 4xx.
    InvalidAnswer,
    /// A valid request refused: HTTP 4xx or POX error 600/601.
    ValidRefused,
    /// A broken request answered as if it were valid (settings, a redirect document, or a POX
    /// error other than 600/601).
    BrokenAccepted,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 8] = [
        Class::ServerError,
        Class::NonXml200,
        Class::Timeout,
        Class::DroppedConnection,
        Class::EntityEcho,
        Class::InvalidAnswer,
        Class::ValidRefused,
        Class::BrokenAccepted,
    ];

    /// The class's name in reports and file names.
    pub fn name(self) -> &'static str {
        match self {
            Class::ServerError => "server-error",
            Class::NonXml200 => "non-xml-200",
            Class::Timeout => "timeout",
            Class::DroppedConnection => "dropped-connection",
            Class::EntityEcho => "entity-echo",
            Class::InvalidAnswer => "invalid-answer",
            Class::ValidRefused => "valid-refused",
            Class::BrokenAccepted => "broken-accepted",
        }
    }

    /// Whether the class is a crash (the server failed, rather than answered wrongly).
    pub fn is_crash(self) -> bool {
        matches!(
            self,
            Class::ServerError | Class::Timeout | Class::DroppedConnection | Class::NonXml200
        )
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A wrong answer: its class and what was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The class.
    pub class: Class,
    /// One line: what came back.
    pub detail: String,
}

fn fail(class: Class, detail: impl Into<String>) -> Option<Verdict> {
    Some(Verdict {
        class,
        detail: detail.into(),
    })
}

fn error_code(doc: &Document) -> Option<String> {
    let Document::Response(r) = doc else {
        return None;
    };
    r.body()?
        .errors()
        .next()?
        .text(ErrorField::ErrorCode)
        .map(|s| s.trim().to_owned())
}

fn echoed(a: &Answer) -> bool {
    let text = String::from_utf8_lossy(&a.body);
    text.contains(ENTITY_MARKER)
        || text.contains(PASSWD_MARKER)
        || a.headers
            .iter()
            .any(|(_, v)| v.contains(ENTITY_MARKER) || v.contains(PASSWD_MARKER))
}

/// Redirects followed at most on the named origin before an answer is judged.
pub const MAX_HOPS: usize = 10;

/// Judges a request followed through its redirects ([`crate::live::post_within_origin`]):
/// a redirect loop, more than [`MAX_HOPS`] redirects or a redirect from https down to plain
/// http is an [`Class::InvalidAnswer`]; a redirect to another origin is a valid answer, not
/// followed (the fuzzer sends nothing to a server it was not pointed at, and credentials never
/// leave the named origin); otherwise the last answer is judged by [`judge`].
pub fn judge_followed(expect: Expect, f: &Followed) -> Option<Verdict> {
    if let Some(e) = f
        .outcome
        .findings
        .iter()
        .find(|x| x.severity == Severity::Error)
    {
        return fail(Class::InvalidAnswer, format!("{}: {}", e.rule, e.message));
    }
    if f.left_origin.is_some() {
        return None;
    }
    judge(expect, &f.last)
}

/// Judges one exchange; `None` when the answer is acceptable. A redirect (3xx with a
/// `Location`) is acceptable here: [`judge_followed`] decides whether it is followed.
pub fn judge(expect: Expect, x: &Exchange) -> Option<Verdict> {
    let a = match &x.outcome {
        Ok(a) => a,
        Err(Failure::Timeout) => {
            return fail(
                Class::Timeout,
                format!("no answer within {} ms", x.elapsed.as_millis()),
            )
        }
        Err(Failure::TooLarge { read, status }) => {
            return fail(
                Class::InvalidAnswer,
                format!("HTTP {status} with a body over the cap ({read} bytes read)"),
            )
        }
        Err(Failure::Connect(e)) | Err(Failure::Other(e)) => {
            return fail(Class::DroppedConnection, e.clone())
        }
    };
    if echoed(a) {
        return fail(
            Class::EntityEcho,
            format!("HTTP {}: the answer holds an entity's expansion", a.status),
        );
    }
    let status = a.status;
    if status >= 500 {
        return fail(
            Class::ServerError,
            format!("HTTP {status} with {} bytes", a.body.len()),
        );
    }
    if (300..400).contains(&status) && a.header("location").is_some() {
        return None;
    }
    if (400..500).contains(&status) {
        return match expect {
            Expect::Valid => fail(
                Class::ValidRefused,
                format!("HTTP {status} to a valid request"),
            ),
            _ => None,
        };
    }
    if status != 200 {
        return fail(
            Class::InvalidAnswer,
            format!("HTTP {status}: neither a document, a redirect nor a refusal"),
        );
    }
    let v = rules::validate_default(&a.body);
    let Some(parsed) = v.parsed else {
        if crate::xml::parse_bytes(&a.body, &crate::xml::Limits::default()).is_err() {
            return fail(
                Class::NonXml200,
                format!(
                    "HTTP 200 with {} bytes of {}",
                    a.body.len(),
                    a.header("content-type").unwrap_or("(no Content-Type)")
                ),
            );
        }
        return fail(
            Class::InvalidAnswer,
            "HTTP 200 with XML that is not an Autodiscover document",
        );
    };
    if let Some(f) = v
        .outcome
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error)
    {
        return fail(
            Class::InvalidAnswer,
            format!("{} at {}:{}: {}", f.rule, f.line, f.column, f.message),
        );
    }
    let ct = a.header("content-type").unwrap_or("");
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != "text/xml" && media != "application/xml" {
        return fail(
            Class::InvalidAnswer,
            format!("an Autodiscover document labelled Content-Type {ct:?}"),
        );
    }
    if parsed.model.kind() != "response" {
        return fail(Class::InvalidAnswer, "HTTP 200 with a request document");
    }
    let code = error_code(&parsed.model);
    let refusal = matches!(code.as_deref(), Some("600" | "601"));
    match expect {
        Expect::Valid if refusal => fail(
            Class::ValidRefused,
            format!("POX error {} to a valid request", code.unwrap_or_default()),
        ),
        Expect::Broken if !refusal => fail(
            Class::BrokenAccepted,
            match code {
                Some(c) => format!("POX error {c} rather than 600/601"),
                None => "an Autodiscover answer rather than error 600/601".to_owned(),
            },
        ),
        _ => None,
    }
}
