//! Breaking operators: each newly triggers exactly the one rule it is labelled with.

use super::tree::*;
use super::Rng;
use crate::model::ns::{classify, NsClass};
use crate::xml::{self, Document, Element, Node, SourceEncoding};

pub(super) fn onoff_case(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        let v = e.text();
        set_text(
            e,
            &if rng.below(2) == 0 {
                v.to_ascii_uppercase()
            } else {
                format!("{}{}", v[..1].to_ascii_uppercase(), &v[1..])
            },
        );
        true
    })
}

pub(super) fn onoff_synonym(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        let on = e.text() == "on";
        let pick = if on {
            ["true", "1", "yes", "True"]
        } else {
            ["false", "0", "no", "FALSE"]
        };
        set_text(e, pick[rng.below(4)]);
        true
    })
}

pub(super) fn onoff_padding(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        let v = e.text();
        set_text(
            e,
            &[format!(" {v} "), format!("\n  {v}\n"), format!("{v}\t")][rng.below(3)],
        );
        true
    })
}

pub(super) fn onoff_empty(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        e.children.clear();
        e.self_closing = rng.below(2) == 0;
        true
    })
}

pub(super) fn onoff_other(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        set_text(e, ["enabled", "disabled", "o n", "auto"][rng.below(4)]);
        true
    })
}

/// Replaces an exact on/off value with a word a translated documentation page gives for it
/// (`on` → `aktiviert`, `在`, `打开`, `включено`; `off` → `deaktiviert`, `关闭`, `отключено`).
pub(super) fn onoff_translated(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &exact_switch, &mut |e, rng| {
        let on = e.text() == "on";
        let words: Vec<&str> = crate::model::TRANSLATIONS
            .iter()
            .filter(|t| t.intended == on)
            .map(|t| t.word)
            .collect();
        set_text(e, words[rng.below(words.len())]);
        true
    })
}

pub(super) fn remove_children(
    doc: &Document,
    rng: &mut Rng,
    parent: &dyn Fn(&Element) -> bool,
    names: &'static [&'static str],
) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| parent(e) && e.elements().any(|c| names.contains(&c.name.local.as_str())),
        &mut |e, _| {
            e.children.retain(
                |n| !matches!(n, Node::Element(c) if names.contains(&c.name.local.as_str())),
            );
            true
        },
    )
}

pub(super) fn drop_type(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    remove_children(
        doc,
        rng,
        &|e| e.name.local == "Protocol" && e.attribute("Type").is_none(),
        &["Type"],
    )
}

pub(super) fn drop_action(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    remove_children(doc, rng, &named(&["Account"]), &["Action"])
}

pub(super) fn drop_protocols(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    remove_children(
        doc,
        rng,
        &|e| e.name.local == "Account" && child_text(e, "Action").as_deref() == Some("settings"),
        &["Protocol"],
    )
}

pub(super) fn drop_address(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    remove_children(
        doc,
        rng,
        &named(&["Request"]),
        &["EMailAddress", "LegacyDN"],
    )
}

pub(super) fn duplicate_single(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    const SINGLE: &[&str] = &[
        "Server",
        "Port",
        "LoginName",
        "ErrorCode",
        "EMailAddress",
        "DisplayName",
        "AcceptableResponseSchema",
    ];
    // Text-only ones: the mobilesync Server container of the same name may repeat.
    let single = |c: &Element| SINGLE.contains(&c.name.local.as_str()) && is_leaf(c);
    edit(doc, rng, &|e| e.elements().any(single), &mut |e, rng| {
        let idx: Vec<usize> = e
            .children
            .iter()
            .enumerate()
            .filter(|(_, n)| matches!(n, Node::Element(c) if single(c)))
            .map(|(i, _)| i)
            .collect();
        let i = idx[rng.below(idx.len())];
        let copy = e.children[i].clone();
        e.children.insert(i + 1, copy);
        true
    })
}

pub(super) fn usepopauth_elsewhere(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| {
            e.name.local == "Protocol"
                && matches!(child_text(e, "Type").as_deref(), Some("POP3" | "IMAP"))
                && !e
                    .elements()
                    .any(|c| c.name.local == "UsePOPAuth" || c.name.local == "SMTPLast")
        },
        &mut |e, rng| {
            let like = e.elements().next().cloned().expect("has Type");
            let name = ["UsePOPAuth", "SMTPLast"][rng.below(2)];
            e.children
                .push(Node::Element(leaf_element(name, &like, "off")));
            true
        },
    )
}

