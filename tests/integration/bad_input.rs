//! Hostile and broken input: each case asserts the exact error and its position.

use poxspec::xml::{parse_bytes, Limits, XmlErrorKind};

const ROOT_NS: &str = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";

fn err(bytes: &[u8]) -> (XmlErrorKind, usize, usize) {
    let e = parse_bytes(bytes, &Limits::default()).expect_err("document must be refused");
    (e.kind, e.position.line, e.position.column)
}

#[test]
fn truncated_document() {
    let doc = format!("<Autodiscover xmlns=\"{ROOT_NS}\">\n  <Response>\n    <Account>");
    assert_eq!(
        err(doc.as_bytes()),
        (
            XmlErrorKind::Truncated {
                open: "Account".into()
            },
            3,
            14
        )
    );
}

#[test]
fn truncated_inside_a_tag() {
    let (kind, line, _) = err(b"<Autodiscover>\n<Respo");
    assert!(
        matches!(kind, XmlErrorKind::Syntax(ref m) if m.contains("not closed")),
        "{kind:?}"
    );
    assert_eq!(line, 2);
}

#[test]
fn doctype_with_entities_is_refused_before_any_expansion() {
    let doc = b"<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"&#x26;x;&#x26;x;\"><!ENTITY y SYSTEM \"file:///etc/passwd\">]>\n<a>&x;&y;</a>";
    assert_eq!(err(doc), (XmlErrorKind::Doctype, 2, 1));
}

#[test]
fn ten_megabyte_document_is_refused_by_size() {
    let mut doc = format!("<Autodiscover xmlns=\"{ROOT_NS}\"><Response>").into_bytes();
    doc.resize(10 * 1024 * 1024, b' ');
    assert_eq!(
        err(&doc),
        (
            XmlErrorKind::TooLarge {
                size: 10 * 1024 * 1024,
                limit: 1024 * 1024
            },
            1,
            1
        )
    );
}

#[test]
fn nesting_ten_thousand_deep_stops_at_the_depth_limit() {
    let doc = "<a>".repeat(10_000);
    // The 65th start tag is at byte 64 * 3.
    assert_eq!(
        err(doc.as_bytes()),
        (XmlErrorKind::TooDeep { limit: 64 }, 1, 64 * 3 + 1)
    );
}

#[test]
fn depth_limit_can_be_raised() {
    let doc = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    assert!(parse_bytes(doc.as_bytes(), &Limits::default()).is_err());
    let limits = Limits {
        max_depth: 100,
        ..Limits::default()
    };
    assert!(parse_bytes(doc.as_bytes(), &limits).is_ok());
}

#[test]
fn too_many_attributes() {
    let attrs: String = (0..65).map(|i| format!(" a{i}=\"x\"")).collect();
    let doc = format!("<a{attrs}/>");
    assert_eq!(
        err(doc.as_bytes()),
        (XmlErrorKind::TooManyAttributes { limit: 64 }, 1, 1)
    );
}

#[test]
fn invalid_utf8_points_at_the_bad_byte() {
    assert_eq!(
        err(b"<a>\n  caf\xC3\x28</a>"),
        (XmlErrorKind::InvalidUtf8, 2, 6)
    );
}

#[test]
fn utf16_without_bom() {
    let doc: Vec<u8> = "<a/>"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    assert_eq!(err(&doc), (XmlErrorKind::Utf16WithoutBom, 1, 1));
}

#[test]
fn utf16_with_bom_is_read() {
    let mut doc = vec![0xFE, 0xFF];
    doc.extend(
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>é</a>"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes()),
    );
    let d = parse_bytes(&doc, &Limits::default()).unwrap();
    assert_eq!(d.root.text(), "é");
}

#[test]
fn declared_encoding_contradicting_the_bytes() {
    assert_eq!(
        err("<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>é</a>".as_bytes()),
        (
            XmlErrorKind::EncodingMismatch {
                declared: "windows-1252".into(),
                actual: "UTF-8"
            },
            1,
            1
        )
    );
}

#[test]
fn mismatched_end_tag() {
    assert_eq!(
        err(b"<a>\n  <b></c>\n</a>"),
        (
            XmlErrorKind::MismatchedEndTag {
                expected: "b".into(),
                found: "c".into()
            },
            2,
            6
        )
    );
}

#[test]
fn duplicate_attribute() {
    assert_eq!(
        err(b"<a>\n <Error Id=\"1\" Id=\"2\"/></a>"),
        (XmlErrorKind::DuplicateAttribute("Id".into()), 2, 2)
    );
}

#[test]
fn duplicate_attribute_through_two_prefixes_for_one_namespace() {
    assert_eq!(
        err(b"<a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\"><b p:t=\"1\" q:t=\"2\"/></a>"),
        (XmlErrorKind::DuplicateAttribute("q:t".into()), 1, 36)
    );
}

#[test]
fn undeclared_prefix() {
    assert_eq!(
        err(b"<a>\n<x:b/></a>"),
        (XmlErrorKind::UndeclaredPrefix("x".into()), 2, 1)
    );
}

/// Namespace binding errors were reported at 1:1 (quick-xml's `NsReader` keeps no position for
/// them); they point at the start tag that makes the binding.
#[test]
fn invalid_namespace_binding_points_at_its_element() {
    let (kind, line, column) =
        err(b"<?xml version=\"1.0\"?>\n<root>\n  <a xmlns:xml=\"urn:x\"/>\n</root>");
    assert!(
        matches!(&kind, XmlErrorKind::InvalidNamespace(m) if m.contains("'xml'")),
        "{kind:?}"
    );
    assert_eq!((line, column), (3, 3));
    let (kind, line, column) =
        err(b"<root>\n <b xmlns:p=\"http://www.w3.org/2000/xmlns/\"/></root>");
    assert!(
        matches!(kind, XmlErrorKind::InvalidNamespace(_)),
        "{kind:?}"
    );
    assert_eq!((line, column), (2, 2));
}

#[test]
fn empty_file() {
    assert_eq!(err(b""), (XmlErrorKind::Empty, 1, 1));
    assert_eq!(err(b"\xEF\xBB\xBF  \n"), (XmlErrorKind::Empty, 2, 1));
}

#[test]
fn undeclared_entity() {
    assert_eq!(
        err(b"<a>&nbsp;</a>"),
        (XmlErrorKind::UnknownEntity("nbsp".into()), 1, 4)
    );
}

#[test]
fn control_character() {
    assert!(matches!(
        err(b"<a>\x01</a>"),
        (XmlErrorKind::Syntax(_), 1, 4)
    ));
}

#[test]
fn second_root_and_stray_text() {
    assert!(matches!(err(b"<a/><b/>").0, XmlErrorKind::OutsideRoot(_)));
    assert!(matches!(err(b"<a/>junk").0, XmlErrorKind::OutsideRoot(_)));
}

#[test]
fn errors_print_as_file_line_column() {
    let e = parse_bytes(b"<a>\n<b></a>", &Limits::default()).unwrap_err();
    assert_eq!(
        e.with_file("resp.xml"),
        "resp.xml:2:4: end tag </a> does not match the open element <b>"
    );
}
