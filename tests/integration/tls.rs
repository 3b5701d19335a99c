//! TLS problems are findings (exit 1 with evidence), not "unreachable" (exit 2); `--ca-file`
//! trusts a private CA; `--connect-to` and `--resolve` reach a server by its name on loopback
//! while the certificate is checked against the URL's host. Certificates are made here with
//! rcgen and presented by the reference server on loopback.

use crate::common::{poxspec_env, scratch};
use poxspec::fixture::Fixture;
use poxspec::server::{self, Identity, ServerOptions};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use std::path::PathBuf;

const LOGIN: (&str, &str) = ("chris@contoso.com", "Kennwort-Grüße-2026");

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A CA made for one test: its certificate (DER and PEM) and a way to sign leaves.
struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    der: Vec<u8>,
    pem: String,
}

fn test_ca(name: &str) -> TestCa {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    TestCa {
        der: cert.der().to_vec(),
        pem: cert.pem(),
        params,
        key,
    }
}

/// A leaf for `names` signed by `ca`, valid from `from` to `to` (years), and the identity the
/// server presents.
fn leaf(ca: &TestCa, names: &[&str], from: i32, to: i32) -> Identity {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params.not_before = rcgen::date_time_ymd(from, 1, 1);
    params.not_after = rcgen::date_time_ymd(to, 1, 1);
    let key = KeyPair::generate().unwrap();
    let cert = params
        .signed_by(&key, &Issuer::from_params(&ca.params, &ca.key))
        .unwrap();
    Identity {
        chain: vec![cert.der().to_vec()],
        key_pkcs8: key.serialize_der(),
        ca_der: ca.der.clone(),
    }
}

fn write_pem(dir: &std::path::Path, name: &str, pem: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, pem).unwrap();
    p
}

/// Starts the reference server presenting `identity` (virtual host `vhost` when given), runs
/// `poxspec check` with `args` (the URL is made by `url(https_port, http_port)`), stops it.
fn check_against(
    identity: Identity,
    vhost: Option<&str>,
    url: impl Fn(u16, u16) -> String,
    args: &[&str],
) -> (i32, serde_json::Value, String) {
    let rt = runtime();
    let s = rt
        .block_on(server::start(ServerOptions {
            identity: Some(identity),
            virtual_host: vhost.map(str::to_owned),
            require_auth: Some(server::AuthMode::Basic),
            ..ServerOptions::local()
        }))
        .unwrap();
    let port = |base: &str| base.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    let (hp, pp) = (port(&s.https_base), port(&s.http_base));
    let url = url(hp, pp);
    let mut a: Vec<String> = vec!["check".into(), url, "--format".into(), "json".into()];
    a.extend(
        [
            "--email",
            LOGIN.0,
            "--user",
            LOGIN.0,
            "--password-env",
            "POXSPEC_TLS_TEST_PASSWORD",
            "--timeout",
            "5",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    a.extend(args.iter().map(|s| {
        s.replace("{https}", &hp.to_string())
            .replace("{http}", &pp.to_string())
    }));
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, out, err) = poxspec_env(&refs, &[("POXSPEC_TLS_TEST_PASSWORD", LOGIN.1)]);
    s.shutdown();
    let v = serde_json::from_str(&out).unwrap_or(serde_json::Value::Null);
    (code, v, err)
}

fn case<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("no cases in {v}"))
        .iter()
        .find(|c| c["case"] == id)
        .unwrap_or_else(|| panic!("no case {id} in {v}"))
}

