//! Errors the reader reports; each variant has exactly one cause.

use super::position::LineCol;
use thiserror::Error;

/// Why a document was refused. Every variant is paired with a position by [`XmlError`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum XmlErrorKind {
    /// The input has no bytes, or only whitespace and a BOM.
    #[error("empty document: no root element")]
    Empty,
    /// The input is larger than [`super::Limits::max_bytes`].
    #[error("document is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// Elements nest deeper than [`super::Limits::max_depth`].
    #[error("elements nest deeper than the limit of {limit}")]
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// An element has more attributes than [`super::Limits::max_attributes`].
    #[error("element has more than {limit} attributes")]
    TooManyAttributes {
        /// The limit in force.
        limit: usize,
    },
    /// A `<!DOCTYPE` was found; it is refused so that no entity is ever expanded or fetched.
    #[error("DOCTYPE declarations are refused (no DTD processing, no entity expansion)")]
    Doctype,
    /// The bytes are not valid UTF-8 and carry no UTF-16 byte-order mark.
    #[error("invalid UTF-8 byte sequence")]
    InvalidUtf8,
    /// The bytes look like UTF-16 (NUL bytes beside ASCII) but have no byte-order mark.
    #[error("UTF-16 text without a byte-order mark; add a BOM or send UTF-8")]
    Utf16WithoutBom,
    /// UTF-16 input with a BOM holds an unpaired surrogate or an odd number of bytes.
    #[error("invalid UTF-16 data")]
    InvalidUtf16,
    /// The XML declaration names an encoding other than the one the bytes are in.
    #[error(
        "declared encoding \"{declared}\" contradicts the document's actual encoding {actual}"
    )]
    EncodingMismatch {
        /// What the declaration says.
        declared: String,
        /// What the bytes are.
        actual: &'static str,
    },
    /// The document ends while elements are still open.
    #[error("unexpected end of document: <{open}> is not closed")]
    Truncated {
        /// Name of the innermost open element.
        open: String,
    },
    /// An end tag does not match the open element.
    #[error("end tag </{found}> does not match the open element <{expected}>")]
    MismatchedEndTag {
        /// The open element's name.
        expected: String,
        /// The end tag found.
        found: String,
    },
    /// An end tag appears with no element open.
    #[error("end tag </{0}> has no matching start tag")]
    UnmatchedEndTag(String),
    /// The same attribute name appears twice on one element.
    #[error("duplicate attribute \"{0}\"")]
    DuplicateAttribute(String),
    /// An element or attribute uses a prefix that no `xmlns:` declaration binds.
    #[error("undeclared namespace prefix \"{0}\"")]
    UndeclaredPrefix(String),
    /// A namespace declaration breaks the Namespaces in XML rules (e.g. rebinding `xml`).
    #[error("invalid namespace declaration: {0}")]
    InvalidNamespace(String),
    /// An entity reference other than the five predefined ones and character references.
    #[error("undeclared entity reference &{0};")]
    UnknownEntity(String),
    /// A character reference names no valid XML character.
    #[error("invalid character reference &{0};")]
    InvalidCharRef(String),
    /// Non-whitespace text, or a second element, outside the root element.
    #[error("content outside the root element: {0}")]
    OutsideRoot(String),
    /// Any other well-formedness error reported by the tokenizer.
    #[error("{0}")]
    Syntax(String),
}

/// A refused document: the cause and where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{position}: {kind}")]
pub struct XmlError {
    /// What went wrong.
    pub kind: XmlErrorKind,
    /// Byte offset in the decoded text (or in the raw bytes for encoding errors).
    pub offset: usize,
    /// The offset as line and column.
    pub position: LineCol,
}

impl XmlError {
    /// Formats the error as `FILE:LINE:COLUMN: message`, the form every command prints.
    pub fn with_file(&self, file: &str) -> String {
        format!(
            "{}:{}:{}: {}",
            file, self.position.line, self.position.column, self.kind
        )
    }
}
