//! Policy operators: mutations of a response generated for a mailbox of a policy fixture,
//! each making the response disagree with the mailbox's state (SMTP advertised although SMTP
//! AUTH is disabled, a disabled protocol advertised, SMTP withheld although allowed).

use crate::model::make::MailProtocol;
use crate::model::{AccountItem, Document, ResponseItem, ResponseRootItem};
use crate::rules::catalogue::{self as r, Rule};
use crate::strategy::PolicyCase;

/// A mutation that only makes sense against a policy: it makes the response disagree with the
/// mailbox's SMTP AUTH or protocol state, so that exactly its rule fails.
#[derive(Debug, Clone, Copy)]
pub struct PolicyOperator {
    /// Name used in file names and manifests.
    pub name: &'static str,
    /// The policy rule it newly triggers.
    pub rule: &'static Rule,
    apply: fn(&PolicyCase) -> Option<Document>,
}

impl PolicyOperator {
    /// The case's response, changed to disagree with its mailbox; `None` when the case gives
    /// the operator nothing to change (for example SMTP already advertised).
    pub fn apply(&self, case: &PolicyCase) -> Option<Document> {
        (self.apply)(case)
    }
}

/// Every policy operator.
pub static POLICY_OPERATORS: &[PolicyOperator] = &[
    PolicyOperator {
        name: "policy-smtp-advertised",
        rule: r::POL_AUTH_DISABLED,
        apply: smtp_advertised,
    },
    PolicyOperator {
        name: "policy-disabled-protocol-advertised",
        rule: r::POL_PROTOCOL_DISABLED,
        apply: disabled_protocol_advertised,
    },
    PolicyOperator {
        name: "policy-smtp-withheld",
        rule: r::POL_NO_SMTP,
        apply: smtp_withheld,
    },
];

fn account_items(doc: &mut Document) -> Option<&mut Vec<AccountItem>> {
    let Document::Response(resp) = doc else {
        return None;
    };
    resp.items.iter_mut().find_map(|i| match i {
        ResponseRootItem::Response(body) => body.items.iter_mut().find_map(|i| match i {
            ResponseItem::Account(a) => Some(&mut a.items),
            _ => None,
        }),
        _ => None,
    })
}

fn advertised(doc: &Document, kind: &str) -> bool {
    matches!(doc, Document::Response(r) if r.protocols().any(|p| p.kind() == Some(kind)))
}

fn with_protocol(case: &PolicyCase, kind: &str, port: u16) -> Option<Document> {
    let mut doc = case.response.clone();
    let server = format!("{}.contoso.example", kind.to_ascii_lowercase());
    account_items(&mut doc)?.push(AccountItem::Protocol(
        MailProtocol {
            kind,
            server: &server,
            port,
            login: Some(&case.address),
            domain_required: None,
            spa: "off",
            implicit_tls: true,
            explicit_encryption: false,
            auth_required: true,
            ttl: None,
        }
        .build(),
    ));
    Some(doc)
}

fn smtp_advertised(case: &PolicyCase) -> Option<Document> {
    if case.smtp_allowed() || advertised(&case.response, "SMTP") {
        return None;
    }
    with_protocol(case, "SMTP", 465)
}

fn disabled_protocol_advertised(case: &PolicyCase) -> Option<Document> {
    let m = case.mailbox();
    if m.pop_enabled == Some(false) && !advertised(&case.response, "POP3") {
        with_protocol(case, "POP3", 995)
    } else if m.imap_enabled == Some(false) && !advertised(&case.response, "IMAP") {
        with_protocol(case, "IMAP", 993)
    } else {
        None
    }
}

fn smtp_withheld(case: &PolicyCase) -> Option<Document> {
    if !case.smtp_allowed()
        || !(advertised(&case.response, "POP3") || advertised(&case.response, "IMAP"))
    {
        return None;
    }
    let mut doc = case.response.clone();
    account_items(&mut doc)?
        .retain(|i| !matches!(i, AccountItem::Protocol(p) if p.kind() == Some("SMTP")));
    Some(doc)
}
