//! The parts' table as a list: the orders it sorts by, the keyset cursor that walks it in any of them, and what a
//! query asks for (the filters a URL keeps).
//!
//! A cursor is the last row's sort value and id, written `<id>.<value>` (the id first: a name may hold dots). Every
//! value is never null in the order (nobody's assignee sorts as the empty text, no due date after every date), so
//! a row's place is always a position. It is the caller's input: one that does not read as a position of the
//! chosen order is an input error, never a 500.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::parts::{PartKind, PartState};
use crate::ids::{SubsystemId, UserId};
use crate::paging::{Cursor, digits};

/// The columns the table sorts by (ties: by id, in the same direction).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartSort {
    Name,
    /// The workflow's order: review, rejected, CNC, hand, claimed, completed.
    State,
    /// The holder's name (parts nobody holds first).
    Assignee,
    /// When it was asked for (the default, newest first).
    #[default]
    Created,
    /// Its due date (parts with none last).
    Due,
}
crate::codes::text_enum!(PartSort "part sort" {
    Name => "name", State => "state", Assignee => "assignee", Created => "created", Due => "due",
});

impl PartSort {
    /// The direction an order starts in when the caller names none: the newest first, the rest ascending.
    pub const fn descending_by_default(self) -> bool {
        matches!(self, PartSort::Created)
    }
}

/// A state's place in the workflow's order (the `state` sort).
pub const fn state_rank(s: PartState) -> i64 {
    match s {
        PartState::Review => 1,
        PartState::Rejected => 2,
        PartState::Cnc => 3,
        PartState::Hand => 4,
        PartState::Claimed => 5,
        PartState::Completed => 6,
        PartState::Deleted => 7,
    }
}

/// The longest text a cursor carries: a part's name (200) or a person's (lower-cased), in characters.
const TEXT_MAX_CHARS: usize = 200;

/// The sort value of the row a page ended on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorValue {
    /// A name, lower-cased.
    Text(String),
    /// A state's rank.
    Int(i64),
    At(DateTime<Utc>),
    /// A due date; `None`: none (after every date).
    Date(Option<NaiveDate>),
}

/// Where the next page starts: after the row with this sort value and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartCursor {
    pub value: CursorValue,
    pub id: i64,
}

impl Cursor for PartCursor {
    type Order = PartSort;
    /// `<id>.<value>`: a name of up to 200 characters, a rank, microseconds, or a date (`-` for none).
    const PATTERN: &'static str = "^([0-9]{1,18}\\.[^\\u0000-\\u001f\\u007f-\\u009f]{0,200})?$";

    fn encode(&self) -> String {
        match &self.value {
            CursorValue::Text(t) => format!("{}.{t}", self.id),
            CursorValue::Int(n) => format!("{}.{n}", self.id),
            CursorValue::At(at) => format!("{}.{}", self.id, at.timestamp_micros()),
            CursorValue::Date(Some(d)) => format!("{}.{}", self.id, d.format("%Y-%m-%d")),
            CursorValue::Date(None) => format!("{}.-", self.id),
        }
    }

    fn decode(raw: &str, sort: PartSort) -> Option<Self> {
        let (id, value) = raw.split_once('.')?;
        let id = digits(id, 18)?;
        let value = match sort {
            PartSort::Name | PartSort::Assignee => {
                if value.chars().count() > TEXT_MAX_CHARS || value.chars().any(char::is_control) {
                    return None;
                }
                CursorValue::Text(value.to_owned())
            }
            PartSort::State => CursorValue::Int(digits(value, 1)?),
            PartSort::Created => CursorValue::At(digits(value, 16).and_then(DateTime::from_timestamp_micros)?),
            PartSort::Due if value == "-" => CursorValue::Date(None),
            PartSort::Due => {
                // Exactly `YYYY-MM-DD` (chrono alone would take a shorter year or a sign).
                let shaped = value.len() == 10
                    && value.bytes().enumerate().all(|(i, b)| match i {
                        4 | 7 => b == b'-',
                        _ => b.is_ascii_digit(),
                    });
                if !shaped {
                    return None;
                }
                CursorValue::Date(Some(NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?))
            }
        };
        Some(Self { value, id })
    }
}

/// What the table asks for (its URL's query): the search, the filters, the order and the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartQuery {
    /// Words, each found as the start of a word of a part's name, notes or material (accents and case aside), or
    /// within its subsystem's or its holder's name.
    pub search: Option<String>,
    /// States (none named: every state but deleted).
    pub states: Vec<PartState>,
    pub kind: Option<PartKind>,
    pub subsystem: Option<SubsystemId>,
    pub assignee: Option<UserId>,
    /// The caller's claims only ("my claims": claimed parts they hold).
    pub mine: bool,
    /// Due before today and not completed.
    pub overdue: bool,
    pub sort: PartSort,
    /// `None`: the order's own direction.
    pub desc: Option<bool>,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

/// The longest search, in characters.
pub const SEARCH_MAX: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::after;

    #[test]
    fn cursors_round_trip_in_every_order() {
        let t = DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let cases = [
            (PartSort::Name, CursorValue::Text("brida 3.5 mm".into())),
            (PartSort::Assignee, CursorValue::Text(String::new())),
            (PartSort::State, CursorValue::Int(5)),
            (PartSort::Created, CursorValue::At(t)),
            (PartSort::Due, CursorValue::Date(Some(d))),
            (PartSort::Due, CursorValue::Date(None)),
        ];
        let re = regex::Regex::new(PartCursor::PATTERN).unwrap();
        for (sort, value) in cases {
            let c = PartCursor { value, id: 42 };
            assert_eq!(after(Some(&c.encode()), sort), Ok(Some(c.clone())), "{sort:?}");
            assert!(re.is_match(&c.encode()), "{}", c.encode());
        }
    }

    #[test]
    fn a_cursor_of_another_shape_is_an_input_error() {
        for (sort, raw) in [
            (PartSort::State, "1.x"),
            (PartSort::State, "1.12"),
            (PartSort::Created, "1.2026-01-01"),
            (PartSort::Due, "1.2026-1-1"),
            (PartSort::Due, "1.+2026-01-01"),
            (PartSort::Due, "1.2026-02-30"),
            (PartSort::Name, "x.brida"),
            (PartSort::Name, "brida"),
        ] {
            assert!(after::<PartCursor>(Some(raw), sort).is_err(), "{sort:?} {raw}");
        }
    }
}
