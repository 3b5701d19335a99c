//! Trees back to text: a lossless form that re-emits what was read, and a canonical form (of a
//! tree or of anything else seen as elements, [`super::ElementView`]).
//!
//! Written by hand rather than with `quick_xml::Writer` because the lossless form must keep
//! each attribute's quote character and the canonical form must escape CR and TAB as character
//! references so that values survive a round trip unchanged; quick-xml's writer offers neither.

use super::tree::{Document, Element, Misc, Name, Node};
use super::view::{ChildView, ElementView};

/// Re-emits a document as text. Reading the result gives back an identical tree (spans aside):
/// the declaration, comments, processing instructions, CDATA sections, references as
/// written, whitespace, prefixes, attribute order and quote style are all kept. Whitespace
/// around `=` in attributes is dropped; whitespace before attributes and before `>` is kept.
pub fn write_lossless_text(doc: &Document) -> String {
    let mut out = String::with_capacity(doc.text.len() + 16);
    if let Some(d) = &doc.declaration {
        out.push_str("<?xml version=\"");
        out.push_str(&d.version);
        out.push('"');
        if let Some(e) = &d.encoding {
            out.push_str(" encoding=\"");
            out.push_str(e);
            out.push('"');
        }
        if let Some(s) = &d.standalone {
            out.push_str(" standalone=\"");
            out.push_str(s);
            out.push('"');
        }
        out.push_str("?>");
    }
    for m in &doc.prolog {
        write_misc(&mut out, m);
    }
    write_element_lossless(&mut out, &doc.root);
    for m in &doc.epilog {
        write_misc(&mut out, m);
    }
    out
}

/// [`write_lossless_text`] encoded back into the document's source encoding (BOM included).
pub fn write_lossless(doc: &Document) -> Vec<u8> {
    doc.encoding.encode_owned(write_lossless_text(doc))
}

fn write_misc(out: &mut String, m: &Misc) {
    match m {
        Misc::Comment(c) => {
            out.push_str("<!--");
            out.push_str(&c.text);
            out.push_str("-->");
        }
        Misc::Pi(p) => write_pi(out, &p.target, &p.content),
        Misc::Whitespace(w) => out.push_str(w),
    }
}

fn write_pi(out: &mut String, target: &str, content: &str) {
    out.push_str("<?");
    out.push_str(target);
    out.push_str(content);
    out.push_str("?>");
}

/// `prefix:local` or `local`, written in place (not through an owned qualified name per
/// element and attribute).
fn push_name(out: &mut String, name: &Name) {
    push_qname(out, name.prefix.as_deref(), &name.local);
}

