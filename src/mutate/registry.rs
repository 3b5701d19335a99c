//! The registry: every document operator with its name, label and description, lookup by
//! name, and the uniform random choice of an applicable one.

use super::breaking::*;
use super::preserving::*;
use super::{Effect, Operator, Rng};
use crate::rules::catalogue as r;
use crate::xml::Document;

macro_rules! operators {
    ($($f:ident = $name:literal, $effect:expr, $desc:literal;)*) => {
        /// Every operator.
        pub static OPERATORS: &[Operator] = &[$(Operator { name: $name, effect: $effect, description: $desc, apply: $f }),*];
    };
}

operators! {
    rename_prefix = "prefix-rename", Effect::Preserving, "renames a namespace prefix and its declaration";
    default_to_prefixed = "default-to-prefixed", Effect::Preserving, "turns default namespace declarations into prefixed ones";
    prefixed_to_default = "prefixed-to-default", Effect::Preserving, "turns prefixed names into default namespace declarations";
    char_ref = "char-ref", Effect::Preserving, "writes one character of a text as a character reference";
    cdata_wrap = "cdata-wrap", Effect::Preserving, "wraps a value in a CDATA section";
    comment_split = "comment-split", Effect::Preserving, "splits a value with a comment";
    insert_comment = "comment-insert", Effect::Preserving, "inserts a comment between elements";
    insert_pi = "pi-insert", Effect::Preserving, "inserts a processing instruction between elements";
    whitespace_between = "whitespace-between", Effect::Preserving, "inserts whitespace between elements";
    quote_style = "attribute-quotes", Effect::Preserving, "switches an attribute between double and single quotes";
    empty_element_form = "empty-element-form", Effect::Preserving, "switches an empty element between <X></X> and <X/>";
    tag_whitespace = "tag-whitespace", Effect::Preserving, "adds whitespace before a tag's closing bracket";
    utf16 = "utf16-bom", Effect::Preserving, "re-encodes the document as UTF-16 with a byte-order mark";
    utf8_bom = "utf8-bom", Effect::Preserving, "adds a UTF-8 byte-order mark";
    line_endings = "crlf-line-ends", Effect::Preserving, "writes CRLF line ends between tags";
    prolog_comment = "prolog-comment", Effect::Preserving, "adds a comment before the root element";
    onoff_case = "onoff-case-flip", Effect::Breaking(r::ONOFF_CASE), "writes an on/off value in another case";
    onoff_synonym = "onoff-synonym", Effect::Breaking(r::ONOFF_SYNONYM), "writes an on/off value as a boolean synonym";
    onoff_padding = "onoff-padding", Effect::Breaking(r::ONOFF_PADDED), "pads an on/off value with whitespace";
    onoff_empty = "onoff-empty", Effect::Breaking(r::ONOFF_EMPTY), "empties an on/off element";
    onoff_other = "onoff-other", Effect::Breaking(r::ONOFF_OTHER), "writes an on/off element with another word";
    onoff_translated = "onoff-translated", Effect::Breaking(r::ONOFF_TRANSLATED), "writes an on/off value as a translated documentation page gives it (aktiviert, 关闭, отключено ...)";
    drop_type = "drop-type", Effect::Breaking(r::PROTO_TYPE_REQUIRED), "drops a Protocol's Type";
    drop_action = "drop-action", Effect::Breaking(r::ACCT_ACTION_REQUIRED), "drops an Account's Action";
    drop_protocols = "drop-protocols", Effect::Breaking(r::ACCT_PROTOCOL_REQUIRED), "drops every Protocol of a settings Account";
    drop_address = "drop-address", Effect::Breaking(r::REQ_ADDRESS), "drops a request's EMailAddress and LegacyDN";
    duplicate_single = "duplicate-single", Effect::Breaking(r::STRUCT_REPEATED), "repeats a single-occurrence element";
    usepopauth_elsewhere = "smtp-only-elsewhere", Effect::Breaking(r::PROTO_SMTP_ONLY), "puts UsePOPAuth or SMTPLast under POP3 or IMAP";
    port_out_of_range = "port-out-of-range", Effect::Breaking(r::PROTO_PORT), "sets a mail protocol's port outside 1..65535";
    unknown_action = "action-unknown", Effect::Breaking(r::ACCT_ACTION), "writes an undocumented Action";
    wrong_namespace = "namespace-wrong", Effect::Breaking(r::NS_ROOT), "moves the root into another namespace";
    https_namespace = "namespace-https", Effect::Breaking(r::NS_LOOKALIKE), "declares the root namespace with https://";
    truncate = "truncate", Effect::Breaking(r::DOC_WELL_FORMED), "cuts the document short";
    doctype = "doctype-inject", Effect::Breaking(r::DOC_DOCTYPE), "injects a DOCTYPE declaration";
    empty_server = "server-empty", Effect::Breaking(r::PROTO_SERVER), "empties a Server";
    type_near_miss = "type-near-miss", Effect::Breaking(r::PROTO_TYPE_NEAR_MISS), "misspells a mail protocol's Type";
    wrong_case_element = "element-wrong-case", Effect::Breaking(r::STRUCT_NEAR_MISS), "misspells an element name's case";
    ttl_negative = "ttl-invalid", Effect::Breaking(r::PROTO_TTL), "writes a TTL that is not a non-negative integer";
    error_code_text = "errorcode-not-integer", Effect::Breaking(r::ERR_CODE), "writes an ErrorCode that is not an integer";
    redirect_url_http = "redirecturl-http", Effect::Breaking(r::ACCT_REDIRECT_URL), "downgrades RedirectUrl to http";
}

/// The operator named `name`.
pub fn operator(name: &str) -> Option<&'static Operator> {
    OPERATORS.iter().find(|o| o.name == name)
}

/// Applies a random applicable operator; returns it with the mutated bytes. Tries every
/// operator in a seeded random order (a shuffle, so each applicable operator is equally
/// likely; a rotation would favour the ones after operators that rarely apply), so it only
/// fails when none applies.
pub fn mutate_any(doc: &Document, rng: &mut Rng) -> Option<(&'static Operator, Vec<u8>)> {
    let mut order: Vec<usize> = (0..OPERATORS.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    order.into_iter().find_map(|i| {
        let op = &OPERATORS[i];
        op.apply(doc, rng).map(|b| (op, b))
    })
}
