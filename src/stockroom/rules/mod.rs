//! The stock room's pure rules: quantities and units (`quantity`), the ledger's postings and arithmetic (`ledger`),
//! the set-up's checks (here), the values the wire carries (`views`), and printable labels (`labels`).

pub mod export;
pub mod import;
pub mod labels;
pub mod ledger;
pub mod quantity;
pub mod views;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use self::quantity::{Qty, Unit};
use crate::codes::{ErrorCode, FieldError, check_text};
use crate::ids::{CategoryId, DepartmentId, PartId};

/// A department as written by whoever sets the stock room up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DepartmentInput {
    /// A short code (1–20 characters), unique in the organisation whatever its case: `TOOLS`, `MANT`.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub self_issue: bool,
    #[serde(default)]
    pub archived: bool,
}

impl DepartmentInput {
    /// Trimmed, or every bad field.
    pub fn checked(&self) -> Result<DepartmentInput, Vec<FieldError>> {
        let code = check_text("code", &self.code, true, 20);
        let name = check_text("name", &self.name, true, 80);
        match (code, name) {
            (Ok(code), Ok(name)) => Ok(DepartmentInput { code, name, ..self.clone() }),
            (c, n) => Err([c.err(), n.err()].into_iter().flatten().collect()),
        }
    }
}

/// A category as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryInput {
    #[serde(default)]
    pub parent: Option<CategoryId>,
    pub name: String,
    #[serde(default)]
    pub archived: bool,
}

/// Whether placing `id` under `parent` keeps the categories a tree (`parents`: every category's parent now).
pub fn check_parent(
    id: Option<CategoryId>,
    parent: Option<CategoryId>,
    parents: &HashMap<CategoryId, Option<CategoryId>>,
) -> Result<(), ErrorCode> {
    let mut at = parent;
    let mut steps = 0;
    while let Some(p) = at {
        if Some(p) == id {
            return Err(ErrorCode::CategoryCycle);
        }
        at = *parents.get(&p).ok_or(ErrorCode::NotFound)?;
        steps += 1;
        if steps > parents.len() {
            return Err(ErrorCode::CategoryCycle);
        }
    }
    Ok(())
}

/// A category's names from the root down, joined by " › ".
pub fn category_path(id: CategoryId, names: &HashMap<CategoryId, (Option<CategoryId>, String)>) -> String {
    let mut parts = Vec::new();
    let mut at = Some(id);
    while let Some(c) = at {
        let Some((parent, name)) = names.get(&c) else { break };
        parts.push(name.as_str());
        at = *parent;
        if parts.len() > names.len() {
            break;
        }
    }
    parts.reverse();
    parts.join(" › ")
}

/// An item as written (new or changed). Levels and barcodes travel with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemInput {
    /// Unique in the organisation whatever its case (1–60 characters).
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub unit: Unit,
    #[serde(default)]
    pub category: Option<CategoryId>,
    /// What one unit costs, in cents of the organisation's currency.
    #[serde(default)]
    pub unit_cost_cents: Option<i64>,
    #[serde(default)]
    pub part: Option<PartId>,
    /// Codes a scanner reads for it (each 1–80 characters, at most 20).
    #[serde(default)]
    pub barcodes: Vec<String>,
    #[serde(default)]
    pub archived: bool,
}

/// Most barcodes per item.
pub const MAX_BARCODES: usize = 20;

impl ItemInput {
    /// Trimmed (barcodes: blank ones dropped, duplicates once), or every bad field.
    pub fn checked(&self) -> Result<ItemInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let sku = keep(check_text("sku", &self.sku, true, 60));
        let name = keep(check_text("name", &self.name, true, 160));
        let description =
            match check_text("description", &self.description.replace(['\n', '\r', '\t'], " "), false, 2000) {
                Ok(d) => d,
                Err(e) => {
                    errors.push(e);
                    String::new()
                }
            };
        if self.unit_cost_cents.is_some_and(|c| !(0..=1_000_000_000_000).contains(&c)) {
            errors.push(FieldError::new("unit_cost_cents", ErrorCode::InvalidInput));
        }
        let mut barcodes: Vec<String> = Vec::new();
        for (i, b) in self.barcodes.iter().enumerate() {
            match check_text(&format!("barcodes.{}", i + 1), b, false, 80) {
                Ok(b) if b.is_empty() => {}
                Ok(b) if barcodes.contains(&b) => {}
                Ok(b) => barcodes.push(b),
                Err(e) => errors.push(e),
            }
        }
        if barcodes.len() > MAX_BARCODES {
            errors.push(FieldError::new("barcodes", ErrorCode::TooLong));
        }
        if errors.is_empty() { Ok(ItemInput { sku, name, description, barcodes, ..self.clone() }) } else { Err(errors) }
    }
}

