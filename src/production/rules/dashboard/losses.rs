//! The six big losses of a span, from the time the calendar plans (with data) down to fully productive time, with
//! the same minutes the OEE figures use, so the waterfall ends where OEE says it does:
//!
//! - planned stops: stops given a planned reason (they leave planned time; OEE does not count them);
//! - availability: **breakdowns** (unplanned stops, not set-ups, unclassified ones included) and **set-up and
//!   changeovers** (stops whose reason is a set-up), adding up to the downtime figure;
//! - performance: **minor stops** (the micro-stops' planned time) and **reduced speed** (what is left of run time
//!   beyond the ideal time of the units made);
//! - quality: **start-up rejects** (the ideal time of units rejected in the first [`STARTUP`] after a line starts or
//!   restarts: a shift's start, the end of a stop) and **production rejects** (the other rejects).
//!
//! Fully productive time is the ideal time of the good units: `OEE × planned time`. (When a product's ideal cycle is
//! slower than the line really runs, performance is over 100 % and flagged: net run time is then capped at run time,
//! and the waterfall ends below OEE × planned time, by the excess.) MTBF is run time per breakdown, MTTR the
//! breakdowns' time per breakdown (absent without one).

use std::collections::HashMap;

use crate::ids::ReasonId;
use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::super::calendar::Span;
use super::super::oee::Totals;
use super::figures::*;
use super::time::*;

/// How long after a start or restart rejects are start-up rejects.
pub const STARTUP: Duration = Duration::minutes(10);

/// The six big losses of a span, in milliseconds (see the module's doc).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Losses {
    /// Planned by the calendar, with data: planned time and the planned stops.
    pub scheduled_ms: i64,
    pub planned_stops_ms: i64,
    pub planned_ms: i64,
    pub breakdowns_ms: i64,
    pub setup_ms: i64,
    pub run_ms: i64,
    pub minor_stops_ms: i64,
    pub reduced_speed_ms: i64,
    /// Ideal time of the units made (at most run time).
    pub net_run_ms: i64,
    pub startup_rejects_ms: i64,
    pub production_rejects_ms: i64,
    /// Ideal time of the good units.
    pub fully_productive_ms: i64,
    /// Breakdowns (stops that took planned time, not set-ups).
    pub breakdowns: i64,
    /// Mean time between failures: run time per breakdown.
    pub mtbf_ms: Option<i64>,
    /// Mean time to repair: breakdown time per breakdown.
    pub mttr_ms: Option<i64>,
}

/// Each stop's minutes in `planned` time, split as the losses split them: (planned stops, breakdowns, set-ups, number
/// of breakdowns), for the stops of `line` (all lines when none).
fn stop_losses(
    input: &Inputs,
    planned: &[Span],
    setup: &[ReasonId],
    line: Option<crate::ids::LineId>,
) -> (i64, i64, i64, i64) {
    let mut out = (0, 0, 0, 0);
    for s in input.stops.iter().filter(|s| input.lines.contains(&s.line) && line.is_none_or(|l| l == s.line)) {
        let ms = overlap_ms(planned, &Span::new(s.start, s.end.unwrap_or(input.now).min(input.now)));
        if ms <= 0 {
            continue;
        }
        if s.planned {
            out.0 += ms;
        } else if s.reason.is_some_and(|r| setup.contains(&r)) {
            out.2 += ms;
        } else {
            out.1 += ms;
            out.3 += 1;
        }
    }
    out
}

