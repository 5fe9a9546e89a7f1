//! A line's timeline over the span: what each moment of it was, for the availability drill-down. Inside the windows
//! looked at (up to now), each moment is exactly one of:
//!
//! - **off shift**: no shift is on;
//! - **planned stop**: a shift is on but the time is not planned (a break), or a stop given a planned reason;
//! - **no data**: planned time before the line's first unit ever (left out of every figure);
//! - **stopped**: planned time inside a stop without a planned reason (unclassified ones too): downtime;
//! - **running**: the rest of planned time, which is run time.
//!
//! The same planned time, stops and first units the figures read, so running and stopped add up to run time and
//! downtime, and a timeline of a line is the figures' availability drawn out.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::super::calendar::{Calendar, Span};
use super::figures::{Inputs, planned_time};
use crate::ids::{LineId, ReasonId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    Running,
    Stopped,
    NoData,
    PlannedStop,
    OffShift,
}

crate::codes::text_enum!(LineState "line state" {
    Running => "running", Stopped => "stopped", PlannedStop => "planned_stop", NoData => "no_data",
    OffShift => "off_shift",
});

/// A stretch of one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub state: LineState,
    /// A stop's reason (stopped or planned stop by a reason).
    pub reason: Option<ReasonId>,
}

impl Segment {
    pub fn ms(&self) -> i64 {
        (self.end - self.start).num_milliseconds()
    }
}

/// A line's timeline (the drill-down's wire type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTimeline {
    pub line: LineId,
    pub code: String,
    pub segments: Vec<Segment>,
}

impl LineTimeline {
    /// Milliseconds in `state`.
    pub fn ms(&self, state: LineState) -> i64 {
        self.segments.iter().filter(|s| s.state == state).map(Segment::ms).sum()
    }
}

/// Each line's segments, in order, adjacent ones of the same state and reason merged.
pub fn timeline(input: &Inputs, cal: &Calendar) -> BTreeMap<LineId, Vec<Segment>> {
    let planned = planned_time(input);
    let windows: Vec<Span> = input
        .windows
        .iter()
        .filter(|w| w.start < input.now)
        .map(|w| Span::new(w.start, w.end.min(input.now)))
        .collect();
    let on_shift: Vec<Span> = windows.iter().flat_map(|w| cal.on_shift(w)).collect();
    let inside = |spans: &[Span], t: DateTime<Utc>| {
        let i = spans.partition_point(|s| s.end <= t);
        spans.get(i).is_some_and(|s| s.start <= t)
    };
    let mut out = BTreeMap::new();
    for &line in input.lines {
        let first = input.first_units.get(&line).copied();
        let mut stops: Vec<(Span, bool, Option<ReasonId>)> = input
            .stops
            .iter()
            .filter(|s| s.line == line)
            .map(|s| (Span::new(s.start, s.end.unwrap_or(input.now).min(input.now)), s.planned, s.reason))
            .filter(|(s, _, _)| s.ms() > 0)
            .collect();
        stops.sort_by_key(|s| s.0.start);
        let mut segments: Vec<Segment> = Vec::new();
        for w in &windows {
            // Every instant where the state may change, inside the window.
            let mut cuts: Vec<DateTime<Utc>> = vec![w.start, w.end];
            let edges = planned.iter().chain(&on_shift).flat_map(|s| [s.start, s.end]);
            cuts.extend(edges.chain(stops.iter().flat_map(|s| [s.0.start, s.0.end])).chain(first));
            cuts.retain(|t| *t >= w.start && *t <= w.end);
            cuts.sort();
            cuts.dedup();
            for pair in cuts.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let (state, reason) = if !inside(&on_shift, a) {
                    (LineState::OffShift, None)
                } else if !inside(&planned, a) {
                    (LineState::PlannedStop, None)
                } else if first.is_none_or(|f| a < f) {
                    (LineState::NoData, None)
                } else {
                    // A line's stops do not overlap: sorted by start, their ends are sorted too.
                    let j = stops.partition_point(|s| s.0.end <= a);
                    match stops.get(j).filter(|s| s.0.start <= a) {
                        Some((_, true, r)) => (LineState::PlannedStop, *r),
                        Some((_, false, r)) => (LineState::Stopped, *r),
                        None => (LineState::Running, None),
                    }
                };
                match segments.last_mut() {
                    Some(last) if last.end == a && last.state == state && last.reason == reason => last.end = b,
                    _ => segments.push(Segment { start: a, end: b, state, reason }),
                }
            }
        }
        out.insert(line, segments);
    }
    out
}
