//! Importers for what admins really have: the project's TOML fixture, `ConvertTo-Json`,
//! `Export-Csv`, `Format-List` output, and a list of identities with the value being applied.

use super::csv_records::{CsvError, CsvReader, CsvRecord};
use super::error::{ImportError, ImportErrorKind as K};
use super::quoted::QuotedRecords;
use super::state::{
    AuthenticationPolicies, AuthenticationPolicy, Mailbox, Organization, PolicyIndex, Population,
};
use crate::xml::{LineIndex, Str};
use std::collections::HashMap;
use std::sync::Arc;

/// The property every export must carry.
pub const PROPERTY: &str = "SmtpClientAuthenticationDisabled";

/// The optional column or key of a mailbox or user export naming the user's authentication
/// policy (`Get-User`'s property; a combined export may carry it beside [`PROPERTY`]).
pub const POLICY_PROPERTY: &str = "AuthenticationPolicy";

/// Where a value sits in its file, kept cheap per record and turned into a line and column only
/// to place an error (offsets are into the text after a leading byte order mark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// A byte offset.
    Offset(usize),
    /// A line and column already known.
    LineCol(usize, usize),
    /// Field `field` of the CSV record that starts at byte `record_start` on line `line`.
    CsvField {
        line: usize,
        record_start: usize,
        field: usize,
    },
}

impl At {
    /// The 1-based line and column in `text`.
    pub(crate) fn locate(self, text: &str) -> (Option<usize>, Option<usize>) {
        let body = text.trim_start_matches('\u{feff}');
        match self {
            At::LineCol(l, c) => (Some(l), Some(c)),
            At::Offset(o) => {
                let p = LineIndex::new(body).line_col(body, o.min(body.len()));
                (Some(p.line), Some(p.column))
            }
            At::CsvField {
                line,
                record_start,
                field,
            } => {
                let rest = body.get(record_start..).unwrap_or("");
                let raw = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
                let column = csv_field_starts(raw)
                    .get(field)
                    .map(|b| raw[..*b].chars().count() + 1);
                (Some(line), column)
            }
        }
    }
}

/// A population and where each mailbox's authentication policy assignment was written
/// (mailbox index, position), for checking the names once the policies are known.
pub(crate) type Located = (Population, Vec<(usize, At)>);

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum InputFormat {
    /// From the file name, then the content.
    Auto,
    /// The project's TOML fixture.
    Toml,
    /// `Get-CASMailbox | ConvertTo-Json`.
    Json,
    /// `Get-CASMailbox | Export-Csv`.
    Csv,
    /// `Get-CASMailbox | Format-List`.
    FormatList,
    /// One identity per line, with `--set`.
    Identities,
}

/// Imports `text` (the content of `file`). `set` is the value being applied to an identity
/// list (`Some(None)` for `$null`); it is required for, and only used by, that format.
///
/// A CSV, JSON or Format-List export may carry an `AuthenticationPolicy` column or key; the
/// names it gives are checked against the policies only by [`super::load_text`], which has
/// them. A TOML fixture is self-contained: its assignments must name its own policies.
pub fn import(
    file: &str,
    text: &str,
    format: InputFormat,
    set: Option<Option<bool>>,
) -> Result<Population, ImportError> {
    import_located(file, &Arc::from(text), format, set).map(|(p, _)| p)
}

/// [`import`] of a shared text, whose mailboxes' strings are ranges of it where the format
/// spells them as they are (a CSV export, an identity list); also gives where each assignment
/// was written.
pub(crate) fn import_located(
    file: &str,
    shared: &Arc<str>,
    format: InputFormat,
    set: Option<Option<bool>>,
) -> Result<Located, ImportError> {
    let text: &str = shared;
    let err = |kind| ImportError::new(file, None, None, kind);
    let format = match format {
        InputFormat::Auto => {
            detect(file, text, set.is_some()).ok_or_else(|| err(K::UnknownFormat))?
        }
        f => f,
    };
    if text.trim().is_empty() {
        return Err(ImportError::new(file, Some(1), None, K::Empty));
    }
    let (population, assignments) = match format {
        InputFormat::Toml => (toml_fixture(file, text)?, Vec::new()),
        InputFormat::Json => json(file, text)?,
        InputFormat::Csv => csv(file, shared)?,
        InputFormat::FormatList => format_list(file, text)?,
        InputFormat::Identities => {
            let value = set.ok_or_else(|| {
                err(K::Syntax(
                    "an identity list needs --set true|false|null, the value being applied".into(),
                ))
            })?;
            identities(file, shared, value)?
        }
        InputFormat::Auto => unreachable!("resolved above"),
    };
    if population.mailboxes.is_empty() {
        return Err(err(K::Empty));
    }
    Ok((population, assignments))
}

/// Checks that every assignment in `assigned` names one of `index`'s policies, placing the
/// first that does not at its position in `text`.
pub(crate) fn check_assignments(
    file: &str,
    text: &str,
    population: &Population,
    assigned: &[(usize, At)],
    index: &PolicyIndex,
    known: usize,
) -> Result<(), ImportError> {
    for &(i, at) in assigned {
        let Some(name) = population.mailboxes[i].authentication_policy.as_deref() else {
            continue;
        };
        if index.get(name).is_none() {
            let (line, column) = at.locate(text);
            return Err(ImportError::new(
                file,
                line,
                column,
                K::UnknownPolicy {
                    name: name.to_owned(),
                    known,
                },
            ));
        }
    }
    Ok(())
}

