//! What a dashboard shows, from the one OEE calculation ([`super::oee`]): the figures of a span (a date range, or one
//! shift's runs inside it) for the lines and products asked for, per line, per product and per bucket of time.
//!
//! Everything is [`Totals`] added up, and ratios computed once at the end, so a line's figure is its buckets' sum,
//! the plant's is its lines' sum, and no percentage is ever averaged. Time is planned time from the shift calendar
//! (up to now), less stops given a planned reason; unplanned downtime is where stops meet planned time.
//!
//! Per product: a line's planned time and downtime are shared among the products it made at a fixed grain, the clock
//! hour, whatever the buckets shown (minutes, hours, shifts, days): each hour by the minutes each product made units
//! in (a product made in 45 of an hour's 60 active minutes gets three quarters of that hour's time), an hour in which
//! the line made nothing (stopped, idle) as the last hour before it that made something (the first, for hours before
//! any unit). So a product's figures are the same in every bucket, and the products of a line add up to the line
//! whenever it made anything in the span (a line that made nothing gives its time to no product). Buckets cut inside
//! an hour (minutes, a shift from 05:30) get each product's share of the hour in proportion to their time in it.
//!
//! The Pareto ([`pareto`]) measures the same minutes: a stop's overlap with planned time inside the windows, up to
//! now. Stops with an unplanned reason (or none yet) are downtime, and their rows add up to the downtime figure;
//! stops given a planned reason show too, marked planned, with the time they took out of planned time.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, DurationRound, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::calendar::{Shift, Span, planned_spans};
use super::kinds::{FilterKey, Template, WidgetKind};
use super::oee::{Oee, Totals};

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

/// The most buckets a series has: a finer bucket over a longer span is widened (minutes to hours to days).
pub const MAX_BUCKETS: usize = 1_500;

/// Units one line's output counted for one product in one step of time (a minute, or an hour of minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputCell {
    pub line: i32,
    pub product: i32,
    /// The step's start.
    pub at: DateTime<Utc>,
    pub total: i64,
    pub good: i64,
    pub ideal_ms: i64,
    /// Minutes in the step in which the product made units.
    pub minutes: i64,
}

/// A stop touching the span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopCell {
    pub id: i64,
    pub line: i32,
    pub start: DateTime<Utc>,
    /// None: still going on.
    pub end: Option<DateTime<Utc>>,
    /// Its reason is a planned one (the time leaves planned time instead of counting as downtime).
    pub planned: bool,
    pub reason: Option<i32>,
}

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
    let window = Span::new(from, to);
    if to <= from {
        return (kind, Vec::new());
    }
    let steps = |step: Duration| (to - from).num_milliseconds() / step.num_milliseconds().max(1);
    match kind {
        Bucket::Minute if steps(Duration::minutes(1)) > MAX_BUCKETS as i64 => slots(Bucket::Hour, from, to, tz, shifts),
        Bucket::Hour if steps(Duration::hours(1)) > MAX_BUCKETS as i64 => slots(Bucket::Day, from, to, tz, shifts),
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
            (kind, out)
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
            (kind, out)
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
            if out.len() > MAX_BUCKETS {
                return slots(Bucket::Day, from, to, tz, shifts);
            }
            (kind, out)
        }
    }
}

fn local_midnight(tz: Tz, day: chrono::NaiveDate) -> DateTime<Utc> {
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
fn overlap_ms(spans: &[Span], span: &Span) -> i64 {
    let first = spans.partition_point(|s| s.end <= span.start);
    spans[first..].iter().take_while(|s| s.start < span.end).filter_map(|s| s.overlap(span)).map(|s| s.ms()).sum()
}

/// What the dashboard's figures are computed from.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// Every shift of the plant (planned time is their union).
    pub shifts: &'a [Shift],
    pub tz: Tz,
    /// The time looked at: the date range, or one shift's runs inside it (sorted, disjoint).
    pub windows: &'a [Span],
    pub now: DateTime<Utc>,
    /// The lines counted.
    pub lines: &'a [i32],
    pub slots: &'a [Slot],
    pub stops: &'a [StopCell],
    /// Units at the lines' outputs inside the windows.
    pub output: &'a [OutputCell],
    /// Only this product's share.
    pub product: Option<i32>,
}

/// The figures of a span.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub total: Totals,
    pub lines: BTreeMap<i32, Totals>,
    pub products: BTreeMap<i32, Totals>,
    /// One per slot, in order.
    pub slots: Vec<Totals>,
}

