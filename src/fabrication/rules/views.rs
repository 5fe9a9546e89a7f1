//! The values the wire carries: pages and REST read the same parts, drawings, board and statistics.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::parts::{PartAction, PartKind, PartState, Priority};
use crate::ids::{FabPartId, SubsystemId};
use crate::workflow::machine::{Event, Person};

/// What parts are filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Subsystem {
    pub id: SubsystemId,
    pub name: String,
    pub archived: bool,
}

/// A part as the table, the board and the statistics show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PartSummary {
    pub id: FabPartId,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: PartKind,
    pub subsystem: Option<Subsystem>,
    pub quantity: i32,
    pub material: String,
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
    /// Due before today (the plant's) and not completed.
    pub overdue: bool,
    pub state: PartState,
    /// Its version: one more with every action (what an action is checked against).
    pub version: i32,
    pub requester: Person,
    /// Who holds its claim (claimed) or made it (completed).
    pub assignee: Option<Person>,
    pub claimed_at: Option<DateTime<Utc>>,
    /// When the claim's lease ends (claimed only): it expires into its queue then, unless extended.
    pub claim_expires_at: Option<DateTime<Utc>>,
    /// The current drawing revision (the last approved), if it has one.
    pub drawing_revision: Option<i32>,
    /// Claimed, and its drawing changed since the holder last saw it: they acknowledge it before completing.
    pub drawing_changed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A revision of a part's drawing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Drawing {
    pub revision: i32,
    pub name: String,
    pub media_type: String,
    pub size: i32,
    pub note: Option<String>,
    pub uploaded_by: Person,
    pub uploaded_at: DateTime<Utc>,
    /// Who approved it (none yet: waiting for a lead).
    pub approved_by: Option<Person>,
    pub approved_at: Option<DateTime<Utc>>,
    /// The part's current drawing.
    pub current: bool,
}

/// A part with its notes, link, drawings, timeline and what the caller may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = FabricationPartDetail))]
pub struct PartDetail {
    pub part: PartSummary,
    pub notes: String,
    pub cad_url: Option<String>,
    /// The revision the holder works from (claimed).
    pub seen_revision: Option<i32>,
    /// The revision a completed part was made from.
    pub made_from_revision: Option<i32>,
    pub drawings: Vec<Drawing>,
    /// Every action: who, when, from, to, why.
    pub timeline: Vec<Event>,
    /// The buttons the caller may press now (the workflow's table and who they are).
    pub actions: Vec<PartAction>,
    /// Whether the caller may edit it and upload a drawing.
    pub may_edit: bool,
    pub may_add_drawing: bool,
    /// The revisions the caller may approve.
    pub may_approve_drawings: Vec<i32>,
    /// How long a claim lasts here (minutes): what extending gives from now.
    pub lease_minutes: i32,
}

/// The board: the newest parts of each column, and the columns that have more than it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Board {
    pub parts: Vec<PartSummary>,
    /// How many parts each state holds (as the statistics count them).
    pub counts: Vec<StateCount>,
    pub more: Vec<PartState>,
}

/// How many parts are in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StateCount {
    pub state: PartState,
    pub count: i64,
}

/// How many parts of a subsystem are in a state (`subsystem` none: parts filed under none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SubsystemCount {
    pub subsystem: Option<Subsystem>,
    pub state: PartState,
    pub count: i64,
}

/// Parts completed in a week (starting Monday, the plant's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WeekCount {
    pub week: NaiveDate,
    pub count: i64,
}

/// How long parts stayed in a state before leaving it, over the window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StateTime {
    pub state: PartState,
    /// The median, in seconds.
    pub median_seconds: f64,
    /// How many stays it is the median of.
    pub stays: i64,
}

/// The shop's figures: the counts now, and what happened over the last `weeks` weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stats {
    /// Parts in each shown state now (every state, zeros included): the table's counts by state.
    pub by_state: Vec<StateCount>,
    pub by_subsystem: Vec<SubsystemCount>,
    pub total: i64,
    /// The window's start (Monday, the plant's midnight) and its length.
    pub since: DateTime<Utc>,
    pub weeks: i32,
    /// Each week of the window, oldest first (zeros included).
    pub completed_per_week: Vec<WeekCount>,
    pub time_in_state: Vec<StateTime>,
    /// Claims whose lease ran out in the window.
    pub claims_expired: i64,
}

/// The organisation's fabrication settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FabSettings {
    /// How long a claim lasts before it expires into its queue, in minutes (15 to 10,080).
    #[cfg_attr(feature = "ssr", schema(minimum = 15, maximum = 10080))]
    pub lease_minutes: i32,
}