/// `text.trim()`, answered without decoding characters when both ends are ASCII and not
/// whitespace (every ASCII byte above the space is not whitespace), as nearly every value is.
fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b.is_ascii());
    let bytes = text.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// A policy name as an export writes it: empty means none.
fn policy_name(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.is_empty()).then_some(t)
}

/// `value` as a [`Str`]: a range of `src` when it lies in it (no copy), else a copy of its own.
fn shared_str(src: &Arc<str>, value: &str) -> Str {
    // Addresses compared as integers: a value outside `src` (an unescaped copy) fails the test.
    let at = (value.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
    if at <= src.len() && value.len() <= src.len() - at {
        if let Some(s) = Str::slice_of(src, at, at + value.len()) {
            return s;
        }
    }
    Str::from(value)
}

/// Guesses the format from the file name, then from the content.
pub fn detect(file: &str, text: &str, have_set: bool) -> Option<InputFormat> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".toml") {
        return Some(InputFormat::Toml);
    }
    if lower.ends_with(".json") {
        return Some(InputFormat::Json);
    }
    if lower.ends_with(".csv") {
        return Some(InputFormat::Csv);
    }
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let format_list_line = |l: &str| {
        l.split_once(" : ")
            .or_else(|| l.trim_end().strip_suffix(" :").map(|k| (k, "")))
            .is_some_and(|(k, _)| {
                !k.trim().is_empty() && k.trim().chars().all(|c| c.is_ascii_alphanumeric())
            })
    };
    if t.starts_with('{') || t.starts_with('[') {
        Some(InputFormat::Json)
    } else if t.starts_with("#TYPE")
        || t.starts_with('"')
        || t.lines()
            .next()
            .is_some_and(|l| l.contains(PROPERTY) && l.contains(','))
    {
        Some(InputFormat::Csv)
    } else if t.lines().next().is_some_and(format_list_line) {
        Some(InputFormat::FormatList)
    } else if have_set {
        Some(InputFormat::Identities)
    } else {
        None
    }
}

/// Collects mailboxes, refusing conflicting duplicates.
///
/// Identities are compared case-insensitively (Unicode lower case). The index holds only the
/// mailboxes' positions, placed by a hash of the lower-cased identity (so a million-row export
/// allocates no lower-cased copies) and confirmed by comparing the identities themselves; a
/// position is 8 bytes where a (hash, position, line) entry was 24, which for a million
/// mailboxes is a 16 MB table probed at random instead of 48 MB. The hash is foldhash's,
/// seeded at random per collector: an export crafted to make identities collide (each
/// collision costs one more comparison) would have to know the seed.
struct Collector<'f> {
    file: &'f str,
    mailboxes: Vec<Mailbox>,
    /// The source line of each stored mailbox.
    lines: Vec<usize>,
    hasher: foldhash::fast::RandomState,
    /// Positions in `mailboxes`, by [`folded_hash`] of the identity.
    seen: hashbrown::HashTable<usize>,
    /// Where each stored mailbox's policy assignment was written.
    assigned: Vec<(usize, At)>,
}

/// A hash of the identity's Unicode lower case. The folded text goes to the hasher in 64-byte
/// chunks, built the same way whether the identity is ASCII (the fast path: bytes lower-cased
/// a chunk at a time) or not (characters folded and encoded): two identities that fold to the
/// same text feed the hasher the same bytes in the same chunks, so they hash alike.
fn folded_hash(hasher: &impl std::hash::BuildHasher, s: &str) -> u64 {
    use std::hash::Hasher;
    const CHUNK: usize = 64;
    let mut h = hasher.build_hasher();
    let mut buf = [0u8; CHUNK];
    if s.is_ascii() {
        let mut chunks = s.as_bytes().chunks_exact(CHUNK);
        for chunk in chunks.by_ref() {
            buf.copy_from_slice(chunk);
            buf.make_ascii_lowercase();
            h.write(&buf);
        }
        let rest = chunks.remainder();
        let folded = &mut buf[..rest.len()];
        folded.copy_from_slice(rest);
        folded.make_ascii_lowercase();
        h.write(folded);
        h.write_usize(rest.len());
        return h.finish();
    }
    let mut n = 0;
    let mut utf8 = [0u8; 4];
    for c in s.chars().flat_map(char::to_lowercase) {
        for &b in c.encode_utf8(&mut utf8).as_bytes() {
            buf[n] = b;
            n += 1;
            if n == CHUNK {
                h.write(&buf);
                n = 0;
            }
        }
    }
    h.write(&buf[..n]);
    h.write_usize(n);
    h.finish()
}

