//! Bytes to [`Document`], on quick-xml's namespace-aware reader.

use super::encoding::{decode, SourceEncoding};
use super::error::{XmlError, XmlErrorKind};
use super::limits::Limits;
use super::position::{line_col_of, Span};
use super::scan;
use super::text::Str;
use super::tree::{
    Attribute, CData, Comment, Declaration, Document, Element, Misc, Name, Node, Pi, Text,
    XMLNS_URI,
};
use quick_xml::errors::{Error as QxError, IllFormedError};
use quick_xml::escape::EscapeError;
use quick_xml::events::attributes::Attribute as QxAttribute;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{NamespaceError, NamespaceResolver, QName, ResolveResult};
use quick_xml::reader::Reader;
use quick_xml::XmlVersion;
use std::collections::HashSet;
use std::sync::Arc;

/// Parses raw bytes (any supported encoding) into a tree, enforcing `limits`.
pub fn parse_bytes(bytes: &[u8], limits: &Limits) -> Result<Document, XmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(error_at(
            "",
            0,
            XmlErrorKind::TooLarge {
                size: bytes.len(),
                limit: limits.max_bytes,
            },
        ));
    }
    let (text, encoding) = decode(bytes).map_err(|e| XmlError {
        offset: e.valid_prefix.len(),
        position: line_col_of(&e.valid_prefix, e.valid_prefix.len()),
        kind: e.kind,
    })?;
    parse_text(&text, encoding, limits)
}

/// Parses text that is already decoded (treated as UTF-8 input), enforcing `limits`.
pub fn parse_str(text: &str, limits: &Limits) -> Result<Document, XmlError> {
    parse_bytes(text.as_bytes(), limits)
}

fn error_at(text: &str, offset: usize, kind: XmlErrorKind) -> XmlError {
    XmlError {
        kind,
        offset,
        position: line_col_of(text, offset),
    }
}

/// The first character XML 1.0 does not allow (outside the `Char` production), with its byte
/// offset. In UTF-8 text such a character is either a C0 control byte other than tab, LF and
/// CR, or U+FFFE / U+FFFF (`EF BF BE` / `EF BF BF`; surrogates cannot occur in a `str`), so
/// the text is tested as bytes: whole 64-byte chunks folded in vector registers, then, from
/// the first chunk with a control or an `EF` byte (and for the tail), eight bytes at a time
/// ([`scan`]), with no branch per byte either way. Walking the text a character at a time (as
/// `is_xml_char` over `char_indices` did for any text with a non-ASCII byte) cost several
/// instructions and, under the fuzzers' comparison tracing, several callbacks per character;
/// a `memmem` search for `EF BF` (the sixth round's) stopped at every U+FFFD, which lossily
/// decoded fuzz input is full of, and a fold over a slice's last, partial chunk is a scalar
/// loop, a callback per byte in a short text.
pub(crate) fn first_non_xml_char(text: &str) -> Option<(usize, char)> {
    use scan::{below, eq};
    const CHUNK: usize = 64;
    let bytes = text.as_bytes();
    let forbidden = |b: u8| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r';
    // Whole chunks first, folded without an early exit: the compiler does this in vector
    // registers. Keep this form: a variant (over `chunks_exact`, `&` for `&&`, one flag)
    // came out scalar in the fuzz build, a comparison callback per byte.
    let mut from = 0;
    for chunk in bytes.chunks_exact(CHUNK) {
        let (bad, ef) = chunk.iter().fold((false, false), |(bad, ef), &b| {
            (bad | forbidden(b), ef | (b == 0xEF))
        });
        if bad | ef {
            break;
        }
        from += CHUNK;
    }
    // From the first chunk that needs a look (or the tail), a word at a time: a control
    // other than tab, LF and CR, or `EF BF BE` / `EF BF BF` (a continuation byte is at most
    // BF, so the last byte is BE or BF when `| 1` makes it BF). The padding, a space, is
    // neither.
    let rest = &bytes[from..];
    let mut at = 0;
    let found = loop {
        let Some(i) = scan::first(&rest[at..], b' ', |x| {
            below(x, 0x20) & !(eq(x, b'\t') | eq(x, b'\n') | eq(x, b'\r')) | eq(x, 0xEF)
        }) else {
            break None;
        };
        let i = at + i;
        if rest[i] != 0xEF
            || (rest.get(i + 1) == Some(&0xBF) && rest.get(i + 2).is_some_and(|&c| c | 1 == 0xBF))
        {
            break Some(from + i);
        }
        at = i + 1;
    };
    let at = found?;
    text[at..].chars().next().map(|c| (at, c))
}

/// Whether attribute-value normalization could change `raw`: only a reference (`&`), a tab or
/// a line end does (and, in XML 1.1, NEL and LINE SEPARATOR, whose UTF-8 starts with `C2` and
/// `E2`). Tested a word at a time ([`scan`]): quick-xml's normalizer looks at a byte at a
/// time, a comparison callback per byte under the fuzzers' tracing, for values (namespace
/// URIs, mostly) that it returns unchanged.
fn may_normalize(raw: &str) -> bool {
    use scan::eq;
    let word = |x: u64| line_end_lead(x) | eq(x, b'&') | eq(x, b'\t') | eq(x, b'\n');
    scan::first(raw.as_bytes(), b' ', word).is_some()
}

/// The bytes of `x` (a [`scan`] word) that may start a line end quick-xml normalizes: CR, and
/// in XML 1.1 NEL and LINE SEPARATOR (UTF-8 `C2 85`, `E2 80 A8`).
fn line_end_lead(x: u64) -> u64 {
    use scan::eq;
    eq(x, b'\r') | eq(x, 0xC2) | eq(x, 0xE2)
}

