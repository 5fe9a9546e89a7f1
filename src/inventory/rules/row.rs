//! What an inventory row must hold once its columns are mapped: a part number, a price and a stock, each read as
//! people write them (`crate::numbers`, the price column's decimal separator settled by its values first), with an
//! optional location (empty: the bodega's default location) and minimum order. A row is valid or carries the reason
//! a bodega can act on. Which catalog item its number names is [`Match`]'s question, asked of the catalog's number keys.

use serde::{Deserialize, Serialize};

use crate::catalog::rules::number::{NUMBER_MAX_CHARS, PartNumber};
use crate::numbers::{self, NumberError};

use super::mapping::Field;

/// The longest location name kept.
pub const LOCATION_MAX_CHARS: usize = 60;
/// How the pages name the default location (the empty one), in each language, lower-cased: a file that writes it
/// out means the default location.
pub const DEFAULT_LOCATION_NAMES: [&str; 2] = ["principal", "main"];
/// The highest price accepted, in cents (100 million in the currency: beyond any part).
pub const PRICE_MAX_CENTS: i64 = 10_000_000_000;
/// The highest stock or minimum order accepted.
pub const QUANTITY_MAX: i64 = 100_000_000;

/// Why a row is rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// A required field is empty.
    Missing { field: Field },
    /// Not a part number: only separators, control characters, or longer than any part number.
    InvalidPartNumber,
    /// Text where a number belongs ("N/A", "agotado", "12 pzas").
    NotANumber { field: Field, value: String },
    /// More digits than any inventory figure.
    TooLarge { field: Field },
    /// A price below zero.
    NegativePrice,
    /// A stock below zero.
    NegativeStock,
    /// A stock or minimum order with a fraction ("2.5").
    NotWhole { field: Field },
    /// A location longer than [`LOCATION_MAX_CHARS`].
    LocationTooLong,
    /// Neither an OEM, an aftermarket nor a superseded number the catalog knows.
    UnknownPart { number: String },
    /// A number several catalog parts share (their brands listed): which one the bodega has is not known.
    AmbiguousPart { number: String, brands: String },
    /// A later row has the same part and location; the last one wins.
    Duplicate { line: u64 },
}

/// A valid row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub number: PartNumber,
    pub price_cents: i64,
    pub stock: i64,
    /// Trimmed; empty is the default location.
    pub location: String,
    pub min_order_qty: Option<i64>,
}

/// What an upload does (the dry run) or did (the commit).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Counts {
    /// Rows read (valid or not).
    pub rows: i64,
    /// Items the bodega did not have at that location.
    pub new_items: i64,
    /// Items whose price changes (a row may change price and stock both).
    pub price_changes: i64,
    pub stock_changes: i64,
    /// Items exactly as they were.
    pub unchanged: i64,
    pub rejected: i64,
    /// With "replace location": items of the file's locations absent from it, whose stock becomes 0.
    pub zeroed: i64,
}

impl Counts {
    /// Rows written: those read less those rejected (a repeated row is rejected, the last one kept).
    pub fn saved(&self) -> i64 {
        self.rows - self.rejected
    }
}

/// How a column's numbers are written: its decimal separator, when its values settle it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NumberStyle {
    pub price_decimal: Option<char>,
}

impl NumberStyle {
    /// Reads the price column's values (a sample is enough: the first thousand rows).
    pub fn infer<'a>(prices: impl IntoIterator<Item = &'a str>) -> Self {
        NumberStyle { price_decimal: numbers::infer_decimal(prices) }
    }
}

fn number_problem(field: Field, raw: &str, e: NumberError) -> Problem {
    match e {
        NumberError::Empty => Problem::Missing { field },
        // The cell as written, without control characters (a NUL cannot be stored, nor shown).
        NumberError::NotANumber => {
            Problem::NotANumber { field, value: raw.chars().filter(|c| !c.is_control()).take(40).collect() }
        }
        NumberError::TooLarge => Problem::TooLarge { field },
    }
}

