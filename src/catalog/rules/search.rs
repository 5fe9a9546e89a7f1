//! What a search asks and what it answers, shared by the server, the browser and the REST API; and the pure steps of
//! the search: the word query the database runs (synonyms, corrections, the word being typed), the keyset cursor, and
//! the highlighted pieces of a result.

use serde::{Deserialize, Serialize};

use super::kinds::CrossRefKind;
use super::query::NumberMatch;
use crate::codes::ErrorCode;
use crate::ids::PartId;
use crate::numbers::Money;
use crate::paging::{Cursor, digits};

/// Results per page (the REST API accepts up to [`PAGE_MAX`]).
pub const PAGE_DEFAULT: u16 = 20;
pub const PAGE_MAX: u16 = 100;
/// A number shorter than this many characters is not looked for inside other numbers, and infix matches stop at
/// [`INFIX_LIMIT`] parts per number (type more to narrow them).
pub const INFIX_LIMIT: i64 = 500;
/// Typo correction applies to words of at least this many letters (shorter ones have too many neighbours).
pub const CORRECT_MIN_CHARS: usize = 4;
/// Vehicle names and engine codes, as long as the catalog allows them.
const VEHICLE_TEXT_MAX: usize = 80;

/// The vehicle a search is limited to: the cascade's choices, each narrowing the one before.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VehicleFilter {
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i16>,
    pub engine: Option<String>,
}

impl VehicleFilter {
    /// Tidies the choices (blank is none) and refuses what no vehicle can be: a model without a make, a year outside
    /// 1900–2100, text longer than a vehicle name. The field in error comes back with the code.
    pub fn checked(self) -> Result<Self, (&'static str, ErrorCode)> {
        let tidy = |field: &'static str, v: Option<String>| -> Result<Option<String>, (&'static str, ErrorCode)> {
            // Before tidying: some control characters count as white space (U+0085) and would vanish unseen.
            if v.as_deref().is_some_and(|v| v.chars().any(char::is_control)) {
                return Err((field, ErrorCode::InvalidInput));
            }
            let Some(v) = v.map(|v| v.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|v| !v.is_empty())
            else {
                return Ok(None);
            };
            if v.chars().count() > VEHICLE_TEXT_MAX {
                return Err((field, ErrorCode::TooLong));
            }
            if v.chars().any(char::is_control) {
                return Err((field, ErrorCode::InvalidInput));
            }
            Ok(Some(v))
        };
        let f = Self {
            make: tidy("make", self.make)?,
            model: tidy("model", self.model)?,
            year: self.year,
            engine: tidy("engine", self.engine)?,
        };
        if let Some(y) = f.year
            && !(1900..=2100).contains(&y)
        {
            return Err(("year", ErrorCode::InvalidInput));
        }
        // A later step without the earlier one means nothing ("2015" of which car?): drop it rather than refuse, the
        // way the cascade empties what follows a changed choice.
        Ok(match (&f.make, &f.model, f.year) {
            (None, _, _) => Self::default(),
            (Some(_), None, _) => Self { model: None, year: None, engine: None, ..f },
            (Some(_), Some(_), None) => Self { engine: None, ..f },
            _ => f,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.make.is_none()
    }

    /// "Toyota Hilux 2015 2GD-FTV", for headings and empty states.
    pub fn label(&self) -> String {
        let year = self.year.map(|y| y.to_string());
        [self.make.as_deref(), self.model.as_deref(), year.as_deref(), self.engine.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchRequest {
    pub q: String,
    pub vehicle: VehicleFilter,
    /// A group of the tree: its parts and those of the groups below it.
    pub group: Option<i32>,
    pub after: Option<SearchCursor>,
    pub limit: u16,
}

/// Where a page ends: the last result's place in the order (tier, score, part id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SearchCursor {
    pub tier: i16,
    pub score: i32,
    pub id: i64,
}

/// `tier.score.id`, e.g. `3.-12.40211`.
impl Cursor for SearchCursor {
    type Order = ();
    const PATTERN: &'static str = r"^([0-3]\.-?[0-9]{1,9}\.[0-9]{1,18})?$";

    fn encode(&self) -> String {
        format!("{}.{}.{}", self.tier, self.score, self.id)
    }

    fn decode(s: &str, (): ()) -> Option<Self> {
        let mut it = s.split('.');
        let (Some(t), Some(sc), Some(id), None) = (it.next(), it.next(), it.next(), it.next()) else {
            return None;
        };
        let tier = digits(t, 1).filter(|t| *t <= 3)?;
        let score = match sc.strip_prefix('-') {
            Some(neg) => -digits(neg, 9)?,
            None => digits(sc, 9)?,
        };
        Some(Self { tier: i16::try_from(tier).ok()?, score: i32::try_from(score).ok()?, id: digits(id, 18)? })
    }
}

impl std::fmt::Display for SearchCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encode())
    }
}