fn rules_of(c: &serde_json::Value) -> Vec<String> {
    c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

fn local_url(hp: u16, _: u16) -> String {
    format!("https://127.0.0.1:{hp}/autodiscover/autodiscover.xml")
}

#[test]
fn a_private_ca_is_trusted_through_ca_file() {
    let dir = scratch("tls-ca-file");
    let ca = test_ca("poxspec test private CA");
    let pem = write_pem(&dir, "ca.pem", &ca.pem);
    let id = leaf(&ca, &["127.0.0.1", "localhost"], 2020, 2090);
    let (code, v, err) = check_against(
        id.clone(),
        None,
        local_url,
        &[
            "--ca-file",
            pem.to_str().unwrap(),
            "--skip",
            "redirect/get-probe/*",
            "--strict",
        ],
    );
    assert_eq!(code, 0, "{err}\n{v:#}");
    for id in [
        "tls/chain-trusted",
        "tls/name-matches",
        "tls/validity",
        "tls/protocol-version",
        "tls/no-legacy-versions",
        "tls/http2",
    ] {
        assert_eq!(case(&v, id)["passed"], true, "{id}: {:#}", case(&v, id));
    }
    assert!(v["ca_files"].to_string().contains("ca.pem"), "{v:#}");

    // The same server without --ca-file: a finding with evidence, exit 1 (not unreachable).
    let (code, v, err) = check_against(id, None, local_url, &["--skip", "redirect/get-probe/*"]);
    assert_eq!(code, 1, "{err}");
    let c = case(&v, "tls/chain-trusted");
    assert_eq!(rules_of(c), ["POX-TLS-001"]);
    let ev = c["evidence"].as_str().unwrap();
    for fact in [
        "poxspec test private CA",
        "IP:127.0.0.1",
        "DNS:localhost",
        "2020-01-01",
        "2090-01-01",
    ] {
        assert!(ev.contains(fact), "evidence lacks {fact}: {ev}");
    }
    // The other properties are judged on their own and hold.
    assert_eq!(case(&v, "tls/name-matches")["passed"], true);
    assert_eq!(case(&v, "tls/validity")["passed"], true);
    // The rest is not sent, and says why.
    let s = case(&v, "settings/chris@contoso.com");
    assert_eq!(rules_of(s), ["POX-TLS-001"]);
    assert!(s["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("--insecure"));
}

#[test]
fn expired_and_not_yet_valid_certificates_are_findings_with_dates() {
    let dir = scratch("tls-dates");
    let ca = test_ca("poxspec dates CA");
    let pem = write_pem(&dir, "ca.pem", &ca.pem);
    for (from, to, rule, date) in [
        (2019, 2021, "POX-TLS-003", "2021-01-01"),
        (2090, 2091, "POX-TLS-004", "2090-01-01"),
    ] {
        let id = leaf(&ca, &["127.0.0.1"], from, to);
        let (code, v, err) = check_against(
            id,
            None,
            local_url,
            &["--ca-file", pem.to_str().unwrap(), "--only", "tls/*"],
        );
        assert_eq!(code, 1, "{err}");
        let c = case(&v, "tls/validity");
        assert_eq!(rules_of(c), [rule], "{c:#}");
        assert!(
            c["findings"][0]["message"].as_str().unwrap().contains(date),
            "{c:#}"
        );
        // Expiry does not hide trust: the chain itself is trusted.
        assert_eq!(case(&v, "tls/chain-trusted")["passed"], true, "{v:#}");
    }
}

#[test]
fn wrong_name_and_unknown_ca_are_findings_and_insecure_checks_the_rest() {
    let dir = scratch("tls-name");
    let ca = test_ca("poxspec name CA");
    let pem = write_pem(&dir, "ca.pem", &ca.pem);
    let id = leaf(&ca, &["mail.contoso.test"], 2020, 2090);
    let (code, v, _) = check_against(
        id.clone(),
        None,
        local_url,
        &["--ca-file", pem.to_str().unwrap(), "--only", "tls/*"],
    );
    assert_eq!(code, 1);
    let c = case(&v, "tls/name-matches");
    assert_eq!(rules_of(c), ["POX-TLS-002"]);
    let m = c["findings"][0]["message"].as_str().unwrap();
    assert!(
        m.contains("127.0.0.1") && m.contains("DNS:mail.contoso.test"),
        "{m}"
    );

    let other = test_ca("poxspec unknown CA");
    let id = leaf(&other, &["127.0.0.1"], 2020, 2090);
    // An unknown CA is a finding; --insecure turns verification off: the rest is checked, the
    // certificate is not judged (its problem is shown in the evidence), the report says so.
    let (code, v, _) = check_against(id.clone(), None, local_url, &["--only", "tls/*"]);
    assert_eq!(code, 1);
    assert_eq!(rules_of(case(&v, "tls/chain-trusted")), ["POX-TLS-001"]);
    let (code, v, err) = check_against(
        id,
        None,
        local_url,
        &["--insecure", "--skip", "redirect/get-probe/*", "--strict"],
    );
    assert_eq!(code, 0, "{err}\n{v:#}");
    let c = case(&v, "tls/chain-trusted");
    assert!(
        c["evidence"]
            .as_str()
            .unwrap()
            .contains("not judged (--insecure"),
        "{c:#}"
    );
    assert_eq!(
        case(&v, "settings/chris@contoso.com")["passed"],
        true,
        "{v:#}"
    );
    assert!(
        v["tls_verification"].to_string().contains("--insecure"),
        "{v:#}"
    );
}

#[test]
fn connect_to_and_resolve_reach_a_virtual_host_checked_by_its_name() {
    let dir = scratch("tls-connect-to");
    let ca = test_ca("poxspec vhost CA");
    let pem = write_pem(&dir, "ca.pem", &ca.pem);
    let name = "autodiscover.example.test";
    let id = leaf(&ca, &[name], 2020, 2090);
    let ca_arg = pem.to_str().unwrap().to_owned();
    // --connect-to: the URL keeps the name (and port 443); the connection goes to loopback.
    let (code, v, err) = check_against(
        id.clone(),
        Some(name),
        |_, _| format!("https://{name}/autodiscover/autodiscover.xml"),
        &[
            "--ca-file",
            &ca_arg,
            "--connect-to",
            "autodiscover.example.test:443:127.0.0.1:{https}",
            "--get-url",
            "http://127.0.0.1:{http}/autodiscover/autodiscover.xml",
            "--skip",
            "redirect/get-probe/*",
            "--strict",
        ],
    );
    assert_eq!(code, 0, "{err}\n{v:#}");
    assert_eq!(case(&v, "tls/name-matches")["passed"], true);
    assert!(v["routing"].to_string().contains("--connect-to"), "{v:#}");
    // --resolve: the URL names the port; only the address is overridden.
    let (code, v, err) = check_against(
        id.clone(),
        Some(name),
        |hp, _| format!("https://{name}:{hp}/autodiscover/autodiscover.xml"),
        &[
            "--ca-file",
            &ca_arg,
            "--resolve",
            "autodiscover.example.test:{https}:127.0.0.1",
            "--skip",
            "redirect/get-probe/*",
            "--strict",
        ],
    );
    assert_eq!(code, 0, "{err}\n{v:#}");
    assert_eq!(case(&v, "settings/chris@contoso.com")["passed"], true);
    // Without routing the name does not resolve: unreachable, exit 2.
    let (code, _, err) = check_against(
        id.clone(),
        Some(name),
        |hp, _| format!("https://{name}:{hp}/autodiscover/autodiscover.xml"),
        &["--ca-file", &ca_arg, "--timeout", "2"],
    );
    assert_eq!(code, 2, "{err}");
    // By address, the name does not match; and past the certificate (--insecure) the server,
    // which routes on the Host name, refuses the request (421).
    let (code, v, _) = check_against(
        id.clone(),
        Some(name),
        local_url,
        &["--ca-file", &ca_arg, "--skip", "redirect/get-probe/*"],
    );
    assert_eq!(code, 1);
    assert_eq!(rules_of(case(&v, "tls/name-matches")), ["POX-TLS-002"]);
    let (code, v, _) = check_against(
        id,
        Some(name),
        local_url,
        &["--insecure", "--skip", "redirect/get-probe/*"],
    );
    assert_eq!(code, 1);
    let s = case(&v, "settings/chris@contoso.com");
    assert_eq!(rules_of(s), ["POX-HTTP-001"], "{s:#}");
    assert!(s["evidence"].as_str().unwrap().contains("421"), "{s:#}");
}

#[test]
fn bad_connect_to_and_ca_file_values_are_usage_errors() {
    let dir = scratch("tls-usage");
    let not_pem = write_pem(&dir, "not.pem", "hello\n");
    for args in [
        vec![
            "check",
            "https://a.test/x",
            "--email",
            "a@a.test",
            "--connect-to",
            "a.test:443:b",
        ],
        vec![
            "check",
            "https://a.test/x",
            "--email",
            "a@a.test",
            "--resolve",
            "a.test:443:nope",
        ],
        vec![
            "check",
            "https://a.test/x",
            "--email",
            "a@a.test",
            "--ca-file",
            not_pem.to_str().unwrap(),
        ],
    ] {
        let (code, _, err) = poxspec_env(&args, &[]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.is_empty());
    }
    let (_, _, err) = poxspec_env(
        &[
            "check",
            "https://a.test/x",
            "--email",
            "a@a.test",
            "--ca-file",
            not_pem.to_str().unwrap(),
        ],
        &[],
    );
    assert!(err.contains("not.pem"), "{err}");
}

#[test]
fn http2_not_offered_is_reported_as_info_only() {
    let rt = runtime();
    let s = rt
        .block_on(server::start(ServerOptions {
            http2: false,
            ..ServerOptions::local()
        }))
        .unwrap();
    let options = poxspec::live::CheckOptions {
        only: vec![glob::Pattern::new("tls/http2").unwrap()],
        ..poxspec::live::CheckOptions::for_fixture(
            s.url(),
            format!("{}/autodiscover/autodiscover.xml", s.http_base),
            s.certificate_der.clone(),
            Fixture::builtin(),
            std::time::Duration::from_secs(5),
        )
    };
    let units = rt.block_on(poxspec::live::run(&options)).unwrap();
    s.shutdown();
    assert_eq!(units.len(), 1);
    let f = &units[0].findings;
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].rule, f[0].severity),
        ("POX-TLS-007", poxspec::rules::Severity::Info)
    );
    assert!(units[0].passes(true));
}

