//! Discovery: the in-process authoritative DNS server answered through hickory-resolver, the
//! routing overrides, and (below) the walk a client makes.

use poxspec::live::route::{ConnectTo, Dns, DnsFailure, DnsSource, ResolveTo, Routing};
use poxspec::server::{start_dns, DnsRecord, Zone};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn lo(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
}

#[test]
fn dns_server_answers_a_aaaa_cname_and_srv_through_the_resolver() {
    runtime().block_on(async {
        let zone = Zone {
            origin: "example.test".into(),
            records: vec![
                DnsRecord::address("autodiscover.example.test", lo(1)),
                DnsRecord::address("autodiscover.example.test", Ipv6Addr::LOCALHOST),
                DnsRecord::cname("www.example.test", "autodiscover.example.test"),
                DnsRecord::srv(
                    "_autodiscover._tcp.example.test",
                    10,
                    5,
                    8443,
                    "b.example.test",
                ),
                DnsRecord::srv(
                    "_autodiscover._tcp.example.test",
                    0,
                    1,
                    443,
                    "a.example.test",
                ),
                DnsRecord::srv(
                    "_autodiscover._tcp.example.test",
                    10,
                    50,
                    443,
                    "c.example.test",
                ),
            ],
        };
        let dns = start_dns(lo(1), &[zone]).await.unwrap();
        let client = Dns::new(DnsSource::Server(dns.addr), Duration::from_secs(2)).unwrap();

        let a = client.addresses("autodiscover.example.test").await.unwrap();
        assert!(a.ips.contains(&lo(1)) && a.ips.contains(&IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert!(a.aliases.is_empty());

        let c = client.addresses("www.example.test").await.unwrap();
        assert_eq!(c.aliases, vec!["autodiscover.example.test".to_owned()]);
        assert!(c.ips.contains(&lo(1)));

        let srv = client.srv("_autodiscover._tcp.example.test").await.unwrap();
        let order: Vec<String> = srv.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            order,
            [
                "0 1 443 a.example.test",
                "10 50 443 c.example.test",
                "10 5 8443 b.example.test"
            ]
        );

        assert_eq!(
            client.addresses("nothing.example.test").await,
            Err(DnsFailure::NoSuchName)
        );
        assert!(matches!(
            client.srv("_autodiscover._tcp.www.example.test").await,
            Err(DnsFailure::NoSuchName | DnsFailure::NoRecords(_))
        ));
        // The apex exists (it has an SOA) but no address: no records, not NXDOMAIN.
        assert_eq!(
            client.addresses("example.test").await,
            Err(DnsFailure::NoRecords("A or AAAA"))
        );
        dns.shutdown();
    });
}

#[test]
fn records_outside_their_zone_are_refused() {
    let zone = Zone {
        origin: "example.test".into(),
        records: vec![DnsRecord::address("autodiscover.other.test", lo(1))],
    };
    let err = runtime().block_on(start_dns(lo(1), &[zone])).err().unwrap();
    assert!(err.to_string().contains("outside the zone"), "{err}");
}

#[test]
fn connect_to_and_resolve_follow_curl_semantics() {
    runtime().block_on(async {
        let dns = Dns::new(
            DnsSource::Server("127.0.0.1:9".parse().unwrap()),
            Duration::from_millis(300),
        )
        .unwrap();
        let mut r = Routing::new(dns);
        r.connect_to = vec![
            "autodiscover.example.test:443:[::1]:8443"
                .parse::<ConnectTo>()
                .unwrap(),
            ":80::8080".parse().unwrap(),
        ];
        r.resolve = vec![
            "*:8443:127.0.0.2".parse::<ResolveTo>().unwrap(),
            "x.test:443:127.0.0.3,::1".parse().unwrap(),
        ];
        assert_eq!(
            r.target("AutoDiscover.example.test", 443),
            ("::1".into(), 8443)
        );
        assert_eq!(
            r.target("anything.test", 80),
            ("anything.test".into(), 8080)
        );
        assert_eq!(
            r.target("anything.test", 443),
            ("anything.test".into(), 443)
        );
        // --resolve matches host and port; DNS is not asked (the server at port 9 is not there).
        let a = r
            .socket_addrs("autodiscover.example.test", 443)
            .await
            .unwrap();
        assert_eq!(a, vec!["[::1]:8443".parse().unwrap()]);
        let x = r.socket_addrs("x.test", 443).await.unwrap();
        assert_eq!(x.len(), 2);
        assert!(matches!(
            r.socket_addrs("y.test", 443).await,
            Err(DnsFailure::Failed(_))
        ));
    });
    for bad in ["a:b", "h:99999:x:1", "h:1:x:p"] {
        assert!(bad.parse::<ConnectTo>().is_err(), "{bad}");
    }
    for bad in ["h:443", "h:x:127.0.0.1", "h:443:not-an-ip"] {
        assert!(bad.parse::<ResolveTo>().is_err(), "{bad}");
    }
}

// ---- the walk, against the lab -------------------------------------------------------------

use poxspec::fixture::Fixture;
use poxspec::live::discover::{self as walk, DiscoverOptions, Discovery, Method, StepOutcome};
use poxspec::live::ClientOptions;
use poxspec::report::{self, Format, Report};
use poxspec::server::{start_lab, LabFault, LabOptions, Publish, Seen, FOREIGN_HOST, LAB_FAULTS};
use std::sync::Arc;

/// Starts a lab publishing `publish` with `faults`, walks `addresses` (every fixture mailbox
/// when empty), stops the lab.
async fn discover_in_lab(
    publish: Publish,
    faults: &[LabFault],
    addresses: &[&str],
    probe: bool,
    login: Option<(String, String)>,
) -> Discovery {
    discover_in_lab_seen(publish, faults, addresses, probe, login)
        .await
        .0
}

/// [`discover_in_lab`], also returning the requests the lab's reference server received.
async fn discover_in_lab_seen(
    publish: Publish,
    faults: &[LabFault],
    addresses: &[&str],
    probe: bool,
    login: Option<(String, String)>,
) -> (Discovery, Vec<Seen>) {
    let fixture = Fixture::builtin();
    let lab = start_lab(LabOptions {
        fixture: fixture.clone(),
        publish,
        faults: faults.to_vec(),
    })
    .await
    .unwrap();
    let dns = Dns::new(DnsSource::Server(lab.dns), Duration::from_secs(2)).unwrap();
    let mut routing = Routing::new(dns);
    routing.connect_to = lab.connect_to.iter().map(|r| r.parse().unwrap()).collect();
    let addresses: Vec<String> = if addresses.is_empty() {
        fixture
            .mailboxes
            .iter()
            .map(|m| m.address().to_owned())
            .collect()
    } else {
        addresses.iter().map(|a| a.to_string()).collect()
    };
    let options = DiscoverOptions {
        addresses,
        client: ClientOptions {
            trust: poxspec::live::tls::Trust {
                insecure: false,
                extra_roots: vec![lab.root_der.clone()],
            },
            timeout: Duration::from_millis(1500),
            body_cap: 1024 * 1024,
            credentials: None,
            routing: Some(Arc::new(routing)),
        },
        login,
        fixture: Some(fixture),
        probe_endpoints: probe,
        total_timeout: Duration::from_secs(60),
    };
    let d = walk::run(&options).await.unwrap();
    let seen = lab.server.requests();
    lab.shutdown();
    (d, seen)
}

fn chosen(d: &Discovery, address: &str) -> Option<Method> {
    let w = d.walks.iter().find(|w| w.address == address).unwrap();
    w.chosen().map(|(i, _)| w.steps[i].method)
}

fn failing_rules(r: &Report) -> Vec<String> {
    r.units
        .iter()
        .flat_map(|u| u.findings.iter())
        .filter(|f| report::fails(f, r.strict))
        .map(|f| format!("{} {}", f.rule, f.message))
        .collect()
}

#[test]
fn the_embedded_lab_walks_clean_for_every_fixture_mailbox() {
    let d = runtime().block_on(discover_in_lab(Publish::FULL, &[], &[], true, None));
    let r = Report::new("unit", true, d.units.clone());
    assert!(r.passes(), "{:#?}", failing_rules(&r));
    for w in &d.walks {
        assert_eq!(
            chosen(&d, &w.address),
            Some(Method::AutodiscoverHost),
            "{}",
            w.address
        );
        // Every method was tried and reported with a time.
        assert_eq!(w.steps.len(), 4);
        assert_eq!(w.steps[0].outcome, StepOutcome::Skipped);
        assert!(w.steps[1..]
            .iter()
            .all(|s| matches!(s.outcome, StepOutcome::Endpoint(_))));
    }
    // The alias of the second domain was followed and shown.
    let fab = d.walks.iter().find(|w| w.domain == "fabrikam.com").unwrap();
    assert!(
        fab.steps[1]
            .result
            .contains("CNAME autodiscover.contoso.com"),
        "{}",
        fab.steps[1].result
    );
    // The SRV record is shown with priority, weight, port and target.
    assert!(
        fab.steps[3].result.starts_with("0 10 "),
        "{}",
        fab.steps[3].result
    );
    // The endpoint was judged with check's cases, and the mail endpoints probed.
    assert!(d
        .units
        .iter()
        .any(|u| u.name.ends_with("/settings/chris@contoso.com")));
    assert!(d
        .units
        .iter()
        .any(|u| u.name.ends_with("/errors/malformed/unclosed")));
    for p in [
        "probe/IMAP imap.contoso.com:993",
        "probe/POP3 pop.contoso.com:995",
        "probe/SMTP smtp.contoso.com:587",
    ] {
        assert!(d.units.iter().any(|u| u.name == p), "{p} missing");
    }
}

#[test]
fn srv_only_is_found_at_the_srv_step() {
    let publish = Publish {
        srv: true,
        ..Publish::NONE
    };
    let d = runtime().block_on(discover_in_lab(
        publish,
        &[],
        &["chris@contoso.com"],
        false,
        None,
    ));
    assert_eq!(chosen(&d, "chris@contoso.com"), Some(Method::Srv));
    let w = &d.walks[0];
    assert!(w.steps[..3]
        .iter()
        .all(|s| s.outcome == StepOutcome::Skipped));
    let r = Report::new("unit", true, d.units);
    assert!(r.passes(), "{:#?}", failing_rules(&r));
}

#[test]
fn autodiscover_host_only_is_found_at_step_two() {
    let publish = Publish {
        autodiscover_host: true,
        ..Publish::NONE
    };
    let d = runtime().block_on(discover_in_lab(
        publish,
        &[],
        &["dana@contoso.com"],
        false,
        None,
    ));
    assert_eq!(
        chosen(&d, "dana@contoso.com"),
        Some(Method::AutodiscoverHost)
    );
    let w = &d.walks[0];
    assert_eq!(
        w.steps[2].outcome,
        StepOutcome::Skipped,
        "{}",
        w.steps[2].result
    );
    assert_eq!(
        w.steps[3].outcome,
        StepOutcome::Skipped,
        "{}",
        w.steps[3].result
    );
    let r = Report::new("unit", false, d.units);
    assert!(r.passes(), "{:#?}", failing_rules(&r));
}

#[test]
fn get_redirect_only_is_found_at_the_get_step() {
    let publish = Publish {
        get_redirect: true,
        ..Publish::NONE
    };
    let d = runtime().block_on(discover_in_lab(
        publish,
        &[],
        &["chris@contoso.com"],
        false,
        None,
    ));
    assert_eq!(chosen(&d, "chris@contoso.com"), Some(Method::GetRedirect));
    let w = &d.walks[0];
    // autodiscover.<domain> has an address but refuses https: tolerated.
    assert_eq!(w.steps[1].outcome, StepOutcome::Skipped);
    assert!(
        w.steps[2].tried.contains("→ https://mail.contoso.com:"),
        "{}",
        w.steps[2].tried
    );
    let r = Report::new("unit", false, d.units);
    assert!(r.passes(), "{:#?}", failing_rules(&r));
}

#[test]
fn bare_domain_with_a_wrong_name_certificate_is_named_at_step_one() {
    let publish = Publish {
        autodiscover_host: true,
        ..Publish::NONE
    };
    let d = runtime().block_on(discover_in_lab(
        publish,
        &[LabFault::BareDomainWrongCert],
        &["chris@contoso.com"],
        false,
        None,
    ));
    let w = &d.walks[0];
    assert_eq!(w.steps[0].outcome, StepOutcome::Broken);
    assert!(w.steps[0].findings.iter().any(|f| f.rule == "POX-DISC-003"));
    assert!(
        w.steps[0].result.contains("www.hosting.example"),
        "{}",
        w.steps[0].result
    );
    // A client that gets past the warning still finds the endpoint at step 2.
    assert_eq!(
        chosen(&d, "chris@contoso.com"),
        Some(Method::AutodiscoverHost)
    );
    let r = Report::new("unit", false, d.units);
    assert!(!r.passes());
    let table = report::render(&r, Format::Human);
    assert!(table.contains("clients fail or ask the user"), "{table}");
}

#[test]
fn nothing_found_fails_with_every_step_reported() {
    let d = runtime().block_on(discover_in_lab(
        Publish::NONE,
        &[],
        &["chris@contoso.com"],
        false,
        None,
    ));
    assert_eq!(chosen(&d, "chris@contoso.com"), None);
    let w = &d.walks[0];
    assert_eq!(w.steps.len(), 4);
    assert!(w.steps.iter().all(|s| s.outcome == StepOutcome::Skipped));
    let r = Report::new("unit", false, d.units);
    let fails = failing_rules(&r);
    assert_eq!(fails.len(), 1, "{fails:?}");
    assert!(fails[0].starts_with("POX-DISC-001"), "{fails:?}");
}

#[test]
fn every_lab_fault_is_reported_at_its_step() {
    let mut problems = Vec::new();
    for def in LAB_FAULTS {
        // Each fault shows on one mailbox: the policy fault on the one the organisation
        // disables, the others on the one every step serves.
        let address = match def.fault {
            LabFault::SmtpOfferedToDisabled => "dana@contoso.com",
            _ => "chris@contoso.com",
        };
        let d = runtime().block_on(discover_in_lab(
            Publish::FULL,
            &[def.fault],
            &[address],
            true,
            None,
        ));
        // Strict, so that a warning (a foreign target, which Outlook asks the user about)
        // counts as a failure too.
        let r = Report::new("unit", true, d.units.clone());
        let fails = failing_rules(&r);
        if !fails
            .iter()
            .any(|f| def.detected_by.iter().any(|id| f.starts_with(id)))
        {
            problems.push(format!("{}: not detected ({fails:?})", def.name));
        }
        let step = match def.fault {
            LabFault::SrvWrongPort | LabFault::SrvForeignTarget => Some(Method::Srv),
            LabFault::BareDomainWrongCert => Some(Method::Domain),
            LabFault::GetRedirectHttp | LabFault::GetRedirectForeign => Some(Method::GetRedirect),
            LabFault::SmtpImplicitTls
            | LabFault::PopRefuses
            | LabFault::ImapWrongCert
            | LabFault::SmtpNoAuth
            | LabFault::SmtpOfferedToDisabled => None,
        };
        match step {
            Some(m) => {
                let s = d.walks[0].steps.iter().find(|s| s.method == m).unwrap();
                if !s.findings.iter().any(|f| def.detected_by.contains(&f.rule)) {
                    problems.push(format!("{}: not reported at step {}", def.name, m.label()));
                }
                assert!(!def.needs_probe, "{}", def.name);
            }
            None => {
                let kind = match def.fault {
                    LabFault::PopRefuses => "probe/POP3",
                    LabFault::ImapWrongCert => "probe/IMAP",
                    _ => "probe/SMTP",
                };
                let u = d.units.iter().find(|u| u.name.starts_with(kind)).unwrap();
                if !u.findings.iter().any(|f| def.detected_by.contains(&f.rule)) {
                    problems.push(format!("{}: not reported by {kind}", def.name));
                }
                assert!(def.needs_probe, "{}", def.name);
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The must-pass side of POX-ENDP-005: on the clean lab, the mailbox the organisation disables
/// is not sent to SMTP at all, and the one it enables is, without a finding.
#[test]
fn smtp_is_offered_only_to_mailboxes_that_may_use_it() {
    let d = runtime().block_on(discover_in_lab(
        Publish::FULL,
        &[],
        &["chris@contoso.com", "dana@contoso.com"],
        true,
        None,
    ));
    let smtp = d
        .units
        .iter()
        .find(|u| u.name.starts_with("probe/SMTP"))
        .expect("chris's answer advertises SMTP");
    let described = smtp.description.clone().unwrap_or_default();
    assert!(described.contains("chris@contoso.com"), "{described}");
    assert!(!described.contains("dana@contoso.com"), "{described}");
    assert!(smtp.applied.contains(&"POX-ENDP-005"));
    assert!(
        smtp.findings.iter().all(|f| f.rule != "POX-ENDP-005"),
        "{:?}",
        smtp.findings
    );
}

/// Discovery sends the password only to the two candidates derived from the address, never to
/// a GET-redirect or SRV target (a client uses those only after the user confirms them): checked
/// at the server, from the requests it received.
#[test]
fn redirect_and_srv_targets_never_receive_credentials() {
    let (d, seen) = runtime().block_on(discover_in_lab_seen(
        Publish::FULL,
        &[LabFault::SrvForeignTarget],
        &["chris@contoso.com"],
        false,
        Some(("chris@contoso.com".into(), "Kennwort-Grüße-2026".into())),
    ));
    let posts = |host: &str| -> Vec<bool> {
        seen.iter()
            .filter(|s| s.method == "POST" && s.host.as_deref() == Some(host))
            .map(|s| s.authorization)
            .collect()
    };
    // The candidate derived from the address got the password: the check can fail.
    assert!(
        posts("autodiscover.contoso.com").contains(&true),
        "{seen:?}"
    );
    // The GET redirect's target (mail.contoso.com) and the foreign SRV target were asked,
    // and never with credentials.
    let redirected = posts("mail.contoso.com");
    let srv = posts(FOREIGN_HOST);
    assert!(!redirected.is_empty() && !srv.is_empty(), "{seen:?}");
    let leaked: Vec<_> = seen
        .iter()
        .filter(|s| s.authorization && s.host.as_deref() != Some("autodiscover.contoso.com"))
        .collect();
    assert!(
        redirected.iter().chain(&srv).all(|a| !a),
        "credentials reached a redirect or SRV target: {leaked:?}"
    );
    let w = &d.walks[0];
    let srv_step = w.steps.iter().find(|s| s.method == Method::Srv).unwrap();
    assert!(
        srv_step.findings.iter().any(|f| f.rule == "POX-DISC-004"),
        "{:?}",
        srv_step.findings
    );
}

#[test]
fn step_tables_appear_in_every_report_format() {
    let d = runtime().block_on(discover_in_lab(
        Publish::FULL,
        &[],
        &["chris@contoso.com"],
        false,
        None,
    ));
    let r = Report::new("unit", false, d.units);
    let human = report::render(&r, Format::Human);
    assert!(human.contains("2 autodiscover host") && human.contains("found: a client stops here"));
    let md = report::render(&r, Format::Markdown);
    assert!(
        md.contains("| step | tried | result | time | verdict |"),
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_str(&report::render(&r, Format::Json)).unwrap();
    let unit = &json["units"][0];
    assert_eq!(unit["unit"], "discover/chris@contoso.com");
    assert_eq!(unit["table"][3]["step"], "4 DNS SRV");
    let junit = report::render(&r, Format::Junit);
    assert!(junit.contains("4 DNS SRV"));
}

#[test]
fn discovery_passwords_never_reach_a_report() {
    let secret = "d1sc0ver-Pa55!";
    let d = runtime().block_on(discover_in_lab(
        Publish::FULL,
        &[],
        &["chris@contoso.com"],
        false,
        Some(("chris".into(), secret.into())),
    ));
    let r = Report::new("unit", false, d.units);
    for f in [Format::Human, Format::Json, Format::Junit, Format::Markdown] {
        assert!(!report::render(&r, f).contains(secret), "{f:?}");
    }
}

#[test]
fn discover_cli_walks_the_lab_with_no_address_and_refuses_unknown_faults() {
    let (code, out, err) = crate::common::poxspec(&["discover", "--timeout", "2"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("discover/chris@contoso.com") && out.contains("probe/SMTP"));
    let (code, out, _) = crate::common::poxspec(&[
        "discover",
        "--timeout",
        "2",
        "--fault",
        "pop-refuses",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("POX-ENDP-001"));
    let (code, _, err) = crate::common::poxspec(&["discover", "--fault", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown fault"));
    let (code, out, _) = crate::common::poxspec(&["discover", "--list-faults"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), LAB_FAULTS.len());
}