pub(super) fn port_out_of_range(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let protos = find(doc, &|e| {
        is_mail_protocol(e) && e.elements().any(|c| c.name.local == "Port")
    });
    if protos.is_empty() {
        return None;
    }
    let p = protos[rng.below(protos.len())].clone();
    let mut d = doc.clone();
    let e = at_mut(&mut d.root, &p);
    for n in &mut e.children {
        if let Node::Element(c) = n {
            if c.name.local == "Port" {
                set_text(c, ["0", "65536", "70000", "-25"][rng.below(4)]);
            }
        }
    }
    Some(xml::write_lossless(&d))
}

pub(super) fn unknown_action(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    // Only an Account with a single Action: with several, the repetition is what is reported.
    let single = |e: &Element| {
        e.name.local == "Account"
            && e.elements().filter(|c| c.name.local == "Action").count() == 1
            && e.elements().any(|c| c.name.local == "Action" && is_leaf(c))
    };
    edit(doc, rng, &single, &mut |account, rng| {
        let Some(e) = account.children.iter_mut().find_map(|n| match n {
            Node::Element(c) if c.name.local == "Action" => Some(c),
            _ => None,
        }) else {
            return false;
        };
        let v = e.text();
        let mut chars = v.chars();
        let capitalized: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let choices = [v.to_ascii_uppercase(), "configure".into(), capitalized];
        let pick = choices[rng.below(3)].clone();
        set_text(e, if pick == v { "configure" } else { &pick });
        true
    })
}

pub(super) fn wrong_namespace(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    // Only where nothing else inherits the root namespace's meaning (Response re-declares).
    let inherits = doc
        .root
        .elements()
        .any(|c| c.name.local == "Response" && c.name.ns == doc.root.name.ns);
    let mut d = doc.clone();
    let old = d.root.name.ns.clone()?;
    if inherits || doc.root.name.prefix.is_some() {
        return None;
    }
    let a = d
        .root
        .attributes
        .iter_mut()
        .find(|a| a.name.prefix.is_none() && a.name.local == "xmlns")?;
    let new = "urn:example:not-autodiscover";
    a.raw = new.into();
    a.value = new.into();
    fn retag(e: &mut Element, old: &str, new: &str) {
        if e.name.ns.as_deref() == Some(old) && e.name.prefix.is_none() {
            e.name.ns = Some(new.into());
            for n in &mut e.children {
                if let Node::Element(c) = n {
                    if !c
                        .attributes
                        .iter()
                        .any(|a| a.name.prefix.is_none() && a.name.local == "xmlns")
                    {
                        retag(c, old, new);
                    }
                }
            }
        }
    }
    retag(&mut d.root, &old, new);
    Some(xml::write_lossless(&d))
}

pub(super) fn https_namespace(doc: &Document, _: &mut Rng) -> Option<Vec<u8>> {
    let mut d = doc.clone();
    // The declaration must be the one the root's own name resolves through; a look-alike of
    // some other declaration says nothing about the root.
    let root_ns = doc.root.name.ns.clone()?;
    if !matches!(classify(Some(&root_ns)), NsClass::Known(_)) {
        return None;
    }
    let prefix = doc.root.name.prefix.clone();
    let a = d.root.attributes.iter_mut().find(|a| {
        a.name.is_namespace_declaration()
            && a.value == root_ns
            && match &prefix {
                None => a.name.prefix.is_none(),
                Some(p) => a.name.local == *p,
            }
    })?;
    a.value = a.value.replacen("http://", "https://", 1).into();
    a.raw = a.raw.replacen("http://", "https://", 1).into();
    Some(xml::write_lossless(&d))
}

pub(super) fn truncate(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    let text = xml::write_lossless_text(doc);
    let end = doc.root.span.end.min(text.len()).max(1);
    let mut cut = 1 + rng.below(end - 1);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(text.as_bytes()[..cut].to_vec())
}

