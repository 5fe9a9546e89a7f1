//! Writing a planned item list in the import's transaction: categories made, items inserted and changed, barcodes
//! replaced and levels set (one statement each), and the first stock received in one posting through the ledger.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::plan::{Plan, RowPlan, resolve};
use crate::caller::Caller;
use crate::codes::ErrorCode;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::ids::{CategoryId, ItemId, PostId, TenantId};
use crate::stockroom::rules::ledger::{self, MovementKind, Source};
use crate::stockroom::rules::quantity::Unit;
use crate::stockroom::service::ledger::{Planned, author, record};
use crate::stockroom::store::import::{self as store, ItemChanges, NewItems};
use crate::stockroom::store::ledger as ledger_store;
use crate::stockroom::store::setup as setup_store;

/// Writes the plan; the posting of the first stock, if any.
pub(super) async fn write(
    tx: &mut Tx,
    caller: &Caller,
    file_name: &str,
    bytes: &[u8],
    plan: &mut Plan,
) -> Result<Option<PostId>> {
    let tenant = caller.tenant_id();
    make_categories(tx, tenant, plan).await?;
    let inserted = write_items(tx, tenant, plan).await?;
    let id_of = |p: &RowPlan| p.known.or_else(|| inserted.get(&p.key).copied());
    write_barcodes(tx, tenant, plan, &id_of).await?;
    write_levels(tx, tenant, plan, &id_of).await?;
    receive(tx, caller, file_name, bytes, plan, &id_of).await
}

/// The categories to make, parents first (a path's prefixes come before it).
async fn make_categories(tx: &mut Tx, tenant: TenantId, plan: &mut Plan) -> Result<()> {
    plan.new_paths.sort_by_key(Vec::len);
    for path in &plan.new_paths {
        let Some((name, above)) = path.split_last() else { continue };
        let parent = if above.is_empty() { None } else { resolve(&plan.paths, above) };
        let id = setup_store::insert_category(tx, tenant, parent.map(CategoryId), name).await?;
        plan.paths.insert((parent, name.to_lowercase()), id.0);
    }
    Ok(())
}

/// New items inserted, known ones changed (one statement each): the new ones' ids by lower-case SKU.
async fn write_items(tx: &mut Tx, tenant: TenantId, plan: &Plan) -> Result<HashMap<String, i64>> {
    let category_of = |path: &Option<Vec<String>>| path.as_ref().and_then(|p| resolve(&plan.paths, p));
    let currency = crate::identity::service::users::tenant_currency(tx, tenant).await?;
    let mut fresh = NewItems::default();
    let mut changes = ItemChanges::default();
    for p in plan.rows.iter().filter(|p| !p.place_only) {
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
    let inserted =
        store::insert_items(tx, tenant, &currency, &fresh).await?.into_iter().map(|(id, k)| (k, id)).collect();
    store::update_items(tx, tenant, &changes).await?;
    Ok(inserted)
}

/// The barcodes of the rows that give them replace their item's.
async fn write_barcodes(
    tx: &mut Tx,
    tenant: TenantId,
    plan: &Plan,
    id_of: &impl Fn(&RowPlan) -> Option<i64>,
) -> Result<()> {
    let (mut with_codes, mut of_item, mut codes) = (Vec::new(), Vec::new(), Vec::new());
    for p in plan.rows.iter().filter(|p| p.row.barcodes.is_some()) {
        let Some(id) = id_of(p) else { continue };
        with_codes.push(id);
        for c in p.row.barcodes.iter().flatten() {
            of_item.push(id);
            codes.push(c.clone());
        }
    }
    store::replace_barcodes(tx, tenant, &with_codes, &of_item, &codes).await?;
    Ok(())
}

/// Levels, in the order balances are locked in (item, department), as every writer of them takes them.
async fn write_levels(
    tx: &mut Tx,
    tenant: TenantId,
    plan: &Plan,
    id_of: &impl Fn(&RowPlan) -> Option<i64>,
) -> Result<()> {
    let mut levels: Vec<(i64, i32, Option<i64>, Option<i64>)> = plan
        .rows
        .iter()
        .filter(|p| p.row.threshold.is_some() || p.row.reorder.is_some())
        .filter_map(|p| Some((id_of(p)?, p.department?.0, p.row.threshold.map(|q| q.0), p.row.reorder.map(|q| q.0))))
        .collect();
    if levels.is_empty() {
        return Ok(());
    }
    levels.sort_unstable_by_key(|l| (l.0, l.1));
    let (mut items, mut depts, mut thresholds, mut reorders) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, d, t, r) in levels {
        items.push(i);
        depts.push(d);
        thresholds.push(t);
        reorders.push(r);
    }
    store::set_levels(tx, tenant, &items, &depts, &thresholds, &reorders).await?;
    Ok(())
}

/// The first stock, received in one posting (referenced by the file's name).
async fn receive(
    tx: &mut Tx,
    caller: &Caller,
    file_name: &str,
    bytes: &[u8],
    plan: &Plan,
    id_of: &impl Fn(&RowPlan) -> Option<i64>,
) -> Result<Option<PostId>> {
    let mut receipts: Vec<Planned> = Vec::new();
    for p in &plan.rows {
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
    if receipts.is_empty() {
        return Ok(None);
    }
    receipts.sort_by_key(|p| (p.change.item, p.change.department, p.change.line));
    let source = match caller {
        Caller::User(_) => Source::Ui,
        Caller::Machine(_) => Source::Api,
    };
    let tenant = caller.tenant_id();
    let key = format!("import-{}", uuid::Uuid::new_v4());
    let hash = Sha256::digest(bytes).to_vec();
    let note = format!("Importación: {file_name}");
    let post = ledger_store::claim(tx, tenant, &key, &hash, source.as_str(), &author(caller), &note)
        .await?
        .ok_or(Error::Conflict(ErrorCode::Conflict))?;
    record(tx, tenant, post, receipts).await?;
    Ok(Some(post))
}