fn same_identity(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

impl<'f> Collector<'f> {
    fn new(file: &'f str) -> Self {
        Collector {
            file,
            mailboxes: Vec::new(),
            lines: Vec::new(),
            hasher: foldhash::fast::RandomState::default(),
            seen: hashbrown::HashTable::new(),
            assigned: Vec::new(),
        }
    }

    fn reserve(&mut self, n: usize) {
        self.mailboxes.reserve(n);
        self.lines.reserve(n);
        let (mailboxes, hasher) = (&self.mailboxes, &self.hasher);
        self.seen
            .reserve(n, |&i| folded_hash(hasher, &mailboxes[i].identity));
    }

    fn add(&mut self, m: Mailbox, line: usize) -> Result<(), ImportError> {
        self.add_at(m, line, None)
    }

    /// Adds a mailbox whose policy assignment (if any) was written at `at`.
    fn add_at(&mut self, m: Mailbox, line: usize, at: Option<At>) -> Result<(), ImportError> {
        use hashbrown::hash_table::Entry;
        crate::cost::add(1);
        let hash = folded_hash(&self.hasher, &m.identity);
        let (mailboxes, hasher) = (&self.mailboxes, &self.hasher);
        // One probe: a new identity is entered as it is looked up.
        let entry = self.seen.entry(
            hash,
            |&i| same_identity(&mailboxes[i].identity, &m.identity),
            |&i| folded_hash(hasher, &mailboxes[i].identity),
        );
        match entry {
            Entry::Vacant(v) => {
                v.insert(self.mailboxes.len());
            }
            Entry::Occupied(o) => {
                let index = *o.get();
                if self.mailboxes[index] == m {
                    return Ok(());
                }
                return Err(ImportError::new(
                    self.file,
                    Some(line),
                    None,
                    K::Conflict {
                        identity: m.identity.to_string(),
                        first_line: self.lines[index],
                    },
                ));
            }
        }
        if let (Some(at), Some(_)) = (at, &m.authentication_policy) {
            self.assigned.push((self.mailboxes.len(), at));
        }
        self.mailboxes.push(m);
        self.lines.push(line);
        Ok(())
    }

    fn finish(self, organization: Option<Organization>) -> Located {
        (Population::new(organization, self.mailboxes), self.assigned)
    }
}

/// PowerShell's text forms of a nullable boolean: `True`, `False`, empty for `$null`.
fn ps_bool(field: &str, text: &str) -> Result<Option<bool>, K> {
    // The spellings Export-Csv writes, tried before trimming and folding case.
    match text {
        "" => return Ok(None),
        "True" => return Ok(Some(true)),
        "False" => return Ok(Some(false)),
        _ => {}
    }
    match text.trim() {
        "" => Ok(None),
        t if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
        t if t.eq_ignore_ascii_case("false") => Ok(Some(false)),
        t => Err(K::BadValue {
            field: field.into(),
            text: t.into(),
            expected: "True, False or empty ($null)",
        }),
    }
}

fn identities(file: &str, src: &Arc<str>, value: Option<bool>) -> Result<Located, ImportError> {
    let text: &str = src;
    let mut c = Collector::new(file);
    for (i, line) in text.lines().enumerate() {
        let id = line.trim().trim_start_matches('\u{feff}');
        if id.is_empty() || id.starts_with('#') {
            continue;
        }
        if id.contains(char::is_whitespace) || id.contains(',') {
            return Err(ImportError::new(
                file,
                Some(i + 1),
                Some(1),
                K::BadValue {
                    field: "identity".into(),
                    text: id.into(),
                    expected: "one identity per line",
                },
            ));
        }
        c.add(
            Mailbox {
                identity: shared_str(src, id),
                address: id.contains('@').then(|| shared_str(src, id)),
                smtp_client_authentication_disabled: value,
                pop_enabled: None,
                imap_enabled: None,
                authentication_policy: None,
            },
            i + 1,
        )?;
    }
    Ok(c.finish(None))
}

fn format_list(file: &str, text: &str) -> Result<Located, ImportError> {
    let mut c = Collector::new(file);
    let mut block: Vec<(usize, String, String, usize)> = Vec::new();
    let flush = |block: &mut Vec<(usize, String, String, usize)>,
                 c: &mut Collector|
     -> Result<(), ImportError> {
        if block.is_empty() {
            return Ok(());
        }
        let get = |k: &str| {
            block
                .iter()
                .find(|(_, key, _, _)| key.eq_ignore_ascii_case(k))
        };
        let first_line = block[0].0;
        let at = |e: &(usize, String, String, usize), kind| {
            ImportError::new(file, Some(e.0), Some(e.3), kind)
        };
        let identity = get("Identity").or_else(|| get("Name")).map(|e| e.2.clone());
        let Some(prop) = get(PROPERTY) else {
            return Err(ImportError::new(
                file,
                Some(first_line),
                None,
                K::MissingField {
                    field: PROPERTY.into(),
                },
            ));
        };
        let Some(identity) = identity else {
            return Err(ImportError::new(
                file,
                Some(first_line),
                None,
                K::MissingField {
                    field: "Identity".into(),
                },
            ));
        };
        let disabled = ps_bool(PROPERTY, &prop.2).map_err(|k| at(prop, k))?;
        let flag = |name: &str| -> Result<Option<bool>, ImportError> {
            match get(name) {
                Some(e) => ps_bool(name, &e.2).map_err(|k| at(e, k)),
                None => Ok(None),
            }
        };
        let m = Mailbox {
            identity: identity.into(),
            address: get("PrimarySmtpAddress")
                .filter(|e| !e.2.is_empty())
                .map(|e| Str::from(&e.2)),
            smtp_client_authentication_disabled: disabled,
            pop_enabled: flag("PopEnabled")?,
            imap_enabled: flag("ImapEnabled")?,
            authentication_policy: get(POLICY_PROPERTY)
                .and_then(|e| policy_name(&e.2))
                .map(Str::from),
        };
        let at = get(POLICY_PROPERTY).map(|e| At::LineCol(e.0, e.3));
        c.add_at(m, first_line, at)?;
        block.clear();
        Ok(())
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            flush(&mut block, &mut c)?;
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            // A wrapped value continues the previous property.
            if let Some(last) = block.last_mut() {
                last.2.push_str(line.trim());
                continue;
            }
        }
        let Some(colon) = line.find(':') else {
            return Err(ImportError::new(
                file,
                Some(i + 1),
                Some(1),
                K::Syntax(format!(
                    "expected \"Name : value\", found {:?}",
                    line.trim()
                )),
            ));
        };
        let key = line[..colon].trim().to_owned();
        let value_start =
            colon + 1 + (line[colon + 1..].len() - line[colon + 1..].trim_start().len());
        let column = line[..value_start].chars().count() + 1;
        block.push((i + 1, key, line[colon + 1..].trim().to_owned(), column));
    }
    flush(&mut block, &mut c)?;
    Ok(c.finish(None))
}

