//! Lexical checks shared by several rules.

/// Whether `s` is a plausible e-mail address: `local@domain`, no whitespace, no angle
/// brackets, a domain of non-empty dot-separated labels of letters, digits and hyphens.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';'))
        && !domain.is_empty()
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// The scheme of an absolute http or https URL (lower-cased), or why it is not one. Parsed
/// with the `url` crate (WHATWG); whitespace, which that parser strips or percent-encodes, and
/// an empty authority (`https:///path`, which it reads as a host) are refused first, since a
/// client that parses by RFC 3986 would not reach the same host.
pub fn http_url_scheme(s: &str) -> Result<&'static str, &'static str> {
    if s.is_empty() {
        return Err("is empty");
    }
    if s.chars().any(char::is_whitespace) {
        return Err("contains whitespace");
    }
    let scheme = match s.split_once("://") {
        Some((scheme, rest)) => {
            if rest.starts_with(['/', '\\', '?', '#']) || rest.is_empty() {
                return Err("has no host");
            }
            scheme
        }
        None => return Err("is not an absolute http(s) URL"),
    };
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        "https"
    } else if scheme.eq_ignore_ascii_case("http") {
        "http"
    } else {
        return Err("is not an absolute http(s) URL");
    };
    if plain_authority(&s[scheme.len() + 3..]) {
        return Ok(scheme);
    }
    whatwg_host(s, scheme)
}

/// What the `url` crate says of `s`'s host and port (`scheme` already checked).
fn whatwg_host(s: &str, scheme: &'static str) -> Result<&'static str, &'static str> {
    match url::Url::parse(s) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(scheme),
        Ok(_) | Err(url::ParseError::EmptyHost) => Err("has no host"),
        Err(url::ParseError::InvalidPort) => Err("has an invalid port"),
        Err(_) => Err("has an invalid host"),
    }
}

/// Whether the text after `scheme://` starts with an authority the WHATWG parser accepts as
/// it stands: a domain of ASCII letter-digit-hyphen labels (none empty, none starting or
/// ending with a hyphen or holding `--`, so no IDNA processing applies; the last not
/// starting with a digit, so it is not read as an IPv4 address) and an optional decimal
/// port up to 65535. Real responses' URLs are almost all of this shape, and the `url`
/// crate's full parse cost about 4,700 instructions each (3 % of validating a response);
/// anything else (user info, IP literals, percent signs, other characters) is left to it.
fn plain_authority(rest: &str) -> bool {
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65535)
    });
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && !l.contains("--")
    };
    port_ok
        && host.split('.').all(label_ok)
        && host
            .rsplit('.')
            .next()
            .is_some_and(|last| !last.starts_with(|c: char| c.is_ascii_digit()))
}

/// Parses a decimal integer written with ASCII digits only (no sign, no whitespace).
pub fn decimal(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Whether `s` is a time of day `HH:MM:SS` with an optional fraction.
pub fn is_time_of_day(s: &str) -> bool {
    let (hms, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let ok = |p: &str, max: u64| p.len() == 2 && decimal(p).is_some_and(|v| v <= max);
    parts.len() == 3
        && ok(parts[0], 23)
        && ok(parts[1], 59)
        && ok(parts[2], 60)
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::{http_url_scheme, plain_authority, whatwg_host};
    use proptest::prelude::*;

    proptest! {
        /// The shortcut never answers differently from the `url` crate: every authority it
        /// accepts, the full parse accepts too.
        #[test]
        fn plain_authorities_are_what_the_url_crate_accepts(
            rest in "[a-zA-Z0-9.:@%\\[\\]_-]{0,12}(/[a-z?#]{0,3})?",
            https in any::<bool>(),
        ) {
            let scheme = if https { "https" } else { "http" };
            let url = format!("{scheme}://{rest}");
            if plain_authority(&rest) {
                prop_assert_eq!(whatwg_host(&url, scheme), Ok(scheme), "{}", url);
            }
        }
    }

    #[test]
    fn plain_authority_leaves_what_it_cannot_vouch_for_to_the_url_crate() {
        for rest in [
            "mail.contoso.com",
            "mail.contoso.com:443/EWS",
            "MAIL.Contoso.COM?x",
            "a1.b-c.d#f",
            "contoso\\path",
        ] {
            assert!(plain_authority(rest), "{rest}");
        }
        for rest in [
            "",
            ":443",
            "user@mail.contoso.com",
            "10.0.0.1",
            "mail.1",
            "mail.0x10",
            "xn--nxasmq6b.com",
            "a--b.com",
            "-a.com",
            "a-.com",
            "a..b",
            "a.",
            ".a",
            "[::1]",
            "mail.contoso.com:",
            "mail.contoso.com:65536",
            "mail.contoso.com:4a3",
            "mail.contoso.com:443:1",
            "ma%69l.com",
            "mail_x.com",
            "é.com",
        ] {
            assert!(!plain_authority(rest), "{rest}");
        }
    }

    #[test]
    fn urls_as_clients_read_them() {
        assert_eq!(
            http_url_scheme("https://mail.contoso.com/EWS/Exchange.asmx"),
            Ok("https")
        );
        assert_eq!(http_url_scheme("HTTP://Mail.Contoso.com"), Ok("http"));
        assert_eq!(
            http_url_scheme("https://user@mail.contoso.com:443/x?y#z"),
            Ok("https")
        );
        assert_eq!(http_url_scheme(""), Err("is empty"));
        assert_eq!(
            http_url_scheme("https://mail contoso"),
            Err("contains whitespace")
        );
        assert_eq!(
            http_url_scheme("/EWS/Exchange.asmx"),
            Err("is not an absolute http(s) URL")
        );
        assert_eq!(
            http_url_scheme("ftp://mail.contoso.com/"),
            Err("is not an absolute http(s) URL")
        );
        assert_eq!(http_url_scheme("https:///EWS"), Err("has no host"));
        assert_eq!(http_url_scheme("https://"), Err("has no host"));
        assert_eq!(http_url_scheme("https://:443/"), Err("has no host"));
        assert_eq!(
            http_url_scheme("https://mail.contoso.com:99999/"),
            Err("has an invalid port")
        );
        assert_eq!(
            http_url_scheme("https://mail<contoso>.com/"),
            Err("has an invalid host")
        );
    }
}