fn write_element_lossless(out: &mut String, e: &Element) {
    out.push('<');
    push_name(out, &e.name);
    for a in &e.attributes {
        out.push_str(if a.leading_space.is_empty() {
            " "
        } else {
            &a.leading_space
        });
        push_name(out, &a.name);
        out.push('=');
        out.push(a.quote);
        out.push_str(&a.raw);
        out.push(a.quote);
    }
    out.push_str(&e.tag_trailing_space);
    if e.self_closing {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for n in &e.children {
        match n {
            Node::Element(c) => write_element_lossless(out, c),
            Node::Text(t) => out.push_str(&t.raw),
            Node::CData(c) => {
                out.push_str("<![CDATA[");
                out.push_str(&c.raw);
                out.push_str("]]>");
            }
            Node::Comment(c) => {
                out.push_str("<!--");
                out.push_str(&c.text);
                out.push_str("-->");
            }
            Node::Pi(p) => write_pi(out, &p.target, &p.content),
        }
    }
    out.push_str("</");
    push_name(out, &e.name);
    out.push('>');
}

/// Writes an element tree in the canonical form: UTF-8, an XML declaration, two-space indent.
///
/// Element-only content is indented one element per line; whitespace-only text beside child
/// elements is dropped (it is indentation). An element holding text is written on one line
/// with its text exactly as it is, so no value gains or loses whitespace; mixed content is
/// written without added whitespace. Text is escaped (`&`, `<`, `>`, and CR as `&#13;`);
/// attribute values also escape `"`, TAB, LF and CR so that normalisation cannot alter them.
/// Writing the canonical form of a tree read from canonical output gives the same bytes.
pub fn write_canonical(root: &Element) -> String {
    write_canonical_view(&root)
}

/// [`write_canonical`] of the element a view describes, without building a tree for it.
pub fn write_canonical_view<V: ElementView>(root: &V) -> String {
    // Room for a typical response (1–3 KB) at once: growing from the declaration's 40 bytes
    // was six reallocations and copies per document.
    let mut out = String::with_capacity(2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    write_element_canonical(&mut out, root, 0, true);
    out.push('\n');
    out
}

/// Whether a child is whitespace-only text (CDATA never is: it was written on purpose).
fn is_blank_text<V>(c: &ChildView<'_, V>) -> bool {
    matches!(c, ChildView::Text(t) if t.trim().is_empty())
}

fn push_qname(out: &mut String, prefix: Option<&str>, local: &str) {
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
}

fn write_element_canonical<V: ElementView>(out: &mut String, e: &V, depth: usize, indent: bool) {
    let (prefix, local) = e.name();
    out.push('<');
    push_qname(out, prefix, local);
    e.attributes(&mut |a| {
        out.push(' ');
        push_qname(out, a.prefix, a.local);
        out.push_str("=\"");
        escape_into(out, a.value, true);
        out.push('"');
    });
    // The layout: whether any child is an element, and whether any is text that is not
    // indentation (CDATA always counts). Texts are tested for blankness only beside elements,
    // the one place it matters (most texts are a leaf's only child, and `trim` tests
    // characters one at a time), and only until one is not blank.
    let (mut children, mut texts, mut element_children, mut cdata) = (0usize, false, false, false);
    e.children(&mut |c| {
        children += 1;
        match c {
            ChildView::Element(_) => element_children = true,
            ChildView::Text(_) => texts = true,
            ChildView::CData(_) => cdata = true,
            ChildView::Comment(_) | ChildView::Pi(..) => {}
        }
    });
    let mut mixed = element_children && cdata;
    if element_children && texts && !mixed {
        e.children(&mut |c| {
            if !mixed && matches!(c, ChildView::Text(_)) {
                mixed = !is_blank_text(&c);
            }
        });
    }
    if children == 0 {
        out.push_str(" />");
        return;
    }
    // Beside elements and not mixed, every text is indentation, and is dropped.
    let drop_texts = element_children && !mixed;
    out.push('>');
    let block = indent && drop_texts;
    e.children(&mut |c| {
        if drop_texts && matches!(c, ChildView::Text(_)) {
            return;
        }
        if block {
            out.push('\n');
            push_indent(out, depth + 1);
        }
        match c {
            ChildView::Element(child) => write_element_canonical(out, &child, depth + 1, block),
            ChildView::Text(t) | ChildView::CData(t) => escape_into(out, t, false),
            ChildView::Comment(t) => {
                out.push_str("<!--");
                out.push_str(t);
                out.push_str("-->");
            }
            ChildView::Pi(target, content) => write_pi(out, target, content),
        }
    });
    if block {
        out.push('\n');
        push_indent(out, depth);
    }
    out.push_str("</");
    push_qname(out, prefix, local);
    out.push('>');
}

fn push_indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Escapes `s` for element content or (with `attribute`) for a double-quoted attribute value.
/// Runs without a special character are copied whole (every special character is ASCII, so
/// a byte search never splits a character); a character at a time was most of the writer.
/// The special characters are found a word at a time ([`super::scan`]), not by a `match` per
/// byte (a switch per byte was a callback per byte under the fuzzers' comparison tracing).
pub(crate) fn escape_into(out: &mut String, s: &str, attribute: bool) {
    use super::scan::eq;
    let word = |x: u64| {
        let content = eq(x, b'&') | eq(x, b'<') | eq(x, b'>') | eq(x, b'\r');
        if attribute {
            content | eq(x, b'"') | eq(x, b'\t') | eq(x, b'\n')
        } else {
            content
        }
    };
    let bytes = s.as_bytes();
    let mut from = 0;
    // The padding, `a`, is never special.
    while let Some(i) = super::scan::first(&bytes[from..], b'a', word) {
        let i = from + i;
        let escaped = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\t' => "&#9;",
            b'\n' => "&#10;",
            _ => "&#13;",
        };
        out.push_str(&s[from..i]);
        out.push_str(escaped);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

/// Escapes `s` for element content (`&`, `<`, `>`, and CR as `&#13;`).
pub fn escape_text(out: &mut String, s: &str) {
    escape_into(out, s, false)
}

#[cfg(test)]
mod tests {
    use super::escape_into;
    use proptest::prelude::*;

    /// The canonical form of `xml`'s root, without the declaration and the final line end.
    fn canonical(xml: &str) -> String {
        let doc = crate::xml::parse_str(xml, &Default::default()).expect("well-formed");
        let out = super::write_canonical(&doc.root);
        out.strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
            .and_then(|s| s.strip_suffix('\n'))
            .expect("declaration and final line end")
            .to_owned()
    }

    /// Each layout rule of the canonical writer, on the case that decides it.
    #[test]
    fn canonical_layout_follows_the_content() {
        let cases = [
            // Whitespace beside elements is indentation: dropped, and written anew.
            ("<a>  <b>x</b>\n\t</a>", "<a>\n  <b>x</b>\n</a>"),
            // Text that is not blank beside elements makes the content mixed: kept as it
            // is, blank text included, nothing added, down to the grandchildren.
            ("<a>t<b><c/></b> </a>", "<a>t<b><c /></b> </a>"),
            // CDATA makes it mixed even when blank (it was written on purpose).
            ("<a> <![CDATA[ ]]><b/></a>", "<a>  <b /></a>"),
            // Without child elements whitespace is the value.
            ("<a>  </a>", "<a>  </a>"),
            ("<a></a>", "<a />"),
            ("<a><!--c--></a>", "<a><!--c--></a>"),
            (
                "<a><!--c--><?p d?><b/></a>",
                "<a>\n  <!--c-->\n  <?p d?>\n  <b />\n</a>",
            ),
            // Escapes: CR in text, and quote, TAB, LF in attributes.
            (
                "<a x='&quot;&#9;&#10;'>&amp;&lt;&#13;</a>",
                "<a x=\"&quot;&#9;&#10;\">&amp;&lt;&#13;</a>",
            ),
        ];
        for (xml, expected) in cases {
            assert_eq!(canonical(xml), expected, "{xml:?}");
        }
    }

    /// The definition the word-at-a-time escaper stands for: one character at a time.
    fn by_chars(s: &str, attribute: bool) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\r' => out.push_str("&#13;"),
                '"' if attribute => out.push_str("&quot;"),
                '\t' if attribute => out.push_str("&#9;"),
                '\n' if attribute => out.push_str("&#10;"),
                c => out.push(c),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn escaping_by_words_is_escaping_by_characters(
            text in crate::strategy::text_of(
                prop_oneof![
                    Just('&'), Just('<'), Just('>'), Just('\r'), Just('"'), Just('\t'),
                    Just('\n'), Just('a'), Just('é'), Just('\u{10000}'), any::<char>(),
                ],
                0..120,
            ),
            attribute in any::<bool>(),
        ) {
            let mut out = String::from("prefix");
            escape_into(&mut out, &text, attribute);
            prop_assert_eq!(out, format!("prefix{}", by_chars(&text, attribute)));
        }
    }
}
