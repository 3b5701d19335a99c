//! The rule catalogue: one definition per rule. `poxspec rules`, `docs/RULES.md` and the
//! corpus coverage test are all derived from [`ALL`]; nothing else lists rules.

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Implementation-defined behaviour or an extension: worth knowing, not wrong.
    Info,
    /// A documented default or a practice that misleads clients.
    Warning,
    /// Breaks a documented requirement or leaves the only allowed values.
    Error,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The area a rule belongs to (the middle part of its ID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// Well-formedness, encoding, root element.
    Document,
    /// Namespace URIs.
    Namespace,
    /// Which elements appear where, and how often.
    Structure,
    /// `Account` and its `Action`.
    Account,
    /// `Protocol` and its values.
    Protocol,
    /// On/off values.
    OnOff,
    /// `Error` responses.
    Error,
    /// Request documents.
    Request,
    /// Semantics derived from documented meanings.
    Semantics,
    /// HTTP exchange (applied by the live checker).
    Http,
    /// Consistency with the SMTP AUTH policy.
    Policy,
    /// How a client finds the endpoint (`poxspec discover`).
    Discovery,
    /// The IMAP, POP3 and SMTP endpoints an answer advertises (`discover --probe-endpoints`).
    Endpoint,
    /// The TLS endpoint: certificate, protocol version, ALPN (applied by the live checker).
    Tls,
    /// HTTP authentication (applied by the live checker).
    Auth,
}

/// What a rule is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// A document on its own (`poxspec validate`).
    Document,
    /// A response together with a mailbox's policy state (`validate --policy`, `check`).
    Policy,
    /// An HTTP exchange (`poxspec check`).
    Http,
    /// The discovery path and the advertised endpoints (`poxspec discover`).
    Discovery,
}

/// One conformance rule. The ID is stable: it is never reused for another meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable identifier, `POX-AREA-NNN`.
    pub id: &'static str,
    /// Position in [`ALL`] (for O(1) bookkeeping; not stable across versions, unlike `id`).
    pub index: usize,
    /// Area.
    pub area: Area,
    /// Severity of its findings.
    pub severity: Severity,
    /// What it is applied to.
    pub scope: Scope,
    /// The element(s) it concerns.
    pub elements: &'static [&'static str],
    /// One line.
    pub summary: &'static str,
    /// The documentation page or specification section it rests on.
    pub source: &'static str,
    /// Why, and where the sources are silent or ambiguous.
    pub rationale: &'static str,
}

macro_rules! rules {
    ($($konst:ident = { $id:literal, $area:ident, $sev:ident, $scope:ident, [$($el:literal),*], $summary:literal, $source:expr, $why:literal };)*) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        enum Index { $($konst),* }
        $(
            #[doc = concat!("`", $id, "`: ", $summary)]
            pub const $konst: &Rule = &Rule {
                id: $id,
                index: Index::$konst as usize,
                area: Area::$area,
                severity: Severity::$sev,
                scope: Scope::$scope,
                elements: &[$($el),*],
                summary: $summary,
                source: $source,
                rationale: $why,
            };
        )*
        /// Every rule, in ID order.
        pub static ALL: &[&Rule] = &[$($konst),*];
    };
}

