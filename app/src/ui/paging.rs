//! Keyset cursors for paginated lists, carried in the URL as `<microseconds since 1970>_<id>`: opaque to the user,
//! stable under inserts, and a bad one is the caller's input error (422), never a 500. Every string matching
//! [`CURSOR_PATTERN`] (with an id of the list's type) is a valid position, so the OpenAPI document can state the format
//! exactly.

use chrono::{DateTime, Utc};
use nexus::codes::ErrorCode;

use crate::error::AppError;

pub fn parse_cursor<T: std::str::FromStr>(c: &Option<String>) -> Result<Option<(DateTime<Utc>, T)>, AppError> {
    let Some(c) = c.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let bad = || AppError::field("after", ErrorCode::InvalidInput).with_status();
    let (at, id) = c.split_once('_').ok_or_else(bad)?;
    if at.is_empty() || at.len() > 16 || !at.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let at = at.parse().ok().and_then(DateTime::from_timestamp_micros).ok_or_else(bad)?;
    Ok(Some((at, id.parse().map_err(|_| bad())?)))
}

/// The cursor format of lists keyed by a numeric id, as the OpenAPI document states it (empty: the first page).
pub const CURSOR_PATTERN: &str = "^([0-9]{1,16}_[0-9]{1,18})?$";

pub fn cursor(at: DateTime<Utc>, id: impl std::fmt::Display) -> String {
    format!("{}_{id}", at.timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bad_ones_are_input_errors() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T10:11:12.123456Z").unwrap().with_timezone(&Utc);
        let c = cursor(at, 42_i64);
        assert_eq!(parse_cursor::<i64>(&Some(c)).unwrap(), Some((at, 42)));
        assert_eq!(parse_cursor::<i64>(&None).unwrap(), None);
        assert_eq!(parse_cursor::<i64>(&Some(String::new())).unwrap(), None);
        assert_eq!(parse_cursor::<i64>(&Some("0_0".into())).unwrap(), Some((DateTime::UNIX_EPOCH, 0)));
        let widest = format!("{}_{}", "9".repeat(16), "9".repeat(18));
        assert!(parse_cursor::<i64>(&Some(widest)).unwrap().is_some(), "every string of the pattern is a position");
        for bad in ["x", "2026-11-22_1", "1_notanumber", "-5_1", "+5_1", "12345678901234567_1", "_1", "1_"] {
            assert_eq!(parse_cursor::<i64>(&Some(bad.into())).unwrap_err().code(), ErrorCode::InvalidInput, "{bad}");
        }
    }
}