pub(super) fn doctype(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    if doc.encoding != SourceEncoding::Utf8 {
        return None;
    }
    let rewritten = with_declared_encoding(doc, "utf-8");
    let mut text = xml::write_lossless_text(&rewritten);
    // After the declaration of the rewritten text: re-declaring the encoding can change the
    // declaration's length, so the original's span would point inside it. Nothing precedes a
    // declaration, so its end is the first `?>`.
    let at = match rewritten.declaration {
        Some(_) => text.find("?>").map_or(0, |i| i + 2),
        None => 0,
    };
    let dtd = [
        "<!DOCTYPE Autodiscover>",
        "<!DOCTYPE Autodiscover [<!ENTITY x \"y\">]>",
        "<!DOCTYPE Autodiscover SYSTEM \"http://example.invalid/a.dtd\">",
    ][rng.below(3)];
    text.insert_str(at, dtd);
    Some(text.into_bytes())
}

pub(super) fn empty_server(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| e.name.local == "Server" && is_leaf(e) && !e.text().trim().is_empty(),
        &mut |e, _| {
            set_text(e, "");
            true
        },
    )
}

pub(super) fn type_near_miss(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| e.name.local == "Type" && matches!(e.text().as_str(), "POP3" | "IMAP" | "SMTP"),
        &mut |e, rng| {
            let t = e.text();
            let new = match t.as_str() {
                "POP3" => ["POP", "pop3", "POP3S"][rng.below(3)],
                "IMAP" => ["IMAP4", "imap", "IMAPS"][rng.below(3)],
                _ => ["SMTPS", "smtp", "Smtp"][rng.below(3)],
            };
            set_text(e, new);
            true
        },
    )
}

pub(super) fn wrong_case_element(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    // Only elements whose disappearance has no other consequence (SPA's absence would be a
    // warning of its own, EMailAddress's a missing address).
    const CANDIDATES: &[&str] = &[
        "SSL",
        "AuthRequired",
        "DisplayName",
        "AutoDiscoverSMTPAddress",
    ];
    edit(
        doc,
        rng,
        // In a documented namespace only: elsewhere nothing is recognised, so nothing is "nearly"
        // recognised either.
        &|e| {
            CANDIDATES.contains(&e.name.local.as_str())
                && matches!(classify(e.name.ns.as_deref()), NsClass::Known(_))
        },
        &mut |e, _| {
            e.name.local = match e.name.local.as_str() {
                "SSL" => "Ssl".into(),
                "AuthRequired" => "authRequired".into(),
                "AutoDiscoverSMTPAddress" => "AutodiscoverSMTPAddress".into(),
                _ => "Displayname".into(),
            };
            true
        },
    )
}

pub(super) fn ttl_negative(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &named(&["TTL"]), &mut |e, rng| {
        set_text(e, ["-1", "1.5", "one"][rng.below(3)]);
        true
    })
}

pub(super) fn error_code_text(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(doc, rng, &named(&["ErrorCode"]), &mut |e, rng| {
        set_text(e, ["InvalidRequest", "6OO", ""][rng.below(3)]);
        true
    })
}

pub(super) fn redirect_url_http(doc: &Document, rng: &mut Rng) -> Option<Vec<u8>> {
    edit(
        doc,
        rng,
        &|e| e.name.local == "RedirectUrl" && e.text().starts_with("https://"),
        &mut |e, _| {
            let t = e.text().replacen("https://", "http://", 1);
            set_text(e, &t);
            true
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_lands_after_a_declaration_that_re_declaring_shortens() {
        // `US-ASCII` becomes `utf-8`, three bytes shorter: an insertion at the original
        // declaration's end lands inside the root's start tag.
        let src = "<?xml version=\"1.0\" encoding=\"US-ASCII\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"/>";
        let doc = crate::parse(src.as_bytes()).expect("parses").tree;
        for seed in 0..6 {
            let out = doctype(&doc, &mut Rng::new(seed)).expect("applies");
            let text = String::from_utf8(out).expect("UTF-8");
            let rest = text
                .strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
                .unwrap_or_else(|| panic!("declaration rewritten whole: {text}"));
            assert!(rest.starts_with("<!DOCTYPE Autodiscover"), "{text}");
            assert!(rest.ends_with("<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"/>"), "{text}");
        }
    }
}
