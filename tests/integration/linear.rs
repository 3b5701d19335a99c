//! Cost stays linear in the input on documents a server can send: counted in units of work
//! (`poxspec::cost`), never timed. The criterion group `wide` measures the same documents.

use poxspec::generate::wide_response;
use poxspec::rules::validate_default;

/// Units of work to validate a response with `n` protocols, and its finding count.
fn cost(n: usize, one_line: bool) -> (u64, usize) {
    let doc = wide_response(n, one_line);
    let (v, units) = poxspec::cost::measure(|| validate_default(&doc));
    assert!(v.parsed.is_some(), "{n} protocols: document refused");
    (units, v.outcome.findings.len())
}

fn assert_linear(one_line: bool) {
    let (c1, f1) = cost(1_000, one_line);
    let (c4, _) = cost(4_000, one_line);
    let (c12, f12) = cost(12_000, one_line);
    // Each protocol carries findings, so path and position lookups are exercised at scale.
    assert!(f12 >= 12 * f1 - 12, "findings {f1} -> {f12}");
    // The marginal cost of a protocol is the same from 1,000 to 4,000 as from 4,000 to
    // 12,000; a quadratic stage makes the second several times the first.
    let early = (c4 - c1) as f64 / 3_000.0;
    let late = (c12 - c4) as f64 / 8_000.0;
    assert!(
        late <= early * 1.10,
        "cost per protocol grows with size: {early:.1} units (1k..4k) vs {late:.1} (4k..12k); totals {c1}, {c4}, {c12}"
    );
}

#[test]
fn validation_cost_is_linear_in_protocols_on_one_line() {
    assert_linear(true);
}

#[test]
fn validation_cost_is_linear_in_protocols_one_per_line() {
    assert_linear(false);
}

#[test]
fn wide_response_of_12000_protocols_fits_the_default_limit() {
    let doc = wide_response(12_000, true);
    assert!(doc.len() <= poxspec::xml::Limits::default().max_bytes);
    assert!(doc.len() >= 1_000_000);
}

fn population(n: usize) -> poxspec::policy::Population {
    poxspec::policy::Population {
        organization: Some(poxspec::policy::Organization::new(true)),
        authentication_policies: Default::default(),
        mailboxes: (0..n)
            .map(|i| poxspec::policy::Mailbox {
                identity: format!("user{i}").into(),
                address: Some(format!("user{i}@contoso.example").into()),
                smtp_client_authentication_disabled: [None, Some(true), Some(false)][i % 3],
                pop_enabled: None,
                imap_enabled: None,
                authentication_policy: None,
            })
            .collect(),
    }
}

/// Units of work to import `n` mailboxes written by `export` in `format`.
fn import_cost(n: usize, export: fn(&poxspec::policy::Population) -> String, file: &str) -> u64 {
    let text = export(&population(n));
    let (p, units) = poxspec::cost::measure(|| {
        poxspec::policy::import(file, &text, poxspec::policy::InputFormat::Auto, None)
    });
    assert_eq!(p.expect("export re-imports").mailboxes.len(), n);
    units
}

#[test]
fn policy_import_cost_is_linear_in_mailboxes() {
    use poxspec::policy::export;
    for (file, export) in [
        ("x.json", export::to_json as fn(&_) -> String),
        ("x.toml", export::to_toml),
        ("x.csv", export::to_csv),
        ("x.txt", export::to_format_list),
    ] {
        let small = import_cost(2_000, export, file);
        let large = import_cost(8_000, export, file);
        assert!(small >= 2_000, "{file}: the importer records its work");
        assert!(
            large <= small * 4 + small / 2,
            "{file}: {small} units for 2,000 mailboxes, {large} for 8,000"
        );
    }
}
