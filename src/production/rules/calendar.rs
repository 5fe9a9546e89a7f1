//! The shift calendar: when a line is planned to produce. A shift runs on some days of the week from a start to an
//! end time of day (an end at or before the start is on the next day: a night shift crosses midnight), with planned
//! stops inside it (breaks, meetings) given as times of day too (a stop earlier in the day than the shift's start is on
//! its second day). Times of day are the plant's local time ([`Tz`]): a shift on the night a clock changes is an hour
//! longer or shorter, as its workers live it.
//!
//! Everything here is half-open instants in UTC, `[start, end)`: a unit counted exactly at a shift's end belongs to
//! the next one.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A span of time, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Span {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Span { start, end }
    }

    pub fn ms(&self) -> i64 {
        (self.end - self.start).num_milliseconds().max(0)
    }

    /// The part of both, if any.
    pub fn overlap(&self, other: &Span) -> Option<Span> {
        let s = Span { start: self.start.max(other.start), end: self.end.min(other.end) };
        (s.start < s.end).then_some(s)
    }
}

/// A planned stop inside a shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stop {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// A shift as the plant defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// Days it starts on: bit 0 Monday … bit 6 Sunday.
    pub days: u8,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub stops: Vec<Stop>,
}

/// One day's run of a shift: its span and its planned stops' spans (inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The day it starts on (local).
    pub day: NaiveDate,
    pub span: Span,
    pub stops: Vec<Span>,
}

impl Occurrence {
    /// Planned production time inside `window`: the shift minus its stops (overlapping stops count once).
    pub fn planned_ms(&self, window: &Span) -> i64 {
        self.planned().iter().filter_map(|s| s.overlap(window)).map(|s| s.ms()).sum()
    }

    /// The planned parts of the shift (its span less its stops), in order.
    pub fn planned(&self) -> Vec<Span> {
        let mut out = Vec::with_capacity(self.stops.len() + 1);
        let mut at = self.span.start;
        let mut stops = self.stops.clone();
        stops.sort_by_key(|s| s.start);
        for s in stops {
            if s.start > at {
                out.push(Span::new(at, s.start));
            }
            at = at.max(s.end);
        }
        if at < self.span.end {
            out.push(Span::new(at, self.span.end));
        }
        out
    }
}

/// A local time of day on a local day as an instant (a time a clock change skips is read an hour later; one it
/// repeats, the first time).
fn instant(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = NaiveDateTime::new(day, time);
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(local + Duration::hours(1))).earliest())
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

/// The time of day `t` after `start` on `day` (that day, or the next).
fn after(tz: Tz, day: NaiveDate, start: NaiveTime, t: NaiveTime) -> DateTime<Utc> {
    if t > start { instant(tz, day, t) } else { instant(tz, day + Duration::days(1), t) }
}

impl Shift {
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.days & (1 << day.weekday().num_days_from_monday()) != 0
    }

    /// The run of this shift starting on `day` (whether or not it runs that day).
    pub fn on(&self, tz: Tz, day: NaiveDate) -> Occurrence {
        let start = instant(tz, day, self.start);
        let end = after(tz, day, self.start, self.end);
        let span = Span::new(start, end);
        let stops = self
            .stops
            .iter()
            .filter_map(|s| {
                // On the shift's first day from its start, else on its second; ending after it starts (next day
                // when it crosses midnight itself).
                let from_day = if s.start >= self.start { day } else { day + Duration::days(1) };
                let to_day = if s.end > s.start { from_day } else { from_day + Duration::days(1) };
                let (from, to) = (instant(tz, from_day, s.start), instant(tz, to_day, s.end));
                Span::new(from, to).overlap(&span)
            })
            .collect();
        Occurrence { day, span, stops }
    }

    /// Its runs that overlap `window`.
    pub fn occurrences(&self, tz: Tz, window: &Span) -> Vec<Occurrence> {
        // A run starts at most a day before the window (a shift lasts at most a day).
        let first = window.start.with_timezone(&tz).date_naive() - Duration::days(1);
        let last = window.end.with_timezone(&tz).date_naive();
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .filter(|d| self.runs_on(*d))
            .map(|d| self.on(tz, d))
            .filter(|o| o.span.overlap(window).is_some())
            .collect()
    }
}

/// The planned spans of `shifts` inside `window`, in order and merged: time two shifts (or two stops) both cover
/// counts once.
pub fn planned_spans(shifts: &[Shift], tz: Tz, window: &Span) -> Vec<Span> {
    let mut spans: Vec<Span> = shifts
        .iter()
        .flat_map(|s| s.occurrences(tz, window))
        .flat_map(|o| o.planned())
        .filter_map(|s| s.overlap(window))
        .collect();
    spans.sort_by_key(|s| s.start);
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    merged
}

