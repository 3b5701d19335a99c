//! CSV records as every importer reads them (a header row, `#` comment lines, every record as
//! wide as the header), read with csv-core from one parser built once per process.
//!
//! The `csv` crate's reader builds csv-core's DFA afresh for every reader (about 270 k
//! instructions: a transition for each of 10 states × 256 bytes) and allocates an 8 KiB
//! buffer; a small import opened up to five of them, most of its cost. This reader is the
//! `csv` reader's record loop over a csv-core parser built once per thread and reset before
//! each text (`Reader::reset` puts back everything reading changes: the DFA state, the line,
//! whether a byte order mark may still come; the table is never changed after it is built).
//! A clone of a built parser is not an option: csv-core's `Clone` for its DFA copies the
//! transitions but not the byte classes or the accepting states (csv-core 0.1.13), so a clone
//! misreads every byte.
//!
//! Records, positions and errors are the `csv` reader's, to the byte: `Position` counts what
//! that reader counts (so a record after a CRLF starts on its `\n` and a line short, as
//! BurntSushi/rust-csv#395 describes), and [`CsvError`] displays as `csv::Error` does. The
//! test `csv_records_read_as_the_csv_crate_does` checks this against the `csv` crate, and
//! `csv_readers_share_no_state` that one text's reading does not leak into the next.

use std::cell::Cell;
use std::thread::LocalKey;

type Slot = LocalKey<Cell<Option<Box<csv_core::Reader>>>>;

thread_local! {
    /// The parser records are read with (`#` comments, as the importers read exports), while
    /// no reader holds it.
    static RECORDS: Cell<Option<Box<csv_core::Reader>>> = const { Cell::new(None) };
    /// csv-core's default parser (no comments), while no one holds it.
    static PLAIN: Cell<Option<Box<csv_core::Reader>>> = const { Cell::new(None) };
}

/// The parser kept in `slot`, reset, or a newly built one when the slot is empty (first use
/// on this thread, or a second reader alive at once).
fn take(slot: &'static Slot, build: fn() -> csv_core::Reader) -> Box<csv_core::Reader> {
    match slot.try_with(Cell::take).ok().flatten() {
        Some(mut parser) => {
            parser.reset();
            parser
        }
        None => Box::new(build()),
    }
}

/// Keeps `parser` for the next reader on this thread.
fn give_back(slot: &'static Slot, parser: Box<csv_core::Reader>) {
    // During thread teardown the slot may be gone: the parser is then simply dropped.
    let _ = slot.try_with(|s| s.set(Some(parser)));
}

fn build_records() -> csv_core::Reader {
    csv_core::ReaderBuilder::new().comment(Some(b'#')).build()
}

/// Runs `f` with csv-core's default parser (`csv_core::Reader::new()`) in its initial state
/// (line 1, nothing read, outside any field), without building its table again.
pub(super) fn with_plain_parser<T>(f: impl FnOnce(&mut csv_core::Reader) -> T) -> T {
    let mut parser = take(&PLAIN, csv_core::Reader::new);
    let out = f(&mut parser);
    give_back(&PLAIN, parser);
    out
}

/// Where a record starts, as the `csv` reader reports it: the bytes consumed before it, the
/// 1-based count of line feeds consumed before it, and how many records (the header
/// included) came before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Position {
    pub byte: u64,
    pub line: u64,
    pub record: u64,
}

/// Why a CSV text cannot be read. A text (valid UTF-8, read from memory) can fail only this
/// way: its fields are the text minus ASCII quotes, delimiters and terminators, so always
/// UTF-8, and there is no I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CsvError {
    /// A record is not as wide as the first (the header).
    UnequalLengths {
        /// Where the record starts.
        pos: Position,
        /// The header's field count.
        expected_len: u64,
        /// The record's field count.
        len: u64,
    },
}

impl CsvError {
    /// Where the offending record starts.
    pub(super) fn position(&self) -> Position {
        match self {
            CsvError::UnequalLengths { pos, .. } => *pos,
        }
    }
}

impl std::fmt::Display for CsvError {
    /// `csv::Error`'s text for the same error.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsvError::UnequalLengths {
                pos,
                expected_len,
                len,
            } => write!(
                f,
                "CSV error: record {} (line: {}, byte: {}): found record with {} fields, but the previous record has {} fields",
                pos.record, pos.line, pos.byte, len, expected_len
            ),
        }
    }
}

