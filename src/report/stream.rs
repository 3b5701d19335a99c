//! Reports written unit by unit, so that memory stays flat in the number of units: a run
//! over 20,000 files holds one file's unit at a time, never the whole report.
//!
//! Human text and JSON go straight to the output. JUnit and Markdown begin with totals that
//! are known only at the end, so the parts that follow them are spooled to an anonymous
//! temporary file and copied out by [`ReportWriter::finish`]. The bytes written are exactly
//! what [`super::render`] returns for the same units. HTML is the exception: the comparison
//! page needs every unit, so its units are kept until the end.

use super::{Format, Summary, Unit, JSON_VERSION};
use crate::rules::Severity;
use serde_json::{json, Map, Value};
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};

/// What a report says besides its units.
#[derive(Debug, Clone)]
pub struct Header {
    /// What a unit is called (`file` or `case`).
    pub unit_label: &'static str,
    /// Whether warnings fail.
    pub strict: bool,
    /// Extra top-level facts for JSON and Markdown (target URL, partition ...).
    pub context: Vec<(String, String)>,
}

/// Writes a report in one [`Format`] as units arrive. Call [`ReportWriter::unit`] per unit in
/// order, then [`ReportWriter::finish`]; dropping the writer without finishing leaves the
/// output incomplete.
pub struct ReportWriter<W: Write> {
    out: W,
    format: Format,
    header: Header,
    summary: Summary,
    /// JUnit: the test suites; Markdown: the summary table's rows.
    first_spool: Option<BufWriter<File>>,
    /// Markdown: the sections of units with findings.
    second_spool: Option<BufWriter<File>>,
    /// JUnit: tests and failures over every suite.
    junit_counts: (usize, usize),
    /// HTML: every unit, for the page written at the end.
    kept: Vec<Unit>,
    /// Keys of the context added by [`ReportWriter::push_context`].
    late: Vec<String>,
}

fn spool() -> io::Result<BufWriter<File>> {
    Ok(BufWriter::new(tempfile::tempfile()?))
}

/// Copies a spool's contents to `out`.
fn drain(spool: Option<BufWriter<File>>, out: &mut impl Write) -> io::Result<()> {
    if let Some(s) = spool {
        let mut file = s.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        io::copy(&mut file, out)?;
    }
    Ok(())
}

/// `value` pretty-printed as serde_json does, continued at `indent` spaces (JSON strings
/// hold no raw line breaks, so indenting every line after the first is exact).
fn pretty(value: &Value, indent: usize) -> String {
    let text = serde_json::to_string_pretty(value).expect("JSON values serialize");
    text.replace('\n', &format!("\n{:indent$}", ""))
}

impl<W: Write> ReportWriter<W> {
    /// Starts a report: writes what comes before the first unit.
    pub fn new(mut out: W, format: Format, header: Header) -> io::Result<Self> {
        let (mut first_spool, mut second_spool) = (None, None);
        match format {
            Format::Human => {}
            Format::Json => {
                out.write_all(b"{")?;
                let mut first = true;
                for (k, v) in json_fields(&header) {
                    if k.as_str() >= units_key(&header).as_str() {
                        break;
                    }
                    write_json_field(&mut out, &mut first, &k, &v)?;
                }
                let comma = if first { "" } else { "," };
                write!(
                    out,
                    "{comma}\n  {}: [",
                    serde_json::to_string(&units_key(&header)).expect("a string serializes")
                )?;
            }
            Format::Junit => first_spool = Some(spool()?),
            Format::Markdown => {
                first_spool = Some(spool()?);
                second_spool = Some(spool()?);
            }
            Format::Html => {}
        }
        Ok(ReportWriter {
            out,
            format,
            header,
            summary: Summary::default(),
            first_spool,
            second_spool,
            junit_counts: (0, 0),
            kept: Vec::new(),
            late: Vec::new(),
        })
    }

