//! Deliberately naive request handling for faults: a text search for elements (as many
//! hand-written servers read requests) and a DTD processor that expands, resolves and fetches
//! entities (as unhardened XML parsers do). Used only when such a fault is injected; bounded so
//! that even then the reference server cannot be used to read arbitrary files or reach other
//! hosts: files are read only when their name starts with `poxspec-xxe-` (what the checker
//! writes), `/etc/passwd` is simulated with a fixed line, and only loopback URLs are fetched.

use std::io::{Read, Write};
use std::time::Duration;

/// The text between the first `<name>` and the next `</name>`, as written (no unescaping).
pub fn text_field(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&close)?;
    Some(text[start..end].to_owned())
}

/// What a naive DTD processor may do.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dtd {
    /// Expand internal general entities.
    pub expand: bool,
    /// Resolve `file:` external entities and XIncludes.
    pub resolve: bool,
    /// Fetch `http:` external entities, parameter entities and external subsets.
    pub fetch: bool,
}

/// Expansion past this many characters "exhausts memory": the worker crashes.
const BUDGET: usize = 1_000_000;

/// The expansion ran out of budget (the faulty server answers HTTP 500, as a crashed worker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted;

fn read_file(uri: &str) -> String {
    let path = uri.trim_start_matches("file://");
    if path == "/etc/passwd" {
        return "root:x:0:0:root:/root:/bin/bash".into();
    }
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.starts_with("poxspec-xxe-") {
        return String::new();
    }
    let mut buf = String::new();
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.take(4096).read_to_string(&mut buf);
    }
    buf
}

fn fetch(url: &str) -> String {
    // Only `http://127.x.x.x:PORT/path`: the fault must not make the server reach other hosts.
    let Some(rest) = url.strip_prefix("http://") else {
        return String::new();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let Ok(addr) = authority.parse::<std::net::SocketAddr>() else {
        return String::new();
    };
    if !addr.ip().is_loopback() {
        return String::new();
    }
    let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    let path = if path.is_empty() { "/" } else { path };
    let _ = write!(s, "GET {path} HTTP/1.0\r\nHost: {authority}\r\n\r\n");
    let mut buf = String::new();
    let _ = s.take(4096).read_to_string(&mut buf);
    buf.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

fn quoted(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start();
    let q = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &s[1..];
    let end = rest.find(q)?;
    Some((&rest[..end], &rest[end + 1..]))
}

fn expand(
    text: &str,
    entities: &[(String, String)],
    out: &mut String,
    depth: usize,
) -> Result<(), Exhausted> {
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(';').map(|e| (&after[..e], e)) {
            Some((name, e)) if entities.iter().any(|(n, _)| n == name) && depth < 64 => {
                let value = &entities.iter().find(|(n, _)| n == name).expect("found").1;
                expand(value, entities, out, depth + 1)?;
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
        if out.len() > BUDGET {
            return Err(Exhausted);
        }
    }
    out.push_str(rest);
    if out.len() > BUDGET {
        return Err(Exhausted);
    }
    Ok(())
}

/// Processes the DOCTYPE of `text` as an unhardened parser would and returns the document
/// without it, entity references replaced. Text without a DOCTYPE comes back unchanged.
pub fn process(text: &str, dtd: Dtd) -> Result<String, Exhausted> {
    let mut text = text.to_owned();
    if dtd.resolve {
        while let Some(i) = text.find("<xi:include") {
            let Some(len) = text[i..].find("/>") else {
                break;
            };
            let tag = text[i..i + len].to_owned();
            let href = tag
                .split_once("href=")
                .and_then(|(_, r)| quoted(r))
                .map(|(h, _)| h.to_owned())
                .unwrap_or_default();
            text.replace_range(i..i + len + 2, &escape(&read_file(&href)));
        }
    }
    let Some(start) = text.find("<!DOCTYPE") else {
        return Ok(text);
    };
    let head = &text[start..];
    let (decl_len, subset) = match (head.find('['), head.find('>')) {
        (Some(b), Some(g)) if b < g => match head.find("]>") {
            Some(e) => (e + 2, &head[b + 1..e]),
            None => return Ok(text),
        },
        (_, Some(g)) => (g + 1, ""),
        _ => return Ok(text),
    };
    if dtd.fetch {
        if let Some((url, _)) = head[..decl_len]
            .split_once("SYSTEM")
            .and_then(|(_, r)| quoted(r))
        {
            if subset.is_empty() || head.find("SYSTEM") < head.find('[') {
                fetch(url);
            }
        }
    }
    let mut entities: Vec<(String, String)> = Vec::new();
    for decl in subset.split("<!ENTITY").skip(1) {
        let decl = decl.trim_start();
        let (parameter, decl) = match decl.strip_prefix('%') {
            Some(d) => (true, d.trim_start()),
            None => (false, decl),
        };
        let name: String = decl.chars().take_while(|c| !c.is_whitespace()).collect();
        let rest = decl[name.len()..].trim_start();
        let value = if let Some(r) = rest.strip_prefix("SYSTEM") {
            let uri = quoted(r).map(|(u, _)| u).unwrap_or_default();
            if uri.starts_with("file:") && dtd.resolve {
                read_file(uri)
            } else if uri.starts_with("http:") && dtd.fetch {
                fetch(uri)
            } else {
                continue;
            }
        } else if dtd.expand {
            quoted(rest).map(|(v, _)| v.to_owned()).unwrap_or_default()
        } else {
            continue;
        };
        if !parameter {
            entities.push((name, value));
        }
    }
    let body = format!("{}{}", &text[..start], &text[start + decl_len..]);
    let mut out = String::new();
    expand(&body, &entities, &mut out, 0)?;
    Ok(out)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}
