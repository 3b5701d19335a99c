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
