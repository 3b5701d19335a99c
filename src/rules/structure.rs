//! Checks every container shares: unknown and misspelt elements, repeated single-occurrence
//! elements, and text-only elements holding markup.

use super::catalogue::*;
use super::ctx::Ctx;
use crate::model::fields::*;
use crate::model::ns::NsClass;
use crate::model::{Any, Entry, Group, Leaf, Loc};

const CONTAINERS: &[&str] = &[
    "Autodiscover",
    "Request",
    "Response",
    "User",
    "Account",
    "Protocol",
    "Error",
    "Internal",
    "External",
    "OWAUrl",
    "MailStore",
    "AddressBook",
    "NetworkRequirements",
    "PublicFolderInformation",
    "AlternativeMailbox",
    "Culture",
    "Action",
    "Settings",
    "Redirect",
];

/// Near-misses that are not just a case difference, with what was meant.
const NEAR_MISSES: &[(&str, &str)] = &[
    ("TLS", "SSL or Encryption"),
    ("STARTTLS", "Encryption"),
    ("Ssl", "SSL"),
    ("EmailAddress", "EMailAddress"),
    ("RedirectURL", "RedirectUrl"),
    ("RedirectAddress", "RedirectAddr"),
    ("AutodiscoverSMTPAddress", "AutoDiscoverSMTPAddress"),
];

/// Every documented element name.
pub(crate) fn documented_names() -> impl Iterator<Item = &'static str> {
    CONTAINERS
        .iter()
        .copied()
        .chain(RequestField::ALL.iter().map(|f| f.as_str()))
        .chain(UserField::ALL.iter().map(|f| f.as_str()))
        .chain(AccountField::ALL.iter().map(|f| f.as_str()))
        .chain(ProtocolField::ALL.iter().map(|f| f.as_str()))
        .chain(SwitchField::ALL.iter().map(|f| f.as_str()))
        .chain(ErrorField::ALL.iter().map(|f| f.as_str()))
        .chain(MapiUrlField::ALL.iter().map(|f| f.as_str()))
        .chain(NetworkField::ALL.iter().map(|f| f.as_str()))
        .chain(PublicFolderField::ALL.iter().map(|f| f.as_str()))
        .chain(MobileServerField::ALL.iter().map(|f| f.as_str()))
}

/// What a misspelt name was meant to be, if it is a near-miss.
pub(crate) fn near_miss(name: &str) -> Option<String> {
    if let Some((_, meant)) = NEAR_MISSES.iter().find(|(n, _)| *n == name) {
        return Some((*meant).to_owned());
    }
    documented_names()
        .find(|d| *d != name && d.eq_ignore_ascii_case(name))
        .map(str::to_owned)
}

/// Judges an element the model did not recognise under `parent`.
pub(crate) fn unknown(ctx: &mut Ctx, parent: &str, a: &Any) {
    ctx.apply(STRUCT_UNKNOWN);
    ctx.apply(STRUCT_NEAR_MISS);
    ctx.apply(STRUCT_FOREIGN);
    match a.meta.ns_class() {
        NsClass::Known(_) | NsClass::LookAlike(_) => {
            if let Some(meant) = near_miss(&a.name) {
                ctx.element(
                    STRUCT_NEAR_MISS,
                    &a.meta.loc,
                    format!("<{}> is not a documented element; did you mean <{meant}>? Element names are case-sensitive, so clients do not see this value", a.name),
                );
            } else if documented_names().any(|d| d == a.name) {
                ctx.element(
                    STRUCT_UNKNOWN,
                    &a.meta.loc,
                    format!(
                        "<{}> is documented, but not as a child of <{parent}>",
                        a.name
                    ),
                );
            } else {
                ctx.element(
                    STRUCT_UNKNOWN,
                    &a.meta.loc,
                    format!("<{}> is not a documented child of <{parent}>", a.name),
                );
            }
        }
        NsClass::Other(ns) => ctx.element(
            STRUCT_FOREIGN,
            &a.meta.loc,
            format!(
                "<{}> in namespace \"{ns}\" is an extension; clients ignore it",
                a.name
            ),
        ),
        NsClass::Missing => ctx.element(
            STRUCT_FOREIGN,
            &a.meta.loc,
            format!(
                "<{}> is in no namespace inside <{parent}>; clients ignore it",
                a.name
            ),
        ),
    }
}

/// Checks a text-only element holds no child elements.
pub(crate) fn text_only(ctx: &mut Ctx, name: &str, l: &Leaf) {
    ctx.apply(STRUCT_TEXT_ONLY);
    if let Some(c) = l.children.first() {
        ctx.element(
            STRUCT_TEXT_ONLY,
            &c.meta.loc,
            format!(
                "<{name}> holds a text value, but contains the element <{}>",
                c.name
            ),
        );
    }
}

/// Reports every occurrence after the first of a single-occurrence element.
pub(crate) fn once<'l>(
    ctx: &mut Ctx,
    name: &str,
    parent: &str,
    locs: impl IntoIterator<Item = &'l Loc>,
) {
    ctx.apply(STRUCT_REPEATED);
    for (i, loc) in locs.into_iter().enumerate() {
        if i > 0 {
            repeated(ctx, name, parent, loc);
        }
    }
}

/// [`once`] for every name of a parent's table at once, in one pass over its children (a
/// pass per name was a third of the protocol checks, which have 45 names): `children` gives
/// each named child's slot (its name's index, below 64), name and place, in document order.
pub(crate) fn once_each<'l>(
    ctx: &mut Ctx,
    parent: &str,
    children: impl IntoIterator<Item = (usize, &'static str, &'l Loc)>,
) {
    ctx.apply(STRUCT_REPEATED);
    let mut seen = [false; 64];
    for (slot, name, loc) in children {
        if std::mem::replace(&mut seen[slot], true) {
            repeated(ctx, name, parent, loc);
        }
    }
}

/// [`once_each`] over a group of text-only fields.
pub(crate) fn group_once<F: ElementName>(ctx: &mut Ctx, parent: &str, g: &Group<F>) {
    const { assert!(F::COUNT <= 64) };
    let fields = g.entries.iter().filter_map(|e| match e {
        Entry::Field(f, l) => Some((f.index(), f.name(), &l.meta.loc)),
        Entry::Unknown(_) => None,
    });
    once_each(ctx, parent, fields);
}

/// Reports `<name>` at `loc` as a repeat of an earlier sibling.
fn repeated(ctx: &mut Ctx, name: &str, parent: &str, loc: &Loc) {
    ctx.element(
        STRUCT_REPEATED,
        loc,
        format!(
            "<{name}> appears more than once in <{parent}>; clients disagree on which one counts"
        ),
    );
}
