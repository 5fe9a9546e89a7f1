//! How the one search box understands what it is given.
//!
//! A query mixes part numbers and words: "04465-02220", "B2210", "1K0 615 301 AA", "pastillas delanteras hilux",
//! "90915 filtro". Tokens holding a digit are numbers, compared on their key (exact, then prefix, then infix from
//! [`INFIX_MIN_CHARS`]; never with typo tolerance: a wrong digit is another part). Tokens without digits are words,
//! matched in Spanish by the database (accents and case ignored, stemming, synonyms, typo tolerance). A number may be
//! written with spaces ("1K0 615 301 AA"), so the whole query's key is also tried as one number.

use serde::{Deserialize, Serialize};

use super::number::number_key;
use crate::codes::ErrorCode;

/// The longest query accepted, in characters.
pub const QUERY_MAX_CHARS: usize = 200;
/// Words and numbers beyond this many are ignored (a pasted paragraph is not a search).
pub const QUERY_MAX_TERMS: usize = 8;
/// A number key shorter than this is matched exactly or as a prefix, never inside another number.
pub const INFIX_MIN_CHARS: usize = 3;

/// How a part number matched, best first. The order is the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberMatch {
    Exact,
    Prefix,
    Infix,
}

impl NumberMatch {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Prefix => "prefix",
            Self::Infix => "infix",
        }
    }

    /// How `candidate` (a key) matches the searched `key`, if at all.
    pub fn of(key: &str, candidate: &str) -> Option<Self> {
        if candidate == key {
            Some(Self::Exact)
        } else if candidate.starts_with(key) {
            Some(Self::Prefix)
        } else if key.chars().count() >= INFIX_MIN_CHARS && candidate.contains(key) {
            Some(Self::Infix)
        } else {
            None
        }
    }
}

/// A query, understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// What was typed, trimmed (shown back, kept in the URL).
    pub text: String,
    /// The whole query as one number key, when it holds a digit and more than one token ("1K0 615 301 AA").
    pub whole_key: Option<String>,
    /// Keys of the tokens that hold a digit, in order, without repeats.
    pub numbers: Vec<String>,
    /// The other tokens, lower-cased, in order, without repeats; the database does accents, stems and synonyms.
    pub words: Vec<String>,
    /// Every token as typed, lower-cased (vehicle names and synonyms are looked up by runs of them).
    pub tokens: Vec<String>,
}