/// Planned time inside the windows and up to now (time not yet come is not planned yet), sorted and disjoint: what
/// the figures and the Pareto both measure stops against.
fn planned_time(input: &Inputs) -> Vec<Span> {
    let mut planned: Vec<Span> = input
        .windows
        .iter()
        .filter_map(|w| Span::new(w.start, w.end.min(input.now)).overlap(w))
        .flat_map(|w| planned_spans(input.shifts, input.tz, &w))
        .collect();
    planned.sort_by_key(|s| s.start);
    planned
}

/// The grain products share a line's time at, whatever the buckets: the clock hour (UTC), the finest the units are
/// always read at.
fn grain(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::hours(1)).unwrap_or(t)
}

/// `whole` shared in proportion to `weights` (which add up to `of`), the parts adding up to `whole` exactly: each
/// part is the step of the rounded-down running share (no part is off by more than a millisecond).
fn apportion(whole: i64, weights: impl IntoIterator<Item = i64>, of: i64) -> Vec<i64> {
    let (mut running, mut before) = (0i128, 0i128);
    weights
        .into_iter()
        .map(|w| {
            if of == 0 {
                return 0;
            }
            running += i128::from(w);
            let now = (i128::from(whole) * running).div_euclid(i128::from(of));
            let part = now - before;
            before = now;
            i64::try_from(part).unwrap_or(0)
        })
        .collect()
}

/// A slot cut at the grain's edges: the smallest span the calculation adds up.
#[derive(Debug, Clone, Copy)]
struct Piece {
    span: Span,
    slot: usize,
    /// Index into the grain's steps.
    step: usize,
}

/// Adds everything up (see the module's doc).
pub fn figures(input: &Inputs) -> Figures {
    let slots = input.slots;
    let n = slots.len();
    let planned = planned_time(input);
    // The slots cut at each hour, and the hours they touch.
    let mut pieces: Vec<Piece> = Vec::new();
    let mut steps: Vec<DateTime<Utc>> = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        let mut at = slot.span.start;
        while at < slot.span.end {
            let step = grain(at);
            let end = (step + Duration::hours(1)).min(slot.span.end);
            if steps.last() != Some(&step) {
                steps.push(step);
            }
            pieces.push(Piece { span: Span::new(at, end), slot: i, step: steps.len() - 1 });
            at = end;
        }
    }
    let piece_planned: Vec<i64> = pieces.iter().map(|p| overlap_ms(&planned, &p.span)).collect();
    let slot_of = |t: DateTime<Utc>| -> Option<usize> {
        // An hour's units read whole from a span starting inside it belong to its first slot.
        let t = slots.first().map_or(t, |s| t.max(s.span.start));
        let i = slots.partition_point(|s| s.span.end <= t);
        (i < n && slots[i].span.start <= t).then_some(i)
    };
    let step_of = |t: DateTime<Utc>| steps.binary_search(&grain(t)).ok();

    let mut out = Figures { slots: vec![Totals::default(); n], ..Figures::default() };
    for &line in input.lines {
        // This line's time per piece.
        let mut time: Vec<Totals> =
            piece_planned.iter().map(|&p| Totals { planned_ms: p, ..Totals::default() }).collect();
        for stop in input.stops.iter().filter(|s| s.line == line) {
            let span = Span::new(stop.start, stop.end.unwrap_or(input.now).min(input.now));
            let first = pieces.partition_point(|p| p.span.end <= span.start);
            for (k, piece) in pieces.iter().enumerate().skip(first).take_while(|(_, p)| p.span.start < span.end) {
                let Some(inside) = span.overlap(&piece.span) else { continue };
                let lost = overlap_ms(&planned, &inside);
                if stop.planned {
                    time[k].planned_ms -= lost;
                } else {
                    time[k].downtime_ms += lost;
                }
            }
        }
        // Its units per slot and product, and the minutes each product made units in per hour.
        let mut units: Vec<BTreeMap<i32, Totals>> = vec![BTreeMap::new(); n];
        let mut mix: Vec<BTreeMap<i32, i64>> = vec![BTreeMap::new(); steps.len()];
        for c in input.output.iter().filter(|c| c.line == line) {
            let (Some(i), Some(h)) = (slot_of(c.at), step_of(c.at)) else { continue };
            *units[i].entry(c.product).or_default() +=
                Totals { total: c.total, good: c.good, ideal_ms: c.ideal_ms, ..Totals::default() };
            *mix[h].entry(c.product).or_default() += c.minutes;
        }
        // An hour in which the line made nothing (stopped, idle) shares its time as the last hour that made
        // something did; hours before the first unit, as the first.
        let mut source: Vec<Option<usize>> = vec![None; steps.len()];
        let mut last = mix.iter().position(|m| !m.is_empty());
        for (h, m) in mix.iter().enumerate() {
            if !m.is_empty() {
                last = Some(h);
            }
            source[h] = last;
        }
        // Each product's share of each piece's time: per hour by its minutes there, then that hour's share spread
        // over the hour's pieces by their time (both exact: an hour's pieces add up to its share).
        let mut shares: Vec<BTreeMap<i32, Totals>> = vec![BTreeMap::new(); pieces.len()];
        let mut k = 0;
        while k < pieces.len() {
            let h = pieces[k].step;
            let end = k + pieces[k..].iter().take_while(|p| p.step == h).count();
            if let Some(m) = source[h].map(|s| &mix[s]) {
                let hour: &[Totals] = &time[k..end];
                let all_minutes: i64 = m.values().sum();
                let planned_ms: i64 = hour.iter().map(|t| t.planned_ms).sum();
                let downtime_ms: i64 = hour.iter().map(|t| t.downtime_ms).sum();
                let p_parts = apportion(planned_ms, m.values().copied(), all_minutes);
                let d_parts = apportion(downtime_ms, m.values().copied(), all_minutes);
                for ((&product, p), d) in m.keys().zip(p_parts).zip(d_parts) {
                    let p_pieces = apportion(p, hour.iter().map(|t| t.planned_ms), planned_ms);
                    let d_pieces = apportion(d, hour.iter().map(|t| t.downtime_ms), downtime_ms);
                    for (j, (pp, dd)) in p_pieces.into_iter().zip(d_pieces).enumerate() {
                        shares[k + j].insert(product, Totals { planned_ms: pp, downtime_ms: dd, ..Totals::default() });
                    }
                }
            }
            k = end;
        }
        let mut line_total = Totals::default();
        for (k, piece) in pieces.iter().enumerate() {
            let chosen = match input.product {
                Some(p) => shares[k].get(&p).copied().unwrap_or_default(),
                None => time[k],
            };
            for (&p, &t) in &shares[k] {
                if input.product.is_none_or(|only| only == p) {
                    *out.products.entry(p).or_default() += t;
                }
            }
            out.slots[piece.slot] += chosen;
            line_total += chosen;
        }
        for (i, u) in units.iter().enumerate() {
            let chosen = match input.product {
                Some(p) => u.get(&p).copied().unwrap_or_default(),
                None => u.values().copied().sum::<Totals>(),
            };
            for (&p, &t) in u {
                if input.product.is_none_or(|only| only == p) {
                    *out.products.entry(p).or_default() += t;
                }
            }
            out.slots[i] += chosen;
            line_total += chosen;
        }
        out.lines.insert(line, line_total);
        out.total += line_total;
    }
    out
}