/// Planned production time of `shifts` inside `window`.
pub fn planned_ms(shifts: &[Shift], tz: Tz, window: &Span) -> i64 {
    planned_spans(shifts, tz, window).iter().map(Span::ms).sum()
}

/// How much of `event` (a downtime) falls in planned time: inside some shift run and outside its stops. Downtime
/// during a break or between shifts costs no availability.
pub fn planned_overlap_ms(shifts: &[Shift], tz: Tz, event: &Span) -> i64 {
    planned_ms(shifts, tz, event)
}

/// The end of a local day: the next day's midnight, as an instant.
pub fn day_end(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    instant(tz, day + Duration::days(1), NaiveTime::MIN)
}

/// The shift run going on at `now`, of `shifts` (each with what names it): of two that overlap (a handover), the one
/// that started last.
pub fn current<K>(shifts: &[(K, Shift)], tz: Tz, now: DateTime<Utc>) -> Option<(&K, Occurrence)> {
    let at = Span::new(now, now + Duration::milliseconds(1));
    shifts
        .iter()
        .flat_map(|(k, s)| s.occurrences(tz, &at).into_iter().map(move |o| (k, o)))
        .filter(|(_, o)| o.span.start <= now && now < o.span.end)
        .max_by_key(|(_, o)| o.span.start)
}

/// The next shift run to start after `now` (within a week), of `shifts`.
pub fn next<K>(shifts: &[(K, Shift)], tz: Tz, now: DateTime<Utc>) -> Option<(&K, Occurrence)> {
    let week = Span::new(now, now + Duration::days(8));
    shifts
        .iter()
        .flat_map(|(k, s)| s.occurrences(tz, &week).into_iter().map(move |o| (k, o)))
        .filter(|(_, o)| o.span.start > now)
        .min_by_key(|(_, o)| o.span.start)
}

/// A plant's calendar: its shifts, in its time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub shifts: Vec<Shift>,
    pub tz: Tz,
}

impl Calendar {
    /// Planned production time inside `window`.
    pub fn planned_ms(&self, window: &Span) -> i64 {
        planned_ms(&self.shifts, self.tz, window)
    }