/// A piece of shown text, marked when it is what the query matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

/// Text with no match in it.
pub fn plain(text: &str) -> Vec<Segment> {
    vec![Segment { text: text.to_owned(), hit: false }]
}

/// Where a number match was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NumberSource {
    /// The part's own (OEM) number.
    Oem,
    /// An aftermarket part that replaces it.
    Aftermarket,
    /// Another catalog's number for it.
    Equivalent,
    /// A number it replaced.
    Superseded,
}

impl NumberSource {
    pub fn from_cross_ref(kind: CrossRefKind) -> Self {
        match kind {
            CrossRefKind::Equivalent => Self::Equivalent,
            CrossRefKind::Supersedes => Self::Superseded,
        }
    }
}

/// The number a result was found by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NumberHit {
    pub source: NumberSource,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub matched: NumberMatch,
    /// The number as written, the matched characters marked.
    pub number: Vec<Segment>,
    /// Whose number it is (the aftermarket brand, the cross-reference's source).
    pub brand: String,
}

/// One part in the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PartHit {
    pub id: PartId,
    pub number: String,
    pub manufacturer: String,
    /// The name, the words the query matched marked.
    pub name: Vec<Segment>,
    /// "Frenos › Pastillas".
    pub group: Option<String>,
    /// Vehicles it fits.
    pub fitment_count: i32,
    /// Aftermarket alternatives and the lowest reference price among them.
    pub alternatives: i64,
    pub price_from: Option<Money>,
    /// Set when a number found it.
    pub found_by: Option<NumberHit>,
    /// The place in the order (the next page starts after the last one).
    pub cursor: String,
}

/// A group of the results, with how many of them it holds (the group filter's choices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GroupCount {
    pub id: i32,
    pub path: String,
    pub parts: i64,
}

/// How the query was understood, shown back so the user knows what was searched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Understood {
    /// The query as searched, when it differs from what was typed (typos corrected: "amortiguador").
    pub corrected: Option<String>,
    /// Vehicles named in the query ("hilux 2015"), applied as a filter.
    pub vehicle_words: Option<String>,
    /// Synonyms searched along ("balatas" for "pastillas").
    pub synonyms: Vec<String>,
    /// Words that matched nothing, looked for as part numbers instead ("DXFVC" finds 17173-DXFVC), when they did.
    #[serde(default)]
    pub as_number: Option<String>,
}

/// A page of results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SearchPage {
    pub understood: Understood,
    pub hits: Vec<PartHit>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
    /// On the first page: how many parts match, and how they spread over the groups (ignoring the group filter).
    pub total: Option<i64>,
    pub groups: Vec<GroupCount>,
    /// Whether `total` and the groups' counts are estimates: a broad search (thousands of matches) counts a sample
    /// of the catalog, not every match. The page itself is always exact.
    #[serde(default)]
    pub approximate: bool,
    /// When nothing matched with the vehicle filter: how many parts match without it.
    pub without_vehicle: Option<i64>,
}

/// An estimate as people read one: two significant digits (161,874 → 160,000; 4,560 → 4,600; 87 → 87).
pub fn round_estimate(n: i64) -> i64 {
    let mut scale = 1;
    while n / scale >= 100 {
        scale *= 10;
    }
    (n + scale / 2) / scale * scale
}

/// One term of the word query: a word (matched on its stem, or as a prefix while it is being typed), or a set of
/// synonyms (any of them; a multi-word synonym needs all its words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordTerm {
    Word { word: String, prefix: bool },
    AnyOf(Vec<String>),
}

