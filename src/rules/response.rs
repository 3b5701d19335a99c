//! Checks of responses: namespaces, shape, Account, Action, redirects, User and errors.

use super::catalogue::*;
use super::ctx::Ctx;
use super::protocol;
use super::structure::{group_once, once, once_each, text_only, unknown};
use super::values::{decimal, http_url_scheme, is_email, is_time_of_day};
use crate::model::fields::*;
use crate::model::ns::{KnownNs, NsClass};
use crate::model::*;
use std::collections::BTreeMap;

const ERROR_CODES: &[u64] = &[500, 501, 600, 601, 602, 603];

pub(crate) fn check(ctx: &mut Ctx, r: &Response) {
    ctx.apply(NS_ROOT);
    match r.root.ns_class() {
        NsClass::Known(KnownNs::ResponseRoot) | NsClass::LookAlike(_) => {}
        other => ctx.element(
            NS_ROOT,
            &r.root.loc,
            format!(
                "response root namespace is {}; expected \"{}\"",
                describe(&other),
                KnownNs::ResponseRoot.uri()
            ),
        ),
    }
    for i in &r.items {
        if let ResponseRootItem::Unknown(a) = i {
            unknown(ctx, "Autodiscover", a);
        }
    }
    once(
        ctx,
        "Response",
        "Autodiscover",
        r.bodies().map(|b| &b.meta.loc),
    );
    ctx.apply(STRUCT_SHAPE);
    let Some(body) = r.body() else {
        ctx.element(
            STRUCT_SHAPE,
            &r.root.loc,
            "response has no Response element",
        );
        return;
    };
    let ns = body.meta.ns_class();
    let mobile = ns.intended() == Some(KnownNs::ResponseMobileSync);
    for b in r.bodies() {
        body_items(ctx, b);
    }
    if mobile {
        mobile_shape(ctx, body);
    } else {
        outlook_shape(ctx, body, &ns);
    }
}

fn describe(c: &NsClass) -> String {
    match c {
        NsClass::Known(k) | NsClass::LookAlike(k) => format!("\"{}\"", k.uri()),
        NsClass::Other(s) => format!("\"{s}\""),
        NsClass::Missing => "absent".to_owned(),
    }
}

fn body_items(ctx: &mut Ctx, b: &ResponseBody) {
    for i in &b.items {
        match i {
            ResponseItem::User(u) => user(ctx, u),
            ResponseItem::Account(a) => account(ctx, a),
            ResponseItem::Error(e) => error(ctx, e, false),
            ResponseItem::Culture(l) => text_only(ctx, "Culture", l),
            ResponseItem::Action(a) => mobile_action(ctx, a),
            ResponseItem::Unknown(a) => unknown(ctx, "Response", a),
        }
    }
    once(ctx, "User", "Response", b.users().map(|u| &u.meta.loc));
    once(
        ctx,
        "Account",
        "Response",
        b.accounts().map(|a| &a.meta.loc),
    );
}