/// Character data with its line ends normalized: `normalize()` (quick-xml's) when `raw` holds
/// a line end it could change, else `raw` itself. Only CR changes in XML 1.0, and in XML 1.1
/// NEL and LINE SEPARATOR too (UTF-8 `C2 85`, `E2 80 A8`); the test runs a word at a time
/// ([`scan`]), where quick-xml's search for CR fell back to a byte at a time, with a tracing
/// callback per byte in the fuzz targets' builds, in the short texts documents are made of.
fn line_ends_normalized<'a>(
    raw: &'a str,
    normalize: impl FnOnce() -> std::borrow::Cow<'a, str>,
) -> std::borrow::Cow<'a, str> {
    if scan::first(raw.as_bytes(), b' ', line_end_lead).is_some() {
        normalize()
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

/// [`XMLNS_URI`], one text for every document (the namespace of every `xmlns` attribute).
fn xmlns_uri() -> Str {
    static URI: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from(XMLNS_URI));
    Str::shared(Arc::clone(&URI))
}

/// The error for a start tag after the root element ended. Kept out of line, as are the other
/// errors the per-element path builds: their formatting's locals would widen the hot
/// function's stack frame, which the fuzz builds' ASan allocates and poisons on every call.
#[cold]
#[inline(never)]
fn second_root(e: &BytesStart<'_>) -> XmlErrorKind {
    XmlErrorKind::OutsideRoot(format!("a second root element <{}>", e.name().as_ref()))
}

/// A syntax error from what quick-xml reported, for every such error of the reader (see
/// [`second_root`] for why out of line).
#[cold]
#[inline(never)]
fn syntax(err: impl std::fmt::Display) -> XmlErrorKind {
    XmlErrorKind::Syntax(err.to_string())
}

/// Whether XML 1.0 allows `c` in a document (the `Char` production).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn parse_text(text: &str, encoding: SourceEncoding, limits: &Limits) -> Result<Document, XmlError> {
    if let Some((i, c)) = first_non_xml_char(text) {
        return Err(error_at(
            text,
            i,
            XmlErrorKind::Syntax(format!(
                "character U+{:04X} is not allowed in XML",
                c as u32
            )),
        ));
    }
    if text.trim().is_empty() {
        return Err(error_at(text, text.len(), XmlErrorKind::Empty));
    }
    // The byte-order mark is gone by now; a second U+FEFF is content before the root element
    // (quick-xml would skip it as a BOM and shift every position after it).
    if text.starts_with('\u{FEFF}') {
        return Err(error_at(
            text,
            0,
            XmlErrorKind::OutsideRoot("a second byte-order mark (U+FEFF)".into()),
        ));
    }
    // The one copy of the source the tree keeps: every node's names and text are ranges of it.
    let src: Arc<str> = Arc::from(text);
    let parsed = Builder::new(&src, encoding, limits).run();
    match parsed {
        Ok((declaration, prolog, root, epilog)) => Ok(Document::new(
            Str::shared(src),
            encoding,
            declaration,
            prolog,
            root,
            epilog,
        )),
        Err((offset, kind)) => Err(error_at(&src, offset, kind)),
    }
}

type Parts = (Option<Declaration>, Vec<Misc>, Element, Vec<Misc>);
type Fail = (usize, XmlErrorKind);

struct Builder<'t> {
    src: &'t Arc<str>,
    text: &'t str,
    encoding: SourceEncoding,
    limits: &'t Limits,
    /// The plain reader, not quick-xml's `NsReader`: that one reads every start tag's
    /// attributes a second time to find its declarations, and the builder reads them anyway.
    reader: Reader<&'t [u8]>,
    /// The namespace bindings in scope, fed from the builder's own pass over each start tag.
    resolver: NamespaceResolver,
    /// Whether the last element's scope (an empty element's, or one just ended) is still to
    /// be left before the next event.
    pending_pop: bool,
    /// A start tag's attributes as byte ranges of the source (reused from tag to tag).
    scratch: Vec<RawAttribute>,
    /// The open elements, outermost first; their children are in `kids`, not their own.
    stack: Vec<Element>,
    /// The children of every open element, in document order, those of `stack[i]` from
    /// `kid_starts[i]` on. An element's own list is made once, at its size, when it ends:
    /// pushed into its own list as they came, children grew it by doubling (a reallocation
    /// and a copy of 200-byte nodes at the 5th, 9th, 17th child, which indented documents,
    /// with a text node between elements, reach in every container).
    kids: Vec<Node>,
    kid_starts: Vec<usize>,
    pending: Option<PendingText>,
    declaration: Option<Declaration>,
    prolog: Vec<Misc>,
    epilog: Vec<Misc>,
    root: Option<Element>,
    version: XmlVersion,
    /// Namespace declarations' values as written → as normalized. quick-xml resolves names to
    /// the value as written, but the namespace name is the normalized value (references
    /// resolved, line breaks and tabs turned into spaces).
    ns_values: std::collections::HashMap<String, String>,
    /// Every namespace name met so far, one shared text each.
    namespaces: Interner,
}

/// An attribute of the start tag being read, as ranges of the source.
#[derive(Clone, Copy)]
struct RawAttribute {
    key: (usize, usize),
    value: (usize, usize),
}

/// Character data being gathered into one [`Text`] node (adjacent text and references). Each
/// side stays a range of the source until it first differs from it.
struct PendingText {
    start: usize,
    end: usize,
    /// The value, once it differs from the source (a reference expanded, a line end
    /// normalized); `None` while it reads as `text[start..end]`.
    value: Option<String>,
    /// How far the value agrees with the source while `value` is `None`.
    value_end: usize,
}

