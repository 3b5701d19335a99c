//! The Autodiscover namespaces, and classification of the URIs documents actually carry.

use serde::Serialize;

/// Outlook request schema (`Autodiscover/Request`).
pub const REQUEST_OUTLOOK: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
/// Mobile (ActiveSync) request schema.
pub const REQUEST_MOBILESYNC: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006";
/// Response root schema (`Autodiscover`, and the generic error `Response`).
pub const RESPONSE_ROOT: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
/// Outlook response schema (`Response` and everything under it).
pub const RESPONSE_OUTLOOK: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
/// Mobile (ActiveSync) response schema.
pub const RESPONSE_MOBILESYNC: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006";

/// One of the five documented namespaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum KnownNs {
    /// [`REQUEST_OUTLOOK`]
    RequestOutlook,
    /// [`REQUEST_MOBILESYNC`]
    RequestMobileSync,
    /// [`RESPONSE_ROOT`]
    ResponseRoot,
    /// [`RESPONSE_OUTLOOK`]
    ResponseOutlook,
    /// [`RESPONSE_MOBILESYNC`]
    ResponseMobileSync,
}

impl KnownNs {
    /// All five, in a fixed order.
    pub const ALL: [KnownNs; 5] = [
        KnownNs::RequestOutlook,
        KnownNs::RequestMobileSync,
        KnownNs::ResponseRoot,
        KnownNs::ResponseOutlook,
        KnownNs::ResponseMobileSync,
    ];

    /// The exact URI.
    pub fn uri(self) -> &'static str {
        match self {
            KnownNs::RequestOutlook => REQUEST_OUTLOOK,
            KnownNs::RequestMobileSync => REQUEST_MOBILESYNC,
            KnownNs::ResponseRoot => RESPONSE_ROOT,
            KnownNs::ResponseOutlook => RESPONSE_OUTLOOK,
            KnownNs::ResponseMobileSync => RESPONSE_MOBILESYNC,
        }
    }

    /// Whether this is one of the two request namespaces.
    pub fn is_request(self) -> bool {
        matches!(self, KnownNs::RequestOutlook | KnownNs::RequestMobileSync)
    }
}

/// What a namespace URI found in a document is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum NsClass {
    /// Exactly a documented URI.
    Known(KnownNs),
    /// Not the URI, but one a person would mistake for it: the `https://` form printed on
    /// Microsoft's reference pages, a different letter case, or a trailing slash. Clients match
    /// namespaces exactly, so these are wrong namespaces; the class lets rules say why.
    LookAlike(KnownNs),
    /// Some other URI.
    Other(String),
    /// No namespace at all.
    Missing,
}

/// Classifies a namespace URI.
pub fn classify(uri: Option<&str>) -> NsClass {
    let Some(uri) = uri else {
        return NsClass::Missing;
    };
    if let Some(k) = KnownNs::ALL.iter().find(|k| k.uri() == uri) {
        return NsClass::Known(*k);
    }
    let normalised = uri.trim().trim_end_matches('/').to_ascii_lowercase();
    let normalised = normalised
        .strip_prefix("https://")
        .map(|rest| format!("http://{rest}"))
        .unwrap_or(normalised);
    if let Some(k) = KnownNs::ALL
        .iter()
        .find(|k| k.uri().to_ascii_lowercase() == normalised)
    {
        return NsClass::LookAlike(*k);
    }
    NsClass::Other(uri.to_owned())
}

impl NsClass {
    /// The documented namespace this is or resembles.
    pub fn intended(&self) -> Option<KnownNs> {
        match self {
            NsClass::Known(k) | NsClass::LookAlike(k) => Some(*k),
            _ => None,
        }
    }
}
