//! Languages and bilingual texts.
//!
//! Every text a user can read (errors, validation messages, the loopback landing page, the
//! scope catalogue) exists in Swedish and English. The core hands out [`Text`], which carries
//! both, so a front end can switch language without asking again.

use serde::Serialize;

/// The languages the product speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Swedish.
    Sv,
    /// English (the default when the locale is neither).
    #[default]
    En,
}

impl Language {
    /// Picks a language from a locale tag such as `sv-SE`, `sv_SE.UTF-8` or `en_US`.
    /// Anything that is not Swedish is English.
    pub fn from_locale(tag: &str) -> Self {
        let lower = tag.trim().to_ascii_lowercase();
        if lower == "sv" || lower.starts_with("sv-") || lower.starts_with("sv_") || lower.starts_with("sv.") {
            Language::Sv
        } else {
            Language::En
        }
    }

    /// Reads the language from the POSIX locale variables (`LC_ALL`, `LC_MESSAGES`, `LANG`),
    /// as a command-line tool should.
    pub fn from_env() -> Self {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if !v.is_empty() {
                    return Self::from_locale(&v);
                }
            }
        }
        Language::En
    }

    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Sv => "sv",
            Language::En => "en",
        }
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    pub en: String,
    pub sv: String,
}

impl Text {
    pub fn new(en: impl Into<String>, sv: impl Into<String>) -> Self {
        Text { en: en.into(), sv: sv.into() }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Sv => &self.sv,
            Language::En => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_locales_are_recognised() {
        for tag in ["sv", "sv-SE", "sv_SE.UTF-8", "SV_FI"] {
            assert_eq!(Language::from_locale(tag), Language::Sv, "{tag}");
        }
        for tag in ["en_US.UTF-8", "C", "", "svenska-ish", "de-DE"] {
            assert_eq!(Language::from_locale(tag), Language::En, "{tag}");
        }
    }
}
