//! Downtime from the units a line's output counts: a gap between two consecutive units longer than the line's
//! downtime threshold is a stop (a downtime event, to be given a reason); a shorter gap still longer than its
//! micro-stop threshold is a micro-stop, lost speed that performance already shows (run time includes it), listed
//! for the drill-down. A gap exactly at a threshold is below it.
//!
//! What a stop costs is its overlap with planned time ([`super::calendar::planned_overlap_ms`]): a stop over a break
//! or across a shift change costs only its planned part, in each shift it touches.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Span;

/// A line's thresholds, in milliseconds (downtime above micro-stop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub downtime_ms: i64,
    pub micro_stop_ms: i64,
}

/// A gap between units worth naming.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gap {
    Downtime(Span),
    MicroStop(Span),
}

impl Thresholds {
    /// What a gap from one unit to the next is, if anything.
    pub fn judge(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Gap> {
        let span = Span::new(from, to);
        let ms = (to - from).num_milliseconds();
        if ms > self.downtime_ms {
            Some(Gap::Downtime(span))
        } else if ms > self.micro_stop_ms {
            Some(Gap::MicroStop(span))
        } else {
            None
        }
    }

    /// The gaps in `units` (instants in order), after `previous` (the last unit already looked at, if any).
    pub fn gaps(&self, previous: Option<DateTime<Utc>>, units: &[DateTime<Utc>]) -> Vec<Gap> {
        previous
            .into_iter()
            .chain(units.iter().copied())
            .zip(units.iter().copied().skip(usize::from(previous.is_none())))
            .filter_map(|(a, b)| self.judge(a, b))
            .collect()
    }

    /// The stops left of a recorded stop once units turn up inside it (`inside`, in order, strictly between its
    /// start and end: units that arrived late): the gaps over the threshold from its start through those units to
    /// its end. None left: the late units filled it; the first starting where it started: it now ends earlier.
    pub fn rejudge(&self, stop: Span, inside: &[DateTime<Utc>]) -> Vec<Span> {
        let points: Vec<DateTime<Utc>> = inside.iter().copied().chain([stop.end]).collect();
        self.gaps(Some(stop.start), &points)
            .into_iter()
            .filter_map(|g| match g {
                Gap::Downtime(span) => Some(span),
                Gap::MicroStop(_) => None,
            })
            .collect()
    }

    /// A stop still going on at `now`: the line's last unit was longer ago than the downtime threshold.
    pub fn ongoing(&self, last: DateTime<Utc>, now: DateTime<Utc>) -> Option<Span> {
        ((now - last).num_milliseconds() > self.downtime_ms).then(|| Span::new(last, now))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate, NaiveTime};
    use chrono_tz::America::Mexico_City;

    use super::super::calendar::{Shift, Stop, planned_overlap_ms};
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000 + secs, 0).unwrap()
    }

    const TH: Thresholds = Thresholds { downtime_ms: 300_000, micro_stop_ms: 30_000 };

    #[test]
    fn gaps_are_stops_micro_stops_or_nothing_and_a_threshold_is_not_crossed_by_equalling_it() {
        let units = [at(0), at(10), at(40), at(71), at(371), at(672)];
        assert_eq!(
            TH.gaps(None, &units),
            [
                Gap::MicroStop(Span::new(at(40), at(71))),
                Gap::MicroStop(Span::new(at(71), at(371))),
                Gap::Downtime(Span::new(at(371), at(672))),
            ],
            "10 s: nothing; 30 s (the micro-stop threshold): nothing; 31 s: a micro-stop; 300 s (the downtime \
             threshold): a micro-stop; 301 s: a stop"
        );
    }

    #[test]
    fn the_gap_from_the_last_unit_looked_at_counts_once() {
        let first = TH.gaps(None, &[at(0), at(10)]);
        let next = TH.gaps(Some(at(10)), &[at(400), at(401)]);
        assert_eq!(first, []);
        assert_eq!(next, [Gap::Downtime(Span::new(at(10), at(400)))]);
        assert_eq!(TH.gaps(Some(at(10)), &[]), []);
        assert_eq!(TH.gaps(None, &[]), []);
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
            assert_eq!(TH.rejudge(stop, &inside), want, "{why}");
        }
    }

    #[test]
    fn a_line_silent_for_longer_than_its_threshold_is_stopped_now() {
        assert_eq!(TH.ongoing(at(0), at(301)), Some(Span::new(at(0), at(301))));
        assert_eq!(TH.ongoing(at(0), at(300)), None);
    }

    #[test]
    fn a_stop_across_a_shift_change_costs_its_planned_part_in_each_shift() {
        let tz = Mexico_City;
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
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
        let Some(Gap::Downtime(stop)) = TH.judge(from, to) else { panic!("a stop") };
        assert_eq!(a.planned_ms(&stop), 20 * 60_000);
        assert_eq!(b.planned_ms(&stop), 45 * 60_000);
        assert_eq!(planned_overlap_ms(&shifts, tz, &stop), 65 * 60_000);
    }
}
