//! One way to cut a long list into pages, for every area: a [`Page`] of items with the [`Cursor`] of the next one,
//! cut in the services (never in a server function or a REST handler), walked by keyset so a page stays right while
//! rows are inserted.
//!
//! A cursor is the sort key of the last row of the previous page, written as text for URLs and `next`. Reading one is
//! the caller's input: absent or empty is the first page, and text that is not a position of the list's order is a
//! field error on `after` (422), never a 500. Every text matching a cursor's [`Cursor::PATTERN`] is a position, so the
//! OpenAPI document states each format exactly. Lists ordered newest first use [`At`] (`<microseconds>_<id>`); a list
//! with several orders (an inventory sorted by any column) has a cursor of its own that is read against the order
//! ([`Cursor::Order`]).
//!
//! A service asks its store for [`Limit::fetch`] rows (one more than the page) and hands them to [`Page::cut`], which
//! keeps the page and writes `next` from the last row kept when the extra row says there is more.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::{ErrorCode, FieldError};

/// The field every list reads its cursor from.
pub const AFTER: &str = "after";

/// A position in a list: the sort key of the row a page ended on.
pub trait Cursor: Sized {
    /// What a cursor is read against: the list's order when it has several, `()` otherwise.
    type Order: Copy;
    /// The text of every cursor of this kind, as a regular expression (the empty text, the first page, included).
    const PATTERN: &'static str;
    fn encode(&self) -> String;
    /// The position `raw` names in `order`, or `None` when it names none (`raw` is never empty here).
    fn decode(raw: &str, order: Self::Order) -> Option<Self>;
}

/// Reads the caller's `after`: absent or empty is the first page; anything that is not a cursor is a field error.
pub fn after<C: Cursor>(raw: Option<&str>, order: C::Order) -> Result<Option<C>, FieldError> {
    match raw.filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => C::decode(raw, order).map(Some).ok_or_else(|| FieldError::new(AFTER, ErrorCode::InvalidInput)),
    }
}

/// How many items a page holds: what the caller asked for within `1..=max`, or the list's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(i64);

impl Limit {
    /// The caller's `limit`, refused (422 on `limit`) outside `1..=max`; `default` when absent.
    pub fn new(requested: Option<i64>, default: i64, max: i64) -> Result<Self, FieldError> {
        match requested {
            None => Ok(Self(default.clamp(1, max))),
            Some(n) if (1..=max).contains(&n) => Ok(Self(n)),
            Some(_) => Err(FieldError::new("limit", ErrorCode::InvalidInput)),
        }
    }

    /// A list's own page size (not the caller's to choose).
    pub const fn fixed(n: i64) -> Self {
        Self(if n < 1 { 1 } else { n })
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    /// Rows to ask the store for: one more than the page, which tells whether there is a next one.
    pub const fn fetch(self) -> i64 {
        self.0 + 1
    }
}

/// A page of a list and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The `after` of the next page; absent on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The page in `rows` (fetched with [`Limit::fetch`]): at most `limit` of them, and when there were more, the
    /// cursor of the last one kept.
    pub fn cut<C: Cursor>(mut rows: Vec<T>, limit: Limit, key: impl Fn(&T) -> C) -> Self {
        let keep = usize::try_from(limit.get()).unwrap_or(usize::MAX);
        let next = (rows.len() > keep).then(|| {
            rows.truncate(keep);
            rows.last().map(|last| key(last).encode())
        });
        Self { items: rows, next: next.flatten() }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }

    /// Each item turned by `f`, or the first failure.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page { items: self.items.into_iter().map(f).collect::<Result<_, _>>()?, next: self.next })
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self { items: Vec::new(), next: None }
    }
}

/// The position of a list ordered newest first by a time and an id (ties), written `<microseconds since 1970>_<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct At<Id> {
    pub at: DateTime<Utc>,
    pub id: Id,
}

impl<Id> At<Id> {
    pub const fn new(at: DateTime<Utc>, id: Id) -> Self {
        Self { at, id }
    }

    fn decode_with(raw: &str, id: impl FnOnce(&str) -> Option<Id>) -> Option<Self> {
        let (at, rest) = raw.split_once('_')?;
        let at = digits(at, 16).and_then(DateTime::from_timestamp_micros)?;
        Some(Self { at, id: id(rest)? })
    }
}

impl Cursor for At<i64> {
    type Order = ();
    const PATTERN: &'static str = "^([0-9]{1,16}_[0-9]{1,18})?$";

    fn encode(&self) -> String {
        format!("{}_{}", self.at.timestamp_micros(), self.id)
    }

