//! Stocktakes: one open per department (`stockroom_counts_open_key`), the expected quantities frozen from the
//! balances when it starts, counts entered line by line, closed as posted (with the posting of its corrections) or
//! cancelled.

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::{DepartmentId, ItemId, PostId, StocktakeId, TenantId};

/// Starts a stocktake of `department`, freezing what every item there is expected to be (its balance, or 0 for an
/// item with a level but no stock yet).
pub(in crate::stockroom) async fn open(
    tx: &mut Tx,
    tenant: TenantId,
    department: DepartmentId,
    by: &str,
) -> Result<StocktakeId, sqlx::Error> {
    let id = sqlx::query_scalar!(
        r#"insert into stockroom_counts (tenant_id, department_id, started_by) values ($1, $2, $3)
           returning id as "id: StocktakeId""#,
        tenant.0,
        department.0,
        by
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query!(
        "insert into stockroom_count_lines (tenant_id, count_id, item_id, expected_milli)
         select $1, $2, coalesce(b.item_id, l.item_id), coalesce(b.quantity_milli, 0)
         from (select * from stockroom_balances where tenant_id = $1 and department_id = $3) b
         full join (select * from stockroom_levels where tenant_id = $1 and department_id = $3) l on l.item_id = b.item_id",
        tenant.0,
        id.0,
        department.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub(in crate::stockroom) struct CountRow {
    pub id: StocktakeId,
    pub department_id: i32,
    pub status: String,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub post_id: Option<i64>,
}

/// Stocktakes newest first (or one), `for update` when it is to change.
pub(in crate::stockroom) async fn counts(
    tx: &mut Tx,
    tenant: TenantId,
    only: Option<StocktakeId>,
) -> Result<Vec<CountRow>, sqlx::Error> {
    sqlx::query_as!(
        CountRow,
        r#"select c.id as "id: StocktakeId", c.department_id, c.status, c.started_by, c.started_at, c.finished_at,
                  c.post_id
           from stockroom_counts c
           where c.tenant_id = $1 and ($2::bigint is null or c.id = $2)
           order by c.started_at desc, c.id desc
           limit 200"#,
        tenant.0,
        only.map(|i| i.0)
    )
    .fetch_all(&mut **tx)
    .await
}

/// Locks an open stocktake for a change: its department, or `None` when it is not open (posted, cancelled, absent).
pub(in crate::stockroom) async fn lock_open(
    tx: &mut Tx,
    tenant: TenantId,
    id: StocktakeId,
) -> Result<Option<(DepartmentId, String)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select department_id as "department_id: DepartmentId", status from stockroom_counts
           where tenant_id = $1 and id = $2 for update"#,
        tenant.0,
        id.0
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| (r.department_id, r.status)))
}

pub(in crate::stockroom) struct LineRow {
    pub item_id: ItemId,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub expected_milli: i64,
    pub counted_milli: Option<i64>,
    pub counted_by: Option<String>,
    pub counted_at: Option<DateTime<Utc>>,
}

pub(in crate::stockroom) async fn lines(
    tx: &mut Tx,
    tenant: TenantId,
    id: StocktakeId,
) -> Result<Vec<LineRow>, sqlx::Error> {
    sqlx::query_as!(
        LineRow,
        r#"select l.item_id as "item_id: ItemId", i.sku, i.name, i.unit, l.expected_milli, l.counted_milli,
                  l.counted_by, l.counted_at
           from stockroom_count_lines l
           join stockroom_items i on i.tenant_id = l.tenant_id and i.id = l.item_id
           where l.tenant_id = $1 and l.count_id = $2
           order by lower(i.name), i.id"#,
        tenant.0,
        id.0
    )
    .fetch_all(&mut **tx)
    .await
}

/// Enters what was counted of an item; an item found on the shelf that was not expected there joins the stocktake,
/// expected at its balance now.
pub(in crate::stockroom) async fn set_counted(
    tx: &mut Tx,
    tenant: TenantId,
    id: StocktakeId,
    department: DepartmentId,
    item: ItemId,
    counted_milli: i64,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into stockroom_count_lines (tenant_id, count_id, item_id, expected_milli, counted_milli, counted_by, counted_at)
         values ($1, $2, $3, coalesce((select quantity_milli from stockroom_balances
                                       where tenant_id = $1 and item_id = $3 and department_id = $4), 0), $5, $6, now())
         on conflict (tenant_id, count_id, item_id) do update
         set counted_milli = excluded.counted_milli, counted_by = excluded.counted_by, counted_at = excluded.counted_at",
        tenant.0,
        id.0,
        item.0,
        department.0,
        counted_milli,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closes a stocktake as posted (with its posting) or cancelled.
pub(in crate::stockroom) async fn close(
    tx: &mut Tx,
    tenant: TenantId,
    id: StocktakeId,
    status: &str,
    post: Option<PostId>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update stockroom_counts set status = $3, post_id = $4, finished_at = now() where tenant_id = $1 and id = $2",
        tenant.0,
        id.0,
        status,
        post.map(|p| p.0)
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
