//! On/off values: the documented lexical space is exactly `on` and `off`.

use crate::xml::Str;
use serde::Serialize;

/// How an on/off value's text relates to the documented spellings. Computed on the text an XML
/// processor reports, so character references, CDATA and comments that spell `on` are `on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnOffClass {
    /// Exactly `on` or `off`.
    Exact,
    /// `on`/`off` in another letter case (`On`, `OFF`). Exchange Online itself writes `On`/`Off`.
    CaseVariant,
    /// A boolean of another vocabulary: `true`, `false`, `1`, `0`, `yes`, `no` (any case).
    BooleanSynonym,
    /// A word from a machine-translated Microsoft documentation page (`aktiviert`,
    /// `deaktiviert`, `在`, `打开`, `关闭`, `отключено` ...); see [`OnOff::translation`].
    Translated,
    /// Nothing, or only whitespace.
    Empty,
    /// Anything else.
    Other,
}

/// An on/off value: the text as the document gave it, its class, and what it means.
///
/// `padded` is set when the text has whitespace around it; `class` then describes the trimmed
/// text. No source says whether clients trim, so padding is implementation-defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnOff {
    /// The text exactly as an XML processor reports it.
    pub raw: Str,
    /// Its class (of the trimmed text when `padded`).
    pub class: OnOffClass,
    /// Whether whitespace surrounds the value.
    pub padded: bool,
    /// The meaning: `Some(true)` for on, `Some(false)` for off, for exact and case-variant
    /// spellings (the ones Outlook and Exchange agree on); `None` otherwise.
    pub value: Option<bool>,
}

impl OnOff {
    /// Classifies a text.
    pub fn classify(raw: &str) -> OnOff {
        Self::classify_shared(&Str::from(raw))
    }

    /// Classifies a text, sharing it rather than copying it.
    pub fn classify_shared(text: &Str) -> OnOff {
        let raw = text.as_str();
        let trimmed = raw.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
        let padded = !trimmed.is_empty() && trimmed.len() != raw.len();
        let (class, value) = match trimmed {
            "on" => (OnOffClass::Exact, Some(true)),
            "off" => (OnOffClass::Exact, Some(false)),
            "" => (OnOffClass::Empty, None),
            t if t.eq_ignore_ascii_case("on") => (OnOffClass::CaseVariant, Some(true)),
            t if t.eq_ignore_ascii_case("off") => (OnOffClass::CaseVariant, Some(false)),
            t if translation(t).is_some() => (OnOffClass::Translated, None),
            t if ["true", "false", "1", "0", "yes", "no"]
                .iter()
                .any(|s| t.eq_ignore_ascii_case(s)) =>
            {
                (OnOffClass::BooleanSynonym, None)
            }
            _ => (OnOffClass::Other, None),
        };
        OnOff {
            raw: text.clone(),
            class,
            padded,
            value,
        }
    }

    /// What a boolean synonym would mean to a lenient reader (`true`/`1`/`yes` → on).
    pub fn synonym_value(&self) -> Option<bool> {
        let t = self.raw.trim().to_ascii_lowercase();
        match t.as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        }
    }
}

/// A value copied from a machine-translated documentation page: the page's language, the word
/// and the documented value it translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Translation {
    /// The documentation's language, in English (`German`).
    pub language: &'static str,
    /// The word as the page writes it.
    pub word: &'static str,
    /// The documented value it stands for: `true` for `on`, `false` for `off`.
    pub intended: bool,
}

/// The words Microsoft's machine-translated element pages give for the on/off values: German
/// `aktiviert`/`deaktiviert` (UsePOPAuth, SMTPLast), Chinese `在` (a mistranslation of "on"),
/// `打开`/`关闭`, Russian `отключено` (the default the page names) and its counterpart
/// `включено`. A server written from such a page writes these words; the XML value is always
/// `on` or `off`.
pub const TRANSLATIONS: &[Translation] = &[
    Translation {
        language: "German",
        word: "aktiviert",
        intended: true,
    },
    Translation {
        language: "German",
        word: "deaktiviert",
        intended: false,
    },
    // `在` is how the Chinese page renders "on" (as in "on the table").
    Translation {
        language: "Chinese",
        word: "在",
        intended: true,
    },
    Translation {
        language: "Chinese",
        word: "打开",
        intended: true,
    },
    Translation {
        language: "Chinese",
        word: "关闭",
        intended: false,
    },
    Translation {
        language: "Russian",
        word: "включено",
        intended: true,
    },
    Translation {
        language: "Russian",
        word: "отключено",
        intended: false,
    },
];

/// The translation `text` (already trimmed) is, ignoring letter case.
fn translation(text: &str) -> Option<&'static Translation> {
    // The longest word is 18 bytes; longer text is never lower-cased (classification stays
    // cheap on hostile input).
    if text.len() > 32 {
        return None;
    }
    let lower = text.to_lowercase();
    TRANSLATIONS.iter().find(|t| t.word == lower)
}

impl OnOff {
    /// For a [`OnOffClass::Translated`] value: which page's word it is and what it means.
    pub fn translation(&self) -> Option<&'static Translation> {
        if self.class != OnOffClass::Translated {
            return None;
        }
        translation(
            self.raw
                .trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')),
        )
    }
}
