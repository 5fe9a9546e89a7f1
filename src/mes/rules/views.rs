//! The values the wire carries: pages and REST read the same tasks, orders and facts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::facts::{OrderState, Source};
use super::tasks::{TaskAction, TaskState};
use crate::identity::rules::auth::Role;
use crate::ids::{
    CommentId, FactId, ItemId, LineId, OrderId, ProductId, ScrapReasonId, ShiftId, StageId, TaskCategoryId, TaskId,
};
use crate::stockroom::rules::ledger::MovementKind;
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::workflow::machine::{Event, Person};

/// A category tasks are filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = TaskCategory))]
pub struct Category {
    pub id: TaskCategoryId,
    pub code: String,
    pub name: String,
    pub archived: bool,
}

/// A line a task concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LineName {
    pub id: LineId,
    pub code: String,
    pub name: String,
}

/// A task as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskSummary {
    pub id: TaskId,
    pub title: String,
    pub state: TaskState,
    /// Its version: one more with every transition (what a transition is checked against).
    pub version: i32,
    pub category: Option<Category>,
    pub due_date: Option<NaiveDate>,
    /// Due before today (the plant's) and not finished.
    pub overdue: bool,
    pub blocker: bool,
    pub line: Option<LineName>,
    /// Who holds it (none: a role's task nobody has accepted yet).
    pub assignee: Option<Person>,
    /// The role it was given to, if it was.
    pub assignee_role: Option<Role>,
    pub creator: Person,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changed since the caller last read it (a machine reads nothing: false).
    pub unread: bool,
}

/// A board: the newest tasks of each state it shows, and the states with more than it shows (their list has them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub tasks: Vec<TaskSummary>,
    pub more: Vec<TaskState>,
}

/// A comment on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: CommentId,
    pub by: Person,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// A task with everything its page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskDetail {
    pub task: TaskSummary,
    pub description: String,
    /// Every transition, oldest first (its creation the first).
    pub timeline: Vec<Event>,
    pub comments: Vec<Comment>,
    /// What the caller may do to it now.
    pub actions: Vec<TaskAction>,
    /// Its photos and documents, oldest first.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// A file attached to a task (its bytes at `GET /api/v1/mes/tasks/{task}/attachments/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    pub by: Person,
    pub at: DateTime<Utc>,
}

/// An open blocker of a line, as its dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Blocker {
    pub id: TaskId,
    pub title: String,
    pub state: TaskState,
    pub line: LineId,
    pub assignee: Option<String>,
    pub assignee_role: Option<Role>,
    pub since: DateTime<Utc>,
}

/// A stage orders go through (data per organisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stage {
    pub id: StageId,
    pub code: String,
    pub name: String,
    /// A fact here names the plant's shift and its operator.
    pub needs_shift: bool,
    /// Scrap found here was made earlier (it lowers the quality of the line and shift that made the units).
    pub inspection: bool,
    /// The line it runs on.
    pub line: Option<LineName>,
    pub archived: bool,
}

/// What scrap is put down to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScrapReason {
    pub id: ScrapReasonId,
    pub code: String,
    pub name: String,
    pub archived: bool,
}

/// A product an order makes (the plant's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductName {
    pub id: ProductId,
    pub code: String,
    pub name: String,
}

/// A stage of an order's route and how far it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderStage {
    pub stage: StageId,
    pub code: String,
    pub name: String,
    /// Σ good pieces of its facts (reversals included).
    pub good: i32,
    pub scrap: i32,
    /// Good over ordered (past 1 when more came out good).
    pub progress: f64,
}

/// A production order as lists show it: its route with each stage's progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderSummary {
    pub id: OrderId,
    pub code: String,
    pub name: String,
    pub product: Option<ProductName>,
    pub quantity: i32,
    pub due_date: Option<NaiveDate>,
    /// Due before today (the plant's) and not finished.
    pub overdue: bool,
    pub state: OrderState,
    pub stages: Vec<OrderStage>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stage fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Fact {
    pub id: FactId,
    pub order: OrderId,
    pub stage: StageId,
    pub day: NaiveDate,
    pub shift: Option<ShiftName>,
    pub operator: Option<Person>,
    /// Negative in a reversal.
    pub good: i32,
    pub scrap: i32,
    pub scrap_reason: Option<ScrapReasonName>,
    pub comment: Option<String>,
    /// The fact this one reverses.
    pub reverses: Option<FactId>,
    /// The fact that reversed this one.
    pub reversed_by: Option<FactId>,
    pub recorded_by: Person,
    pub recorded_at: DateTime<Utc>,
    pub source: Source,
}

/// A shift as a fact names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShiftName {
    pub id: ShiftId,
    pub name: String,
}

/// A scrap reason as a fact names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScrapReasonName {
    pub id: ScrapReasonId,
    pub name: String,
}

/// An order with its latest facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderDetail {
    pub order: OrderSummary,
    /// Newest first, the latest 200.
    pub facts: Vec<Fact>,
    /// What it needs from the stock room and what it has consumed, by item.
    #[serde(default)]
    pub materials: Vec<OrderMaterial>,
    /// Its movements in the stock room's ledger, newest first (the latest 200).
    #[serde(default)]
    pub movements: Vec<OrderMovement>,
}

/// A movement of the stock room's ledger for an order: an issue, a return, or a reversal of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderMovement {
    pub id: i64,
    pub kind: MovementKind,
    pub item: ItemId,
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    pub department: String,
    /// Signed, in the item's unit: an issue takes stock out (negative), a return brings it back.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub quantity: Qty,
    /// The movement this one reverses.
    pub reverses: Option<i64>,
    /// The movement that reversed this one.
    pub reversed_by: Option<i64>,
    /// Who posted it (a person's or a key's name, as it was).
    pub author: String,
    pub at: DateTime<Utc>,
}

/// An item an order needs or was issued: planned, consumed (the stock room's ledger: issued to the order's code,
/// less returns, reversals taken out), still to issue, and in stock now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderMaterial {
    pub item: ItemId,
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    /// Planned for the order (0: issued without being planned).
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub needed: Qty,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub consumed: Qty,
    /// Needed less consumed, never below zero.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub remaining: Qty,
    /// In the stock room now, every department.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub on_hand: Qty,
}

/// A fact recorded, and its order as it now stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = FactRecorded))]
pub struct Recorded {
    pub fact: Fact,
    pub order: OrderSummary,
}

/// A run of one of the plant's shifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShiftRun {
    pub id: ShiftId,
    pub name: String,
    /// The plant's day it started on.
    pub day: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The plant's clock: the shift on now (none between shifts) and the next to start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentShift {
    pub time_zone: String,
    /// The plant's day now.
    pub today: NaiveDate,
    pub current: Option<ShiftRun>,
    pub next: Option<ShiftRun>,
    pub at: DateTime<Utc>,
}

/// What the floor's forms offer: the plant's products, its live stages and scrap reasons, its shifts, the people who
/// record work, and its clock now (the current shift a fact starts with).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Choices {
    pub products: Vec<ProductName>,
    pub stages: Vec<Stage>,
    pub scrap_reasons: Vec<ScrapReasonName>,
    pub shifts: Vec<ShiftName>,
    pub people: Vec<Person>,
    pub clock: CurrentShift,
}
