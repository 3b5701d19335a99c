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
    match url::Url::parse(s) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(scheme),
        Ok(_) | Err(url::ParseError::EmptyHost) => Err("has no host"),
        Err(url::ParseError::InvalidPort) => Err("has an invalid port"),
        Err(_) => Err("has an invalid host"),
    }
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
    use super::http_url_scheme;

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
