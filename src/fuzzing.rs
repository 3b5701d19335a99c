//! The properties the fuzz targets check, in the library so that `cargo test` replays every
//! saved crash (`corpus/regressions/<target>/`) on stable with exactly the fuzzer's oracle.
//!
//! Each function takes the fuzzer's bytes and panics when a property fails; returning means
//! the input passed (including "rejected with a proper error", which is a pass).

use crate::model::{self, OnOff, OnOffClass};
use crate::policy::{self, export, InputFormat};
use crate::rules;
use crate::xml::{self, Limits, LineIndex};
use arbitrary::{Arbitrary, Unstructured};

/// A target's oracle: panics when the property fails for the input.
pub type Check = fn(&[u8]);

/// The fuzz targets, by the name of their folder under `corpus/regressions/`.
pub const TARGETS: &[(&str, Check)] = &[
    ("parse", parse),
    ("roundtrip", roundtrip),
    ("validate", validate),
    ("policy_csv", policy_csv),
    ("policy_json", policy_json),
    ("policy_list", policy_list),
    ("policy_toml", policy_toml),
    ("policy_tenant", policy_tenant),
    ("structured", structured),
    ("onoff", onoff),
    ("large", large),
];

/// Limits small enough that no input makes a run slow (the defaults allow 1 MiB documents).
fn limits() -> Limits {
    Limits::default()
}

/// `parse`: any bytes are read or refused with a positioned error; never a panic.
pub fn parse(data: &[u8]) {
    match crate::parse_with(data, &limits()) {
        Ok(p) => {
            assert!(
                p.tree.root.span.end <= p.tree.text.len(),
                "root span past the text"
            );
        }
        Err(e) => {
            let pos = e.position();
            assert!(
                pos.line >= 1 && pos.column >= 1,
                "error position {pos} is not 1-based"
            );
        }
    }
}

/// `roundtrip`: an accepted document satisfies the round-trip contract (canonical form parses
/// to the same model and is a fixed point; lossless form reproduces the tree).
pub fn roundtrip(data: &[u8]) {
    if let Ok(crate::roundtrip::Stability::Unstable(why)) = crate::roundtrip::check(data) {
        panic!("round trip broken: {why}");
    }
}

/// The text positions refer to: the decoded document, or a best-effort decoding of bytes that
/// could not be read ([`xml::decode_lossy`]). Most of the fuzzer's inputs are refused UTF-8
/// without a byte-order mark, which `decode_lossy` would copy unchanged: those are borrowed
/// (3 % of the `validate` target's instructions on the inputs it grows).
fn text_of<'a>(data: &'a [u8], parsed: Option<&'a crate::Parsed>) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    match parsed {
        Some(p) => Cow::Borrowed(p.tree.text.as_str()),
        // Valid UTF-8 cannot begin with a UTF-16 byte-order mark (0xFF and 0xFE never occur
        // in it), so `decode_lossy` reads such bytes as UTF-8, dropping only a UTF-8 mark.
        None => match std::str::from_utf8(data) {
            Ok(text) if !text.starts_with('\u{FEFF}') => Cow::Borrowed(text),
            _ => Cow::Owned(xml::decode_lossy(data)),
        },
    }
}

/// `validate`: judging never panics, and every finding's line:column lies inside the input.
pub fn validate(data: &[u8]) {
    let v = rules::validate_bytes(data, &limits());
    let findings = &v.outcome.findings;
    if findings.is_empty() {
        return;
    }
    let text = text_of(data, v.parsed.as_ref());
    assert_inside(&text, findings);
}

/// Panics unless every finding's line:column lies inside `text`.
fn assert_inside(text: &str, findings: &[rules::Finding]) {
    // Only the lines that hold findings are measured, each once, in one pass over the text
    // (an index of the whole text per run was a tenth of the target's time, and counting a
    // line per finding made the oracle quadratic on one-line documents).
    let mut wanted: Vec<usize> = findings.iter().map(|f| f.line).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let (lines, widths) = line_widths(text, &wanted);
    for f in findings {
        assert!(
            f.line >= 1 && f.line <= lines,
            "{} at line {} of {lines}",
            f.rule,
            f.line
        );
        let width = widths[wanted.binary_search(&f.line).expect("every finding's line")];
        assert!(
            f.column >= 1 && f.column <= width + 1,
            "{} at {}:{}, line {} has {width} characters",
            f.rule,
            f.line,
            f.column,
            f.line
        );
    }
}

/// The number of lines in `text` (lines end at LF, CRLF or a lone CR, as editors and
/// [`LineIndex`] count them) and the width in characters of each line in `wanted` (ascending,
/// distinct; a line past the end has width 0).
fn line_widths(text: &str, wanted: &[usize]) -> (usize, Vec<usize>) {
    let bytes = text.as_bytes();
    let mut widths = Vec::with_capacity(wanted.len());
    let mut want = wanted.iter().copied().peekable();
    while want.next_if(|&w| w < 1).is_some() {
        widths.push(0);
    }
    let (mut line, mut start) = (1, 0);
    loop {
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        if want.next_if_eq(&line).is_some() {
            widths.push(text[start..end].chars().count());
        }
        if end == bytes.len() {
            break;
        }
        start = end
            + if bytes[end..].starts_with(b"\r\n") {
                2
            } else {
                1
            };
        line += 1;
    }
    widths.extend(want.map(|_| 0));
    (line, widths)
}

