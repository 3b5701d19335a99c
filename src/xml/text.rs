//! [`Str`]: the tree's string, a span of one shared source text.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// An immutable string that is a range of a shared, reference-counted text.
///
/// The reader decodes a document once into one [`Arc<str>`] and gives every name, value and
/// text node of the tree a range of it, so building a tree allocates nothing per node for what
/// the source spells as it is meant (a value that differs from its source, such as text with
/// references expanded, owns a text of its own); namespace URIs are one shared text per
/// distinct URI per document. Cloning is a reference-count increment, never a copy. Strings
/// built in code (`Str::from("…")`) own their text. Guarantees: the range always lies on
/// character boundaries of its text; equality, order and hashing are those of the `str` it
/// reads as, wherever its text lives.
#[derive(Clone)]
pub struct Str {
    src: Arc<str>,
    start: usize,
    end: usize,
}

impl Str {
    /// The whole of a shared text.
    pub fn shared(src: Arc<str>) -> Self {
        let end = src.len();
        Str { src, start: 0, end }
    }

    /// `src[range]` without copying; `None` when the range is out of bounds or not on
    /// character boundaries.
    pub fn slice_of(src: &Arc<str>, start: usize, end: usize) -> Option<Self> {
        src.get(start..end)?;
        Some(Str {
            src: Arc::clone(src),
            start,
            end,
        })
    }

    /// A part of this string (byte offsets relative to it), sharing its text; `None` out of
    /// bounds or off character boundaries.
    pub fn slice(&self, start: usize, end: usize) -> Option<Self> {
        self.as_str().get(start..end)?;
        Some(Str {
            src: Arc::clone(&self.src),
            start: self.start + start,
            end: self.start + end,
        })
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        debug_assert!(self.src.get(self.start..self.end).is_some());
        // SAFETY: the fields are private and each constructor (`shared`, `slice_of`, `slice`)
        // checks that `start..end` lies in `src` on character boundaries; `src` is immutable
        // and shared, so the range stays valid for as long as this `Str` holds it. Checking
        // again on every read (`get`) was six traced comparisons per access in the fuzz
        // builds, about a tenth of a small document's cost in the `structured` target.
        unsafe { self.src.get_unchecked(self.start..self.end) }
    }

    /// An owned copy.
    pub fn to_string_owned(&self) -> String {
        self.as_str().to_owned()
    }

    /// Whether both strings read from the same shared text (a test of the borrowing, for
    /// tests and benchmarks; it says nothing of equality).
    pub fn shares_source(&self, other: &Str) -> bool {
        Arc::ptr_eq(&self.src, &other.src)
    }
}

impl Default for Str {
    /// The empty string, sharing one empty text per process rather than allocating one each
    /// time (every empty element's text, every tag without trailing space).
    fn default() -> Self {
        static EMPTY: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from(""));
        Str::shared(Arc::clone(&EMPTY))
    }
}

impl Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        // Interned namespaces and names from one source are usually the same range.
        (Arc::ptr_eq(&self.src, &other.src) && self.start == other.start && self.end == other.end)
            || self.as_str() == other.as_str()
    }
}

impl Eq for Str {}

impl PartialOrd for Str {
    fn partial_cmp(&self, other: &Str) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Str {
    fn cmp(&self, other: &Str) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Str {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Str> for str {
    fn eq(&self, other: &Str) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Str> for &str {
    fn eq(&self, other: &Str) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Str> for String {
    fn eq(&self, other: &Str) -> bool {
        self.as_str() == other.as_str()
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        Str::shared(Arc::from(s))
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        Str::shared(Arc::from(s))
    }
}

impl From<&String> for Str {
    fn from(s: &String) -> Self {
        Str::from(s.as_str())
    }
}

impl From<std::borrow::Cow<'_, str>> for Str {
    fn from(s: std::borrow::Cow<'_, str>) -> Self {
        Str::from(s.as_ref())
    }
}

impl<T> FromIterator<T> for Str
where
    String: FromIterator<T>,
{
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Str::from(iter.into_iter().collect::<String>())
    }
}

impl From<Str> for String {
    fn from(s: Str) -> String {
        s.as_str().to_owned()
    }
}

impl serde::Serialize for Str {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_reads_its_range_and_shares_the_text() {
        let src: Arc<str> = Arc::from("<a>héllo</a>");
        let s = Str::slice_of(&src, 3, 9).unwrap();
        assert_eq!(s, "héllo");
        assert!(s.shares_source(&Str::shared(src.clone())));
        assert_eq!(s.slice(1, 3).unwrap(), "é");
        assert!(s.slice(1, 2).is_none(), "inside a character");
        assert!(Str::slice_of(&src, 4, 5).is_none(), "inside a character");
        assert!(Str::slice_of(&src, 0, 99).is_none());
    }

    #[test]
    fn equality_and_hash_are_the_text_s_wherever_it_lives() {
        use std::collections::hash_map::DefaultHasher;
        let src: Arc<str> = Arc::from("xx abc yy");
        let a = Str::slice_of(&src, 3, 6).unwrap();
        let b = Str::from("abc");
        assert_eq!(a, b);
        assert!(!a.shares_source(&b));
        let h = |s: &Str| {
            let mut h = DefaultHasher::new();
            s.hash(&mut h);
            h.finish()
        };
        let mut hs = DefaultHasher::new();
        "abc".hash(&mut hs);
        assert_eq!(h(&a), h(&b));
        assert_eq!(h(&a), hs.finish(), "Borrow<str> needs the str's hash");
        assert_eq!(format!("{a:?}"), "\"abc\"");
    }
}
