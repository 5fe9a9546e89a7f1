//! The time a dashboard looks at: named ranges (today, this shift, the last 24 hours, 7 or 30 days) or a custom span,
//! resolved to whole minutes in the plant's zone.

use chrono::{DateTime, Duration, DurationRound, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::super::calendar::{Shift, Span};
use super::time::*;

/// The time a dashboard looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Range {
    /// Today, from the plant's midnight.
    Today,
    /// The shift running now (or the last one, between shifts).
    Shift,
    /// The last 24 hours.
    #[default]
    #[serde(rename = "24h")]
    Hours24,
    #[serde(rename = "7d")]
    Days7,
    #[serde(rename = "30d")]
    Days30,
    /// `from` and `to` as given.
    Custom,
}

crate::codes::text_enum!(Range "range" {
    Today => "today", Shift => "shift", Hours24 => "24h", Days7 => "7d", Days30 => "30d", Custom => "custom",
});

impl Range {
    /// The range a filter's default names: `{"range": "today"}`, or `{"days_back": n}` (1, 7 or 30).
    pub fn from_default(value: &serde_json::Value) -> Range {
        if let Some(r) = value.get("range").and_then(|r| r.as_str()).and_then(Range::parse) {
            return r;
        }
        match value.get("days_back").and_then(serde_json::Value::as_i64) {
            Some(n) if n >= 30 => Range::Days30,
            Some(n) if n >= 7 => Range::Days7,
            _ => Range::Hours24,
        }
    }

    /// The bucket a series over this range reads best in; a custom span's by its length (`span`).
    pub fn natural_bucket(self, span: Duration) -> Bucket {
        match self {
            Range::Shift => Bucket::Minute,
            Range::Today | Range::Hours24 => Bucket::Hour,
            Range::Days7 => Bucket::Shift,
            Range::Days30 => Bucket::Day,
            Range::Custom if span <= Duration::hours(8) => Bucket::Minute,
            Range::Custom if span <= Duration::days(3) => Bucket::Hour,
            Range::Custom if span <= Duration::days(14) => Bucket::Shift,
            Range::Custom => Bucket::Day,
        }
    }
}

/// `[from, to)` of a range at `now` (`custom`: the span given, which must be in order). Whole minutes.
pub fn resolve(
    range: Range,
    custom: Option<(DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
    tz: Tz,
    shifts: &[Shift],
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let minute = Duration::minutes(1);
    let up = |t: DateTime<Utc>| t.duration_trunc(minute).map(|d| if d < t { d + minute } else { d }).unwrap_or(t);
    let down = |t: DateTime<Utc>| t.duration_trunc(minute).unwrap_or(t);
    let hour = |t: DateTime<Utc>| t.duration_trunc(Duration::hours(1)).unwrap_or(t);
    let (from, to) = match range {
        Range::Today => {
            let day = now.with_timezone(&tz).date_naive();
            (local_midnight(tz, day), local_midnight(tz, day + Duration::days(1)))
        }
        Range::Shift => {
            let window = Span::new(now - Duration::days(1), now + minute);
            let mut runs: Vec<Span> = shifts
                .iter()
                .flat_map(|s| s.occurrences(tz, &window))
                .map(|o| o.span)
                .filter(|s| s.start <= now)
                .collect();
            runs.sort_by_key(|s| (s.start, s.end));
            // The one running now, else the last to have ended.
            let run = runs.iter().rev().find(|s| s.end > now).or_else(|| runs.iter().max_by_key(|s| s.end)).copied()?;
            (run.start, run.end)
        }
        Range::Hours24 => (hour(now) - Duration::hours(23), hour(now) + Duration::hours(1)),
        Range::Days7 => (hour(now) - Duration::days(7) + Duration::hours(1), hour(now) + Duration::hours(1)),
        Range::Days30 => {
            let day = now.with_timezone(&tz).date_naive();
            (local_midnight(tz, day - Duration::days(29)), local_midnight(tz, day + Duration::days(1)))
        }
        Range::Custom => {
            let (from, to) = custom?;
            (down(from), up(to))
        }
    };
    (from < to).then_some((from, to))
}
