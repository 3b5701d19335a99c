//! The `auth/…` cases: a POST without credentials, with a wrong password and with the right
//! one. Whether the endpoint must authenticate at all is implementation-defined, so each case
//! sends both refusal probes (anonymous and wrong password) and judges them together: an
//! endpoint that answers everyone alike is open (info), one that refuses only some is checked
//! for the right status, challenge and consistency.

use super::cases::{describe, http_finding as finding};
use super::client::{Answer, Client, Credentials, Exchange, Failure};
use crate::model::{self, make};
use crate::rules::catalogue::*;
use crate::rules::{Outcome, Rule};

/// Which `auth/…` case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthCheck {
    /// A POST without credentials.
    Anonymous,
    /// A POST with a wrong password.
    WrongPassword,
    /// A POST with the credentials given.
    RightPassword,
}

/// An `auth/…` case: ID, one line, the check and the rules it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthCaseDef {
    /// Case ID.
    pub id: &'static str,
    /// One line.
    pub description: &'static str,
    /// The check.
    pub check: AuthCheck,
    /// The rules applied.
    pub rules: &'static [&'static Rule],
}

/// The `auth/…` cases, in order.
pub static AUTH_CASES: &[AuthCaseDef] = &[
    AuthCaseDef {
        id: "auth/anonymous",
        description: "a POST without credentials gets 401 with a WWW-Authenticate challenge (not 500, not a login page), or the endpoint is open to everyone alike",
        check: AuthCheck::Anonymous,
        rules: &[AUTH_CHALLENGE, AUTH_STATUS, AUTH_LOGIN_REDIRECT, AUTH_ANONYMOUS_BYPASS, AUTH_OPEN],
    },
    AuthCaseDef {
        id: "auth/wrong-password",
        description: "a POST with a wrong password gets 401 with a challenge, not settings",
        check: AuthCheck::WrongPassword,
        rules: &[AUTH_CHALLENGE, AUTH_STATUS, AUTH_LOGIN_REDIRECT, AUTH_WRONG_PASSWORD],
    },
    AuthCaseDef {
        id: "auth/right-password",
        description: "a POST with the credentials given (--user/--password-env) gets an Autodiscover answer",
        check: AuthCheck::RightPassword,
        rules: &[AUTH_RIGHT_PASSWORD],
    },
];

/// A password that is not the user's (and contains nothing of it).
const WRONG_PASSWORD: &str = "poxspec-wrong-password-7Qx";

/// How an answer to a refused (anonymous or wrong-password) request reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    /// 401 with a challenge: right.
    Challenge,
    /// 401 without WWW-Authenticate.
    NoChallenge,
    /// A redirect to something other than an autodiscover.xml URL.
    LoginRedirect(String),
    /// A redirect to another Autodiscover URL (a documented redirect; judged elsewhere).
    AutodiscoverRedirect,
    /// 200 with an Autodiscover document: served.
    Served,
    /// Anything else (5xx, 403, HTML, no answer).
    Other(String),
}

fn is_autodiscover_document(a: &Answer) -> bool {
    crate::rules::validate_default(&a.body)
        .parsed
        .is_some_and(|p| p.model.kind() == "response")
}

fn read(x: &Exchange) -> Refusal {
    match &x.outcome {
        Ok(a) if a.status == 401 => {
            if a.header("www-authenticate")
                .is_some_and(|v| !v.trim().is_empty())
            {
                Refusal::Challenge
            } else {
                Refusal::NoChallenge
            }
        }
        Ok(a) if (300..400).contains(&a.status) => {
            let loc = a.header("location").unwrap_or("").to_owned();
            let path = url::Url::parse(&x.url)
                .and_then(|u| u.join(&loc))
                .map(|u| u.path().to_ascii_lowercase())
                .unwrap_or_default();
            if path.ends_with("/autodiscover/autodiscover.xml") {
                Refusal::AutodiscoverRedirect
            } else {
                Refusal::LoginRedirect(loc)
            }
        }
        Ok(a) if a.status == 200 && is_autodiscover_document(a) => Refusal::Served,
        Err(Failure::Connect(_)) | Err(_) | Ok(_) => Refusal::Other(describe(x)),
    }
}