/// Namespace names, one shared text per distinct URI in a document. A document has a few; a
/// hostile one may have thousands, so past a handful they are hashed rather than scanned.
#[derive(Default)]
struct Interner {
    last: Option<Str>,
    few: Vec<Str>,
    many: HashSet<Str>,
}

impl Interner {
    const FEW: usize = 8;

    fn intern(&mut self, uri: &str) -> Str {
        self.intern_with(uri, || Str::from(uri))
    }

    /// [`Interner::intern`], with `make` giving the text to keep when `uri` is new (a range
    /// of the source, or a text shared by every document, rather than a copy).
    fn intern_with(&mut self, uri: &str, make: impl FnOnce() -> Str) -> Str {
        // Siblings mostly share their parent's namespace: one comparison in the common case.
        if let Some(last) = &self.last {
            if last.as_str() == uri {
                return last.clone();
            }
        }
        let found = match self.few.iter().find(|s| s.as_str() == uri) {
            Some(s) => s.clone(),
            None => match self.many.get(uri) {
                Some(s) => s.clone(),
                None => {
                    let s = make();
                    if self.few.len() < Self::FEW {
                        self.few.push(s.clone());
                    } else {
                        self.many.insert(s.clone());
                    }
                    s
                }
            },
        };
        self.last = Some(found.clone());
        found
    }
}

/// The working buffers of a parse that ended well, kept for the next parse on the same
/// thread: the namespace resolver (whose construction alone allocates four times), the stack
/// of open elements, their children, where each one's children start, a start tag's attribute
/// ranges and the interner's short list. Each is empty when kept (the resolver back at its
/// predefined `xml` and `xmlns` bindings) and only its capacity carries over, so a parse reads
/// nothing of the one before. Fresh buffers grew by doubling on every parse: about a dozen
/// allocations for a small document, which the fuzz targets (under ASan, where an allocation
/// records a stack trace) paid on every run.
#[derive(Default)]
struct Spare {
    resolver: Option<NamespaceResolver>,
    stack: Vec<Element>,
    kids: Vec<Node>,
    kid_starts: Vec<usize>,
    scratch: Vec<RawAttribute>,
    /// The interner's list of the first few namespace names.
    namespaces: Vec<Str>,
}

/// The most children of the root that are copied out of the children stack (see
/// [`Builder::close`]); the root of an Autodiscover document has one or two.
const ROOT_CHILDREN_COPIED: usize = 8;

/// `v` emptied, to be kept in [`Spare`]; past 1,024 places (224 KB of nodes) it is dropped
/// instead, so that one huge document does not stay in memory as a thread's buffers.
/// Cutting it down (`shrink_to`) would copy what it keeps, on every parse of a big document.
fn emptied<T>(mut v: Vec<T>) -> Vec<T> {
    if v.capacity() > 1024 {
        return Vec::new();
    }
    v.clear();
    v
}

thread_local! {
    static SPARE: std::cell::RefCell<Spare> = std::cell::RefCell::new(Spare::default());
}

impl<'t> Builder<'t> {
    fn new(src: &'t Arc<str>, encoding: SourceEncoding, limits: &'t Limits) -> Self {
        let text: &'t str = src;
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        let spare = SPARE.with_borrow_mut(std::mem::take);
        Builder {
            src,
            text,
            encoding,
            limits,
            reader,
            resolver: spare.resolver.unwrap_or_default(),
            pending_pop: false,
            scratch: spare.scratch,
            stack: spare.stack,
            kids: spare.kids,
            kid_starts: spare.kid_starts,
            pending: None,
            declaration: None,
            prolog: Vec::new(),
            epilog: Vec::new(),
            root: None,
            version: XmlVersion::Implicit1_0,
            ns_values: std::collections::HashMap::new(),
            namespaces: Interner {
                few: spare.namespaces,
                ..Interner::default()
            },
        }
    }

    /// Where `piece` lies in the source, when it is a part of it (events borrow the input).
    fn offset_of(&self, piece: &str) -> Option<usize> {
        let base = self.text.as_ptr() as usize;
        let at = (piece.as_ptr() as usize).checked_sub(base)?;
        (at + piece.len() <= self.text.len()).then_some(at)
    }

    /// `piece` as a range of the source when it is one, else a copy.
    fn piece(&self, piece: &str) -> Str {
        self.offset_of(piece)
            .and_then(|at| Str::slice_of(self.src, at, at + piece.len()))
            .unwrap_or_else(|| Str::from(piece))
    }

    /// A decoded value: a range of the source when the decoder returned it unchanged.
    fn cow(&self, value: std::borrow::Cow<'_, str>) -> Str {
        match value {
            std::borrow::Cow::Borrowed(b) => self.piece(b),
            std::borrow::Cow::Owned(o) => Str::from(o),
        }
    }

    /// `text[start..end]`, shared.
    fn range(&self, start: usize, end: usize) -> Str {
        Str::slice_of(self.src, start, end).unwrap_or_default()
    }

    fn run(self) -> Result<Parts, Fail> {
        let mut events = 0u64;
        let result = self.events(&mut events);
        crate::cost::add(events);
        result
    }