/// One record: its fields unescaped, one after the other in `buf`, and where each ends.
#[derive(Debug, Default)]
pub(super) struct CsvRecord {
    buf: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
    pos: Position,
}

impl CsvRecord {
    /// An empty record (buffers grow as records need them and are kept between records).
    pub(super) fn new() -> Self {
        CsvRecord::default()
    }

    /// The number of fields.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Field `i`, or `None` past the last.
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        if i >= self.len {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        // Always UTF-8 (see `CsvError`); a field that were not would read as absent.
        std::str::from_utf8(&self.buf[start..self.ends[i]]).ok()
    }

    /// The fields in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len).map(|i| self.get(i).unwrap_or(""))
    }

    /// Where the record starts.
    pub(super) fn position(&self) -> Position {
        self.pos
    }
}

/// Records of one text, the header first.
pub(super) struct CsvReader<'t> {
    /// `None` only once dropped.
    parser: Option<Box<csv_core::Reader>>,
    input: &'t [u8],
    /// Bytes of `input` consumed.
    at: usize,
    /// Where the next record starts.
    pos: Position,
    /// The first record's field count, which every other record must have.
    width: Option<u64>,
    /// The parser reported the end.
    done: bool,
}

impl<'t> CsvReader<'t> {
    /// A reader of `text` from its start.
    pub(super) fn new(text: &'t str) -> Self {
        CsvReader {
            parser: Some(take(&RECORDS, build_records)),
            input: text.as_bytes(),
            at: 0,
            pos: Position {
                byte: 0,
                line: 1,
                record: 0,
            },
            width: None,
            done: false,
        }
    }

    /// Where the next record starts.
    pub(super) fn position(&self) -> Position {
        self.pos
    }

    /// Reads the next record into `record`: `Ok(false)` at the end (with `record` empty), an
    /// error for a record of another width than the first.
    pub(super) fn read_record(&mut self, record: &mut CsvRecord) -> Result<bool, CsvError> {
        use csv_core::ReadRecordResult as R;
        record.len = 0;
        record.pos = self.pos;
        if self.done {
            return Ok(false);
        }
        let Some(parser) = self.parser.as_deref_mut() else {
            return Ok(false);
        };
        let (mut out, mut ends) = (0, 0);
        loop {
            if record.buf.len() == out {
                record.buf.resize((out * 2).max(64), 0);
            }
            if record.ends.len() == ends {
                record.ends.resize((ends * 2).max(8), 0);
            }
            let (result, nin, nout, nend) = parser.read_record(
                &self.input[self.at..],
                &mut record.buf[out..],
                &mut record.ends[ends..],
            );
            self.at += nin;
            self.pos.byte += nin as u64;
            self.pos.line = parser.line();
            out += nout;
            ends += nend;
            match result {
                R::InputEmpty | R::OutputFull | R::OutputEndsFull => {}
                R::Record => {
                    record.len = ends;
                    self.pos.record += 1;
                    let len = ends as u64;
                    return match self.width {
                        None => {
                            self.width = Some(len);
                            Ok(true)
                        }
                        Some(expected_len) if expected_len != len => {
                            Err(CsvError::UnequalLengths {
                                pos: record.pos,
                                expected_len,
                                len,
                            })
                        }
                        Some(_) => Ok(true),
                    };
                }
                R::End => {
                    self.done = true;
                    return Ok(false);
                }
            }
        }
    }
}

