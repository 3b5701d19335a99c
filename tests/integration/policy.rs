//! SMTP AUTH policy: resolution truth table, importers over every fixture and bad input,
//! properties, and the consistency rules against the policy corpus.

use crate::common::*;
use poxspec::policy::{
    self, export, import, resolve, resolve_with, DecidedBy, InputFormat, Organization,
    PolicyInEffect, SmtpAuth,
};
use poxspec::rules::{self, Severity};
use poxspec::strategy;
use proptest::prelude::*;
use std::path::Path;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn set_value(file: &Path) -> Option<Option<bool>> {
    let n = name(file);
    if n.contains(".set-true.") {
        Some(Some(true))
    } else if n.contains(".set-false.") {
        Some(Some(false))
    } else if n.contains(".set-null.") {
        Some(None)
    } else {
        None
    }
}

fn load(file: &Path) -> Result<policy::Population, policy::ImportError> {
    let text = std::fs::read_to_string(file).unwrap();
    let shown = file
        .strip_prefix(root())
        .unwrap_or(file)
        .display()
        .to_string();
    import(&shown, &text, InputFormat::Auto, set_value(file))
}

#[test]
fn truth_table() {
    let mut rows = Vec::new();
    for org in [true, false] {
        for mb in [Some(true), Some(false), None] {
            let r = resolve(&Organization::new(org), mb);
            rows.push(format!(
                "org_disabled={org:<5} mailbox={:<5} -> effective={:<15} decided_by={}",
                format!("{mb:?}").replace("Some(", "").replace(')', ""),
                r.state.as_str(),
                r.decided_by.as_str()
            ));
        }
    }
    for (sd, basic) in [
        (Some(true), None),
        (None, Some(false)),
        (Some(false), Some(true)),
    ] {
        let org = Organization {
            smtp_client_authentication_disabled: false,
            security_defaults_enabled: sd,
            allow_basic_auth_smtp: basic,
        };
        let r = resolve(&org, Some(false));
        rows.push(format!("org_disabled=false security_defaults={sd:?} allow_basic_auth_smtp={basic:?} mailbox=false -> effective={} decided_by={}", r.state.as_str(), r.decided_by.as_str()));
    }
    // Authentication policies: the user's wins over the organisation default; neither turns
    // SMTP AUTH off, and neither matters where SMTP AUTH is off.
    let user = |allow| PolicyInEffect {
        level: DecidedBy::UserAuthenticationPolicy,
        allow_basic_auth_smtp: allow,
    };
    let default = |allow| PolicyInEffect {
        level: DecidedBy::DefaultAuthenticationPolicy,
        allow_basic_auth_smtp: allow,
    };
    for (sd, mb, policy, label) in [
        (
            None,
            Some(false),
            Some(user(false)),
            "user policy blocks Basic",
        ),
        (
            None,
            Some(false),
            Some(user(true)),
            "user policy allows Basic",
        ),
        (
            None,
            None,
            Some(default(false)),
            "default policy blocks Basic",
        ),
        (
            None,
            None,
            Some(default(true)),
            "default policy allows Basic",
        ),
        (
            None,
            Some(true),
            Some(user(false)),
            "user policy blocks Basic",
        ),
        (
            Some(true),
            Some(false),
            Some(user(true)),
            "user policy allows Basic",
        ),
    ] {
        let org = Organization {
            smtp_client_authentication_disabled: false,
            security_defaults_enabled: sd,
            allow_basic_auth_smtp: None,
        };
        let r = resolve_with(&org, mb, policy);
        rows.push(format!(
            "org_disabled=false security_defaults={sd:?} mailbox={mb:?} {label} -> effective={} decided_by={}",
            r.state.as_str(),
            r.decided_by.as_str()
        ));
    }
    settings().bind(|| insta::assert_snapshot!("policy_truth_table", rows.join("\n")));
}

