//! A record splitter for the one shape `Export-Csv` writes: every field quoted, `""` for a
//! quote inside a field, records ended by CRLF (or LF), `#` comment lines (the `#TYPE` line).
//!
//! The general CSV reader (csv-core's state machine, read as the `csv` crate reads) spends
//! about 17 instructions per byte; this splitter looks for the closing quote of each field
//! with `memchr` and does little else. It accepts strictly less than the general reader (the
//! "`csv` reader" below) and never decides an error: at the first byte outside the shape it
//! stops ([`OutsideShape`]) and the caller reads the text again with the general reader,
//! which reads every record the same way this splitter does and places any error at its line
//! and column.

use std::borrow::Cow;

/// The text is not in the shape this splitter reads (not an error: the `csv` reader decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OutsideShape;

/// One field: the byte range of its content (inside the quotes) and whether it holds a `""`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Field {
    start: usize,
    end: usize,
    escaped: bool,
}

impl Field {
    /// The field's value: a slice of `body` unless it holds an escaped quote.
    pub(super) fn text<'t>(&self, body: &'t str) -> Cow<'t, str> {
        let raw = &body[self.start..self.end];
        if self.escaped {
            Cow::Owned(raw.replace("\"\"", "\""))
        } else {
            Cow::Borrowed(raw)
        }
    }

    /// The field's content as written between its quotes (escaped quotes still doubled).
    pub(super) fn raw<'t>(&self, body: &'t str) -> &'t str {
        &body[self.start..self.end]
    }
}

/// Where a record starts: its byte offset in the body and its 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RecordAt {
    pub start: usize,
    pub line: usize,
}

/// The records of a body from a given offset on (after the header).
pub(super) struct QuotedRecords<'t> {
    bytes: &'t [u8],
    pos: usize,
    /// The 1-based line `pos` is on.
    line: usize,
}

impl<'t> QuotedRecords<'t> {
    /// The records of `body` from byte `from` (which may sit inside the line ending of the
    /// record before it, as the `csv` reader's positions do after a CRLF).
    pub(super) fn new(body: &'t str, from: usize) -> Self {
        let bytes = body.as_bytes();
        let from = from.min(bytes.len());
        QuotedRecords {
            bytes,
            pos: from,
            line: memchr::memchr_iter(b'\n', &bytes[..from]).count() + 1,
        }
    }

    /// Reads the next record's fields into `fields` (cleared first). `Ok(None)` at the end.
    pub(super) fn next_record(
        &mut self,
        fields: &mut Vec<Field>,
    ) -> Result<Option<RecordAt>, OutsideShape> {
        fields.clear();
        let b = self.bytes;
        // Between records the `csv` reader skips empty lines and `#` comment lines (a comment
        // ends at the first CR or LF).
        loop {
            match b.get(self.pos) {
                None => return Ok(None),
                Some(b'\n') => {
                    self.line += 1;
                    self.pos += 1;
                }
                Some(b'\r') => self.pos += 1,
                // Only a comment ended by a line feed with no carriage return before it but
                // the CRLF's: the `csv` reader ends a comment at a lone CR (and reads what
                // follows as a record), and reads a comment at the end of the text as a record.
                Some(b'#') => {
                    let n = memchr::memchr(b'\n', &b[self.pos..]).ok_or(OutsideShape)?;
                    let comment = &b[self.pos..self.pos + n];
                    if memchr::memchr(b'\r', comment).is_some_and(|i| i + 1 != n) {
                        return Err(OutsideShape);
                    }
                    self.pos += n;
                }
                Some(_) => break,
            }
        }
        let at = RecordAt {
            start: self.pos,
            line: self.line,
        };
        let mut p = self.pos;
        loop {
            if b.get(p) != Some(&b'"') {
                return Err(OutsideShape);
            }
            let start = p + 1;
            let mut q = start;
            let mut escaped = false;
            // A line break inside quotes would move the line count: outside.
            let end = loop {
                let i = q + find_quote_or_newline(&b[q..]).ok_or(OutsideShape)?;
                if b[i] == b'\n' {
                    return Err(OutsideShape);
                }
                if b.get(i + 1) == Some(&b'"') {
                    escaped = true;
                    q = i + 2;
                } else {
                    break i;
                }
            };
            fields.push(Field {
                start,
                end,
                escaped,
            });
            p = end + 1;
            match b.get(p) {
                Some(b',') => p += 1,
                None => break,
                Some(b'\n') => {
                    p += 1;
                    self.line += 1;
                    break;
                }
                // CRLF; a CR elsewhere ends a record for the `csv` reader but not a line.
                Some(b'\r') if b.get(p + 1) == Some(&b'\n') => {
                    p += 2;
                    self.line += 1;
                    break;
                }
                Some(b'\r') if p + 1 == b.len() => {
                    p += 1;
                    break;
                }
                Some(_) => return Err(OutsideShape),
            }
        }
        self.pos = p;
        Ok(Some(at))
    }
}

