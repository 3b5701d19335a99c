//! Versioned JSON.

use super::{Report, Unit};
use serde_json::{json, Map, Value};

/// Renders `{"version":1,"tool":…,"strict":…,"<unit>s":[…],"summary":{…}}`; each unit has
/// `file` (or `case`), `kind`, `findings`, `applied`, and where present `description`,
/// `evidence` and `passed`.
pub fn render_json(report: &Report) -> String {
    super::render(report, super::Format::Json)
}

/// One unit as a JSON object.
pub(super) fn unit_value(u: &Unit, unit_label: &str, strict: bool) -> Value {
    let mut m = Map::new();
    m.insert(unit_label.to_owned(), json!(u.name));
    if let Some(k) = &u.kind {
        m.insert("kind".into(), json!(k));
    }
    if let Some(d) = &u.description {
        m.insert("description".into(), json!(d));
    }
    m.insert("passed".into(), json!(u.passes(strict)));
    if let Some(r) = &u.expected_failure {
        m.insert("expected_failure".into(), json!(r));
    }
    m.insert("findings".into(), json!(u.findings));
    m.insert("applied".into(), json!(u.applied));
    if let Some(e) = &u.evidence {
        m.insert("evidence".into(), json!(e));
    }
    Value::Object(m)
}