fn quantity(field: Field, raw: &str) -> Result<i64, Problem> {
    // Quantities are whole: a lone separator before three digits groups thousands ("1.200" pieces).
    let d = numbers::parse(raw, None).map_err(|e| number_problem(field, raw, e))?;
    let whole = d.to_whole().ok_or(Problem::NotWhole { field })?;
    if whole > QUANTITY_MAX {
        return Err(Problem::TooLarge { field });
    }
    Ok(whole)
}

/// Checks one row's mapped values (`get` gives a field's cell, empty when the field is not mapped).
pub fn check<'a>(get: impl Fn(Field) -> &'a str, style: NumberStyle) -> Result<Row, Problem> {
    let raw_number = get(Field::PartNumber);
    let number = match PartNumber::parse(raw_number) {
        Ok(n) => n,
        Err(_) if raw_number.trim().is_empty() => return Err(Problem::Missing { field: Field::PartNumber }),
        Err(_) => return Err(Problem::InvalidPartNumber),
    };
    debug_assert!(number.display().chars().count() <= NUMBER_MAX_CHARS);
    let raw_price = get(Field::Price);
    let price =
        numbers::parse(raw_price, style.price_decimal).map_err(|e| number_problem(Field::Price, raw_price, e))?;
    if price.is_negative() {
        return Err(Problem::NegativePrice);
    }
    let price_cents =
        price.to_cents().filter(|c| *c <= PRICE_MAX_CENTS).ok_or(Problem::TooLarge { field: Field::Price })?;
    let stock = quantity(Field::Stock, get(Field::Stock))?;
    if stock < 0 {
        return Err(Problem::NegativeStock);
    }
    let mut location = String::new();
    for word in get(Field::Location).split_whitespace() {
        if !location.is_empty() {
            location.push(' ');
        }
        location.push_str(word);
    }
    if location.chars().count() > LOCATION_MAX_CHARS || location.chars().any(char::is_control) {
        return Err(Problem::LocationTooLong);
    }
    // The name the pages give the default location, written out, is the default location: one place, one item
    // (found by outside testing: an empty cell and "Principal" made two items, both shown as "Principal").
    if DEFAULT_LOCATION_NAMES.iter().any(|n| location.to_lowercase() == *n) {
        location.clear();
    }
    let raw_moq = get(Field::MinOrderQty);
    let min_order_qty =
        if raw_moq.trim().is_empty() { None } else { Some(quantity(Field::MinOrderQty, raw_moq)?).filter(|q| *q > 0) };
    Ok(Row { number, price_cents, stock, location, min_order_qty })
}

/// What the catalog has under one number key, in one of its lists (OEM numbers, aftermarket numbers, superseded or
/// equivalent numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    None,
    /// Exactly one part (or one brand's product): its id.
    One(i64),
    /// Several parts, or several brands' products: ambiguous.
    Several,
}

/// Which list made a number ambiguous (its brands are named to the bodega from there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    Oem = 1,
    Aftermarket = 2,
    CrossRef = 3,
}

/// The catalog item a row's number names: an OEM part by its number; else an aftermarket product (its brand; the key
/// is the row's); else the part a superseded or equivalent number names. The first list that has the key decides,
/// even when it has it several times (ambiguous); a key no list has is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Part(i64),
    Product(i64),
    /// A part named by a superseded or equivalent number.
    Replaced(i64),
    Ambiguous(Among),
    Unknown,
}

impl Match {
    /// Looks a key up list by list (OEM, aftermarket, cross-reference), asking a list only when the ones before it
    /// have nothing.
    pub fn find(oem: impl FnOnce() -> Hit, aftermarket: impl FnOnce() -> Hit, cross_ref: impl FnOnce() -> Hit) -> Self {
        match oem() {
            Hit::One(id) => return Match::Part(id),
            Hit::Several => return Match::Ambiguous(Among::Oem),
            Hit::None => {}
        }
        match aftermarket() {
            Hit::One(brand) => return Match::Product(brand),
            Hit::Several => return Match::Ambiguous(Among::Aftermarket),
            Hit::None => {}
        }
        match cross_ref() {
            Hit::One(id) => Match::Replaced(id),
            Hit::Several => Match::Ambiguous(Among::CrossRef),
            Hit::None => Match::Unknown,
        }
    }
}

