//! Importing the item list a store room already keeps in a spreadsheet, through the bodega upload's own machinery:
//! the format told by the bytes, the text decoded and split or the workbook's sheet read (`inventory::service::table`
//! and the readers under it), the header row detected under any title lines and the columns suggested
//! (`inventory::rules::mapping`, with the stock room's vocabulary `rules::import::Column`), each row checked, and a
//! dry run that says what the file would do before anything is written. Then, asked, it is imported in one
//! transaction: every valid row or none. A row's SKU names its item (whatever its case): a new SKU adds an item, a
//! known one changes the fields the row fills (an empty cell leaves a field as it is). Categories are found by their
//! path and made when missing; departments must exist (a department is a place, made on purpose). A quantity is the
//! item's first stock in its department, received in one posting with the import; where the item has stock there
//! already, the row must agree with it (a stocktake counts stock, not an import).
//!
//! Who: those who configure the room (owners, managers, a workshop's account; a key with `stock:write` of one of
//! them); bringing stock in also needs `stock:write`.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta};
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::{CategoryId, DepartmentId, ItemId};
use crate::inventory::rules::file::{FileProblem, UploadLimits, detect_format};
use crate::inventory::service::table::{Source, data_lines, layout};
use crate::inventory::service::uploads::delimiter_name;
use crate::stockroom::rules::import::{
    self as rules, Column, ImportView, ItemMapping, ItemReject, ItemRow, REJECTS_SHOWN, RawLine, RowProblem,
};
use crate::stockroom::rules::ledger::{self, MovementKind, Source as MoveSource};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::store::import::{self as store, ItemChanges, KnownItem, NewItems};
use crate::stockroom::store::ledger as ledger_store;
use crate::stockroom::store::setup as setup_store;

use super::ledger::{Planned, author, record};

/// Most data rows an item list may have.
pub const MAX_ROWS: u64 = 50_000;

/// How to read the file, and into which department its levels and quantities go when a row names none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportChoice {
    /// A workbook's sheet (the first otherwise).
    #[serde(default)]
    pub sheet: Option<String>,
    /// The header's line or row number (detected otherwise).
    #[serde(default)]
    pub header_row: Option<u64>,
    /// The column of each field (suggested from the headers otherwise).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<std::collections::BTreeMap<String, u32>>))]
    pub mapping: Option<ItemMapping>,
    /// The department of the rows that name none.
    #[serde(default)]
    pub department: Option<DepartmentId>,
}

/// A file to import, and whether to write it (a dry run otherwise).
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub choice: ImportChoice,
    pub commit: bool,
}

fn actor<'a>(caller: &'a Caller, meta: &'a RequestMeta) -> Actor<'a> {
    match caller {
        Caller::User(u) => Actor::of(u, meta),
        Caller::Machine(m) => Actor::machine(m, meta),
    }
}

/// What one valid row does.
struct RowPlan {
    line: u64,
    key: String,
    row: ItemRow,
    known: Option<i64>,
    department: Option<DepartmentId>,
    /// The first stock it brings in.
    receipt: Option<Qty>,
    /// A later line of the same SKU: only its department's level and stock (the item is the first line's).
    place_only: bool,
}

