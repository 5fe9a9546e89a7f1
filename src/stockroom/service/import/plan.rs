//! What an item list's rows would do, judged against the file's other rows and the organisation's items,
//! departments, barcodes, balances and categories (one statement each): a plan per valid row, and the rows refused
//! with why.

use std::collections::{HashMap, HashSet};

use crate::codes::ErrorCode;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::ids::{DepartmentId, TenantId};
use crate::inventory::service::workbook::Line;
use crate::stockroom::rules::import::{
    self as rules, Column, ImportView, ItemMapping, ItemReject, ItemRow, REJECTS_SHOWN, RowProblem,
};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::store::import::{self as store, KnownItem};
use crate::stockroom::store::setup::{self as setup_store, DepartmentRow};

/// What one valid row does.
pub(super) struct RowPlan {
    pub line: u64,
    pub key: String,
    pub row: ItemRow,
    pub known: Option<i64>,
    pub department: Option<DepartmentId>,
    /// The first stock it brings in.
    pub receipt: Option<Qty>,
    /// A later line of the same SKU: only its department's level and stock (the item is the first line's).
    pub place_only: bool,
}

/// A category's id by its parent and its name in lower case.
pub(super) type Paths = HashMap<(Option<i32>, String), i32>;

/// What the file would do.
#[derive(Default)]
pub(super) struct Plan {
    pub rows: Vec<RowPlan>,
    pub rejects: Vec<ItemReject>,
    /// Each SKU's (lower case) first line, as read.
    first: HashMap<String, (u64, ItemRow)>,
    /// The categories there are, and the paths to make (parents before children).
    pub paths: Paths,
    pub new_paths: Vec<Vec<String>>,
}

impl Plan {
    fn reject(&mut self, line: u64, sku: &str, problem: RowProblem) {
        self.rejects.push(ItemReject { line, sku: sku.to_owned(), problem });
    }

    /// Says what the plan does in `view`.
    pub fn tell(&mut self, view: &mut ImportView) {
        let rows = &self.rows;
        self.rejects.sort_by_key(|r| r.line);
        view.rejected = self.rejects.len() as u64;
        view.rejects = self.rejects.iter().take(REJECTS_SHOWN).cloned().collect();
        view.new_items = rows.iter().filter(|p| !p.place_only && p.known.is_none()).count() as u64;
        view.changed_items = rows.iter().filter(|p| !p.place_only && p.known.is_some()).count() as u64;
        view.levels = rows.iter().filter(|p| p.row.threshold.is_some() || p.row.reorder.is_some()).count() as u64;
        view.receipts = rows.iter().filter(|p| p.receipt.is_some()).count() as u64;
        view.new_categories = self.new_paths.iter().map(|p| p.join(" › ")).collect();
    }
}

/// Judges every row (see the module's documentation).
pub(super) async fn plan(
    tx: &mut Tx,
    tenant: TenantId,
    department: Option<DepartmentId>,
    mapping: &ItemMapping,
    lines: &[Line],
) -> Result<Plan> {
    let sku_col = mapping[&Column::Sku];
    let keys: Vec<String> = {
        let set: HashSet<String> =
            lines.iter().filter_map(|(_, c)| c.get(sku_col)).map(|s| s.trim().to_lowercase()).collect();
        set.into_iter().filter(|k| !k.is_empty()).collect()
    };
    let known: HashMap<String, KnownItem> =
        store::items_by_sku(tx, tenant, &keys).await?.into_iter().map(|k| (k.key.clone(), k)).collect();
    let departments = setup_store::departments(tx, tenant).await?;
    if let Some(d) = department
        && !departments.iter().any(|r| r.id == d.0 && r.archived_at.is_none())
    {
        return Err(Error::field("department", ErrorCode::NotFound));
    }
    let mut plan = Plan::default();
    check_rows(&mut plan, lines, mapping, &known, &departments, department)?;
    check_barcodes(tx, tenant, &mut plan).await?;
    check_stock(tx, &mut plan).await?;
    drop_orphans(&mut plan);
    categories(tx, tenant, &mut plan).await?;
    Ok(plan)
}