    fn decode(raw: &str, (): ()) -> Option<Self> {
        Self::decode_with(raw, |id| digits(id, 18))
    }
}

impl Cursor for At<uuid::Uuid> {
    type Order = ();
    const PATTERN: &'static str =
        "^([0-9]{1,16}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$";

    fn encode(&self) -> String {
        format!("{}_{}", self.at.timestamp_micros(), self.id)
    }

    fn decode(raw: &str, (): ()) -> Option<Self> {
        // Only the hyphenated form the pattern states (the uuid crate also reads braces, URNs and bare hex).
        Self::decode_with(raw, |id| (id.len() == 36).then(|| uuid::Uuid::try_parse(id).ok()).flatten())
    }
}

/// The position of a list ordered by an id alone (a log, newest first), written as the id.
impl Cursor for i64 {
    type Order = ();
    const PATTERN: &'static str = "^([0-9]{1,18})?$";

    fn encode(&self) -> String {
        self.to_string()
    }

    fn decode(raw: &str, (): ()) -> Option<Self> {
        digits(raw, 18)
    }
}

/// A non-negative integer of 1 to `max` ASCII digits (no sign, no spaces), as cursors write them.
pub fn digits(s: &str, max: usize) -> Option<i64> {
    (!s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn time_cursors_round_trip_and_anything_else_is_an_input_error_on_after() {
        let t = at("2026-11-22T10:11:12.123456Z");
        let c = At::new(t, 42_i64);
        assert_eq!(after::<At<i64>>(Some(&c.encode()), ()), Ok(Some(c)));
        assert_eq!(after::<At<i64>>(None, ()), Ok(None));
        assert_eq!(after::<At<i64>>(Some(""), ()), Ok(None));
        assert_eq!(after::<At<i64>>(Some("0_0"), ()), Ok(Some(At::new(DateTime::UNIX_EPOCH, 0))));
        let widest = format!("{}_{}", "9".repeat(16), "9".repeat(18));
        assert!(after::<At<i64>>(Some(&widest), ()).unwrap().is_some(), "every text of the pattern is a position");
        for bad in ["x", "2026-11-22_1", "1_notanumber", "-5_1", "+5_1", "12345678901234567_1", "_1", "1_", "1_2_3"] {
            let e = after::<At<i64>>(Some(bad), ()).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), (AFTER, ErrorCode::InvalidInput), "{bad}");
        }
        assert_eq!(after::<i64>(Some("42"), ()), Ok(Some(42)));
        assert!(after::<i64>(Some("-42"), ()).is_err() && after::<i64>(Some("4 2"), ()).is_err());
        let u = At::new(t, uuid::Uuid::from_u128(0x1234));
        assert_eq!(after::<At<uuid::Uuid>>(Some(&u.encode()), ()), Ok(Some(u)));
        let bare = format!("{}_{}", t.timestamp_micros(), uuid::Uuid::from_u128(7).simple());
        for bad in [bare.as_str(), "1_{00000000-0000-0000-0000-000000000007}", "1_42"] {
            assert!(after::<At<uuid::Uuid>>(Some(bad), ()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_page_keeps_its_limit_and_names_the_next_only_when_there_is_more() {
        let t = at("2026-11-22T10:00:00Z");
        let rows = |n: i64| (0..n).map(|i| At::new(t, 100 - i)).collect::<Vec<_>>();
        let limit = Limit::fixed(3);
        assert_eq!(limit.fetch(), 4);
        let full = Page::cut(rows(4), limit, |r| *r);
        assert_eq!(full.items.len(), 3);
        assert_eq!(full.next, Some(At::new(t, 98).encode()), "the last row kept, not the extra one");
        for n in [0, 1, 3] {
            let last = Page::cut(rows(n), limit, |r| *r);
            assert_eq!((last.items.len() as i64, last.next), (n, None), "{n} rows");
        }
        assert_eq!(Page::cut(rows(4), limit, |r| *r).map(|r| r.id).items, vec![100, 99, 98]);
    }

    #[test]
    fn limits_are_the_callers_within_bounds_or_a_field_error() {
        assert_eq!(Limit::new(None, 100, 500).map(Limit::get), Ok(100));
        assert_eq!(Limit::new(Some(1), 100, 500).map(Limit::get), Ok(1));
        assert_eq!(Limit::new(Some(500), 100, 500).map(Limit::get), Ok(500));
        for bad in [0, -1, 501, i64::MAX] {
            assert_eq!(Limit::new(Some(bad), 100, 500).unwrap_err().field, "limit", "{bad}");
        }
        assert_eq!(Limit::fixed(0).get(), 1);
    }
}