/// Reads an item list and says what it would do; with `commit`, does it (see the module's documentation).
pub async fn import(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    limits: UploadLimits,
    req: &ImportRequest,
) -> Result<ImportView> {
    caller.require_with(ApiScope::StockWrite, Permission::StockConfigure).or_else(|_| match caller {
        Caller::User(u) if u.may(Permission::StockConfigure) => Ok(()),
        _ => Err(Error::Forbidden),
    })?;
    let file_name = crate::codes::check_text("file_name", &req.file_name, false, 255)
        .unwrap_or_else(|_| req.file_name.chars().take(255).collect());
    if req.bytes.len() as u64 > limits.max_bytes {
        return Err(Error::rejected(FileProblem::TooLarge { limit_bytes: limits.max_bytes }));
    }
    let format = detect_format(&req.bytes).map_err(Error::rejected)?;
    let choice = &req.choice;
    let source = Source::open(&req.bytes, format, choice.sheet.as_deref(), None).map_err(Error::rejected)?;
    let layout = layout::<Column>(&source, choice.header_row).map_err(Error::rejected)?;
    let mapping = match &choice.mapping {
        Some(m) => m.clone(),
        None => rules::suggest(&layout.headers),
    };
    let missing: Vec<Column> = [Column::Sku].into_iter().filter(|c| !mapping.contains_key(c)).collect();
    if missing.is_empty() || choice.mapping.is_some() {
        rules::check_mapping(&mapping, layout.headers.len()).map_err(Error::rejected)?;
    }
    let (sheets, sheet) = match &source {
        Source::Sheet { sheets, sheet, .. } => (sheets.clone(), Some(sheet.clone())),
        Source::Text(_) => (Vec::new(), None),
    };
    let mut view = ImportView {
        file_name: file_name.clone(),
        format,
        encoding: source.encoding().map(|e| e.label().to_owned()),
        delimiter: source.delimiter().map(|d| delimiter_name(d).to_owned()),
        sheets,
        sheet,
        header_row: layout.header_line,
        headers: layout.headers.clone(),
        preview: layout.preview.iter().map(|(line, cells)| RawLine { line: *line, cells: cells.clone() }).collect(),
        mapping: mapping.clone(),
        rows: 0,
        new_items: 0,
        changed_items: 0,
        levels: 0,
        receipts: 0,
        new_categories: Vec::new(),
        rejected: 0,
        rejects: Vec::new(),
        committed: false,
    };
    if !missing.is_empty() {
        // The SKU's column is not known: the file is shown as read, for its mapping to be chosen.
        return Ok(view);
    }
    let mut lines = Vec::new();
    for line in data_lines(&source, layout.header_line) {
        lines.push(line.map_err(Error::rejected)?);
        if lines.len() as u64 > MAX_ROWS.min(limits.max_rows) {
            return Err(Error::rejected(FileProblem::TooManyRows { limit: MAX_ROWS.min(limits.max_rows) }));
        }
    }
    drop(source);
    view.rows = lines.len() as u64;
    let sku_col = mapping[&Column::Sku];
    let keys: Vec<String> = {
        let set: HashSet<String> =
            lines.iter().filter_map(|(_, c)| c.get(sku_col)).map(|s| s.trim().to_lowercase()).collect();
        set.into_iter().filter(|k| !k.is_empty()).collect()
    };

    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let known: HashMap<String, KnownItem> =
        store::items_by_sku(&mut tx, tenant, &keys).await?.into_iter().map(|k| (k.key.clone(), k)).collect();
    let units: HashMap<&str, Unit> =
        known.iter().filter_map(|(k, i)| Unit::parse(&i.unit).map(|u| (k.as_str(), u))).collect();
    let departments = setup_store::departments(&mut tx, tenant).await?;
    let default_department = match choice.department {
        Some(d) => {
            if !departments.iter().any(|r| r.id == d.0 && r.archived_at.is_none()) {
                return Err(Error::field("department", ErrorCode::NotFound));
            }
            Some(d)
        }
        None => None,
    };
    let find_department = |text: &str| {
        let t = text.trim().to_lowercase();
        departments
            .iter()
            .filter(|d| d.archived_at.is_none())
            .find(|d| d.code.to_lowercase() == t || d.name.to_lowercase() == t)
            .map(|d| DepartmentId(d.id))
    };

    // Each row on its own, then against the file's other rows and the organisation's items.
    let marks = rules::marks(lines.iter().map(|(_, c)| c.as_slice()), &mapping);
    let mut rejects: Vec<ItemReject> = Vec::new();
    let mut planned: Vec<RowPlan> = Vec::new();
    let mut first_rows: HashMap<String, (u64, ItemRow)> = HashMap::new();
    let mut places: HashSet<(String, DepartmentId)> = HashSet::new();
    let reject = |rejects: &mut Vec<ItemReject>, line: u64, sku: &str, problem: RowProblem| {
        rejects.push(ItemReject { line, sku: sku.to_owned(), problem });
    };
    for (line, cells) in &lines {
        let raw_sku = cells.get(sku_col).map(|s| s.trim()).unwrap_or_default();
        let row = match rules::check_row(cells, &mapping, &marks, |sku| units.get(sku.to_lowercase().as_str()).copied())
        {
            Ok(r) => r,
            Err(p) => {
                reject(&mut rejects, *line, raw_sku, p);
                continue;
            }
        };
        let key = row.sku.to_lowercase();
        let item = known.get(&key);
        let department = if row.needs_department() {
            match &row.department {
                Some(text) => match find_department(text) {
                    Some(d) => Some(d),
                    None => {
                        reject(&mut rejects, *line, &row.sku, RowProblem::UnknownDepartment { value: text.clone() });
                        continue;
                    }
                },
                None => match default_department {
                    Some(d) => Some(d),
                    None => {
                        reject(&mut rejects, *line, &row.sku, RowProblem::Missing { column: Column::Department });
                        continue;
                    }
                },
            }
        } else {
            None
        };
        // The same SKU again: the same item in another department (what the item list's export writes), else a
        // repeat.
        let mut row = row;
        let place_only = match first_rows.get(&key) {
            Some((first, first_row)) => {
                let new_place = department.is_some_and(|d| places.insert((key.clone(), d)));
                if !new_place || !row.agrees_with(first_row) {
                    reject(&mut rejects, *line, &row.sku, RowProblem::RepeatedSku { line: *first });
                    continue;
                }
                row = row.place_part();
                true
            }
            None => {
                first_rows.insert(key.clone(), (*line, row.clone()));
                if let Some(d) = department {
                    places.insert((key.clone(), d));
                }
                false
            }
        };
        if let (Some(i), Some(u)) = (item, row.unit)
            && Unit::parse(&i.unit) != Some(u)
        {
            let unit = Unit::decode(&i.unit)?;
            reject(&mut rejects, *line, &row.sku, RowProblem::UnitChanged { unit });
            continue;
        }
        if item.is_none() && row.name.is_none() && !place_only {
            reject(&mut rejects, *line, &row.sku, RowProblem::Missing { column: Column::Name });
            continue;
        }
        if item.is_some_and(|i| i.archived) && row.quantity.is_some_and(|q| q.0 > 0) {
            reject(&mut rejects, *line, &row.sku, RowProblem::Archived);
            continue;
        }
        let receipt = row.quantity.filter(|q| q.0 > 0);
        planned.push(RowPlan { line: *line, key, row, known: item.map(|i| i.id), department, receipt, place_only });
    }

    // Barcodes: each names one item, in the organisation and in the file.
    let codes: Vec<String> = planned
        .iter()
        .flat_map(|p| p.row.barcodes.iter().flatten().cloned())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let owners: HashMap<String, (i64, String)> = store::barcode_owners(&mut tx, tenant, &codes)
        .await?
        .into_iter()
        .map(|(code, id, sku)| (code, (id, sku)))
        .collect();
    // Code → the key and SKU of the file's row that gives it.
    let mut claimed: HashMap<String, (String, String)> = HashMap::new();
    planned.retain(|p| {
        for code in p.row.barcodes.iter().flatten() {
            let other = match owners.get(code) {
                Some((id, sku)) if Some(*id) != p.known => Some(sku.clone()),
                _ => claimed.get(code).filter(|(k, _)| *k != p.key).map(|(_, sku)| sku.clone()),
            };
            if let Some(sku) = other {
                reject(&mut rejects, p.line, &p.row.sku, RowProblem::BarcodeTaken { code: code.clone(), sku });
                return false;
            }
        }
        for code in p.row.barcodes.iter().flatten() {
            claimed.insert(code.clone(), (p.key.clone(), p.row.sku.clone()));
        }
        true
    });

    // Quantities of known items: the first stock where there is none; else the same as there is.
    let (items, depts): (Vec<i64>, Vec<i32>) = planned
        .iter()
        .filter(|p| p.receipt.is_some() || p.row.quantity.is_some())
        .filter_map(|p| Some((p.known?, p.department?.0)))
        .unzip();
    let balances: HashMap<(i64, i32), i64> =
        store::balances(&mut tx, tenant, &items, &depts).await?.into_iter().map(|(i, d, q)| ((i, d), q)).collect();
    planned.retain_mut(|p| {
        let (Some(id), Some(d), Some(q)) = (p.known, p.department, p.row.quantity) else { return true };
        let balance = balances.get(&(id, d.0)).copied().unwrap_or(0);
        if balance == q.0 {
            p.receipt = None;
            true
        } else if balance == 0 {
            true
        } else {
            reject(&mut rejects, p.line, &p.row.sku, RowProblem::StockDiffers { balance: Qty(balance) });
            false
        }
    });

    // Categories by their path; those missing are made, parents first.
    let mut by_path: HashMap<(Option<i32>, String), i32> = setup_store::categories(&mut tx, tenant)
        .await?
        .into_iter()
        .map(|c| ((c.parent_id, c.name.to_lowercase()), c.id))
        .collect();
    let mut new_paths: Vec<Vec<String>> = Vec::new();
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    for path in planned.iter().filter_map(|p| p.row.category.as_ref()) {
        for n in 1..=path.len() {
            let prefix = &path[..n];
            if resolve(&by_path, prefix).is_none() && seen.insert(prefix.iter().map(|s| s.to_lowercase()).collect()) {
                new_paths.push(prefix.to_vec());
            }
        }
    }

    // A later line of a SKU whose first line was refused is refused with it.
    let items_kept: HashSet<String> = planned.iter().filter(|p| !p.place_only).map(|p| p.key.clone()).collect();
    planned.retain(|p| {
        if p.place_only && !items_kept.contains(&p.key) {
            let first = first_rows.get(&p.key).map_or(0, |(l, _)| *l);
            reject(&mut rejects, p.line, &p.row.sku, RowProblem::RepeatedSku { line: first });
            return false;
        }
        true
    });
    rejects.sort_by_key(|r| r.line);
    view.rejected = rejects.len() as u64;
    view.rejects = rejects.into_iter().take(REJECTS_SHOWN).collect();
    view.new_items = planned.iter().filter(|p| !p.place_only && p.known.is_none()).count() as u64;
    view.changed_items = planned.iter().filter(|p| !p.place_only && p.known.is_some()).count() as u64;
    view.levels = planned.iter().filter(|p| p.row.threshold.is_some() || p.row.reorder.is_some()).count() as u64;
    view.receipts = planned.iter().filter(|p| p.receipt.is_some()).count() as u64;
    view.new_categories = new_paths.iter().map(|p| p.join(" › ")).collect();
    if !req.commit {
        return Ok(view);
    }
    if view.receipts > 0 {
        caller.require(ApiScope::StockWrite).and_then(|()| match caller {
            Caller::User(u) if !u.may(Permission::StockMove) => Err(Error::Forbidden),
            _ => Ok(()),
        })?;
    }

    // The categories, parents first (a path's prefixes come before it).
    new_paths.sort_by_key(Vec::len);
    for path in &new_paths {
        let Some((name, above)) = path.split_last() else { continue };
        let parent = if above.is_empty() { None } else { resolve(&by_path, above) };
        let id = setup_store::insert_category(&mut tx, tenant, parent.map(CategoryId), name).await?;
        by_path.insert((parent, name.to_lowercase()), id.0);
    }
    let category_of = |path: &Option<Vec<String>>| path.as_ref().and_then(|p| resolve(&by_path, p));

    // The items: new ones inserted, known ones changed (one statement each).
    let currency = crate::identity::service::users::tenant_currency(&mut tx, tenant).await?;
    let mut fresh = NewItems::default();
    let mut changes = ItemChanges::default();
    for p in planned.iter().filter(|p| !p.place_only) {
        let r = &p.row;
        match p.known {
            None => {
                fresh.sku.push(r.sku.clone());
                fresh.name.push(r.name.clone().unwrap_or_default());
                fresh.description.push(r.description.clone().unwrap_or_default());
                fresh.unit.push(r.unit.unwrap_or(Unit::Piece).as_str().to_owned());
                fresh.category.push(category_of(&r.category));
                fresh.cost.push(r.unit_cost_cents);
            }
            Some(id) => {
                changes.id.push(id);
                changes.name.push(r.name.clone());
                changes.description.push(r.description.clone());
                changes.category.push(category_of(&r.category));
                changes.cost.push(r.unit_cost_cents);
            }
        }
    }
    let inserted: HashMap<String, i64> =
        store::insert_items(&mut tx, tenant, &currency, &fresh).await?.into_iter().map(|(id, k)| (k, id)).collect();
    store::update_items(&mut tx, tenant, &changes).await?;
    let id_of = |p: &RowPlan| p.known.or_else(|| inserted.get(&p.key).copied());

    // Barcodes of the rows that give them replace the item's.
    let (mut with_codes, mut of_item, mut codes) = (Vec::new(), Vec::new(), Vec::new());
    for p in planned.iter().filter(|p| p.row.barcodes.is_some()) {
        let Some(id) = id_of(p) else { continue };
        with_codes.push(id);
        for c in p.row.barcodes.iter().flatten() {
            of_item.push(id);
            codes.push(c.clone());
        }
    }
    store::replace_barcodes(&mut tx, tenant, &with_codes, &of_item, &codes).await?;

    // Levels, in the order balances are locked in (item, department), as every writer of them takes them.
    let mut levels: Vec<(i64, i32, Option<i64>, Option<i64>)> = planned
        .iter()
        .filter(|p| p.row.threshold.is_some() || p.row.reorder.is_some())
        .filter_map(|p| Some((id_of(p)?, p.department?.0, p.row.threshold.map(|q| q.0), p.row.reorder.map(|q| q.0))))
        .collect();
    levels.sort_unstable_by_key(|l| (l.0, l.1));
    let (mut li, mut ld, mut lt, mut lr) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, d, t, r) in levels {
        li.push(i);
        ld.push(d);
        lt.push(t);
        lr.push(r);
    }
    if !li.is_empty() {
        store::set_levels(&mut tx, tenant, &li, &ld, &lt, &lr).await?;
    }

    // The first stock, received in one posting.
    let mut receipts: Vec<Planned> = Vec::new();
    for p in planned.iter() {
        let (Some(id), Some(d), Some(q)) = (id_of(p), p.department, p.receipt) else { continue };
        receipts.push(Planned {
            change: ledger::Change {
                line: receipts.len() + 1,
                kind: MovementKind::Receive,
                item: ItemId(id),
                department: d,
                delta: q,
                other_department: None,
            },
            person: None,
            reference: file_name.chars().take(100).collect(),
            reason: String::new(),
            reverses: None,
        });
    }
    let mut post = None;
    if !receipts.is_empty() {
        receipts.sort_by_key(|p| (p.change.item, p.change.department, p.change.line));
        let source = match caller {
            Caller::User(_) => MoveSource::Ui,
            Caller::Machine(_) => MoveSource::Api,
        };
        let key = format!("import-{}", uuid::Uuid::new_v4());
        let hash = Sha256::digest(&req.bytes).to_vec();
        let note = format!("Importación: {file_name}");
        let id = ledger_store::claim(&mut tx, tenant, &key, &hash, source.as_str(), &author(caller), &note)
            .await?
            .ok_or(Error::Conflict(ErrorCode::Conflict))?;
        record(&mut tx, tenant, id, receipts).await?;
        post = Some(id);
    }
    audit::record(
        &mut tx,
        &actor(caller, meta),
        Event {
            action: "stock.items_imported",
            target: None,
            before: None,
            after: Some(json!({
                "file_name": file_name, "rows": view.rows, "new_items": view.new_items,
                "changed_items": view.changed_items, "levels": view.levels, "receipts": view.receipts,
                "rejected": view.rejected, "new_categories": view.new_categories, "post": post,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    view.committed = true;
    Ok(view)
}

/// The organisation's live items as a CSV the import reads back as it is (formula-safe; quantities and costs with a
/// decimal point; a line per item and department): `stock:read`.
pub async fn export_list(pool: &PgPool, caller: &Caller) -> Result<Vec<u8>> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let paths: HashMap<i32, String> = {
        let rows = setup_store::categories(&mut tx, tenant).await?;
        let parent: HashMap<i32, (Option<i32>, String)> =
            rows.iter().map(|c| (c.id, (c.parent_id, c.name.clone()))).collect();
        rows.iter()
            .map(|c| {
                let mut names = Vec::new();
                let mut at = Some(c.id);
                while let Some((up, name)) = at.and_then(|id| parent.get(&id)) {
                    names.push(name.as_str());
                    at = *up;
                    if names.len() > 16 {
                        break;
                    }
                }
                names.reverse();
                (c.id, names.join(" / "))
            })
            .collect()
    };
    let rows = store::item_list(&mut tx, tenant).await?;
    tx.commit().await?;
    let mut csv = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 120 + 256));
    csv.write_record(rules::EXPORT_COLUMNS).map_err(Error::internal)?;
    for r in rows {
        let unit = Unit::decode(&r.unit)?;
        let qty = |q: Option<i64>| q.map(|q| Qty(q).text(unit, '.')).unwrap_or_default();
        // Where the item has a level and no stock yet, its stock is 0 (said, so that the import reads it back).
        let quantity = r.quantity_milli.or(r.department.as_ref().map(|_| 0));
        let cells = [
            r.sku,
            r.name,
            r.description.replace(['\n', '\r', '\t'], " "),
            r.unit,
            r.category_id.and_then(|c| paths.get(&c).cloned()).unwrap_or_default(),
            r.barcodes,
            r.unit_cost_cents.map(|c| format!("{}.{:02}", c / 100, c % 100)).unwrap_or_default(),
            r.department.unwrap_or_default(),
            qty(quantity),
            qty(r.threshold_milli.filter(|t| *t > 0)),
            qty(r.reorder_milli),
        ];
        csv.write_record(cells.iter().map(|c| crate::csv_safe::neutralize(c).into_owned())).map_err(Error::internal)?;
    }
    csv.into_inner().map_err(|e| Error::internal(e.to_string()))
}

/// The category a path names, from the root down (names compared whatever their case).
fn resolve(by_path: &HashMap<(Option<i32>, String), i32>, path: &[String]) -> Option<i32> {
    let mut at: Option<i32> = None;
    for name in path {
        at = Some(*by_path.get(&(at, name.to_lowercase()))?);
    }
    at
}