    fn events(mut self, count: &mut u64) -> Result<Parts, Fail> {
        loop {
            *count += 1;
            if self.pending_pop {
                self.resolver.pop();
                self.pending_pop = false;
            }
            let start = self.reader.buffer_position() as usize;
            // Events borrow the input, not the reader: no copy needed.
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let at = self.reader.error_position() as usize;
                    return Err(map_error(e, at.min(self.text.len())));
                }
            };
            let end = self.reader.buffer_position() as usize;
            match event {
                Event::Text(t) => {
                    // Borrowed: push_text copies once, into the pending text node.
                    let value = line_ends_normalized(&t, || t.xml_content(self.version));
                    self.push_text(&t, &value, start, end)?;
                }
                Event::GeneralRef(r) => {
                    let value = resolve_ref(&r).map_err(|k| (start, k))?;
                    // The reference as written is its source; neither side allocates (a
                    // value spelt as thousands of references is common in fuzzing).
                    let raw = self.text.get(start..end).unwrap_or_default();
                    let mut buf = [0u8; 4];
                    self.push_text(raw, value.encode_utf8(&mut buf), start, end)?;
                }
                other => {
                    self.flush_text();
                    if self.handle(other, start, end)? {
                        break;
                    }
                }
            }
        }
        let Builder {
            resolver,
            stack,
            kids,
            kid_starts,
            scratch,
            namespaces,
            declaration,
            prolog,
            root,
            epilog,
            ..
        } = self;
        let root = root.expect("loop ends only after the root is complete or with an error");
        // Kept for the next parse (`Spare`). Every element has ended and left its scope (the
        // end of input is read after that), so these hold nothing of this document; emptied
        // all the same (the interner's texts are ranges of this document's source), the
        // resolver kept only at its outermost level.
        SPARE.with_borrow_mut(|spare| {
            *spare = Spare {
                resolver: (resolver.level() == 0).then_some(resolver),
                stack: emptied(stack),
                kids: emptied(kids),
                kid_starts: emptied(kid_starts),
                scratch: emptied(scratch),
                namespaces: emptied(namespaces.few),
            }
        });
        Ok((declaration, prolog, root, epilog))
    }

    /// Handles every event but text; returns true at the end of input.
    fn handle(&mut self, event: Event<'_>, start: usize, end: usize) -> Result<bool, Fail> {
        let span = Span::new(start, end);
        match event {
            Event::Decl(d) => {
                if start != 0 {
                    return Err((
                        start,
                        XmlErrorKind::Syntax(
                            "the XML declaration must be at the very start of the document".into(),
                        ),
                    ));
                }
                let version = d.version().map_err(|e| (start, syntax(e)))?.into_owned();
                self.version = d.xml_version().map_err(|e| (start, syntax(e)))?;
                let encoding = match d.encoding() {
                    Some(Ok(e)) => Some(e.into_owned()),
                    Some(Err(e)) => return Err((start, syntax(e))),
                    None => None,
                };
                let standalone = match d.standalone() {
                    Some(Ok(s)) => Some(s.into_owned()),
                    Some(Err(e)) => return Err((start, syntax(e))),
                    None => None,
                };
                if let Some(label) = &encoding {
                    if !self.encoding.accepts_label(label, self.text.is_ascii()) {
                        return Err((
                            start,
                            XmlErrorKind::EncodingMismatch {
                                declared: label.clone(),
                                actual: self.encoding.name(),
                            },
                        ));
                    }
                }
                self.declaration = Some(Declaration {
                    version,
                    encoding,
                    standalone,
                    span,
                });
            }
            Event::DocType(_) => return Err((start, XmlErrorKind::Doctype)),
            Event::Start(e) => self.start_element(&e, span, false)?,
            Event::Empty(e) => {
                self.start_element(&e, span, true)?;
                self.pending_pop = true;
                self.close(end);
            }
            Event::End(_) => {
                if self.stack.is_empty() {
                    return Err((
                        start,
                        XmlErrorKind::Syntax("end tag without start tag".into()),
                    ));
                }
                self.pending_pop = true;
                self.close(end);
            }
            Event::CData(c) => {
                let value = self.cow(line_ends_normalized(&c, || c.xml_content(self.version)));
                let raw = self.piece(&c);
                self.attach_node(
                    Node::CData(CData { value, raw, span }),
                    start,
                    "a CDATA section",
                )?;
            }
            Event::Comment(c) => {
                let comment = Comment {
                    text: self.piece(&c),
                    span,
                };
                if !self.stack.is_empty() {
                    self.kids.push(Node::Comment(comment));
                } else {
                    self.top_level().push(Misc::Comment(comment));
                }
            }
            Event::PI(p) => {
                let pi = Pi {
                    target: self.piece(p.target().as_ref()),
                    content: self.piece(p.content().as_ref()),
                    span,
                };
                if pi.target.eq_ignore_ascii_case("xml") {
                    return Err((
                        start,
                        XmlErrorKind::Syntax(
                            "the XML declaration must be at the very start of the document".into(),
                        ),
                    ));
                }
                if !self.stack.is_empty() {
                    self.kids.push(Node::Pi(pi));
                } else {
                    self.top_level().push(Misc::Pi(pi));
                }
            }
            Event::Eof => {
                if let Some(open) = self.stack.last() {
                    return Err((
                        self.text.len(),
                        XmlErrorKind::Truncated {
                            open: open.name.qualified(),
                        },
                    ));
                }
                if self.root.is_none() {
                    return Err((self.text.len(), XmlErrorKind::Empty));
                }
                return Ok(true);
            }
            Event::Text(_) | Event::GeneralRef(_) => unreachable!("text is handled by run"),
        }
        Ok(false)
    }

    fn top_level(&mut self) -> &mut Vec<Misc> {
        if self.root.is_some() {
            &mut self.epilog
        } else {
            &mut self.prolog
        }
    }

    /// `piece`'s byte range in the source; `piece` must be a part of it (events and their
    /// attributes borrow the input).
    fn range_of(&self, piece: &str) -> (usize, usize) {
        // Not a part of the source (never, with a borrowing reader): an empty range.
        let at = self.offset_of(piece).unwrap_or(self.text.len());
        (at, at + piece.len().min(self.text.len() - at))
    }

    /// A source range as text (empty when it is not one).
    fn str_at(&self, (from, to): (usize, usize)) -> &'t str {
        self.text.get(from..to).unwrap_or_default()
    }

    /// Opens the element's namespace scope and reads its attributes once: ranges into
    /// `scratch`, declarations into the resolver. Returns the first malformed attribute's
    /// error, which is reported only after the checks that come before it (as a reader that
    /// stops binding at the first bad attribute would).
    fn read_attributes(
        &mut self,
        e: &BytesStart<'_>,
        start: usize,
    ) -> Result<Option<quick_xml::events::attributes::AttrError>, Fail> {
        let level = self.resolver.level().checked_add(1).ok_or_else(|| {
            map_error(
                QxError::Namespace(NamespaceError::TooDeeplyNested(u16::MAX as usize)),
                start,
            )
        })?;
        self.resolver.set_level(level);
        self.scratch.clear();
        for attr in e.attributes().with_checks(false) {
            let attr = match attr {
                Ok(a) => a,
                Err(err) => return Ok(Some(err)),
            };
            let key = self.range_of(attr.key.as_ref());
            let value = self.range_of(&attr.value);
            if let Some(prefix) = attr.key.as_namespace_binding() {
                let raw = self.str_at(value);
                self.resolver
                    .add(prefix, quick_xml::name::Namespace(raw))
                    .map_err(|err| map_error(QxError::Namespace(err), start))?;
                // The namespace name is the normalized value (references resolved, line
                // breaks and tabs turned into spaces); the resolver keeps it as written.
                let mut normalized = false;
                if may_normalize(raw) {
                    if let Ok(v) = attr.normalized_value(self.version) {
                        if v != raw {
                            self.ns_values.insert(raw.to_owned(), v.into_owned());
                            normalized = true;
                        }
                    }
                }
                // Known from here on as the declaration's text in the source: the names it
                // qualifies share that range rather than a copy (the resolver hands back its
                // own copy of the value, which is not part of the source).
                if !normalized {
                    let shared = self.range(value.0, value.1);
                    self.namespaces.intern_with(raw, || shared);
                }
            }
            self.scratch.push(RawAttribute { key, value });
        }
        Ok(None)
    }

    /// A start tag's attributes from their source ranges, checked (limit, duplicates, `<`,
    /// references to characters XML does not allow) and with their namespaces resolved;
    /// `cursor` moves past each attribute's closing quote.
    #[inline(never)]
    fn attributes(
        &mut self,
        raw_attributes: &[RawAttribute],
        start: usize,
        cursor: &mut usize,
    ) -> Result<Vec<Attribute>, Fail> {
        let mut attributes: Vec<Attribute> = Vec::with_capacity(raw_attributes.len());
        for raw_attr in raw_attributes {
            if attributes.len() == self.limits.max_attributes {
                return Err((
                    start,
                    XmlErrorKind::TooManyAttributes {
                        limit: self.limits.max_attributes,
                    },
                ));
            }
            let key = QName(self.str_at(raw_attr.key));
            let (aprefix, alocal) = split_name(key.0);
            let mut aname = Name {
                prefix: aprefix.map(|p| self.piece(p)),
                local: self.piece(alocal),
                ns: None,
            };
            if aname.is_namespace_declaration() {
                aname.ns = Some(self.namespaces.intern_with(XMLNS_URI, xmlns_uri));
            } else if aname.prefix.is_some() {
                match self.resolver.resolve_attribute(key).0 {
                    ResolveResult::Bound(n) => {
                        aname.ns = Some(ns_name(&mut self.namespaces, &self.ns_values, n.as_ref()))
                    }
                    ResolveResult::Unbound => {}
                    ResolveResult::Unknown(p) => {
                        return Err((start, XmlErrorKind::UndeclaredPrefix(p)))
                    }
                }
            }
            // Same qualified name: same prefix (or none) and local part.
            if attributes.iter().any(|a| {
                (a.name.prefix == aname.prefix && a.name.local == aname.local)
                    || (a.name.ns.is_some() && a.name.ns == aname.ns && a.name.local == aname.local)
            }) {
                return Err((start, XmlErrorKind::DuplicateAttribute(aname.qualified())));
            }
            let written = self.str_at(raw_attr.value);
            let attr = QxAttribute {
                key,
                value: std::borrow::Cow::Borrowed(written),
            };
            let value = if may_normalize(written) {
                attr.normalized_value(self.version)
                    .map_err(|err| map_error(err, start).1)
                    .map_err(|k| (start, k))?
            } else {
                std::borrow::Cow::Borrowed(written)
            };
            // The raw text holds only XML characters (checked up front), so an illegal one can
            // only have come from a character reference, which quick-xml resolves without that
            // check: only a value that differs from its source needs looking at.
            if let std::borrow::Cow::Owned(expanded) = &value {
                if let Some((_, c)) = first_non_xml_char(expanded) {
                    return Err((
                        start,
                        XmlErrorKind::InvalidCharRef(format!("#x{:X}", c as u32)),
                    ));
                }
            }
            let value = self.cow(value);
            let raw = self.range(raw_attr.value.0, raw_attr.value.1);
            if raw.contains('<') {
                return Err((
                    start,
                    XmlErrorKind::Syntax(format!(
                        "'<' is not allowed in the value of attribute {}",
                        aname.qualified()
                    )),
                ));
            }
            // The value's quotes stand just outside its range.
            let quote = match self.text.as_bytes().get(raw_attr.value.0.wrapping_sub(1)) {
                Some(b'\'') => '\'',
                _ => '"',
            };
            let before = self.text.get(*cursor..raw_attr.key.0).unwrap_or_default();
            let leading_space = if !before.is_empty() && before.chars().all(char::is_whitespace) {
                self.range(*cursor, raw_attr.key.0)
            } else {
                Str::from(" ")
            };
            *cursor = raw_attr.value.1 + 1;
            attributes.push(Attribute {
                name: aname,
                raw,
                value,
                quote,
                leading_space,
            });
        }
        Ok(attributes)
    }

    /// Reads a start tag (or an empty element's tag) and opens its element on the stack, where
    /// it is built in place: returned by value, a 200-byte element was copied through the
    /// `Result`, the `?` and the push, a tenth of `validate`'s time in `memmove`.
    fn start_element(&mut self, e: &BytesStart<'_>, span: Span, empty: bool) -> Result<(), Fail> {
        let start = span.start;
        // This element's own declarations first: its name and attributes may use them.
        let malformed = self.read_attributes(e, start)?;
        let qname = e.name();
        let (prefix, local) = split_name(qname.0);
        // Unprefixed (nearly every element): the default namespace, without quick-xml
        // splitting the name a second time.
        let resolved = match prefix {
            None => self.resolver.resolve_prefix(None, true),
            Some(_) => self.resolver.resolve_element(qname).0,
        };
        let ns = match resolved {
            ResolveResult::Bound(n) => {
                Some(ns_name(&mut self.namespaces, &self.ns_values, n.as_ref()))
            }
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => return Err((start, XmlErrorKind::UndeclaredPrefix(p))),
        };
        if self.stack.len() + 1 > self.limits.max_depth {
            return Err((
                start,
                XmlErrorKind::TooDeep {
                    limit: self.limits.max_depth,
                },
            ));
        }
        if self.stack.is_empty() && self.root.is_some() {
            return Err((start, second_root(e)));
        }
        let name = Name {
            prefix: prefix.map(|p| self.piece(p)),
            local: self.piece(local),
            ns,
        };
        let Some(tag) = self.text.get(span.start..span.end) else {
            return Err((start, XmlErrorKind::Syntax("malformed start tag".into())));
        };
        // Where the text after the name or the last attribute's closing quote starts.
        let mut cursor = span.start + 1 + qname.as_ref().len();
        // Most elements have no attributes: the loop, with its many locals, lives in a
        // function of its own, so that the per-element path keeps a small stack frame (in the
        // fuzz builds, ASan gives every call a fake frame of that size and poisons it).
        let raw_attributes = std::mem::take(&mut self.scratch);
        let read = if raw_attributes.is_empty() {
            Ok(Vec::new())
        } else {
            self.attributes(&raw_attributes, start, &mut cursor)
        };
        self.scratch = raw_attributes;
        let attributes = read?;
        if let Some(err) = malformed {
            return Err((start, syntax(err)));
        }
        let close = if empty {
            tag.len().saturating_sub(2)
        } else {
            tag.len().saturating_sub(1)
        };
        let from = (cursor - span.start).min(close);
        let tag_trailing_space = tag
            .get(from..close)
            .map(|s| {
                let kept = s.len() - s.trim_start().len();
                self.range(span.start + from, span.start + from + kept)
            })
            .unwrap_or_default();
        self.stack.push(Element {
            name,
            attributes,
            children: Vec::new(),
            self_closing: empty,
            tag_trailing_space,
            span,
            start_tag: span,
        });
        self.kid_starts.push(self.kids.len());
        Ok(())
    }

    /// Closes the innermost open element at `end`: its children come off the shared stack
    /// and it becomes a child of the element around it, or the root.
    fn close(&mut self, end: usize) {
        let Some(mut element) = self.stack.pop() else {
            return;
        };
        element.span.end = end;
        let from = self.kid_starts.pop().unwrap_or(self.kids.len());
        // The root's children are the whole stack. A few are moved into a list of their own,
        // as any element's are, and the stack is kept for the next parse (`Spare`); many are
        // not copied: the root takes the stack itself. (`split_off(0)` would hand over the
        // stack and allocate a new one of the same size.)
        element.children = match from {
            0 if self.kids.len() <= ROOT_CHILDREN_COPIED => self.kids.drain(..).collect(),
            0 => std::mem::take(&mut self.kids),
            _ => self.kids.split_off(from),
        };
        if self.stack.is_empty() {
            self.root = Some(element);
        } else {
            self.kids.push(Node::Element(element));
        }
    }

    fn attach_node(&mut self, node: Node, start: usize, what: &str) -> Result<(), Fail> {
        if self.stack.is_empty() {
            return Err((start, XmlErrorKind::OutsideRoot(what.to_owned())));
        }
        self.kids.push(node);
        Ok(())
    }

    fn push_text(&mut self, raw: &str, value: &str, start: usize, end: usize) -> Result<(), Fail> {
        if self.stack.is_empty() {
            if !raw.trim().is_empty() {
                return Err((
                    start,
                    XmlErrorKind::OutsideRoot(format!("text \"{}\"", excerpt(raw.trim()))),
                ));
            }
            let ws = self.piece(raw);
            self.top_level().push(Misc::Whitespace(ws));
            return Ok(());
        }
        // `raw` is `text[start..end]` (events are contiguous), so the raw side of a text node
        // is always the source range it covers; only the value may need a text of its own.
        let value_at = self.offset_of(value);
        let t = self.pending.get_or_insert(PendingText {
            start,
            end: start,
            value: None,
            value_end: start,
        });
        t.end = end;
        match &mut t.value {
            Some(v) => v.push_str(value),
            None if value_at == Some(t.value_end) => t.value_end += value.len(),
            None => {
                // The value never outgrows the source it is read from (a reference is longer
                // than its character, a CR LF than its LF), and the text runs at most to the
                // next `<`: room for all of it at once, instead of a doubling per few
                // references when a value is spelt as hundreds of them.
                let run_end = memchr::memchr(b'<', &self.text.as_bytes()[end..])
                    .map_or(self.text.len(), |i| end + i);
                let mut v = String::with_capacity(run_end - t.start);
                v.push_str(&self.text[t.start..t.value_end]);
                v.push_str(value);
                t.value = Some(v);
            }
        }
        Ok(())
    }

    fn flush_text(&mut self) {
        if let Some(t) = self.pending.take() {
            let value = match t.value {
                Some(v) => Str::from(v),
                None => self.range(t.start, t.value_end),
            };
            let text = Text {
                raw: self.range(t.start, t.end),
                value,
                span: Span::new(t.start, t.end),
            };
            if !self.stack.is_empty() {
                self.kids.push(Node::Text(text));
            }
        }
    }
}

