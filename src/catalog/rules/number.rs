//! Part numbers as people write them, and the key they are compared on.
//!
//! Catalogs, invoices and shelf labels write one number many ways: "04465-02220", "0446502220", "04465 02220";
//! "1K0 615 301 AA"; "W 712/75". The key keeps letters and digits only, upper-cased, so all of them meet: "0446502220",
//! "1K0615301AA", "W71275". Separators carry no meaning across brands, so the key drops every one of them.

use serde::{Deserialize, Serialize};

use crate::codes::ErrorCode;

/// The longest part number accepted, as written (catalogs in the wild stay well under 30).
pub const NUMBER_MAX_CHARS: usize = 40;

/// The comparison key of a part number: its letters and digits, upper-cased, nothing else.
pub fn number_key(raw: &str) -> String {
    raw.chars().flat_map(char::to_uppercase).filter(|c| c.is_alphanumeric()).collect()
}

/// A part number: what people see (trimmed, inner runs of spaces made one) and the key it is compared on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartNumber {
    display: String,
    key: String,
}

impl PartNumber {
    pub fn parse(raw: &str) -> Result<Self, ErrorCode> {
        if raw.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(ErrorCode::InvalidInput);
        }
        let display = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if display.is_empty() {
            return Err(ErrorCode::Required);
        }
        if display.chars().count() > NUMBER_MAX_CHARS {
            return Err(ErrorCode::TooLong);
        }
        let key = number_key(&display);
        if key.is_empty() {
            // Only separators ("--", "./"): nothing to compare.
            return Err(ErrorCode::InvalidInput);
        }
        Ok(Self { display, key })
    }

    pub fn display(&self) -> &str {
        &self.display
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_way_of_writing_a_number_meets_on_one_key() {
        for (written, key) in [
            ("04465-02220", "0446502220"),
            ("0446502220", "0446502220"),
            ("04465 02220", "0446502220"),
            ("1K0 615 301 AA", "1K0615301AA"),
            ("1k0.615.301.aa", "1K0615301AA"),
            ("90915YZZD2", "90915YZZD2"),
            ("90915-yzzd2", "90915YZZD2"),
            ("W 712/75", "W71275"),
            ("  157B2210 ", "157B2210"),
        ] {
            assert_eq!(number_key(written), key, "{written}");
            assert_eq!(PartNumber::parse(written).unwrap().key(), key, "{written}");
        }
    }

    #[test]
    fn the_display_form_keeps_what_was_written_tidied() {
        assert_eq!(PartNumber::parse("  1K0  615 301\tAA ").unwrap().display(), "1K0 615 301 AA");
        assert_eq!(PartNumber::parse("W 712/75").unwrap().display(), "W 712/75");
    }

    #[test]
    fn numbers_without_letters_or_digits_or_too_long_are_refused() {
        assert_eq!(PartNumber::parse("   "), Err(ErrorCode::Required));
        assert_eq!(PartNumber::parse("-/."), Err(ErrorCode::InvalidInput));
        assert_eq!(PartNumber::parse("12\u{0}34"), Err(ErrorCode::InvalidInput));
        assert_eq!(PartNumber::parse(&"9".repeat(NUMBER_MAX_CHARS + 1)), Err(ErrorCode::TooLong));
        assert!(PartNumber::parse(&"9".repeat(NUMBER_MAX_CHARS)).is_ok());
    }

    proptest! {
        #[test]
        fn the_key_is_idempotent_and_made_of_letters_and_digits(s in "\\PC{0,60}") {
            let k = number_key(&s);
            prop_assert_eq!(number_key(&k), k.clone());
            prop_assert!(k.chars().all(char::is_alphanumeric));
        }

        #[test]
        fn separators_never_change_the_key(a in "[A-Z0-9]{1,8}", b in "[A-Z0-9]{1,8}", sep in "[ ./-]{0,3}") {
            prop_assert_eq!(number_key(&format!("{a}{sep}{b}")), format!("{a}{b}"));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = PartNumber::parse(&s);
        }
    }
}
