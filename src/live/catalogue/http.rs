//! `http/…`: path spellings, other methods on the POST URL, connection reuse. The Content-Type
//! and charset of every answer are judged in every case (`POX-HTTP-002`..`004`).

use super::{outlook, post_to, CaseDef, Ctx, Expect, Level, MethodCheck, Probe};

fn canonical(c: &Ctx) -> Option<Vec<u8>> {
    Some(outlook(&c.email).into_bytes())
}

/// The cases.
pub static CASES: &[CaseDef] = &[
    CaseDef {
        id: "http/path/lower-case",
        description: "POST to /autodiscover/autodiscover.xml",
        requirement: "The documented path answers POSTs with Autodiscover documents",
        source: "MS-OXDSCLI 3.1.5.1 (the Autodiscover URL); MS-OXDISCO 3.1.5",
        level: Level::Must,
        probe: post_to("/autodiscover/autodiscover.xml", canonical, Expect::Settings),
    },
    CaseDef {
        id: "http/path/pascal-case",
        description: "POST to /Autodiscover/Autodiscover.xml",
        requirement: "The path is not case-sensitive: the capitalised spelling clients use is served the same",
        source: "MS-OXDISCO 3.1.5 (path strings are not case-sensitive)",
        level: Level::Must,
        probe: post_to("/Autodiscover/Autodiscover.xml", canonical, Expect::Settings),
    },
    CaseDef {
        id: "http/path/camel-case",
        description: "POST to /AutoDiscover/AutoDiscover.xml",
        requirement: "The path is not case-sensitive: Outlook's /AutoDiscover/AutoDiscover.xml is served the same",
        source: "MS-OXDISCO 3.1.5 (path strings are not case-sensitive)",
        level: Level::Must,
        probe: post_to("/AutoDiscover/AutoDiscover.xml", canonical, Expect::Settings),
    },
    CaseDef {
        id: "http/path/upper-case",
        description: "POST to /AUTODISCOVER/AUTODISCOVER.XML",
        requirement: "No client sends it, but the path is documented as case-insensitive; poxspec prefers settings, an error is tolerated (info), a 5xx is not",
        source: "implementation-defined; MS-OXDISCO 3.1.5",
        level: Level::ImplementationDefined,
        probe: post_to("/AUTODISCOVER/AUTODISCOVER.XML", canonical, Expect::Tolerant),
    },
    CaseDef {
        id: "http/method/get",
        description: "GET on the https POST URL",
        requirement: "The sources do not say what GET on the POST URL answers (Exchange sends a POX error 600); anything but a 5xx, a hang or a redirect to the same URL is acceptable",
        source: "MS-OXDSCLI 3.1.5 (POST only); RFC 9110 §9.3.1",
        level: Level::Should,
        probe: Probe::Method("GET", MethodCheck::NoFailure),
    },
    CaseDef {
        id: "http/method/head",
        description: "HEAD on the https POST URL",
        requirement: "HEAD is answered like GET without a body: never a 5xx or a hang",
        source: "RFC 9110 §9.3.2",
        level: Level::Should,
        probe: Probe::Method("HEAD", MethodCheck::NoFailure),
    },
    CaseDef {
        id: "http/method/options",
        description: "OPTIONS on the https POST URL",
        requirement: "OPTIONS is answered with the allowed methods in Allow (a 2xx listing POST, or a 405 with Allow), never a 5xx",
        source: "RFC 9110 §9.3.7, §15.5.6 (a 405 MUST carry Allow)",
        level: Level::Should,
        probe: Probe::Method("OPTIONS", MethodCheck::Allow),
    },
    CaseDef {
        id: "http/method/put",
        description: "PUT on the https POST URL",
        requirement: "A method the resource does not support gets 405 with an Allow header (or another 4xx), never a 5xx",
        source: "RFC 9110 §15.5.6 (the origin server MUST generate an Allow header in a 405)",
        level: Level::Must,
        probe: Probe::Method("PUT", MethodCheck::Allow),
    },
    CaseDef {
        id: "http/connection/keep-alive",
        description: "two POSTs on one HTTP/1.1 connection",
        requirement: "HTTP/1.1 connections are persistent unless a side says close: the second request on the connection is answered on it",
        source: "RFC 9112 §9.3 (persistence is the default)",
        level: Level::Should,
        probe: Probe::KeepAlive,
    },
    CaseDef {
        id: "http/path/lower-case-query",
        description: "POST to /autodiscover/autodiscover.xml?poxspec=1",
        requirement: "A query string does not change the resource: the documented path with a query is served the same",
        source: "RFC 3986 §3.4; MS-OXDSCLI 3.1.5.1",
        level: Level::Should,
        probe: post_to("/autodiscover/autodiscover.xml?poxspec=1", canonical, Expect::Settings),
    },
];
