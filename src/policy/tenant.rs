//! Importers for the exports that sit beside a mailbox export and carry the authentication
//! policies: `Get-AuthenticationPolicy` (`Name`, `AllowBasicAuthSmtp`),
//! `Get-OrganizationConfig` (`DefaultAuthenticationPolicy`) and `Get-User`
//! (`AuthenticationPolicy` per user), each as `Export-Csv` or `ConvertTo-Json`.
//!
//! Every value keeps its position (`At`), turned into a line and column only when an error is
//! reported, so reading a million-row `Get-User` export stays linear.

use super::csv_records::CsvRecord;
use super::error::{ImportError, ImportErrorKind as K};
use super::import::{csv_open, csv_syntax, At, POLICY_PROPERTY};
use super::state::AuthenticationPolicy;
use crate::xml::LineIndex;
use std::collections::HashMap;

/// A cell of a CSV or JSON row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    /// JSON `null`, or an empty CSV field.
    Empty,
    /// A JSON boolean.
    Bool(bool),
    /// Text (every CSV field; JSON strings).
    Text(String),
    /// Any other JSON value, as written.
    Other(String),
}

/// A row: the wanted columns' cells (`None`: the column or key is absent) and where each is.
struct Row {
    cells: Vec<Option<(Cell, At)>>,
    /// Where the row starts.
    at: At,
    /// 1-based line of the row.
    line: usize,
}

/// Whether `text` is JSON (by name, then by its first character) rather than CSV.
fn is_json(file: &str, text: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".json") {
        return true;
    }
    if lower.ends_with(".csv") {
        return false;
    }
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('{') || t.starts_with('[')
}

/// The rows of an export and the line of its CSV header (of its first object, for JSON):
/// where a missing column is reported.
struct Rows {
    header_line: usize,
    rows: Vec<Row>,
}

/// Reads the `wanted` columns (case-insensitive names) of every row of a CSV or JSON export.
/// A column absent from the header (or a key absent from an object) gives `None` cells.
fn rows(file: &str, text: &str, wanted: &[&str]) -> Result<Rows, ImportError> {
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(ImportError::new(file, Some(1), None, K::Empty));
    }
    if is_json(file, text) {
        json_rows(file, text, wanted)
    } else {
        csv_rows(file, text, wanted)
    }
}

fn csv_rows(file: &str, text: &str, wanted: &[&str]) -> Result<Rows, ImportError> {
    let body = text.trim_start_matches('\u{feff}');
    let (mut reader, headers, header_line) = csv_open(file, body)?;
    let syntax = |e| csv_syntax(file, e);
    let columns: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(w))
        })
        .collect();
    let mut out = Vec::new();
    let mut record = CsvRecord::new();
    while reader.read_record(&mut record).map_err(syntax)? {
        let p = record.position();
        let (line, record_start) = (p.line as usize, p.byte as usize);
        let cells = columns
            .iter()
            .map(|c| {
                c.map(|field| {
                    let v = record.get(field).unwrap_or("").trim();
                    let cell = if v.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(v.to_owned())
                    };
                    (
                        cell,
                        At::CsvField {
                            line,
                            record_start,
                            field,
                        },
                    )
                })
            })
            .collect();
        out.push(Row {
            cells,
            at: At::CsvField {
                line,
                record_start,
                field: 0,
            },
            line,
        });
    }
    Ok(Rows {
        header_line,
        rows: out,
    })
}

fn json_rows(file: &str, text: &str, wanted: &[&str]) -> Result<Rows, ImportError> {
    use serde_json::value::RawValue;
    let body = text.trim_start_matches('\u{feff}');
    let syntax = |e: serde_json::Error| {
        ImportError::new(
            file,
            Some(e.line()),
            Some(e.column()),
            K::Syntax(format!("JSON: {e}")),
        )
    };
    let offset = |raw: &RawValue| raw.get().as_ptr() as usize - body.as_ptr() as usize;
    let items: Vec<&RawValue> = match body.trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str(body).map_err(syntax)?,
        _ => vec![serde_json::from_str(body).map_err(syntax)?],
    };
    // One index for every row's line: a lookup per row must not rescan the text.
    let lines = LineIndex::new(body);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let at = offset(item);
        let line = lines.line_col(body, at).line;
        let object: HashMap<String, &RawValue> =
            serde_json::from_str(item.get()).map_err(|_| {
                let (l, c) = At::Offset(at).locate(text);
                ImportError::new(
                    file,
                    l,
                    c,
                    K::Syntax("JSON: expected an object (or an array of objects)".into()),
                )
            })?;
        let cells = wanted
            .iter()
            .map(|w| {
                object
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(w))
                    .map(|(_, raw)| {
                        let value: serde_json::Value =
                            serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null);
                        let cell = match value {
                            serde_json::Value::Null => Cell::Empty,
                            serde_json::Value::Bool(b) => Cell::Bool(b),
                            serde_json::Value::String(s) if s.trim().is_empty() => Cell::Empty,
                            serde_json::Value::String(s) => Cell::Text(s.trim().to_owned()),
                            v => Cell::Other(v.to_string()),
                        };
                        (cell, At::Offset(offset(raw)))
                    })
            })
            .collect();
        out.push(Row {
            cells,
            at: At::Offset(at),
            line,
        });
    }
    Ok(Rows {
        header_line: out.first().map_or(1, |r| r.line),
        rows: out,
    })
}