/// Byte offsets where each field of a CSV line starts, found by csv-core's reader (the state
/// machine the records are read with), so quoting and escaped quotes are read the same way.
/// Only called to place an error, which the fuzz target does on most runs: the parser is a
/// copy of one built once.
fn csv_field_starts(line: &str) -> Vec<usize> {
    use csv_core::ReadFieldResult;
    super::csv_records::with_plain_parser(|reader| {
        let mut starts = vec![0];
        let mut input = line.as_bytes();
        let mut consumed = 0;
        // The unescaped field text is not needed, only how much input each field consumed.
        let mut sink = [0u8; 256];
        loop {
            let (result, read, _) = reader.read_field(input, &mut sink);
            input = &input[read..];
            consumed += read;
            match result {
                ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
                ReadFieldResult::Field { record_end: false } => starts.push(consumed),
                ReadFieldResult::Field { record_end: true } | ReadFieldResult::End => break,
            }
        }
        starts
    })
}

/// Where each CSV record starts and on which line, from the byte offset the reader gives. The
/// reader's own line numbers (the `csv` crate's, which `CsvReader` keeps) are one short after every CRLF-terminated record
/// (BurntSushi/rust-csv#395), and Export-Csv writes CRLF, so lines are counted here instead:
/// once over the text, as offsets only grow.
#[derive(Default)]
struct RecordLines {
    /// Offset up to which newlines have been counted.
    counted: usize,
    /// Newlines before `counted`.
    newlines: usize,
}

impl RecordLines {
    /// The record's true start (the reader may report the `\n` of the previous record's
    /// CRLF as its start) and its 1-based line.
    fn locate(&mut self, body: &str, reported: u64) -> (usize, usize) {
        let bytes = body.as_bytes();
        let mut start = usize::try_from(reported)
            .unwrap_or(bytes.len())
            .min(bytes.len());
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > self.counted {
            self.newlines += memchr::memchr_iter(b'\n', &bytes[self.counted..start]).count();
            self.counted = start;
        }
        (start, self.newlines + 1)
    }
}

/// The columns of a mailbox CSV export an importer reads, found by name in the header
/// (case-insensitive, trimmed).
struct CsvColumns {
    identity: usize,
    property: usize,
    address: Option<usize>,
    pop: Option<usize>,
    imap: Option<usize>,
    policy: Option<usize>,
    /// How many fields every record has.
    width: usize,
}

impl CsvColumns {
    fn of(file: &str, headers: &CsvRecord, header_line: usize) -> Result<Self, ImportError> {
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let missing = |field: String| {
            ImportError::new(
                file,
                Some(header_line.max(1)),
                None,
                K::MissingField { field },
            )
        };
        let property = col(PROPERTY).ok_or_else(|| missing(format!("column {PROPERTY}")))?;
        let identity = col("Identity")
            .or_else(|| col("Name"))
            .or_else(|| col("PrimarySmtpAddress"))
            .ok_or_else(|| missing("column Identity".into()))?;
        Ok(CsvColumns {
            identity,
            property,
            address: col("PrimarySmtpAddress"),
            pop: col("PopEnabled"),
            imap: col("ImapEnabled"),
            policy: col(POLICY_PROPERTY),
            width: headers.len(),
        })
    }
}

/// A mailbox CSV export: Export-Csv's own shape (every field quoted) through the quoted-record
/// splitter, anything else, and every input with an error, through the general CSV reader
/// (csv-core's, as the `csv` crate reads), which places the error.
fn csv(file: &str, src: &Arc<str>) -> Result<Located, ImportError> {
    match csv_quoted(file, src) {
        Some(located) => Ok(located),
        None => csv_general(file, src),
    }
}

/// [`csv`] over [`QuotedRecords`]: `None` at the first record outside Export-Csv's shape and
/// at the first error, both left to [`csv_general`] to read again. It builds the same mailboxes
/// from the same fields: a record the splitter accepts is read by the general reader into the
/// same values (checked by `quoted_and_general_csv_readers_agree`). The mailboxes' strings
/// are ranges of `src` (copies only for a field with an escaped quote).
fn csv_quoted(file: &str, src: &Arc<str>) -> Option<Located> {
    let text: &str = src;
    let body = text.trim_start_matches('\u{feff}');
    let (reader, headers, header_line) = csv_open(file, body).ok()?;
    let cols = CsvColumns::of(file, &headers, header_line).ok()?;
    let from = usize::try_from(reader.position().byte).ok()?;
    let mut records = QuotedRecords::new(body, from);
    let mut c = Collector::new(file);
    // Rows ≈ lines: sizing once avoids rehashing a million-entry map as it grows.
    c.reserve(memchr::memchr_iter(b'\n', &body.as_bytes()[from.min(body.len())..]).count());
    let mut fields = Vec::with_capacity(cols.width);
    while let Some(at) = records.next_record(&mut fields).ok()? {
        if fields.len() != cols.width {
            return None;
        }
        // As written: a value with an escaped quote is no boolean either way.
        let value = |i: Option<usize>, name: &str| match i {
            Some(i) => ps_bool(name, fields[i].raw(body)).ok(),
            None => Some(None),
        };
        let trimmed = |i: usize| {
            let text = fields[i].text(body);
            let value = trim(&text);
            (!value.is_empty()).then(|| shared_str(src, value))
        };
        let identity = trimmed(cols.identity)?;
        let mailbox = Mailbox {
            identity,
            address: cols.address.and_then(trimmed),
            smtp_client_authentication_disabled: value(Some(cols.property), PROPERTY)?,
            pop_enabled: value(cols.pop, "PopEnabled")?,
            imap_enabled: value(cols.imap, "ImapEnabled")?,
            authentication_policy: cols.policy.and_then(trimmed),
        };
        let policy_at = cols.policy.map(|field| At::CsvField {
            line: at.line,
            record_start: at.start,
            field,
        });
        c.add_at(mailbox, at.line, policy_at).ok()?;
    }
    Some(c.finish(None))
}