/// A dashboard's figure with its ratios.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub totals: Totals,
    pub oee: Oee,
}

impl From<Totals> for Figure {
    fn from(totals: Totals) -> Self {
        Figure { totals, oee: totals.oee() }
    }
}

/// One point of the production-over-time series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// A shift bucket's shift name.
    pub shift: Option<String>,
    pub figure: Figure,
}

/// A line's row (line comparison).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub target: f64,
    pub figure: Figure,
}

/// A product's row (product distribution).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub figure: Figure,
}

/// A stop as the downtime table lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopRow {
    pub id: i64,
    pub line_id: i32,
    pub line: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    /// Its length inside the span looked at (up to now when still going on).
    pub ms: i64,
    /// Of that, its minutes in planned time: what the downtime figure and the Pareto count of it.
    pub planned_ms: i64,
    pub reason: Option<i32>,
    pub note: Option<String>,
}

/// What a Pareto of stops groups them by (the `downtime_pareto` widget's `by`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParetoBy {
    #[default]
    Reason,
    Line,
}

crate::codes::text_enum!(ParetoBy "Pareto grouping" { Reason => "reason", Line => "line" });

/// Stops of one reason or of one line, for the Pareto.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParetoRow {
    /// By reason: the reason (none: not yet classified); by line: none.
    pub reason: Option<i32>,
    /// By line: the line; by reason: none.
    pub line: Option<i32>,
    /// Stops given a planned reason: their time left planned time, it is not downtime.
    pub planned: bool,
    /// Planned time the stops took (see the module's doc).
    pub ms: i64,
    pub stops: i64,
}