/// Each row on its own, then against the file's rows before it and the organisation's items.
fn check_rows(
    plan: &mut Plan,
    lines: &[Line],
    mapping: &ItemMapping,
    known: &HashMap<String, KnownItem>,
    departments: &[DepartmentRow],
    default_department: Option<DepartmentId>,
) -> Result<()> {
    let units: HashMap<&str, Unit> =
        known.iter().filter_map(|(k, i)| Unit::parse(&i.unit).map(|u| (k.as_str(), u))).collect();
    let find_department = |text: &str| {
        let t = text.trim().to_lowercase();
        departments
            .iter()
            .filter(|d| d.archived_at.is_none())
            .find(|d| d.code.to_lowercase() == t || d.name.to_lowercase() == t)
            .map(|d| DepartmentId(d.id))
    };
    let marks = rules::marks(lines.iter().map(|(_, c)| c.as_slice()), mapping);
    let sku_col = mapping[&Column::Sku];
    let mut places: HashSet<(String, DepartmentId)> = HashSet::new();
    for (line, cells) in lines {
        let line = *line;
        let unit_of = |sku: &str| units.get(sku.to_lowercase().as_str()).copied();
        let mut row = match rules::check_row(cells, mapping, &marks, unit_of) {
            Ok(r) => r,
            Err(p) => {
                plan.reject(line, cells.get(sku_col).map(|s| s.trim()).unwrap_or_default(), p);
                continue;
            }
        };
        let key = row.sku.to_lowercase();
        let item = known.get(&key);
        let department = match (row.needs_department(), &row.department) {
            (false, _) => None,
            (true, Some(text)) => match find_department(text) {
                Some(d) => Some(d),
                None => {
                    plan.reject(line, &row.sku, RowProblem::UnknownDepartment { value: text.clone() });
                    continue;
                }
            },
            (true, None) => match default_department {
                Some(d) => Some(d),
                None => {
                    plan.reject(line, &row.sku, RowProblem::Missing { column: Column::Department });
                    continue;
                }
            },
        };
        // The same SKU again: the same item in another department (what the item list's export writes), else a
        // repeat.
        let place_only = match plan.first.get(&key) {
            Some((first, first_row)) => {
                let new_place = department.is_some_and(|d| places.insert((key.clone(), d)));
                if !new_place || !row.agrees_with(first_row) {
                    let first = *first;
                    plan.reject(line, &row.sku, RowProblem::RepeatedSku { line: first });
                    continue;
                }
                row = row.place_part();
                true
            }
            None => {
                plan.first.insert(key.clone(), (line, row.clone()));
                if let Some(d) = department {
                    places.insert((key.clone(), d));
                }
                false
            }
        };
        let problem = if let (Some(i), Some(u)) = (item, row.unit)
            && Unit::parse(&i.unit) != Some(u)
        {
            Some(RowProblem::UnitChanged { unit: Unit::decode(&i.unit)? })
        } else if item.is_none() && row.name.is_none() && !place_only {
            Some(RowProblem::Missing { column: Column::Name })
        } else if item.is_some_and(|i| i.archived) && row.quantity.is_some_and(|q| q.0 > 0) {
            Some(RowProblem::Archived)
        } else {
            None
        };
        if let Some(p) = problem {
            plan.reject(line, &row.sku, p);
            continue;
        }
        let receipt = row.quantity.filter(|q| q.0 > 0);
        plan.rows.push(RowPlan { line, key, row, known: item.map(|i| i.id), department, receipt, place_only });
    }
    Ok(())
}

