//! What a planner writes: stages, scrap reasons, orders with their route, a shift's facts reopened, the plant's
//! grace after a shift. Checked by `crate::mes::service::orders`; here so the pages' forms build them too.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{DepartmentId, ItemId, LineId, ProductId, ShiftId, StageId};
use crate::stockroom::rules::quantity::Qty;

/// What a stage is written with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StageInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub needs_shift: bool,
    #[serde(default)]
    pub inspection: bool,
    #[serde(default)]
    pub line_id: Option<LineId>,
    #[serde(default)]
    pub archived: bool,
}

/// What a scrap reason is written with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScrapReasonInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub archived: bool,
}

/// What an order is written with. Its route is given when it is created and is then its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub product_id: Option<ProductId>,
    pub quantity: i32,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// The stages it goes through, in order (on creation; a change keeps the route).
    #[serde(default)]
    pub route: Vec<StageId>,
}

/// A manager's reopening of a shift's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReopenInput {
    pub day: NaiveDate,
    /// The shift (none: the facts of the day recorded without one).
    #[serde(default)]
    pub shift_id: Option<ShiftId>,
    /// For how long from now, in minutes (at most a day).
    pub minutes: i32,
    pub reason: String,
}

/// The plant's settings of its facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FactSettings {
    /// How long after a shift ends its facts can still be recorded or reversed (minutes, at most a week).
    pub grace_minutes: i32,
}

/// An item an order needs from the stock room, and how much (in the item's unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MaterialInput {
    pub item_id: ItemId,
    #[cfg_attr(feature = "ssr", schema(value_type = f64, example = 12.5))]
    pub quantity: Qty,
}

/// What an order needs, all of it (replacing what it needed before).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MaterialsInput {
    pub materials: Vec<MaterialInput>,
}

/// Most items an order needs.
pub const MATERIALS_MAX: usize = 100;

/// Stock issued to an order from a department of the stock room: a posting of the ledger whose lines name the
/// order's code as their reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IssueInput {
    /// Chosen by the client, unique per write (1–100 characters): sent again, nothing is issued twice.
    pub idempotency_key: String,
    pub department_id: DepartmentId,
    pub lines: Vec<MaterialInput>,
}