/// [`csv`] over the general CSV reader ([`CsvReader`]): any CSV, every error placed at its line and column.
fn csv_general(file: &str, text: &str) -> Result<Located, ImportError> {
    let body = text.trim_start_matches('\u{feff}');
    // Source lines are only needed to place an error: found on demand, not indexed up front
    // (an index of a million-row export costs more than parsing it).
    let line_text = |n: usize| {
        body.split('\n')
            .nth(n.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r'))
    };
    let (mut reader, headers, header_line) = csv_open(file, body)?;
    let syntax = |e| csv_syntax(file, e);
    let cols = CsvColumns::of(file, &headers, header_line)?;
    let mut c = Collector::new(file);
    // Rows ≈ lines: sizing once avoids rehashing a million-entry map as it grows.
    c.reserve(memchr::memchr_iter(b'\n', body.as_bytes()).count());
    // One record buffer for the whole file.
    let mut record = CsvRecord::new();
    let mut lines = RecordLines::default();
    while reader.read_record(&mut record).map_err(syntax)? {
        let (record_start, line) = lines.locate(body, record.position().byte);
        let at = |field: usize, kind| {
            let raw = line_text(line).unwrap_or("");
            let column = csv_field_starts(raw)
                .get(field)
                .map(|b| raw[..*b].chars().count() + 1);
            ImportError::new(file, Some(line), column, kind)
        };
        let get = |i: usize| record.get(i).unwrap_or("");
        let value = |i: Option<usize>, name: &str| -> Result<Option<bool>, ImportError> {
            match i {
                Some(i) => ps_bool(name, get(i)).map_err(|k| at(i, k)),
                None => Ok(None),
            }
        };
        let identity = Str::from(get(cols.identity).trim());
        if identity.is_empty() {
            return Err(at(
                cols.identity,
                K::BadValue {
                    field: "Identity".into(),
                    text: String::new(),
                    expected: "a mailbox identity",
                },
            ));
        }
        c.add_at(
            Mailbox {
                identity,
                address: cols
                    .address
                    .map(|i| get(i).trim())
                    .filter(|a| !a.is_empty())
                    .map(Str::from),
                smtp_client_authentication_disabled: value(Some(cols.property), PROPERTY)?,
                pop_enabled: value(cols.pop, "PopEnabled")?,
                imap_enabled: value(cols.imap, "ImapEnabled")?,
                authentication_policy: cols.policy.and_then(|i| policy_name(get(i))).map(Str::from),
            },
            line,
            cols.policy.map(|field| At::CsvField {
                line,
                record_start,
                field,
            }),
        )?;
    }
    Ok(c.finish(None))
}

/// Where each top-level object of an accepted JSON text starts, and where its keys' values
/// start, as byte offsets: serde_json's raw values borrow from the text, so their addresses
/// are positions in it.
fn json_positions(text: &str) -> Vec<(usize, HashMap<String, usize>)> {
    use serde_json::value::RawValue;
    let at = |raw: &RawValue| raw.get().as_ptr() as usize - text.as_ptr() as usize;
    let items: Vec<&RawValue> = match text.trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str(text).unwrap_or_default(),
        _ => serde_json::from_str(text)
            .map(|v| vec![v])
            .unwrap_or_default(),
    };
    items
        .into_iter()
        .map(|item| {
            let keys: HashMap<String, &RawValue> =
                serde_json::from_str(item.get()).unwrap_or_default();
            (
                at(item),
                keys.into_iter().map(|(k, v)| (k, at(v))).collect(),
            )
        })
        .collect()
}