/// `policy_csv`: [`policy_format`] for the CSV importer (`Get-CASMailbox | Export-Csv`).
pub fn policy_csv(data: &[u8]) {
    policy_format(data, "x.csv", InputFormat::Csv);
}

/// `policy_json`: [`policy_format`] for the JSON importer (`ConvertTo-Json`).
pub fn policy_json(data: &[u8]) {
    policy_format(data, "x.json", InputFormat::Json);
}

/// `policy_list`: [`policy_format`] for the `Format-List` text importer.
pub fn policy_list(data: &[u8]) {
    policy_format(data, "x.txt", InputFormat::FormatList);
}

/// `policy_toml`: [`policy_format`] for the TOML fixture importer.
pub fn policy_toml(data: &[u8]) {
    policy_format(data, "x.toml", InputFormat::Toml);
}

/// The property of the four `policy_<format>` targets, one importer each: the importer reads
/// the text or names a line inside it in its complaint, and what it reads survives export and
/// re-import in the formats that can say everything (JSON always; TOML when the input carried
/// organization settings, which only TOML and the tenant exports hold). Format detection, the
/// first step of `--format auto`, runs on the same text and must not panic.
///
/// One importer per target, not all four on every input (the one `policy_import` target
/// before the seventh round): libFuzzer's guide asks for narrow targets, one per format a
/// program parses, and measures agreed. The combined target ran about 5,000 inputs a second,
/// each through five readers; alone, each importer runs 11,000–38,000 a second, so every
/// reader now sees two to seven times the inputs it saw, and each target adds more new units
/// in 15 s than the combined one did (benches/README.md, seventh round). `InputFormat::Auto`
/// is not a fifth import: it is `detect` followed by one of these four with the same text
/// (`auto_is_detect_then_import` guards the equivalence).
fn policy_format(data: &[u8], file: &str, format: InputFormat) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = policy::import::detect("x", text, false);
    match policy::import(file, text, format, None) {
        Ok(p) => {
            let back = policy::import("y.json", &export::to_json(&p), InputFormat::Json, None)
                .unwrap_or_else(|e| panic!("{format:?}: JSON export does not re-import: {e}"));
            assert_eq!(back.mailboxes, p.mailboxes, "{format:?}: JSON round trip");
            if p.organization.is_some() {
                let toml = export::to_toml(&p);
                let back =
                    policy::import("y.toml", &toml, InputFormat::Toml, None).unwrap_or_else(|e| {
                        panic!("{format:?}: TOML export does not re-import: {e}\n{toml}")
                    });
                assert_eq!(back, p, "{format:?}: TOML round trip");
            }
        }
        Err(e) => {
            if let Some(line) = e.line {
                let lines = line_count(text);
                assert!(
                    line >= 1 && line <= lines,
                    "{format:?}: error on line {line} of {lines}"
                );
            }
        }
    }
}

/// `policy_tenant`: the tenant exports' readers (`Get-AuthenticationPolicy`,
/// `Get-OrganizationConfig`, `Get-User`, each as CSV and as JSON) read the text or name a line
/// inside it, and what they read is consistent (policy names unique, rows inside the text).
pub fn policy_tenant(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    policy::tenant::fuzz_exports(text, line_count(text));
}

/// How many lines `text` has, lines ending at LF, CRLF or a lone CR as editors (and the TOML
/// parser) count them.
fn line_count(text: &str) -> usize {
    LineIndex::new(text).line_col(text, text.len()).line
}

/// The most characters a text of the `structured` target holds. Its property is about how
/// values travel (escaping of `&`, `<`, `>`, quotes, CR, TAB and LF, whitespace kept or
/// dropped, non-ASCII, `]]>`), which a few characters of each kind exercise. Below the 1 MiB
/// document limit nothing in the writers, the reader or the model branches on a text's length
/// but the on/off classifier, whose words end at 32 bytes (the cap is above that), and
/// `memchr`'s vector loops over long runs, which the `parse`, `roundtrip`, `validate` and
/// `large` targets reach with whole documents. Uncapped, the fuzzer's inputs decoded into
/// texts of up to 4 KB (settings documents of 3 KB on average) that every stage copied,
/// escaped and scanned per character: 2.7 times the work per run for the same edges. 48
/// became 40 with issue 15's ninth round (benches/README.md): with 24, four minutes of
/// fuzzing reached 14 fewer edges than with 48, all in text-length paths (`memchr`'s
/// long-run loops, the classifier's cut, this module's own cut), none in the writers, the
/// reader or the model.
pub const STRUCTURED_MAX_CHARS: usize = 40;

/// A string of at most [`STRUCTURED_MAX_CHARS`] XML characters from arbitrary input (the
/// input's string, characters outside XML dropped, cut at the cap).
#[derive(Debug)]
struct XmlText(String);

impl<'a> Arbitrary<'a> for XmlText {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let s: &str = u.arbitrary()?;
        Ok(XmlText(xml_prefix(s, STRUCTURED_MAX_CHARS, true)))
    }
}