/// Barcodes: each names one item, in the organisation and in the file.
async fn check_barcodes(tx: &mut Tx, tenant: TenantId, plan: &mut Plan) -> Result<()> {
    let codes: Vec<String> = plan
        .rows
        .iter()
        .flat_map(|p| p.row.barcodes.iter().flatten().cloned())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let owners: HashMap<String, (i64, String)> =
        store::barcode_owners(tx, tenant, &codes).await?.into_iter().map(|(code, id, sku)| (code, (id, sku))).collect();
    // Code → the key and SKU of the file's row that gives it.
    let mut claimed: HashMap<String, (String, String)> = HashMap::new();
    let mut refused = Vec::new();
    plan.rows.retain(|p| {
        for code in p.row.barcodes.iter().flatten() {
            let other = match owners.get(code) {
                Some((id, sku)) if Some(*id) != p.known => Some(sku.clone()),
                _ => claimed.get(code).filter(|(k, _)| *k != p.key).map(|(_, sku)| sku.clone()),
            };
            if let Some(sku) = other {
                refused.push((p.line, p.row.sku.clone(), RowProblem::BarcodeTaken { code: code.clone(), sku }));
                return false;
            }
        }
        for code in p.row.barcodes.iter().flatten() {
            claimed.insert(code.clone(), (p.key.clone(), p.row.sku.clone()));
        }
        true
    });
    for (line, sku, problem) in refused {
        plan.reject(line, &sku, problem);
    }
    Ok(())
}

/// Quantities of known items: the first stock where there is none; else the same as there is.
async fn check_stock(tx: &mut Tx, plan: &mut Plan) -> Result<()> {
    let (items, depts): (Vec<i64>, Vec<i32>) =
        plan.rows.iter().filter(|p| p.row.quantity.is_some()).filter_map(|p| Some((p.known?, p.department?.0))).unzip();
    // Locked as a posting locks them, so what is judged here still holds when the first stock comes in.
    let balances: HashMap<(i64, i32), i64> = crate::stockroom::store::ledger::lock_balances(tx, &items, &depts)
        .await?
        .into_iter()
        .map(|(i, d, q)| ((i.0, d.0), q))
        .collect();
    let mut refused = Vec::new();
    plan.rows.retain_mut(|p| {
        let (Some(id), Some(d), Some(q)) = (p.known, p.department, p.row.quantity) else { return true };
        let balance = balances.get(&(id, d.0)).copied().unwrap_or(0);
        if balance == q.0 {
            p.receipt = None;
        } else if balance != 0 {
            refused.push((p.line, p.row.sku.clone(), RowProblem::StockDiffers { balance: Qty(balance) }));
            return false;
        }
        true
    });
    for (line, sku, problem) in refused {
        plan.reject(line, &sku, problem);
    }
    Ok(())
}

/// A later line of a SKU whose first line was refused is refused with it.
fn drop_orphans(plan: &mut Plan) {
    let kept: HashSet<String> = plan.rows.iter().filter(|p| !p.place_only).map(|p| p.key.clone()).collect();
    let mut refused = Vec::new();
    plan.rows.retain(|p| {
        let orphan = p.place_only && !kept.contains(&p.key);
        if orphan {
            refused.push((p.line, p.row.sku.clone(), p.key.clone()));
        }
        !orphan
    });
    for (line, sku, key) in refused {
        let first = plan.first.get(&key).map_or(0, |(l, _)| *l);
        plan.reject(line, &sku, RowProblem::RepeatedSku { line: first });
    }
}

/// The categories by their path: those there are, and those to make.
async fn categories(tx: &mut Tx, tenant: TenantId, plan: &mut Plan) -> Result<()> {
    plan.paths = setup_store::categories(tx, tenant)
        .await?
        .into_iter()
        .map(|c| ((c.parent_id, c.name.to_lowercase()), c.id))
        .collect();
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    for path in plan.rows.iter().filter_map(|p| p.row.category.as_ref()) {
        for n in 1..=path.len() {
            let prefix = &path[..n];
            if resolve(&plan.paths, prefix).is_none() && seen.insert(prefix.iter().map(|s| s.to_lowercase()).collect())
            {
                plan.new_paths.push(prefix.to_vec());
            }
        }
    }
    Ok(())
}

/// The category a path names, from the root down (names compared whatever their case).
pub(super) fn resolve(paths: &Paths, path: &[String]) -> Option<i32> {
    let mut at: Option<i32> = None;
    for name in path {
        at = Some(*paths.get(&(at, name.to_lowercase()))?);
    }
    at
}