/// A qualified name's prefix and local part, split at its first `:` as
/// `QName::decompose` splits it, but found with a word test instead of a loop with a branch
/// (in the fuzz builds, a traced comparison) per byte.
fn split_name(name: &str) -> (Option<&str>, &str) {
    match scan::first(name.as_bytes(), b' ', |x| scan::eq(x, b':')) {
        Some(i) => (name.get(..i), name.get(i + 1..).unwrap_or_default()),
        None => (None, name),
    }
}

/// The namespace name for a namespace value as written, interned.
fn ns_name(
    namespaces: &mut Interner,
    normalized: &std::collections::HashMap<String, String>,
    raw: &str,
) -> Str {
    // Almost every document writes its namespaces without references or line breaks: no
    // lookup (hashing a URI per element) when nothing was normalized.
    let name = match normalized.is_empty() {
        true => None,
        false => normalized.get(raw),
    };
    namespaces.intern(name.map_or(raw, String::as_str))
}

fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(20).collect();
    if s.chars().count() > 20 {
        out.push('…');
    }
    out
}

fn resolve_ref(r: &BytesRef<'_>) -> Result<char, XmlErrorKind> {
    let name: &str = r;
    if let Some(number) = name.strip_prefix('#') {
        return match char_ref(number) {
            Some(c) if is_xml_char(c) => Ok(c),
            _ => Err(XmlErrorKind::InvalidCharRef(name.to_owned())),
        };
    }
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(XmlErrorKind::UnknownEntity(name.to_owned())),
    }
}

