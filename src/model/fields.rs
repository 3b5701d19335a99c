//! Tables of the element names the model knows, one enum per parent.
//!
//! Each variant stands for the element of the same name (its exact spelling is
//! [`as_str`](RequestField::as_str)); element names are case-sensitive, so `RedirectURL` is not
//! `RedirectUrl` and stays an unknown element.

use serde::Serialize;

/// What every table of element names offers, for code written once for all of them (the
/// canonical writer's groups, the rules' repeat check).
pub trait ElementName: Copy {
    /// How many names the table has.
    const COUNT: usize;
    /// The name's position in the table's `ALL`, for tables indexed by name.
    fn index(self) -> usize;
    /// The element name exactly as spelled in documents.
    fn name(self) -> &'static str;
}

macro_rules! element_names {
    ($(#[$m:meta])* $name:ident { $($var:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum $name { $(#[serde(rename = $s)] $var),* }

        impl $name {
            /// Every name, in the order the documentation lists them.
            pub const ALL: &'static [$name] = &[$($name::$var),*];

            /// The element name exactly as spelled in documents.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),* }
            }

            /// The name for an element's local name (case-sensitive).
            pub fn from_local(local: &str) -> Option<Self> {
                match local { $($s => Some($name::$var),)* _ => None }
            }
        }

        impl ElementName for $name {
            const COUNT: usize = $name::ALL.len();
            fn index(self) -> usize {
                self as usize
            }
            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

element_names! {
    /// Children of a request's `Request` element.
    RequestField {
        EMailAddress = "EMailAddress",
        LegacyDN = "LegacyDN",
        AcceptableResponseSchema = "AcceptableResponseSchema",
    }
}

element_names! {
    /// Children of `User` (Outlook and mobilesync).
    UserField {
        DisplayName = "DisplayName",
        LegacyDN = "LegacyDN",
        DeploymentId = "DeploymentId",
        AutoDiscoverSMTPAddress = "AutoDiscoverSMTPAddress",
        EMailAddress = "EMailAddress",
    }
}

element_names! {
    /// Text-only children of `Account`.
    AccountField {
        AccountType = "AccountType",
        Action = "Action",
        MicrosoftOnline = "MicrosoftOnline",
        RedirectUrl = "RedirectUrl",
        RedirectAddr = "RedirectAddr",
        Image = "Image",
        ServiceHome = "ServiceHome",
    }
}

element_names! {
    /// Text-only children of `Protocol` other than the on/off switches.
    ProtocolField {
        Type = "Type",
        Server = "Server",
        ServerDN = "ServerDN",
        ServerVersion = "ServerVersion",
        MdbDN = "MdbDN",
        PublicFolderServer = "PublicFolderServer",
        AD = "AD",
        Port = "Port",
        DirectoryPort = "DirectoryPort",
        ReferralPort = "ReferralPort",
        ASUrl = "ASUrl",
        EwsUrl = "EwsUrl",
        EmwsUrl = "EmwsUrl",
        SharingUrl = "SharingUrl",
        EcpUrl = "EcpUrl",
        EcpUrlUm = "EcpUrl-um",
        EcpUrlAggr = "EcpUrl-aggr",
        EcpUrlMt = "EcpUrl-mt",
        EcpUrlRet = "EcpUrl-ret",
        EcpUrlSms = "EcpUrl-sms",
        EcpUrlPublish = "EcpUrl-publish",
        EcpUrlPhoto = "EcpUrl-photo",
        EcpUrlTm = "EcpUrl-tm",
        EcpUrlTmCreating = "EcpUrl-tmCreating",
        EcpUrlTmHiding = "EcpUrl-tmHiding",
        EcpUrlTmEditing = "EcpUrl-tmEditing",
        EcpUrlExtinstall = "EcpUrl-extinstall",
        OOFUrl = "OOFUrl",
        OABUrl = "OABUrl",
        UMUrl = "UMUrl",
        EwsPartnerUrl = "EwsPartnerUrl",
        LoginName = "LoginName",
        DomainName = "DomainName",
        AuthPackage = "AuthPackage",
        CertPrincipalName = "CertPrincipalName",
        Encryption = "Encryption",
        TTL = "TTL",
        GroupingInformation = "GroupingInformation",
    }
}

element_names! {
    /// The on/off children of `Protocol`. `ServerExclusiveConnect` is undocumented but emitted
    /// by Exchange with the same on/off values.
    SwitchField {
        DomainRequired = "DomainRequired",
        SPA = "SPA",
        SSL = "SSL",
        AuthRequired = "AuthRequired",
        UsePOPAuth = "UsePOPAuth",
        SMTPLast = "SMTPLast",
        ServerExclusiveConnect = "ServerExclusiveConnect",
    }
}

impl SwitchField {
    /// The documented value when the element is absent; `None` where no source states one
    /// (`DomainRequired`, `UsePOPAuth`, `ServerExclusiveConnect`).
    pub fn documented_default(self) -> Option<bool> {
        match self {
            SwitchField::SPA | SwitchField::SSL | SwitchField::AuthRequired => Some(true),
            SwitchField::SMTPLast => Some(false),
            _ => None,
        }
    }
}

element_names! {
    /// Children of `Error` (`Status` only in mobilesync responses).
    ErrorField {
        ErrorCode = "ErrorCode",
        Message = "Message",
        DebugData = "DebugData",
        Status = "Status",
    }
}

element_names! {
    /// Children of the MAPI/HTTP `MailStore` and `AddressBook` elements.
    MapiUrlField {
        InternalUrl = "InternalUrl",
        ExternalUrl = "ExternalUrl",
    }
}

element_names! {
    /// Children of `NetworkRequirements`.
    NetworkField {
        IPv4Start = "IPv4Start",
        IPv4End = "IPv4End",
        IPv6Start = "IPv6Start",
        IPv6End = "IPv6End",
    }
}

element_names! {
    /// Children of `PublicFolderInformation`.
    PublicFolderField {
        SmtpAddress = "SmtpAddress",
    }
}

element_names! {
    /// Children of a mobilesync `Settings/Server`.
    MobileServerField {
        Type = "Type",
        Url = "Url",
        Name = "Name",
        ServerData = "ServerData",
    }
}
