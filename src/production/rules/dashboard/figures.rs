//! The figures of a span: every line's, product's and bucket's [`Totals`] added up from output cells and stops over
//! planned time (see the parent module's doc for how products share a line's time). This is the one place they are
//! added up: the dashboard, its CSV and the REST figures per line and plant all read [`figures`]' answer.

use std::collections::BTreeMap;

use crate::ids::{LineId, ProductId, ReasonId};
use chrono::{DateTime, Duration, DurationRound, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::super::calendar::{Shift, Span, planned_spans};
use super::super::kinds::Counting;
use super::super::oee::{Oee, Totals};
use super::time::*;

/// Units one line's output counted for one product in one step of time (a minute, or an hour of minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputCell {
    pub line: LineId,
    pub product: ProductId,
    /// The step's start.
    pub at: DateTime<Utc>,
    pub total: i64,
    pub good: i64,
    pub ideal_ms: i64,
    /// Minutes in the step in which the product made units.
    pub minutes: i64,
    /// Of `total` and `good`, what people's facts added (see [`Totals::people_total`](crate::production::rules::oee::Totals)).
    pub people_total: i64,
    pub people_good: i64,
}

impl OutputCell {
    /// The ideal time of the cell's rejected units (its product's cycle × rejects: exact, the cell being one
    /// product's).
    pub fn reject_ideal_ms(&self) -> i64 {
        if self.total > 0 { self.ideal_ms / self.total * (self.total - self.good.clamp(0, self.total)) } else { 0 }
    }
}

/// A line's micro-stops in an hour (the hour they start in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MicroCell {
    pub line: LineId,
    pub hour: DateTime<Utc>,
    pub ms: i64,
    pub stops: i64,
}

/// A stop touching the span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopCell {
    pub id: i64,
    pub line: LineId,
    pub start: DateTime<Utc>,
    /// None: still going on.
    pub end: Option<DateTime<Utc>>,
    /// Its reason is a planned one (the time leaves planned time instead of counting as downtime).
    pub planned: bool,
    pub reason: Option<ReasonId>,
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
    pub lines: &'a [LineId],
    pub slots: &'a [Slot],
    pub stops: &'a [StopCell],
    /// Units at the lines' outputs inside the windows.
    pub output: &'a [OutputCell],
    /// Only this product's share.
    pub product: Option<ProductId>,
    /// Each line's first unit ever; planned time before it (all of it, for a line absent here) is no data.
    pub first_units: &'a BTreeMap<LineId, DateTime<Utc>>,
    /// The lines' micro-stops in the hours the windows touch (counted in the bucket their hour starts in, or the
    /// first bucket; a line's, not a product's: a product filter leaves them out).
    pub micro: &'a [MicroCell],
}

/// The figures of a span.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub total: Totals,
    pub lines: BTreeMap<LineId, Totals>,
    pub products: BTreeMap<ProductId, Totals>,
    /// One per slot, in order.
    pub slots: Vec<Totals>,
}

/// Planned time inside the windows and up to now (time not yet come is not planned yet), sorted and disjoint: what
/// the figures and the Pareto both measure stops against.
pub(super) fn planned_time(input: &Inputs) -> Vec<Span> {
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
pub(super) fn grain(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::hours(1)).unwrap_or(t)
}

/// `whole` shared in proportion to `weights` (which add up to `of`), the parts adding up to `whole` exactly: each
/// part is the step of the rounded-down running share (no part is off by more than a millisecond).
pub(super) fn apportion(whole: i64, weights: impl IntoIterator<Item = i64>, of: i64) -> Vec<i64> {
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
pub(super) struct Piece {
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
        // This line's time per piece: planned before its first unit ever is no data.
        let first = input.first_units.get(&line).copied();
        let mut time: Vec<Totals> = pieces
            .iter()
            .zip(&piece_planned)
            .map(|(piece, &p)| {
                let no_data = match first {
                    None => p,
                    Some(f) if piece.span.start < f => {
                        overlap_ms(&planned, &Span::new(piece.span.start, piece.span.end.min(f)))
                    }
                    Some(_) => 0,
                };
                Totals { planned_ms: p - no_data, no_data_ms: no_data, ..Totals::default() }
            })
            .collect();
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
        let mut units: Vec<BTreeMap<ProductId, Totals>> = vec![BTreeMap::new(); n];
        let mut mix: Vec<BTreeMap<ProductId, i64>> = vec![BTreeMap::new(); steps.len()];
        for c in input.output.iter().filter(|c| c.line == line) {
            let (Some(i), Some(h)) = (slot_of(c.at), step_of(c.at)) else { continue };
            *units[i].entry(c.product).or_default() += Totals {
                total: c.total,
                good: c.good,
                ideal_ms: c.ideal_ms,
                reject_ideal_ms: c.reject_ideal_ms(),
                people_total: c.people_total,
                people_good: c.people_good,
                ..Totals::default()
            };
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
        let mut shares: Vec<BTreeMap<ProductId, Totals>> = vec![BTreeMap::new(); pieces.len()];
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
        if input.product.is_none() {
            for c in input.micro.iter().filter(|c| c.line == line) {
                let Some(i) = slot_of(c.hour) else { continue };
                let t = Totals { micro_stop_ms: c.ms, micro_stops: c.stops, ..Totals::default() };
                out.slots[i] += t;
                line_total += t;
            }
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
    pub id: LineId,
    pub code: String,
    pub name: String,
    pub target: f64,
    /// Whether its units are its machines' or people's (its figure's `people_total` and `people_good` say what
    /// people's facts added to it).
    #[serde(default)]
    pub counting: Counting,
    pub figure: Figure,
    /// Its six big losses, MTBF and MTTR (none with a product filter).
    #[serde(default)]
    pub losses: Option<super::Losses>,
}

/// A product's row (product distribution).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: ProductId,
    pub code: String,
    pub name: String,
    pub figure: Figure,
}

/// A stop as the downtime table lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopRow {
    pub id: i64,
    pub line_id: LineId,
    pub line: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    /// Its length inside the span looked at (up to now when still going on).
    pub ms: i64,
    /// Of that, its minutes in planned time: what the downtime figure and the Pareto count of it.
    pub planned_ms: i64,
    pub reason: Option<ReasonId>,
    pub note: Option<String>,
    /// Who gave it its reason (a person, or a key's name: a line's terminal).
    #[serde(default)]
    pub classified_by: Option<String>,
    /// Entered by a person (added by hand, or split).
    #[serde(default)]
    pub manual: bool,
}