    /// Writes one unit.
    pub fn unit(&mut self, u: &Unit) -> io::Result<()> {
        let strict = self.header.strict;
        let index = self.summary.total;
        self.summary.total += 1;
        if u.expected_failure.is_some() {
            self.summary.expected_failures += 1;
        }
        if u.passes(strict) {
            self.summary.passed += 1;
        } else {
            self.summary.failed += 1;
        }
        for f in &u.findings {
            match f.severity {
                Severity::Error => self.summary.errors += 1,
                Severity::Warning => self.summary.warnings += 1,
                Severity::Info => self.summary.infos += 1,
            }
        }
        match self.format {
            Format::Human => super::human::write_unit(&mut self.out, u, strict),
            Format::Json => {
                let comma = if index == 0 { "" } else { "," };
                write!(self.out, "{comma}\n    ")?;
                super::json::write_unit(&mut self.out, u, self.header.unit_label, strict, 4)
            }
            Format::Junit => {
                let spool = self.first_spool.as_mut().expect("JUnit spools its suites");
                let (tests, failures) = super::junit::write_suite(spool, u, strict)?;
                self.junit_counts.0 += tests;
                self.junit_counts.1 += failures;
                Ok(())
            }
            Format::Markdown => {
                let rows = self.first_spool.as_mut().expect("Markdown spools its rows");
                super::markdown::write_row(rows, u, strict)?;
                let sections = self
                    .second_spool
                    .as_mut()
                    .expect("Markdown spools its sections");
                super::markdown::write_section(sections, u, strict)
            }
            Format::Html => {
                self.kept.push(u.clone());
                Ok(())
            }
        }
    }

    /// Adds a fact to the report's context that became known during the run (after
    /// [`ReportWriter::new`]). Every format shows it where it shows context: JSON writes it with
    /// the fields after the units array (out of key order if its key sorts before the units
    /// key, whose place has passed); human text, Markdown and HTML write their context at the
    /// end anyway.
    pub fn push_context(&mut self, key: String, value: String) {
        self.late.push(key.clone());
        self.header.context.push((key, value));
    }

    /// Writes what follows the last unit; returns the output and the counts.
    pub fn finish(mut self) -> io::Result<(W, Summary)> {
        let s = self.summary;
        match self.format {
            Format::Human => super::human::write_summary(&mut self.out, &self.header, &s)?,
            Format::Json => {
                let key = units_key(&self.header);
                if s.total == 0 {
                    self.out.write_all(b"]")?;
                } else {
                    self.out.write_all(b"\n  ]")?;
                }
                let mut first = false;
                let mut fields = json_fields(&self.header);
                fields.push(("summary".to_owned(), json!(s)));
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                for (k, v) in fields
                    .iter()
                    .filter(|(k, _)| *k > key || (*k < key && self.late.contains(k)))
                {
                    write_json_field(&mut self.out, &mut first, k, v)?;
                }
                self.out.write_all(b"\n}\n")?;
            }
            Format::Junit => {
                let (tests, failures) = self.junit_counts;
                super::junit::write_head(&mut self.out, tests, failures)?;
                drain(self.first_spool.take(), &mut self.out)?;
                self.out.write_all(b"</testsuites>\n")?;
            }
            Format::Markdown => {
                super::markdown::write_head(&mut self.out, &self.header, &s)?;
                drain(self.first_spool.take(), &mut self.out)?;
                drain(self.second_spool.take(), &mut self.out)?;
            }
            Format::Html => {
                let mut report = super::Report::new(
                    self.header.unit_label,
                    self.header.strict,
                    std::mem::take(&mut self.kept),
                );
                report.context = self.header.context.clone();
                self.out.write_all(super::html_page(&report).as_bytes())?;
            }
        }
        self.out.flush()?;
        Ok((self.out, s))
    }
}

/// The JSON report's array key: `files` or `cases`.
fn units_key(h: &Header) -> String {
    format!("{}s", h.unit_label)
}

/// The JSON report's top-level fields known before any unit, sorted as serde_json's map
/// sorts them (the units array and the summary take their places among them).
fn json_fields(h: &Header) -> Vec<(String, Value)> {
    let mut m = Map::new();
    m.insert("version".into(), json!(JSON_VERSION));
    m.insert(
        "tool".into(),
        json!(format!("poxspec {}", env!("CARGO_PKG_VERSION"))),
    );
    m.insert("strict".into(), json!(h.strict));
    for (k, v) in &h.context {
        m.insert(k.clone(), json!(v));
    }
    let mut v: Vec<(String, Value)> = m.into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn write_json_field(out: &mut impl Write, first: &mut bool, k: &str, v: &Value) -> io::Result<()> {
    let comma = if *first { "" } else { "," };
    *first = false;
    write!(
        out,
        "{comma}\n  {}: {}",
        serde_json::to_string(k).expect("a string serializes"),
        pretty(v, 2)
    )
}