fn json(file: &str, text: &str) -> Result<Located, ImportError> {
    let body = text.trim_start_matches('\u{feff}');
    let value: serde_json::Value = serde_json::from_str(body).map_err(|e| {
        ImportError::new(
            file,
            Some(e.line()),
            Some(e.column()),
            K::Syntax(format!("JSON: {e}")),
        )
    })?;
    let items: Vec<&serde_json::Value> = match &value {
        serde_json::Value::Array(a) => a.iter().collect(),
        o @ serde_json::Value::Object(_) => vec![o],
        _ => {
            return Err(ImportError::new(
                file,
                Some(1),
                Some(1),
                K::Syntax("JSON: expected an object or an array of objects".into()),
            ))
        }
    };
    let positions = json_positions(body);
    // One index for every position: a lookup per object must not rescan the text.
    let lines = LineIndex::new(body);
    let mut c = Collector::new(file);
    for (n, item) in items.iter().enumerate() {
        let (obj_at, keys) = positions.get(n).cloned().unwrap_or_default();
        let here = |offset: usize| {
            let p = lines.line_col(body, offset);
            (Some(p.line), Some(p.column))
        };
        let (ol, oc) = here(obj_at);
        let Some(obj) = item.as_object() else {
            return Err(ImportError::new(
                file,
                ol,
                oc,
                K::Syntax("JSON: array element is not an object".into()),
            ));
        };
        let at = |key: &str, kind| {
            let (l, c) = keys.get(key).map_or((ol, oc), |o| here(*o));
            ImportError::new(file, l, c, kind)
        };
        let nullable = |key: &str, required: bool| -> Result<Option<bool>, ImportError> {
            match obj.get(key) {
                None if required => Err(ImportError::new(
                    file,
                    ol,
                    oc,
                    K::MissingField {
                        field: format!("key {key}"),
                    },
                )),
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::Bool(b)) => Ok(Some(*b)),
                Some(v) => Err(at(
                    key,
                    K::BadValue {
                        field: key.into(),
                        text: v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                        expected: "true, false or null",
                    },
                )),
            }
        };
        let text_of = |key: &str| obj.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let identity = text_of("Identity")
            .or_else(|| text_of("Name"))
            .or_else(|| text_of("PrimarySmtpAddress"))
            .ok_or_else(|| {
                ImportError::new(
                    file,
                    ol,
                    oc,
                    K::MissingField {
                        field: "key Identity".into(),
                    },
                )
            })?;
        let authentication_policy = match obj.get(POLICY_PROPERTY) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => policy_name(s).map(Str::from),
            Some(v) => {
                return Err(at(
                    POLICY_PROPERTY,
                    K::BadValue {
                        field: POLICY_PROPERTY.into(),
                        text: v.to_string(),
                        expected: "a policy name or null",
                    },
                ))
            }
        };
        let m = Mailbox {
            identity: identity.into(),
            address: text_of("PrimarySmtpAddress").map(Str::from),
            smtp_client_authentication_disabled: nullable(PROPERTY, true)?,
            pop_enabled: nullable("PopEnabled", false)?,
            imap_enabled: nullable("ImapEnabled", false)?,
            authentication_policy,
        };
        let policy_at = keys
            .get(POLICY_PROPERTY)
            .map_or(At::Offset(obj_at), |o| At::Offset(*o));
        c.add_at(m, ol.unwrap_or(1), Some(policy_at))?;
    }
    Ok(c.finish(None))
}

/// The key's and the value's start offsets of `k` in a span-keeping TOML table.
fn toml_positions(t: &toml::de::DeTable<'_>, k: &str) -> Option<(usize, usize)> {
    t.iter()
        .find(|(key, _)| key.get_ref().as_ref() == k)
        .map(|(key, v)| (key.span().start, v.span().start))
}

/// The value of `k` in a span-keeping TOML table.
fn toml_value<'a, 'i>(t: &'a toml::de::DeTable<'i>, k: &str) -> Option<&'a toml::de::DeValue<'i>> {
    t.iter()
        .find(|(key, _)| key.get_ref().as_ref() == k)
        .map(|(_, v)| v.get_ref())
}