/// Starts the reference server presenting `identity` as virtual host `vhost` (with
/// authentication), runs `poxspec fuzz` with `args` ({https} is its port), stops it.
fn fuzz_against(identity: Identity, vhost: &str, args: &[&str]) -> (i32, String, String) {
    fuzz_against_with(identity, vhost, None, args, |_| ())
}

/// [`fuzz_against`] with a fault in the server (then without authentication, so that a
/// reproducer's curl command needs no password), calling `after(https_port)` before it stops.
fn fuzz_against_with(
    identity: Identity,
    vhost: &str,
    fault: Option<server::Fault>,
    args: &[&str],
    after: impl FnOnce(&str),
) -> (i32, String, String) {
    let rt = runtime();
    let s = rt
        .block_on(server::start(ServerOptions {
            identity: Some(identity),
            virtual_host: Some(vhost.to_owned()),
            require_auth: fault.is_none().then_some(server::AuthMode::Basic),
            faults: fault.into_iter().collect(),
            ..ServerOptions::local()
        }))
        .unwrap();
    let hp = s.https_base.rsplit(':').next().unwrap().to_owned();
    let login: &[&str] = if fault.is_none() {
        &[
            "--user",
            LOGIN.0,
            "--password-env",
            "POXSPEC_TLS_TEST_PASSWORD",
        ]
    } else {
        &[]
    };
    let mut a: Vec<String> = [
        "fuzz",
        "--email",
        LOGIN.0,
        "--timeout",
        "5",
        "--seed",
        "2",
        "--count",
        "120",
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(login.iter().map(|s| s.to_string()));
    a.extend(args.iter().map(|s| s.replace("{https}", &hp)));
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, out, err) = poxspec_env(&refs, &[("POXSPEC_TLS_TEST_PASSWORD", LOGIN.1)]);
    after(&hp);
    s.shutdown();
    (code, out, err)
}