/// Each stop's minutes inside planned time in the span (up to now), by id: what the downtime figure counts of it
/// (a stop with a planned reason: the time it took out of planned time), as the Pareto does.
pub fn stops_planned_ms(input: &Inputs) -> HashMap<i64, i64> {
    let planned = planned_time(input);
    input
        .stops
        .iter()
        .map(|s| (s.id, overlap_ms(&planned, &Span::new(s.start, s.end.unwrap_or(input.now).min(input.now)))))
        .collect()
}

/// The stops of the lines asked for, per reason or per line, measured as the downtime figure measures them (their
/// overlap with planned time inside the windows, up to now; stops that took none are left out): downtime first,
/// longest first, then the stops given a planned reason, marked planned, longest first. The downtime rows add up to
/// the downtime of the lines' figures (before any product filter shares it).
pub fn pareto(input: &Inputs, by: ParetoBy) -> Vec<ParetoRow> {
    let planned = planned_time(input);
    // (planned, reason, line) → (ms, stops).
    type Key = (bool, Option<i32>, Option<i32>);
    let mut rows: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
    for s in input.stops.iter().filter(|s| input.lines.contains(&s.line)) {
        let span = Span::new(s.start, s.end.unwrap_or(input.now).min(input.now));
        let ms = overlap_ms(&planned, &span);
        if ms <= 0 {
            continue;
        }
        let key = match by {
            ParetoBy::Reason => (s.planned, s.reason, None),
            ParetoBy::Line => (s.planned, None, Some(s.line)),
        };
        let e = rows.entry(key).or_default();
        e.0 += ms;
        e.1 += 1;
    }
    let mut rows: Vec<ParetoRow> = rows
        .into_iter()
        .map(|((planned, reason, line), (ms, stops))| ParetoRow { reason, line, planned, ms, stops })
        .collect();
    rows.sort_by(|a, b| {
        a.planned.cmp(&b.planned).then(b.ms.cmp(&a.ms)).then(a.reason.cmp(&b.reason)).then(a.line.cmp(&b.line))
    });
    rows
}

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

    /// The bucket a series over this range reads best in.
    pub fn natural_bucket(self) -> Bucket {
        match self {
            Range::Shift => Bucket::Minute,
            Range::Today | Range::Hours24 | Range::Custom => Bucket::Hour,
            Range::Days7 => Bucket::Shift,
            Range::Days30 => Bucket::Day,
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

/// A line the dashboard can show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineRef {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub target: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRef {
    pub id: i32,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftRef {
    pub id: i32,
    pub name: String,
    /// "06:00–14:00".
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonRef {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub planned: bool,
    /// `#rrggbb`.
    pub colour: String,
    /// Retired reasons still name old stops but are not offered.
    pub active: bool,
}

/// A filter the tenant's dashboard offers (seed 001's FILTER).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterDef {
    pub key: FilterKey,
    pub required: bool,
    pub default_value: serde_json::Value,
    pub options: serde_json::Value,
}

/// A widget placed on a dashboard (a 12-column grid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Widget {
    pub kind: WidgetKind,
    #[serde(default)]
    pub x: u8,
    #[serde(default)]
    pub y: u8,
    #[serde(default = "twelve")]
    pub w: u8,
    #[serde(default = "two")]
    pub h: u8,
    #[serde(default)]
    pub params: serde_json::Value,
}

fn twelve() -> u8 {
    12
}

fn two() -> u8 {
    2
}

/// What a person's dashboard is made of: the plant's lines, products, shifts and reasons, the filters offered, the
/// widgets of their role's template, and the lines whose stops they may classify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    /// The plant's time zone: every time on the dashboard is read in it.
    pub time_zone: Tz,
    pub lines: Vec<LineRef>,
    pub products: Vec<ProductRef>,
    pub shifts: Vec<ShiftRef>,
    pub reasons: Vec<ReasonRef>,
    pub filters: Vec<FilterDef>,
    /// The role template these widgets are.
    pub template: Template,
    pub widgets: Vec<Widget>,
    pub classify_lines: Vec<i32>,
}

/// What a dashboard asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Query {
    #[serde(default)]
    pub range: Range,
    /// A custom range's span.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub line: Option<i32>,
    pub product: Option<i32>,
    pub shift: Option<i32>,
    /// The series' bucket (by default, the range's natural one).
    pub bucket: Option<Bucket>,
}

/// The figures a dashboard shows for a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// When it was computed.
    pub at: DateTime<Utc>,
    pub bucket: Bucket,
    pub total: Figure,
    pub series: Vec<Point>,
    pub lines: Vec<LineRow>,
    pub products: Vec<ProductRow>,
    /// Stops, latest first (at most [`STOPS_SHOWN`]).
    pub stops: Vec<StopRow>,
    /// Stops in the span in all (the table may show fewer).
    pub stop_count: usize,
    /// Stops per reason ([`pareto`] by [`ParetoBy::Reason`]).
    pub pareto: Vec<ParetoRow>,
    /// Stops per line ([`pareto`] by [`ParetoBy::Line`]).
    pub pareto_lines: Vec<ParetoRow>,
}