fn outlook_shape(ctx: &mut Ctx, body: &ResponseBody, ns: &NsClass) {
    let response_errors: Vec<&Group<ErrorField>> = body
        .items
        .iter()
        .filter_map(|i| match i {
            ResponseItem::Error(e) => Some(e),
            _ => None,
        })
        .collect();
    let accounts: Vec<&Account> = body.accounts().collect();
    let any_error =
        !response_errors.is_empty() || accounts.iter().any(|a| a.errors().next().is_some());
    let with_action: Vec<&&Account> = accounts
        .iter()
        .filter(|a| a.field(AccountField::Action).is_some())
        .collect();
    once(
        ctx,
        "Error",
        "Response",
        response_errors.iter().map(|e| &e.meta.loc),
    );

    ctx.apply(NS_RESPONSE);
    match ns {
        NsClass::Known(KnownNs::ResponseOutlook) | NsClass::LookAlike(_) => {}
        NsClass::Known(KnownNs::ResponseRoot) if any_error && accounts.is_empty() => {}
        other => ctx.element(
            NS_RESPONSE,
            &body.meta.loc,
            format!(
                "Response namespace is {}; an Outlook response re-declares it as \"{}\"{}",
                describe(other),
                KnownNs::ResponseOutlook.uri(),
                if any_error {
                    " (a generic error may keep the root namespace)"
                } else {
                    ""
                }
            ),
        ),
    }

    if any_error && !with_action.is_empty() {
        ctx.element(STRUCT_SHAPE, &body.meta.loc, "response carries both an Error and an Account with an Action; it must be one or the other");
    } else if !any_error && accounts.is_empty() {
        ctx.element(
            STRUCT_SHAPE,
            &body.meta.loc,
            "Response holds neither an Account nor an Error",
        );
    }

    ctx.apply(STRUCT_USER);
    let settings = accounts
        .iter()
        .any(|a| a.text(AccountField::Action) == Some("settings"));
    if settings && body.users().next().is_none() {
        ctx.element(STRUCT_USER, &body.meta.loc, "a settings response has no User element (MS-OXDSCLI 3.2.5: the server MUST return one)");
    }
}

fn mobile_shape(ctx: &mut Ctx, body: &ResponseBody) {
    ctx.apply(NS_RESPONSE);
    let actions = body
        .items
        .iter()
        .filter(|i| matches!(i, ResponseItem::Action(_)))
        .count();
    let errors = body
        .items
        .iter()
        .filter(|i| matches!(i, ResponseItem::Error(_)))
        .count();
    match (actions, errors) {
        (1, 0) | (0, 1) => {}
        (0, 0) => ctx.element(
            STRUCT_SHAPE,
            &body.meta.loc,
            "mobilesync Response holds neither an Action nor an Error",
        ),
        _ => ctx.element(
            STRUCT_SHAPE,
            &body.meta.loc,
            "mobilesync Response must hold exactly one Action or one Error",
        ),
    }
}

fn user(ctx: &mut Ctx, u: &Group<UserField>) {
    for e in &u.entries {
        match e {
            Entry::Field(f, l) => text_only(ctx, f.as_str(), l),
            Entry::Unknown(a) => unknown(ctx, "User", a),
        }
    }
    group_once(ctx, "User", u);
}

