//! HTTP authentication for the reference server (`serve --require-auth basic`): the fixture's
//! mailboxes and passwords, the challenge Exchange sends, and the authentication faults real
//! deployments ship.

use super::faults::Fault;
use super::respond::Reply;
use crate::fixture::Fixture;
use base64::Engine;
use std::collections::BTreeSet;

/// Which authentication the server requires on POSTs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum AuthMode {
    /// HTTP Basic (RFC 7617) with the fixture's passwords, UTF-8 encoded.
    Basic,
}

/// The challenge sent with 401 (RFC 7617 §2, §2.1).
pub const CHALLENGE: &str = "Basic realm=\"poxspec\", charset=\"UTF-8\"";

/// Where the `auth-login-redirect` fault sends clients (a forms-based login page, as a reverse
/// proxy publishing Exchange with forms authentication does).
pub const LOGIN_PATH: &str = "/owa/auth/logon.aspx";

/// The login page served at [`LOGIN_PATH`].
pub const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form method=\"post\"><input name=\"username\"><input name=\"password\" type=\"password\"><button>Sign in</button></form></body></html>\n";

/// User and password of an `Authorization: Basic` header; the credentials are decoded as
/// UTF-8, or as Latin-1 when `latin1` (the `auth-latin1` fault). `None`: absent or unreadable.
fn basic(header: &[u8], latin1: bool) -> Option<(String, String)> {
    let text = std::str::from_utf8(header).ok()?.trim();
    let (scheme, token) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let decoded = if latin1 {
        raw.iter().map(|&b| char::from(b)).collect()
    } else {
        String::from_utf8(raw).ok()?
    };
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Why a request is refused, and how the faults answer it.
fn refusal(faults: &BTreeSet<Fault>, https_base: &str) -> Reply {
    let html = |status: u16, text: &str| Reply {
        status,
        headers: vec![("content-type", "text/html; charset=utf-8".into())],
        body: format!("<html><body><h1>{text}</h1></body></html>\n").into_bytes(),
        delay: None,
    };
    if faults.contains(&Fault::Auth500) {
        return html(500, "500 Internal Server Error");
    }
    if faults.contains(&Fault::AuthLoginRedirect) {
        let mut r = html(302, "Object moved");
        r.headers.push((
            "location",
            format!("{https_base}{LOGIN_PATH}?url=%2fautodiscover%2fautodiscover.xml&reason=0"),
        ));
        return r;
    }
    let mut r = html(401, "401 Unauthorized");
    if !faults.contains(&Fault::AuthNoChallenge) {
        r.headers.push(("www-authenticate", CHALLENGE.into()));
    }
    r
}

/// `None` when the request may proceed; otherwise the answer that refuses it.
pub fn check(
    mode: Option<AuthMode>,
    fixture: &Fixture,
    faults: &BTreeSet<Fault>,
    https_base: &str,
    authorization: Option<&[u8]>,
) -> Option<Reply> {
    let Some(AuthMode::Basic) = mode else {
        return None;
    };
    let Some(header) = authorization else {
        return (!faults.contains(&Fault::AuthAnonymousSettings))
            .then(|| refusal(faults, https_base));
    };
    let ok = basic(header, faults.contains(&Fault::AuthLatin1)).is_some_and(|(user, password)| {
        fixture.find(&user).is_some_and(|m| {
            m.password.as_deref() == Some(password.as_str())
                || (m.password.is_some() && faults.contains(&Fault::AuthWrongPasswordAccepted))
        })
    });
    (!ok).then(|| refusal(faults, https_base))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(user: &str, password: &str) -> Vec<u8> {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
        .into_bytes()
    }

    fn run(faults: &[Fault], auth: Option<&[u8]>) -> Option<u16> {
        let f = Fixture::builtin();
        let faults: BTreeSet<Fault> = faults.iter().copied().collect();
        check(Some(AuthMode::Basic), &f, &faults, "https://h", auth).map(|r| r.status)
    }

    #[test]
    fn fixture_credentials_pass_and_others_get_a_challenge() {
        let f = Fixture::builtin();
        let (user, password) = f.credentials().expect("the fixture has a password");
        assert_eq!(run(&[], Some(&header(&user, &password))), None);
        assert_eq!(
            run(&[], Some(&header(&user.to_uppercase(), &password))),
            None
        );
        assert_eq!(run(&[], Some(&header(&user, "wrong"))), Some(401));
        assert_eq!(run(&[], None), Some(401));
        assert_eq!(run(&[], Some(b"Bearer abc")), Some(401));
        let r = check(
            Some(AuthMode::Basic),
            &f,
            &BTreeSet::new(),
            "https://h",
            None,
        )
        .unwrap();
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| *k == "www-authenticate" && v == CHALLENGE));
        assert_eq!(check(None, &f, &BTreeSet::new(), "https://h", None), None);
    }

    #[test]
    fn faults_change_exactly_their_part() {
        let f = Fixture::builtin();
        let (user, password) = f.credentials().unwrap();
        assert!(
            !password.is_ascii(),
            "auth-latin1 needs a non-ASCII password"
        );
        assert_eq!(run(&[Fault::Auth500], None), Some(500));
        assert_eq!(run(&[Fault::AuthLoginRedirect], None), Some(302));
        assert_eq!(run(&[Fault::AuthAnonymousSettings], None), None);
        assert_eq!(
            run(&[Fault::AuthAnonymousSettings], Some(&header(&user, "x"))),
            Some(401)
        );
        assert_eq!(
            run(
                &[Fault::AuthWrongPasswordAccepted],
                Some(&header(&user, "x"))
            ),
            None
        );
        assert_eq!(run(&[Fault::AuthWrongPasswordAccepted], None), Some(401));
        assert_eq!(
            run(&[Fault::AuthLatin1], Some(&header(&user, &password))),
            Some(401)
        );
        let faults: BTreeSet<Fault> = [Fault::AuthNoChallenge].into();
        let r = check(Some(AuthMode::Basic), &f, &faults, "https://h", None).unwrap();
        assert_eq!(r.status, 401);
        assert!(!r.headers.iter().any(|(k, _)| *k == "www-authenticate"));
    }
}
