//! The front door: bytes to tree and typed model in one call.

use crate::model::{self, ModelError};
use crate::xml::{self, Limits, LineCol, XmlError};
use thiserror::Error;

/// A document read both as a tree (with spans) and as a typed model.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The lossless tree.
    pub tree: xml::Document,
    /// The typed model built from it.
    pub model: model::Document,
}

/// Why bytes could not be read as an Autodiscover document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// Not well-formed XML, or over a limit.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// Well-formed XML that is not an Autodiscover document.
    #[error("{position}: {error}")]
    Model {
        /// The cause.
        error: ModelError,
        /// Where it points.
        position: LineCol,
    },
}

impl ParseError {
    /// Line and column of the error.
    pub fn position(&self) -> LineCol {
        match self {
            ParseError::Xml(e) => e.position,
            ParseError::Model { position, .. } => *position,
        }
    }

    /// The message without its position.
    pub fn message(&self) -> String {
        match self {
            ParseError::Xml(e) => e.kind.to_string(),
            ParseError::Model { error, .. } => error.to_string(),
        }
    }

    /// `FILE:LINE:COLUMN: message`.
    pub fn with_file(&self, file: &str) -> String {
        let p = self.position();
        format!("{file}:{}:{}: {}", p.line, p.column, self.message())
    }
}

/// Reads bytes into a tree and a typed model, with the default [`Limits`].
pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    parse_with(bytes, &Limits::default())
}

/// Reads bytes into a tree and a typed model.
pub fn parse_with(bytes: &[u8], limits: &Limits) -> Result<Parsed, ParseError> {
    let tree = xml::parse_bytes(bytes, limits)?;
    let model = model::from_tree(&tree).map_err(|error| ParseError::Model {
        position: tree.line_col(error.offset()),
        error,
    })?;
    Ok(Parsed { tree, model })
}