fn account(ctx: &mut Ctx, a: &Account) {
    for i in &a.items {
        match i {
            AccountItem::Field(f, l) => text_only(ctx, f.as_str(), l),
            AccountItem::Protocol(p) => protocol::check(ctx, p),
            AccountItem::Error(e) => error(ctx, e, true),
            AccountItem::PublicFolderInformation(g) => {
                for e in &g.entries {
                    match e {
                        Entry::Field(f, l) => text_only(ctx, f.as_str(), l),
                        Entry::Unknown(x) => unknown(ctx, "PublicFolderInformation", x),
                    }
                }
            }
            AccountItem::AlternativeMailbox(_) => {}
            AccountItem::Unknown(x) => unknown(ctx, "Account", x),
        }
    }
    const { assert!(AccountField::COUNT <= 64) };
    let fields = a.items.iter().filter_map(|i| match i {
        AccountItem::Field(f, l) => Some((f.index(), f.name(), &l.meta.loc)),
        _ => None,
    });
    once_each(ctx, "Account", fields);

    ctx.apply(ACCT_ACTION_REQUIRED);
    ctx.apply(ACCT_ACTION);
    let action = match a.field(AccountField::Action) {
        None => {
            if a.errors().next().is_none() {
                ctx.element(
                    ACCT_ACTION_REQUIRED,
                    &a.meta.loc,
                    "Account has no Action, so a client cannot tell settings from a redirect",
                );
            }
            None
        }
        Some(l) => match l.text.as_str() {
            t @ ("settings" | "redirectAddr" | "redirectUrl") => Some(t),
            t => {
                let hint = ["settings", "redirectAddr", "redirectUrl"]
                    .iter()
                    .find(|v| v.eq_ignore_ascii_case(t.trim()))
                    .map(|v| format!("; the documented spelling is \"{v}\" (case matters)"))
                    .unwrap_or_default();
                ctx.value(
                    ACCT_ACTION,
                    &l.meta.loc,
                    t,
                    format!("Action \"{t}\" is not settings, redirectAddr or redirectUrl{hint}"),
                );
                None
            }
        },
    };

    if let Some(l) = a.field(AccountField::AccountType) {
        ctx.apply(ACCT_TYPE);
        if l.text != "email" {
            ctx.value(
                ACCT_TYPE,
                &l.meta.loc,
                &l.text,
                format!(
                    "AccountType \"{}\" is not \"email\", the only documented value",
                    l.text
                ),
            );
        }
    }
    if action == Some("settings") {
        ctx.apply(ACCT_TYPE_REQUIRED);
        if a.field(AccountField::AccountType).is_none() {
            ctx.element(
                ACCT_TYPE_REQUIRED,
                &a.meta.loc,
                "a settings Account has no AccountType (expected <AccountType>email</AccountType>)",
            );
        }
        ctx.apply(ACCT_PROTOCOL_REQUIRED);
        if a.protocols().next().is_none() {
            ctx.element(
                ACCT_PROTOCOL_REQUIRED,
                &a.meta.loc,
                "a settings Account has no Protocol",
            );
        }
    }
    if action == Some("redirectAddr") {
        ctx.apply(ACCT_REDIRECT_ADDR);
        match a.field(AccountField::RedirectAddr) {
            None => ctx.element(
                ACCT_REDIRECT_ADDR,
                &a.meta.loc,
                "Action is redirectAddr but there is no RedirectAddr",
            ),
            Some(l) if !is_email(&l.text) => ctx.value(
                ACCT_REDIRECT_ADDR,
                &l.meta.loc,
                &l.text,
                format!("RedirectAddr \"{}\" is not an e-mail address", l.text),
            ),
            Some(_) => {}
        }
    }
    if action == Some("redirectUrl") {
        ctx.apply(ACCT_REDIRECT_URL);
        match a.field(AccountField::RedirectUrl) {
            None => ctx.element(ACCT_REDIRECT_URL, &a.meta.loc, "Action is redirectUrl but there is no RedirectUrl"),
            Some(l) => match http_url_scheme(&l.text) {
                Ok("https") => {}
                Ok(_) => ctx.value(ACCT_REDIRECT_URL, &l.meta.loc, &l.text, format!("RedirectUrl \"{}\" is not https; clients will not send credentials over plain http", l.text)),
                Err(why) => ctx.value(ACCT_REDIRECT_URL, &l.meta.loc, &l.text, format!("RedirectUrl \"{}\" {why}", l.text)),
            },
        }
    }
    if let Some(action) = action {
        for (f, wanted) in [
            (AccountField::RedirectAddr, "redirectAddr"),
            (AccountField::RedirectUrl, "redirectUrl"),
        ] {
            if let Some(l) = a.field(f) {
                ctx.apply(ACCT_REDIRECT_STRAY);
                if action != wanted {
                    ctx.element(
                        ACCT_REDIRECT_STRAY,
                        &l.meta.loc,
                        format!("{f} appears with Action {action}; clients ignore it"),
                    );
                }
            }
        }
    }
    if let Some(l) = a.field(AccountField::MicrosoftOnline) {
        ctx.apply(ACCT_MSONLINE);
        if !l.text.eq_ignore_ascii_case("true") && !l.text.eq_ignore_ascii_case("false") {
            ctx.value(
                ACCT_MSONLINE,
                &l.meta.loc,
                &l.text,
                format!("MicrosoftOnline \"{}\" is not true or false", l.text),
            );
        }
    }

    ctx.apply(PROTO_DUPLICATE_TYPE);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for p in a.protocols() {
        if let Some(k) = p.kind() {
            let n = seen.entry(k).or_default();
            *n += 1;
            if *n == 2 {
                ctx.element(PROTO_DUPLICATE_TYPE, &p.meta.loc, format!("a second Protocol of Type {k} in the same Account; the EWS Managed API rejects this"));
            }
        }
    }
}

