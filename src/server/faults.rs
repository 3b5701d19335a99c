//! The fault catalogue: bugs real Autodiscover implementations ship, each injectable into the
//! reference server so that the harness can prove it catches them.

/// An injectable fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Fault {
    OnOffUppercase,
    OnOffBoolean,
    SpaOmitted,
    UsePopAuthOnImap,
    PortZero,
    DuplicateProtocol,
    StartTlsOnImplicitPort,
    UserMissing,
    NamespaceWrong,
    NamespaceMissing,
    NamespaceHttps,
    RedirectUrlHttp,
    Doctype,
    TruncatedBody,
    OversizeResponse,
    SlowResponse,
    ContentTypeWrong,
    CharsetWrong,
    MalformedPlain400,
    Malformed500,
    Unknown204,
    EmptyBodyCrash,
    SchemaIgnored,
    MixedCasePath404,
    GetNoRedirect,
    MobileSync400,
    RedirectLoop,
    ErrorCodeUndocumented,
    OverrideIgnored,
    NullAsEnabled,
    DisabledInverted,
    CharsetMissing,
    LongRedirectChain,
    RedirectToHttp,
    CredentialsEchoed,
    CertExpired,
    CertNotYetValid,
    CertWrongName,
    CertSelfSigned,
    CertUnknownCa,
    Tls11Only,
    Tls11Accepted,
    H2AlpnHttp1,
    AuthNoChallenge,
    Auth500,
    AuthLoginRedirect,
    AuthWrongPasswordAccepted,
    AuthAnonymousSettings,
    AuthLatin1,
}

/// A fault's definition: its CLI name, what it does, and how the checker must notice it.
#[derive(Debug, Clone, Copy)]
pub struct FaultDef {
    /// The fault.
    pub fault: Fault,
    /// Name for `--fault`.
    pub name: &'static str,
    /// What the server does wrong.
    pub description: &'static str,
    /// Rules of which at least one must fail for the fault to count as detected.
    pub detected_by: &'static [&'static str],
    /// Whether the fault breaks an `error` rule (a plain `check` must then exit 1), or only
    /// `warning` rules (only `check --strict` exits 1).
    pub breaks_error_rule: bool,
}

macro_rules! faults {
    ($($f:ident = $name:literal, $err:literal, [$($r:literal),*], $desc:literal;)*) => {
        /// Every fault, in catalogue order.
        pub static FAULTS: &[FaultDef] = &[$(FaultDef { fault: Fault::$f, name: $name, description: $desc, detected_by: &[$($r),*], breaks_error_rule: $err }),*];
    };
}

