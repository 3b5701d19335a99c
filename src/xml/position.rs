//! Byte offsets into the decoded text, and their translation to line and column.

use serde::Serialize;

/// A half-open range of byte offsets into a [`crate::xml::Document`]'s decoded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    /// First byte of the construct.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A 1-based line and column; the column counts Unicode scalar values, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// Line number, from 1.
    pub line: usize,
    /// Column number, from 1, in characters.
    pub column: usize,
}

impl std::fmt::Display for LineCol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Bytes per block of [`LineIndex`]'s character counts: a column costs at most this many
/// bytes counted, however long the line.
const BLOCK: usize = 64;

/// Maps byte offsets of one text to line and column. Built once in one pass over the text;
/// each query costs O(log lines) plus at most [`BLOCK`] bytes counted, so that reporting many
/// positions on one long line (a whole document on one line is common) stays linear.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// For text that is not all ASCII: characters before each block boundary
    /// (`chars_before[i]` counts the characters starting in `text[..i * BLOCK]`).
    /// Empty for ASCII text, where a column is a byte difference.
    chars_before: Vec<usize>,
}

/// Whether `b` starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    (b as i8) >= -0x40
}

/// Where each line after the first starts: after every LF, and after every CR that no LF
/// follows (XML's end-of-line handling), in order. The one definition of a line end that the
/// index and one-off positions share.
fn line_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(move |&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
        .map(|i| i + 1)
}

impl LineIndex {
    /// Indexes the line starts of `text`. A line ends at `\n`; a lone `\r` ends one too, as
    /// XML's end-of-line handling treats it.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let line_starts: Vec<usize> = std::iter::once(0).chain(line_starts(bytes)).collect();
        let mut chars_before = Vec::new();
        if !text.is_ascii() {
            chars_before.reserve(bytes.len() / BLOCK + 1);
            let mut seen = 0;
            chars_before.push(0);
            for block in bytes.chunks(BLOCK) {
                seen += block.iter().filter(|&&b| starts_char(b)).count();
                chars_before.push(seen);
            }
        }
        crate::cost::add(bytes.len() as u64 / BLOCK as u64 + 1);
        LineIndex {
            line_starts,
            chars_before,
        }
    }

    /// Characters starting in `text[..offset]`; `offset` is a character boundary.
    fn chars_to(&self, text: &str, offset: usize) -> usize {
        if self.chars_before.is_empty() {
            return offset;
        }
        let block = offset / BLOCK;
        let tail = &text.as_bytes()[block * BLOCK..offset];
        crate::cost::add(tail.len() as u64 + 1);
        self.chars_before[block] + tail.iter().filter(|&&b| starts_char(b)).count()
    }

    /// Line and column of byte `offset` in `text` (the text this index was built from).
    /// Offsets past the end, or inside a multi-byte character, are clamped to a valid place.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        crate::cost::add(1 + self.line_starts.len().ilog2() as u64);
        LineCol {
            line: line + 1,
            column: self.chars_to(text, offset) - self.chars_to(text, start) + 1,
        }
    }

    /// The text of line `line` (1-based), without its line terminator.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).copied().unwrap_or(text.len());
        text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Line and column of a byte offset, without keeping an index (for one-off error positions).
/// Reads only the text before the offset and allocates nothing: building a [`LineIndex`] of
/// the whole text for one position was 8 % of the `validate` fuzz target's work, whose inputs
/// are mostly refused. Offsets are clamped as [`LineIndex::line_col`] clamps them.
pub fn line_col_of(text: &str, offset: usize) -> LineCol {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let (mut line, mut start) = (1, 0);
    for s in line_starts(text.as_bytes()).take_while(|&s| s <= offset) {
        line += 1;
        start = s;
    }
    crate::cost::add(offset as u64 / BLOCK as u64 + 1);
    LineCol {
        line,
        column: text[start..offset].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the index must agree with: a scan from the start of the text.
    fn naive(text: &str, offset: usize) -> LineCol {
        let mut line = 1;
        let mut col = 1;
        for (i, c) in text[..offset].char_indices() {
            match c {
                '\n' => (line, col) = (line + 1, 1),
                '\r' if text.as_bytes().get(i + 1) != Some(&b'\n') => (line, col) = (line + 1, 1),
                _ => col += 1,
            }
        }
        LineCol { line, column: col }
    }

    proptest! {
        #[test]
        fn line_col_agrees_with_a_scan(
            text in "([a-z<>/ ]|é|\u{1F600}|\r\n|\n|\r|\u{FFFD}){0,300}",
            picks in proptest::collection::vec(any::<usize>(), 1..20),
        ) {
            let index = LineIndex::new(&text);
            for p in picks {
                let mut offset = p % (text.len() + 1);
                while !text.is_char_boundary(offset) {
                    offset -= 1;
                }
                prop_assert_eq!(index.line_col(&text, offset), naive(&text, offset));
                prop_assert_eq!(line_col_of(&text, offset), naive(&text, offset));
            }
        }
    }

    #[test]
    fn column_on_a_long_non_ascii_line_counts_characters() {
        let text = "é".repeat(10_000) + "x";
        let index = LineIndex::new(&text);
        let at = text.len() - 1;
        let (pos, units) = crate::cost::measure(|| index.line_col(&text, at));
        assert_eq!(
            pos,
            LineCol {
                line: 1,
                column: 10_001
            }
        );
        assert!(
            units < 2 * BLOCK as u64 + 64,
            "{units} units for one lookup"
        );
    }
}