/// The character a character reference's number names (`x41` or `65` for `&#x41;` or
/// `&#65;`): hexadecimal after a lowercase `x`, else decimal, at least one digit, no sign;
/// `None` past U+10FFFF or for a surrogate. Whether XML allows the character is the caller's
/// test. quick-xml's own (`BytesRef::resolve_char_ref`) gives the same characters through
/// `u32::from_str_radix`, whose digit tests and overflow checks were a tenth of the `onoff`
/// fuzz target's comparison callbacks (a document spelt in references, one per character):
/// here each digit is a table lookup and the value is capped as it grows.
fn char_ref(number: &str) -> Option<char> {
    /// Each byte's value as a digit, 0xFF for none (hexadecimal covers decimal).
    const DIGITS: [u8; 256] = {
        let mut t = [0xFF; 256];
        let mut i = 0;
        while i < 10 {
            t[b'0' as usize + i] = i as u8;
            i += 1;
        }
        let mut i = 0;
        while i < 6 {
            t[b'a' as usize + i] = 10 + i as u8;
            t[b'A' as usize + i] = 10 + i as u8;
            i += 1;
        }
        t
    };
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for &b in digits.as_bytes() {
        let digit = u32::from(DIGITS[usize::from(b)]);
        if digit >= radix {
            return None;
        }
        // Past U+10FFFF no digit brings it back; stopping here also keeps the arithmetic
        // from overflowing, however many digits (leading zeros are allowed) follow.
        value = value * radix + digit;
        if value > 0x10FFFF {
            return None;
        }
    }
    char::from_u32(value)
}