/// The first `max` characters of `text` that XML allows (and that are not CR, unless
/// `keep_cr`), in order. Only the first `4 * max` bytes (rounded up to a character's end) are
/// looked at when none of them is dropped: they hold at least `max` characters, and a longer
/// input (up to `-max_len`, most of it never kept) would otherwise be scanned whole on every
/// run. A text without a character to drop is cut rather than filtered: it is tested as bytes
/// ([`xml::first_non_xml_char`], `memchr`) and copied at once, instead of tested and pushed a
/// character at a time (a few comparisons per character, each a tracing callback in the fuzz
/// builds). A text with characters to drop is filtered a character at a time, stopping at
/// `max` kept: copying the runs between them cost more, `arbitrary`'s strings being full of
/// control characters.
fn xml_prefix(text: &str, max: usize, keep_cr: bool) -> String {
    let mut out = String::new();
    push_xml_prefix(&mut out, text, max, keep_cr);
    out
}

/// [`xml_prefix`] appended to `out`; returns how many characters it appended.
fn push_xml_prefix(out: &mut String, text: &str, max: usize, keep_cr: bool) -> usize {
    let mut cut = max.saturating_mul(4).min(text.len());
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let window = &text[..cut];
    let clean = xml::first_non_xml_char(window).is_none()
        && (keep_cr || memchr::memchr(b'\r', window.as_bytes()).is_none());
    if clean {
        let end = if window.len() <= max {
            window.len()
        } else {
            window
                .char_indices()
                .nth(max)
                .map_or(window.len(), |(i, _)| i)
        };
        let kept = &window[..end];
        out.push_str(kept);
        return kept.chars().count();
    }
    let mut count = 0;
    for c in text.chars() {
        if count == max {
            break;
        }
        if xml::is_xml_char(c) && (keep_cr || c != '\r') {
            out.push(c);
            count += 1;
        }
    }
    count
}

/// At most `N` values: arbitrary's `Vec` reads elements until the input runs out, so a
/// document that uses a few protocols used to build hundreds first and drop them.
#[derive(Debug)]
struct Few<T, const N: usize>(Vec<T>);

impl<'a, T: Arbitrary<'a>, const N: usize> Arbitrary<'a> for Few<T, N> {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let n = u.int_in_range(0..=N)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(T::arbitrary(u)?);
        }
        Ok(Few(v))
    }
}

/// The most protocols a `structured` document holds. The model builder and both writers
/// treat every `Protocol` of an `Account` alike, one after the other, so a third adds
/// nothing a second does not (two cover order and repeats); each costs a dozen elements
/// written, parsed and compared per run. Many protocols stay covered by `parse`, `validate`
/// (the corpus holds documents with dozens) and `large` (thousands). Three until the ninth
/// round: four minutes with two protocols and [`STRUCTURED_MAX_ITEMS`] at eight made 1.4
/// times the runs and missed no edge of the writers, the reader or the model.
pub const STRUCTURED_MAX_PROTOCOLS: usize = 2;

/// The most fields and switches in one freeform `Protocol`: enough for repeats and for any
/// order of a few kinds (the model builder and the writers handle each child on its own,
/// whatever came before); each field name is reached across runs by its own byte, not by
/// more fields in one run. Sixteen until the ninth round.
pub const STRUCTURED_MAX_ITEMS: usize = 8;

/// A mail protocol as the structured target describes it.
#[derive(Debug, Arbitrary)]
struct MailSpec {
    kind: u8,
    server: XmlText,
    port: u16,
    login: Option<XmlText>,
    domain_required: Option<XmlText>,
    spa: XmlText,
    implicit_tls: bool,
    explicit_encryption: bool,
    auth_required: bool,
    ttl: Option<u32>,
}

/// The shapes of document the structured target builds.
#[derive(Debug, Arbitrary)]
enum DocSpec {
    Settings {
        display: XmlText,
        address: XmlText,
        protocols: Few<MailSpec, STRUCTURED_MAX_PROTOCOLS>,
    },
    RedirectAddr(XmlText),
    RedirectUrl(XmlText),
    Error {
        outlook_ns: bool,
        code: u32,
        message: XmlText,
        time: XmlText,
        id: u32,
    },
    MobileSync {
        address: XmlText,
        url: XmlText,
    },
    Request {
        mobilesync: bool,
        address: XmlText,
        schema: XmlText,
    },
    /// A settings response whose protocols are arbitrary sequences of known fields and
    /// switches (any order, repeats, any text), as a lenient or broken server might write.
    Freeform {
        protocols: Few<Few<(u8, bool, XmlText), STRUCTURED_MAX_ITEMS>, STRUCTURED_MAX_PROTOCOLS>,
    },
}