fn error_at(file: &str, text: &str, at: At, kind: K) -> ImportError {
    let (line, column) = at.locate(text);
    ImportError::new(file, line, column, kind)
}

/// A required column: its absence means the export did not ask for it (unknown).
/// Every row carries column `i`. A CSV header names a column once for all rows, but each JSON
/// object is a record of its own: checking only the first let a later object without the key
/// reach the importers' `expect` (a panic the fuzzer found, in what is now the `policy_tenant`
/// target). A missing column is placed at the header (first row) or at the record that lacks
/// it.
fn require(file: &str, rows: &Rows, i: usize, name: &str) -> Result<(), ImportError> {
    match rows.rows.iter().position(|r| r.cells[i].is_none()) {
        Some(n) => Err(ImportError::new(
            file,
            Some(if n == 0 {
                rows.header_line.max(1)
            } else {
                rows.rows[n].line.max(1)
            }),
            None,
            K::MissingField {
                field: name.to_owned(),
            },
        )),
        None => Ok(()),
    }
}

/// `Get-AuthenticationPolicy | Export-Csv` or `| ConvertTo-Json`: every policy's `Name` and
/// `AllowBasicAuthSmtp` (`True`/`False`, or a JSON boolean; both required). The other
/// `AllowBasicAuth*` columns govern other protocols and are ignored. Names must be unique
/// (case-insensitively).
pub fn authentication_policies(
    file: &str,
    text: &str,
) -> Result<Vec<AuthenticationPolicy>, ImportError> {
    const FLAG: &str = "AllowBasicAuthSmtp";
    let rows = rows(file, text, &["Name", FLAG])?;
    require(file, &rows, 0, "Name")?;
    require(file, &rows, 1, FLAG)?;
    let rows = rows.rows;
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let (name_cell, name_at) = r.cells[0].clone().expect("required above");
        let name = match name_cell {
            Cell::Text(n) => n,
            other => {
                return Err(error_at(
                    file,
                    text,
                    name_at,
                    K::BadValue {
                        field: "Name".into(),
                        text: shown(&other),
                        expected: "a policy name",
                    },
                ))
            }
        };
        let (flag_cell, flag_at) = r.cells[1].clone().expect("required above");
        let allow = match &flag_cell {
            Cell::Bool(b) => *b,
            Cell::Text(t) if t.eq_ignore_ascii_case("true") => true,
            Cell::Text(t) if t.eq_ignore_ascii_case("false") => false,
            other => {
                return Err(error_at(
                    file,
                    text,
                    flag_at,
                    K::BadValue {
                        field: FLAG.into(),
                        text: shown(other),
                        expected: "True or False",
                    },
                ))
            }
        };
        if let Some(first_line) = seen.insert(name.to_lowercase(), r.line) {
            return Err(error_at(
                file,
                text,
                name_at,
                K::DuplicatePolicy { name, first_line },
            ));
        }
        out.push(AuthenticationPolicy {
            name,
            allow_basic_auth_smtp: allow,
        });
    }
    Ok(out)
}

fn shown(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Bool(b) => b.to_string(),
        Cell::Text(t) | Cell::Other(t) => t.clone(),
    }
}

