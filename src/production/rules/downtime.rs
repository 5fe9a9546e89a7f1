//! Downtime from the units a line's output counts, judged against the plant's calendar: a gap between two
//! consecutive units is measured by its minutes in planned time (inside a shift, outside its breaks), not by the
//! clock. A gap's stretch on shift with more planned time than the line's downtime threshold is a stop (a downtime
//! event, to be given a reason); with more than its micro-stop threshold, a micro-stop (lost speed: run time includes
//! it; performance shows it, and its minutes are their own loss). A planned time exactly at a threshold is below it.
//!
//! So a line that stops for its break, or when its last shift ends and starts with the next, has no stop: the gap is
//! planned stop or time off shift. A gap across a break is one stop, its minutes its planned part; a gap across time
//! no shift is on (the line stopped before its shift ended and started late the next morning) is a stop in each
//! stretch on shift whose planned part crosses the threshold, each cut to its stretch (it ends where the shift does,
//! the next starts where its shift does). What a stop costs is its overlap with planned time
//! ([`super::calendar::planned_overlap_ms`]), in each shift it touches.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, Span};

/// A line's thresholds, in milliseconds of planned time (downtime above micro-stop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub downtime_ms: i64,
    pub micro_stop_ms: i64,
}

/// A gap between units worth naming, as its stretch on shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gap {
    Downtime(Span),
    /// A micro-stop and its minutes in planned time (milliseconds).
    MicroStop(Span, i64),
}