fn toml_fixture(file: &str, text: &str) -> Result<Population, ImportError> {
    use toml::de::{DeTable, DeValue};
    use toml::Spanned;
    let get = toml_positions;
    // One index for every position: looking each mailbox up from the start of the text made
    // import quadratic in the number of mailboxes.
    let lines = LineIndex::new(text);
    let at = |offset: usize, kind| {
        let p = lines.line_col(text, offset);
        ImportError::new(file, Some(p.line), Some(p.column), kind)
    };
    // toml's span-keeping tables: every error below is placed where the key or value is.
    let doc = DeTable::parse(text).map_err(|e| match e.span() {
        Some(s) => at(s.start, K::Syntax(format!("TOML: {}", e.message()))),
        None => ImportError::new(
            file,
            None,
            None,
            K::Syntax(format!("TOML: {}", e.message())),
        ),
    })?;
    let doc = doc.get_ref();
    let shown = |v: &DeValue| match v {
        DeValue::String(s) => s.to_string(),
        DeValue::Integer(i) => i.as_str().to_owned(),
        DeValue::Float(f) => f.as_str().to_owned(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        DeValue::Array(_) => "an array".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    };
    // The organisation default policy's name and where it was written.
    let mut default_policy: Option<(String, usize)> = None;
    let organization = match doc
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "organization")
    {
        None => None,
        Some((key, v)) => {
            let Some(t) = v.get_ref().as_table() else {
                return Err(at(
                    v.span().start,
                    K::BadValue {
                        field: "organization".into(),
                        text: shown(v.get_ref()),
                        expected: "a table",
                    },
                ));
            };
            let header = key.span().start.saturating_sub(1);
            let get_bool = |k: &str, required: bool| -> Result<Option<bool>, ImportError> {
                match (toml_value(t, k).cloned(), get(t, k)) {
                    (None, _) if required => Err(at(
                        header,
                        K::MissingField {
                            field: format!("organization.{k}"),
                        },
                    )),
                    (None, _) => Ok(None),
                    (Some(DeValue::Boolean(b)), _) => Ok(Some(b)),
                    (Some(v), pos) => Err(at(
                        pos.map_or(header, |p| p.0),
                        K::BadValue {
                            field: format!("organization.{k}"),
                            text: shown(&v),
                            expected: "true or false",
                        },
                    )),
                }
            };
            let org = Organization {
                smtp_client_authentication_disabled: get_bool(
                    "smtp_client_authentication_disabled",
                    true,
                )?
                .unwrap_or(true),
                security_defaults_enabled: get_bool("security_defaults_enabled", false)?,
                allow_basic_auth_smtp: get_bool("allow_basic_auth_smtp", false)?,
            };
            const DEFAULT: &str = "default_authentication_policy";
            match (toml_value(t, DEFAULT), get(t, DEFAULT)) {
                (None, _) => {}
                (Some(DeValue::String(name)), Some((key_at, value_at))) => {
                    if org.allow_basic_auth_smtp.is_some() {
                        return Err(at(
                            key_at,
                            K::Syntax(format!(
                                "organization.{DEFAULT} and organization.allow_basic_auth_smtp both give the default policy; keep one"
                            )),
                        ));
                    }
                    if !name.trim().is_empty() {
                        default_policy = Some((name.trim().to_owned(), value_at));
                    }
                }
                (Some(v), pos) => {
                    return Err(at(
                        pos.map_or(header, |p| p.1),
                        K::BadValue {
                            field: format!("organization.{DEFAULT}"),
                            text: shown(v),
                            expected: "a policy name",
                        },
                    ))
                }
            }
            Some(org)
        }
    };
    let policies = toml_policies(doc, &at, &shown)?;
    let index = PolicyIndex::new(&policies);
    let known = policies.policies.len();
    let check = |name: &str, offset: usize| -> Result<(), ImportError> {
        match index.get(name) {
            Some(_) => Ok(()),
            None => Err(at(
                offset,
                K::UnknownPolicy {
                    name: name.to_owned(),
                    known,
                },
            )),
        }
    };
    if let Some((name, offset)) = &default_policy {
        check(name, *offset)?;
    }
    let empty: &[Spanned<DeValue>] = &[];
    let mailboxes: &[Spanned<DeValue>] =
        match doc.iter().find(|(k, _)| k.get_ref().as_ref() == "mailbox") {
            None => empty,
            Some((_, v)) => match v.get_ref() {
                DeValue::Array(a) => a.as_ref(),
                other => {
                    return Err(at(
                        v.span().start,
                        K::BadValue {
                            field: "mailbox".into(),
                            text: shown(other),
                            expected: "an array of tables ([[mailbox]])",
                        },
                    ))
                }
            },
        };
    let mut c = Collector::new(file);
    for m in mailboxes {
        let start = m.span().start;
        let line = lines.line_col(text, start).line;
        let Some(t) = m.get_ref().as_table() else {
            return Err(at(start, K::Syntax("mailbox entry is not a table".into())));
        };
        let s = |k: &str| match toml_value(t, k).cloned() {
            Some(DeValue::String(v)) => Some(v.to_string()),
            _ => None,
        };
        let identity = s("identity").or_else(|| s("address")).ok_or_else(|| {
            at(
                start,
                K::MissingField {
                    field: "mailbox.identity".into(),
                },
            )
        })?;
        let nullable = |k: &str, required: bool| -> Result<Option<bool>, ImportError> {
            match toml_value(t, k).cloned() {
                None if required => Err(at(
                    start,
                    K::MissingField {
                        field: format!("mailbox.{k} (write true, false or \"null\")"),
                    },
                )),
                None => Ok(None),
                Some(DeValue::Boolean(b)) => Ok(Some(b)),
                Some(DeValue::String(v)) if v == "null" => Ok(None),
                Some(v) => Err(at(
                    get(t, k).map_or(start, |p| p.1),
                    K::BadValue {
                        field: format!("mailbox.{k}"),
                        text: shown(&v),
                        expected: "true, false or \"null\"",
                    },
                )),
            }
        };
        let authentication_policy = match toml_value(t, "authentication_policy") {
            None => None,
            Some(DeValue::String(v)) if v == "null" || v.trim().is_empty() => None,
            Some(DeValue::String(v)) => {
                let value_at = get(t, "authentication_policy").map_or(start, |p| p.1);
                check(v, value_at)?;
                Some(Str::from(v.trim()))
            }
            Some(v) => {
                return Err(at(
                    get(t, "authentication_policy").map_or(start, |p| p.1),
                    K::BadValue {
                        field: "mailbox.authentication_policy".into(),
                        text: shown(v),
                        expected: "a policy name or \"null\"",
                    },
                ))
            }
        };
        c.add(
            Mailbox {
                identity: identity.into(),
                address: s("address").map(Str::from),
                smtp_client_authentication_disabled: nullable(
                    "smtp_client_authentication_disabled",
                    true,
                )?,
                pop_enabled: nullable("pop_enabled", false)?,
                imap_enabled: nullable("imap_enabled", false)?,
                authentication_policy,
            },
            line,
        )?;
    }
    let (mut population, _) = c.finish(organization);
    population.authentication_policies = AuthenticationPolicies {
        default_policy: default_policy.map(|(n, _)| n),
        ..policies
    };
    Ok(population)
}