/// The text search query (`to_tsquery` syntax) for the terms, every term required; with `weight`, only the parts of
/// the document with that weight count (`A`: the name). Operands are letters only (quoted anyway), so no input can
/// change the query's structure.
pub fn tsquery(terms: &[WordTerm], weight: Option<char>) -> String {
    let label = |prefix: bool| match (prefix, weight) {
        (false, None) => String::new(),
        (true, None) => ":*".to_owned(),
        (false, Some(w)) => format!(":{w}"),
        (true, Some(w)) => format!(":*{w}"),
    };
    let operand = |w: &str, prefix: bool| -> Option<String> {
        let letters: String = w.chars().filter(|c| c.is_alphabetic()).collect();
        (!letters.is_empty()).then(|| format!("'{letters}'{}", label(prefix)))
    };
    let mut out: Vec<String> = Vec::new();
    for term in terms {
        match term {
            WordTerm::Word { word, prefix } => out.extend(operand(word, *prefix)),
            WordTerm::AnyOf(alternatives) => {
                let alts: Vec<String> = alternatives
                    .iter()
                    .filter_map(|alt| {
                        let words: Vec<String> = alt.split_whitespace().filter_map(|w| operand(w, false)).collect();
                        match words.len() {
                            0 => None,
                            1 => words.into_iter().next(),
                            _ => Some(format!("({})", words.join(" & "))),
                        }
                    })
                    .collect();
                match alts.len() {
                    0 => {}
                    1 => out.extend(alts),
                    _ => out.push(format!("({})", alts.join(" | "))),
                }
            }
        }
    }
    out.join(" & ")
}

/// The words one edit away from `word` (a folded catalog word: letters a–z): one letter deleted, two neighbours
/// swapped, one replaced, one inserted. A typo is most often one of these ("aciete", "cltuch", "tesnor"), and short
/// words share too few letter triples with their typo for trigram similarity to find them ("ploy" and "poly" share
/// one of nine), so the catalog words among these come first; similarity is the fallback for the rest.
pub fn one_edit(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let alphabet = 'a'..='z';
    let mut out = std::collections::BTreeSet::new();
    let rebuild = |v: Vec<char>| v.into_iter().collect::<String>();
    for i in 0..chars.len() {
        let mut v = chars.clone();
        v.remove(i);
        out.insert(rebuild(v));
        if i + 1 < chars.len() {
            let mut v = chars.clone();
            v.swap(i, i + 1);
            out.insert(rebuild(v));
        }
        for c in alphabet.clone() {
            let mut v = chars.clone();
            v[i] = c;
            out.insert(rebuild(v));
        }
    }
    for i in 0..=chars.len() {
        for c in alphabet.clone() {
            let mut v = chars.clone();
            v.insert(i, c);
            out.insert(rebuild(v));
        }
    }
    out.remove(word);
    out.into_iter().collect()
}

/// The runs of one to three consecutive tokens, joined by a space: what vehicle names and synonyms are looked up by
/// ("grand i10", "filtro de aceite"). Each with the token range it covers.
pub fn grams(tokens: &[String]) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    for n in 1..=3 {
        for start in 0..tokens.len().saturating_sub(n - 1) {
            out.push((tokens[start..start + n].join(" "), start..start + n));
        }
    }
    out
}

/// Marks where `key` (a number key) sits in `display` (the number as written): the written characters whose letters
/// and digits make up the match are marked, separators inside the match included.
pub fn mark_number(display: &str, key: &str) -> Vec<Segment> {
    let chars: Vec<char> = display.chars().collect();
    // The key's characters, each with the index of the written character it came from.
    let mut keyed: Vec<(char, usize)> = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        for u in c.to_uppercase() {
            if u.is_alphanumeric() {
                keyed.push((u, i));
            }
        }
    }
    let needle: Vec<char> = key.chars().collect();
    let found = (!needle.is_empty() && needle.len() <= keyed.len())
        .then(|| keyed.windows(needle.len()).position(|w| w.iter().map(|(c, _)| *c).eq(needle.iter().copied())))
        .flatten();
    let Some(at) = found else {
        return plain(display);
    };
    let (from, to) = (keyed[at].1, keyed[at + needle.len() - 1].1 + 1);
    let mut out = Vec::new();
    for (range, hit) in [(0..from, false), (from..to, true), (to..chars.len(), false)] {
        if !range.is_empty() {
            out.push(Segment { text: chars[range].iter().collect(), hit });
        }
    }
    out
}

/// The start and stop marks the database puts around matched words (`ts_headline`); never in catalog text, which
/// refuses control characters.
pub const MARK_START: char = '\u{2}';
pub const MARK_STOP: char = '\u{3}';

