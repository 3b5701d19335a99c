//! Versioned JSON.

use super::{Report, JSON_VERSION};
use serde_json::{json, Map, Value};

/// Renders `{"version":1,"tool":…,"strict":…,"<unit>s":[…],"summary":{…}}`; each unit has
/// `file` (or `case`), `kind`, `findings`, `applied`, and where present `description`,
/// `evidence` and `passed`.
pub fn render_json(report: &Report) -> String {
    let units: Vec<Value> = report
        .units
        .iter()
        .map(|u| {
            let mut m = Map::new();
            m.insert(report.unit_label.to_owned(), json!(u.name));
            if let Some(k) = &u.kind {
                m.insert("kind".into(), json!(k));
            }
            if let Some(d) = &u.description {
                m.insert("description".into(), json!(d));
            }
            m.insert("passed".into(), json!(u.passes(report.strict)));
            if let Some(r) = &u.expected_failure {
                m.insert("expected_failure".into(), json!(r));
            }
            m.insert("findings".into(), json!(u.findings));
            m.insert("applied".into(), json!(u.applied));
            if let Some(e) = &u.evidence {
                m.insert("evidence".into(), json!(e));
            }
            Value::Object(m)
        })
        .collect();
    let mut top = Map::new();
    top.insert("version".into(), json!(JSON_VERSION));
    top.insert(
        "tool".into(),
        json!(format!("poxspec {}", env!("CARGO_PKG_VERSION"))),
    );
    top.insert("strict".into(), json!(report.strict));
    for (k, v) in &report.context {
        top.insert(k.clone(), json!(v));
    }
    top.insert(format!("{}s", report.unit_label), Value::Array(units));
    top.insert("summary".into(), json!(report.summary()));
    let mut s = serde_json::to_string_pretty(&Value::Object(top)).expect("JSON values serialize");
    s.push('\n');
    s
}