/// The lines of rows whose key and location another row may share (so may name the same item at the same location:
/// a repeat), told by a hash of each pair as rows go by: every row whose hash another row has too. No repeat escapes
/// (equal pairs hash alike); a collision only adds lines to look at (a 32-bit hash: about a hundred extra lines in a
/// million rows). A hash and a line per row (8 bytes), not the texts.
#[derive(Debug, Default)]
pub struct RepeatSuspects {
    /// A fast seeded hash (with the standard SipHash, noting the pairs took 6-7 % of reading the rows, measured).
    hasher: foldhash::fast::RandomState,
    /// Hash of a pair → the first line with it, or `u32::MAX` once that line is among `lines`.
    first: std::collections::HashMap<u32, u32, foldhash::fast::RandomState>,
    lines: Vec<i64>,
}

impl RepeatSuspects {
    pub fn note(&mut self, line: u64, key: &str, location: &str) {
        use std::collections::hash_map::Entry;
        use std::hash::BuildHasher;
        let Some(short) = u32::try_from(line).ok().filter(|l| *l != u32::MAX) else {
            // Beyond any file's lines: a suspect without a look.
            self.lines.push(line as i64);
            return;
        };
        match self.first.entry(self.hasher.hash_one((key, location)) as u32) {
            Entry::Vacant(e) => {
                e.insert(short);
            }
            Entry::Occupied(mut e) => {
                if *e.get() != u32::MAX {
                    self.lines.push(i64::from(*e.get()));
                    e.insert(u32::MAX);
                }
                self.lines.push(line as i64);
            }
        }
    }

