//! How stage facts feed the production figures (its one calculation engine, through the output rollups it reads).
//!
//! - A fact at a stage that runs on a line counted by people is that line's units: its good and scrap are units made
//!   (scrap rejected), added at the minute it was recorded, or the last minute of its shift (its day, without one)
//!   when recorded after it.
//! - A fact at an inspection stage takes its scrap from the good units of the line that made them: the line of the
//!   nearest stage before it on the order's route that runs on one (an inspection's own line makes nothing), sensors
//!   or people, in the shift that made them (see the service: the making stage's latest fact, else the inspection's
//!   own shift). Quality falls there, where the loss was made; the units were counted already.
//! - Anything else feeds nothing: a sensor line's own stages (the machines count those units), a stage on no line,
//!   an order without a product (units are a product's: its ideal cycle), an inspection with no line before it.
//!
//! A reversal takes back exactly what its fact added, where it added it (stored with the fact).

use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::ids::{LineId, StageId};

/// A stage as the feed sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageFeed {
    pub id: StageId,
    pub line: Option<LineId>,
    pub inspection: bool,
}

/// What a fact adds to which line's output (its minute placed by [`minute_in`] or the making shift).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// A people line's own stage: units made, `good` of them good.
    Units { line: LineId, total: i32, good: i32 },
    /// An inspection's scrap: good units of the making line that were not (`good` ≤ 0).
    Rejects { line: LineId, good: i32 },
}

impl Feed {
    pub fn line(&self) -> LineId {
        match self {
            Feed::Units { line, .. } | Feed::Rejects { line, .. } => *line,
        }
    }

    /// `(units, good)` added.
    pub fn counts(&self) -> (i32, i32) {
        match self {
            Feed::Units { total, good, .. } => (*total, *good),
            Feed::Rejects { good, .. } => (0, *good),
        }
    }
}

/// The stage that made what `stage` inspects: the nearest before it on `route` (stage ids in order) that runs on a
/// line and is no inspection.
pub fn making_stage(route: &[StageId], stages: &[StageFeed], stage: StageId) -> Option<StageFeed> {
    let at = route.iter().position(|s| *s == stage)?;
    route[..at]
        .iter()
        .rev()
        .filter_map(|id| stages.iter().find(|s| s.id == *id))
        .find(|s| s.line.is_some() && !s.inspection)
        .copied()
}

/// What a fact of `good` and `scrap` at `stage` feeds: `making` is the stage before it that made the units (for an
/// inspection), `by_people` whether a line is counted by people, `has_product` whether the order names a product.
pub fn feed(
    stage: StageFeed,
    making: Option<StageFeed>,
    by_people: impl Fn(LineId) -> bool,
    has_product: bool,
    good: i32,
    scrap: i32,
) -> Option<Feed> {
    if !has_product {
        return None;
    }
    if stage.inspection {
        let line = making?.line?;
        return (scrap > 0).then_some(Feed::Rejects { line, good: -scrap });
    }
    let line = stage.line.filter(|l| by_people(*l))?;
    Some(Feed::Units { line, total: good + scrap, good })
}

/// The whole minute a fact recorded at `now` for the span `[start, end)` (its shift, or its day) is counted in: now,
/// held inside the span (a fact recorded after its shift counts in its last minute).
pub fn minute_in(start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let last = (end - Duration::minutes(1)).max(start);
    let at = now.clamp(start, last);
    at.duration_trunc(Duration::minutes(1)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const L1: LineId = LineId(1);
    const L4: LineId = LineId(4);

    fn stage(id: i32, line: Option<LineId>, inspection: bool) -> StageFeed {
        StageFeed { id: StageId(id), line, inspection }
    }

    fn route() -> (Vec<StageId>, Vec<StageFeed>) {
        // Stamping on a sensor line, assembly on a people line, an inspection on no line, packing on none.
        let stages =
            vec![stage(1, Some(L1), false), stage(2, Some(L4), false), stage(3, None, true), stage(4, None, false)];
        (stages.iter().map(|s| s.id).collect(), stages)
    }

    fn people(l: LineId) -> bool {
        l == L4
    }

    #[test]
    fn a_people_lines_facts_are_its_units_and_a_sensor_lines_are_not() {
        let (_, s) = route();
        assert_eq!(feed(s[1], None, people, true, 40, 2), Some(Feed::Units { line: L4, total: 42, good: 40 }));
        assert_eq!(feed(s[0], None, people, true, 40, 2), None);
        assert_eq!(feed(s[3], None, people, true, 40, 2), None);
        // No product: no units (a unit's ideal time is its product's).
        assert_eq!(feed(s[1], None, people, false, 40, 2), None);
        // A reversal feeds its fact's negation the same way.
        assert_eq!(feed(s[1], None, people, true, -40, -2), Some(Feed::Units { line: L4, total: -42, good: -40 }));
    }

    #[test]
    fn an_inspections_scrap_is_taken_from_the_line_that_made_the_units() {
        let (r, s) = route();
        let making = making_stage(&r, &s, StageId(3));
        assert_eq!(making, Some(s[1]));
        assert_eq!(feed(s[2], making, people, true, 95, 5), Some(Feed::Rejects { line: L4, good: -5 }));
        assert_eq!(Feed::Rejects { line: L4, good: -5 }.counts(), (0, -5));
        // Nothing scrapped: nothing changes.
        assert_eq!(feed(s[2], making, people, true, 95, 0), None);
        // A sensor line's units too: the route's making stage on L1.
        let r2 = vec![StageId(1), StageId(3)];
        assert_eq!(making_stage(&r2, &s, StageId(3)), Some(s[0]));
        assert_eq!(feed(s[2], Some(s[0]), people, true, 0, 3), Some(Feed::Rejects { line: L1, good: -3 }));
        // An inspection first on its route has no line before it; a stage not on the route, no making stage.
        assert_eq!(making_stage(&[StageId(3), StageId(1)], &s, StageId(3)), None);
        assert_eq!(feed(s[2], None, people, true, 0, 3), None);
        assert_eq!(making_stage(&r, &s, StageId(9)), None);
    }

    #[test]
    fn a_fact_counts_now_inside_its_shift_or_in_its_last_minute() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let (a, b) = (t("2026-11-25T06:00:00Z"), t("2026-11-25T14:00:00Z"));
        assert_eq!(minute_in(a, b, t("2026-11-25T10:32:45Z")), t("2026-11-25T10:32:00Z"));
        assert_eq!(minute_in(a, b, t("2026-11-25T15:10:00Z")), t("2026-11-25T13:59:00Z"));
        assert_eq!(minute_in(a, b, t("2026-11-25T05:00:00Z")), a);
        // A span shorter than a minute is its start.
        assert_eq!(minute_in(a, a + Duration::seconds(30), b), a);
    }
}
