//! Stops entered by people: a stop the sensors missed, added by hand, and a stop split in two (one stop, two causes).
//! What may be entered, and why not: times read in the plant's zone; a stop that has ended, in the past, no longer than
//! a week, within the span a dashboard can look at; never over another stop of its line (a stop's minutes are counted
//! once), which is refused naming that stop; never past the line's last unit the downtime job has looked at (where
//! the sensors' own stop may still be found).

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::codes::{ErrorCode, FieldError};

/// The longest stop entered by hand.
pub const LONGEST: Duration = Duration::days(7);
/// How far back a stop may be entered (a dashboard's longest span).
pub const FURTHEST: Duration = Duration::days(400);

/// Why a stop entered by hand was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum StopProblem {
    /// The line already has a stop over part of that time: it is split or classified instead.
    StopOverlaps { id: i64, start: DateTime<Utc>, end: Option<DateTime<Utc>> },
    /// A stop still going on is split once it has ended (its end is not known yet).
    StopOngoing { id: i64 },
    /// The sensors have not been judged past `until` yet (the line's last unit looked at): a stop reaching past it
    /// may still be found there, and is entered once it has been.
    StopUnjudged { until: DateTime<Utc> },
}

impl crate::codes::Refusal for StopProblem {
    fn status(&self) -> u16 {
        409
    }
}

/// A local date and time as a form sends it (`2026-11-26T10:30`, seconds optional) in the plant's zone; a time the
/// zone skips (a clock moved forward) is no time, one it repeats is its first.
pub fn local_instant(field: &str, raw: &str, tz: Tz) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            FieldError::new(field, if raw.is_empty() { ErrorCode::Required } else { ErrorCode::InvalidInput })
        })?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| FieldError::new(field, ErrorCode::InvalidInput))
}

/// A stop added by hand from `start` to `end`, as of `now`: ended, in the past, at most [`LONGEST`], not before
/// [`FURTHEST`] ago.
pub fn check_added(start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
    let mut e = Vec::new();
    if start < now - FURTHEST {
        e.push(FieldError::new("start", ErrorCode::InvalidInput));
    }
    if end <= start || end > now || end - start > LONGEST {
        e.push(FieldError::new("end", ErrorCode::InvalidInput));
    }
    if e.is_empty() { Ok(()) } else { Err(e) }
}

/// Why a stop cannot be split where asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitRefused {
    /// It is still going on.
    Ongoing(StopProblem),
    /// The time is not strictly inside it.
    Outside(FieldError),
}

/// Where a stop from `start` to `end` (none: going on) may be split: strictly inside it, on the minute or not.
/// Returns its end.
pub fn check_split(
    id: i64,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, SplitRefused> {
    let Some(end) = end else {
        return Err(SplitRefused::Ongoing(StopProblem::StopOngoing { id }));
    };
    if at <= start || at >= end {
        return Err(SplitRefused::Outside(FieldError::new("at", ErrorCode::InvalidInput)));
    }
    Ok(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::Mexico_City;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn local_times_are_read_in_the_plants_zone() {
        assert_eq!(local_instant("start", "2026-11-26T10:30", Mexico_City).unwrap(), at("2026-11-26T16:30:00Z"));
        assert_eq!(local_instant("start", " 2026-11-26T10:30:15 ", Mexico_City).unwrap(), at("2026-11-26T16:30:15Z"));
        assert_eq!(local_instant("end", "", Mexico_City).unwrap_err().code, ErrorCode::Required);
        assert_eq!(
            local_instant("end", "26/11/2026 10:30", Mexico_City).unwrap_err(),
            FieldError::new("end", ErrorCode::InvalidInput)
        );
        // 02:30 on the second Sunday of March does not exist in New York.
        let ny = chrono_tz::America::New_York;
        assert_eq!(local_instant("start", "2026-03-08T02:30", ny).unwrap_err().field, "start");
    }

    #[test]
    fn a_stop_added_by_hand_has_ended_in_the_past_and_is_no_longer_than_a_week() {
        let now = at("2026-11-26T18:00:00Z");
        assert!(check_added(at("2026-11-26T16:00:00Z"), at("2026-11-26T16:20:00Z"), now).is_ok());
        let fields = |r: Result<(), Vec<FieldError>>| r.unwrap_err().into_iter().map(|f| f.field).collect::<Vec<_>>();
        assert_eq!(fields(check_added(at("2026-11-26T16:20:00Z"), at("2026-11-26T16:20:00Z"), now)), ["end"]);
        assert_eq!(fields(check_added(at("2026-11-26T17:50:00Z"), at("2026-11-26T18:10:00Z"), now)), ["end"], "future");
        assert_eq!(
            fields(check_added(at("2026-11-10T16:00:00Z"), at("2026-11-26T16:00:00Z"), now)),
            ["end"],
            "a fortnight"
        );
        assert_eq!(fields(check_added(at("2024-01-01T00:00:00Z"), at("2024-01-01T01:00:00Z"), now)), ["start"]);
    }

    #[test]
    fn a_stop_is_split_strictly_inside_once_it_has_ended() {
        let (s, e) = (at("2026-11-26T16:00:00Z"), at("2026-11-26T16:40:00Z"));
        assert_eq!(check_split(7, s, Some(e), at("2026-11-26T16:25:00Z")), Ok(e));
        for bad in [s, e, at("2026-11-26T15:00:00Z")] {
            assert!(matches!(check_split(7, s, Some(e), bad), Err(SplitRefused::Outside(f)) if f.field == "at"));
        }
        let ongoing = check_split(7, s, None, at("2026-11-26T16:25:00Z"));
        assert_eq!(ongoing, Err(SplitRefused::Ongoing(StopProblem::StopOngoing { id: 7 })));
        use crate::codes::Refusal;
        assert_eq!(StopProblem::StopOngoing { id: 7 }.rejection().problem["problem"], "stop_ongoing");
        assert_eq!(StopProblem::StopOngoing { id: 7 }.status(), 409);
    }
}
