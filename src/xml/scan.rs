//! Byte tests over whole words: "where is the first byte of this text that needs a closer
//! look?", answered without a branch per byte.
//!
//! The XML layer asks this of every document (characters XML forbids), of attribute values
//! and character data (anything to normalize) and of text it writes (anything to escape). A
//! loop with a branch per byte costs a comparison per byte natively and, in the fuzz targets'
//! builds, a comparison-tracing callback per byte, which made such loops a large share of
//! every target's time; folds the compiler may or may not vectorize left the same callbacks
//! in their scalar tails, which is all a short text has. Here eight bytes are tested at once
//! with integer arithmetic ("SIMD within a register"): each test yields a mask with the high
//! bit of every byte that passes, exact per byte, so masks combine with `&`, `|` and `!`, and
//! the lowest set bit is the first hit.

const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of every byte of `v` that is zero. `(b & 0x7F) + 0x7F` reaches the high bit
/// for every `b & 0x7F` but 0 without carrying into the next byte, and `| v` adds the bytes
/// whose own high bit is set.
fn zero(v: u64) -> u64 {
    !(((v & LOW7) + LOW7) | v) & HIGH
}

/// The high bit of every byte of `v` equal to `c`.
pub(crate) fn eq(v: u64, c: u8) -> u64 {
    zero(v ^ (ONES * u64::from(c)))
}

/// The high bit of every byte of `v` below `n` (`n` at most 0x80): `(b & 0x7F) + (0x80 - n)`
/// reaches the high bit exactly when `b & 0x7F >= n`, never carrying, and `| v` adds the bytes
/// of 0x80 and above.
pub(crate) fn below(v: u64, n: u8) -> u64 {
    debug_assert!(n <= 0x80);
    !(((v & LOW7) + ONES * u64::from(0x80 - n)) | v) & HIGH
}

/// The offset of the first byte of `bytes` that `word` marks: `word(x)` tests eight bytes at
/// once as a little-endian word (byte `k` of `x` is the `k`-th byte) and returns a mask built
/// with [`eq`], [`below`] and bitwise operations, whose lowest set bit is the hit. Past the
/// end of `bytes` the word holds `pad`, which `word` must not mark.
pub(crate) fn first(bytes: &[u8], pad: u8, word: impl Fn(u64) -> u64) -> Option<usize> {
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let window: &[u8; 8] = bytes[at..at + 8].try_into().ok()?;
        let m = word(u64::from_le_bytes(*window));
        if m != 0 {
            return Some(at + (m.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = bytes.len() - at;
    if rest == 0 {
        return None;
    }
    let hit = if bytes.len() >= 8 {
        // The last eight bytes, overlapping the ones already tested, whose bits are dropped
        // (no copy: a variable-length copy is a `memcpy` call, which ASan intercepts).
        let window: &[u8; 8] = bytes[bytes.len() - 8..].try_into().ok()?;
        let mask = word(u64::from_le_bytes(*window)) >> (8 * (8 - rest));
        at + (mask.trailing_zeros() / 8) as usize
    } else {
        // A text shorter than a word, padded.
        let mut window = [pad; 8];
        for (to, &from) in window.iter_mut().zip(bytes) {
            *to = from;
        }
        (word(u64::from_le_bytes(window)).trailing_zeros() / 8) as usize
    };
    // No bit set reads as a position past the end.
    (hit < bytes.len()).then_some(hit)
}

#[cfg(test)]
mod tests {
    use super::{below, eq, first};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn masks_are_exact_per_byte(bytes in any::<[u8; 8]>(), c in any::<u8>(), n in 0u8..=0x80) {
            let v = u64::from_le_bytes(bytes);
            for (k, &b) in bytes.iter().enumerate() {
                let bit = 0x80u64 << (8 * k);
                prop_assert_eq!(eq(v, c) & bit != 0, b == c);
                prop_assert_eq!(below(v, n) & bit != 0, b < n);
            }
        }

        #[test]
        fn the_first_hit_is_found(
            bytes in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'<'), any::<u8>()], 0..300),
        ) {
            let expected = bytes.iter().position(|&b| b == b'<');
            let found = first(&bytes, b' ', |x| eq(x, b'<'));
            prop_assert_eq!(found, expected);
        }

    }
}
