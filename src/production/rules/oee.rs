//! OEE = availability × performance × quality, computed one way for every screen and export.
//!
//! A period (a line's shift, a day, a product's share, any rollup of them) is its [`Totals`]: planned production
//! time, unplanned downtime inside it, ideal time of the units made, units, good units. Rollups add totals and compute
//! the ratios once at the end, so each part weighs by its own time and units: never a plain average of percentages.
//!
//! - availability = run time / planned time, where run time = planned time − unplanned downtime;
//! - performance = ideal time / run time, where ideal time = Σ ideal cycle time × units (over 100 %: the ideal cycle
//!   time set for a product is slower than the line really runs, and it is flagged);
//! - quality = good units / units;
//! - OEE = availability × performance × quality = ideal time × good / (planned time × units).
//!
//! Planned time a line has no data for (before its first unit ever) is neither: it is left out of planned time and
//! kept apart as `no_data_ms`. A line that has counted and falls silent on shift is stopped (the downtime job's
//! stops), an availability loss, never a performance one.
//!
//! Times are whole milliseconds, so sums are exact; a ratio whose base is zero is absent (an empty period has no
//! availability), not zero and not NaN.

use serde::{Deserialize, Serialize};

/// What a period adds up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Totals {
    /// Planned production time: the shift calendar minus planned stops and downtime given a planned reason.
    pub planned_ms: i64,
    /// Downtime inside planned time not given a planned reason.
    pub downtime_ms: i64,
    /// Σ ideal cycle time × units made.
    pub ideal_ms: i64,
    /// Units made (good and rejected).
    pub total: i64,
    pub good: i64,
    /// Calendar time with no data: planned by the shifts, but before the line's first unit ever (a line not yet
    /// connected). Neither running nor stopped: it is not in `planned_ms` and costs no figure.
    #[serde(default)]
    pub no_data_ms: i64,
    /// Micro-stops' planned time: gaps between units longer than the line's micro-stop threshold and no longer than
    /// its downtime threshold. Inside run time (performance pays for it); a loss of its own in the six big losses.
    #[serde(default)]
    pub micro_stop_ms: i64,
    /// How many micro-stops.
    #[serde(default)]
    pub micro_stops: i64,
    /// Ideal time of the rejected units (Σ ideal cycle × rejects): the quality loss in time.
    #[serde(default)]
    pub reject_ideal_ms: i64,
    /// Of `total`, the units people counted (MES stage facts on a line counted by people); the rest are its
    /// machines'.
    #[serde(default)]
    pub people_total: i64,
    /// What people's facts changed of `good`: their good units on a people line, less the units an inspection found
    /// bad (negative on a sensor line whose units failed a later inspection).
    #[serde(default)]
    pub people_good: i64,
}

impl std::ops::Add for Totals {
    type Output = Totals;
    fn add(self, o: Totals) -> Totals {
        Totals {
            planned_ms: self.planned_ms + o.planned_ms,
            downtime_ms: self.downtime_ms + o.downtime_ms,
            ideal_ms: self.ideal_ms + o.ideal_ms,
            total: self.total + o.total,
            good: self.good + o.good,
            no_data_ms: self.no_data_ms + o.no_data_ms,
            micro_stop_ms: self.micro_stop_ms + o.micro_stop_ms,
            micro_stops: self.micro_stops + o.micro_stops,
            reject_ideal_ms: self.reject_ideal_ms + o.reject_ideal_ms,
            people_total: self.people_total + o.people_total,
            people_good: self.people_good + o.people_good,
        }
    }
}

impl std::ops::AddAssign for Totals {
    fn add_assign(&mut self, o: Totals) {
        *self = *self + o;
    }
}

impl std::iter::Sum for Totals {
    fn sum<I: Iterator<Item = Totals>>(iter: I) -> Totals {
        iter.fold(Totals::default(), |a, b| a + b)
    }
}