faults! {
    OnOffUppercase = "onoff-uppercase", false, ["POX-ONOFF-001"], "writes on/off values in upper case (ON, OFF)";
    OnOffBoolean = "onoff-boolean", true, ["POX-ONOFF-002"], "writes on/off values as booleans (true, false)";
    SpaOmitted = "spa-omitted", false, ["POX-PROTO-013"], "omits SPA, so clients fall back to its default (on: NTLM required)";
    UsePopAuthOnImap = "usepopauth-on-imap", true, ["POX-PROTO-009"], "puts UsePOPAuth on the IMAP protocol";
    PortZero = "port-zero", true, ["POX-PROTO-006"], "advertises IMAP on port 0";
    DuplicateProtocol = "duplicate-protocol", false, ["POX-PROTO-005"], "advertises the IMAP protocol twice";
    StartTlsOnImplicitPort = "starttls-on-993", true, ["POX-PROTO-012"], "advertises Encryption TLS (STARTTLS) on the implicit-TLS port 993";
    UserMissing = "user-missing", true, ["POX-STRUCT-007"], "leaves the User element out of settings responses";
    NamespaceWrong = "namespace-wrong", true, ["POX-NS-003"], "puts Response in the responseschema/2006 Outlook namespace without the trailing 'a'";
    NamespaceMissing = "namespace-missing", true, ["POX-NS-001", "POX-NS-003"], "writes responses without any namespace";
    NamespaceHttps = "namespace-https", true, ["POX-NS-002"], "copies the https:// namespaces printed on Microsoft's reference pages";
    RedirectUrlHttp = "redirecturl-http", true, ["POX-ACCT-007"], "redirects to a plain http RedirectUrl";
    Doctype = "doctype", true, ["POX-DOC-002"], "starts responses with a DOCTYPE declaration";
    TruncatedBody = "truncated-body", true, ["POX-DOC-001"], "cuts response bodies short";
    OversizeResponse = "oversize-response", true, ["POX-HTTP-008"], "pads settings responses past 1 MiB";
    SlowResponse = "slow-response", true, ["POX-HTTP-009"], "answers settings requests slower than the client's timeout";
    ContentTypeWrong = "content-type-wrong", true, ["POX-HTTP-002"], "labels XML responses text/plain";
    CharsetWrong = "charset-wrong", true, ["POX-HTTP-003"], "labels UTF-8 responses charset=iso-8859-1";
    MalformedPlain400 = "malformed-plain-400", true, ["POX-HTTP-005"], "answers malformed requests with a plain-text HTTP 400";
    Malformed500 = "malformed-500", true, ["POX-HTTP-005"], "answers malformed requests with an empty HTTP 500";
    Unknown204 = "unknown-204", true, ["POX-HTTP-006"], "answers unknown addresses with HTTP 204 and no body";
    EmptyBodyCrash = "empty-body-crash", true, ["POX-HTTP-005"], "crashes (HTTP 500, no body) on an empty request body";
    SchemaIgnored = "schema-ignored", true, ["POX-HTTP-007"], "ignores AcceptableResponseSchema and answers unsupported schemas with settings";
    MixedCasePath404 = "mixed-case-path-404", true, ["POX-HTTP-010"], "answers the mixed-case /AutoDiscover/AutoDiscover.xml path with 404";
    GetNoRedirect = "get-no-redirect", true, ["POX-HTTP-012"], "answers the unauthenticated GET with 404 instead of a 302 to https";
    MobileSync400 = "mobilesync-400", true, ["POX-HTTP-011"], "answers mobilesync requests with HTTP 400";
    RedirectLoop = "redirect-loop", true, ["POX-HTTP-013"], "redirects the hosted mailbox back to the URL it came from, forever";
    ErrorCodeUndocumented = "errorcode-undocumented", true, ["POX-ERR-002", "POX-HTTP-006"], "uses ErrorCode 404 for unknown addresses";
    OverrideIgnored = "override-ignored", false, ["POX-POL-002"], "ignores the mailbox override and applies the organisation's SMTP AUTH setting";
    NullAsEnabled = "null-as-enabled", true, ["POX-POL-001"], "treats a $null mailbox setting as enabled instead of following the organisation";
    DisabledInverted = "disabled-inverted", true, ["POX-POL-001"], "reads SmtpClientAuthenticationDisabled the wrong way round";
    CharsetMissing = "charset-missing", false, ["POX-HTTP-004"], "labels responses text/xml without a charset";
    LongRedirectChain = "long-redirect-chain", false, ["POX-HTTP-014"], "sends every POST through a chain of three HTTP 302 relays";
    RedirectToHttp = "redirect-to-http", true, ["POX-HTTP-017"], "answers POSTs on https with a 302 to the same endpoint on plain http";
    CredentialsEchoed = "credentials-echoed", true, ["POX-HTTP-018"], "copies the request's Authorization header, decoded, into a comment in its answers";
    CertExpired = "cert-expired", true, ["POX-TLS-003"], "presents a certificate that expired (valid 2020-01-01 to 2021-01-01), otherwise correct";
    CertNotYetValid = "cert-not-yet-valid", true, ["POX-TLS-004"], "presents a certificate valid only from 2090, otherwise correct";
    CertWrongName = "cert-wrong-name", true, ["POX-TLS-002"], "presents a trusted, current certificate for autodiscover.other.example only";
    CertSelfSigned = "cert-self-signed", true, ["POX-TLS-001"], "presents a self-signed certificate that the run does not trust";
    CertUnknownCa = "cert-unknown-ca", true, ["POX-TLS-001"], "presents a certificate signed by a CA that the run does not trust";
    Tls11Only = "tls11-only", true, ["POX-TLS-005"], "answers every ClientHello with a TLS 1.1 ServerHello (hand-written: rustls has no TLS 1.1; the client decides at that message)";
    Tls11Accepted = "tls11-accepted", false, ["POX-TLS-006"], "still answers a TLS 1.1-only ClientHello with a TLS 1.1 ServerHello (hand-written), while serving TLS 1.2 and 1.3 normally";
    H2AlpnHttp1 = "h2-alpn-http1", true, ["POX-TLS-008"], "selects h2 in ALPN but then speaks HTTP/1.1 (a TLS terminator in front of an HTTP/1.1-only backend)";
    AuthNoChallenge = "auth-401-no-challenge", true, ["POX-AUTH-001"], "answers unauthenticated POSTs with 401 but no WWW-Authenticate challenge";
    Auth500 = "auth-500", true, ["POX-AUTH-002"], "answers unauthenticated POSTs with HTTP 500 instead of 401";
    AuthLoginRedirect = "auth-login-redirect", true, ["POX-AUTH-003"], "redirects unauthenticated POSTs to an HTML login page (forms-based authentication)";
    AuthWrongPasswordAccepted = "auth-wrong-password-accepted", true, ["POX-AUTH-004"], "accepts any password for a known user";
    AuthAnonymousSettings = "auth-anonymous-settings", true, ["POX-AUTH-005"], "requires authentication but serves settings to requests that carry none";
    AuthLatin1 = "auth-latin1", true, ["POX-AUTH-006"], "decodes Basic credentials as Latin-1, so a non-ASCII password is refused (RFC 7617 says UTF-8)";
}

impl Fault {
    /// The definition.
    pub fn def(self) -> &'static FaultDef {
        FAULTS
            .iter()
            .find(|d| d.fault == self)
            .expect("every fault is catalogued")
    }

    /// The fault named `name`.
    pub fn from_name(name: &str) -> Option<Fault> {
        FAULTS.iter().find(|d| d.name == name).map(|d| d.fault)
    }
}
