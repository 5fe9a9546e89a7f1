//! The buckets a series groups time in (minutes, hours, shifts, days in the plant's zone) and the windows of a
//! shift inside a span.

use chrono::{DateTime, Duration, DurationRound, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::super::calendar::{Shift, Span};

/// How a series groups time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Minute,
    #[default]
    Hour,
    Shift,
    Day,
}

crate::codes::text_enum!(Bucket "bucket" { Minute => "minute", Hour => "hour", Shift => "shift", Day => "day" });

/// The most buckets a series has, so that its bars can be read: a finer bucket over a longer span is widened (minutes
/// to hours to days; shifts to days). A shift by the minute fits; 30 days by the hour (720) are read by the day.
pub const MAX_BUCKETS: usize = 500;

/// A bucket of a series: its span and, for a shift bucket, which shift (its index in the shifts given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub span: Span,
    pub shift: Option<usize>,
}

/// The buckets of `kind` covering `[from, to)`, contiguous and in order (days at the plant's midnight; shifts at
/// each run's start and end, the time between runs a bucket of its own), widened while there are more than
/// [`MAX_BUCKETS`]. Returns the bucket kind used.
pub fn slots(kind: Bucket, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz, shifts: &[Shift]) -> (Bucket, Vec<Slot>) {
    let steps = |step: Duration| (to - from).num_milliseconds() / step.num_milliseconds().max(1);
    match kind {
        Bucket::Minute if steps(Duration::minutes(1)) > MAX_BUCKETS as i64 => slots(Bucket::Hour, from, to, tz, shifts),
        Bucket::Hour if steps(Duration::hours(1)) > MAX_BUCKETS as i64 => slots(Bucket::Day, from, to, tz, shifts),
        Bucket::Shift => {
            let out = cut(kind, from, to, tz, shifts);
            if out.len() > MAX_BUCKETS { slots(Bucket::Day, from, to, tz, shifts) } else { (kind, out) }
        }
        _ => (kind, cut(kind, from, to, tz, shifts)),
    }
}

/// The buckets of `kind` covering `[from, to)`, however many.
pub(super) fn cut(kind: Bucket, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz, shifts: &[Shift]) -> Vec<Slot> {
    let window = Span::new(from, to);
    if to <= from {
        return Vec::new();
    }
    match kind {
        Bucket::Minute | Bucket::Hour => {
            let step = if kind == Bucket::Minute { Duration::minutes(1) } else { Duration::hours(1) };
            let mut at = from.duration_trunc(step).unwrap_or(from);
            let mut out = Vec::new();
            while at < to {
                let next = at + step;
                if let Some(span) = Span::new(at, next).overlap(&window) {
                    out.push(Slot { span, shift: None });
                }
                at = next;
            }
            out
        }
        Bucket::Day => {
            let mut day = from.with_timezone(&tz).date_naive();
            let mut out = Vec::new();
            loop {
                let start = local_midnight(tz, day);
                if start >= to {
                    break;
                }
                let end = local_midnight(tz, day + Duration::days(1));
                if let Some(span) = Span::new(start, end).overlap(&window) {
                    out.push(Slot { span, shift: None });
                }
                day += Duration::days(1);
            }
            out
        }
        Bucket::Shift => {
            let mut runs: Vec<(Span, usize)> = shifts
                .iter()
                .enumerate()
                .flat_map(|(i, s)| s.occurrences(tz, &window).into_iter().map(move |o| (o.span, i)))
                .filter_map(|(span, i)| span.overlap(&window).map(|s| (s, i)))
                .collect();
            runs.sort_by_key(|(s, _)| s.start);
            let mut out = Vec::new();
            let mut at = from;
            for (span, i) in runs {
                // Overlapping runs: the later one starts where the earlier ended.
                let start = span.start.max(at);
                if start >= span.end {
                    continue;
                }
                if start > at {
                    out.push(Slot { span: Span::new(at, start), shift: None });
                }
                out.push(Slot { span: Span::new(start, span.end), shift: Some(i) });
                at = span.end;
            }
            if at < to {
                out.push(Slot { span: Span::new(at, to), shift: None });
            }
            out
        }
    }
}

pub(super) fn local_midnight(tz: Tz, day: chrono::NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(local + Duration::hours(1))).earliest())
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

/// Whether units counted per hour fall whole into these buckets (every edge on the hour); else they are read per
/// minute.
pub fn hourly_cells_fit(slots: &[Slot], windows: &[Span]) -> bool {
    let on_hour = |t: &DateTime<Utc>| t.timestamp() % 3600 == 0;
    slots.iter().skip(1).all(|s| on_hour(&s.span.start)) && windows.iter().all(|w| on_hour(&w.start) && on_hour(&w.end))
}

/// The runs of one shift inside `[from, to)`: the windows a shift filter looks at.
pub fn shift_windows(shift: &Shift, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Span> {
    let window = Span::new(from, to);
    shift.occurrences(tz, &window).into_iter().filter_map(|o| o.span.overlap(&window)).collect()
}

/// Time summed over the parts of sorted, disjoint `spans` inside `span`.
pub(super) fn overlap_ms(spans: &[Span], span: &Span) -> i64 {
    let first = spans.partition_point(|s| s.end <= span.start);
    spans[first..].iter().take_while(|s| s.start < span.end).filter_map(|s| s.overlap(span)).map(|s| s.ms()).sum()
}