/// The offset of the first `"` or line feed in `s`, eight bytes at a time: fields are short (a
/// few to a few dozen bytes), where `memchr`'s setup costs more than the search.
fn find_quote_or_newline(s: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
    const NEWLINES: u64 = u64::from_le_bytes([b'\n'; 8]);
    // The lowest zero byte of `w` sets the lowest high bit of the result; bytes above it may
    // set false ones, which `trailing_zeros` never reaches.
    let zeros = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS;
    let mut chunks = s.chunks_exact(8);
    for (n, chunk) in chunks.by_ref().enumerate() {
        let w = u64::from_le_bytes(chunk.try_into().expect("chunks of eight"));
        let found = zeros(w ^ QUOTES) | zeros(w ^ NEWLINES);
        if found != 0 {
            return Some(n * 8 + found.trailing_zeros() as usize / 8);
        }
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(|&c| c == b'"' || c == b'\n')
        .map(|i| s.len() - rest.len() + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(body: &str, from: usize) -> Result<Vec<(RecordAt, Vec<String>)>, OutsideShape> {
        let mut r = QuotedRecords::new(body, from);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some(at) = r.next_record(&mut fields)? {
            out.push((
                at,
                fields.iter().map(|f| f.text(body).into_owned()).collect(),
            ));
        }
        Ok(out)
    }

    #[test]
    fn export_csv_records_split_with_their_lines_and_starts() {
        let body = "#TYPE X\r\n\"a\",\"b\"\r\n\"x\"\"y\",\"\"\r\n\r\n# note\r\n\"\u{e9}\",\"z\"";
        let got = all(body, 9).unwrap();
        let fields: Vec<Vec<String>> = got.iter().map(|(_, f)| f.clone()).collect();
        assert_eq!(
            fields,
            [
                vec!["a".to_owned(), "b".to_owned()],
                vec!["x\"y".to_owned(), String::new()],
                vec!["\u{e9}".to_owned(), "z".to_owned()],
            ]
        );
        let lines: Vec<usize> = got.iter().map(|(at, _)| at.line).collect();
        assert_eq!(lines, [2, 3, 6]);
        assert_eq!(&body[got[1].0.start..got[1].0.start + 3], "\"x\"");
        // Starting on the LF of a CRLF (where the csv reader's position may point).
        assert_eq!(all(body, 8).unwrap().len(), 3);
    }

    #[test]
    fn the_search_finds_the_first_quote_or_line_feed_at_every_offset() {
        for stop in [b'"', b'\n'] {
            for len in 0..20 {
                for at in 0..=len {
                    let mut s = vec![b'a'; len];
                    if at < len {
                        s[at] = stop;
                        if at + 1 < len {
                            s[at + 1] = b'"';
                        }
                        if at + 2 < len {
                            s[at + 2] = b'\n';
                        }
                    }
                    let want = (at < len).then_some(at);
                    assert_eq!(find_quote_or_newline(&s), want, "{stop} {len} {at}");
                }
            }
        }
        assert_eq!(
            find_quote_or_newline("\u{e9}\u{e9}\u{e9}\u{e9}\"".as_bytes()),
            Some(8)
        );
        // Bytes one above and below the targets are not taken for them.
        assert_eq!(find_quote_or_newline(b"!#\x09\x0b!#\x09\x0b!\""), Some(9));
    }

    #[test]
    fn anything_outside_the_export_csv_shape_is_left_to_the_csv_reader() {
        for body in [
            "a,\"b\"\n",
            "\"a\",b\n",
            "\"a\"b\n",
            "\"a\n b\"\n",
            "\"a\"\r\"b\"\n",
            "\"a\"\r\r\n",
            "\"unterminated\n",
            "\"a\" ,\"b\"\n",
            "\"a\"\n#",
            "\"a\"\n# x\r\"b\"\n",
        ] {
            assert_eq!(all(body, 0), Err(OutsideShape), "{body:?}");
        }
    }
}
