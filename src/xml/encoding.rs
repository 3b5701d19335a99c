//! Detects the encoding of raw bytes and decodes them to UTF-8 text.

use super::error::XmlErrorKind;
use serde::Serialize;
use std::borrow::Cow;

/// The encoding a document arrived in. Decoding always yields UTF-8 text; this records what
/// the bytes were so that the lossless writer can give them back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SourceEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 preceded by the EF BB BF byte-order mark.
    Utf8Bom,
    /// UTF-16 little-endian with the FF FE byte-order mark.
    Utf16Le,
    /// UTF-16 big-endian with the FE FF byte-order mark.
    Utf16Be,
}

impl SourceEncoding {
    /// A human name for messages.
    pub fn name(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 | SourceEncoding::Utf8Bom => "UTF-8",
            SourceEncoding::Utf16Le => "UTF-16LE",
            SourceEncoding::Utf16Be => "UTF-16BE",
        }
    }

    /// Whether an XML declaration's `encoding` label agrees with these bytes. Labels are
    /// compared case-insensitively, as the XML specification asks. `us-ascii` is accepted for
    /// UTF-8 bytes only when the whole text is ASCII.
    pub fn accepts_label(self, label: &str, text_is_ascii: bool) -> bool {
        let label = label.trim().to_ascii_lowercase();
        match self {
            SourceEncoding::Utf8 | SourceEncoding::Utf8Bom => {
                matches!(label.as_str(), "utf-8" | "utf8")
                    || (text_is_ascii && matches!(label.as_str(), "us-ascii" | "ascii"))
            }
            SourceEncoding::Utf16Le => matches!(label.as_str(), "utf-16" | "utf-16le"),
            SourceEncoding::Utf16Be => matches!(label.as_str(), "utf-16" | "utf-16be"),
        }
    }

    /// Encodes UTF-8 `text` back into this encoding, with the byte-order mark where it has one.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            SourceEncoding::Utf8 => text.as_bytes().to_vec(),
            SourceEncoding::Utf8Bom => {
                let mut out = vec![0xEF, 0xBB, 0xBF];
                out.extend_from_slice(text.as_bytes());
                out
            }
            SourceEncoding::Utf16Le => {
                let mut out = vec![0xFF, 0xFE];
                for unit in text.encode_utf16() {
                    out.extend_from_slice(&unit.to_le_bytes());
                }
                out
            }
            SourceEncoding::Utf16Be => {
                let mut out = vec![0xFE, 0xFF];
                for unit in text.encode_utf16() {
                    out.extend_from_slice(&unit.to_be_bytes());
                }
                out
            }
        }
    }

    /// [`SourceEncoding::encode`] of an owned text: UTF-8 without a byte-order mark is the
    /// text's own bytes, not a copy of them.
    pub fn encode_owned(self, text: String) -> Vec<u8> {
        match self {
            SourceEncoding::Utf8 => text.into_bytes(),
            _ => self.encode(&text),
        }
    }
}

/// A decoding failure: its cause and the byte offset of the first bad byte in the raw input,
/// plus the text decoded before it (to turn the offset into a line and column).
#[derive(Debug)]
pub struct DecodeError {
    /// The cause.
    pub kind: XmlErrorKind,
    /// Text that decoded cleanly before the failure.
    pub valid_prefix: String,
}

/// Decodes `bytes` after detecting their encoding from the byte-order mark. UTF-8 (with or
/// without its mark) is the input itself, borrowed: the reader copies the text once, into the
/// tree's shared source, instead of once here and again there.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, SourceEncoding), DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(rest).map(|t| (Cow::Borrowed(t), SourceEncoding::Utf8Bom));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes)
            .map(|t| (Cow::Owned(t), SourceEncoding::Utf16Le));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes)
            .map(|t| (Cow::Owned(t), SourceEncoding::Utf16Be));
    }
    if looks_like_utf16(bytes) {
        return Err(DecodeError {
            kind: XmlErrorKind::Utf16WithoutBom,
            valid_prefix: String::new(),
        });
    }
    decode_utf8(bytes).map(|t| (Cow::Borrowed(t), SourceEncoding::Utf8))
}

/// UTF-16 of ASCII markup puts a NUL beside every ASCII byte; XML text never holds a NUL.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && ((bytes[0] == 0) != (bytes[1] == 0))
}

fn decode_utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.valid_up_to();
            Err(DecodeError {
                kind: XmlErrorKind::InvalidUtf8,
                // The prefix is valid by construction.
                valid_prefix: String::from_utf8_lossy(&bytes[..valid]).into_owned(),
            })
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    let units = bytes.chunks(2).map(|c| {
        if c.len() == 2 {
            Some(unit([c[0], c[1]]))
        } else {
            None
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut pending_error = false;
    let iter = char::decode_utf16(units.map_while(|u| {
        if u.is_none() {
            pending_error = true;
        }
        u
    }));
    for c in iter {
        match c {
            Ok(c) => out.push(c),
            Err(_) => {
                return Err(DecodeError {
                    kind: XmlErrorKind::InvalidUtf16,
                    valid_prefix: out,
                })
            }
        }
    }
    if pending_error {
        return Err(DecodeError {
            kind: XmlErrorKind::InvalidUtf16,
            valid_prefix: out,
        });
    }
    Ok(out)
}

/// The text of bytes as well as it can be read, for showing or scanning input that may not be
/// a readable document: UTF-16 by its byte-order mark, otherwise UTF-8 (BOM dropped), invalid
/// sequences replaced.
pub fn decode_lossy(bytes: &[u8]) -> String {
    let utf16 = |le: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        utf16(true)
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        utf16(false)
    } else {
        let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        String::from_utf8_lossy(body).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::SourceEncoding;

    /// The owned form gives the same bytes as the borrowed one in every encoding.
    #[test]
    fn encode_owned_is_encode() {
        let text = "<a>é\u{10000}&amp;</a>";
        for e in [
            SourceEncoding::Utf8,
            SourceEncoding::Utf8Bom,
            SourceEncoding::Utf16Le,
            SourceEncoding::Utf16Be,
        ] {
            assert_eq!(e.encode_owned(text.to_owned()), e.encode(text), "{e:?}");
        }
    }
}