impl Drop for CsvReader<'_> {
    fn drop(&mut self) {
        if let Some(parser) = self.parser.take() {
            give_back(&RECORDS, parser);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a reader gives for a text: each record's fields and position, then the error or
    /// the end.
    type Reading = (
        Vec<(Vec<String>, (u64, u64, u64))>,
        Option<(String, Option<u64>)>,
    );

    fn ours(text: &str) -> Reading {
        let mut reader = CsvReader::new(text);
        let mut record = CsvRecord::new();
        let mut records = Vec::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {
                    let p = record.position();
                    records.push((
                        record.iter().map(str::to_owned).collect(),
                        (p.byte, p.line, p.record),
                    ));
                }
                Ok(false) => {
                    let p = reader.position();
                    records.push((Vec::new(), (p.byte, p.line, p.record)));
                    return (records, None);
                }
                Err(e) => return (records, Some((e.to_string(), Some(e.position().line)))),
            }
        }
    }

    /// The same through the `csv` crate's reader, as the importers used it.
    fn theirs(text: &str) -> Reading {
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .comment(Some(b'#'))
            .flexible(false)
            .from_reader(text.as_bytes());
        let mut record = ::csv::StringRecord::new();
        let mut records = Vec::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {
                    let p = record.position().expect("read records have positions");
                    records.push((
                        record.iter().map(str::to_owned).collect(),
                        (p.byte(), p.line(), p.record()),
                    ));
                }
                Ok(false) => {
                    let p = reader.position();
                    records.push((Vec::new(), (p.byte(), p.line(), p.record())));
                    return (records, None);
                }
                Err(e) => {
                    return (
                        records,
                        Some((e.to_string(), e.position().map(|p| p.line()))),
                    )
                }
            }
        }
    }

    /// Texts made of what CSV readers disagree on: quotes, doubled quotes, delimiters, every
    /// line ending, comment marks, blank lines, a byte order mark, multi-byte characters.
    fn csv_like() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\""),
            Just("\"\""),
            Just(","),
            Just(",,"),
            Just("\r\n"),
            Just("\n"),
            Just("\r"),
            Just("#"),
            Just(" "),
            Just("\u{feff}"),
            Just("\u{e9}\u{212a}"),
            Just("ab"),
            Just("\"x,y\""),
        ];
        proptest::collection::vec(piece, 0..60).prop_map(|p| p.concat())
    }

    proptest! {
        /// Records, positions and errors as the `csv` crate's reader gives them.
        #[test]
        fn csv_records_read_as_the_csv_crate_does(text in csv_like()) {
            prop_assert_eq!(ours(&text), theirs(&text));
        }
    }

    /// Texts longer than the `csv` reader's 8 KiB buffer, with a CRLF, a quoted field and a
    /// comment across each boundary: that reader fed csv-core in chunks, this one in one piece.
    #[test]
    fn csv_records_read_across_the_csv_crates_buffer_boundaries() {
        for shift in 0..6 {
            let mut text = String::from("\"A\",B\r\n");
            text.push_str(&"x".repeat(shift));
            while text.len() < 40_000 {
                text.push_str("\"q\r\n\"\"u\",v\r\n# c,d\r\n\r\nw,\"z\"\n");
            }
            text.push_str("one\r\n");
            assert_eq!(ours(&text), theirs(&text), "shift {shift}");
        }
    }

    /// A reader starts from a parser that has read nothing, whatever readers before it left
    /// behind: a text ending inside a quoted field, deep in its lines, with a byte order mark
    /// read, does not change how the next text reads (its leading byte order mark still
    /// skipped, its lines counted from 1); nor does a reader dropped half-way, or one alive
    /// beside it.
    #[test]
    fn csv_readers_share_no_state() {
        let next = "\u{feff}a,b\r\n\"c\r\nd\",e\r\nf\n";
        let alone = ours(next);
        assert_eq!(alone, theirs(next));
        for before in ["\u{feff}x\n\n\n\"open,\r\n", "\"", "#", "a\rb\r", ""] {
            let _ = ours(before);
            assert_eq!(ours(next), alone, "after {before:?}");
            let mut half = CsvReader::new(before);
            let _ = half.read_record(&mut CsvRecord::new());
            drop(half);
            assert_eq!(ours(next), alone, "after part of {before:?}");
            let mut beside = CsvReader::new(before);
            let _ = beside.read_record(&mut CsvRecord::new());
            assert_eq!(ours(next), alone, "beside {before:?}");
            let _ = beside.read_record(&mut CsvRecord::new());
        }
        // The parser is kept between readers, not built for each.
        drop(CsvReader::new(next));
        let kept = RECORDS.with(|s| {
            let p = s.take();
            let at = p.as_deref().map(std::ptr::from_ref);
            s.set(p);
            at
        });
        assert!(kept.is_some());
        drop(CsvReader::new(next));
        assert_eq!(
            RECORDS.with(|s| {
                let p = s.take();
                let at = p.as_deref().map(std::ptr::from_ref);
                s.set(p);
                at
            }),
            kept
        );
    }
}