/// Splits marked text (from `ts_headline`) into segments.
pub fn marked_segments(text: &str) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut hit = false;
    let mut current = String::new();
    for c in text.chars() {
        if c == MARK_START || c == MARK_STOP {
            if !current.is_empty() {
                out.push(Segment { text: std::mem::take(&mut current), hit });
            }
            hit = c == MARK_START;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(Segment { text: current, hit });
    }
    // Adjacent marked words read as one mark ("Pastillas de freno" when all three matched).
    let mut merged: Vec<Segment> = Vec::with_capacity(out.len());
    for s in out {
        match merged.last_mut() {
            Some(last) if last.hit == s.hit => last.text.push_str(&s.text),
            _ => merged.push(s),
        }
    }
    merged
}

/// A four-digit token that can only be a model year, when the query names a vehicle ("hilux 2015").
pub fn model_year(token: &str) -> Option<i16> {
    (token.len() == 4 && token.bytes().all(|b| b.is_ascii_digit()))
        .then(|| token.parse::<i16>().ok())
        .flatten()
        .filter(|y| (1950..=2100).contains(y))
}

#[cfg(test)]
mod tests {

    #[test]
    fn estimates_keep_two_significant_digits() {
        for (n, r) in [(0, 0), (87, 87), (99, 99), (100, 100), (4_560, 4_600), (161_874, 160_000), (3_051, 3_100)] {
            assert_eq!(super::round_estimate(n), r, "{n}");
        }
    }

    use super::*;

    #[test]
    fn one_edit_reaches_swaps_deletions_replacements_and_insertions() {
        let near = one_edit("poly");
        for typo_of in ["ploy", "pol", "pely", "polly", "opoly"] {
            // Each typo is one edit from the word, so the word is one edit from each typo.
            assert!(one_edit(typo_of).contains(&"poly".to_owned()), "{typo_of}");
        }
        assert!(near.contains(&"ploy".to_owned()) && !near.contains(&"poly".to_owned()));
        assert!(one_edit("aciete").contains(&"aceite".to_owned()));
        // 4 deletions, 3 swaps, 4 × 26 replacements, 5 × 26 insertions, repeats removed.
        assert!(near.len() <= 4 + 3 + 4 * 26 + 5 * 26 && near.len() > 200);
    }
    use proptest::prelude::*;

    fn w(word: &str) -> WordTerm {
        WordTerm::Word { word: word.into(), prefix: false }
    }

    #[test]
    fn the_word_query_requires_every_term_and_any_synonym() {
        assert_eq!(tsquery(&[w("pastillas"), w("delanteras")], None), "'pastillas' & 'delanteras'");
        assert_eq!(
            tsquery(&[WordTerm::AnyOf(vec!["pastillas".into(), "balatas".into()]), w("hilux")], None),
            "('pastillas' | 'balatas') & 'hilux'"
        );
        assert_eq!(
            tsquery(&[WordTerm::AnyOf(vec!["filtro de aceite".into(), "filtro aceite".into()])], None),
            "(('filtro' & 'de' & 'aceite') | ('filtro' & 'aceite'))"
        );
        assert_eq!(tsquery(&[WordTerm::Word { word: "pastil".into(), prefix: true }], None), "'pastil':*");
        assert_eq!(
            tsquery(&[w("disco"), WordTerm::Word { word: "delan".into(), prefix: true }], Some('A')),
            "'disco':A & 'delan':*A"
        );
        assert_eq!(tsquery(&[], None), "");
        // Whatever gets in, only letters reach the query.
        assert_eq!(tsquery(&[w("a'|&!(b"), w("'")], None), "'ab'");
    }

    #[test]
    fn grams_cover_runs_of_one_to_three_tokens() {
        let t: Vec<String> = ["grand", "i10", "2016", "balatas"].map(String::from).to_vec();
        let g: Vec<String> = grams(&t).into_iter().map(|(s, _)| s).collect();
        assert!(g.contains(&"grand i10".to_owned()) && g.contains(&"i10 2016 balatas".to_owned()));
        assert_eq!(g.len(), 4 + 3 + 2);
        assert_eq!(grams(&t).iter().find(|(s, _)| s == "grand i10").unwrap().1, 0..2);
        assert!(grams(&[]).is_empty());
    }

    #[test]
    fn numbers_are_marked_where_their_key_sits() {
        let marked = |d: &str, k: &str| {
            mark_number(d, k)
                .into_iter()
                .map(|s| if s.hit { format!("[{}]", s.text) } else { s.text })
                .collect::<String>()
        };
        assert_eq!(marked("04465-02220", "0446502220"), "[04465-02220]");
        assert_eq!(marked("04465-02220", "0446"), "[0446]5-02220");
        assert_eq!(marked("157B2210", "B2210"), "157[B2210]");
        assert_eq!(marked("1K0 615 301 AA", "615301"), "1K0 [615 301] AA");
        assert_eq!(marked("W 712/75", "W71275"), "[W 712/75]");
        assert_eq!(marked("w 712/75", "71275"), "w [712/75]");
        assert_eq!(marked("ABC", "X"), "ABC");
        assert_eq!(marked("ABC", ""), "ABC");
    }

