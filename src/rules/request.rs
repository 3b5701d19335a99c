//! Checks of request documents.

use super::catalogue::*;
use super::ctx::Ctx;
use super::structure::{group_once, once, text_only, unknown};
use super::values::is_email;
use crate::model::fields::RequestField;
use crate::model::ns::{classify, KnownNs, NsClass};
use crate::model::{Entry, Request, RequestRootItem, RequestSchema};

pub(crate) fn check(ctx: &mut Ctx, r: &Request) {
    ctx.apply(NS_ROOT);
    match r.root.ns_class() {
        NsClass::Known(k) if k.is_request() => {}
        NsClass::LookAlike(_) => {}
        _ => ctx.element(
            NS_ROOT,
            &r.root.loc,
            format!(
                "request root namespace is {}; expected \"{}\" (Outlook) or \"{}\" (mobilesync)",
                r.root
                    .ns
                    .as_deref()
                    .map_or("absent".into(), |n| format!("\"{n}\"")),
                KnownNs::RequestOutlook.uri(),
                KnownNs::RequestMobileSync.uri()
            ),
        ),
    }
    for i in &r.items {
        if let RequestRootItem::Unknown(a) = i {
            unknown(ctx, "Autodiscover", a);
        }
    }
    once(
        ctx,
        "Request",
        "Autodiscover",
        r.bodies().map(|b| &b.meta.loc),
    );
    ctx.apply(REQ_ADDRESS);
    let Some(body) = r.body() else {
        ctx.element(REQ_ADDRESS, &r.root.loc, "request has no Request element");
        return;
    };
    for e in &body.entries {
        match e {
            Entry::Field(f, l) => text_only(ctx, f.as_str(), l),
            Entry::Unknown(a) => unknown(ctx, "Request", a),
        }
    }
    group_once(ctx, "Request", body);
    let email = body.get(RequestField::EMailAddress);
    let legacy = body.get(RequestField::LegacyDN);
    match (email, legacy) {
        (None, None) => ctx.element(
            REQ_ADDRESS,
            &body.meta.loc,
            "Request has neither EMailAddress nor LegacyDN",
        ),
        (Some(e), Some(_)) => {
            ctx.apply(REQ_BOTH_IDS);
            ctx.element(REQ_BOTH_IDS, &e.meta.loc, "Request carries both EMailAddress and LegacyDN; the server must use LegacyDN (MS-OXDSCLI 3.2.5)");
        }
        _ => ctx.apply(REQ_BOTH_IDS),
    }
    if let Some(e) = email {
        ctx.apply(REQ_EMAIL);
        if !is_email(&e.text) {
            ctx.value(
                REQ_EMAIL,
                &e.meta.loc,
                &e.text,
                format!("EMailAddress \"{}\" is not an e-mail address", e.text),
            );
        }
    }
    ctx.apply(REQ_SCHEMA);
    let Some(s) = body.get(RequestField::AcceptableResponseSchema) else {
        ctx.element(
            REQ_SCHEMA,
            &body.meta.loc,
            "Request has no AcceptableResponseSchema",
        );
        return;
    };
    let asked = match classify(Some(&s.text)) {
        NsClass::Known(k @ (KnownNs::ResponseOutlook | KnownNs::ResponseMobileSync)) => k,
        NsClass::LookAlike(k @ (KnownNs::ResponseOutlook | KnownNs::ResponseMobileSync)) => {
            ctx.value(REQ_SCHEMA, &s.meta.loc, &s.text, format!("AcceptableResponseSchema \"{}\" looks like \"{}\" but is not it; schemas are compared exactly", s.text, k.uri()));
            return;
        }
        _ => {
            ctx.value(REQ_SCHEMA, &s.meta.loc, &s.text, format!("AcceptableResponseSchema \"{}\" is not a documented response schema (\"{}\" or \"{}\")", s.text, KnownNs::ResponseOutlook.uri(), KnownNs::ResponseMobileSync.uri()));
            return;
        }
    };
    ctx.apply(REQ_SCHEMA_FAMILY);
    let mismatch = match r.schema() {
        RequestSchema::Outlook => asked == KnownNs::ResponseMobileSync,
        RequestSchema::MobileSync => asked == KnownNs::ResponseOutlook,
        RequestSchema::Unknown => false,
    };
    if mismatch {
        ctx.value(REQ_SCHEMA_FAMILY, &s.meta.loc, &s.text, "the response schema asked for belongs to the other request schema (Outlook vs mobilesync)");
    }
}
