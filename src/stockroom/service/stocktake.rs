//! Stocktakes: a department's expected quantities frozen when it starts, counts entered (by scan) line by line, the
//! differences shown, and posting: every correction (counted − expected, a `count` movement) in one posting, one
//! transaction, refused whole with what is left if stock moved since so that a correction would go below zero. One
//! open stocktake per department; a posted or cancelled one no longer changes (409 `stocktake_closed`).

use sha2::{Digest, Sha256};

use crate::caller::Caller;
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::ids::{DepartmentId, ItemId, StocktakeId, TenantId};
use crate::stockroom::rules::ledger::{self, MovementKind, Source};
use crate::stockroom::rules::quantity::{Qty, Unit, check_moved};
use crate::stockroom::rules::views::{PostResult, Stocktake, StocktakeLine, StocktakeStatus};
use crate::stockroom::store::ledger as ledger_store;
use crate::stockroom::store::setup as setup_store;
use crate::stockroom::store::stocktake as store;

use super::ledger::{Planned, author, record, replay};

async fn view(tx: &mut Tx, tenant: TenantId, id: StocktakeId) -> Result<Stocktake> {
    let c = store::counts(tx, tenant, Some(id)).await?.into_iter().next().ok_or(Error::NotFound)?;
    let lines = store::lines(tx, tenant, id)
        .await?
        .into_iter()
        .map(|l| {
            let counted = l.counted_milli.map(Qty);
            Ok(StocktakeLine {
                item: l.item_id,
                sku: l.sku,
                name: l.name,
                unit: Unit::decode(&l.unit)?,
                expected: Qty(l.expected_milli),
                counted,
                difference: counted.map(|c| c - Qty(l.expected_milli)),
                counted_by: l.counted_by,
                counted_at: l.counted_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    stocktake(c, lines)
}

/// A stocktake's row with its lines (none: a list's entry).
fn stocktake(c: store::CountRow, lines: Vec<StocktakeLine>) -> Result<Stocktake> {
    Ok(Stocktake {
        id: c.id,
        department: DepartmentId(c.department_id),
        status: StocktakeStatus::decode(&c.status)?,
        started_by: c.started_by,
        started_at: c.started_at,
        finished_at: c.finished_at,
        post: c.post_id.map(crate::ids::PostId),
        lines,
    })
}

/// Starts a stocktake of a department (people and keys who move stock): 409 `stocktake_open` when one is open there.
pub async fn start(pool: &PgPool, caller: &Caller, department: DepartmentId) -> Result<Stocktake> {
    caller.require(ApiScope::StockWrite)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if !setup_store::departments(&mut tx, tenant).await?.iter().any(|d| d.id == department.0 && d.archived_at.is_none())
    {
        return Err(Error::field("department", ErrorCode::NotFound));
    }
    let id = store::open(&mut tx, tenant, department, author(caller).name).await?;
    let v = view(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// The organisation's stocktakes, newest first (without their lines), or one with its lines (`stock:read`).
pub async fn list(pool: &PgPool, caller: &Caller) -> Result<Vec<Stocktake>> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::counts(&mut tx, tenant, None).await?;
    tx.commit().await?;
    rows.into_iter().map(|c| stocktake(c, Vec::new())).collect()
}

pub async fn get(pool: &PgPool, caller: &Caller, id: StocktakeId) -> Result<Stocktake> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let v = view(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// An open stocktake, locked for a change, and its department.
async fn open_one(tx: &mut Tx, tenant: TenantId, id: StocktakeId) -> Result<DepartmentId> {
    match store::lock_open(tx, tenant, id).await? {
        None => Err(Error::NotFound),
        Some((d, status)) if status == StocktakeStatus::Open.as_str() => Ok(d),
        Some(_) => Err(Error::Conflict(ErrorCode::StocktakeClosed)),
    }
}

/// Enters what was counted of an item (whole where its unit is; zero is a count: the shelf was empty).
pub async fn count(pool: &PgPool, caller: &Caller, id: StocktakeId, item: ItemId, counted: Qty) -> Result<Stocktake> {
    caller.require(ApiScope::StockWrite)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let department = open_one(&mut tx, tenant, id).await?;
    let unit = setup_store::item_unit(&mut tx, tenant, item.0).await?;
    let unit = Unit::decode(&unit.ok_or_else(|| Error::field("item", ErrorCode::NotFound))?)?;
    if counted != Qty::ZERO {
        check_moved(counted, unit).map_err(|code| Error::field("counted", code))?;
    }
    store::set_counted(&mut tx, tenant, id, department, item, counted.0, author(caller).name).await?;
    let v = view(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// Posts a stocktake's corrections under an idempotency key: one `count` movement per counted line that differs from
/// what was expected, all in one posting. The stocktake is then closed.
pub async fn post(pool: &PgPool, caller: &Caller, id: StocktakeId, key: &str) -> Result<PostResult> {
    caller.require(ApiScope::StockWrite)?;
    let tenant = caller.tenant_id();
    let key = crate::codes::check_text("idempotency_key", key, true, 100)?;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let hash = Sha256::digest(format!("stocktake {id}").as_bytes()).to_vec();
    let department = match open_one(&mut tx, tenant, id).await {
        // Posted already: under this key, a retry (what it recorded); under another, refused.
        Err(Error::Conflict(ErrorCode::StocktakeClosed))
            if ledger_store::claimed(&mut tx, tenant, &key).await?.is_some_and(|(_, h)| h == hash) =>
        {
            return replay(tx, tenant, &key, &hash).await;
        }
        other => other?,
    };
    let Some(post) =
        ledger_store::claim(&mut tx, tenant, &key, &hash, Source::Ui.as_str(), &author(caller), "").await?
    else {
        return replay(tx, tenant, &key, &hash).await;
    };
    let mut planned = Vec::new();
    for (n, l) in store::lines(&mut tx, tenant, id).await?.into_iter().enumerate() {
        let Some(counted) = l.counted_milli else { continue };
        let delta = Qty(counted - l.expected_milli);
        if delta == Qty::ZERO {
            continue;
        }
        let change = ledger::Change {
            line: n + 1,
            kind: MovementKind::Count,
            item: l.item_id,
            department,
            delta,
            other_department: None,
        };
        planned.push(Planned {
            change,
            person: None,
            reference: format!("#{id}"),
            reason: String::new(),
            reverses: None,
        });
    }
    planned.sort_by_key(|p| (p.change.item, p.change.department, p.change.line));
    let (movements, alerts) =
        if planned.is_empty() { (Vec::new(), Vec::new()) } else { record(&mut tx, tenant, post, planned).await? };
    store::close(&mut tx, tenant, id, StocktakeStatus::Posted.as_str(), Some(post)).await?;
    tx.commit().await?;
    Ok(PostResult { post, replayed: false, movements, alerts })
}

/// Cancels an open stocktake: nothing is corrected.
pub async fn cancel(pool: &PgPool, caller: &Caller, id: StocktakeId) -> Result<Stocktake> {
    caller.require(ApiScope::StockWrite)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    open_one(&mut tx, tenant, id).await?;
    store::close(&mut tx, tenant, id, StocktakeStatus::Cancelled.as_str(), None).await?;
    let v = view(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(v)
}