    /// The stretches of `window` some shift is on (its breaks included), in order: shift runs that overlap or touch
    /// (a handover) are one stretch, time outside every shift separates them.
    pub fn on_shift(&self, window: &Span) -> Vec<Span> {
        let mut runs: Vec<Span> = self
            .shifts
            .iter()
            .flat_map(|s| s.occurrences(self.tz, window))
            .filter_map(|o| o.span.overlap(window))
            .collect();
        runs.sort_by_key(|s| s.start);
        let mut merged: Vec<Span> = Vec::with_capacity(runs.len());
        for s in runs {
            match merged.last_mut() {
                Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
                _ => merged.push(s),
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use chrono_tz::America::{Mexico_City, Santiago};

    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn local(tz: Tz, y: i32, mo: u32, d: u32, h: u32, m: u32) -> DateTime<Utc> {
        instant(tz, NaiveDate::from_ymd_opt(y, mo, d).unwrap(), t(h, m))
    }

    const WEEKDAYS: u8 = 0b001_1111;
    const MIN: i64 = 60_000;

    fn morning() -> Shift {
        Shift { days: WEEKDAYS, start: t(6, 0), end: t(14, 0), stops: vec![Stop { start: t(10, 0), end: t(10, 30) }] }
    }

    fn night() -> Shift {
        // 22:00 to 06:00, a meal at 02:00 (on its second day).
        Shift { days: WEEKDAYS, start: t(22, 0), end: t(6, 0), stops: vec![Stop { start: t(2, 0), end: t(2, 30) }] }
    }

    #[test]
    fn a_day_shift_is_its_hours_less_its_stops() {
        let tz = Mexico_City;
        // Monday 23 November 2026, the whole day.
        let day = Span::new(local(tz, 2026, 11, 23, 0, 0), local(tz, 2026, 11, 24, 0, 0));
        assert_eq!(planned_ms(&[morning()], tz, &day), 450 * MIN);
        // Saturday: it does not run.
        let saturday = Span::new(local(tz, 2026, 11, 28, 0, 0), local(tz, 2026, 11, 29, 0, 0));
        assert_eq!(planned_ms(&[morning()], tz, &saturday), 0);
        // Part of a shift: 08:00 to 11:00 holds the 30-minute break.
        let part = Span::new(local(tz, 2026, 11, 23, 8, 0), local(tz, 2026, 11, 23, 11, 0));
        assert_eq!(planned_ms(&[morning()], tz, &part), 150 * MIN);
    }

    #[test]
    fn a_night_shift_crosses_midnight_with_its_break_on_the_second_day() {
        let tz = Mexico_City;
        let o = night().on(tz, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(o.span, Span::new(local(tz, 2026, 11, 23, 22, 0), local(tz, 2026, 11, 24, 6, 0)));
        assert_eq!(o.stops, [Span::new(local(tz, 2026, 11, 24, 2, 0), local(tz, 2026, 11, 24, 2, 30))]);
        assert_eq!(
            o.planned(),
            [
                Span::new(local(tz, 2026, 11, 23, 22, 0), local(tz, 2026, 11, 24, 2, 0)),
                Span::new(local(tz, 2026, 11, 24, 2, 30), local(tz, 2026, 11, 24, 6, 0)),
            ]
        );
        // Tuesday's calendar day holds the end of Monday's night (0:00-6:00 less the meal) and the start of Tuesday's.
        let tuesday = Span::new(local(tz, 2026, 11, 24, 0, 0), local(tz, 2026, 11, 25, 0, 0));
        assert_eq!(planned_ms(&[night()], tz, &tuesday), (330 + 120) * MIN);
        // Monday: only its own night's first two hours (Sunday's night does not run).
        let monday = Span::new(local(tz, 2026, 11, 23, 0, 0), local(tz, 2026, 11, 24, 0, 0));
        assert_eq!(planned_ms(&[night()], tz, &monday), 120 * MIN);
    }

    #[test]
    fn time_two_shifts_or_two_stops_both_cover_counts_once() {
        let tz = Mexico_City;
        let day = Span::new(local(tz, 2026, 11, 23, 0, 0), local(tz, 2026, 11, 24, 0, 0));
        // A handover: 06-14 and 12-20 overlap by two hours.
        let a = Shift { days: WEEKDAYS, start: t(6, 0), end: t(14, 0), stops: vec![] };
        let b = Shift { days: WEEKDAYS, start: t(12, 0), end: t(20, 0), stops: vec![] };
        assert_eq!(planned_ms(&[a, b], tz, &day), 14 * 60 * MIN);
        // The same break entered twice, and one inside another.
        let stops = vec![
            Stop { start: t(10, 0), end: t(11, 0) },
            Stop { start: t(10, 0), end: t(11, 0) },
            Stop { start: t(10, 15), end: t(10, 30) },
        ];
        let shift = Shift { days: WEEKDAYS, start: t(6, 0), end: t(14, 0), stops };
        assert_eq!(planned_ms(std::slice::from_ref(&shift), tz, &day), 7 * 60 * MIN);
        assert_eq!(shift.on(tz, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).planned_ms(&day), 7 * 60 * MIN);
    }

    #[test]
    fn a_stop_may_itself_cross_midnight() {
        let tz = Mexico_City;
        let shift = Shift {
            days: WEEKDAYS,
            start: t(22, 0),
            end: t(6, 0),
            stops: vec![Stop { start: t(23, 45), end: t(0, 15) }],
        };
        let o = shift.on(tz, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(o.stops, [Span::new(local(tz, 2026, 11, 23, 23, 45), local(tz, 2026, 11, 24, 0, 15))]);
        assert_eq!(o.planned_ms(&o.span), 450 * MIN);
    }

    #[test]
    fn an_instant_at_a_boundary_belongs_to_what_starts_there() {
        let tz = Mexico_City;
        let shifts = [morning(), Shift { days: WEEKDAYS, start: t(14, 0), end: t(22, 0), stops: vec![] }];
        let at_change = local(tz, 2026, 11, 23, 14, 0);
        let first_minute = Span::new(at_change, at_change + Duration::minutes(1));
        let last_minute = Span::new(at_change - Duration::minutes(1), at_change);
        assert_eq!(shifts[0].occurrences(tz, &first_minute), []);
        assert_eq!(shifts[1].occurrences(tz, &first_minute).len(), 1);
        assert_eq!(shifts[0].occurrences(tz, &last_minute).len(), 1);
        assert_eq!(planned_ms(&shifts, tz, &first_minute), MIN);
    }

    #[test]
    fn downtime_counts_only_where_it_meets_planned_time() {
        let tz = Mexico_City;
        let shifts = [morning(), night()];
        // A stop from 13:00 to 23:00 Monday: the morning's last hour and the night's first hour count; the eight
        // hours between shifts do not.
        let gap = Span::new(local(tz, 2026, 11, 23, 13, 0), local(tz, 2026, 11, 23, 23, 0));
        assert_eq!(planned_overlap_ms(&shifts, tz, &gap), 120 * MIN);
        // Over the break: the break's half hour costs nothing.
        let over_break = Span::new(local(tz, 2026, 11, 23, 9, 45), local(tz, 2026, 11, 23, 10, 45));
        assert_eq!(planned_overlap_ms(&shifts, tz, &over_break), 30 * MIN);
    }

    #[test]
    fn time_on_shift_is_shift_runs_with_their_breaks_joined_at_handovers_and_cut_where_no_shift_is_on() {
        let tz = Mexico_City;
        let evening = Shift { days: WEEKDAYS, start: t(14, 0), end: t(22, 0), stops: vec![] };
        let cal = Calendar { shifts: vec![morning(), evening, night()], tz };
        // Monday 05:00 to Tuesday 07:00: nothing on before 06:00 Monday; 06:00 Monday to 06:00 Tuesday is one
        // stretch (morning, evening and night hand over; the breaks are inside); then nothing until 07:00 Tuesday
        // (Tuesday's morning starts at 06:00: on).
        let window = Span::new(local(tz, 2026, 11, 23, 5, 0), local(tz, 2026, 11, 24, 7, 0));
        assert_eq!(cal.on_shift(&window), [Span::new(local(tz, 2026, 11, 23, 6, 0), local(tz, 2026, 11, 24, 7, 0))]);
        // Morning alone: Monday 13:00 to Tuesday 07:00 is the last hour of Monday's and the first of Tuesday's.
        let cal = Calendar { shifts: vec![morning()], tz };
        let window = Span::new(local(tz, 2026, 11, 23, 13, 0), local(tz, 2026, 11, 24, 7, 0));
        assert_eq!(
            cal.on_shift(&window),
            [
                Span::new(local(tz, 2026, 11, 23, 13, 0), local(tz, 2026, 11, 23, 14, 0)),
                Span::new(local(tz, 2026, 11, 24, 6, 0), local(tz, 2026, 11, 24, 7, 0)),
            ]
        );
        assert_eq!(cal.planned_ms(&window), 120 * MIN);
    }

    #[test]
    fn a_shift_on_the_night_clocks_change_is_as_long_as_it_is_lived() {
        // Chile: clocks go back an hour at 00:00 on Sunday 5 April 2026 (to 23:00 Saturday), forward on Sunday
        // 6 September 2026 (00:00 becomes 01:00).
        let tz = Santiago;
        let every_day = Shift { days: 0b111_1111, start: t(22, 0), end: t(6, 0), stops: vec![] };
        let longer = every_day.on(tz, NaiveDate::from_ymd_opt(2026, 4, 4).unwrap());
        assert_eq!(longer.span.ms(), 9 * 60 * MIN);
        let shorter = every_day.on(tz, NaiveDate::from_ymd_opt(2026, 9, 5).unwrap());
        assert_eq!(shorter.span.ms(), 7 * 60 * MIN);
    }

    #[test]
    fn the_current_shift_is_the_run_going_on_midnight_and_handovers_included() {
        let tz = Mexico_City;
        let shifts = [("mañana", morning()), ("noche", night())];
        // Wednesday 2026-11-25, 09:00: the morning shift of that day.
        let (k, o) = current(&shifts, tz, local(tz, 2026, 11, 25, 9, 0)).unwrap();
        assert_eq!((*k, o.day), ("mañana", NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()));
        // 03:00 on Thursday: the night shift that started on Wednesday.
        let (k, o) = current(&shifts, tz, local(tz, 2026, 11, 26, 3, 0)).unwrap();
        assert_eq!((*k, o.day), ("noche", NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()));
        // 06:00 sharp: the night has ended (half-open), the morning begun.
        assert_eq!(*current(&shifts, tz, local(tz, 2026, 11, 26, 6, 0)).unwrap().0, "mañana");
        // 15:00: between shifts; the next is the night at 22:00 that day.
        assert!(current(&shifts, tz, local(tz, 2026, 11, 25, 15, 0)).is_none());
        let (k, o) = next(&shifts, tz, local(tz, 2026, 11, 25, 15, 0)).unwrap();
        assert_eq!((*k, o.span.start), ("noche", local(tz, 2026, 11, 25, 22, 0)));
        // Saturday noon: no weekday shift runs; the next is Monday's morning (the night of Friday ended at 06:00).
        assert!(current(&shifts, tz, local(tz, 2026, 11, 28, 12, 0)).is_none());
        assert_eq!(
            next(&shifts, tz, local(tz, 2026, 11, 28, 12, 0)).unwrap().1.span.start,
            local(tz, 2026, 11, 30, 6, 0)
        );
        // Overlapping runs (a handover): the one that started last.
        let late = Shift { days: WEEKDAYS, start: t(13, 30), end: t(21, 0), stops: vec![] };
        let both = [("mañana", morning()), ("tarde", late)];
        assert_eq!(*current(&both, tz, local(tz, 2026, 11, 25, 13, 45)).unwrap().0, "tarde");
        assert_eq!(day_end(tz, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()), local(tz, 2026, 11, 26, 0, 0));
    }
}
