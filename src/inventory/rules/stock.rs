//! "My inventory" as a list: the columns it sorts by, and the keyset cursor that walks it in any of those orders.
//!
//! A cursor is the last row's sort value and id, written `<id>.<value>` (the id first: the value may be any text, a
//! location or a part number, dots included). It is the caller's input: one that does not read as a position of the
//! chosen order is an input error, never a 500.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::paging::{Cursor, digits};

/// The columns the list sorts by (ties: by id, in the same direction).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockSort {
    /// The part number as the bodega writes it.
    #[default]
    Number,
    Location,
    Price,
    Stock,
    /// When the item's figures last changed.
    Updated,
}
crate::codes::text_enum!(StockSort "stock sort" {
    Number => "number", Location => "location", Price => "price", Stock => "stock", Updated => "updated",
});

/// The longest text a cursor may carry: a part number (40) or a location (60), in characters.
const TEXT_MAX_CHARS: usize = 60;

/// The sort value of the row a page ended on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorValue {
    /// Number or location.
    Text(String),
    /// Price (cents) or stock.
    Int(i64),
    /// Updated.
    At(DateTime<Utc>),
}

/// Where the next page starts: after the row with this sort value and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockCursor {
    pub value: CursorValue,
    pub id: i64,
}

impl StockCursor {
    /// The cursor of `id` with its row's values, for the order `sort`.
    pub fn of(
        sort: StockSort,
        id: i64,
        number: &str,
        location: &str,
        price_cents: i64,
        stock: i64,
        at: DateTime<Utc>,
    ) -> Self {
        let value = match sort {
            StockSort::Number => CursorValue::Text(number.to_owned()),
            StockSort::Location => CursorValue::Text(location.to_owned()),
            StockSort::Price => CursorValue::Int(price_cents),
            StockSort::Stock => CursorValue::Int(stock),
            StockSort::Updated => CursorValue::At(at),
        };
        Self { value, id }
    }
}

impl Cursor for StockCursor {
    type Order = StockSort;
    /// `<id>.<value>`: digits for prices, stock and times, any text of up to 60 characters for numbers and locations.
    const PATTERN: &'static str = "^([0-9]{1,18}\\.[^\\u0000-\\u001f\\u007f-\\u009f]{0,60})?$";

    fn encode(&self) -> String {
        match &self.value {
            CursorValue::Text(t) => format!("{}.{t}", self.id),
            CursorValue::Int(n) => format!("{}.{n}", self.id),
            CursorValue::At(at) => format!("{}.{}", self.id, at.timestamp_micros()),
        }
    }

    /// A cursor of the order `sort`.
    fn decode(raw: &str, sort: StockSort) -> Option<Self> {
        let (id, value) = raw.split_once('.')?;
        let id = digits(id, 18)?;
        let value = match sort {
            StockSort::Number | StockSort::Location => {
                if value.chars().count() > TEXT_MAX_CHARS || value.chars().any(char::is_control) {
                    return None;
                }
                CursorValue::Text(value.to_owned())
            }
            StockSort::Price | StockSort::Stock => CursorValue::Int(digits(value, 18)?),
            StockSort::Updated => CursorValue::At(digits(value, 16).and_then(DateTime::from_timestamp_micros)?),
        };
        Some(Self { value, id })
    }
}

/// A part's availability at a glance, for a list of results: how many bodegas hold it, from what price.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AvailabilitySummary {
    pub part: crate::ids::PartId,
    pub bodegas: i32,
    pub from: crate::numbers::Money,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::after;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn cursors_round_trip_in_every_order() {
        let t = at("2026-11-23T10:02:03.123456Z");
        for sort in StockSort::ALL.iter().copied() {
            for (number, location) in [("04465-02220", ""), ("W 712/75", "Pasillo 2.3"), ("1.2.3", "Ñandú_7")] {
                let c = StockCursor::of(sort, 42, number, location, 123_450, 7, t);
                assert_eq!(after(Some(&c.encode()), sort), Ok(Some(c.clone())), "{sort:?} {number}");
            }
        }
        assert_eq!(after::<StockCursor>(Some(""), StockSort::Price), Ok(None));
        assert_eq!(
            after(Some("9."), StockSort::Location).unwrap(),
            Some(StockCursor { value: CursorValue::Text(String::new()), id: 9 }),
            "the default location is an empty text"
        );
    }

    #[test]
    fn a_cursor_of_another_shape_is_an_input_error() {
        let bad = |sort: StockSort, raw: &str| {
            let e = after::<StockCursor>(Some(raw), sort).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code),
                ("after", crate::codes::ErrorCode::InvalidInput),
                "{sort:?} {raw:?}"
            );
        };
        bad(StockSort::Number, "abc");
        bad(StockSort::Number, "x.04465");
        bad(StockSort::Number, "-1.04465");
        bad(StockSort::Number, &format!("1.{}", "x".repeat(61)));
        bad(StockSort::Location, "1.a\nb");
        bad(StockSort::Price, "1.12.5");
        bad(StockSort::Price, "1.-5");
        bad(StockSort::Stock, "1.");
        bad(StockSort::Updated, "1.2026-11-23");
        bad(StockSort::Updated, &format!("1.{}", "9".repeat(17)));
        bad(StockSort::Price, &format!("{}.1", "9".repeat(19)));
    }

    #[test]
    fn sorts_are_read_by_their_names() {
        for s in StockSort::ALL.iter().copied() {
            assert_eq!(StockSort::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(StockSort::parse("price_cents"), None);
        assert_eq!(StockSort::default(), StockSort::Number);
    }
}