/// The fixture's `[[authentication_policy]]` tables (`name`, `allow_basic_auth_smtp`, both
/// required), names unique case-insensitively.
fn toml_policies(
    doc: &toml::de::DeTable<'_>,
    at: &dyn Fn(usize, K) -> ImportError,
    shown: &dyn Fn(&toml::de::DeValue) -> String,
) -> Result<AuthenticationPolicies, ImportError> {
    use toml::de::DeValue;
    let mut out = AuthenticationPolicies::default();
    let Some((_, v)) = doc
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "authentication_policy")
    else {
        return Ok(out);
    };
    let DeValue::Array(items) = v.get_ref() else {
        return Err(at(
            v.span().start,
            K::BadValue {
                field: "authentication_policy".into(),
                text: shown(v.get_ref()),
                expected: "an array of tables ([[authentication_policy]])",
            },
        ));
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in items.iter() {
        let start = item.span().start;
        let Some(t) = item.get_ref().as_table() else {
            return Err(at(
                start,
                K::Syntax("authentication_policy entry is not a table".into()),
            ));
        };
        let name = match toml_value(t, "name") {
            Some(DeValue::String(n)) if !n.trim().is_empty() => n.trim().to_owned(),
            Some(v) => {
                return Err(at(
                    toml_positions(t, "name").map_or(start, |p| p.1),
                    K::BadValue {
                        field: "authentication_policy.name".into(),
                        text: shown(v),
                        expected: "a policy name",
                    },
                ))
            }
            None => {
                return Err(at(
                    start,
                    K::MissingField {
                        field: "authentication_policy.name".into(),
                    },
                ))
            }
        };
        let allow = match toml_value(t, "allow_basic_auth_smtp") {
            Some(DeValue::Boolean(b)) => *b,
            Some(v) => {
                return Err(at(
                    toml_positions(t, "allow_basic_auth_smtp").map_or(start, |p| p.1),
                    K::BadValue {
                        field: "authentication_policy.allow_basic_auth_smtp".into(),
                        text: shown(v),
                        expected: "true or false",
                    },
                ))
            }
            None => {
                return Err(at(
                    start,
                    K::MissingField {
                        field: "authentication_policy.allow_basic_auth_smtp".into(),
                    },
                ))
            }
        };
        let name_at = toml_positions(t, "name").map_or(start, |p| p.1);
        if let Some(&first) = seen.get(&name.to_lowercase()) {
            let first_line = at(first, K::Empty).line.unwrap_or(1);
            return Err(at(name_at, K::DuplicatePolicy { name, first_line }));
        }
        seen.insert(name.to_lowercase(), name_at);
        out.policies.push(AuthenticationPolicy {
            name,
            allow_basic_auth_smtp: allow,
        });
    }
    Ok(out)
}

/// A CSV export opened as every importer reads one: a header row, `#` comment lines, every
/// record as wide as the header. Returns the reader, the header record and the header's
/// 1-based line (after leading comments).
pub(super) fn csv_open<'a>(
    file: &str,
    body: &'a str,
) -> Result<(CsvReader<'a>, CsvRecord, usize), ImportError> {
    let mut reader = CsvReader::new(body);
    let mut headers = CsvRecord::new();
    reader
        .read_record(&mut headers)
        .map_err(|e| csv_syntax(file, e))?;
    let header_line = body
        .split('\n')
        .position(|l| !l.starts_with('#'))
        .map_or(1, |i| i + 1);
    Ok((reader, headers, header_line))
}

/// A CSV reader's error as an import error at its line.
pub(super) fn csv_syntax(file: &str, e: CsvError) -> ImportError {
    let line = Some(e.position().line as usize);
    ImportError::new(file, line, None, K::Syntax(format!("CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Texts near Export-Csv's shape: a header, then records built from quoted fields, quotes,
    /// commas, line ends, comment marks, spaces and the spellings of the flags.
    fn near_export_csv() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\"".to_owned()),
            Just("\"\"".to_owned()),
            Just(",".to_owned()),
            Just("\r\n".to_owned()),
            Just("\n".to_owned()),
            Just("\r".to_owned()),
            Just("#".to_owned()),
            Just(" ".to_owned()),
            Just("\"True\"".to_owned()),
            Just("\"False\"".to_owned()),
            Just("\"\"".to_owned()),
            Just("\"p\"".to_owned()),
            "\"[a-cA-C\u{e9}\u{212a}@. ]{0,4}\"",
            "[a-c]{1,2}",
        ];
        let header = prop_oneof![
            Just("\"Identity\",\"PrimarySmtpAddress\",\"SmtpClientAuthenticationDisabled\",\"PopEnabled\",\"ImapEnabled\",\"AuthenticationPolicy\"\r\n"),
            Just("#TYPE X\r\n\"Identity\",\"SmtpClientAuthenticationDisabled\"\r\n"),
            Just("Name,SmtpClientAuthenticationDisabled\n"),
        ];
        (header, proptest::collection::vec(piece, 0..40))
            .prop_map(|(h, pieces)| format!("{h}{}", pieces.concat()))
    }

    /// Whole records in the shape, so that the quoted splitter's own path is taken often.
    fn export_csv_records() -> impl Strategy<Value = String> {
        let field = prop_oneof![
            Just(String::new()),
            Just("True".to_owned()),
            Just("False".to_owned()),
            Just(" true ".to_owned()),
            "[a-cA-C\u{e9}\u{212a}\"@. ]{0,4}",
        ];
        let record = proptest::collection::vec(field, 2).prop_map(|f| {
            f.iter()
                .map(|v| format!("\"{}\"", v.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(",")
        });
        (proptest::collection::vec(record, 0..12), any::<bool>()).prop_map(|(records, crlf)| {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text =
                format!("#TYPE X{nl}\"Identity\",\"SmtpClientAuthenticationDisabled\"{nl}");
            for r in records {
                text.push_str(&r);
                text.push_str(nl);
            }
            text
        })
    }

    fn agree(text: &str) -> Result<(), TestCaseError> {
        let general = csv_general("x.csv", text);
        if let Some(quoted) = csv_quoted("x.csv", &Arc::from(text)) {
            prop_assert_eq!(Ok(quoted), general);
        }
        Ok(())
    }

    proptest! {
        /// The quoted splitter gives a population only where the `csv` reader gives the same one
        /// (same mailboxes, same lines and positions for the assignments).
        #[test]
        fn quoted_and_general_csv_readers_agree(text in near_export_csv()) {
            agree(&text)?;
        }

        #[test]
        fn quoted_and_general_csv_readers_agree_on_export_csv_records(text in export_csv_records()) {
            agree(&text)?;
        }
    }
}