impl SearchQuery {
    /// Understands `raw`. An empty query is `Ok` with nothing in it (the page shows its start state, not an error).
    pub fn parse(raw: &str) -> Result<Self, ErrorCode> {
        if raw.chars().count() > QUERY_MAX_CHARS {
            return Err(ErrorCode::TooLong);
        }
        if raw.chars().any(char::is_control) {
            // Nothing typed in a search box is a control character (C0 or C1): refused, not silently dropped.
            return Err(ErrorCode::InvalidInput);
        }
        let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let tokens: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '+' | '|'))
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|t| !t.is_empty())
            .collect();
        let mut numbers = Vec::new();
        let mut words = Vec::new();
        for token in &tokens {
            if token.chars().any(|c| c.is_ascii_digit()) {
                let key = number_key(token);
                if !numbers.contains(&key) {
                    numbers.push(key);
                }
            } else {
                // A word is letters. A dash or an apostrophe joins two words ("poly-V", "d'acier": the catalog's text
                // search splits them so); any other sign inside is dropped ("A/C" is "ac", as the catalog indexes it).
                for part in token.split(['-', '\'', '\u{2019}']) {
                    let word: String =
                        part.chars().flat_map(char::to_lowercase).filter(|c| c.is_alphabetic()).collect();
                    if word.chars().count() >= 2 && !words.contains(&word) {
                        words.push(word);
                    }
                }
            }
        }
        numbers.truncate(QUERY_MAX_TERMS);
        words.truncate(QUERY_MAX_TERMS);
        let whole_key = (tokens.len() > 1 && !numbers.is_empty()).then(|| number_key(&text));
        let tokens = tokens.iter().take(QUERY_MAX_TERMS * 2).map(|t| t.to_lowercase()).collect();
        Ok(Self { text, whole_key, numbers, words, tokens })
    }

    /// The query without the tokens at `drop` (those that named a vehicle, applied as a filter instead).
    pub fn without(&self, drop: &[usize]) -> Self {
        let rest: Vec<&str> =
            self.tokens.iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, t)| t.as_str()).collect();
        Self::parse(&rest.join(" ")).unwrap_or_else(|_| Self::parse("").expect("the empty query parses"))
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty() && self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(s: &str) -> SearchQuery {
        SearchQuery::parse(s).unwrap()
    }

    #[test]
    fn numbers_words_and_the_whole_key() {
        /// (typed, whole key, numbers, words)
        type Case = (&'static str, Option<&'static str>, &'static [&'static str], &'static [&'static str]);
        let cases: [Case; 12] = [
            ("04465-02220", None, &["0446502220"], &[]),
            ("B2210", None, &["B2210"], &[]),
            ("1K0 615 301 AA", Some("1K0615301AA"), &["1K0", "615", "301"], &["aa"]),
            ("W 712/75", Some("W71275"), &["71275"], &[]),
            ("pastillas delanteras hilux", None, &[], &["pastillas", "delanteras", "hilux"]),
            ("90915 filtro", Some("90915FILTRO"), &["90915"], &["filtro"]),
            ("  Bujía,  BUJIA  bujía ", None, &[], &["bujía", "bujia"]),
            ("filtro de aceite", None, &[], &["filtro", "de", "aceite"]),
            ("\"amortiguadro\"", None, &[], &["amortiguadro"]),
            ("Banda poly-V", None, &[], &["banda", "poly"]),
            ("Compresor de A/C", None, &[], &["compresor", "de", "ac"]),
            ("anti-vibración", None, &[], &["anti", "vibración"]),
        ];
        for (raw, whole, numbers, words) in cases {
            let got = q(raw);
            assert_eq!(got.whole_key.as_deref(), whole, "{raw}");
            assert_eq!(got.numbers, numbers, "{raw}");
            assert_eq!(got.words, words, "{raw}");
        }
    }

    #[test]
    fn dropping_tokens_reparses_the_rest() {
        let full = q("Hilux 2015 pastillas 04465");
        assert_eq!(full.tokens, ["hilux", "2015", "pastillas", "04465"]);
        let rest = full.without(&[0, 1]);
        assert_eq!(
            (rest.numbers.as_slice(), rest.words.as_slice()),
            (&["04465".to_owned()][..], &["pastillas".to_owned()][..])
        );
        assert_eq!(rest.whole_key.as_deref(), Some("PASTILLAS04465"));
        assert!(full.without(&[0, 1, 2, 3]).is_empty());
    }

    #[test]
    fn single_letters_are_not_words_and_an_empty_query_is_empty() {
        assert!(q("").is_empty());
        assert!(q("  - / ").is_empty());
        assert!(q("a y o").is_empty());
        assert_eq!(q("  a   b  ").text, "a b");
    }

    #[test]
    fn long_queries_are_refused_and_many_terms_are_capped() {
        assert_eq!(SearchQuery::parse(&"x".repeat(QUERY_MAX_CHARS + 1)), Err(ErrorCode::TooLong));
        for control in ["a\u{0}b", "tab\there", "c1\u{84}", "\u{7f}"] {
            assert_eq!(SearchQuery::parse(control), Err(ErrorCode::InvalidInput), "{control:?}");
        }
        let many =
            (0..20).map(|i| format!("palabra{}", "abcdefghijklmnopqrst".chars().nth(i).unwrap())).collect::<Vec<_>>();
        assert_eq!(q(&many.join(" ")).words.len(), QUERY_MAX_TERMS);
    }

    #[test]
    fn exact_beats_prefix_beats_infix_and_short_keys_never_match_inside() {
        assert_eq!(NumberMatch::of("B2210", "B2210"), Some(NumberMatch::Exact));
        assert_eq!(NumberMatch::of("B2210", "B2210X"), Some(NumberMatch::Prefix));
        assert_eq!(NumberMatch::of("B2210", "157B2210"), Some(NumberMatch::Infix));
        assert_eq!(NumberMatch::of("B2", "157B2210"), None);
        assert_eq!(NumberMatch::of("B22", "157B2210"), Some(NumberMatch::Infix));
        assert_eq!(NumberMatch::of("B2211", "157B2210"), None);
        assert!(NumberMatch::Exact < NumberMatch::Prefix && NumberMatch::Prefix < NumberMatch::Infix);
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_stays_bounded(s in "\\PC{0,220}") {
            if let Ok(got) = SearchQuery::parse(&s) {
                prop_assert!(got.numbers.len() <= QUERY_MAX_TERMS && got.words.len() <= QUERY_MAX_TERMS);
                prop_assert!(got.numbers.iter().all(|n| !n.is_empty() && n.chars().all(char::is_alphanumeric)));
                prop_assert!(got.words.iter().all(|w| w.chars().count() >= 2 && w.chars().all(char::is_alphabetic)));
            }
        }

        #[test]
        fn a_written_number_always_finds_itself(a in "[A-Z0-9]{1,6}", b in "[0-9]{1,6}", sep in "[ ./-]") {
            let written = format!("{a}{sep}{b}");
            let got = SearchQuery::parse(&written).unwrap();
            let key = number_key(&written);
            // Either the one token is the key, or the whole query is.
            prop_assert!(got.numbers.contains(&key) || got.whole_key.as_deref() == Some(key.as_str()));
        }
    }
}
