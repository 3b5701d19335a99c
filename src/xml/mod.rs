//! The XML layer: bytes to a lossless tree with spans, and trees back to bytes.
//!
//! This layer knows nothing of Autodiscover: it is the stage every later one reads from.

mod encoding;
mod error;
mod limits;
mod path;
mod position;
mod reader;
mod scan;
mod text;
mod tree;
mod view;
mod writer;

pub use encoding::{decode_lossy, SourceEncoding};
pub use error::{XmlError, XmlErrorKind};
pub use limits::Limits;
pub use position::{line_col_of, LineCol, LineIndex, Span};
pub(crate) use reader::first_non_xml_char;
pub use reader::{is_xml_char, parse_bytes, parse_str};
pub use text::Str;
pub use tree::{
    Attribute, CData, Comment, Declaration, Document, Element, Misc, Name, Node, Pi, Text,
    XMLNS_URI, XML_URI,
};
pub use view::{element_from_view, AttributeView, ChildView, ElementView};
pub use writer::{
    escape_text, write_canonical, write_canonical_view, write_lossless, write_lossless_text,
};