/// The most stops a view lists.
pub const STOPS_SHOWN: usize = 200;

/// A minute behind a figure (the drill-down).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteRow {
    pub minute: DateTime<Utc>,
    pub line: String,
    pub product: String,
    pub total: i64,
    pub good: i64,
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use chrono_tz::America::Mexico_City;
    use proptest::prelude::*;

    use super::super::calendar::Stop;
    use super::*;

    const MIN: i64 = 60_000;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn local(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Mexico_City
            .from_local_datetime(&NaiveDate::from_ymd_opt(2026, 11, d).unwrap().and_time(t(h, m)))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn shifts() -> Vec<Shift> {
        vec![
            Shift {
                days: 0b111_1111,
                start: t(6, 0),
                end: t(14, 0),
                stops: vec![Stop { start: t(10, 0), end: t(10, 30) }],
            },
            Shift { days: 0b111_1111, start: t(22, 0), end: t(6, 0), stops: vec![] },
        ]
    }

    fn cell(line: i32, product: i32, at: DateTime<Utc>, total: i64, minutes: i64) -> OutputCell {
        OutputCell { line, product, at, total, good: total - 1, ideal_ms: total * 1000, minutes }
    }

    #[test]
    fn slots_cover_the_span_in_order() {
        let (from, to) = (local(10, 5, 30), local(11, 7, 0));
        for kind in [Bucket::Minute, Bucket::Hour, Bucket::Shift, Bucket::Day] {
            let (_, s) = slots(kind, from, to, Mexico_City, &shifts());
            assert_eq!(s.first().unwrap().span.start, from, "{kind:?}");
            assert_eq!(s.last().unwrap().span.end, to, "{kind:?}");
            assert!(s.windows(2).all(|w| w[0].span.end == w[1].span.start), "{kind:?} contiguous");
        }
        let (_, days) = slots(Bucket::Day, from, to, Mexico_City, &shifts());
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].span.start, local(11, 0, 0), "a day starts at the plant's midnight");
        let (_, runs) = slots(Bucket::Shift, from, to, Mexico_City, &shifts());
        let named: Vec<Option<usize>> = runs.iter().map(|s| s.shift).collect();
        // 05:30–06:00 the night's end, morning, gap, night, morning of the 11th up to 07:00.
        assert_eq!(named, vec![Some(1), Some(0), None, Some(1), Some(0)]);
        // A year of minutes is widened to days.
        let (kind, wide) = slots(Bucket::Minute, from, from + Duration::days(365), Mexico_City, &shifts());
        assert_eq!(kind, Bucket::Day);
        assert!(wide.len() <= MAX_BUCKETS);
    }

    #[test]
    fn a_morning_with_a_stop_a_break_and_two_products() {
        // The morning shift of the 10th, looked at after it ended: 480 min less a 30 min break = 450 planned.
        let (from, to) = (local(10, 6, 0), local(10, 14, 0));
        let windows = [Span::new(from, to)];
        let (_, slots) = slots(Bucket::Hour, from, to, Mexico_City, &shifts());
        // A stop of 40 min from 09:50 to 10:30: only 10 min of it are planned time (the break follows).
        let stops = [StopCell {
            id: 1,
            line: 1,
            start: local(10, 9, 50),
            end: Some(local(10, 10, 30)),
            planned: false,
            reason: None,
        }];
        let output = [
            cell(1, 7, local(10, 6, 0), 3000, 60),
            cell(1, 8, local(10, 7, 0), 1000, 20),
            cell(1, 7, local(10, 7, 0), 2000, 40),
        ];
        let input = Inputs {
            shifts: &shifts(),
            tz: Mexico_City,
            windows: &windows,
            now: local(12, 0, 0),
            lines: &[1, 2],
            slots: &slots,
            stops: &stops,
            output: &output,
            product: None,
        };
        let f = figures(&input);
        assert_eq!(f.lines[&1].planned_ms, 450 * MIN);
        assert_eq!(f.lines[&1].downtime_ms, 10 * MIN);
        assert_eq!(f.lines[&1].total, 6000);
        // A line that made nothing still had its planned time (and OEE 0).
        assert_eq!(f.lines[&2].planned_ms, 450 * MIN);
        assert_eq!(f.lines[&2].oee().oee, Some(0.0));
        // Parts add to the whole: lines, and slots.
        assert_eq!(f.lines.values().copied().sum::<Totals>(), f.total);
        assert_eq!(f.slots.iter().copied().sum::<Totals>(), f.total);
        // The 07:00 hour's time goes 1/3 to product 8 (20 of its 60 active minutes), and so does the time of the
        // hours after it in which the line made nothing (330 planned minutes, 10 of them down).
        assert_eq!(f.products[&8].planned_ms, (20 + 110) * MIN);
        assert_eq!(f.products[&8].downtime_ms, 10 * MIN / 3);
        assert_eq!(f.products[&8].total, 1000);
        // Products add up to the line that made them.
        let products: Totals = f.products.values().copied().sum();
        assert_eq!((products.planned_ms, products.downtime_ms), (450 * MIN, 10 * MIN));
        // Only product 8: its share, its units.
        let only = figures(&Inputs { product: Some(8), ..input.clone() });
        assert_eq!(only.total, f.products[&8]);
        assert_eq!(only.products.len(), 1);
    }

    /// Minute cells added up per hour, as the store reads them for buckets on the hour.
    fn hourly(cells: &[OutputCell]) -> Vec<OutputCell> {
        let mut by: BTreeMap<(i32, i32, DateTime<Utc>), OutputCell> = BTreeMap::new();
        for c in cells {
            let at = c.at.duration_trunc(Duration::hours(1)).unwrap();
            let e = by.entry((c.line, c.product, at)).or_insert(OutputCell {
                at,
                total: 0,
                good: 0,
                ideal_ms: 0,
                minutes: 0,
                ..*c
            });
            e.total += c.total;
            e.good += c.good;
            e.ideal_ms += c.ideal_ms;
            e.minutes += c.minutes;
        }
        by.into_values().collect()
    }

    #[test]
    fn products_get_the_same_time_whatever_the_bucket() {
        // Shifts changing at half past: 06:00–14:30 with a break 10:00–10:30, 14:30–22:00 with one 18:15–18:45.
        let shifts = vec![
            Shift {
                days: 0b111_1111,
                start: t(6, 0),
                end: t(14, 30),
                stops: vec![Stop { start: t(10, 0), end: t(10, 30) }],
            },
            Shift {
                days: 0b111_1111,
                start: t(14, 30),
                end: t(22, 0),
                stops: vec![Stop { start: t(18, 15), end: t(18, 45) }],
            },
        ];
        // A day from 05:30 (every bucket's first one cut inside an hour), looked at once it is over.
        let (from, to) = (local(10, 5, 30), local(11, 5, 30));
        let minutes = |line, product, a: DateTime<Utc>, b: DateTime<Utc>| -> Vec<OutputCell> {
            (0..(b - a).num_minutes()).map(|m| cell(line, product, a + Duration::minutes(m), 10, 1)).collect()
        };
        // Line 1: product 7, then 8 from 09:20, idle 11:45–13:00 (a stop), 7 again, 9 beside 7 from 16:10 to 17:00,
        // then nothing (a stop still open). Line 2: product 9 for an hour, then a changeover given a planned reason
        // and nothing more. Line 3: nothing at all.
        let output: Vec<OutputCell> = [
            minutes(1, 7, from, local(10, 9, 20)),
            minutes(1, 8, local(10, 9, 20), local(10, 11, 45)),
            minutes(1, 7, local(10, 13, 0), local(10, 17, 0)),
            minutes(1, 9, local(10, 16, 10), local(10, 17, 0)),
            minutes(2, 9, local(10, 6, 0), local(10, 7, 0)),
        ]
        .concat();
        let stop = |id, line, start, end, planned| StopCell { id, line, start, end, planned, reason: None };
        let stops = [
            stop(1, 1, local(10, 11, 45), Some(local(10, 13, 0)), false),
            stop(2, 1, local(10, 17, 0), None, false),
            stop(3, 2, local(10, 7, 0), Some(local(10, 7, 50)), true),
            stop(4, 2, local(10, 7, 50), None, false),
        ];
        let windows = [Span::new(from, to)];
        let run = |kind: Bucket, output: &[OutputCell], product: Option<i32>| {
            let (used, slots) = slots(kind, from, to, Mexico_City, &shifts);
            assert_eq!(used, kind);
            figures(&Inputs {
                shifts: &shifts,
                tz: Mexico_City,
                windows: &windows,
                now: to,
                lines: &[1, 2, 3],
                slots: &slots,
                stops: &stops,
                output,
                product,
            })
        };
        let by_hour = hourly(&output);
        let want = run(Bucket::Hour, &by_hour, None);
        // Products add up to the lines that made something; line 3 gives its time to none.
        let products: Totals = want.products.values().copied().sum();
        let made = want.lines[&1] + want.lines[&2];
        assert_eq!(
            (products.planned_ms, products.downtime_ms, products.total),
            (made.planned_ms, made.downtime_ms, made.total)
        );
        assert!(want.lines[&3].planned_ms > 0);
        for (kind, cells) in [
            (Bucket::Minute, &output),
            (Bucket::Hour, &output),
            (Bucket::Shift, &output),
            (Bucket::Shift, &by_hour),
            (Bucket::Day, &output),
            (Bucket::Day, &by_hour),
        ] {
            let f = run(kind, cells, None);
            assert_eq!(f.products, want.products, "{kind:?}, {} cells", cells.len());
            assert_eq!(f.lines, want.lines, "{kind:?}");
            for p in [7, 8, 9] {
                // One product's view: its buckets add up to its row.
                let only = run(kind, cells, Some(p));
                assert_eq!(only.total, want.products[&p], "{kind:?} product {p}");
                assert_eq!(only.slots.iter().copied().sum::<Totals>(), only.total, "{kind:?} product {p}");
            }
        }
    }

    #[test]
    fn planned_reasons_leave_planned_time_and_time_to_come_is_not_planned() {
        let (from, to) = (local(10, 6, 0), local(10, 14, 0));
        let (_, slots) = slots(Bucket::Hour, from, to, Mexico_City, &shifts());
        let stops = [StopCell {
            id: 1,
            line: 1,
            start: local(10, 6, 0),
            end: Some(local(10, 7, 0)),
            planned: true,
            reason: Some(3),
        }];
        let input = Inputs {
            shifts: &shifts(),
            tz: Mexico_City,
            windows: &[Span::new(from, to)],
            now: local(10, 8, 0),
            lines: &[1],
            slots: &slots,
            stops: &stops,
            output: &[],
            product: None,
        };
        let f = figures(&input);
        // Two hours have come; the first was a planned changeover.
        assert_eq!(f.total.planned_ms, 60 * MIN);
        assert_eq!(f.total.downtime_ms, 0);
    }

    #[test]
    fn a_shift_filter_looks_at_its_runs_only() {
        let (from, to) = (local(10, 0, 0), local(12, 0, 0));
        let night = &shifts()[1];
        let windows = shift_windows(night, Mexico_City, from, to);
        // The night from the 9th (to 06:00 on the 10th), the 10th's, and the 11th's up to midnight.
        assert_eq!(windows.len(), 3);
        assert_eq!(windows[0], Span::new(from, local(10, 6, 0)));
        assert_eq!(windows[2], Span::new(local(11, 22, 0), to));
        let (_, slots) = slots(Bucket::Day, from, to, Mexico_City, &shifts());
        assert!(hourly_cells_fit(&slots, &windows));
        let input = Inputs {
            shifts: &shifts(),
            tz: Mexico_City,
            windows: &windows,
            now: to,
            lines: &[1],
            slots: &slots,
            stops: &[],
            output: &[],
            product: None,
        };
        assert_eq!(figures(&input).total.planned_ms, (6 + 8 + 2) * 60 * MIN);
    }

    #[test]
    fn the_pareto_measures_the_downtime_figures_minutes() {
        let (from, to) = (local(10, 6, 0), local(10, 14, 0));
        let windows = [Span::new(from, to)];
        let (_, slots) = slots(Bucket::Hour, from, to, Mexico_City, &shifts());
        let stop = |id, line, start: DateTime<Utc>, min: i64, reason, planned| StopCell {
            id,
            line,
            start,
            end: Some(start + Duration::minutes(min)),
            planned,
            reason,
        };
        let stops = [
            stop(1, 1, local(10, 7, 0), 10, Some(1), false),
            stop(2, 1, local(10, 8, 0), 30, None, false),
            stop(3, 2, local(10, 13, 50), 30, Some(1), false), // 10 min inside the window
            stop(4, 1, local(10, 15, 0), 30, Some(2), false),  // outside it
            stop(5, 2, local(10, 9, 50), 40, None, false),     // 10 min, then the break
            stop(6, 1, local(10, 11, 0), 45, Some(3), true),   // a changeover: planned
            stop(7, 2, local(10, 10, 5), 20, Some(2), false),  // inside the break: no planned time lost
            stop(8, 3, local(10, 7, 0), 30, Some(2), false),   // a line not asked for
        ];
        let input = Inputs {
            shifts: &shifts(),
            tz: Mexico_City,
            windows: &windows,
            now: local(11, 0, 0),
            lines: &[1, 2],
            slots: &slots,
            stops: &stops,
            output: &[],
            product: None,
        };
        let row = |reason, line, planned, min: i64, stops| ParetoRow { reason, line, planned, ms: min * MIN, stops };
        let by_reason = pareto(&input, ParetoBy::Reason);
        assert_eq!(
            by_reason,
            [row(None, None, false, 40, 2), row(Some(1), None, false, 20, 2), row(Some(3), None, true, 45, 1)],
            "downtime longest first, then the planned stops"
        );
        let by_line = pareto(&input, ParetoBy::Line);
        assert_eq!(
            by_line,
            [row(None, Some(1), false, 40, 2), row(None, Some(2), false, 20, 2), row(None, Some(1), true, 45, 1)]
        );
        // The downtime rows are the downtime figure, per line too; the planned rows what left planned time.
        let f = figures(&input);
        for rows in [&by_reason, &by_line] {
            assert_eq!(rows.iter().filter(|r| !r.planned).map(|r| r.ms).sum::<i64>(), f.total.downtime_ms);
        }
        for r in by_line.iter().filter(|r| !r.planned) {
            assert_eq!(r.ms, f.lines[&r.line.unwrap()].downtime_ms);
        }
        assert_eq!(f.lines[&1].planned_ms, (450 - 45) * MIN);
        // A stop still going on counts up to now only, as the figure does.
        let open = [StopCell { end: None, ..stop(9, 1, local(10, 12, 0), 0, None, false) }];
        let now = local(10, 12, 20);
        let rows = pareto(&Inputs { stops: &open, now, ..input.clone() }, ParetoBy::Reason);
        assert_eq!(rows, [row(None, None, false, 20, 1)]);
        assert_eq!(figures(&Inputs { stops: &open, now, ..input.clone() }).total.downtime_ms, 20 * MIN);
    }

    proptest! {
        /// However units and stops fall, lines and slots add up to the whole, the products of a line that made
        /// something add up to it, and each product's figures are the same in every bucket.
        #[test]
        fn parts_add_up_to_the_whole(
            cells in proptest::collection::vec((1i32..4, 1i32..4, 0i64..(24 * 60), 1i64..500), 0..60),
            stops in proptest::collection::vec((1i32..4, 0i64..(24 * 60), 1i64..300, any::<bool>()), 0..8),
        ) {
            let from = local(10, 0, 0);
            let to = local(11, 0, 0);
            let output: Vec<OutputCell> = cells
                .iter()
                .map(|&(line, product, m, total)| cell(line, product, from + Duration::minutes(m), total, 1))
                .collect();
            let by_hour = hourly(&output);
            let stops: Vec<StopCell> = stops
                .iter()
                .enumerate()
                .map(|(i, &(line, m, len, planned))| StopCell {
                    id: i as i64,
                    line,
                    start: from + Duration::minutes(m),
                    end: Some(from + Duration::minutes(m + len)),
                    planned,
                    reason: None,
                })
                .collect();
            let run = |kind: Bucket, output: &[OutputCell]| {
                let (_, slots) = slots(kind, from, to, Mexico_City, &shifts());
                figures(&Inputs {
                    shifts: &shifts(),
                    tz: Mexico_City,
                    windows: &[Span::new(from, to)],
                    now: to,
                    lines: &[1, 2, 3],
                    slots: &slots,
                    stops: &stops,
                    output,
                    product: None,
                })
            };
            let f = run(Bucket::Hour, &by_hour);
            prop_assert_eq!(f.lines.values().copied().sum::<Totals>(), f.total);
            prop_assert_eq!(f.slots.iter().copied().sum::<Totals>(), f.total);
            let products: Totals = f.products.values().copied().sum();
            let made: Totals = f.lines.iter().filter(|(l, _)| output.iter().any(|c| c.line == **l)).map(|(_, t)| *t).sum();
            prop_assert_eq!(products, made);
            for (kind, cells) in [(Bucket::Minute, &output), (Bucket::Shift, &by_hour), (Bucket::Day, &output)] {
                let other = run(kind, cells);
                prop_assert_eq!(&other.products, &f.products, "{:?}", kind);
                prop_assert_eq!(other.slots.iter().copied().sum::<Totals>(), f.total, "{:?}", kind);
            }
            let o = f.total.oee();
            prop_assert!(o.availability.is_none_or(|a| (0.0..=1.0).contains(&a)));
            prop_assert!(o.quality.is_none_or(|q| (0.0..=1.0).contains(&q)));
        }
    }
}
