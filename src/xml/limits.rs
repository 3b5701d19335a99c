//! Resource limits applied while reading a document.

/// Bounds the reader enforces so that no input can make it allocate or recurse without limit.
///
/// Every limit is checked before the corresponding work is done: an oversized document is
/// refused before it is decoded, an element past the depth limit before it is pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted document, in bytes as read (before decoding). Default 1 MiB.
    pub max_bytes: usize,
    /// Deepest accepted element nesting; the root element is depth 1. Default 64.
    pub max_depth: usize,
    /// Most attributes (namespace declarations included) accepted on one element. Default 64.
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 1024 * 1024,
            max_depth: 64,
            max_attributes: 64,
        }
    }
}
