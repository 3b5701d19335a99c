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

/// The scheme of an absolute http or https URL (lower-cased), or why it is not one.
pub fn http_url_scheme(s: &str) -> Result<&'static str, &'static str> {
    if s.is_empty() {
        return Err("is empty");
    }
    if s.chars().any(char::is_whitespace) {
        return Err("contains whitespace");
    }
    let lower = s.to_ascii_lowercase();
    let (scheme, rest) = if let Some(r) = lower.strip_prefix("https://") {
        ("https", r)
    } else if let Some(r) = lower.strip_prefix("http://") {
        ("http", r)
    } else {
        return Err("is not an absolute http(s) URL");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err("has no host");
    }
    Ok(scheme)
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
