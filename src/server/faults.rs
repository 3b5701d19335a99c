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
    DeepNestingCrash,
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
    LowerCasePath404,
    RequestDeclarationRequired,
    RequestRegexParser,
    RequestBomRefused,
    RequestLineParser,
    RequestOrderFixed,
    LegacyDnIgnored,
    ContentTypeExact,
    ContentTypeParametersRefused,
    UnknownElementRefused,
    ChunkedRefused,
    ExpectContinueRefused,
    DomainCaseSensitive,
    LocalPartCaseSensitive,
    AddressNotValidated,
    AddressUncheckedCrash,
    WhitespaceNotTrimmed,
    ElementSearch,
    MissingFieldCrash,
    NamespaceCrash,
    ErrorStatus400,
    SchemaFromNamespace,
    MobileSyncUrlHttp,
    MobileSyncMinimal,
    Methods500,
    KeepAliveRefused,
    GetRedirectHttp,
    GetRedirect301,
    RedirectAddrInvalid,
    EntityExpanded,
    EntityResolved,
    EntityFetched,
    LimitsCrash,
    BadBytesCrash,
    SlowBodyUnbounded,
    ErrorEchoUnescaped,
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
    /// Rule IDs or case-ID globs: the fault counts as detected when a finding of one of these
    /// rules, or a case matching one of these globs, fails under `--strict`. Each case glob
    /// is also a must-fail proof for the cases it matches (every matching case must fail).
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
    OnOffBoolean = "onoff-boolean", true, ["POX-ONOFF-002", "settings/*"], "writes on/off values as booleans (true, false)";
    SpaOmitted = "spa-omitted", false, ["POX-PROTO-013"], "omits SPA, so clients fall back to its default (on: NTLM required)";
    UsePopAuthOnImap = "usepopauth-on-imap", true, ["POX-PROTO-009"], "puts UsePOPAuth on the IMAP protocol";
    PortZero = "port-zero", true, ["POX-PROTO-006"], "advertises IMAP on port 0";
    DuplicateProtocol = "duplicate-protocol", false, ["POX-PROTO-005"], "advertises the IMAP protocol twice";
    StartTlsOnImplicitPort = "starttls-on-993", true, ["POX-PROTO-012"], "advertises Encryption TLS (STARTTLS) on the implicit-TLS port 993";
    UserMissing = "user-missing", true, ["POX-STRUCT-007"], "leaves the User element out of settings responses";
    NamespaceWrong = "namespace-wrong", true, ["POX-NS-003"], "puts Response in the responseschema/2006 Outlook namespace without the trailing 'a'";
    NamespaceMissing = "namespace-missing", true, ["POX-NS-001", "POX-NS-003"], "writes responses without any namespace";
    NamespaceHttps = "namespace-https", true, ["POX-NS-002"], "copies the https:// namespaces printed on Microsoft's reference pages";
    RedirectUrlHttp = "redirecturl-http", true, ["POX-ACCT-007", "redirect/redirect-url/https"], "redirects to a plain http RedirectUrl";
    Doctype = "doctype", true, ["POX-DOC-002"], "starts responses with a DOCTYPE declaration";
    TruncatedBody = "truncated-body", true, ["POX-DOC-001"], "cuts response bodies short";
    OversizeResponse = "oversize-response", true, ["POX-HTTP-008"], "pads settings responses past 1 MiB";
    SlowResponse = "slow-response", true, ["POX-HTTP-009"], "answers settings requests slower than the client's timeout";
    ContentTypeWrong = "content-type-wrong", true, ["POX-HTTP-002"], "labels XML responses text/plain";
    CharsetWrong = "charset-wrong", true, ["POX-HTTP-003"], "labels UTF-8 responses charset=iso-8859-1";
    MalformedPlain400 = "malformed-plain-400", true, ["POX-HTTP-005"], "answers malformed requests with a plain-text HTTP 400";
    Malformed500 = "malformed-500", true, ["POX-HTTP-005", "errors/malformed/*", "mobilesync/errors/malformed"], "answers malformed requests with an empty HTTP 500";
    Unknown204 = "unknown-204", true, ["POX-HTTP-006", "address/unknown/*", "mobilesync/errors/unknown-address"], "answers unknown addresses with HTTP 204 and no body";
    EmptyBodyCrash = "empty-body-crash", true, ["POX-HTTP-005", "errors/empty/*"], "crashes (HTTP 500, no body) on an empty request body";
    DeepNestingCrash = "deep-nesting-crash", true, ["POX-HTTP-005", "security/depth/100"], "crashes (HTTP 500, no body) on requests nested more than 32 elements deep, as a recursive parser on a small stack does";
    SchemaIgnored = "schema-ignored", true, ["POX-HTTP-007", "schema/unknown/*"], "ignores AcceptableResponseSchema and answers unsupported schemas with settings";
    MixedCasePath404 = "mixed-case-path-404", true, ["POX-HTTP-010", "http/path/pascal-case", "http/path/camel-case", "http/path/upper-case"], "answers the mixed-case /AutoDiscover/AutoDiscover.xml path with 404";
    GetNoRedirect = "get-no-redirect", true, ["POX-HTTP-012", "redirect/get-probe/https"], "answers the unauthenticated GET with 404 instead of a 302 to https";
    MobileSync400 = "mobilesync-400", true, ["POX-HTTP-011", "mobilesync/settings/shape"], "answers mobilesync requests with HTTP 400";
    RedirectLoop = "redirect-loop", true, ["POX-HTTP-013", "redirect/chain/ends"], "redirects the hosted mailbox back to the URL it came from, forever";
    ErrorCodeUndocumented = "errorcode-undocumented", true, ["POX-ERR-002", "POX-HTTP-006"], "uses ErrorCode 404 for unknown addresses";
    OverrideIgnored = "override-ignored", false, ["POX-POL-002"], "ignores the mailbox override and applies the organisation's SMTP AUTH setting";
    NullAsEnabled = "null-as-enabled", true, ["POX-POL-001"], "treats a $null mailbox setting as enabled instead of following the organisation";
    DisabledInverted = "disabled-inverted", true, ["POX-POL-001"], "reads SmtpClientAuthenticationDisabled the wrong way round";
    CharsetMissing = "charset-missing", false, ["POX-HTTP-004"], "labels responses text/xml without a charset";
    LongRedirectChain = "long-redirect-chain", false, ["POX-HTTP-014", "redirect/chain/short"], "sends every POST through a chain of three HTTP 302 relays";
    RedirectToHttp = "redirect-to-http", true, ["POX-HTTP-017", "redirect/location/https"], "answers POSTs on https with a 302 to the same endpoint on plain http";
    CredentialsEchoed = "credentials-echoed", true, ["POX-HTTP-018"], "copies the request's Authorization header, decoded, into a comment in its answers";
    CertExpired = "cert-expired", true, ["POX-TLS-003", "tls/validity"], "presents a certificate that expired (valid 2020-01-01 to 2021-01-01), otherwise correct";
    CertNotYetValid = "cert-not-yet-valid", true, ["POX-TLS-004", "tls/validity"], "presents a certificate valid only from 2090, otherwise correct";
    CertWrongName = "cert-wrong-name", true, ["POX-TLS-002", "tls/name-matches"], "presents a trusted, current certificate for autodiscover.other.example only";
    CertSelfSigned = "cert-self-signed", true, ["POX-TLS-001", "tls/chain-trusted"], "presents a self-signed certificate that the run does not trust";
    CertUnknownCa = "cert-unknown-ca", true, ["POX-TLS-001", "tls/chain-trusted"], "presents a certificate signed by a CA that the run does not trust";
    Tls11Only = "tls11-only", true, ["POX-TLS-005", "tls/protocol-version"], "answers every ClientHello with a TLS 1.1 ServerHello (hand-written: rustls has no TLS 1.1; the client decides at that message)";
    Tls11Accepted = "tls11-accepted", false, ["POX-TLS-006", "tls/no-legacy-versions"], "still answers a TLS 1.1-only ClientHello with a TLS 1.1 ServerHello (hand-written), while serving TLS 1.2 and 1.3 normally";
    H2AlpnHttp1 = "h2-alpn-http1", true, ["POX-TLS-008", "tls/http2"], "selects h2 in ALPN but then speaks HTTP/1.1 (a TLS terminator in front of an HTTP/1.1-only backend)";
    AuthNoChallenge = "auth-401-no-challenge", true, ["POX-AUTH-001", "auth/anonymous"], "answers unauthenticated POSTs with 401 but no WWW-Authenticate challenge";
    Auth500 = "auth-500", true, ["POX-AUTH-002", "auth/anonymous"], "answers unauthenticated POSTs with HTTP 500 instead of 401";
    AuthLoginRedirect = "auth-login-redirect", true, ["POX-AUTH-003", "auth/anonymous"], "redirects unauthenticated POSTs to an HTML login page (forms-based authentication)";
    AuthWrongPasswordAccepted = "auth-wrong-password-accepted", true, ["POX-AUTH-004", "auth/wrong-password"], "accepts any password for a known user";
    AuthAnonymousSettings = "auth-anonymous-settings", true, ["POX-AUTH-005", "auth/anonymous"], "requires authentication but serves settings to requests that carry none";
    AuthLatin1 = "auth-latin1", true, ["POX-AUTH-006", "auth/right-password"], "decodes Basic credentials as Latin-1, so a non-ASCII password is refused (RFC 7617 says UTF-8)";
    LowerCasePath404 = "lower-case-path-404", true, ["http/path/lower-case*"], "serves only /Autodiscover/Autodiscover.xml and answers the documented lower-case path with 404";
    RequestDeclarationRequired = "request-declaration-required", true, ["request/declaration/*"], "refuses (error 600) requests that do not start with exactly <?xml version=\"1.0\" encoding=\"utf-8\"?>";
    RequestRegexParser = "request-regex-parser", true, ["request/namespace/prefixed", "request/namespace/mixed-prefixes", "request/namespace/redeclared", "request/escape/*", "request/encoding/utf16*"], "finds EMailAddress by searching the text for <EMailAddress>...</EMailAddress>: prefixes, references, CDATA, comments and UTF-16 defeat it";
    RequestBomRefused = "request-bom-refused", true, ["request/encoding/*"], "refuses (error 600) requests that start with a byte-order mark";
    RequestLineParser = "request-line-parser", true, ["request/whitespace/*"], "reads the request line by line, expecting one element per LF-terminated line: CRLF and one-line requests defeat it";
    RequestOrderFixed = "request-order-fixed", true, ["request/order/*"], "expects EMailAddress as the first child of Request (error 600 otherwise)";
    LegacyDnIgnored = "legacydn-ignored", true, ["request/legacydn/*", "address/legacydn/*", "address/unknown/legacydn"], "ignores LegacyDN and looks up EMailAddress only";
    ContentTypeExact = "content-type-exact", true, ["request/content-type/text-xml", "request/content-type/application-xml", "request/content-type/none"], "accepts only Content-Type text/xml; charset=utf-8 (415 otherwise)";
    ContentTypeParametersRefused = "content-type-parameters-refused", true, ["request/content-type/text-xml-charset"], "compares the Content-Type with text/xml as a string, so text/xml; charset=utf-8 gets 415";
    UnknownElementRefused = "unknown-element-refused", false, ["request/extension/*"], "validates requests strictly and answers unknown elements with error 600";
    ChunkedRefused = "chunked-refused", true, ["request/transfer/chunked"], "answers chunked request bodies with 411 Length Required";
    ExpectContinueRefused = "expect-continue-refused", true, ["request/transfer/expect-continue"], "answers Expect: 100-continue with 417 Expectation Failed";
    DomainCaseSensitive = "domain-case-sensitive", true, ["address/case/domain-*", "mobilesync/address/*"], "looks domains up case-sensitively";
    LocalPartCaseSensitive = "local-part-case-sensitive", false, ["address/case/local-*", "address/case/all-upper"], "looks local parts up case-sensitively";
    AddressNotValidated = "address-not-validated", true, ["address/invalid/*"], "looks up whatever EMailAddress holds: empty or @-less addresses get error 500 instead of 600";
    AddressUncheckedCrash = "address-unchecked-crash", true, ["address/unicode/*", "address/long/local-part", "address/form/*", "address/subaddress/*"], "crashes (HTTP 500) on addresses with characters outside [A-Za-z0-9._@-] or over 320 characters";
    WhitespaceNotTrimmed = "whitespace-not-trimmed", false, ["address/whitespace/*", "schema/whitespace/*"], "does not trim whitespace around EMailAddress and AcceptableResponseSchema";
    ElementSearch = "element-search", true, ["errors/structure/wrong-root", "errors/structure/no-request", "errors/structure/two-requests", "errors/structure/response-document"], "finds EMailAddress anywhere in the document (//EMailAddress), whatever the root and structure";
    MissingFieldCrash = "missing-field-crash", true, ["errors/structure/no-emailaddress", "errors/structure/empty-request", "errors/structure/no-schema"], "crashes (HTTP 500) when EMailAddress or AcceptableResponseSchema is missing";
    NamespaceCrash = "namespace-crash", true, ["request/namespace/https-lookalike", "errors/structure/no-namespace"], "crashes (HTTP 500) on a request root outside the two request namespaces";
    ErrorStatus400 = "error-status-400", true, ["errors/malformed/*", "errors/empty/*"], "sends POX errors with HTTP status 400 instead of 200";
    SchemaFromNamespace = "schema-from-namespace", true, ["schema/cross/*"], "chooses the response schema from the request namespace, ignoring AcceptableResponseSchema";
    MobileSyncUrlHttp = "mobilesync-url-http", true, ["mobilesync/settings/url-https"], "advertises the ActiveSync Url over plain http";
    MobileSyncMinimal = "mobilesync-minimal", false, ["mobilesync/settings/user", "mobilesync/settings/culture"], "leaves Culture and User out of mobilesync answers";
    Methods500 = "methods-500", true, ["http/method/*"], "crashes (HTTP 500) on GET over https, HEAD, OPTIONS and PUT";
    KeepAliveRefused = "keep-alive-refused", false, ["http/connection/*"], "closes the connection after every answer (Connection: close)";
    GetRedirectHttp = "get-redirect-http", true, ["redirect/get-probe/https"], "answers the GET probe with a 302 to a plain http URL";
    GetRedirect301 = "get-redirect-301", false, ["redirect/get-probe/status-302"], "answers the GET probe with 301 instead of 302";
    RedirectAddrInvalid = "redirect-addr-invalid", true, ["redirect/redirect-addr/*"], "sends a RedirectAddr that is not an e-mail address (the local part only)";
    EntityExpanded = "entity-expanded", true, ["security/entity/*"], "expands internal entities of a request DOCTYPE (crashing with HTTP 500 past 1 MB)";
    EntityResolved = "entity-resolved", true, ["security/xxe/local-file", "security/xxe/etc-passwd", "security/xinclude/*"], "resolves file: external entities and XIncludes and echoes the address in errors (reads only the checker's poxspec-xxe-* files; /etc/passwd is simulated with a fixed line, never read)";
    EntityFetched = "entity-fetched", true, ["security/xxe/http-entity", "security/xxe/external-dtd", "security/xxe/parameter-entity"], "fetches http: external entities and external DTDs (loopback URLs only)";
    LimitsCrash = "limits-crash", true, ["security/depth/*", "security/attributes/*", "security/size/*", "address/long/hundred-thousand"], "crashes (HTTP 500) when a request passes the parser's depth, attribute or size limit";
    BadBytesCrash = "bad-bytes-crash", true, ["security/encoding/*", "errors/encoding/*"], "crashes (HTTP 500) on request bytes that are not UTF-8, hold a NUL, or fall outside the US-ASCII their declaration names, as a server decoding strictly without catching the error does";
    SlowBodyUnbounded = "slow-body-unbounded", false, ["security/slow/*"], "waits for a request body without a time limit";
    ErrorEchoUnescaped = "error-echo-unescaped", true, ["security/injection/*"], "echoes the address in the error Message without escaping it";
}

impl FaultDef {
    /// Whether a failing finding of `rule` in case `case` is one of the ways this fault must
    /// be detected (an entry equal to the rule ID, or a case-ID glob matching the case).
    pub fn matches(&self, case: &str, rule: &str) -> bool {
        self.detected_by.iter().any(|d| {
            *d == rule
                || (!d.starts_with("POX-") && glob::Pattern::new(d).is_ok_and(|g| g.matches(case)))
        })
    }
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
