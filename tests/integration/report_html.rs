//! The comparison report: `check --target` renders one matrix of cases × servers, and the HTML
//! page is self-contained and loads in headless Chromium without console output, showing every
//! case and opening a cell's detail.

use crate::common::{poxspec, scratch};
use poxspec::report::html::render_html;
use poxspec::report::matrix::{Cell, Column, Matrix, Row, Status};
use poxspec::server::{self, Fault, ServerOptions};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Checks two embedded servers (clean, and one with faults) through the CLI in comparison
/// mode; returns the exit code and the report.
fn compare(format: &str, name: &str) -> (i32, String, std::path::PathBuf) {
    let rt = runtime();
    let clean = rt.block_on(server::start(ServerOptions::local())).unwrap();
    let faulty = rt
        .block_on(server::start(ServerOptions {
            faults: vec![Fault::Malformed500, Fault::OnOffUppercase],
            ..ServerOptions::local()
        }))
        .unwrap();
    let dir = scratch(name);
    let file = dir.join("targets.toml");
    std::fs::write(
        &file,
        format!(
            "[target.clean]\ninsecure = true\nget_url = \"{}/autodiscover/autodiscover.xml\"\n\n\
             [target.faulty]\nurl = \"{}\"\ninsecure = true\nget_url = \"{}/autodiscover/autodiscover.xml\"\n",
            clean.http_base,
            faulty.url(),
            faulty.http_base
        ),
    )
    .unwrap();
    let out = dir.join(format!("report.{format}"));
    let (code, _, stderr) = poxspec(&[
        "check",
        "--target",
        &format!("clean={}", clean.url()),
        "--targets-file",
        file.to_str().unwrap(),
        "--fixture",
        "corpus/fixtures/reference.toml",
        "--format",
        format,
        "--output",
        out.to_str().unwrap(),
    ]);
    clean.shutdown();
    faulty.shutdown();
    let text = std::fs::read_to_string(&out).unwrap_or_else(|_| panic!("no report: {stderr}"));
    (code, text, out)
}

#[test]
fn check_compares_targets_in_one_matrix() {
    let (code, json, _) = compare("json", "compare-json");
    assert_eq!(code, 1, "the faulty server fails");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let m = &v["matrix"];
    let names: Vec<&str> = m["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clean", "faulty"]);
    assert_eq!(m["columns"][0]["passed"], true, "{}", m["columns"][0]);
    assert_eq!(m["columns"][1]["passed"], false);
    let row = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "errors/malformed/unclosed")
        .expect("the malformed case is a row");
    assert_eq!(row["cells"][0]["status"], "pass");
    assert_eq!(row["cells"][1]["status"], "fail");
    assert!(row["cells"][1]["detail"]
        .as_str()
        .unwrap()
        .contains("HTTP 500"));
}

#[test]
fn check_compare_writes_junit_with_a_suite_per_target() {
    let (code, xml, _) = compare("junit", "compare-junit");
    assert_eq!(code, 1, "the faulty server fails");
    let suites = crate::wirefuzz::junit_suites(&xml);
    let names: Vec<&str> = suites.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["clean", "faulty"]);
    let case = |suite: usize, id: &str| {
        suites[suite]
            .1
            .iter()
            .find(|(n, _)| n == id)
            .unwrap_or_else(|| panic!("{id} is a test case of {}", names[suite]))
            .1
            .clone()
    };
    assert_eq!(case(0, "errors/malformed/unclosed"), None);
    let failure = case(1, "errors/malformed/unclosed").expect("fails on the faulty server");
    assert!(failure.contains("HTTP 500"), "{failure}");
    assert!(
        suites[0].1.iter().all(|(_, f)| f.is_none()),
        "the clean server fails nothing"
    );
}

#[test]
fn html_escapes_everything_and_loads_nothing_from_outside() {
    let hostile = "</pre></section><script>alert(1)</script><img src=x onerror=alert(2)>";
    let m = Matrix {
        command: "check".into(),
        row_label: "case".into(),
        columns: vec![Column {
            name: "a\"b".into(),
            url: "https://x.example/".into(),
            summary: hostile.into(),
            passed: false,
        }],
        rows: vec![Row {
            id: hostile.into(),
            description: Some(hostile.into()),
            cells: vec![Cell {
                status: Status::Fail,
                text: hostile.into(),
                detail: hostile.into(),
            }],
        }],
    };
    let html = render_html(&m);
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("<img"));
    // No tag loads anything (escaped text holds no '<', so every '<' starts real markup).
    for tag in html
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
    {
        // Attribute values are escaped text: look only at what is outside the quotes.
        let tag: String = tag.split('"').step_by(2).collect();
        for attr in ["src=", "href=", "srcset="] {
            assert!(!tag.contains(attr), "<{tag}>");
        }
        assert!(
            !tag.starts_with("link") && !tag.starts_with("iframe"),
            "<{tag}>"
        );
    }
    assert!(!html.contains("@import") && !html.contains("url("));
}

/// `chromium` on PATH, or `POXSPEC_CHROMIUM`.
fn chromium() -> Option<String> {
    if let Ok(c) = std::env::var("POXSPEC_CHROMIUM") {
        return Some(c);
    }
    ["chromium", "chromium-browser"].into_iter().find_map(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| c.to_owned())
    })
}

#[test]
fn html_report_loads_in_headless_chromium_and_shows_every_case() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED html_report_loads_in_headless_chromium_and_shows_every_case: no chromium on PATH (.ci/run installs Debian's chromium)");
        return;
    };
    let (code, html, file) = compare("html", "compare-html");
    assert_eq!(code, 1);
    let rows: Vec<String> = html
        .split("<tr data-id=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect();
    assert!(rows.len() >= 10, "{rows:?}");
    let profile = scratch("compare-html-profile");
    let url = format!("file://{}#d-2-1", file.display());
    let out = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            &format!("--user-data-dir={}", profile.display()),
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            &url,
        ])
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console output: {console:?}");
    assert!(
        dom.contains("data-ready=\"1\""),
        "the script ran to its end"
    );
    for id in &rows {
        assert!(dom.contains(&format!("data-id=\"{id}\"")), "{id} is shown");
    }
    // The fragment opened one cell's detail, as a click does; the others stay hidden.
    assert!(dom.contains("<section id=\"d-2-1\">"), "detail opened");
    assert!(dom.contains("<section id=\"d-2-0\" hidden"));
}