fn map_error(e: QxError, at: usize) -> Fail {
    let kind = match e {
        QxError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            XmlErrorKind::MismatchedEndTag { expected, found }
        }
        QxError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            XmlErrorKind::UnmatchedEndTag(name)
        }
        QxError::IllFormed(IllFormedError::MissingEndTag(open)) => XmlErrorKind::Truncated { open },
        QxError::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
            XmlErrorKind::UnknownEntity(name)
        }
        QxError::Escape(EscapeError::InvalidCharRef(c)) => {
            XmlErrorKind::InvalidCharRef(c.to_string())
        }
        QxError::Namespace(NamespaceError::UnknownPrefix(p)) => XmlErrorKind::UndeclaredPrefix(p),
        QxError::Namespace(other) => XmlErrorKind::InvalidNamespace(other.to_string()),
        other => syntax(other),
    };
    (at, kind)
}

#[cfg(test)]
mod tests {
    use super::{first_non_xml_char, is_xml_char, QName};
    use proptest::prelude::*;

    /// Guards `Spare`: the buffers a parse leaves to the next on its thread carry nothing of
    /// its document (bindings, open elements, children, namespace names), after a parse that
    /// ended well, one that failed midway, one whose root took the children stack and one
    /// whose buffers were too big to keep. Each document reads the same in sequence, in
    /// either order, as on a thread of its own.
    #[test]
    fn kept_buffers_carry_nothing_between_parses() {
        use crate::xml::Limits;
        let wide = format!("<Root xmlns=\"urn:wide\">{}</Root>", "<i/>".repeat(3000));
        let docs = [
            r#"<a:Root xmlns:a="urn:one" xmlns="urn:d"><a:x a:k="1"><y/></a:x></a:Root>"#,
            // The prefix the first document bound is not bound here.
            r#"<Root><a:x/></Root>"#,
            r#"<Root xmlns="urn:two"><p:z xmlns:p="urn:three" p:k="v">t &amp; u</p:z></Root>"#,
            // Fails with elements open and a binding in scope.
            r#"<Root xmlns:q="urn:q"><q:open><unclosed></Root>"#,
            &wide,
            r#"<R><a:x xmlns:a="urn:one"/><b/><c/><d/><e/><f/><g/><h/><i/><j/></R>"#,
            r#"<Root xmlns="urn:d"><y/></Root>"#,
        ];
        let read = |d: &str| format!("{:?}", super::parse_str(d, &Limits::default()));
        let alone: Vec<String> = docs
            .iter()
            .map(|d| {
                let d = d.to_string();
                std::thread::spawn(move || read(&d)).join().unwrap()
            })
            .collect();
        assert!(alone[1].starts_with("Err") && alone[3].starts_with("Err"));
        for order in [
            (0..docs.len()).collect::<Vec<_>>(),
            (0..docs.len()).rev().collect(),
        ] {
            for i in order {
                assert_eq!(read(docs[i]), alone[i], "document {i}");
            }
        }
    }

