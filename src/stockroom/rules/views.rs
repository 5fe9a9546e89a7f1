//! The stock room as the wire carries it: pages and REST get these values as they are (pure serde shapes built by the
//! service; ARCHITECTURE.md's deliberate exception for wire values built in `rules`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ledger::{MovementKind, Source};
use super::quantity::{Qty, Unit};
use crate::ids::{AlertId, CategoryId, DepartmentId, ItemId, MovementId, PartId, PostId, UserId};

/// A place that holds stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Department {
    pub id: DepartmentId,
    pub code: String,
    pub name: String,
    /// Operators may issue to themselves here.
    pub self_issue: bool,
    pub archived: bool,
}

/// A node of the categories' tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: CategoryId,
    pub parent: Option<CategoryId>,
    pub name: String,
    /// Its names from the root down, joined by " › ".
    pub path: String,
    pub archived: bool,
}

/// An item as lists and the counter show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Item {
    pub id: ItemId,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub unit: Unit,
    pub category: Option<CategoryId>,
    /// What one unit costs, in cents of `currency`.
    pub unit_cost_cents: Option<i64>,
    pub currency: String,
    pub part: Option<PartId>,
    pub barcodes: Vec<String>,
    /// Across every department.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub total: Qty,
    /// Departments where it is below its threshold (counting what is on order).
    pub low_in: i64,
    pub archived: bool,
}

/// An item in one department: its balance and its level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Place {
    pub department: DepartmentId,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub balance: Qty,
    /// Below this (counting what is on order) an alert opens; 0: no alert.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub threshold: Qty,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<f64>))]
    pub reorder: Option<Qty>,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub on_order: Qty,
    pub low: bool,
}

/// An item with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemDetail {
    pub item: Item,
    pub places: Vec<Place>,
}

/// A movement of an item's history, with the balance right after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub id: MovementId,
    pub post: PostId,
    pub kind: MovementKind,
    pub department: DepartmentId,
    /// Signed: what the balance changed by.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub quantity: Qty,
    /// The department's balance of the item right after it.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub balance_after: Qty,
    /// Whom it was issued to or returned by.
    pub person: Option<String>,
    /// A transfer's other department.
    pub other_department: Option<DepartmentId>,
    pub reference: String,
    pub reason: String,
    /// The movement this one undoes.
    pub reverses: Option<MovementId>,
    /// The movement that undid this one.
    pub reversed_by: Option<MovementId>,
    pub at: DateTime<Utc>,
    /// Who recorded it (a person's name, or an API key's).
    pub author: String,
    pub source: Source,
}

/// An item's balance in each department as of a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BalanceAsOf {
    pub item: ItemId,
    pub at: DateTime<Utc>,
    pub departments: Vec<DepartmentBalance>,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub total: Qty,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DepartmentBalance {
    pub department: DepartmentId,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub balance: Qty,
}

/// A movement a posting recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Recorded {
    pub id: MovementId,
    /// The posting's line (from 1).
    pub line: usize,
    pub kind: MovementKind,
    pub item: ItemId,
    pub department: DepartmentId,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub quantity: Qty,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub balance_after: Qty,
    pub at: DateTime<Utc>,
}

/// What a posting recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostResult {
    pub post: PostId,
    /// The idempotency key was used before with the same request: this is what that posting recorded, nothing new.
    pub replayed: bool,
    pub movements: Vec<Recorded>,
    /// Alerts its movements opened.
    pub alerts: Vec<AlertId>,
}

/// A low-stock alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: AlertId,
    pub item: ItemId,
    pub sku: String,
    pub item_name: String,
    pub unit: Unit,
    pub department: DepartmentId,
    pub department_name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub threshold: Qty,
    /// The balance when it opened.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub balance_then: Qty,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub on_order_then: Qty,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub balance_now: Qty,
    /// What to order.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<f64>))]
    pub reorder: Option<Qty>,
    /// The movement that crossed the threshold, and who recorded it (none: the threshold itself was changed).
    pub opened_by: Option<MovementId>,
    pub opened_by_author: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub assigned_to: Option<UserId>,
    pub assigned_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A person of the organisation, as the counter offers them (stock issued to them) and the owner places them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub department: Option<DepartmentId>,
}

/// Where a stocktake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StocktakeStatus {
    Open,
    Posted,
    Cancelled,
}
crate::codes::text_enum!(StocktakeStatus "stocktake status" { Open => "open", Posted => "posted", Cancelled => "cancelled" });

/// A stocktake of a department: what each item was expected to be when it started, what was counted, the difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stocktake {
    pub id: crate::ids::StocktakeId,
    pub department: DepartmentId,
    pub status: StocktakeStatus,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The posting of its corrections, once posted.
    pub post: Option<PostId>,
    pub lines: Vec<StocktakeLine>,
}

/// An item of a stocktake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StocktakeLine {
    pub item: ItemId,
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    /// The balance when the stocktake started (frozen).
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub expected: Qty,
    /// Not counted yet: `null` (posting leaves it as it is).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<f64>))]
    pub counted: Option<Qty>,
    /// What posting corrects it by (counted − expected).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<f64>))]
    pub difference: Option<Qty>,
    pub counted_by: Option<String>,
    pub counted_at: Option<DateTime<Utc>>,
}

/// An item of the caller's store room that is a catalog part, with what there is of it (every department together):
/// what a workshop sees on the part's page and beside it in its searches ("en tu almacén").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShelfEntry {
    pub part: PartId,
    pub item: ItemId,
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub balance: Qty,
}