/// Judges one refusal probe (`what`: "a POST without credentials" ...); returns nothing.
fn judge_refusal(what: &str, r: &Refusal, out: &mut Outcome) {
    match r {
        Refusal::Challenge | Refusal::AutodiscoverRedirect | Refusal::Served => {}
        Refusal::NoChallenge => finding(
            out,
            AUTH_CHALLENGE,
            format!("expected 401 with a WWW-Authenticate challenge for {what}; got 401 without WWW-Authenticate"),
        ),
        Refusal::LoginRedirect(loc) => finding(
            out,
            AUTH_LOGIN_REDIRECT,
            format!("expected 401 with a challenge for {what}; got a redirect to {loc:?}, a login page an Autodiscover client cannot use"),
        ),
        Refusal::Other(got) => finding(
            out,
            AUTH_STATUS,
            format!("expected 401 with a challenge for {what}; got {got}"),
        ),
    }
}

/// The user name to send a wrong password for: the configured user, else the first mailbox.
fn probe_user(client: &Client, email: &str) -> String {
    client
        .options()
        .credentials
        .as_ref()
        .map_or_else(|| email.to_owned(), |c| c.user().to_owned())
}

/// Runs an `auth/…` case, adding the exchanges it made to `exchanges`.
pub(super) async fn run(
    client: &Client,
    url: &str,
    email: &str,
    def: &AuthCaseDef,
    out: &mut Outcome,
    exchanges: &mut Vec<Exchange>,
) {
    for r in def.rules {
        out.applied.insert(r.id);
    }
    let body = model::to_canonical(&make::outlook_request(email)).into_bytes();
    if def.check == AuthCheck::RightPassword {
        let Some(c) = client.options().credentials.clone() else {
            exchanges.push(skipped(
                url,
                "no credentials given (--user and --password-env)",
            ));
            return;
        };
        let x = client.post_with(url, body, Some(&c)).await;
        match &x.outcome {
            Ok(a) if a.status == 401 || a.status == 403 => finding(
                out,
                AUTH_RIGHT_PASSWORD,
                format!(
                    "expected an Autodiscover answer for {}'s credentials; got {} (wrong credentials, or the server decodes them wrongly: RFC 7617 credentials are UTF-8)",
                    c.user(),
                    describe(&x)
                ),
            ),
            _ => {}
        }
        exchanges.push(x);
        return;
    }
    let anonymous = client.post_with(url, body.clone(), None).await;
    let wrong = match Credentials::new(probe_user(client, email), WRONG_PASSWORD, url, false) {
        Ok(c) => Some(client.post_with(url, body, Some(&c)).await),
        Err(_) => None,
    };
    let a = read(&anonymous);
    let w = wrong.as_ref().map(read);
    match def.check {
        AuthCheck::Anonymous => {
            judge_refusal("a POST without credentials", &a, out);
            match (&a, &w) {
                (Refusal::Served, Some(Refusal::Challenge | Refusal::NoChallenge)) => finding(
                    out,
                    AUTH_ANONYMOUS_BYPASS,
                    "expected 401 for a POST without credentials, as for a wrong password; got settings: authentication is bypassed by leaving it out".into(),
                ),
                (Refusal::Served, _) => finding(
                    out,
                    AUTH_OPEN,
                    "the endpoint answers a POST without credentials with settings (implementation-defined: Exchange requires authentication, many servers do not)".into(),
                ),
                _ => {}
            }
        }
        AuthCheck::WrongPassword => match &w {
            None => exchanges.push(skipped(
                url,
                "the URL is plain http: no password is sent there",
            )),
            Some(w) => {
                judge_refusal("a wrong password", w, out);
                if *w == Refusal::Served && a != Refusal::Served {
                    finding(
                        out,
                        AUTH_WRONG_PASSWORD,
                        "expected 401 for a wrong password, as for a POST without credentials; got settings: the password is not checked".into(),
                    );
                }
            }
        },
        AuthCheck::RightPassword => {}
    }
    exchanges.push(anonymous);
    exchanges.extend(wrong);
}

/// An exchange that records why nothing was sent.
fn skipped(url: &str, why: &str) -> Exchange {
    Exchange {
        method: "POST",
        url: url.to_owned(),
        request_type: None,
        request_body: format!("(not sent: {why})").into_bytes(),
        authorization: super::client::Authorization::None,
        outcome: Err(Failure::Other(format!("not sent: {why}"))),
        elapsed: std::time::Duration::ZERO,
    }
}