#[test]
fn fixtures_resolve_and_every_format_agrees() {
    let mut files: Vec<_> = std::fs::read_dir(root().join("corpus/policy"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 6);
    // Rows borrow their population, so every population outlives the loop.
    let populations: Vec<_> = files
        .iter()
        .map(|f| load(f).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let mut reference: Option<Vec<policy::ResolvedMailbox>> = None;
    for (f, p) in files.iter().zip(&populations) {
        let org = p.organization.unwrap_or(Organization::new(true));
        let rows = policy::resolve_all(&org, p);
        settings()
            .bind(|| insta::assert_json_snapshot!(format!("policy_resolve@{}", name(f)), rows));
        let n = name(f);
        if [
            "fixture.toml",
            "get-casmailbox.json",
            "export.csv",
            "format-list.txt",
        ]
        .contains(&n.as_str())
        {
            match &reference {
                None => reference = Some(rows),
                Some(r) => assert_eq!(r, &rows, "{n} resolves differently from the other formats"),
            }
        }
    }
}

#[test]
fn bad_inputs_fail_with_a_located_error() {
    let mut files: Vec<_> = std::fs::read_dir(root().join("corpus/policy/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    let mut lines = Vec::new();
    for f in &files {
        let err = match load(f) {
            Ok(p) => panic!("{} imported: {p:?}", name(f)),
            Err(e) => e,
        };
        assert!(
            err.to_string()
                .starts_with(&format!("corpus/policy/bad/{}:", name(f))),
            "{err}"
        );
        if !name(f).starts_with("empty") && !name(f).starts_with("header-only") {
            assert!(err.line.is_some(), "{err} names no line");
        }
        lines.push(err.to_string());
    }
    settings().bind(|| insta::assert_snapshot!("policy_bad_inputs", lines.join("\n")));
}

#[test]
fn missing_property_is_unknown_never_null() {
    let err = import("x.json", r#"{"Identity":"a"}"#, InputFormat::Auto, None).unwrap_err();
    assert!(matches!(
        err.kind,
        policy::ImportErrorKind::MissingField { .. }
    ));
    let err = import("x.csv", "Identity\na\n", InputFormat::Auto, None).unwrap_err();
    assert!(matches!(
        err.kind,
        policy::ImportErrorKind::MissingField { .. }
    ));
}

#[test]
fn identity_list_needs_the_value_being_applied() {
    let err = import("ids.txt", "a@contoso.com\n", InputFormat::Identities, None).unwrap_err();
    assert!(err.to_string().contains("--set"), "{err}");
    let p = import(
        "ids.txt",
        "a@contoso.com\n\n# comment\nb@contoso.com\n",
        InputFormat::Auto,
        Some(None),
    )
    .unwrap();
    assert_eq!(p.mailboxes.len(), 2);
    assert!(p
        .mailboxes
        .iter()
        .all(|m| m.smtp_client_authentication_disabled.is_none()));
}

proptest! {
    #![proptest_config(proptest_config(2_000))]

    #[test]
    fn null_mailboxes_follow_the_organisation(org in strategy::organization()) {
        let r = resolve(&org, None);
        prop_assert_eq!(r.effective_disabled, r.state == SmtpAuth::Disabled);
        if org.security_defaults_enabled == Some(true) {
            prop_assert_eq!(r.state, SmtpAuth::Disabled);
            prop_assert_eq!(r.decided_by, DecidedBy::SecurityDefaults);
        } else if org.smtp_client_authentication_disabled {
            prop_assert_eq!(r.state, SmtpAuth::Disabled);
            prop_assert_eq!(r.decided_by, DecidedBy::Organization);
        } else if org.allow_basic_auth_smtp == Some(false) {
            // A policy blocking Basic leaves SMTP AUTH on for OAuth clients.
            prop_assert_eq!(r.state, SmtpAuth::OAuthOnly);
            prop_assert_eq!(r.decided_by, DecidedBy::DefaultAuthenticationPolicy);
        } else {
            prop_assert_eq!(r.state, SmtpAuth::BasicAndOAuth);
        }
    }

    /// Authentication policies never change whether SMTP AUTH is off, only its flavour; with
    /// no policy anywhere the result is what it was before policies were modelled.
    #[test]
    fn policies_only_choose_the_flavour(p in strategy::policy_population(30, true)) {
        let org = p.organization.unwrap();
        let bare = Organization { allow_basic_auth_smtp: None, ..org };
        let rows = policy::resolve_all(&org, &p);
        for (row, m) in rows.iter().zip(&p.mailboxes) {
            let without = resolve(&bare, m.smtp_client_authentication_disabled);
            prop_assert_eq!(row.effective == SmtpAuth::Disabled, without.state == SmtpAuth::Disabled);
            if row.effective == SmtpAuth::Disabled {
                prop_assert_eq!(row.decided_by, without.decided_by);
            }
            if row.authentication_policy.is_none() && org.allow_basic_auth_smtp.is_none() {
                prop_assert_eq!(row.effective, without.state);
                prop_assert_eq!(row.decided_by, without.decided_by);
            }
            if let (Some(own), true) = (&m.authentication_policy, row.effective != SmtpAuth::Disabled) {
                // The user's assignment wins over the default.
                prop_assert_eq!(row.decided_by, DecidedBy::UserAuthenticationPolicy);
                prop_assert!(row.authentication_policy.unwrap().eq_ignore_ascii_case(own));
            }
        }
    }

    #[test]
    fn a_set_mailbox_decides_whatever_the_organisation(org_disabled in any::<bool>(), mb in any::<bool>()) {
        let r = resolve(&Organization::new(org_disabled), Some(mb));
        prop_assert_eq!(r.effective_disabled, mb);
        prop_assert_eq!(r.decided_by, DecidedBy::Mailbox);
    }

    #[test]
    fn flipping_the_organisation_changes_exactly_the_null_rows(p in strategy::policy_population(40, false), org in any::<bool>()) {
        let a = policy::resolve_all(&Organization::new(org), &p);
        let b = policy::resolve_all(&Organization::new(!org), &p);
        for ((x, y), m) in a.iter().zip(&b).zip(&p.mailboxes) {
            prop_assert_eq!(x.effective_disabled != y.effective_disabled, m.smtp_client_authentication_disabled.is_none());
        }
    }

    #[test]
    fn export_then_import_is_the_identity(p in strategy::policy_population(20, false), t in strategy::policy_population(20, true)) {
        for (file, text) in [("x.json", export::to_json(&p)), ("x.csv", export::to_csv(&p)), ("x.txt", export::to_format_list(&p))] {
            let back = import(file, &text, InputFormat::Auto, None).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(&back, &p, "{}", text);
        }
        let text = export::to_toml(&t);
        let back = import("x.toml", &text, InputFormat::Auto, None).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, t);
    }

    /// The mailbox exports carry each user's assignment (`AuthenticationPolicy`) through export
    /// and import, in every spelling the strategy gives it.
    #[test]
    fn assignments_survive_every_mailbox_export(t in strategy::policy_population(20, true)) {
        let bare = policy::Population::new(None, t.mailboxes.clone());
        for (file, text) in [("x.json", export::to_json(&bare)), ("x.csv", export::to_csv(&bare)), ("x.txt", export::to_format_list(&bare))] {
            let back = import(file, &text, InputFormat::Auto, None).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(&back.mailboxes, &t.mailboxes, "{}", text);
        }
    }

    /// Guards the strategy's promise of unique identities ("d1"+"0" and "d"+"10" once collided,
    /// found by a random-seed run; the seed is in tests/proptest-regressions/policy.txt).
    #[test]
    fn population_identities_are_unique(p in strategy::policy_population(40, false)) {
        let mut ids: Vec<String> = p.mailboxes.iter().map(|m| m.identity.to_lowercase()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        prop_assert_eq!(ids.len(), n);
    }

    #[test]
    fn identity_lists_round_trip(p in strategy::policy_population(20, false), set in proptest::option::of(any::<bool>())) {
        // An identity list carries identities only, every mailbox getting the value applied.
        let text: String = p.mailboxes.iter().map(|m| format!("{}\n", m.identity)).collect();
        let back = import("ids.txt", &text, InputFormat::Identities, Some(set)).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back.mailboxes.len(), p.mailboxes.len());
        for (b, m) in back.mailboxes.iter().zip(&p.mailboxes) {
            prop_assert_eq!(&b.identity, &m.identity);
            prop_assert_eq!(b.smtp_client_authentication_disabled, set);
        }
    }
}

/// `<!-- policy: FIXTURE MAILBOX -->` in a policy corpus document.
fn policy_of(text: &str) -> (String, String) {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("<!-- policy: "))
        .expect("policy comment");
    let mut parts = line.trim_end_matches(" -->").split(' ');
    (
        parts.next().unwrap().to_owned(),
        parts.next().unwrap().to_owned(),
    )
}

#[test]
fn consistency_rules_against_the_policy_corpus() {
    let mut files: Vec<_> = std::fs::read_dir(root().join("corpus/policy"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let mut fired = std::collections::BTreeSet::new();
    let mut passed = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let (fixture, who) = policy_of(&text);
        let pop = load(&root().join("corpus/policy").join(&fixture)).unwrap();
        let org = pop.organization.unwrap();
        // Resolved with the population's authentication policies (the user's, else the
        // organisation default), as `validate --policy` does.
        let context = poxspec::validate::PolicyContext::of(org, &pop, &who).unwrap();
        let parsed = poxspec::parse(&bytes).unwrap();
        let mut outcome = rules::validate(&parsed);
        outcome.merge(context.check(&parsed));
        let n = name(f);
        let errors = outcome.count(Severity::Error);
        if n.starts_with("y_") && errors > 0 || n.starts_with("n_") && errors == 0 {
            problems.push(format!("{n}: {:?}", outcome.findings));
        }
        for (rule, path) in expectations(&bytes) {
            if !outcome
                .findings
                .iter()
                .any(|x| x.rule == rule && path.as_ref().is_none_or(|p| &x.path == p))
            {
                problems.push(format!("{n}: expected {rule} at {path:?}"));
            }
        }
        for x in &outcome.findings {
            fired.insert(x.rule);
        }
        for id in &outcome.applied {
            if outcome.of(id).next().is_none() {
                passed.insert(*id);
            }
        }
        settings().bind(|| {
            insta::assert_json_snapshot!(format!("policy_findings@{n}"), outcome.findings)
        });
    }
    for r in rules::ALL
        .iter()
        .filter(|r| r.scope == rules::Scope::Policy)
    {
        if !fired.contains(r.id) {
            problems.push(format!("{}: no policy corpus document triggers it", r.id));
        }
        if !passed.contains(r.id) {
            problems.push(format!("{}: no policy corpus document passes it", r.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[cfg(feature = "cli")]
#[test]
fn cli_policy_resolve_json_shape() {
    let (code, out, err) = poxspec(&[
        "policy",
        "resolve",
        "--org-disabled",
        "true",
        "--format",
        "json",
        "corpus/policy/export.csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v["mailboxes"][1];
    assert_eq!(first["address"], "dana@contoso.com");
    assert_eq!(first["identity"], "dana");
    assert_eq!(first["mailbox_setting"], serde_json::Value::Null);
    assert_eq!(first["organization_disabled"], true);
    assert_eq!(first["effective_disabled"], true);
    assert_eq!(first["decided_by"], "organization");
    let (code, _, err) = poxspec(&["policy", "resolve", "corpus/policy/export.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("--org-disabled"), "{err}");
    let (code, _, err) = poxspec(&[
        "policy",
        "resolve",
        "--org-disabled",
        "false",
        "corpus/policy/bad/value-yes.csv",
    ]);
    assert_eq!(code, 2);
    assert_eq!(err.trim(), "corpus/policy/bad/value-yes.csv:3:6: SmtpClientAuthenticationDisabled value \"yes\" is not True, False or empty ($null)");
}

#[cfg(feature = "cli")]
#[test]
fn cli_policy_audit_answers_the_three_questions() {
    let (code, out, _) = poxspec(&["policy", "audit", "--json", "corpus/policy/fixture.toml"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["disabled"], serde_json::json!(["scanner@contoso.com"]));
    assert_eq!(v["enabled"], serde_json::json!(["chris@contoso.com"]));
    assert_eq!(
        v["following_organization"],
        serde_json::json!(["dana@contoso.com"])
    );
}

#[cfg(feature = "cli")]
#[test]
fn cli_validate_with_policy() {
    let (code, out, _) = poxspec(&[
        "validate",
        "--format",
        "json",
        "--policy",
        "corpus/policy/fixture.toml",
        "--email",
        "dana@contoso.com",
        "corpus/y_response_settings_pop3_imap_smtp.xml",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("POX-POL-001"));
    let (code, _, _) = poxspec(&[
        "validate",
        "--policy",
        "corpus/policy/fixture.toml",
        "--email",
        "chris@contoso.com",
        "corpus/y_response_settings_pop3_imap_smtp.xml",
    ]);
    assert_eq!(code, 0);
    let (code, _, err) = poxspec(&[
        "validate",
        "--policy",
        "corpus/policy/fixture.toml",
        "--email",
        "nobody@contoso.com",
        "corpus/y_response_settings_pop3_imap_smtp.xml",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no mailbox"), "{err}");
}

/// The load options for `export.csv` with the tenant exports as `ext` (`csv` or `json`).
fn tenant_options(ext: &str) -> policy::LoadOptions {
    let t = |n: &str| Some(format!("corpus/policy/tenant/{n}.{ext}").into());
    policy::LoadOptions {
        org_disabled: Some(false),
        auth_policies: t("get-authenticationpolicy"),
        org_config: t("get-organizationconfig"),
        users: t("get-user"),
        ..Default::default()
    }
}

#[test]
fn authentication_policies_from_the_tenant_exports() {
    let mailboxes = root().join("corpus/policy/export.csv");
    let mut shapes = Vec::new();
    for ext in ["csv", "json"] {
        let (org, p) = policy::load_file(&mailboxes, &tenant_options(ext))
            .unwrap_or_else(|e| panic!("{ext}: {e}"));
        let rows: Vec<String> = policy::resolve_all(&org, &p)
            .iter()
            .map(|r| {
                format!(
                    "{} {} {:?} {}",
                    r.identity,
                    r.effective.as_str(),
                    r.authentication_policy,
                    r.decided_by.as_str()
                )
            })
            .collect();
        shapes.push(rows);
    }
    assert_eq!(shapes[0], shapes[1], "CSV and JSON exports resolve alike");
    assert_eq!(
        shapes[0],
        [
            // The user's own policy (named in another case) allows Basic.
            "chris basic_and_oauth Some(\"Allow Basic SMTP\") user_authentication_policy",
            // No policy of her own: the organisation default blocks Basic.
            "dana oauth_only Some(\"Block Basic Auth\") default_authentication_policy",
            // Disabled on the mailbox: the policy does not matter.
            "scanner disabled Some(\"Allow Basic SMTP\") mailbox",
        ]
    );
    // The same mailboxes without the tenant exports resolve as before policies existed.
    let (org, p) = policy::load_file(
        &mailboxes,
        &policy::LoadOptions {
            org_disabled: Some(false),
            ..Default::default()
        },
    )
    .unwrap();
    let bare: Vec<SmtpAuth> = policy::resolve_all(&org, &p)
        .iter()
        .map(|r| r.effective)
        .collect();
    assert_eq!(
        bare,
        [
            SmtpAuth::BasicAndOAuth,
            SmtpAuth::BasicAndOAuth,
            SmtpAuth::Disabled
        ]
    );
}

#[test]
fn bad_tenant_exports_fail_with_a_located_error() {
    let mut files: Vec<_> = std::fs::read_dir(root().join("corpus/policy/tenant/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 8);
    let mut lines = Vec::new();
    for f in &files {
        let n = name(f);
        let shown = Some(f.strip_prefix(root()).unwrap().to_owned());
        let mut options = tenant_options("json");
        let mut mailboxes = root().join("corpus/policy/export.csv");
        match n.split('-').next().unwrap() {
            "user" => options.users = shown,
            "authpolicy" => options.auth_policies = shown,
            "orgconfig" => options.org_config = shown,
            "casmailbox" => {
                options.users = None;
                mailboxes = f.clone();
            }
            other => panic!("{n}: no slot for {other}"),
        }
        // Paths relative to the package root (cargo runs tests there), so that messages name
        // the files as a user would.
        let text = std::fs::read_to_string(&mailboxes).unwrap();
        let shown_mailboxes = mailboxes.strip_prefix(root()).unwrap().to_owned();
        let err = match policy::load_text(&shown_mailboxes, &text, &options) {
            Ok(_) => panic!("{n} loaded"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(&n), "{n}: the error names another file: {err}");
        if !n.contains("missing-mailbox") {
            assert!(
                err.contains(&format!("{n}:"))
                    && err
                        .split(':')
                        .nth(1)
                        .is_some_and(|l| l.parse::<usize>().is_ok()),
                "{n}: no line in {err}"
            );
        }
        lines.push(err);
    }
    settings().bind(|| insta::assert_snapshot!("policy_bad_tenant_exports", lines.join("\n")));
}

/// Every policy fuzz property (the `policy_*` targets: one per mailbox-export format and the
/// tenant exports') on every policy input the corpus holds, the tenant exports and their bad
/// forms included: what the fuzzers start from holds on stable.
#[test]
fn policy_fuzz_properties_hold_on_the_corpus() {
    let checks: Vec<_> = poxspec::fuzzing::TARGETS
        .iter()
        .filter(|(name, _)| name.starts_with("policy_"))
        .collect();
    assert_eq!(checks.len(), 5, "four formats and the tenant exports");
    let mut n = 0;
    for dir in [
        "corpus/policy",
        "corpus/policy/bad",
        "corpus/policy/tenant",
        "corpus/policy/tenant/bad",
    ] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                let bytes = std::fs::read(&p).unwrap();
                for (_, check) in &checks {
                    check(&bytes);
                }
                n += 1;
            }
        }
    }
    assert!(n >= 40, "{n} inputs");
}

#[cfg(feature = "cli")]
#[test]
fn cli_policy_with_the_tenant_exports() {
    let (code, out, err) = poxspec(&[
        "policy",
        "resolve",
        "--org-disabled",
        "false",
        "--format",
        "csv",
        "--auth-policies",
        "corpus/policy/tenant/get-authenticationpolicy.csv",
        "--org-config",
        "corpus/policy/tenant/get-organizationconfig.json",
        "--users",
        "corpus/policy/tenant/get-user.csv",
        "corpus/policy/export.csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "address,identity,mailbox_setting,organization_disabled,authentication_policy,effective,effective_disabled,decided_by");
    assert_eq!(lines[2], "dana@contoso.com,dana,null,false,Block Basic Auth,oauth_only,false,default_authentication_policy");
    let (code, out, _) = poxspec(&[
        "policy",
        "resolve",
        "corpus/policy/fixture-auth-policies.toml",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.lines().any(|l| l.starts_with("erin@contoso.com")
            && l.contains("oauth_only")
            && l.contains("Block Basic Auth")),
        "{out}"
    );
    let (code, out, _) = poxspec(&[
        "policy",
        "audit",
        "--json",
        "corpus/policy/fixture-auth-policies.toml",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["effective"]["oauth_only"],
        serde_json::json!(["erin@contoso.com"])
    );
    assert_eq!(
        v["effective"]["basic_and_oauth"],
        serde_json::json!(["app@contoso.com"])
    );
    assert_eq!(
        v["effective"]["disabled"],
        serde_json::json!(["printer@contoso.com"])
    );
    // An unknown name in the users' export is refused where it is written.
    let (code, _, err) = poxspec(&[
        "policy",
        "resolve",
        "--org-disabled",
        "false",
        "--auth-policies",
        "corpus/policy/tenant/get-authenticationpolicy.json",
        "--users",
        "corpus/policy/tenant/bad/user-unknown-policy.csv",
        "corpus/policy/export.csv",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("corpus/policy/tenant/bad/user-unknown-policy.csv:3:8: authentication policy \"Legacy Printers\""),
        "{err}"
    );
    // validate --policy judges with the user's policy: OAuth only is information, not an error.
    let (code, out, _) = poxspec(&[
        "validate",
        "--format",
        "json",
        "--policy",
        "corpus/policy/fixture-auth-policies.toml",
        "--email",
        "erin@contoso.com",
        "corpus/policy/y_info_smtp_for_oauth_only_mailbox.xml",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("POX-POL-004"), "{out}");
}

/// Guards the importer against a JSON record that lacks a required key when the first record
/// has it (CSV columns are checked once in the header, JSON objects each carry their own
/// keys): the policy_import fuzz target found this input panicking.
#[test]
fn tenant_json_record_missing_a_required_key_is_an_error_not_a_panic() {
    let dir = std::env::temp_dir().join(format!("poxspec-tenant-missing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policies = dir.join("get-authenticationpolicy.json");
    std::fs::write(
        &policies,
        "[\n    { \"Name\": \"Block Basic Auth\", \"AllowBasicAuthSmtp\": false },\n    { \"Name\": \"block basic auth\", \"AllowBasiPOP3cAuthSmtp\": true }\n]\n",
    )
    .unwrap();
    let options = policy::LoadOptions {
        org_disabled: Some(false),
        auth_policies: Some(policies.clone()),
        ..Default::default()
    };
    let e = policy::load_file(&root().join("corpus/policy/export.csv"), &options)
        .expect_err("the second policy has no AllowBasicAuthSmtp");
    let text = e.to_string();
    assert!(text.contains("get-authenticationpolicy.json:3"), "{text}");
    assert!(text.contains("AllowBasicAuthSmtp"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Identities compare by Unicode lower case whatever path the importer's hash takes (ASCII
/// lower-cased in place, or characters folded one by one): a later row naming the same
/// mailbox in another case, or with a character whose lower case is ASCII (the Kelvin sign
/// folds to `k`), is the same mailbox, so a different value is a conflict at its line.
#[test]
fn identities_fold_alike_on_the_ascii_and_unicode_paths() {
    let head = "\"Identity\",\"SmtpClientAuthenticationDisabled\"\r\n";
    for (first, second) in [
        ("kelvin", "\u{212A}ELVIN"),
        ("\u{212A}elvin", "KELVIN"),
        ("Grüße", "GRÜSSE"),
        ("müller", "MÜLLER"),
        (
            "a-very-long-identity-that-spans-more-than-one-sixty-four-byte-chunk-of-the-hash",
            "A-VERY-LONG-IDENTITY-THAT-SPANS-MORE-THAN-ONE-SIXTY-FOUR-BYTE-CHUNK-OF-THE-HASH",
        ),
    ] {
        let text = format!("{head}\"{first}\",\"True\"\r\n\"{second}\",\"False\"\r\n");
        let same = first
            .chars()
            .flat_map(char::to_lowercase)
            .eq(second.chars().flat_map(char::to_lowercase));
        match import("x.csv", &text, InputFormat::Csv, None) {
            Err(e) => {
                assert!(same, "{first} / {second}: {e}");
                assert_eq!(e.line, Some(3), "{e}");
            }
            Ok(p) => {
                assert!(!same, "{first} / {second} should conflict");
                assert_eq!(p.mailboxes.len(), 2);
            }
        }
    }
}

/// Export-Csv writes CRLF. The csv reader's own line numbers fall one short after every CRLF
/// record (BurntSushi/rust-csv#395); errors must still name the physical line and column.
#[test]
fn crlf_exports_are_located_on_the_right_line_and_column() {
    for nl in ["\r\n", "\n"] {
        let text = [
            "#TYPE Microsoft.Exchange.Data.Directory.Management.CASMailbox",
            "\"Identity\",\"SmtpClientAuthenticationDisabled\"",
            "\"a\",\"True\"",
            "\"b\",\"False\"",
            "",
            "\"c\",\"Maybe\"",
        ]
        .join(nl);
        let e = import("x.csv", &text, InputFormat::Csv, None).unwrap_err();
        assert_eq!((e.line, e.column), (Some(6), Some(5)), "{nl:?}: {e}");
        let text = [
            "\"Identity\",\"SmtpClientAuthenticationDisabled\",\"AuthenticationPolicy\"",
            "\"a\",\"True\",\"\"",
            "\"b\",\"False\",\"No Such Policy\"",
        ]
        .join(nl);
        let options = policy::LoadOptions {
            org_disabled: Some(false),
            format: InputFormat::Csv,
            ..Default::default()
        };
        let e = policy::load_text(Path::new("x.csv"), &text, &options).unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains("x.csv:3:13"), "{nl:?}: {shown}");
    }
}
