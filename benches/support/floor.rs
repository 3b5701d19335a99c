//! The floor every stage is measured against: a bare quick-xml `NsReader` event loop over the
//! bytes that keeps nothing. Shared by benches/poxspec.rs and examples/stage_cost.rs, so that
//! both measure against the same loop.

use quick_xml::events::Event;
use quick_xml::NsReader;

/// Reads every event of `bytes` (UTF-8) and returns their number.
pub fn tokenize(bytes: &[u8]) -> usize {
    let text = std::str::from_utf8(bytes).unwrap_or("");
    let mut r = NsReader::from_str(text);
    let mut n = 0;
    loop {
        match r.read_resolved_event() {
            Ok((_, Event::Eof)) | Err(_) => return n,
            Ok(_) => n += 1,
        }
    }
}
