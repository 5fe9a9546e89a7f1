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

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta};
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::DepartmentId;
use crate::inventory::rules::file::{FileProblem, UploadLimits, detect_format};
use crate::inventory::service::table::{Source, data_lines, layout};
use crate::inventory::service::uploads::delimiter_name;
use crate::inventory::service::workbook::Line;
use crate::stockroom::rules::import::{self as rules, Column, ImportView, ItemMapping, RawLine};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::store::import as store;
use crate::stockroom::store::setup as setup_store;

mod plan;
mod write;

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
    let (mut view, read) = read(req, limits)?;
    let Some((lines, mapping)) = read else {
        // The SKU's column is not known: the file is shown as read, for its mapping to be chosen.
        return Ok(view);
    };
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let mut plan = plan::plan(&mut tx, tenant, req.choice.department, &mapping, &lines).await?;
    plan.tell(&mut view);
    if !req.commit {
        return Ok(view);
    }
    if view.receipts > 0 {
        caller.require(ApiScope::StockWrite).and_then(|()| match caller {
            Caller::User(u) if !u.may(Permission::StockMove) => Err(Error::Forbidden),
            _ => Ok(()),
        })?;
    }
    let post = write::write(&mut tx, caller, &view.file_name, &req.bytes, &mut plan).await?;
    audit::record(
        &mut tx,
        &actor(caller, meta),
        Event {
            action: "stock.items_imported",
            target: None,
            before: None,
            after: Some(json!({
                "file_name": view.file_name, "rows": view.rows, "new_items": view.new_items,
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

/// The file as read: how (its view, before any row is judged), and its data rows with the mapping, unless the
/// mapping lacks the SKU's column.
#[allow(clippy::type_complexity)]
fn read(req: &ImportRequest, limits: UploadLimits) -> Result<(ImportView, Option<(Vec<Line>, ItemMapping)>)> {
    let file_name = crate::codes::check_text("file_name", &req.file_name, false, 255)
        .unwrap_or_else(|_| req.file_name.chars().take(255).collect());
    if req.bytes.len() as u64 > limits.max_bytes {
        return Err(Error::rejected(FileProblem::TooLarge { limit_bytes: limits.max_bytes }));
    }
    let format = detect_format(&req.bytes).map_err(Error::rejected)?;
    let choice = &req.choice;
    let source = Source::open(&req.bytes, format, choice.sheet.as_deref(), None).map_err(Error::rejected)?;
    let layout = layout::<Column>(&source, choice.header_row).map_err(Error::rejected)?;
    let mapping = choice.mapping.clone().unwrap_or_else(|| rules::suggest(&layout.headers));
    let has_sku = mapping.contains_key(&Column::Sku);
    if has_sku || choice.mapping.is_some() {
        rules::check_mapping(&mapping, layout.headers.len()).map_err(Error::rejected)?;
    }
    let (sheets, sheet) = match &source {
        Source::Sheet { sheets, sheet, .. } => (sheets.clone(), Some(sheet.clone())),
        Source::Text(_) => (Vec::new(), None),
    };
    let mut view = ImportView {
        file_name,
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
    if !has_sku {
        return Ok((view, None));
    }
    let limit = MAX_ROWS.min(limits.max_rows);
    let mut lines = Vec::new();
    for line in data_lines(&source, layout.header_line) {
        lines.push(line.map_err(Error::rejected)?);
        if lines.len() as u64 > limit {
            return Err(Error::rejected(FileProblem::TooManyRows { limit }));
        }
    }
    view.rows = lines.len() as u64;
    Ok((view, Some((lines, mapping))))
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
