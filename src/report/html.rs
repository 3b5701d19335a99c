//! The comparison matrix as one self-contained HTML page: inline style and script, no
//! external assets, so it can be attached to a CI run and opened anywhere. The table is
//! rendered here (the page reads without script); the script only shows a cell's detail on
//! click (or Enter), filters rows, and opens the cell named in the URL's fragment.

use super::matrix::{Matrix, Status};
use std::fmt::Write;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}
header{padding:12px 16px;border-bottom:1px solid #ddd}
h1{font-size:18px;margin:0 0 6px}
ul.targets{margin:4px 0;padding-left:18px}
.controls{margin-top:8px}
main{display:flex;gap:12px;padding:12px 16px;align-items:flex-start}
.wrap{overflow:auto;max-height:85vh;flex:1 1 auto}
table{border-collapse:collapse}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
thead th{position:sticky;top:0;background:#f4f4f4}
th.row{font-family:ui-monospace,monospace;font-weight:normal;white-space:nowrap}
td.cell{cursor:pointer;font-family:ui-monospace,monospace;font-size:12px;min-width:64px}
td.cell:focus,td.cell.selected{outline:2px solid #0b57d0}
.pass{background:#e6f4ea}.warn{background:#fff4d6}.fail{background:#fce8e6}.absent{background:#f1f1f1;color:#777}
#panel{flex:0 0 40%;max-height:85vh;overflow:auto;border:1px solid #ddd;padding:8px 12px}
#panel pre{white-space:pre-wrap;word-break:break-word;font-size:12px}
.ok{color:#137333}.bad{color:#a50e0e}
"#;

const SCRIPT: &str = r#"
(function () {
  var current = null, selected = null;
  function show(id) {
    var d = document.getElementById(id);
    if (!d) { return; }
    if (current) { current.hidden = true; }
    if (selected) { selected.classList.remove('selected'); }
    d.hidden = false;
    current = d;
    selected = document.querySelector('td[data-detail="' + id + '"]');
    if (selected) { selected.classList.add('selected'); }
    document.getElementById('hint').hidden = true;
  }
  var cells = document.querySelectorAll('td.cell');
  for (var i = 0; i < cells.length; i++) {
    (function (td) {
      td.addEventListener('click', function () { show(td.getAttribute('data-detail')); });
      td.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); show(td.getAttribute('data-detail')); }
      });
    })(cells[i]);
  }
  var filter = document.getElementById('filter');
  var failing = document.getElementById('failing');
  function apply() {
    var q = filter.value.toLowerCase();
    var rows = document.querySelectorAll('tbody tr');
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var match = r.getAttribute('data-id').toLowerCase().indexOf(q) >= 0;
      var bad = r.getAttribute('data-failing') === '1';
      r.hidden = !match || (failing.checked && !bad);
    }
  }
  filter.addEventListener('input', apply);
  failing.addEventListener('change', apply);
  if (location.hash.length > 1) { show(decodeURIComponent(location.hash.slice(1))); }
  document.body.setAttribute('data-ready', '1');
})();
"#;

fn class(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
        Status::Absent => "absent",
    }
}

/// The page.
pub fn render_html(m: &Matrix) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("poxspec {}: {} targets", m.command, m.columns.len());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <meta name=\"viewport\" content=\"width=device-width\"><style>{STYLE}</style></head>\n<body>\n<header><h1>{}</h1><ul class=\"targets\">",
        escape(&title),
        escape(&title)
    );
    for c in &m.columns {
        let _ = write!(
            out,
            "<li><b>{}</b> <code>{}</code>: <span class=\"{}\">{}</span></li>",
            escape(&c.name),
            escape(&c.url),
            if c.passed { "ok" } else { "bad" },
            escape(&c.summary)
        );
    }
    let _ = write!(
        out,
        "</ul><div class=\"controls\"><label>Filter {0}s <input id=\"filter\" type=\"search\"></label> \
         <label><input id=\"failing\" type=\"checkbox\"> only rows that fail somewhere</label> \
         ({1} {0}s)</div></header>\n<main><div class=\"wrap\"><table><thead><tr><th>{0}</th>",
        escape(&m.row_label),
        m.rows.len()
    );
    for c in &m.columns {
        let _ = write!(out, "<th>{}</th>", escape(&c.name));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (i, r) in m.rows.iter().enumerate() {
        let failing = r.cells.iter().any(|c| c.status == Status::Fail);
        let _ = write!(
            out,
            "<tr data-id=\"{}\" data-failing=\"{}\"><th class=\"row\" title=\"{}\">{}</th>",
            escape(&r.id),
            u8::from(failing),
            escape(r.description.as_deref().unwrap_or("")),
            escape(&r.id)
        );
        for (j, c) in r.cells.iter().enumerate() {
            let _ = write!(
                out,
                "<td class=\"cell {}\" tabindex=\"0\" data-detail=\"d-{i}-{j}\">{}{}</td>",
                class(c.status),
                c.status.mark(),
                if c.text.is_empty() {
                    String::new()
                } else {
                    format!("<br>{}", escape(&c.text))
                }
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str(
        "</tbody></table></div>\n<aside id=\"panel\"><p id=\"hint\">Click a cell to see its detail.</p>\n",
    );
    for (i, r) in m.rows.iter().enumerate() {
        for (j, c) in r.cells.iter().enumerate() {
            let col = &m.columns[j];
            let _ = writeln!(
                out,
                "<section id=\"d-{i}-{j}\" hidden><h2>{} on {}</h2><p class=\"{}\">{}{}</p><pre>{}</pre></section>",
                escape(&r.id),
                escape(&col.name),
                class(c.status),
                c.status.mark(),
                if c.text.is_empty() {
                    String::new()
                } else {
                    format!(": {}", escape(&c.text))
                },
                escape(&c.detail)
            );
        }
    }
    let _ = write!(
        out,
        "</aside></main>\n<script>{SCRIPT}</script>\n</body></html>\n"
    );
    out
}