impl Thresholds {
    /// What a gap from one unit to the next is, stretch on shift by stretch (see the module's doc).
    pub fn judge(&self, cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Gap> {
        // Planned time is never more than the clock's: a gap short by the clock is nothing, whatever the calendar
        // (the usual case, a unit after the last, answered without it).
        if (to - from).num_milliseconds() <= self.micro_stop_ms {
            return Vec::new();
        }
        cal.on_shift(&Span::new(from, to))
            .into_iter()
            .filter_map(|stretch| {
                let ms = cal.planned_ms(&stretch);
                if ms > self.downtime_ms {
                    Some(Gap::Downtime(stretch))
                } else if ms > self.micro_stop_ms {
                    Some(Gap::MicroStop(stretch, ms))
                } else {
                    None
                }
            })
            .collect()
    }

    /// The gaps in `units` (instants in order), after `previous` (the last unit already looked at, if any).
    pub fn gaps(&self, cal: &Calendar, previous: Option<DateTime<Utc>>, units: &[DateTime<Utc>]) -> Vec<Gap> {
        previous
            .into_iter()
            .chain(units.iter().copied())
            .zip(units.iter().copied().skip(usize::from(previous.is_none())))
            .flat_map(|(a, b)| self.judge(cal, a, b))
            .collect()
    }

    /// The stops left of a recorded stop once units turn up inside it (`inside`, in order, strictly between its
    /// start and end: units that arrived late): the gaps over the threshold from its start through those units to
    /// its end. None left: the late units filled it; the first starting where it started: it now ends earlier.
    pub fn rejudge(&self, cal: &Calendar, stop: Span, inside: &[DateTime<Utc>]) -> Vec<Span> {
        let points: Vec<DateTime<Utc>> = inside.iter().copied().chain([stop.end]).collect();
        self.gaps(cal, Some(stop.start), &points)
            .into_iter()
            .filter_map(|g| match g {
                Gap::Downtime(span) => Some(span),
                Gap::MicroStop(..) => None,
            })
            .collect()
    }

    /// The stops of a line silent since its last unit `last`, as of `now`: each stretch on shift since then whose
    /// planned time crosses the threshold, the one still on at `now` open (no end: it is going on), the others
    /// ended with their shift.
    pub fn ongoing(
        &self,
        cal: &Calendar,
        last: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<(Span, Option<DateTime<Utc>>)> {
        self.judge(cal, last, now)
            .into_iter()
            .filter_map(|g| match g {
                Gap::Downtime(span) => Some((span, (span.end < now).then_some(span.end))),
                Gap::MicroStop(..) => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};
    use chrono_tz::America::Mexico_City;

    use super::super::calendar::{Shift, Stop, planned_overlap_ms};
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000 + secs, 0).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// A plant on shift around the clock, every day, without breaks.
    fn always() -> Calendar {
        let half = |start, end| Shift { days: 0b111_1111, start, end, stops: vec![] };
        Calendar { shifts: vec![half(t(0, 0), t(12, 0)), half(t(12, 0), t(0, 0))], tz: Mexico_City }
    }

    const TH: Thresholds = Thresholds { downtime_ms: 300_000, micro_stop_ms: 30_000 };

    #[test]
    fn gaps_are_stops_micro_stops_or_nothing_and_a_threshold_is_not_crossed_by_equalling_it() {
        let units = [at(0), at(10), at(40), at(71), at(371), at(672)];
        assert_eq!(
            TH.gaps(&always(), None, &units),
            [
                Gap::MicroStop(Span::new(at(40), at(71)), 31_000),
                Gap::MicroStop(Span::new(at(71), at(371)), 300_000),
                Gap::Downtime(Span::new(at(371), at(672))),
            ],
            "10 s: nothing; 30 s (the micro-stop threshold): nothing; 31 s: a micro-stop; 300 s (the downtime \
             threshold): a micro-stop; 301 s: a stop"
        );
    }

    #[test]
    fn the_gap_from_the_last_unit_looked_at_counts_once() {
        let cal = always();
        let first = TH.gaps(&cal, None, &[at(0), at(10)]);
        let next = TH.gaps(&cal, Some(at(10)), &[at(400), at(401)]);
        assert_eq!(first, []);
        assert_eq!(next, [Gap::Downtime(Span::new(at(10), at(400)))]);
        assert_eq!(TH.gaps(&cal, Some(at(10)), &[]), []);
        assert_eq!(TH.gaps(&cal, None, &[]), []);
    }

    #[test]
    fn late_units_inside_a_stop_fill_it_end_it_earlier_or_split_it() {
        let stop = Span::new(at(0), at(1000));
        let every = |from: i64, to: i64| (from..to).step_by(10).map(at).collect::<Vec<_>>();
        for (inside, left, why) in [
            (every(10, 1000), vec![], "filled: no gap over 300 s is left"),
            (every(600, 700), vec![(0, 600), (690, 1000)], "a run in the middle: it ends at the run, a stop after"),
            (every(200, 800), vec![], "from 200 s to 790 s: the gaps left are 200 s and 210 s, no stop"),
            (vec![at(1), at(999)], vec![(1, 999)], "units a second in: the stop is the gap between them"),
            (vec![], vec![(0, 1000)], "nothing inside: the same stop"),
        ] {
            let want: Vec<Span> = left.iter().map(|&(a, b)| Span::new(at(a), at(b))).collect();
            assert_eq!(TH.rejudge(&always(), stop, &inside), want, "{why}");
        }
    }

    #[test]
    fn a_line_silent_for_longer_than_its_threshold_is_stopped_now() {
        assert_eq!(TH.ongoing(&always(), at(0), at(301)), [(Span::new(at(0), at(301)), None)]);
        assert_eq!(TH.ongoing(&always(), at(0), at(300)), []);
    }

    #[test]
    fn a_stop_across_a_shift_change_costs_its_planned_part_in_each_shift() {
        let tz = Mexico_City;
        let shifts = [
            Shift { days: 0b111_1111, start: t(6, 0), end: t(14, 0), stops: vec![] },
            Shift {
                days: 0b111_1111,
                start: t(14, 30),
                end: t(22, 0),
                stops: vec![Stop { start: t(15, 0), end: t(15, 15) }],
            },
        ];
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let (a, b) = (shifts[0].on(tz, day), shifts[1].on(tz, day));
        // Last unit 13:40, next 15:30: the morning loses 20 minutes, the afternoon 45 (60 less its 15-minute break);
        // the half hour between shifts costs nothing.
        let from = a.span.end - Duration::minutes(20);
        let to = b.span.start + Duration::minutes(60);
        let stop = Span::new(from, to);
        assert_eq!(a.planned_ms(&stop), 20 * 60_000);
        assert_eq!(b.planned_ms(&stop), 45 * 60_000);
        assert_eq!(planned_overlap_ms(&shifts, tz, &stop), 65 * 60_000);
        // No shift is on between them: a stop in each, each cut to its shift.
        let cal = Calendar { shifts: shifts.to_vec(), tz };
        assert_eq!(
            TH.judge(&cal, from, to),
            [Gap::Downtime(Span::new(from, a.span.end)), Gap::Downtime(Span::new(b.span.start, to))]
        );
    }

    /// Monday 23 November 2026 in Mexico City, `h:m`.
    fn monday(h: u32, m: u32) -> DateTime<Utc> {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        Mexico_City.from_local_datetime(&day.and_time(t(h, m))).unwrap().with_timezone(&Utc)
    }

    /// 06:00–14:00 with a break 10:00–10:30, every day.
    fn morning() -> Calendar {
        let stops = vec![Stop { start: t(10, 0), end: t(10, 30) }];
        Calendar { shifts: vec![Shift { days: 0b111_1111, start: t(6, 0), end: t(14, 0), stops }], tz: Mexico_City }
    }

    #[test]
    fn a_break_and_the_end_of_the_shift_are_no_stops() {
        let cal = morning();
        let s = Duration::seconds;
        // The line's last unit a few seconds before its break, the next a few seconds after it: 8 s of planned time.
        assert_eq!(TH.judge(&cal, monday(10, 0) - s(3), monday(10, 30) + s(5)), []);
        // Its last unit just before the shift ends, the next just after the next day's starts.
        assert_eq!(TH.judge(&cal, monday(14, 0) - s(4), monday(6, 0) + Duration::days(1) + s(6)), []);
        // The same gaps over the micro-stop threshold in planned time: micro-stops, measured by that time only.
        assert_eq!(
            TH.judge(&cal, monday(10, 0) - s(20), monday(10, 30) + s(20)),
            [Gap::MicroStop(Span::new(monday(10, 0) - s(20), monday(10, 30) + s(20)), 40_000)]
        );
        // A silent line after its shift: no stop going on overnight.
        assert_eq!(TH.ongoing(&cal, monday(14, 0) - s(4), monday(23, 0)), []);
    }

    #[test]
    fn a_gap_across_a_break_is_one_stop_of_its_planned_minutes() {
        let cal = morning();
        // 09:50 to 10:45: 10 + 15 planned minutes, one stop.
        let gap = Span::new(monday(9, 50), monday(10, 45));
        assert_eq!(TH.judge(&cal, gap.start, gap.end), [Gap::Downtime(gap)]);
        assert_eq!(cal.planned_ms(&gap), 25 * 60_000);
        // 09:57 to 10:32: 3 + 2 planned minutes, under the 5-minute threshold: a micro-stop, though 35 by the clock.
        assert_eq!(
            TH.judge(&cal, monday(9, 57), monday(10, 32)),
            [Gap::MicroStop(Span::new(monday(9, 57), monday(10, 32)), 5 * 60_000)]
        );
    }

    #[test]
    fn a_line_stopped_at_the_end_of_its_shift_has_a_stop_ending_with_it_and_one_going_on_in_the_next() {
        let cal = morning();
        let tuesday = |h, m| monday(h, m) + Duration::days(1);
        // Silent since 13:40; at 06:20 on Tuesday: 20 planned minutes on Monday (ended with the shift), 20 on Tuesday
        // (going on).
        assert_eq!(
            TH.ongoing(&cal, monday(13, 40), tuesday(6, 20)),
            [
                (Span::new(monday(13, 40), monday(14, 0)), Some(monday(14, 0))),
                (Span::new(tuesday(6, 0), tuesday(6, 20)), None),
            ]
        );
        // At 06:03 the morning's three minutes are no stop yet.
        assert_eq!(
            TH.ongoing(&cal, monday(13, 40), tuesday(6, 3)),
            [(Span::new(monday(13, 40), monday(14, 0)), Some(monday(14, 0)))]
        );
    }
}