    /// The suspect lines, in the order they were found.
    pub fn into_lines(self) -> Vec<i64> {
        self.lines
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_default_locations_name_is_the_default_location() {
        for written in ["", "Principal", " PRINCIPAL ", "main"] {
            assert_eq!(row("A1", "5", "1", written, "").unwrap().location, "", "{written:?}");
        }
        assert_eq!(row("A1", "5", "1", "Principal Norte", "").unwrap().location, "Principal Norte");
    }

    fn row(number: &str, price: &str, stock: &str, location: &str, moq: &str) -> Result<Row, Problem> {
        let cells = [number, price, stock, location, moq];
        check(
            |f| match f {
                Field::PartNumber => cells[0],
                Field::Price => cells[1],
                Field::Stock => cells[2],
                Field::Location => cells[3],
                Field::MinOrderQty => cells[4],
            },
            NumberStyle::default(),
        )
    }

    #[test]
    fn valid_rows_are_read_as_written() {
        let r = row(" 04465-02220 ", "$ 1.234,50", "1.200", "  Pasillo   3 ", "4").unwrap();
        assert_eq!(r.number.key(), "0446502220");
        assert_eq!(
            (r.price_cents, r.stock, r.location.as_str(), r.min_order_qty),
            (123_450, 1200, "Pasillo 3", Some(4))
        );
        let r = row("B2210", "99", "0", "", "").unwrap();
        assert_eq!((r.price_cents, r.stock, r.location.as_str(), r.min_order_qty), (9_900, 0, "", None));
    }

    #[test]
    fn each_problem_has_its_reason() {
        use Problem::*;
        for (cells, want) in [
            (["", "1", "1", "", ""], Missing { field: Field::PartNumber }),
            (["--", "1", "1", "", ""], InvalidPartNumber),
            (["A1", "", "1", "", ""], Missing { field: Field::Price }),
            (["A1", "N/A", "1", "", ""], NotANumber { field: Field::Price, value: "N/A".into() }),
            (["A1", "-5", "1", "", ""], NegativePrice),
            (["A1", "5", "", "", ""], Missing { field: Field::Stock }),
            (["A1", "5", "agotado", "", ""], NotANumber { field: Field::Stock, value: "agotado".into() }),
            (["A1", "12\u{0}x", "1", "", ""], NotANumber { field: Field::Price, value: "12x".into() }),
            (["A1", "5", "-1", "", ""], NegativeStock),
            (["A1", "5", "2,5", "", ""], NotWhole { field: Field::Stock }),
            (["A1", "5", "1", "", "0,5"], NotWhole { field: Field::MinOrderQty }),
            (["A1", "999999999999999", "1", "", ""], TooLarge { field: Field::Price }),
            (["A1", "5", "1", &"x".repeat(61), ""], LocationTooLong),
        ] {
            assert_eq!(row(cells[0], cells[1], cells[2], cells[3], cells[4]), Err(want.clone()), "{cells:?}");
        }
    }

    #[test]
    fn the_price_columns_style_settles_ambiguous_prices() {
        let style = NumberStyle::infer(["1.234", "45,50"]);
        assert_eq!(style.price_decimal, Some(','));
        let get = |f: Field| match f {
            Field::PartNumber => "A1",
            Field::Price => "1.234",
            Field::Stock => "1",
            _ => "",
        };
        assert_eq!(check(get, style).unwrap().price_cents, 123_400);
        assert_eq!(check(get, NumberStyle { price_decimal: Some('.') }).unwrap().price_cents, 123);
    }

    /// A cell as spreadsheets fill them: a number written either way (signs, currency, groups, decimals), a part
    /// number, blanks, text, control characters, or anything at all.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "[0-9]{1,5}",
            3 => "[-(]?[$]? ?[0-9]{1,4}([.,][0-9]{3}){0,3}([.,][0-9]{1,3})?[)]?",
            1 => "[A-Z0-9]{1,6}[- /.]?[A-Z0-9]{0,6}",
            1 => "[ \t]{0,3}",
            1 => "[a-zA-Z/ ]{1,12}",
            1 => "[0-9 .,\u{0}\t\n-]{0,8}",
            1 => "[0-9]{12,18}",
            1 => "[a-z ]{55,70}",
            1 => "\\PC{0,20}",
        ]
    }

    /// The cells of a valid row written back the plainest way, as a bodega's next export would write them.
    fn written(r: &Row) -> [String; 5] {
        [
            r.number.display().to_owned(),
            format!("{}.{:02}", r.price_cents / 100, r.price_cents % 100),
            r.stock.to_string(),
            r.location.clone(),
            r.min_order_qty.map(|q| q.to_string()).unwrap_or_default(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Every row is valid, with values in their bounds that read back the same once written plainly, or carries
        /// the one reason that fits its cells: the first field in order (number, price, stock, location, minimum
        /// order) that is wrong, and what is wrong with it.
        #[test]
        fn any_cells_are_a_row_or_a_reason(cells in prop::collection::vec(cell(), 5)) {
            let got = row(&cells[0], &cells[1], &cells[2], &cells[3], &cells[4]);
            let blank = |i: usize| cells[i].trim().is_empty();
            let number = PartNumber::parse(&cells[0]);
            let price = numbers::parse(&cells[1], None);
            // Each field read on its own, as the rules state it.
            let whole = |i: usize| numbers::parse(&cells[i], None).ok().and_then(|d| d.to_whole());
            let location = cells[3].split_whitespace().collect::<Vec<_>>().join(" ");
            let fine = [
                number.is_ok(),
                price.is_ok_and(|p| !p.is_negative() && p.to_cents().is_some_and(|c| c <= PRICE_MAX_CENTS)),
                whole(2).is_some_and(|w| (0..=QUANTITY_MAX).contains(&w)),
                location.chars().count() <= LOCATION_MAX_CHARS && !location.chars().any(char::is_control),
                blank(4) || whole(4).is_some_and(|w| w <= QUANTITY_MAX),
            ];
            match &got {
                Ok(r) => {
                    prop_assert!(fine.iter().all(|f| *f), "{:?} read as valid", cells);
                    prop_assert_eq!(Ok(&r.number), number.as_ref());
                    prop_assert_eq!(Some(r.price_cents), price.ok().and_then(|p| p.to_cents()));
                    prop_assert_eq!(Some(r.stock), whole(2));
                    prop_assert_eq!(&r.location, &location);
                    // A minimum order of zero or less is none.
                    let moq = if blank(4) { None } else { whole(4).filter(|q| *q > 0) };
                    prop_assert_eq!(r.min_order_qty, moq);
                    let w = written(r);
                    let again = row(&w[0], &w[1], &w[2], &w[3], &w[4]);
                    prop_assert_eq!(again.as_ref(), Ok(r), "written back: {:?}", w);
                }
                Err(p) => {
                    let at = |f: Field| match f {
                        Field::PartNumber => 0,
                        Field::Price => 1,
                        Field::Stock => 2,
                        Field::Location => 3,
                        Field::MinOrderQty => 4,
                    };
                    // The field the reason is about.
                    let field = match p {
                        Problem::InvalidPartNumber => 0,
                        Problem::NegativePrice => 1,
                        Problem::NegativeStock => 2,
                        Problem::LocationTooLong => 3,
                        Problem::Missing { field }
                        | Problem::NotANumber { field, .. }
                        | Problem::TooLarge { field }
                        | Problem::NotWhole { field } => at(*field),
                        other => return Err(TestCaseError::fail(format!("not a reason a row's cells give: {other:?}"))),
                    };
                    // The first field that is wrong is the one named.
                    prop_assert_eq!(fine.iter().position(|f| !f), Some(field), "{:?} for {:?}", p, cells);
                    let cell = &cells[field];
                    match p {
                        Problem::Missing { field: Field::PartNumber } | Problem::InvalidPartNumber => {
                            prop_assert_eq!(matches!(p, Problem::Missing { .. }), blank(0));
                        }
                        Problem::Missing { .. } => {
                            prop_assert_eq!(numbers::parse(cell, None), Err(NumberError::Empty));
                        }
                        Problem::NotANumber { value, .. } => {
                            prop_assert_eq!(numbers::parse(cell, None), Err(NumberError::NotANumber));
                            let shown: String = cell.chars().filter(|c| !c.is_control()).take(40).collect();
                            prop_assert_eq!(value, &shown);
                        }
                        Problem::NotWhole { field } => {
                            prop_assert_ne!(*field, Field::Price);
                            prop_assert!(numbers::parse(cell, None).is_ok() && whole(at(*field)).is_none());
                        }
                        Problem::NegativePrice | Problem::NegativeStock => {
                            prop_assert!(numbers::parse(cell, None).is_ok_and(|d| d.is_negative()));
                        }
                        Problem::TooLarge { .. } => {
                            let read = numbers::parse(cell, None);
                            prop_assert!(read == Err(NumberError::TooLarge) || read.is_ok_and(|d| !d.is_negative()));
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    #[test]
    fn rows_sharing_a_key_and_location_are_all_suspects_and_no_other() {
        let mut s = RepeatSuspects::default();
        for (line, key, location) in [
            (2, "A1", ""),
            (3, "B2", ""),
            (4, "A1", "Pasillo 2"),
            (5, "A1", ""),
            (6, "C3", ""),
            (7, "A1", ""),
            (8, "A1", "Pasillo 2"),
        ] {
            s.note(line, key, location);
        }
        let mut lines = s.into_lines();
        lines.sort_unstable();
        assert_eq!(lines, [2, 4, 5, 7, 8]);
    }

    #[test]
    fn the_first_list_with_the_key_decides() {
        use Hit::*;
        let never = || -> Hit { panic!("a later list is not asked once one has the key") };
        assert_eq!(Match::find(|| One(7), never, never), Match::Part(7));
        assert_eq!(Match::find(|| Several, never, never), Match::Ambiguous(Among::Oem));
        assert_eq!(Match::find(|| None, || One(3), never), Match::Product(3));
        assert_eq!(Match::find(|| None, || Several, never), Match::Ambiguous(Among::Aftermarket));
        assert_eq!(Match::find(|| None, || None, || One(9)), Match::Replaced(9));
        assert_eq!(Match::find(|| None, || None, || Several), Match::Ambiguous(Among::CrossRef));
        assert_eq!(Match::find(|| None, || None, || None), Match::Unknown);
    }
}
