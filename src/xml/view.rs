//! Elements as the canonical writer reads them: the seam between the XML layer and whatever
//! describes a document, a parsed [`Element`] or a typed model.
//!
//! A writer that took only trees made every model be copied into one first (an element, a
//! vector of children and a vector of attributes per element), to be read once and dropped:
//! 9 % of the `structured` fuzz target's instructions, and a sixth of its allocations, went to
//! that copy and its drop (benches/README.md, tenth round). A model describes itself through
//! [`ElementView`] instead, and the same writer code formats both; [`element_from_view`]
//! builds a tree from any view for callers that want one.

use super::position::Span;
use super::text::Str;
use super::tree::{Attribute, CData, Comment, Element, Name, Node, Pi, Text};

/// One attribute of an [`ElementView`], namespace declarations included, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeView<'a> {
    /// The prefix (`xmlns` for a prefixed declaration), if any.
    pub prefix: Option<&'a str>,
    /// The local name (`xmlns` for a default namespace declaration).
    pub local: &'a str,
    /// The namespace the attribute's name is in, if any.
    pub ns: Option<&'a str>,
    /// The value, unescaped.
    pub value: &'a str,
}

/// One child of an [`ElementView`].
#[derive(Debug, Clone, Copy)]
pub enum ChildView<'a, V> {
    /// A child element.
    Element(V),
    /// Character data, unescaped.
    Text(&'a str),
    /// A CDATA section's content.
    CData(&'a str),
    /// A comment's text.
    Comment(&'a str),
    /// A processing instruction: target and content (with its leading space).
    Pi(&'a str, &'a str),
}

/// An element seen through its name, attributes and children, without being a tree.
///
/// Implementations guarantee that every call of [`ElementView::attributes`] and
/// [`ElementView::children`] reports the same items in the same order: the writer walks the
/// children up to three times (to count them, to test texts beside elements for blankness,
/// to write). The writer spells names, prefixes and namespace declarations exactly as given,
/// fixing and checking nothing, so a view's declarations must bind what its names use;
/// [`ElementView::namespace`] and [`AttributeView::ns`] are read only by
/// [`element_from_view`], and must agree with those declarations.
pub trait ElementView: Sized {
    /// The element's prefix, if any, and local name.
    fn name(&self) -> (Option<&str>, &str);
    /// The namespace the element is in, if any.
    fn namespace(&self) -> Option<&str>;
    /// Calls `each` with every attribute in the order it is written, namespace declarations
    /// included.
    fn attributes(&self, each: &mut dyn FnMut(AttributeView<'_>));
    /// Calls `each` with every child in the order it is written.
    fn children(&self, each: &mut dyn FnMut(ChildView<'_, Self>));
}

impl<'e> ElementView for &'e Element {
    fn name(&self) -> (Option<&str>, &str) {
        (self.name.prefix.as_deref(), &self.name.local)
    }

    fn namespace(&self) -> Option<&str> {
        self.name.ns.as_deref()
    }

    fn attributes(&self, each: &mut dyn FnMut(AttributeView<'_>)) {
        for a in &self.attributes {
            each(AttributeView {
                prefix: a.name.prefix.as_deref(),
                local: &a.name.local,
                ns: a.name.ns.as_deref(),
                value: &a.value,
            });
        }
    }

    fn children(&self, each: &mut dyn FnMut(ChildView<'_, Self>)) {
        let e: &'e Element = self;
        for n in &e.children {
            each(match n {
                Node::Element(c) => ChildView::Element(c),
                Node::Text(t) => ChildView::Text(&t.value),
                Node::CData(c) => ChildView::CData(&c.value),
                Node::Comment(c) => ChildView::Comment(&c.text),
                Node::Pi(p) => ChildView::Pi(&p.target, &p.content),
            });
        }
    }
}

/// The tree a view describes: every name, namespace and text through `intern` (which may
/// share them rather than copy). It is a tree as the canonical writer would write it, not a
/// copy of a parsed one: attributes double-quoted after one space, no whitespace in tags, no
/// self-closing tags, no spans, and each text's and attribute's `raw` side equal to its value
/// (unescaped), so the lossless writer is not for such a tree: write it with
/// [`super::write_canonical`].
pub fn element_from_view<V: ElementView>(view: &V, intern: &dyn Fn(&str) -> Str) -> Element {
    let (prefix, local) = view.name();
    let mut attributes = Vec::new();
    view.attributes(&mut |a| {
        let value = intern(a.value);
        attributes.push(Attribute {
            name: Name {
                prefix: a.prefix.map(intern),
                local: intern(a.local),
                ns: a.ns.map(intern),
            },
            raw: value.clone(),
            value,
            quote: '"',
            leading_space: intern(" "),
        });
    });
    let mut children = Vec::new();
    view.children(&mut |c| {
        children.push(match c {
            ChildView::Element(e) => Node::Element(element_from_view(&e, intern)),
            ChildView::Text(t) => {
                let value = intern(t);
                Node::Text(Text {
                    raw: value.clone(),
                    value,
                    span: Span::default(),
                })
            }
            ChildView::CData(t) => {
                let value = intern(t);
                Node::CData(CData {
                    raw: value.clone(),
                    value,
                    span: Span::default(),
                })
            }
            ChildView::Comment(t) => Node::Comment(Comment {
                text: intern(t),
                span: Span::default(),
            }),
            ChildView::Pi(target, content) => Node::Pi(Pi {
                target: intern(target),
                content: intern(content),
                span: Span::default(),
            }),
        })
    });
    Element {
        name: Name {
            prefix: prefix.map(intern),
            local: intern(local),
            ns: view.namespace().map(intern),
        },
        attributes,
        children,
        self_closing: false,
        tag_trailing_space: intern(""),
        span: Span::default(),
        start_tag: Span::default(),
    }
}