#[test]
fn fuzz_honours_ca_file_connect_to_and_resolve() {
    let dir = scratch("tls-fuzz-routing");
    let ca = test_ca("poxspec fuzz CA");
    let pem = write_pem(&dir, "ca.pem", &ca.pem);
    let ca_arg = pem.to_str().unwrap().to_owned();
    // A name nothing resolves: only the routing options reach the server on loopback, and
    // only the private CA makes its certificate trusted.
    let name = "autodiscover.fuzz.test";
    let id = leaf(&ca, &[name], 2020, 2090);
    let url = format!("https://{name}/autodiscover/autodiscover.xml");
    let (code, out, err) = fuzz_against(
        id.clone(),
        name,
        &[
            &url,
            "--ca-file",
            &ca_arg,
            "--connect-to",
            "autodiscover.fuzz.test:443:127.0.0.1:{https}",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["fuzz"]["sent"], 120, "{v:#}");
    assert_eq!(v["passed"], true, "{v:#}");
    let url_port = format!("https://{name}:{{https}}/autodiscover/autodiscover.xml");
    let (code, out, err) = fuzz_against(
        id.clone(),
        name,
        &[
            &url_port,
            "--ca-file",
            &ca_arg,
            "--resolve",
            "autodiscover.fuzz.test:{https}:127.0.0.1",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    // Without the CA file the certificate is not trusted; without routing the name does not
    // resolve: neither run starts (exit 2, naming why).
    let (code, _, err) = fuzz_against(
        id.clone(),
        name,
        &[
            &url,
            "--connect-to",
            "autodiscover.fuzz.test:443:127.0.0.1:{https}",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unreachable"), "{err}");
    let (code, _, err) = fuzz_against(id, name, &[&url, "--ca-file", &ca_arg, "--timeout", "2"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn fuzz_reproducers_reach_the_server_the_way_the_run_did() {
    let dir = scratch("tls-fuzz-repro");
    let ca = test_ca("poxspec fuzz repro CA");
    let pem = write_pem(&dir, "ca.pem", &ca.pem);
    let name = "autodiscover.repro.test";
    let id = leaf(&ca, &[name], 2020, 2090);
    let url = format!("https://{name}/autodiscover/autodiscover.xml");
    let out_dir = dir.join("out");
    let mut script = String::new();
    let (code, out, err) = fuzz_against_with(
        id,
        name,
        Some(server::Fault::EmptyBodyCrash),
        &[
            &url,
            "--ca-file",
            pem.to_str().unwrap(),
            "--connect-to",
            "autodiscover.repro.test:443:127.0.0.1:{https}",
            "--max-reproducers",
            "1",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        |port| {
            script = std::fs::read_to_string(out_dir.join("failures/0001.sh")).unwrap();
            assert!(
                script.contains(&format!(
                    "--connect-to autodiscover.repro.test:443:127.0.0.1:{port}"
                )),
                "{script}"
            );
            assert!(script.contains("--cacert /"), "{script}");
            assert!(!script.contains("--insecure"), "{script}");
            // The command itself, run while the server is up, gets the same crash.
            let curl = std::process::Command::new("curl").arg("--version").output();
            if curl.is_err() {
                eprintln!("reproducer not run: no curl on this machine");
                return;
            }
            let run = std::process::Command::new("sh")
                .arg(out_dir.join("failures/0001.sh"))
                .output();
            match run {
                Ok(o) => {
                    let text = String::from_utf8_lossy(&o.stdout);
                    assert!(
                        text.lines()
                            .next()
                            .is_some_and(|l| l.starts_with("HTTP/") && l.contains(" 500")),
                        "{text}\n{}",
                        String::from_utf8_lossy(&o.stderr)
                    );
                }
                Err(e) => eprintln!("reproducer not run (no sh?): {e}"),
            }
        },
    );
    assert_eq!(code, 1, "{out}\n{err}\n{script}");
}