impl DocSpec {
    fn build(&self) -> model::Document {
        use model::make;
        match self {
            DocSpec::Settings {
                display,
                address,
                protocols,
            } => {
                let protocols = protocols
                    .0
                    .iter()
                    .map(|m| {
                        make::MailProtocol {
                            kind: ["POP3", "IMAP", "SMTP"][usize::from(m.kind % 3)],
                            server: &m.server.0,
                            port: m.port,
                            login: m.login.as_ref().map(|l| l.0.as_str()),
                            domain_required: m.domain_required.as_ref().map(|d| d.0.as_str()),
                            spa: &m.spa.0,
                            implicit_tls: m.implicit_tls,
                            explicit_encryption: m.explicit_encryption,
                            auth_required: m.auth_required,
                            ttl: m.ttl,
                        }
                        .build()
                    })
                    .collect();
                make::settings_response(&display.0, &address.0, protocols)
            }
            DocSpec::RedirectAddr(a) => make::redirect_addr_response(&a.0),
            DocSpec::RedirectUrl(u) => make::redirect_url_response(&u.0),
            DocSpec::Error {
                outlook_ns,
                code,
                message,
                time,
                id,
            } => {
                let ns = if *outlook_ns {
                    model::ns::RESPONSE_OUTLOOK
                } else {
                    model::ns::RESPONSE_ROOT
                };
                make::error_response(ns, *code, &message.0, &time.0, *id)
            }
            DocSpec::MobileSync { address, url } => make::mobilesync_response(&address.0, &url.0),
            DocSpec::Request {
                mobilesync,
                address,
                schema,
            } => {
                let ns = if *mobilesync {
                    model::ns::REQUEST_MOBILESYNC
                } else {
                    model::ns::REQUEST_OUTLOOK
                };
                make::request(ns, &address.0, &schema.0)
            }
            DocSpec::Freeform { protocols } => {
                use model::fields::{ProtocolField, SwitchField};
                let protocols = protocols
                    .0
                    .iter()
                    .map(|items| {
                        make::protocol(
                            items
                                .0
                                .iter()
                                .map(|(k, is_switch, text)| {
                                    if *is_switch {
                                        let all = SwitchField::ALL;
                                        make::switch(all[usize::from(*k) % all.len()], &text.0)
                                    } else {
                                        let all = ProtocolField::ALL;
                                        make::field(all[usize::from(*k) % all.len()], &text.0)
                                    }
                                })
                                .collect(),
                        )
                    })
                    .collect();
                make::settings_response("Fuzz", "fuzz@contoso.example", protocols)
            }
        }
    }
}

/// `structured`: a typed model built from arbitrary values writes, in both forms, to text that
/// parses back to the same model.
pub fn structured(data: &[u8]) {
    let Ok(spec) = DocSpec::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    structured_holds(&spec.build(), model::to_canonical, crate::parse);
}

/// [`structured`]'s property for one model, with the canonical writer and the document reader
/// as parameters so that a test can plant a defect in either and see the oracle catch it: the
/// canonical text parses, reads back to the same model, and its lossless form is the text.
fn structured_holds(
    doc: &model::Document,
    write: impl Fn(&model::Document) -> String,
    parse: impl Fn(&[u8]) -> Result<crate::Parsed, crate::ParseError>,
) {
    let text = write(doc);
    let back = parse(text.as_bytes()).unwrap_or_else(|e| {
        panic!(
            "canonical form refused: {}\n{text}",
            e.with_file("<canonical>")
        )
    });
    assert_eq!(
        &back.model, doc,
        "canonical form read back differently:\n{text}"
    );
    let again = xml::write_lossless(&back.tree);
    assert!(
        again == text.as_bytes(),
        "lossless form of the canonical text differs:\n{}",
        String::from_utf8_lossy(&again)
    );
}

/// The longest value, in characters, the `onoff` target spells. The classifier's cases are
/// all short (its longest word is 18 bytes and its translation table stops looking at 32;
/// longer text is `Other`, padded or not, and trimming is the same loop at any length), while
/// each character costs four parsed spellings, one of them a character reference per
/// character: a 4 KiB input spelt whole made every run parse ~40 KB and held the target near
/// 1,000 runs per second under ASan. 48 characters reach past the 32-byte cut, padded or
/// not, and `memchr`'s vector loops (the reference spelling of 48 characters is at least 288
/// bytes); it was 128 until issue 15's ninth round. Long runs of text and references stay
/// covered by the `parse`, `validate` and `large` targets.
pub const ONOFF_MAX_CHARS: usize = 48;

/// `onoff`: the classifier is total, and every XML spelling of the same text (escaped,
/// character references, CDATA, split by a comment) is read as the same value. The text is
/// the input's first [`ONOFF_MAX_CHARS`] XML characters.
///
/// The spellings are the `SSL` children of one `Protocol`, in one document parsed once: each
/// is read by the same tree and model code as in a document of its own, while the fixed cost
/// of a parse (the envelope, namespaces, the model) is paid once per run rather than once per
/// spelling (four parses were three quarters of the target's time).
pub fn onoff(data: &[u8]) {
    onoff_with(data, crate::parse);
}

