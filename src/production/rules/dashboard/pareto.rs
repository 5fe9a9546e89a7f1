//! The Pareto of stops, by reason or by line, measuring the minutes the downtime figure does.

use std::collections::{BTreeMap, HashMap};

use crate::ids::{LineId, ReasonId};
use serde::{Deserialize, Serialize};

use super::super::calendar::Span;
use super::figures::*;
use super::time::*;

/// What a Pareto of stops groups them by (the `downtime_pareto` widget's `by`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParetoBy {
    #[default]
    Reason,
    /// By the reasons' categories (a reason without one stands on its own).
    Category,
    Line,
}

crate::codes::text_enum!(ParetoBy "Pareto grouping" { Reason => "reason", Category => "category", Line => "line" });

/// Stops of one reason or of one line, for the Pareto.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParetoRow {
    /// By reason: the reason (none: not yet classified); by line: none.
    pub reason: Option<ReasonId>,
    /// By line: the line; by reason: none.
    pub line: Option<LineId>,
    /// By category: the category (its reasons' rows added up).
    #[serde(default)]
    pub category: Option<String>,
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
    type Key = (bool, Option<ReasonId>, Option<LineId>);
    let mut rows: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
    for s in input.stops.iter().filter(|s| input.lines.contains(&s.line)) {
        let span = Span::new(s.start, s.end.unwrap_or(input.now).min(input.now));
        let ms = overlap_ms(&planned, &span);
        if ms <= 0 {
            continue;
        }
        let key = match by {
            ParetoBy::Reason | ParetoBy::Category => (s.planned, s.reason, None),
            ParetoBy::Line => (s.planned, None, Some(s.line)),
        };
        let e = rows.entry(key).or_default();
        e.0 += ms;
        e.1 += 1;
    }
    let mut rows: Vec<ParetoRow> = rows
        .into_iter()
        .map(|((planned, reason, line), (ms, stops))| ParetoRow { reason, line, category: None, planned, ms, stops })
        .collect();
    sort(&mut rows);
    rows
}

/// Downtime first, longest first; then the planned rows.
fn sort(rows: &mut [ParetoRow]) {
    rows.sort_by(|a, b| {
        a.planned
            .cmp(&b.planned)
            .then(b.ms.cmp(&a.ms))
            .then(a.category.cmp(&b.category))
            .then(a.reason.cmp(&b.reason))
            .then(a.line.cmp(&b.line))
    });
}

/// The Pareto by reason ([`pareto`]) one level up the reason tree: the rows of the reasons of a category added up
/// into the category's; a reason without a category, and the unclassified stops, keep their own rows.
pub fn by_category(rows: &[ParetoRow], reasons: &[super::ReasonRef]) -> Vec<ParetoRow> {
    let category =
        |r: Option<ReasonId>| r.and_then(|r| reasons.iter().find(|x| x.id == r)).and_then(|x| x.category.clone());
    let mut out: Vec<ParetoRow> = Vec::new();
    for row in rows {
        let key = match category(row.reason) {
            Some(c) => ParetoRow { reason: None, category: Some(c), ms: 0, stops: 0, ..row.clone() },
            None => ParetoRow { ms: 0, stops: 0, ..row.clone() },
        };
        match out
            .iter_mut()
            .find(|o| (o.planned, o.reason, &o.category, o.line) == (key.planned, key.reason, &key.category, key.line))
        {
            Some(o) => {
                o.ms += row.ms;
                o.stops += row.stops;
            }
            None => out.push(ParetoRow { ms: row.ms, stops: row.stops, ..key }),
        }
    }
    sort(&mut out);
    out
}
