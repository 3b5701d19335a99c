//! The XML tree: everything a document said, with a span for every node.

use super::encoding::SourceEncoding;
use super::position::{LineCol, LineIndex, Span};
use super::text::Str;
use serde::Serialize;

/// The namespace URI reserved for `xmlns` declarations.
pub const XMLNS_URI: &str = "http://www.w3.org/2000/xmlns/";

/// The namespace URI the `xml` prefix is bound to by definition (`xml:lang`, `xml:space`);
/// no other prefix may be bound to it, and `xml` needs no declaration.
pub const XML_URI: &str = "http://www.w3.org/XML/1998/namespace";

/// A parsed document. Guarantees: `text` is the whole decoded source and every [`Span`] in the
/// tree indexes into it; the root is the only top-level element; nothing was dropped (comments,
/// processing instructions, CDATA sections, character references and whitespace are all kept).
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// The decoded source text (UTF-8), without the byte-order mark. Every [`Str`] of a parsed
    /// tree that reads as its source spelt it is a range of this one shared text.
    #[serde(skip)]
    pub text: Str,
    /// The encoding the bytes arrived in.
    pub encoding: SourceEncoding,
    /// The XML declaration, when present.
    pub declaration: Option<Declaration>,
    /// Comments, processing instructions and whitespace before the root element.
    pub prolog: Vec<Misc>,
    /// The root element.
    pub root: Element,
    /// Comments, processing instructions and whitespace after the root element.
    pub epilog: Vec<Misc>,
    /// Built on the first position asked for: a document without findings never needs it.
    #[serde(skip)]
    lines: std::sync::OnceLock<LineIndex>,
}

impl Document {
    pub(crate) fn new(
        text: Str,
        encoding: SourceEncoding,
        declaration: Option<Declaration>,
        prolog: Vec<Misc>,
        root: Element,
        epilog: Vec<Misc>,
    ) -> Self {
        Document {
            text,
            encoding,
            declaration,
            prolog,
            root,
            epilog,
            lines: std::sync::OnceLock::new(),
        }
    }

    /// Line and column of a byte offset into [`Document::text`].
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.index().line_col(&self.text, offset)
    }

    /// The text of a 1-based line, for showing a finding in context.
    pub fn line_text(&self, line: usize) -> &str {
        self.index().line_text(&self.text, line)
    }

    fn index(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }
}

/// The `<?xml ...?>` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    /// The `version` pseudo-attribute.
    pub version: String,
    /// The `encoding` pseudo-attribute, as written.
    pub encoding: Option<String>,
    /// The `standalone` pseudo-attribute, as written.
    pub standalone: Option<String>,
    /// Where it stands.
    pub span: Span,
}

/// A node outside the root element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Misc {
    /// A comment.
    Comment(Comment),
    /// A processing instruction.
    Pi(Pi),
    /// Whitespace between top-level constructs.
    Whitespace(Str),
}

/// An element or attribute name: the prefix as written, the local name, and the namespace the
/// prefix (or the default namespace) resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Name {
    /// The prefix used in the document, if any.
    pub prefix: Option<Str>,
    /// The local part.
    pub local: Str,
    /// The resolved namespace URI; `None` when the name is in no namespace. A parsed document
    /// shares one text per distinct URI among all its names.
    pub ns: Option<Str>,
}

impl Name {
    /// The qualified name as written (`prefix:local` or `local`).
    pub fn qualified(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local),
            None => self.local.to_string_owned(),
        }
    }

    /// Whether this attribute name is a namespace declaration (`xmlns` or `xmlns:p`).
    pub fn is_namespace_declaration(&self) -> bool {
        self.prefix.as_deref() == Some("xmlns") || (self.prefix.is_none() && self.local == "xmlns")
    }
}

/// An attribute, with its value both as written and as an XML processor reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    /// Its name. Namespace declarations are kept as attributes too.
    pub name: Name,
    /// The value as written between the quotes (references not expanded).
    pub raw: Str,
    /// The normalized value: references expanded, whitespace characters turned to spaces.
    pub value: Str,
    /// The quote character used: `"` or `'`.
    pub quote: char,
    /// Whitespace written before the attribute's name (a single space when built in code).
    pub leading_space: Str,
}

/// An element with its attributes and children in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Element {
    /// The element's name.
    pub name: Name,
    /// Attributes in document order, namespace declarations included.
    pub attributes: Vec<Attribute>,
    /// Child nodes in document order.
    pub children: Vec<Node>,
    /// Whether it was written as `<X/>` rather than `<X></X>`.
    pub self_closing: bool,
    /// Whitespace between the last name or attribute and the tag's `>` or `/>`.
    pub tag_trailing_space: Str,
    /// From the `<` of the start tag to the `>` of the end tag.
    pub span: Span,
    /// The start tag alone.
    pub start_tag: Span,
}

impl Element {
    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// Attributes other than namespace declarations.
    pub fn plain_attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.attributes
            .iter()
            .filter(|a| !a.name.is_namespace_declaration())
    }

    /// The first attribute with this local name and no namespace.
    pub fn attribute(&self, local: &str) -> Option<&Attribute> {
        self.plain_attributes()
            .find(|a| a.name.ns.is_none() && a.name.local == local)
    }

    /// The character data the element holds directly (text and CDATA; comments and
    /// processing instructions in between are skipped, as an XML processor does). One text
    /// node's value is shared, not copied; several are joined into a text of their own.
    pub fn text(&self) -> Str {
        let mut pieces = self.children.iter().filter_map(|n| match n {
            Node::Text(t) => Some(&t.value),
            Node::CData(c) => Some(&c.value),
            _ => None,
        });
        let Some(first) = pieces.next() else {
            return Str::default();
        };
        let Some(second) = pieces.next() else {
            return first.clone();
        };
        let mut out = format!("{first}{second}");
        for p in pieces {
            out.push_str(p);
        }
        Str::from(out)
    }

    /// Byte offset where the element's content starts (just after the start tag).
    pub fn content_start(&self) -> usize {
        self.start_tag.end
    }
}

/// A node inside an element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data, possibly with references.
    Text(Text),
    /// A CDATA section.
    CData(CData),
    /// A comment.
    Comment(Comment),
    /// A processing instruction.
    Pi(Pi),
}

/// A run of character data between markup. Adjacent text and references form one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    /// The text as written, with `&...;` references unexpanded.
    pub raw: Str,
    /// The text an XML processor reports: references expanded, line ends normalized.
    pub value: Str,
    /// Where it stands.
    pub span: Span,
}

/// A `<![CDATA[...]]>` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CData {
    /// The content between the markers, with line ends normalized.
    pub value: Str,
    /// The content exactly as written.
    pub raw: Str,
    /// Where it stands.
    pub span: Span,
}

/// A `<!-- ... -->` comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// The text between the markers.
    pub text: Str,
    /// Where it stands.
    pub span: Span,
}

/// A `<?target content?>` processing instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pi {
    /// The target name.
    pub target: Str,
    /// Everything after the target, as written (leading whitespace included).
    pub content: Str,
    /// Where it stands.
    pub span: Span,
}