/// [`onoff`] with the document reader as a parameter, so that a test can plant a defect in
/// it and see the oracle catch it.
fn onoff_with(data: &[u8], parse: impl Fn(&[u8]) -> Result<crate::Parsed, crate::ParseError>) {
    let raw = onoff_text(data);
    let expected = OnOff::classify(&raw);
    // Totality: the class and value agree with each other.
    match expected.class {
        OnOffClass::Exact | OnOffClass::CaseVariant => assert!(expected.value.is_some()),
        _ => assert!(expected.value.is_none()),
    }
    let mut doc = String::with_capacity(400 + raw.len() * 12);
    doc.push_str("<Autodiscover xmlns=\"");
    doc.push_str(model::ns::RESPONSE_ROOT);
    doc.push_str("\"><Response xmlns=\"");
    doc.push_str(model::ns::RESPONSE_OUTLOOK);
    doc.push_str("\"><Account><Protocol>");
    let count = push_ssl_spellings(&mut doc, &raw);
    doc.push_str("</Protocol></Account></Response></Autodiscover>");
    let parsed = match parse(doc.as_bytes()) {
        Ok(p) => p,
        Err(e) => {
            // Name the spelling that was refused, each in a document of its own.
            for s in &onoff_spellings(&raw) {
                if let Err(e) = parse(onoff_document(s).as_bytes()) {
                    panic!("spelling {s:?} refused: {}", e.with_file("<onoff>"));
                }
            }
            panic!("the spellings together refused: {}", e.with_file("<onoff>"))
        }
    };
    let flags = ssl_flags(&parsed.model);
    assert_eq!(
        flags.len(),
        count,
        "one SSL value per spelling in the model"
    );
    if let Some(i) = flags.iter().position(|f| **f != expected) {
        let spellings = onoff_spellings(&raw);
        assert_eq!(flags[i], &expected, "spelling {:?}", spellings[i]);
    }
}

/// The text the `onoff` target spells: the input read as UTF-8 (lossily), without the
/// characters XML does not allow or carriage returns (which a parser turns into line feeds),
/// cut at [`ONOFF_MAX_CHARS`] characters ([`xml_prefix`]).
fn onoff_text(data: &[u8]) -> String {
    // Lossy decoding ends where the characters kept can no longer grow: each character is at
    // least one input byte, so the first bytes that decode to `ONOFF_MAX_CHARS` characters
    // XML allows are all that is read, not the whole input (up to `-max_len`) on every run.
    let mut out = String::new();
    let mut left = ONOFF_MAX_CHARS;
    for chunk in data.utf8_chunks() {
        left -= push_xml_prefix(&mut out, chunk.valid(), left, false);
        if left > 0 && !chunk.invalid().is_empty() {
            out.push(char::REPLACEMENT_CHARACTER);
            left -= 1;
        }
        if left == 0 {
            break;
        }
    }
    out
}

/// Writes `<SSL>spelling</SSL>` for each of [`onoff_spellings`] of `raw`, in that order,
/// straight into `doc`, and returns how many: the escaped text is escaped once and its halves
/// copied for the comment-split spelling (building four strings first and escaping twice was
/// a twentieth of a run).
fn push_ssl_spellings(doc: &mut String, raw: &str) -> usize {
    let mid = onoff_split_at(raw);
    doc.push_str("<SSL>");
    let start = doc.len();
    xml::escape_text(doc, &raw[..mid]);
    let half = doc.len() - start;
    xml::escape_text(doc, &raw[mid..]);
    let escaped = doc[start..].to_owned();
    doc.push_str("</SSL><SSL>");
    for c in raw.chars() {
        push_hex_ref(doc, c);
    }
    doc.push_str("</SSL>");
    let mut count = 3;
    if !raw.contains("]]>") {
        doc.push_str("<SSL><![CDATA[");
        doc.push_str(raw);
        doc.push_str("]]></SSL>");
        count += 1;
    }
    doc.push_str("<SSL>");
    doc.push_str(&escaped[..half]);
    doc.push_str("<!-- split -->");
    doc.push_str(&escaped[half..]);
    doc.push_str("</SSL>");
    count
}

/// Where the comment-split spelling of `raw` splits it: the middle character.
fn onoff_split_at(raw: &str) -> usize {
    raw.char_indices()
        .nth(raw.chars().count() / 2)
        .map_or(0, |(i, _)| i)
}

/// The ways `raw` is spelt as element content: escaped, one character reference per
/// character, CDATA (unless the text holds `]]>`), and escaped halves around a comment.
fn onoff_spellings(raw: &str) -> Vec<String> {
    let mut escaped = String::new();
    xml::escape_text(&mut escaped, raw);
    let mut refs = String::with_capacity(raw.len() * 8);
    for c in raw.chars() {
        push_hex_ref(&mut refs, c);
    }
    let mut spellings = vec![escaped, refs];
    if !raw.contains("]]>") {
        spellings.push(format!("<![CDATA[{raw}]]>"));
    }
    let (a, b) = raw.split_at(onoff_split_at(raw));
    let mut split = String::new();
    xml::escape_text(&mut split, a);
    split.push_str("<!-- split -->");
    xml::escape_text(&mut split, b);
    spellings.push(split);
    spellings
}

/// A settings response whose one protocol's `SSL` element holds `spelling`.
fn onoff_document(spelling: &str) -> String {
    format!(
        "<Autodiscover xmlns=\"{}\"><Response xmlns=\"{}\"><Account><Protocol><SSL>{spelling}</SSL></Protocol></Account></Response></Autodiscover>",
        model::ns::RESPONSE_ROOT,
        model::ns::RESPONSE_OUTLOOK
    )
}

