//! The movement history's export: what is asked (items, departments, kinds of movement, a span), checked before
//! anything is queued, and where an export stands as the pages and REST show it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ledger::MovementKind;
use crate::codes::{ErrorCode, FieldError, text_enum};
use crate::ids::{DepartmentId, ItemId};

/// Most items or departments named in one export.
pub const MAX_NAMED: usize = 500;

/// Which movements an export writes: all of them when nothing is named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportFilter {
    /// These items only (at most 500).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 500))]
    pub items: Vec<ItemId>,
    /// These departments only (at most 500).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 500))]
    pub departments: Vec<DepartmentId>,
    /// These kinds only.
    #[serde(default)]
    pub kinds: Vec<MovementKind>,
    /// From this moment on (inclusive).
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Before this moment (exclusive).
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

impl ExportFilter {
    /// Every problem, by field.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.items.len() > MAX_NAMED {
            errors.push(FieldError::new("items", ErrorCode::TooLong));
        }
        if self.departments.len() > MAX_NAMED {
            errors.push(FieldError::new("departments", ErrorCode::TooLong));
        }
        if let (Some(f), Some(t)) = (self.from, self.to)
            && t <= f
        {
            errors.push(FieldError::new("to", ErrorCode::RangeInvalid));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// Where an export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    /// Waiting for the background job (a second or so).
    Queued,
    Running,
    /// Its file is ready.
    Done,
    Failed,
}
text_enum!(ExportStatus "export status" { Queued => "queued", Running => "running", Done => "done", Failed => "failed" });

/// An export as its requester sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Export {
    pub id: i64,
    pub status: ExportStatus,
    pub filter: ExportFilter,
    /// Movements it writes (known once it runs).
    pub total: Option<i64>,
    /// Written so far.
    pub rows: i64,
    /// Size of the file so far, in bytes.
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Export {
    /// How far along it is, 0–100 (100 once done).
    pub fn percent(&self) -> u8 {
        match (self.status, self.total) {
            (ExportStatus::Done, _) => 100,
            (_, Some(t)) if t > 0 => ((self.rows.min(t) * 100) / t) as u8,
            _ => 0,
        }
    }
}

/// The CSV's columns, in order.
pub const COLUMNS: [&str; 16] = [
    "at",
    "movement",
    "posting",
    "kind",
    "sku",
    "item",
    "unit",
    "department",
    "quantity",
    "balance_after",
    "person",
    "other_department",
    "reference",
    "reason",
    "author",
    "source",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_that_ends_before_it_starts_and_too_many_names_are_refused() {
        let now = Utc::now();
        let f = ExportFilter { from: Some(now), to: Some(now), ..ExportFilter::default() };
        assert_eq!(f.check().unwrap_err()[0].field, "to");
        let f = ExportFilter { items: vec![ItemId(1); MAX_NAMED + 1], ..ExportFilter::default() };
        assert_eq!(f.check().unwrap_err()[0].field, "items");
        assert!(ExportFilter::default().check().is_ok());
    }

    #[test]
    fn progress_is_a_percentage_of_what_it_writes() {
        let e = Export {
            id: 1,
            status: ExportStatus::Running,
            filter: ExportFilter::default(),
            total: Some(400),
            rows: 100,
            bytes: 0,
            created_at: Utc::now(),
            finished_at: None,
        };
        assert_eq!(e.percent(), 25);
        assert_eq!(Export { total: None, ..e.clone() }.percent(), 0);
        assert_eq!(Export { status: ExportStatus::Done, ..e }.percent(), 100);
    }
}