/// The four figures of a period, each a fraction (0.8881 is 88.81 %), absent when its base is zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Oee {
    pub availability: Option<f64>,
    pub performance: Option<f64>,
    pub quality: Option<f64>,
    pub oee: Option<f64>,
    /// Performance above 100 %: the ideal cycle time is wrong (the line runs faster than it says is possible).
    pub performance_over_100: bool,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Totals {
    /// Planned time the line ran (downtime beyond planned time counts as all of it).
    pub fn run_ms(&self) -> i64 {
        (self.planned_ms - self.downtime_ms.max(0)).max(0)
    }

    /// Good units, never more than the units made.
    fn good_units(&self) -> i64 {
        self.good.clamp(0, self.total.max(0))
    }

    pub fn oee(&self) -> Oee {
        let run = self.run_ms();
        let availability = ratio(run, self.planned_ms);
        let performance = ratio(self.ideal_ms.max(0), run);
        let quality = ratio(self.good_units(), self.total);
        // Planned time with no unit made is a loss like any other: OEE 0, not absent.
        let oee = (self.planned_ms > 0).then_some(match (availability, performance, quality) {
            (Some(a), Some(p), Some(q)) => a * p * q,
            _ => 0.0,
        });
        Oee { availability, performance, quality, oee, performance_over_100: performance.is_some_and(|p| p > 1.0) }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const MIN: i64 = 60_000;

    fn pct(x: Option<f64>) -> f64 {
        (x.expect("a figure") * 10_000.0).round() / 100.0
    }

    #[test]
    fn the_textbook_example() {
        // Planned 420 min, run 373 min, ideal cycle 1.0 s, 19,271 units of which 18,848 good.
        let t = Totals {
            planned_ms: 420 * MIN,
            downtime_ms: 47 * MIN,
            ideal_ms: 19_271 * 1000,
            total: 19_271,
            good: 18_848,
            ..Totals::default()
        };
        let o = t.oee();
        assert_eq!((pct(o.availability), pct(o.performance), pct(o.quality), pct(o.oee)), (88.81, 86.11, 97.8, 74.79));
        assert!(!o.performance_over_100);
    }

    #[test]
    fn a_rollup_weighs_each_part_by_its_time_and_units_not_by_its_percentage() {
        // A long good shift and a short bad one: the plain average of their OEEs is wrong.
        let long = Totals {
            planned_ms: 480 * MIN,
            downtime_ms: 0,
            ideal_ms: 480 * MIN,
            total: 28_800,
            good: 28_800,
            ..Totals::default()
        };
        let short = Totals {
            planned_ms: 60 * MIN,
            downtime_ms: 30 * MIN,
            ideal_ms: 15 * MIN,
            total: 900,
            good: 450,
            ..Totals::default()
        };
        let whole = (long + short).oee();
        let plain_average = (long.oee().oee.unwrap() + short.oee().oee.unwrap()) / 2.0;
        let weighted = (495.0 * 29_250.0 / 29_700.0) / 540.0;
        assert!((whole.oee.unwrap() - weighted).abs() < 1e-12);
        assert!((whole.oee.unwrap() - plain_average).abs() > 0.2);
    }

    #[test]
    fn empty_periods_have_no_figures_and_idle_planned_time_is_a_loss() {
        let none = Totals::default().oee();
        assert_eq!((none.availability, none.performance, none.quality, none.oee), (None, None, None, None));
        // Planned, but the line never ran.
        let down = Totals { planned_ms: 60 * MIN, downtime_ms: 60 * MIN, ..Totals::default() }.oee();
        assert_eq!((down.availability, down.performance, down.quality, down.oee), (Some(0.0), None, None, Some(0.0)));
        // Ran, made nothing.
        let idle = Totals { planned_ms: 60 * MIN, ..Totals::default() }.oee();
        assert_eq!(
            (idle.availability, idle.performance, idle.quality, idle.oee),
            (Some(1.0), Some(0.0), None, Some(0.0))
        );
        // Units outside planned time (an unplanned weekend run): quality counts, the rest has no base.
        let unplanned = Totals { ideal_ms: 10_000, total: 10, good: 9, ..Totals::default() }.oee();
        assert_eq!((unplanned.quality, unplanned.oee), (Some(0.9), None));
    }

    #[test]
    fn a_line_faster_than_its_ideal_cycle_is_flagged() {
        let t = Totals {
            planned_ms: 60 * MIN,
            downtime_ms: 0,
            ideal_ms: 66 * MIN,
            total: 3_960,
            good: 3_960,
            ..Totals::default()
        };
        let o = t.oee();
        assert!(o.performance_over_100);
        assert!((o.performance.unwrap() - 1.1).abs() < 1e-12);
    }

    /// Totals as the calendar and the counts give them: downtime inside planned time, good units among units.
    fn totals() -> impl Strategy<Value = Totals> {
        (0..1_000_000i64, 0..2_000_000i64, 0..100_000i64)
            .prop_flat_map(|(planned_ms, ideal_ms, total)| {
                (Just((planned_ms, ideal_ms, total)), 0..=planned_ms, 0..=total)
            })
            .prop_map(|((planned_ms, ideal_ms, total), downtime_ms, good)| Totals {
                planned_ms,
                downtime_ms,
                ideal_ms,
                total,
                good,
                ..Totals::default()
            })
    }

    proptest! {
        #[test]
        fn availability_and_quality_stay_within_0_and_1(t in any::<(i64, i64, i64, i64, i64)>().prop_map(
            |(planned_ms, downtime_ms, ideal_ms, total, good)| Totals {
                planned_ms: planned_ms % 1_000_000_000, downtime_ms: downtime_ms % 1_000_000_000,
                ideal_ms: ideal_ms % 1_000_000_000, total: total % 1_000_000_000, good: good % 1_000_000_000, ..Totals::default()
            })) {
            let o = t.oee();
            for x in [o.availability, o.quality].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&x));
            }
            prop_assert!(o.oee.is_none_or(|x| x >= 0.0 && x.is_finite()));
            prop_assert!(o.performance.is_none_or(|x| x >= 0.0 && x.is_finite()));
        }

        #[test]
        fn a_rollup_is_its_parts_weighted_by_their_bases(parts in prop::collection::vec(totals(), 1..8)) {
            let whole: Totals = parts.iter().copied().sum();
            let o = whole.oee();
            // Availability weighted by planned time; quality by units: each the whole's own ratio.
            if let Some(a) = o.availability {
                let weighted: f64 = parts.iter().map(|p| p.oee().availability.unwrap_or(0.0) * p.planned_ms as f64).sum::<f64>()
                    / whole.planned_ms as f64;
                prop_assert!((a - weighted).abs() < 1e-9);
            }
            if let Some(q) = o.quality {
                let weighted: f64 = parts.iter().map(|p| p.oee().quality.unwrap_or(0.0) * p.total as f64).sum::<f64>()
                    / whole.total as f64;
                prop_assert!((q - weighted).abs() < 1e-9);
            }
        }
    }
}