/// `&#xH;` for `c`, without the formatting machinery (a fifth of the target's time went to
/// `write!` here), built in a buffer and appended once (a `String::push` per digit was a
/// capacity check and a character-width test per digit).
fn push_hex_ref(out: &mut String, c: char) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let v = c as u32;
    // At most six hex digits (U+10FFFF) between `&#x` and `;`.
    let mut buf = *b"&#x000000;";
    let digits = (32 - v.leading_zeros()).div_ceil(4).max(1) as usize;
    for i in 0..digits {
        buf[3 + digits - 1 - i] = HEX[((v >> (4 * i)) & 0xF) as usize];
    }
    buf[3 + digits] = b';';
    out.push_str(std::str::from_utf8(&buf[..4 + digits]).expect("ASCII"));
}

/// The value of every `SSL` switch of every protocol, in document order.
fn ssl_flags(doc: &model::Document) -> Vec<&OnOff> {
    let model::Document::Response(r) = doc else {
        return Vec::new();
    };
    r.protocols()
        .flat_map(|p| p.switches(model::fields::SwitchField::SSL))
        .map(|f| &f.value)
        .collect()
}

/// The largest document [`amplify`] builds: the default size limit, so that every stage runs.
pub const LARGE_MAX: usize = 1024 * 1024;

/// Turns a small fuzzer input into a large document: `[count: u16 LE][cut1: u16 LE]
/// [cut2: u16 LE][bytes]` is read as prefix `bytes[..cut1]`, unit `bytes[cut1..cut2]` and suffix
/// `bytes[cut2..]` (cuts clamped), and the document is the prefix, the unit repeated `count × 16`
/// times (at most up to [`LARGE_MAX`] bytes in all), then the suffix. The fuzzer explores what is
/// repeated (siblings, attributes, references, text, nesting) while sizes reach the ones a server
/// can send.
pub fn amplify(data: &[u8]) -> Vec<u8> {
    let word = |i: usize| usize::from(u16::from_le_bytes([data[i], data[i + 1]]));
    if data.len() < 6 {
        return data.to_vec();
    }
    let (count, cut1, cut2) = (word(0) * 16, word(2), word(4));
    let body = &data[6..];
    let cut1 = cut1.min(body.len());
    let cut2 = cut2.clamp(cut1, body.len());
    let (prefix, unit, suffix) = (&body[..cut1], &body[cut1..cut2], &body[cut2..]);
    let room = LARGE_MAX.saturating_sub(prefix.len() + suffix.len());
    let times = if unit.is_empty() {
        0
    } else {
        count.min(room / unit.len())
    };
    let mut out = Vec::with_capacity(prefix.len() + unit.len() * times + suffix.len());
    out.extend_from_slice(prefix);
    for _ in 0..times {
        out.extend_from_slice(unit);
    }
    out.extend_from_slice(suffix);
    out
}