/// `Get-OrganizationConfig | Export-Csv` or `| ConvertTo-Json`: the organisation default
/// policy's name (`None` when the property is empty or null) and where it is written. The
/// export has one row; the column is required (a missing column is unknown, not "none").
pub(crate) fn default_policy(file: &str, text: &str) -> Result<Option<(String, At)>, ImportError> {
    const DEFAULT: &str = "DefaultAuthenticationPolicy";
    let rows = rows(file, text, &[DEFAULT])?;
    require(file, &rows, 0, DEFAULT)?;
    match rows.rows.as_slice() {
        [] => Err(ImportError::new(file, Some(1), None, K::Empty)),
        [r] => match r.cells[0].clone().expect("required above") {
            (Cell::Empty, _) => Ok(None),
            (Cell::Text(n), at) => Ok(Some((n, at))),
            (other, at) => Err(error_at(
                file,
                text,
                at,
                K::BadValue {
                    field: DEFAULT.into(),
                    text: shown(&other),
                    expected: "a policy name or empty",
                },
            )),
        },
        [_, second, ..] => Err(error_at(
            file,
            text,
            second.at,
            K::Syntax("an organisation configuration has one row; this one has more".into()),
        )),
    }
}

/// One `Get-User` row: the keys it can be matched to a mailbox by, and its assignment.
pub(crate) struct UserRow {
    /// `Identity`, `Name`, `UserPrincipalName`, `WindowsEmailAddress`, `PrimarySmtpAddress`,
    /// whichever the export carries, in that order.
    pub keys: Vec<String>,
    /// `AuthenticationPolicy` (`None`: the user has none).
    pub policy: Option<String>,
    /// Where the assignment is written.
    pub at: At,
    /// 1-based line of the row.
    pub line: usize,
}

/// The columns a `Get-User` row is matched to a mailbox by, most specific first.
const USER_KEYS: [&str; 5] = [
    "Identity",
    "Name",
    "UserPrincipalName",
    "WindowsEmailAddress",
    "PrimarySmtpAddress",
];

/// `Get-User | Export-Csv` or `| ConvertTo-Json`: every user's `AuthenticationPolicy` (a
/// required column; empty or null for none) with the keys that match it to a mailbox.
pub(crate) fn users(file: &str, text: &str) -> Result<Vec<UserRow>, ImportError> {
    let mut wanted: Vec<&str> = USER_KEYS.to_vec();
    wanted.push(POLICY_PROPERTY);
    let rows = rows(file, text, &wanted)?;
    let p = USER_KEYS.len();
    require(file, &rows, p, POLICY_PROPERTY)?;
    let mut out = Vec::with_capacity(rows.rows.len());
    for r in rows.rows {
        let keys: Vec<String> = r.cells[..p]
            .iter()
            .filter_map(|c| match c {
                Some((Cell::Text(t), _)) => Some(t.clone()),
                _ => None,
            })
            .collect();
        if keys.is_empty() {
            return Err(error_at(
                file,
                text,
                r.at,
                K::MissingField {
                    field: "Identity (or UserPrincipalName)".into(),
                },
            ));
        }
        let (cell, at) = r.cells[p].clone().expect("required above");
        let policy = match cell {
            Cell::Empty => None,
            Cell::Text(n) => Some(n),
            other => {
                return Err(error_at(
                    file,
                    text,
                    at,
                    K::BadValue {
                        field: POLICY_PROPERTY.into(),
                        text: shown(&other),
                        expected: "a policy name or empty",
                    },
                ))
            }
        };
        out.push(UserRow {
            keys,
            policy,
            at,
            line: r.line,
        });
    }
    Ok(out)
}

/// The `policy_tenant` fuzz property: the `Get-AuthenticationPolicy`, `Get-OrganizationConfig`
/// and `Get-User` importers, read as CSV and as JSON, either accept
/// `text` (every position they keep lying inside it, policy names unique case-insensitively)
/// or name a line inside it; they never panic. `lines` is how many lines `text` has.
pub(crate) fn fuzz_exports(text: &str, lines: usize) {
    let inside = |what: &str, line: Option<usize>| {
        if let Some(line) = line {
            assert!(
                line >= 1 && line <= lines,
                "{what}: position on line {line} of {lines}"
            );
        }
    };
    for file in ["x.csv", "x.json"] {
        match authentication_policies(file, text) {
            Ok(policies) => {
                let mut names: Vec<String> =
                    policies.iter().map(|p| p.name.to_lowercase()).collect();
                names.sort();
                names.dedup();
                assert_eq!(
                    names.len(),
                    policies.len(),
                    "{file}: duplicate policy names"
                );
            }
            Err(e) => inside(file, e.line),
        }
        match default_policy(file, text) {
            Ok(Some((_, at))) => inside(file, at.locate(text).0),
            Ok(None) => {}
            Err(e) => inside(file, e.line),
        }
        match users(file, text) {
            Ok(rows) => {
                for r in rows {
                    inside(file, r.at.locate(text).0);
                }
            }
            Err(e) => inside(file, e.line),
        }
    }
}