    #[test]
    fn marked_text_becomes_segments() {
        let s = marked_segments("\u{2}Pastillas\u{3} de freno \u{2}delanteras\u{3}");
        assert_eq!(
            s,
            vec![
                Segment { text: "Pastillas".into(), hit: true },
                Segment { text: " de freno ".into(), hit: false },
                Segment { text: "delanteras".into(), hit: true },
            ]
        );
        assert_eq!(marked_segments("Rotor"), plain("Rotor"));
        assert_eq!(marked_segments(""), vec![]);
    }

    #[test]
    fn cursors_round_trip_and_anything_else_is_refused() {
        let c = SearchCursor { tier: 3, score: -12, id: 40211 };
        assert_eq!(c.to_string(), "3.-12.40211");
        let read = |raw: &str| crate::paging::after::<SearchCursor>(Some(raw), ());
        assert_eq!(read("3.-12.40211"), Ok(Some(c)));
        assert_eq!(read(""), Ok(None));
        let widest = format!("3.-{}.{}", "9".repeat(9), "9".repeat(18));
        assert!(read(&widest).unwrap().is_some(), "every string of the pattern is a position");
        for bad in [
            "x",
            "4.0.1",
            "1.0",
            "1.0.1.2",
            "1..1",
            "1.0.",
            "-1.0.1",
            "1.+5.1",
            "1.0.1x",
            "1.1234567890.1",
            "1.-.1",
            "1.--5.1",
            "01.0.1",
        ] {
            assert_eq!(read(bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn the_vehicle_filter_is_tidied_and_steps_need_the_ones_before() {
        let f = |make: Option<&str>, model: Option<&str>, year: Option<i16>, engine: Option<&str>| VehicleFilter {
            make: make.map(Into::into),
            model: model.map(Into::into),
            year,
            engine: engine.map(Into::into),
        };
        let full = f(Some(" Toyota "), Some("Hilux"), Some(2015), Some("2GD-FTV")).checked().unwrap();
        assert_eq!(full.label(), "Toyota Hilux 2015 2GD-FTV");
        assert_eq!(f(Some(""), Some("Hilux"), None, None).checked().unwrap(), VehicleFilter::default());
        assert_eq!(f(Some("Toyota"), None, Some(2015), None).checked().unwrap(), f(Some("Toyota"), None, None, None));
        assert_eq!(
            f(Some("Toyota"), Some("Hilux"), Some(1800), None).checked(),
            Err(("year", ErrorCode::InvalidInput))
        );
        assert_eq!(f(Some(&"x".repeat(81)), None, None, None).checked(), Err(("make", ErrorCode::TooLong)));
        assert_eq!(f(Some("a\u{0}"), None, None, None).checked(), Err(("make", ErrorCode::InvalidInput)));
        assert_eq!(f(Some("Toyota"), Some("\u{85}"), None, None).checked(), Err(("model", ErrorCode::InvalidInput)));
    }

    #[test]
    fn only_plausible_four_digit_tokens_are_years() {
        assert_eq!(model_year("2015"), Some(2015));
        for no in ["215", "20155", "1800", "2a15", "9999"] {
            assert_eq!(model_year(no), None, "{no}");
        }
    }

    proptest! {
        #[test]
        fn a_word_query_is_always_well_formed(words in proptest::collection::vec("\\PC{0,12}", 0..6)) {
            let terms: Vec<WordTerm> = words.iter().map(|x| w(x)).collect();
            let q = tsquery(&terms, None);
            // Balanced quotes, no operator characters inside an operand.
            prop_assert_eq!(q.matches('\'').count() % 2, 0);
            for part in q.split(" & ") {
                let inner = part.trim_matches('\'');
                prop_assert!(inner.chars().all(char::is_alphabetic), "{}", part);
            }
        }

        #[test]
        fn marking_never_loses_text(d in "[A-Z0-9 ./-]{0,20}", k in "[A-Z0-9]{0,6}") {
            let joined: String = mark_number(&d, &k).into_iter().map(|s| s.text).collect();
            prop_assert_eq!(joined, d);
        }
    }
}