/// `large`: validation of an [`amplify`]d document (up to 1 MiB) finishes, with every finding
/// inside the input. Run with `-max_len=1048576 -timeout=2`: a stage whose cost grows faster
/// than its input turns into a timeout, which libFuzzer reports as a finding.
pub fn large(data: &[u8]) {
    validate(&amplify(data));
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    #[test]
    fn hex_references_spell_each_character() {
        for c in [
            '\u{0}',
            '\t',
            'A',
            '\u{7F}',
            '\u{FF}',
            '\u{100}',
            '\u{FFFD}',
            '\u{10000}',
            '\u{10FFFF}',
        ] {
            // Appended after what the string holds.
            let mut s = String::from("x");
            super::push_hex_ref(&mut s, c);
            assert_eq!(s, format!("x&#x{:X};", c as u32));
        }
    }

    /// What [`super::xml_prefix`] stands for: the text filtered a character at a time.
    fn filtered(text: &str, max: usize, keep_cr: bool) -> String {
        text.chars()
            .filter(|&c| crate::xml::is_xml_char(c) && (keep_cr || c != '\r'))
            .take(max)
            .collect()
    }

    proptest! {
        #[test]
        fn xml_prefix_agrees_with_filtering_by_characters(
            text in crate::strategy::text_of(
                prop_oneof![
                    Just('a'), Just('\r'), Just('\u{1}'), Just('\u{FFFE}'), Just('é'),
                    Just('\u{FFFF}'), Just('\u{FFFD}'), Just('\u{F8FF}'), Just('\t'),
                    Just('\n'), Just('\u{1F600}'), any::<char>(),
                ],
                0..200,
            ),
            max in 0usize..140,
            keep_cr in any::<bool>(),
        ) {
            prop_assert_eq!(super::xml_prefix(&text, max, keep_cr), filtered(&text, max, keep_cr));
        }
    }

    #[test]
    fn xml_prefix_is_the_filtered_prefix() {
        let long = "é".repeat(100);
        for input in [
            &b""[..],
            b"on",
            b" Off\r\n",
            b"o\x00n",
            b"\xFF\xFEon",
            "\u{FFFF}x".as_bytes(),
            long.as_bytes(),
            &[b'a'; 300],
            b"a\rb\x01c\r\r\x02\xEF\xBF\xBEd\re",
            &[b'x', 1, b'\r'].repeat(100),
            // Invalid UTF-8 past the cap, and a sequence cut short at the end.
            &[0xFF; 100],
            &[&b"o\xC3"[..], &[b'n'; 60]].concat(),
            b"on\xE2\x82",
        ] {
            let text = String::from_utf8_lossy(input);
            assert_eq!(
                super::onoff_text(input),
                filtered(&text, super::ONOFF_MAX_CHARS, false),
                "{input:?}"
            );
            assert_eq!(
                super::xml_prefix(&text, super::STRUCTURED_MAX_CHARS, true),
                filtered(&text, super::STRUCTURED_MAX_CHARS, true),
                "{input:?}"
            );
        }
    }

    /// `input` read by a reader that first replaces `from` with `to` in the document: a
    /// planted defect in how one spelling is decoded.
    fn onoff_with_defect(input: &str, from: &'static str, to: &'static str) -> bool {
        let defective = move |b: &[u8]| {
            let doc = String::from_utf8_lossy(b).replace(from, to);
            crate::parse(doc.as_bytes())
        };
        std::panic::catch_unwind(|| super::onoff_with(input.as_bytes(), defective)).is_err()
    }

    #[test]
    fn onoff_catches_a_misread_spelling() {
        // The sound reader passes these inputs ...
        for v in ["On", "off", " On ", "O&n"] {
            super::onoff(v.as_bytes());
        }
        // ... and each spelling misread on its own is caught in the shared document.
        assert!(
            onoff_with_defect("On", "&#x6E;", "&#x4E;"),
            "character reference"
        );
        assert!(
            onoff_with_defect("On", "<![CDATA[On]]>", "<![CDATA[]]>"),
            "CDATA"
        );
        assert!(
            onoff_with_defect("On", "O<!-- split -->n", "O<!-- split -->"),
            "comment split"
        );
        assert!(
            onoff_with_defect("O&n", "O&amp;n", "O&amp;amp;n"),
            "escaped text"
        );
        // A spelling dropped from the model is caught too.
        assert!(
            onoff_with_defect("On", "<SSL><![CDATA[On]]></SSL>", ""),
            "lost element"
        );
    }

    /// Whether [`super::structured_holds`] fails for `doc` with `write` and `parse`.
    fn structured_fails(
        doc: &crate::model::Document,
        write: impl Fn(&crate::model::Document) -> String,
        parse: impl Fn(&[u8]) -> Result<crate::Parsed, crate::ParseError>,
    ) -> bool {
        let run = std::panic::AssertUnwindSafe(|| super::structured_holds(doc, write, parse));
        std::panic::catch_unwind(run).is_err()
    }

    #[test]
    fn structured_catches_a_planted_defect() {
        use crate::model::{self, make};
        let doc = make::redirect_url_response("https://a.example/?x=1&y=<2>\r\"\t");
        let sound = |b: &[u8]| crate::parse(b);
        // The sound writer and reader pass ...
        super::structured_holds(&doc, model::to_canonical, sound);
        // ... a writer that forgets an escape writes text that does not parse,
        assert!(
            structured_fails(&doc, |d| model::to_canonical(d).replace("&lt;", "<"), sound),
            "unescaped markup"
        );
        // ... one that loses a character writes another model,
        assert!(
            structured_fails(&doc, |d| model::to_canonical(d).replace("&#13;", ""), sound),
            "lost carriage return"
        );
        // ... a reader that misreads a reference reads another model,
        let misread = |b: &[u8]| {
            crate::parse(
                String::from_utf8_lossy(b)
                    .replace("&amp;", "&#x26;&#x26;")
                    .as_bytes(),
            )
        };
        assert!(
            structured_fails(&doc, model::to_canonical, misread),
            "misread reference"
        );
        // ... and a tree that no longer re-emits its text breaks the lossless form, though
        // the model is the same.
        let respaced = |b: &[u8]| {
            crate::parse(b).map(|mut p| {
                p.tree.root.tag_trailing_space = " ".into();
                p
            })
        };
        assert!(
            structured_fails(&doc, model::to_canonical, respaced),
            "lossless form"
        );
    }

    #[test]
    fn structured_values_stay_within_the_caps() {
        use arbitrary::{Arbitrary, Unstructured};
        // Long inputs (texts of every length the fuzzer reaches, protocols to the end of
        // the input) are cut at the caps.
        for fill in [b'a', b'<', 0xFF, 7] {
            let data = vec![fill; 4096];
            let t = super::XmlText::arbitrary(&mut Unstructured::new(&data)).unwrap();
            assert!(t.0.chars().count() <= super::STRUCTURED_MAX_CHARS);
            let few = super::Few::<u8, 3>::arbitrary(&mut Unstructured::new(&data)).unwrap();
            assert!(few.0.len() <= 3);
        }
        // 4,000 letters, then the length (taken from the end): 0xFFFF % 4,001 = 1,519 bytes.
        let mut data = "x".repeat(4000).into_bytes();
        data.extend_from_slice(&[0xFF, 0xFF]);
        let t = super::XmlText::arbitrary(&mut Unstructured::new(&data)).unwrap();
        assert_eq!(
            t.0.len(),
            super::STRUCTURED_MAX_CHARS,
            "a long text is cut, not dropped"
        );
        // Every input still runs the property.
        for fill in [0u8, 1, 2, 3, 4, 5, 6, 0x41, 0xFF] {
            super::structured(&vec![fill; 4096]);
        }
    }

    #[test]
    fn auto_is_detect_then_import() {
        use crate::policy::{self, InputFormat};
        let mut seen = 0;
        for dir in [
            "corpus/policy",
            "corpus/policy/bad",
            "corpus/regressions/policy_csv",
            "corpus/regressions/policy_json",
            "corpus/regressions/policy_list",
            "corpus/regressions/policy_toml",
        ] {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in entries {
                let path = e.unwrap().path();
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let auto = policy::import("x", &text, InputFormat::Auto, None);
                match policy::import::detect("x", &text, false) {
                    None => assert!(auto.is_err(), "{}", path.display()),
                    Some(f) => {
                        let direct = policy::import("x", &text, f, None);
                        match (&auto, &direct) {
                            (Ok(a), Ok(d)) => assert_eq!(a, d, "{}", path.display()),
                            (Err(a), Err(d)) => {
                                assert_eq!(a.to_string(), d.to_string(), "{}", path.display())
                            }
                            _ => panic!("{}: Auto and {f:?} disagree", path.display()),
                        }
                    }
                }
                seen += 1;
            }
        }
        assert!(seen > 10, "the policy corpus was found ({seen} files)");
    }

    #[test]
    fn line_widths_count_lines_as_line_index_does() {
        use crate::xml::LineIndex;
        for text in [
            "",
            "a",
            "\n",
            "a\nbc\r\ndéf\rg\r\r\n\n",
            "<a>\r\n  <b>ü</b>\r</a>\n",
            "x\r",
        ] {
            let index = LineIndex::new(text);
            let lines = index.line_col(text, text.len()).line;
            let wanted: Vec<usize> = (1..=lines).collect();
            let (n, widths) = super::line_widths(text, &wanted);
            assert_eq!(n, lines, "{text:?}");
            for (line, width) in wanted.iter().zip(&widths) {
                assert_eq!(
                    *width,
                    index.line_text(text, *line).chars().count(),
                    "{text:?} line {line}"
                );
            }
            // Lines out of range have no width, and do not disturb the others.
            let (_, w) = super::line_widths(text, &[0, 1, lines + 1]);
            assert_eq!(w.len(), 3);
            assert_eq!((w[0], w[2]), (0, 0));
        }
    }

    #[test]
    fn text_of_a_refused_document_is_decode_lossy() {
        for data in [
            &b"<a>\xC3\xA9</b>"[..],
            b"\xEF\xBB\xBF<a></b>",
            b"\xFF\xFE<\0a\0>\0",
            b"\xFE\xFF\0<\0a\0>",
            b"<a>\xFF</a>",
            b"",
            "\u{FEFF}\u{FEFF}<a>".as_bytes(),
        ] {
            assert_eq!(
                super::text_of(data, None),
                crate::xml::decode_lossy(data),
                "{data:?}"
            );
        }
    }

    #[test]
    fn validate_catches_a_finding_outside_the_input() {
        let doc = "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n<Response>\n</Autodiscover>\n";
        let v = crate::rules::validate_bytes(doc.as_bytes(), &super::limits());
        let f = v.outcome.findings.first().expect("a finding").clone();
        super::assert_inside(doc, std::slice::from_ref(&f));
        let moved = |line, column| {
            let mut g = f.clone();
            (g.line, g.column) = (line, column);
            std::panic::catch_unwind(|| super::assert_inside(doc, &[g])).is_err()
        };
        assert!(
            !moved(2, 11),
            "the last column of a line, just past its text, is inside"
        );
        assert!(moved(2, 12), "a column past the end of its line");
        assert!(moved(5, 1), "a line past the end of the text");
        assert!(moved(0, 1) && moved(1, 0), "positions are 1-based");
    }

    #[test]
    fn ssl_spellings_are_written_as_onoff_spellings_lists_them() {
        for raw in [
            "",
            "On",
            "O&n",
            "a]]>b",
            "<&>\"'",
            "é ü\u{10FFFF}",
            " off\t",
        ] {
            let mut doc = String::new();
            let count = super::push_ssl_spellings(&mut doc, raw);
            let spellings = super::onoff_spellings(raw);
            assert_eq!(count, spellings.len(), "{raw:?}");
            let listed: String = spellings
                .iter()
                .map(|s| format!("<SSL>{s}</SSL>"))
                .collect();
            assert_eq!(doc, listed, "{raw:?}");
        }
    }

    #[test]
    fn onoff_spells_at_most_its_cap() {
        // A long padded value: past the cap only the padding is cut, and the oracle holds.
        let mut v = " ".repeat(super::ONOFF_MAX_CHARS * 4);
        v.push_str("On");
        super::onoff(v.as_bytes());
        super::onoff("\u{FFFD}".repeat(4096).as_bytes());
    }
}
