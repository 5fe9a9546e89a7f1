//! Low-stock alerts: the ledger opens and closes them (the database's trigger, once per crossing whatever races);
//! here they are listed with what crossed them, acknowledged and assigned, and their recipients told when a posting
//! opens one (in the posting's transaction: an alert and its notices exist together or not at all).

use crate::caller::Caller;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::ids::{AlertId, DepartmentId, ItemId, MovementId, TenantId, UserId};
use crate::paging::{self, At, Limit, Page};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::rules::views::Alert;
use crate::stockroom::store::alerts::{self as store, AlertRow};

/// Alerts per page: 50 unless asked, at most 200.
pub const PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

fn alert(r: AlertRow) -> Result<Alert> {
    Ok(Alert {
        id: r.id,
        item: ItemId(r.item_id),
        sku: r.sku,
        item_name: r.item,
        unit: Unit::decode(&r.unit)?,
        department: DepartmentId(r.department_id),
        department_name: r.department,
        threshold: Qty(r.threshold_milli),
        balance_then: Qty(r.balance_milli),
        on_order_then: Qty(r.on_order_milli),
        balance_now: Qty(r.current_milli),
        reorder: r.reorder_milli.map(Qty),
        opened_by: r.opened_by.map(MovementId),
        opened_by_author: r.opened_by_author,
        opened_at: r.opened_at,
        acknowledged_by: r.acknowledged_by,
        acknowledged_at: r.acknowledged_at,
        assigned_to: r.assigned_to.map(UserId),
        assigned_name: r.assigned_name,
        closed_at: r.closed_at,
    })
}

/// The alerts `movements` opened, as their posting's result names them; each one's recipients are told.
pub(super) async fn opened(tx: &mut Tx, tenant: TenantId, movements: &[i64]) -> Result<Vec<AlertId>> {
    let opened = store::opened_by(tx, tenant, movements).await?;
    if opened.is_empty() {
        return Ok(opened);
    }
    let rows =
        store::list(tx, tenant, &store::Filter { opened_by: Some(movements), ..store::Filter::default() }).await?;
    let mut ids = Vec::with_capacity(rows.len());
    for r in rows {
        let recipients = store::recipients(tx, tenant, r.department_id).await?;
        let a = alert(r)?;
        super::notices::low_stock(tx, tenant, &a, &recipients).await?;
        ids.push(a.id);
    }
    Ok(ids)
}

/// Alerts newest first, the open ones only unless `all` (`stock:read`).
pub async fn list(
    pool: &PgPool,
    caller: &Caller,
    all: bool,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<Alert>> {
    caller.require(ApiScope::StockRead)?;
    let limit = Limit::new(limit, PAGE, MAX_PAGE)?;
    let after = paging::after::<At<i64>>(after, ())?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::list(
        &mut tx,
        tenant,
        &store::Filter {
            open_only: !all,
            after: after.map(|a| (a.at, a.id)),
            fetch: limit.fetch(),
            ..store::Filter::default()
        },
    )
    .await?;
    tx.commit().await?;
    let items = rows.into_iter().map(alert).collect::<Result<Vec<_>>>()?;
    Ok(Page::cut(items, limit, |a: &Alert| At::new(a.opened_at, a.id.0)))
}

/// One alert (`stock:read`).
pub async fn get(pool: &PgPool, caller: &Caller, id: AlertId) -> Result<Alert> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::list(&mut tx, tenant, &store::Filter { id: Some(id), ..store::Filter::default() }).await?;
    tx.commit().await?;
    rows.into_iter().next().map(alert).transpose()?.ok_or(Error::NotFound)
}

/// Marks an open alert seen (a person who moves stock): 404 when there is no such open alert.
pub async fn acknowledge(pool: &PgPool, caller: &Caller, id: AlertId) -> Result<Alert> {
    caller.require(ApiScope::StockWrite)?;
    let user = caller.user()?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if !store::acknowledge(&mut tx, tenant, id, user.user_id).await? {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    get(pool, caller, id).await
}

/// Gives an open alert to a person of the organisation who moves stock (none: to nobody).
pub async fn assign(pool: &PgPool, caller: &Caller, id: AlertId, to: Option<UserId>) -> Result<Alert> {
    caller.require(ApiScope::StockWrite)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if let Some(to) = to {
        let people = crate::stockroom::store::setup::people(&mut tx, tenant).await?;
        let mover = people.iter().find(|p| p.id == to.0).is_some_and(|p| {
            crate::identity::rules::auth::Role::decode(&p.role).is_ok_and(|r| {
                crate::identity::rules::auth::permissions_of(r)
                    .contains(&crate::identity::rules::auth::Permission::StockMove)
            })
        });
        if !mover {
            return Err(Error::field("assigned_to", crate::codes::ErrorCode::InvalidInput));
        }
    }
    if !store::assign(&mut tx, tenant, id, to).await? {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    get(pool, caller, id).await
}

/// The open alerts' count (the navigation's badge).
pub async fn open_count(pool: &PgPool, caller: &Caller) -> Result<i64> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let n = store::open_count(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(n)
}
