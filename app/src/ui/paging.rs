//! Keyset cursors for paginated lists, carried in the URL as `<timestamp>_<id>`: opaque to the user, stable under
//! inserts, and a bad one is the caller's input error (422), never a 500.

use chrono::{DateTime, Utc};
use nexus::codes::ErrorCode;

use crate::error::AppError;

pub fn parse_cursor<T: std::str::FromStr>(c: &Option<String>) -> Result<Option<(DateTime<Utc>, T)>, AppError> {
    let Some(c) = c.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let bad = || AppError::field("after", ErrorCode::InvalidInput).with_status();
    let (at, id) = c.split_once('_').ok_or_else(bad)?;
    let at = DateTime::parse_from_rfc3339(at).map_err(|_| bad())?.with_timezone(&Utc);
    Ok(Some((at, id.parse().map_err(|_| bad())?)))
}

pub fn cursor(at: DateTime<Utc>, id: impl std::fmt::Display) -> String {
    format!("{}_{id}", at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
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
        for bad in ["x", "2026-11-22_1", "2026-11-22T10:11:12Z_notanumber"] {
            assert_eq!(parse_cursor::<i64>(&Some(bad.into())).unwrap_err().code(), ErrorCode::InvalidInput, "{bad}");
        }
    }
}