/// An item's level in a department, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LevelInput {
    pub department: DepartmentId,
    /// Below this (counting what is on order) an alert opens; 0: never.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub threshold: Qty,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<f64>))]
    pub reorder: Option<Qty>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub on_order: Qty,
}

impl LevelInput {
    pub fn check(&self, unit: Unit) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut field = |name: &str, q: Qty, positive: bool| {
            let bad = q.0 < 0 || positive && q.0 == 0 || !q.in_bounds();
            if bad {
                errors.push(FieldError::new(name, ErrorCode::InvalidInput));
            } else if unit.whole() && !q.is_whole() {
                errors.push(FieldError::new(name, ErrorCode::WholeUnits));
            }
        };
        field("threshold", self.threshold, false);
        if let Some(r) = self.reorder {
            field("reorder", r, true);
        }
        field("on_order", self.on_order, false);
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_stay_a_tree() {
        let parents: HashMap<_, _> =
            [(CategoryId(1), None), (CategoryId(2), Some(CategoryId(1))), (CategoryId(3), Some(CategoryId(2)))].into();
        assert_eq!(check_parent(Some(CategoryId(1)), Some(CategoryId(3)), &parents), Err(ErrorCode::CategoryCycle));
        assert_eq!(check_parent(Some(CategoryId(2)), Some(CategoryId(2)), &parents), Err(ErrorCode::CategoryCycle));
        assert_eq!(check_parent(Some(CategoryId(3)), Some(CategoryId(1)), &parents), Ok(()));
        assert_eq!(check_parent(None, Some(CategoryId(9)), &parents), Err(ErrorCode::NotFound));
        assert_eq!(check_parent(None, None, &parents), Ok(()));
        let names: HashMap<_, _> = [
            (CategoryId(1), (None, "Herramienta".to_owned())),
            (CategoryId(2), (Some(CategoryId(1)), "Manual".to_owned())),
            (CategoryId(3), (Some(CategoryId(2)), "Llaves".to_owned())),
        ]
        .into();
        assert_eq!(category_path(CategoryId(3), &names), "Herramienta › Manual › Llaves");
    }

    #[test]
    fn an_item_is_trimmed_and_every_bad_field_named() {
        let input = ItemInput {
            sku: " LL-10 ".into(),
            name: "Llave 10 mm".into(),
            description: "Combinada\ncromada".into(),
            unit: Unit::Piece,
            category: None,
            unit_cost_cents: Some(12_50),
            part: None,
            barcodes: vec!["750100".into(), " ".into(), "750100".into(), "750101".into()],
            archived: false,
        };
        let ok = input.checked().unwrap();
        assert_eq!((ok.sku.as_str(), ok.description.as_str()), ("LL-10", "Combinada cromada"));
        assert_eq!(ok.barcodes, vec!["750100".to_owned(), "750101".to_owned()]);
        let bad = ItemInput { sku: "".into(), name: "x".repeat(161), unit_cost_cents: Some(-1), ..input };
        let fields: Vec<_> = bad.checked().unwrap_err().into_iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("sku".into(), ErrorCode::Required),
                ("name".into(), ErrorCode::TooLong),
                ("unit_cost_cents".into(), ErrorCode::InvalidInput)
            ]
        );
    }

    #[test]
    fn a_level_is_in_the_items_unit() {
        let level = |t: i64, r: Option<i64>, o: i64| LevelInput {
            department: DepartmentId(1),
            threshold: Qty(t),
            reorder: r.map(Qty),
            on_order: Qty(o),
        };
        assert_eq!(level(5000, Some(10_000), 0).check(Unit::Piece), Ok(()));
        let fields = |r: Result<(), Vec<FieldError>>| -> Vec<(String, ErrorCode)> {
            r.unwrap_err().into_iter().map(|e| (e.field, e.code)).collect()
        };
        assert_eq!(
            fields(level(500, Some(0), -1).check(Unit::Piece)),
            vec![
                ("threshold".into(), ErrorCode::WholeUnits),
                ("reorder".into(), ErrorCode::InvalidInput),
                ("on_order".into(), ErrorCode::InvalidInput)
            ]
        );
        assert_eq!(level(500, None, 250).check(Unit::Kg), Ok(()));
    }
}
