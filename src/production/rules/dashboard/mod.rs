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
//!
//! The module's parts: `time` (buckets and windows), `figures` (the calculation), `pareto`, `range` (what span a
//! dashboard looks at), `timeline` (each line's running, stopped, no data, planned stop), `widgets` (each widget kind's parameters); here, the wire types a dashboard's page and its
//! server functions share.

mod figures;
mod losses;
mod pareto;
mod range;
mod report;
#[cfg(test)]
mod tests;
mod time;
mod timeline;
mod widgets;

use crate::ids::{LineId, ProductId, ReasonId, ShiftId};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub use figures::*;
pub use losses::*;
pub use pareto::*;
pub use range::*;
pub use report::*;
pub use time::*;
pub use timeline::*;
pub use widgets::*;

use super::kinds::{FilterKey, Template, WidgetKind};

/// A line the dashboard can show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineRef {
    pub id: LineId,
    pub code: String,
    pub name: String,
    pub target: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRef {
    pub id: ProductId,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftRef {
    pub id: ShiftId,
    pub name: String,
    /// "06:00–14:00".
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonRef {
    pub id: ReasonId,
    pub code: String,
    pub name: String,
    pub planned: bool,
    /// A set-up or changeover: its stops are the set-up loss, not a breakdown.
    #[serde(default)]
    pub setup: bool,
    /// `#rrggbb`.
    pub colour: String,
    /// Retired reasons still name old stops but are not offered.
    pub active: bool,
    /// Its branch of the reason tree (none: a reason on its own).
    #[serde(default)]
    pub category: Option<String>,
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

pub(super) fn twelve() -> u8 {
    12
}

pub(super) fn two() -> u8 {
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
    pub classify_lines: Vec<LineId>,
    /// What a plant needs before its first live figure, for those who set it up (none for anyone else).
    #[serde(default)]
    pub first_steps: Option<FirstSteps>,
}

/// A new plant's first steps, each done or not: lines, products, shifts, reasons, units from a machine, people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstSteps {
    pub lines: bool,
    pub products: bool,
    pub shifts: bool,
    pub reasons: bool,
    /// A line has counted a unit.
    pub units: bool,
    /// Someone besides the owner has an account.
    pub people: bool,
}

impl FirstSteps {
    pub fn done(&self) -> bool {
        self.lines && self.products && self.shifts && self.reasons && self.units && self.people
    }
}

/// What a dashboard asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Query {
    #[serde(default)]
    pub range: Range,
    /// A custom range's span.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub line: Option<LineId>,
    pub product: Option<ProductId>,
    pub shift: Option<ShiftId>,
    /// The series' bucket (by default, the range's natural one).
    pub bucket: Option<Bucket>,
}

/// The figures a dashboard shows for a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The plant's time zone: the one its calendar, days and shifts are in, and every time shown is given in.
    pub time_zone: chrono_tz::Tz,
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
    /// The six big losses of the lines looked at (none with a product filter: stops are a line's, not a product's).
    #[serde(default)]
    pub losses: Option<Losses>,
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

/// What a figure drills down to, its causes: the minutes behind it; for availability (and downtime) each line's
/// timeline over the span; for quality (and the unit counts) the rejects by product and area.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DrillData {
    pub minutes: Vec<MinuteRow>,
    #[serde(default)]
    pub timeline: Vec<LineTimeline>,
    #[serde(default)]
    pub rejects: Vec<RejectRow>,
}

/// Units of one product at one area of the lines looked at, in the span: how many were counted and how many of them
/// were good (the rest rejected there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectRow {
    pub product: String,
    pub product_name: String,
    pub area: String,
    pub area_name: String,
    pub area_kind: super::kinds::AreaKind,
    pub total: i64,
    pub good: i64,
}

impl RejectRow {
    pub fn rejects(&self) -> i64 {
        (self.total - self.good).max(0)
    }
}

/// The figures a drill-down lists causes of (and exports: `causes.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// Stops, with reasons, lengths and who classified them.
    Availability,
    /// Cycles by product (ideal and actual) and micro-stops by line.
    Performance,
    /// Rejects by product and area.
    Quality,
}

impl Cause {
    /// The causes behind a drilled figure (its key in the URL).
    pub fn of_figure(figure: &str) -> Option<Cause> {
        match figure {
            "availability" | "downtime" => Some(Cause::Availability),
            "performance" => Some(Cause::Performance),
            "quality" | "good" | "total" => Some(Cause::Quality),
            _ => None,
        }
    }
}

crate::codes::text_enum!(Cause "cause" {
    Availability => "availability", Performance => "performance", Quality => "quality",
});
