//! Versioned JSON.

use super::{Report, Unit};
use crate::rules::Finding;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::io::{self, Write};

/// Renders `{"version":1,"tool":…,"strict":…,"<unit>s":[…],"summary":{…}}`; each unit has
/// `file` (or `case`), `kind`, `findings`, `applied`, and where present `description`,
/// `evidence`, `table` (one object per row) and `passed`.
pub fn render_json(report: &Report) -> String {
    super::render(report, super::Format::Json)
}

/// Writes one unit as a pretty-printed JSON object whose lines after the first are indented by
/// `indent` spaces. Serialized straight from the unit (no `serde_json::Value` built per finding,
/// which was most of the cost of a report with 24,000 findings); keys in sorted order, as a
/// `serde_json` map writes them, so the bytes are those of the map form.
pub(super) fn write_unit(
    out: &mut impl Write,
    u: &Unit,
    unit_label: &str,
    strict: bool,
    indent: usize,
) -> io::Result<()> {
    let mut text = Vec::new();
    let mut s =
        serde_json::Serializer::with_formatter(&mut text, serde_json::ser::PrettyFormatter::new());
    UnitJson {
        unit: u,
        label: unit_label,
        strict,
    }
    .serialize(&mut s)
    .map_err(io::Error::from)?;
    // One write per unit (standard output is line-buffered): every line after the first
    // continued at `indent` (JSON strings hold no raw line breaks, so this is exact).
    let mut indented = Vec::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive(|&b| b == b'\n') {
        indented.extend_from_slice(line);
        if line.ends_with(b"\n") {
            indented.resize(indented.len() + indent, b' ');
        }
    }
    out.write_all(&indented)
}

struct UnitJson<'a> {
    unit: &'a Unit,
    label: &'a str,
    strict: bool,
}

/// A unit field's value, borrowed.
enum Field<'a> {
    Str(&'a str),
    Bool(bool),
    Findings(&'a [Finding]),
    Applied(&'a [&'static str]),
    Table(&'a super::Table),
}

impl Serialize for Field<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Str(v) => v.serialize(s),
            Field::Bool(v) => v.serialize(s),
            Field::Findings(v) => s.collect_seq(v.iter().map(SortedFinding)),
            Field::Applied(v) => v.serialize(s),
            Field::Table(v) => v.serialize(s),
        }
    }
}

impl Serialize for UnitJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.unit;
        let mut fields: Vec<(&str, Field<'_>)> = vec![
            (self.label, Field::Str(&u.name)),
            ("passed", Field::Bool(u.passes(self.strict))),
            ("findings", Field::Findings(&u.findings)),
            ("applied", Field::Applied(&u.applied)),
        ];
        if let Some(k) = &u.kind {
            fields.push(("kind", Field::Str(k)));
        }
        if let Some(d) = &u.description {
            fields.push(("description", Field::Str(d)));
        }
        if let Some(r) = &u.expected_failure {
            fields.push(("expected_failure", Field::Str(r)));
        }
        if let Some(e) = &u.evidence {
            fields.push(("evidence", Field::Str(e)));
        }
        if let Some(t) = &u.table {
            fields.push(("table", Field::Table(t)));
        }
        // The label (`file`, `case`) is none of the other keys.
        fields.sort_by(|a, b| a.0.cmp(b.0));
        let mut m = s.serialize_map(Some(fields.len()))?;
        for (k, v) in &fields {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A finding with its keys in sorted order (what a `serde_json::Value` of it writes).
struct SortedFinding<'a>(&'a Finding);

impl Serialize for SortedFinding<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut st = s.serialize_struct("Finding", 8)?;
        st.serialize_field("column", &f.column)?;
        st.serialize_field("element", &f.element)?;
        st.serialize_field("line", &f.line)?;
        st.serialize_field("message", &f.message)?;
        st.serialize_field("path", &f.path)?;
        if let Some(raw) = &f.raw {
            st.serialize_field("raw", raw)?;
        }
        st.serialize_field("rule", &f.rule)?;
        st.serialize_field("severity", &f.severity)?;
        st.end()
    }
}