/// The losses of `t` (a line's or the lines' totals) with its stops split by `stop_losses`, and the ideal time of
/// its start-up rejects.
fn losses_of(t: &Totals, (planned_stops, breakdowns, setup, failures): (i64, i64, i64, i64), startup: i64) -> Losses {
    let run = t.run_ms();
    let net = t.ideal_ms.clamp(0, run);
    let minor = t.micro_stop_ms.clamp(0, run - net);
    let startup = startup.clamp(0, net.min(t.reject_ideal_ms.max(0)));
    let production = (t.reject_ideal_ms - startup).clamp(0, net - startup);
    Losses {
        scheduled_ms: t.planned_ms + planned_stops,
        planned_stops_ms: planned_stops,
        planned_ms: t.planned_ms,
        breakdowns_ms: breakdowns,
        setup_ms: setup,
        run_ms: run,
        minor_stops_ms: minor,
        reduced_speed_ms: run - net - minor,
        net_run_ms: net,
        startup_rejects_ms: startup,
        production_rejects_ms: production,
        fully_productive_ms: net - startup - production,
        breakdowns: failures,
        mtbf_ms: (failures > 0).then(|| run / failures),
        mttr_ms: (failures > 0).then(|| breakdowns / failures),
    }
}

/// The losses of every line of `input` and of them all, from their figures (`figures(input)`, no product filter),
/// the reasons that are set-ups, and each line's start-up rejects' ideal time.
pub fn losses(
    input: &Inputs,
    figures: &Figures,
    setup: &[ReasonId],
    startup: &HashMap<crate::ids::LineId, i64>,
) -> (Losses, HashMap<crate::ids::LineId, Losses>) {
    // The planned time the stops are measured against, once for every line.
    let planned = planned_time(input);
    let lines = figures
        .lines
        .iter()
        .map(|(&l, t)| {
            (l, losses_of(t, stop_losses(input, &planned, setup, Some(l)), startup.get(&l).copied().unwrap_or(0)))
        })
        .collect();
    let all = losses_of(&figures.total, stop_losses(input, &planned, setup, None), startup.values().sum());
    (all, lines)
}

/// `restarts` merged per line where their start-up windows overlap, in order (each minute counted once), and cut
/// to `windows` (up to `now`): a restart just before a span's end counts the rejects inside it only.
pub fn merged_restarts(
    spans: Vec<(crate::ids::LineId, Span)>,
    windows: &[Span],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(crate::ids::LineId, Span)> {
    let mut spans: Vec<(crate::ids::LineId, Span)> = spans
        .into_iter()
        .flat_map(|(l, s)| {
            windows.iter().filter_map(move |w| Span::new(w.start, w.end.min(now)).overlap(&s).map(|o| (l, o)))
        })
        .collect();
    spans.sort_by_key(|(l, s)| (*l, s.start));
    let mut out: Vec<(crate::ids::LineId, Span)> = Vec::with_capacity(spans.len());
    for (l, s) in spans {
        match out.last_mut() {
            Some((ll, last)) if *ll == l && s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push((l, s)),
        }
    }
    out
}

/// Where each line starts or restarts inside the windows, after its first unit: the start of each stretch on shift
/// (not cut by the span's start) and the end of each stop without a planned reason. The start-up windows are these
/// instants and [`STARTUP`] after.
pub fn restarts(input: &Inputs, cal: &super::super::calendar::Calendar) -> Vec<(crate::ids::LineId, Span)> {
    let mut out = Vec::new();
    for &line in input.lines {
        let Some(&first) = input.first_units.get(&line) else { continue };
        for w in input.windows {
            let w = Span::new(w.start, w.end.min(input.now));
            for stretch in cal.on_shift(&w) {
                // A stretch cut by the window's start did not start there.
                let started_here = stretch.start > w.start
                    || cal.on_shift(&Span::new(w.start - Duration::minutes(1), w.start)).is_empty();
                if started_here && stretch.start >= first {
                    out.push((line, Span::new(stretch.start, stretch.start + STARTUP)));
                }
            }
            for s in input.stops.iter().filter(|s| s.line == line && !s.planned) {
                // A stop that ends where its shift does (the job cuts stops there) is no restart.
                if let Some(end) = s.end
                    && end > w.start
                    && end < w.end
                    && !cal.on_shift(&Span::new(end, end + Duration::minutes(1))).is_empty()
                {
                    out.push((line, Span::new(end, end + STARTUP)));
                }
            }
        }
    }
    out
}