fn error(ctx: &mut Ctx, e: &Group<ErrorField>, under_account: bool) {
    for en in &e.entries {
        match en {
            Entry::Field(f, l) => text_only(ctx, f.as_str(), l),
            Entry::Unknown(a) => unknown(ctx, "Error", a),
        }
    }
    group_once(ctx, "Error", e);
    ctx.apply(ERR_PLACEMENT);
    if under_account {
        ctx.element(ERR_PLACEMENT, &e.meta.loc, "Error is under Account (the reference page's placement); the specification and the published examples put it under Response");
    }
    error_code(ctx, e);
    ctx.apply(ERR_ATTRIBUTES);
    match e.meta.attr("Time") {
        None => ctx.element(ERR_ATTRIBUTES, &e.meta.loc, "Error has no Time attribute"),
        Some(t) if !is_time_of_day(t) => ctx.element(
            ERR_ATTRIBUTES,
            &e.meta.loc,
            format!("Error Time \"{t}\" is not HH:MM:SS[.fraction]"),
        ),
        Some(_) => {}
    }
    match e.meta.attr("Id") {
        None => ctx.element(ERR_ATTRIBUTES, &e.meta.loc, "Error has no Id attribute"),
        Some(i) if decimal(i).is_none() => ctx.element(
            ERR_ATTRIBUTES,
            &e.meta.loc,
            format!("Error Id \"{i}\" is not an unsigned integer"),
        ),
        Some(_) => {}
    }
}

fn error_code(ctx: &mut Ctx, e: &Group<ErrorField>) {
    ctx.apply(ERR_CODE);
    match e.get(ErrorField::ErrorCode) {
        None => ctx.element(ERR_CODE, &e.meta.loc, "Error has no ErrorCode"),
        Some(l) => match decimal(l.text.trim()) {
            None => ctx.value(
                ERR_CODE,
                &l.meta.loc,
                &l.text,
                format!("ErrorCode \"{}\" is not an integer", l.text),
            ),
            Some(c) => {
                ctx.apply(ERR_CODE_KNOWN);
                if !ERROR_CODES.contains(&c) {
                    ctx.value(
                        ERR_CODE_KNOWN,
                        &l.meta.loc,
                        &l.text,
                        format!("ErrorCode {c} is not one of 500, 501, 600, 601, 602, 603"),
                    );
                }
            }
        },
    }
}

fn mobile_action(ctx: &mut Ctx, a: &MobileAction) {
    for i in &a.items {
        match i {
            MobileActionItem::Redirect(l) => text_only(ctx, "Redirect", l),
            MobileActionItem::Settings(s) => {
                for it in &s.items {
                    match it {
                        MobileSettingsItem::Server(g) => {
                            for e in &g.entries {
                                match e {
                                    Entry::Field(f, l) => text_only(ctx, f.as_str(), l),
                                    Entry::Unknown(x) => unknown(ctx, "Server", x),
                                }
                            }
                        }
                        MobileSettingsItem::Unknown(x) => unknown(ctx, "Settings", x),
                    }
                }
            }
            MobileActionItem::Error(e) => {
                for en in &e.entries {
                    match en {
                        Entry::Field(f, l) => text_only(ctx, f.as_str(), l),
                        Entry::Unknown(x) => unknown(ctx, "Error", x),
                    }
                }
            }
            MobileActionItem::Unknown(x) => unknown(ctx, "Action", x),
        }
    }
}