    /// The definition the byte test stands for: the first character outside `Char`.
    fn by_chars(text: &str) -> Option<(usize, char)> {
        text.char_indices().find(|&(_, c)| !is_xml_char(c))
    }

    #[test]
    fn the_byte_test_finds_what_the_char_production_forbids() {
        let long = "a".repeat(70);
        for text in [
            "",
            "plain",
            "tab\tlf\ncr\r",
            "\u{0}",
            "x\u{1F}",
            "é\u{B}",
            "\u{7F}\u{9F}\u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF}",
            "ab\u{FFFE}",
            "\u{FFFF}",
            "\u{FFFD}\u{FFFF}\u{1}",
            "\u{1}\u{FFFF}",
            &format!("{long}\u{FFFE}{long}\u{2}"),
            &format!("{long}\u{3}{long}\u{FFFF}"),
            "\u{EFBF}\u{FBFF}",
        ] {
            assert_eq!(first_non_xml_char(text), by_chars(text), "{text:?}");
        }
    }

    proptest! {
        /// Values the byte test passes over are exactly what quick-xml's normalizer returns
        /// unchanged, in XML 1.0 and 1.1.
        #[test]
        fn values_the_byte_test_skips_normalize_to_themselves(
            text in crate::strategy::text_of(
                prop_oneof![
                    Just('&'), Just('\t'), Just('\n'), Just('\r'), Just('\u{85}'),
                    Just('\u{2028}'), Just('a'), Just(' '), Just('é'), any::<char>(),
                ],
                0..100,
            )
        ) {
            if !super::may_normalize(&text) {
                for version in [quick_xml::XmlVersion::Implicit1_0, quick_xml::XmlVersion::Explicit1_1] {
                    let attr = quick_xml::events::attributes::Attribute {
                        key: quick_xml::name::QName("a"),
                        value: std::borrow::Cow::Borrowed(text.as_str()),
                    };
                    let normalized = attr.normalized_value(version).unwrap();
                    prop_assert_eq!(normalized.as_ref(), text.as_str());
                }
            }
        }

        /// The reader's character references name the characters quick-xml's do.
        #[test]
        fn char_refs_read_as_quick_xml_reads_them(
            number in prop_oneof![
                "x[0-9a-fA-F]{0,9}",
                "[0-9]{0,12}",
                "x?[+-]?[0-9a-fA-FxX]{0,8}",
                "x0{0,20}[0-9a-fA-F]{1,7}",
                any::<String>(),
            ],
        ) {
            let content = format!("#{number}");
            let theirs = quick_xml::events::BytesRef::new(content.as_str()).resolve_char_ref();
            let theirs = match theirs {
                Ok(Some(c)) => Some(c),
                _ => None,
            };
            // quick-xml refuses U+0000 itself; the reader refuses it as not an XML character.
            let ours = super::char_ref(&number).filter(|&c| c != '\0');
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn the_byte_test_agrees_with_the_char_production(
            text in crate::strategy::text_of(
                prop_oneof![
                    Just('\u{0}'), Just('\t'), Just('\u{1F}'), Just('a'), Just('\u{7F}'),
                    Just('\u{FFFD}'), Just('\u{FFFE}'), Just('\u{FFFF}'), Just('\u{EFBF}'),
                    any::<char>(),
                ],
                0..200,
            )
        ) {
            prop_assert_eq!(first_non_xml_char(&text), by_chars(&text));
        }

        /// Names split where quick-xml splits them.
        #[test]
        fn names_split_as_quick_xml_splits_them(
            name in crate::strategy::text_of(
                prop_oneof![Just(':'), Just('a'), Just('é'), Just(' '), any::<char>()],
                0..40,
            )
        ) {
            let (local, prefix) = QName(&name).decompose();
            let theirs = (prefix.map(|p| p.into_inner()), local.into_inner());
            prop_assert_eq!(super::split_name(&name), theirs);
        }
    }
}