// The `source` strings are built with `concat!` only where they are literal; page URLs share
// the POX reference base, spelled out in full so that each entry reads on its own.
rules! {
    DOC_WELL_FORMED = { "POX-DOC-001", Document, Error, Document, ["*"],
        "The document is well-formed XML within poxspec's limits",
        "XML 1.0 §2.1; MS-OXDSCLI 2.2",
        "A document that is not well-formed cannot be read by any client. The size (1 MiB), depth (64) and attribute limits are poxspec's own safety bounds, far above any real Autodiscover document." };
    DOC_DOCTYPE = { "POX-DOC-002", Document, Error, Document, ["!DOCTYPE"],
        "No DOCTYPE declaration",
        "MS-OXDSCLI 2.2 (no DTD is defined); OWASP XXE guidance",
        "The protocol defines no DTD. A DOCTYPE invites entity expansion and external fetches (XXE, billion laughs); poxspec refuses to process it." };
    DOC_ROOT = { "POX-DOC-003", Document, Error, Document, ["Autodiscover"],
        "The root element is Autodiscover, and it is a request or a response",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/autodiscover-pox",
        "Every request and response example has the root `Autodiscover` (the page title's `AutoDiscover` is prose, not the element name)." };
    DOC_ENCODING = { "POX-DOC-004", Document, Warning, Document, ["?xml"],
        "The document is encoded in UTF-8",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/user-pox (Remarks)",
        "The User page says requests and responses must be UTF-8. UTF-16 with a BOM is still XML every conforming processor reads, and no source says how Outlook treats it, so this is a warning." };
    NS_ROOT = { "POX-NS-001", Namespace, Error, Document, ["Autodiscover"],
        "The root element is in a documented namespace for its kind",
        "MS-OXDSCLI 2.2.3, 2.2.4; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/autodiscover-pox",
        "A request root is in the Outlook or mobilesync request namespace; a response root is in `http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006`. Clients match namespaces as exact strings." };
    NS_LOOKALIKE = { "POX-NS-002", Namespace, Error, Document, ["*"],
        "No look-alike namespace (https://, other case, trailing slash)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pox-autodiscover-response-for-exchange (examples print https://)",
        "Microsoft's reference pages print the namespaces with `https://`, but the URIs are `http://...` and clients compare them exactly; a server that copied the `https://` form made Outlook hang." };
    NS_RESPONSE = { "POX-NS-003", Namespace, Error, Document, ["Response"],
        "Response is in the Outlook or mobilesync response namespace (or the root namespace for a generic error)",
        "MS-OXDSCLI 2.2.4; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/response-pox",
        "Outlook responses re-declare the default namespace on Response as `.../outlook/responseschema/2006a`; mobilesync uses `.../mobilesync/responseschema/2006`; the published generic error example keeps Response in the root namespace." };
    STRUCT_SHAPE = { "POX-STRUCT-001", Structure, Error, Document, ["Response", "Account", "Error"],
        "A response is exactly one of settings, redirect or error",
        "MS-OXDSCLI 3.1.5 (response classes); https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/response-pox",
        "A Response carries one Response element holding either an Account (settings or redirect, by Action) or an Error, not both and not neither." };
    STRUCT_REPEATED = { "POX-STRUCT-002", Structure, Error, Document, ["Response", "User", "Account", "Action", "AccountType", "RedirectAddr", "RedirectUrl", "Type", "Server", "Port", "SSL", "SPA", "ErrorCode", "EMailAddress", "AcceptableResponseSchema"],
        "Single-occurrence elements are not repeated",
        "MS-OXDSCLI 2.2.3, 2.2.4 (element definitions); POX element pages",
        "Each of these holds one value; with two, clients disagree on which one wins. `Protocol`, `OWAUrl` and the mobilesync `Server` may repeat." };
    STRUCT_UNKNOWN = { "POX-STRUCT-003", Structure, Warning, Document, ["*"],
        "No undocumented element in a documented namespace",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pox-autodiscover-xml-elements-for-exchange",
        "An element the documentation does not list for its parent is ignored by clients at best. Exchange's own undocumented `ServerExclusiveConnect` and `GroupingInformation` are modelled and not flagged." };
    STRUCT_NEAR_MISS = { "POX-STRUCT-004", Structure, Error, Document, ["*"],
        "No misspelt documented element (wrong case, or a known near-miss such as <TLS>)",
        "XML 1.0 §3 (names are case-sensitive); POX element pages",
        "`RedirectURL` for `RedirectUrl`, `EmailAddress` for `EMailAddress`, `Ssl` for `SSL`, `<TLS>` for `SSL`/`Encryption`: a client looking for the documented name does not see the value, so the setting silently takes its default." };
    STRUCT_FOREIGN = { "POX-STRUCT-005", Structure, Info, Document, ["*"],
        "Elements from other namespaces are extensions",
        "Namespaces in XML 1.0",
        "An element in a namespace of its own is an extension clients ignore; reported for information." };
    STRUCT_TEXT_ONLY = { "POX-STRUCT-006", Structure, Error, Document, ["*"],
        "Text-only elements hold no child elements",
        "POX element pages (each value element is a simple string)",
        "A value element with child elements has no well-defined value." };
    STRUCT_USER = { "POX-STRUCT-007", Structure, Error, Document, ["User"],
        "A settings response carries a User element",
        "MS-OXDSCLI 3.2.5",
        "MS-OXDSCLI 3.2.5: unless redirecting or failing, the server MUST return a response with a User element. Many ISP servers omit it; the specification does not say how clients react, but the requirement is stated." };
    ACCT_TYPE = { "POX-ACCT-001", Account, Error, Document, ["AccountType"],
        "AccountType is `email` where present",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/accounttype-pox",
        "`email` is the only documented value." };
    ACCT_TYPE_REQUIRED = { "POX-ACCT-002", Account, Error, Document, ["AccountType"],
        "A settings Account carries AccountType",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/account-pox",
        "Needed for `settings`. Redirect responses commonly omit it (the specification's own redirect example has none), so it is not required there." };
    ACCT_ACTION = { "POX-ACCT-003", Account, Error, Document, ["Action"],
        "Action is exactly settings, redirectAddr or redirectUrl (case matters)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/action-pox",
        "The three values are documented in this exact case; `RedirectUrl` or `Settings` are other strings to a client comparing them." };
    ACCT_ACTION_REQUIRED = { "POX-ACCT-004", Account, Error, Document, ["Action"],
        "An Account carries an Action",
        "MS-OXDSCLI 2.2.4.1.1.2.2",
        "Without Action a client cannot tell settings from a redirect." };
    ACCT_PROTOCOL_REQUIRED = { "POX-ACCT-005", Account, Error, Document, ["Protocol"],
        "A settings Account has at least one Protocol",
        "MS-OXDSCLI 2.2.4.1.1.2.6",
        "Protocol is a required child of Account when Action is `settings`." };
    ACCT_REDIRECT_ADDR = { "POX-ACCT-006", Account, Error, Document, ["RedirectAddr"],
        "redirectAddr carries one well-formed RedirectAddr e-mail address",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/redirectaddr-pox; MS-OXDSCLI 2.2.4.1.1.2.8",
        "The client restarts with this address as EMailAddress; it must be `local@domain`." };
    ACCT_REDIRECT_URL = { "POX-ACCT-007", Account, Error, Document, ["RedirectUrl"],
        "redirectUrl carries one absolute https RedirectUrl",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/redirecturl-pox; MS-OXDSCLI 2.2.4.1.1.2.9",
        "The client re-sends its request, with credentials, to this URL; over plain http it would leak them, and clients refuse it." };
    ACCT_REDIRECT_STRAY = { "POX-ACCT-008", Account, Info, Document, ["RedirectAddr", "RedirectUrl"],
        "RedirectAddr/RedirectUrl appear only with their Action",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/action-pox",
        "Implementation-defined: the pairing is implied by the Action descriptions, but no source forbids a stray redirect element; clients ignore it." };
    ACCT_MSONLINE = { "POX-ACCT-009", Account, Error, Document, ["MicrosoftOnline"],
        "MicrosoftOnline is a boolean (true/false)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/microsoftonline-pox",
        "A boolean; Exchange writes `True`/`False`, so the comparison ignores case." };
    PROTO_TYPE_REQUIRED = { "POX-PROTO-001", Protocol, Error, Document, ["Type"],
        "A Protocol has a Type (child element, or the MAPI/HTTP Type attribute)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/type-pox; MS-OXDSCLI 2.2.4.1.1.2.6",
        "Nested Protocols in Internal/External carry Type too. The MAPI/HTTP form puts `Type=\"mapiHttp\"` in an attribute instead of a child." };
    PROTO_TYPE_NEAR_MISS = { "POX-PROTO-002", Protocol, Error, Document, ["Type"],
        "Type is not a misspelling of a documented value (POP, IMAP4, pop3, ...)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/type-pox; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/server-pox",
        "Clients compare Type exactly: `POP` or `IMAP4` or `Imap` is not recognised and the protocol is skipped." };
    PROTO_TYPE_EXTENSION = { "POX-PROTO-003", Protocol, Info, Document, ["Type"],
        "Type values outside the documented set are extensions",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/type-pox",
        "Implementation-defined: the Type page lists EXCH, EXPR, EXHTTP and WEB; POP3, IMAP, SMTP (and DAV, NNTP) are implied by other pages. Values such as CalDAV are extensions clients skip." };
    PROTO_MAPI_FORM = { "POX-PROTO-004", Protocol, Error, Document, ["Protocol"],
        "The MAPI/HTTP attribute form is Type=\"mapiHttp\" with a positive integer Version",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/protocol-pox; MS-OXDSCLI 2.2.4.1.1.2.6",
        "The POX page says the only valid Version is 1; MS-OXDSCLI allows any integer up to the client's X-MapiHttpCapability. A non-integer Version, or a Type attribute other than mapiHttp, is an error." };
    PROTO_DUPLICATE_TYPE = { "POX-PROTO-005", Protocol, Warning, Document, ["Protocol", "Type"],
        "No two Protocols of the same Type in one Account",
        "EWS Managed API behaviour (known deviation)",
        "The EWS Managed API rejects an Account with two Protocols of one Type; the POX pages do not forbid it." };
    PROTO_PORT = { "POX-PROTO-006", Protocol, Error, Document, ["Port", "DirectoryPort", "ReferralPort"],
        "Ports are decimal integers in 1..65535 (0 allowed in EXCH/EXPR)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/port-pox",
        "A TCP port. Exchange's EXCH/EXPR blocks carry 0 to mean the default; for POP3/IMAP/SMTP a port must be 1..65535." };
    PROTO_TTL = { "POX-PROTO-007", Protocol, Error, Document, ["TTL"],
        "TTL is a non-negative integer (hours)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ttl-pox",
        "A number of hours; 0 means no need to rediscover; absent means 1 hour." };
    PROTO_SERVER = { "POX-PROTO-008", Protocol, Error, Document, ["Server"],
        "Server is non-empty, and present for POP3, IMAP and SMTP",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/server-pox",
        "For POP3, IMAP and SMTP, Server is the host to connect to; without it the protocol cannot be used." };
    PROTO_SMTP_ONLY = { "POX-PROTO-009", Protocol, Error, Document, ["UsePOPAuth", "SMTPLast"],
        "UsePOPAuth and SMTPLast appear only under an SMTP Protocol",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/usepopauth-pox; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/smtplast-pox",
        "Both pages say the element is used only when Type is SMTP." };
    PROTO_ENCRYPTION = { "POX-PROTO-010", Protocol, Error, Document, ["Encryption"],
        "Encryption is one of None, SSL, TLS, Auto",
        "MS-OXDSCLI Protocol (Encryption section not verified); Outlook's ENCRYPT_CONN_* constants",
        "No POX page documents Encryption; the four values match Outlook's own connection-security constants. `STARTTLS` and other spellings are not recognised." };
    PROTO_ENCRYPTION_SSL = { "POX-PROTO-011", Protocol, Warning, Document, ["Encryption", "SSL"],
        "Encryption and SSL do not contradict each other",
        "MS-OXDSCLI Protocol (Encryption overrides SSL; not verified)",
        "When both are present Encryption wins in Outlook, but clients that know only SSL act on it: `Encryption` None with `SSL` on (or SSL/TLS with `SSL` off) sends them different ways." };
    PROTO_STARTTLS_PORT = { "POX-PROTO-012", Protocol, Error, Document, ["Encryption", "Port"],
        "Encryption TLS (STARTTLS) is not advertised on an implicit-TLS port (993, 995, 465)",
        "RFC 8314 §7 (implicit-TLS ports); derived",
        "Derived: to Outlook `TLS` means STARTTLS, but 993, 995 and 465 speak TLS from the first byte, so the client's plain-text greeting fails. Servers that send this break Outlook." };
    PROTO_SPA_ABSENT = { "POX-PROTO-013", Protocol, Warning, Document, ["SPA"],
        "POP3/IMAP/SMTP protocols state SPA (absent means on: NTLM required)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/spa-pox",
        "SPA defaults to on. A server that omits it tells a spec-following client that Secure Password Authentication (NTLM) is required, which most non-Exchange servers do not offer." };
    PROTO_SSL_OFF = { "POX-PROTO-014", Protocol, Warning, Document, ["SSL"],
        "SSL is not off without Encryption",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ssl-pox",
        "With SSL off and no Encryption the client sends credentials in clear text." };
    PROTO_URL = { "POX-PROTO-015", Protocol, Error, Document, ["EwsUrl", "ASUrl", "OOFUrl", "OABUrl", "UMUrl", "EcpUrl", "EmwsUrl", "OWAUrl", "InternalUrl", "ExternalUrl"],
        "URL elements hold absolute http(s) URLs",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ewsurl-pox (and the sibling URL pages)",
        "Clients connect to these URLs as given. (The EcpUrl-* siblings hold relative fragments and are not checked.)" };
    PROTO_AUTH_PACKAGE = { "POX-PROTO-016", Protocol, Error, Document, ["AuthPackage"],
        "AuthPackage is one of basic, kerb, kerbntlm, ntlm, certificate, negotiate, nego2, or anonymous (Exchange Online's own value)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/authpackage-pox; Exchange Online responses (captures kept by public client projects)",
        "The page lists seven values in lower case and no `anonymous`, but Exchange Online writes `<AuthPackage>Anonymous</AuthPackage>` in its EXCH/EXPR blocks, and what Microsoft's service sends is conformant for every client that works with Office 365: `anonymous` is accepted. Exchange writes `Basic`, `Ntlm`, `Negotiate` and `Anonymous` while the page writes lower case, so the comparison ignores case." };
    PROTO_SERVER_VERSION = { "POX-PROTO-017", Protocol, Error, Document, ["ServerVersion"],
        "ServerVersion is eight hexadecimal digits",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/serverversion-pox",
        "A 32-bit value in hexadecimal (e.g. 738180DA) encoding major, minor and build." };
    ONOFF_CASE = { "POX-ONOFF-001", OnOff, Warning, Document, ["DomainRequired", "SPA", "SSL", "AuthRequired", "UsePOPAuth", "SMTPLast"],
        "On/off value in another letter case (On, OFF)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ssl-pox (and the other on/off pages)",
        "The documented values are exactly `on` and `off`. Exchange Online itself writes `On`/`Off`, so every client that works with Office 365 accepts the case variant: a warning, not an error." };
    ONOFF_SYNONYM = { "POX-ONOFF-002", OnOff, Error, Document, ["DomainRequired", "SPA", "SSL", "AuthRequired", "UsePOPAuth", "SMTPLast"],
        "On/off value spelt as a boolean (true, false, 1, 0, yes, no)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ssl-pox (and the other on/off pages)",
        "No source and no Microsoft server uses boolean synonyms; clients comparing with `on` read them as off." };
    ONOFF_PADDED = { "POX-ONOFF-003", OnOff, Info, Document, ["DomainRequired", "SPA", "SSL", "AuthRequired", "UsePOPAuth", "SMTPLast"],
        "On/off value with surrounding whitespace",
        "not addressed by any source",
        "Implementation-defined: no source says whether clients trim the value. The value is judged after trimming, and the padding is reported for information." };
    ONOFF_EMPTY = { "POX-ONOFF-004", OnOff, Error, Document, ["DomainRequired", "SPA", "SSL", "AuthRequired", "UsePOPAuth", "SMTPLast"],
        "On/off element is empty",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ssl-pox (and the other on/off pages)",
        "An empty element is neither on nor off; omit the element to mean the documented default." };
    ONOFF_OTHER = { "POX-ONOFF-005", OnOff, Error, Document, ["DomainRequired", "SPA", "SSL", "AuthRequired", "UsePOPAuth", "SMTPLast"],
        "On/off element holds some other value",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ssl-pox (and the other on/off pages)",
        "The only documented values are `on` and `off`." };
    ONOFF_TRANSLATED = { "POX-ONOFF-006", OnOff, Error, Document, ["DomainRequired", "SPA", "SSL", "AuthRequired", "UsePOPAuth", "SMTPLast"],
        "On/off value copied from a machine-translated documentation page (aktiviert, deaktiviert, 在, 打开, 关闭, отключено)",
        "https://learn.microsoft.com/de-de/exchange/client-developer/web-service-reference/usepopauth-pox (and the zh-cn and ru-ru pages)",
        "Microsoft's element pages are machine-translated, value lists included: German gives `aktiviert`/`deaktiviert`, Chinese `在` (a mistranslation of \"on\"), `打开`/`关闭`, Russian \"On и on\" with the default `отключено`. A server written from such a page writes those words; clients compare with `on` and read them as off. The XML value is always `on` or `off`; the finding names the language and the value meant." };
    ERR_CODE = { "POX-ERR-001", Error, Error, Document, ["ErrorCode"],
        "Error carries an ErrorCode that is a decimal integer",
        "MS-OXDSCLI 2.2.4.1.1.3.2",
        "ErrorCode is required in Error and is an integer." };
    ERR_CODE_KNOWN = { "POX-ERR-002", Error, Warning, Document, ["ErrorCode"],
        "ErrorCode is one of 500, 501, 600, 601, 602, 603",
        "MS-OXDSCLI 2.2.4.1.1.3.2",
        "The specification says the code SHOULD be one of these and MAY be another; there is no 502. An undocumented code is a warning." };
    ERR_ATTRIBUTES = { "POX-ERR-003", Error, Warning, Document, ["Error"],
        "Error has well-formed Time (HH:MM:SS[.fraction]) and Id (unsigned integer) attributes",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/error-pox",
        "Both attributes are documented; no source says they are required, so a missing or malformed one is a warning." };
    ERR_PLACEMENT = { "POX-ERR-004", Error, Info, Document, ["Error"],
        "Error under Account (reference page) rather than under Response (specification)",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/error-pox; MS-OXDSCLI 2.2.4.1.1.3",
        "Implementation-defined: the reference page gives Account as the parent, the specification and the published examples put Error under Response. Both occur in the wild; clients should accept both." };
    REQ_ADDRESS = { "POX-REQ-001", Request, Error, Document, ["EMailAddress", "LegacyDN"],
        "A Request carries EMailAddress or LegacyDN",
        "MS-OXDSCLI 2.2.3.1.1.2, 2.2.3.1.1.3",
        "One of the two identifies the mailbox." };
    REQ_SCHEMA = { "POX-REQ-002", Request, Error, Document, ["AcceptableResponseSchema"],
        "AcceptableResponseSchema names a documented response schema",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptableresponseschema-pox",
        "Outlook sends `.../outlook/responseschema/2006a`, ActiveSync clients `.../mobilesync/responseschema/2006`; a server answers anything else with error 601." };
    REQ_EMAIL = { "POX-REQ-003", Request, Error, Document, ["EMailAddress"],
        "EMailAddress is a well-formed e-mail address",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/emailaddress-pox",
        "The user's SMTP address, `local@domain`." };
    REQ_SCHEMA_FAMILY = { "POX-REQ-004", Request, Warning, Document, ["AcceptableResponseSchema"],
        "The response schema asked for matches the request schema (Outlook or mobilesync)",
        "MS-ASCMD 2.2.3 (mobilesync); MS-OXDSCLI 2.2.3",
        "An Outlook request asking for the mobilesync response schema (or the reverse) is not described by either specification; servers answer 601 or pick one." };
    REQ_BOTH_IDS = { "POX-REQ-005", Request, Info, Document, ["EMailAddress", "LegacyDN"],
        "Request carries both EMailAddress and LegacyDN (the server uses LegacyDN)",
        "MS-OXDSCLI 3.2.5",
        "Documented behaviour: with both, the server MUST use LegacyDN. Reported so that a client author knows which one decides." };
    SEM_USEPOPAUTH_NO_POP3 = { "POX-SEM-001", Semantics, Warning, Document, ["UsePOPAuth"],
        "UsePOPAuth on only where the Account has a POP3 protocol",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/usepopauth-pox; derived",
        "Derived from the documented semantics, not quoted: UsePOPAuth on tells the client to reuse the POP3 account's credentials for SMTP; without a POP3 protocol in the same Account there are none to reuse." };
    SEM_SMTPLAST_NO_DOWNLOAD = { "POX-SEM-002", Semantics, Warning, Document, ["SMTPLast"],
        "SMTPLast on only where the Account has a POP3 or IMAP protocol to download from",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/smtplast-pox; derived",
        "Derived from the documented semantics, not quoted: SMTPLast on means the server requires mail to be downloaded before sending (POP-before-SMTP); with no POP3 or IMAP protocol the client cannot satisfy it." };
    POL_AUTH_DISABLED = { "POX-POL-001", Policy, Error, Policy, ["Protocol", "AuthRequired"],
        "No authenticated SMTP advertised to a mailbox whose SMTP AUTH is effectively disabled",
        "Exchange Online: Set-CASMailbox / Set-TransportConfig -SmtpClientAuthenticationDisabled; derived",
        "Derived from the documented semantics, not quoted: SMTP AUTH is effectively disabled for the mailbox (security defaults, else its SmtpClientAuthenticationDisabled, else the organisation's), yet an SMTP protocol with AuthRequired on (explicitly or by default) is advertised; the client will be refused at send time. An authentication policy with AllowBasicAuthSmtp false does not disable SMTP AUTH (OAuth clients still submit): that state is POX-POL-004's." };
    POL_OAUTH_ONLY = { "POX-POL-004", Policy, Info, Policy, ["Protocol", "AuthRequired"],
        "Authenticated SMTP advertised to a mailbox whose SMTP AUTH is OAuth only",
        "Exchange Online: New-AuthenticationPolicy -AllowBasicAuthSmtp, Set-User -AuthenticationPolicy, Set-OrganizationConfig -DefaultAuthenticationPolicy; derived",
        "Derived, not quoted: the authentication policy in effect for the mailbox (the user's, else the organisation default) blocks Basic authentication for SMTP, so only OAuth (XOAUTH2) submissions succeed. A POX response cannot say which SASL mechanism to use (AuthRequired and UsePOPAuth are all it has), so advertising SMTP is the only way to serve an OAuth client and is not wrong; a client that takes these settings and sends the password (Basic, AUTH LOGIN/PLAIN) is refused at send time. Which clients use OAuth for SMTP with these settings is client behaviour the specifications do not cover: implementation-defined, reported as information." };
    POL_NO_SMTP = { "POX-POL-002", Policy, Warning, Policy, ["Protocol"],
        "POP3/IMAP advertised with a usable SMTP protocol when the mailbox may use SMTP AUTH",
        "Exchange Online: authenticated SMTP submission; derived",
        "Derived from the documented semantics, not quoted: POP3 and IMAP clients can only send through authenticated SMTP; with SMTP AUTH enabled for the mailbox but no SMTP protocol (with a Server) advertised, the client is set up to receive only." };
    POL_PROTOCOL_DISABLED = { "POX-POL-003", Policy, Error, Policy, ["Protocol", "Type"],
        "No POP3/IMAP advertised for a mailbox whose export says that protocol is disabled",
        "Exchange Online: Set-CASMailbox -PopEnabled / -ImapEnabled; derived",
        "Derived from the documented semantics, not quoted: PopEnabled or ImapEnabled false means the server refuses that protocol for the mailbox, so advertising it sets the client up to fail. No source links these switches to SMTP AUTH; only the protocol itself is checked." };
    DISC_NOTHING_FOUND = { "POX-DISC-001", Discovery, Error, Discovery, ["Autodiscover URL"],
        "At least one discovery method (domain, autodiscover host, GET redirect, SRV) reaches an Autodiscover endpoint",
        "MS-OXDISCO 3.1.5 (candidate URLs); MS-OXDSCLI 3.1.5.1",
        "When every candidate fails, a client cannot configure the account and asks the user for server settings by hand." };
    DISC_STEP_TOLERATED = { "POX-DISC-002", Discovery, Info, Discovery, ["Autodiscover URL"],
        "A candidate that does not exist or does not answer is skipped",
        "MS-OXDISCO 3.1.5 (not getting SRV records is not an error); MS-OXDSCLI 3.1.5.1 (URI not functional)",
        "Documented behaviour: no address record for the bare domain, a refused connection, no SRV record, or a web site that does not serve Autodiscover make a client move on to the next candidate; reported so that the walk is complete, not as a fault." };
    DISC_CERT_NAME = { "POX-DISC-003", Discovery, Error, Discovery, ["certificate"],
        "An https candidate that answers presents a certificate valid for the name in the URL",
        "RFC 9110 §4.3.4; RFC 6125; Outlook certificate warning on Autodiscover",
        "A certificate for another name (a shared hosting certificate on the bare domain, typically) makes Outlook show a security warning or fail, before it ever tries the next candidate; the user has to decide." };
    DISC_REDIRECT_FOREIGN = { "POX-DISC-004", Discovery, Warning, Discovery, ["Location", "SRV"],
        "The GET redirect and the SRV target stay within the mailbox's domain",
        "MS-OXDISCO 3.1.5 (warn the user before using a redirected URL); Outlook's 'Allow this website to configure' prompt",
        "A redirect or an SRV target on another domain is followed only after the user confirms it; many users decline, and unattended clients cannot ask." };
    DISC_SRV_TARGET = { "POX-DISC-005", Discovery, Error, Discovery, ["SRV"],
        "The SRV record's target and port serve Autodiscover over https",
        "EWS Autodiscover guide (use SRV records pointing to an SSL endpoint); RFC 2782",
        "A published SRV record is a promise: a target that refuses, speaks another protocol on the port, or does not answer Autodiscover sends every client that reaches this step to a dead end." };
    DISC_GET_NOT_HTTPS = { "POX-DISC-006", Discovery, Error, Discovery, ["Location"],
        "The unauthenticated GET probe redirects to an https URL that answers",
        "MS-OXDISCO 3.1.5 (HTTP redirect method)",
        "Clients POST credentials to the Location of the GET redirect; a plain http Location would expose them and is refused, and a Location that does not answer ends the walk." };
    ENDP_CONNECT = { "POX-ENDP-001", Endpoint, Error, Discovery, ["Server", "Port"],
        "Every advertised IMAP, POP3 and SMTP Server:Port accepts connections",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/server-pox; derived",
        "Derived: a client configured from the answer connects to Server on Port; a refused connection, no address or a timeout leaves the account unusable." };
    ENDP_TRANSPORT = { "POX-ENDP-002", Endpoint, Error, Discovery, ["SSL", "Encryption", "Port"],
        "The endpoint speaks the transport the answer names (implicit TLS for SSL, STARTTLS for Encryption TLS)",
        "MS-OXDSCLI Protocol (Encryption overrides SSL; not verified); RFC 8314 §3; RFC 3207; RFC 2595",
        "Observed, not guessed from the port: a client told STARTTLS waits for a plain-text greeting that an implicit-TLS server never sends; a client told SSL starts a handshake a plain-text server answers with its greeting. Encryption Auto accepts either; Encryption None or SSL off expects a plain-text greeting." };
    ENDP_CERT = { "POX-ENDP-003", Endpoint, Error, Discovery, ["Server", "certificate"],
        "The endpoint's TLS certificate is valid for the Server name the answer gives",
        "RFC 6125; RFC 8314 §4.1",
        "The client verifies the certificate against the host name it was told to use; a certificate for another name fails or makes the user accept a warning." };
    ENDP_SMTP_AUTH = { "POX-ENDP-004", Endpoint, Error, Discovery, ["AuthRequired"],
        "An SMTP endpoint advertised with AuthRequired on offers AUTH in its EHLO reply (after STARTTLS where it requires TLS first)",
        "RFC 4954 §3; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/authrequired-pox",
        "A client told to authenticate looks for the AUTH extension; without it, it cannot log in and submission fails." };
    ENDP_SMTP_POLICY = { "POX-ENDP-005", Endpoint, Error, Discovery, ["Protocol", "AuthRequired"],
        "A mailbox whose SMTP AUTH is disabled is not invited to submit through an SMTP endpoint that offers AUTH",
        "Exchange Online: Set-CASMailbox -SmtpClientAuthenticationDisabled; derived",
        "Derived from the documented semantics, not quoted: the endpoint offers AUTH and the answer points the mailbox at it, yet the mailbox's effective SmtpClientAuthenticationDisabled is true, so every submission is refused at AUTH time." };
    HTTP_STATUS = { "POX-HTTP-001", Http, Error, Http, ["HTTP status"],
        "A POST is answered with HTTP 200 and an Autodiscover document",
        "MS-OXDSCLI 3.1.5, 3.2.5",
        "Settings, redirects and POX errors all travel as HTTP 200 bodies; a bare 4xx/5xx/204 tells a client nothing and makes it move on to the next candidate URL. HTTP 302 is a documented redirect and is followed." };
    HTTP_CONTENT_TYPE = { "POX-HTTP-002", Http, Error, Http, ["Content-Type"],
        "Responses are labelled text/xml (or application/xml)",
        "MS-ASCMD 2.2.1.1; MS-ASHTTP (text/xml)",
        "The mobilesync specification requires text/xml; Exchange answers every Autodiscover POST as text/xml. Clients that check the type refuse text/plain or JSON." };
    HTTP_CHARSET = { "POX-HTTP-003", Http, Error, Http, ["Content-Type"],
        "The charset parameter agrees with the body's encoding",
        "RFC 7303 §3.2; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/user-pox (UTF-8)",
        "A charset that contradicts the bytes (iso-8859-1 on UTF-8, say) makes a conforming client decode non-ASCII text wrongly." };
    HTTP_CHARSET_MISSING = { "POX-HTTP-004", Http, Warning, Http, ["Content-Type"],
        "The Content-Type names charset=utf-8",
        "RFC 7303 §3.2, §8.1",
        "Without a charset, text/xml leaves the encoding to the XML declaration; Exchange sends charset=utf-8 and clients expect it." };
    HTTP_INVALID_REQUEST = { "POX-HTTP-005", Http, Error, Http, ["ErrorCode"],
        "Malformed requests (bad XML, empty body, no EMailAddress) get a POX Error with ErrorCode 600",
        "MS-OXDSCLI 2.2.4.1.1.3.2 (600: invalid request)",
        "Error 600 is the documented answer to an invalid request; an empty 400/500, a plain-text page or a crash gives the client nothing to act on." };
    HTTP_UNKNOWN_ADDRESS = { "POX-HTTP-006", Http, Error, Http, ["ErrorCode"],
        "An unknown address gets a POX Error with ErrorCode 500",
        "MS-OXDSCLI 2.2.4.1.1.3.2 (500: address not found)",
        "Error 500 is the documented answer for an address the server does not know; 204, 404 or an empty body are not." };
    HTTP_SCHEMA_UNAVAILABLE = { "POX-HTTP-007", Http, Error, Http, ["AcceptableResponseSchema", "ErrorCode"],
        "An unsupported AcceptableResponseSchema gets ErrorCode 601",
        "MS-OXDSCLI 2.2.4.1.1.3.2 (601: schema not available); https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptableresponseschema-pox",
        "A server that ignores the schema asked for and answers in another one leaves the client parsing a document it did not ask for." };
    HTTP_SIZE = { "POX-HTTP-008", Http, Error, Http, ["body"],
        "Responses fit within the client's size cap (1 MiB by default)",
        "poxspec client limit",
        "Autodiscover documents are a few kilobytes; clients cap what they read, and a response past the cap is cut off." };
    HTTP_TIME = { "POX-HTTP-009", Http, Error, Http, ["response time"],
        "Responses arrive within the client's timeout",
        "poxspec client limit (--timeout)",
        "Clients give each candidate URL a few seconds; a slower server is skipped as if it did not exist." };
    HTTP_MIXED_CASE_PATH = { "POX-HTTP-010", Http, Error, Http, ["URL path"],
        "The mixed-case path /AutoDiscover/AutoDiscover.xml is served like /autodiscover/autodiscover.xml",
        "MS-OXDISCO (the path strings are not case sensitive)",
        "Clients use both spellings; a server on a case-sensitive file system that serves only one of them fails half of them." };
    HTTP_MOBILESYNC = { "POX-HTTP-011", Http, Error, Http, ["Response"],
        "A mobilesync request gets a mobilesync response (or a POX Error), not an HTTP error",
        "MS-ASCMD 2.2.2.1 Autodiscover",
        "Clients asking for the mobilesync schema often get 400 in the wild; the documented answer is a mobilesync Response or error 601." };
    HTTP_GET_REDIRECT = { "POX-HTTP-012", Http, Error, Http, ["Location"],
        "An unauthenticated GET to http://.../autodiscover/autodiscover.xml answers 302 to an https URL",
        "MS-OXDISCO 3.1.5 (HTTP redirect method)",
        "The GET probe is the documented way for a domain to point clients at its real endpoint; the Location must be https." };
    HTTP_REDIRECT_CHAIN = { "POX-HTTP-013", Http, Error, Http, ["RedirectAddr", "RedirectUrl", "Location"],
        "Redirects end in settings or an error within 10 hops, without a loop",
        "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/redirecturl-pox (stop after 10 redirects)",
        "A loop must end in an error, not a hang; clients give up after ten hops." };
    HTTP_REDIRECT_LONG = { "POX-HTTP-014", Http, Warning, Http, ["RedirectAddr", "RedirectUrl", "Location"],
        "Redirect chains are at most 2 hops",
        "client behaviour (Thunderbird follows 2 redirects, the EWS libraries 10)",
        "Clients disagree on hop limits; a chain longer than 2 works in Outlook but not everywhere." };
    HTTP_OVERSIZE_REQUEST = { "POX-HTTP-015", Http, Error, Http, ["request body"],
        "An oversize request is refused cleanly (HTTP 413 or a POX Error), not with a crash or a hang",
        "RFC 9110 §15.5.14; MS-OXDSCLI 2.2.4.1.1.3.2 (600)",
        "A server that reads unbounded request bodies can be knocked over; the clean answers are 413 or error 600." };
    HTTP_REDIRECT_ORIGIN = { "POX-HTTP-016", Http, Info, Http, ["Location", "RedirectUrl"],
        "A redirect to another origin than the one named is followed without credentials",
        "RFC 9110 §15.4 and the Fetch standard (Authorization is dropped when a redirect changes origin); MS-OXDISCO 3.1.5 (ask the user before following a redirect)",
        "Outlook asks the user before it trusts a redirect to another host, and HTTP clients drop Authorization when a redirect changes origin (scheme, host or port). poxspec follows such a hop without credentials and reports it so the chain is visible; following it without credentials is documented behaviour of clients, not a defect of the server (hosted mailboxes are redirected to their provider), hence info." };
    HTTP_REDIRECT_DOWNGRADE = { "POX-HTTP-017", Http, Error, Http, ["Location", "RedirectUrl"],
        "Redirects never lead from https to plain http",
        "RFC 9110 §17.1; https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/redirecturl-pox (RedirectUrl is an https URL)",
        "Autodiscover requests carry the mailbox address and, to the named host, credentials; a redirect down to http exposes the request on the wire and invites a client to re-send credentials in clear. poxspec follows it without credentials to judge the rest, and reports it as an error." };
    HTTP_CREDENTIALS_ECHO = { "POX-HTTP-018", Http, Error, Http, ["body"],
        "Responses never echo the request's credentials",
        "RFC 9110 §11.6.2 (credentials are for the origin server only); derived",
        "Derived, not quoted: a server that copies the Authorization header or the decoded password into its answer (debug output, DebugData, comments) hands the password to everything that logs responses: proxies, client logs, CI artifacts. poxspec detects the echo by matching the password and its Basic token, and shows neither." };
    TLS_TRUSTED = { "POX-TLS-001", Tls, Error, Http, ["certificate"],
        "The certificate chain leads to a trusted root (no unknown issuer, no untrusted self-signed certificate)",
        "RFC 9110 §4.3.4 (https: the client verifies the certificate); RFC 5280 §6",
        "A verifying client (Outlook, mobile clients, every HTTP library by default) refuses an unknown issuer or an untrusted self-signed certificate; Outlook warns and many users cannot go on. A private CA is legitimate on staging: trust it with --ca-file. Judged at a moment inside the certificates' validity, so that expiry is reported by POX-TLS-003 alone." };
    TLS_NAME = { "POX-TLS-002", Tls, Error, Http, ["certificate"],
        "The certificate is valid for the URL's host name",
        "RFC 9110 §4.3.4; RFC 6125 §6",
        "The name checked is the URL's host, also when --connect-to or --resolve send the connection elsewhere. A certificate for mail.contoso.com served on autodiscover.contoso.com makes Outlook warn; the autodiscover name is the usual gap in SAN lists." };
    TLS_EXPIRED = { "POX-TLS-003", Tls, Error, Http, ["certificate"],
        "No certificate in the chain is past its notAfter date",
        "RFC 5280 §4.1.2.5, §6.1.3 (a)(2)",
        "An expired certificate is the most common Autodiscover failure in the field; every verifying client refuses it." };
    TLS_NOT_YET_VALID = { "POX-TLS-004", Tls, Error, Http, ["certificate"],
        "No certificate in the chain is used before its notBefore date",
        "RFC 5280 §4.1.2.5, §6.1.3 (a)(2)",
        "A certificate deployed before it is valid (or a clock far off on either side) is refused like an expired one." };
    TLS_VERSION = { "POX-TLS-005", Tls, Error, Http, ["TLS version"],
        "A client offering TLS 1.2 and 1.3 gets one of them",
        "RFC 8996 §2, §3; RFC 9325 §3.1.1",
        "Current clients offer TLS 1.2 and later only; a server limited to TLS 1.0/1.1 cannot be reached. poxspec's TLS library (rustls) has no TLS 1.1, so when the handshake fails a hand-written TLS 1.1 ClientHello shows what the server does offer." };
    TLS_LEGACY = { "POX-TLS-006", Tls, Warning, Http, ["TLS version"],
        "A client offering only TLS 1.1 or older is refused",
        "RFC 8996 §2, §3 (TLS 1.0 and 1.1 MUST NOT be negotiated)",
        "RFC 8996 forbids negotiating TLS 1.0 and 1.1, but no Autodiscover specification names a TLS version and Exchange Server still accepts TLS 1.0 where Windows allows it; current clients are not affected, so this is a warning (failing under --strict). Probed with a hand-written TLS 1.1 ClientHello: the ServerHello's version is the verdict." };
    TLS_HTTP2 = { "POX-TLS-007", Tls, Info, Http, ["ALPN"],
        "HTTP/2 is offered through ALPN",
        "RFC 9113 §3.2; RFC 7301",
        "Implementation-defined: no Autodiscover specification mentions HTTP/2, and Outlook's Autodiscover works over HTTP/1.1. Reported so that a server author knows what clients that prefer HTTP/2 will get." };
    TLS_HTTP2_SERVED = { "POX-TLS-008", Tls, Error, Http, ["ALPN"],
        "A server that selects h2 in ALPN serves the Autodiscover POST over HTTP/2",
        "RFC 7301 §3.2 (the selected protocol is the one spoken); RFC 9113 §3.2",
        "Clients that prefer HTTP/2 (.NET HttpClient, browsers, most HTTP libraries) speak it as soon as ALPN selects it; a TLS terminator that selects h2 in front of an HTTP/1.1-only backend breaks all of them while HTTP/1.1 clients see nothing wrong." };
    AUTH_CHALLENGE = { "POX-AUTH-001", Auth, Error, Http, ["WWW-Authenticate"],
        "A 401 answer carries a WWW-Authenticate challenge",
        "RFC 9110 §11.6.1, §15.5.2 (a server generating 401 MUST send WWW-Authenticate)",
        "Without a challenge the client cannot tell which scheme (Basic, NTLM, Negotiate) to answer with; Outlook stops instead of asking for a password." };
    AUTH_STATUS = { "POX-AUTH-002", Auth, Error, Http, ["HTTP status"],
        "A POST without valid credentials gets 401, not a server error or another status",
        "RFC 9110 §11.6.1, §15.5.2",
        "A 5xx tells the client the server is broken, so it moves on to the next candidate URL instead of asking for a password; 403 says credentials would not help. Only 401 with a challenge starts authentication." };
    AUTH_LOGIN_REDIRECT = { "POX-AUTH-003", Auth, Error, Http, ["Location"],
        "A POST without valid credentials is not redirected to a login page",
        "RFC 9110 §11.6.1 (HTTP authentication); derived",
        "Derived, not quoted: reverse proxies that publish Exchange with forms-based authentication redirect unauthenticated requests to an HTML sign-in page; an Autodiscover client cannot fill in a form, follows the redirect into HTML and fails. A redirect to another autodiscover.xml URL is a documented redirect, not a login page, and is not flagged here." };
    AUTH_WRONG_PASSWORD = { "POX-AUTH-004", Auth, Error, Http, ["Authorization"],
        "A wrong password gets 401, not settings",
        "RFC 9110 §11.6.1, §15.5.2; RFC 7617 §2",
        "A server that refuses anonymous requests but answers a wrong password with settings does not check passwords: anyone who knows an address gets the mailbox's settings." };
    AUTH_ANONYMOUS_BYPASS = { "POX-AUTH-005", Auth, Error, Http, ["Authorization"],
        "A server that refuses a wrong password also refuses a request without credentials",
        "RFC 9110 §11; derived",
        "Derived, not quoted: answering anonymously is implementation-defined (POX-AUTH-007), but a server that rejects a wrong password and still serves a request that carries none has an authentication bypass. Only that inconsistency is an error." };
    AUTH_RIGHT_PASSWORD = { "POX-AUTH-006", Auth, Error, Http, ["Authorization"],
        "The right credentials get an Autodiscover answer, not 401",
        "RFC 7617 §2, §2.1 (credentials are UTF-8 when the challenge says charset=\"UTF-8\")",
        "The credentials given with --user/--password-env are refused: they are wrong, or the server decodes them wrongly. The classic server bug is decoding Basic credentials as Latin-1, which refuses every non-ASCII password." };
    AUTH_OPEN = { "POX-AUTH-007", Auth, Info, Http, ["Authorization"],
        "The endpoint answers without authentication",
        "https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/autodiscover-for-exchange (Exchange authenticates Autodiscover requests); MS-OXDSCLI (silent)",
        "Implementation-defined: Exchange requires HTTP authentication on the POST, while many other servers (automx2, hosting panels) answer anonymously, and Outlook works with both. Reported so that a server meant to require authentication can see it does not." };
    LIVE_MUST = { "POX-LIVE-001", Http, Error, Http, ["*"],
        "A MUST-level live case's requirement holds",
        "the case's own source (see `poxspec check --list`)",
        "Each live case states one requirement with its source; when the case's level is MUST (or an equivalent 'required' in the element pages), a server that does not meet it breaks clients, so the finding is an error. The finding's message gives Expected and Actual; the case ID names the requirement." };
    LIVE_SHOULD = { "POX-LIVE-002", Http, Warning, Http, ["*"],
        "A SHOULD-level live case's requirement holds",
        "the case's own source (see `poxspec check --list`)",
        "Requirements stated as SHOULD, or what real clients depend on without a MUST, are warnings: they fail the run only under --strict." };
    LIVE_SILENT = { "POX-LIVE-003", Http, Info, Http, ["*"],
        "An implementation-defined live case got poxspec's preferred answer",
        "the case's own text (the sources are silent)",
        "Where the specification is silent the behaviour is implementation-defined: the case says what poxspec prefers and why, and a different answer is reported as info, never as a failure. A 5xx, a reset or no answer is still an error (POX-LIVE-004)." };
    LIVE_ROBUST = { "POX-LIVE-004", Http, Error, Http, ["HTTP status"],
        "Every request is answered: no 5xx, reset connection or silence",
        "RFC 9110 §15.6 (5xx: the server failed to fulfil a valid-looking request); MS-OXDSCLI 3.1.5",
        "Whatever a server prefers to answer to an odd request, it must answer: a 5xx, a reset or no answer within the timeout leaves the client to guess, and on hostile input is the sign of a crash or a denial of service." };
    LIVE_XFAIL_FIXED = { "POX-LIVE-005", Http, Error, Http, ["*"],
        "A case listed in the --expect-fail file still fails",
        "poxspec --expect-fail (known failures with a ratchet)",
        "Known failures are data with a ratchet, as rustls keeps its BoGo exceptions and hickory its ignored conformance tests: a listed case that now passes fails the run until it is removed from the file, so the list only shrinks." };
}
