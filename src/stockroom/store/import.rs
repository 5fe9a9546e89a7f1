//! An item list's import, set-based: what the organisation has of the file's SKUs and barcodes (one
//! statement each, whatever the number of rows), and the items, barcodes and levels written from it (one statement
//! each).

use crate::db::Tx;
use crate::ids::TenantId;

/// An existing item a row names (by its SKU, whatever its case).
pub(in crate::stockroom) struct KnownItem {
    pub id: i64,
    /// The SKU in lower case: the row's key.
    pub key: String,
    pub unit: String,
    pub archived: bool,
}

/// The organisation's items whose SKUs (lower case) are among `keys`. Index: `stockroom_items_sku_key`.
pub(in crate::stockroom) async fn items_by_sku(
    tx: &mut Tx,
    tenant: TenantId,
    keys: &[String],
) -> Result<Vec<KnownItem>, sqlx::Error> {
    sqlx::query_as!(
        KnownItem,
        r#"select id, lower(sku) as "key!", unit, archived_at is not null as "archived!"
           from stockroom_items where tenant_id = $1 and lower(sku) = any($2)"#,
        tenant.0,
        keys
    )
    .fetch_all(&mut **tx)
    .await
}

/// Which item (its id and SKU) each of `codes` names now. Index: the barcodes' primary key.
pub(in crate::stockroom) async fn barcode_owners(
    tx: &mut Tx,
    tenant: TenantId,
    codes: &[String],
) -> Result<Vec<(String, i64, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select b.code, b.item_id, i.sku from stockroom_barcodes b
         join stockroom_items i on i.tenant_id = b.tenant_id and i.id = b.item_id
         where b.tenant_id = $1 and b.code = any($2)",
        tenant.0,
        codes
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.item_id, r.sku)).collect())
}

/// New items, column by column.
#[derive(Default)]
pub(in crate::stockroom) struct NewItems {
    pub sku: Vec<String>,
    pub name: Vec<String>,
    pub description: Vec<String>,
    pub unit: Vec<String>,
    pub category: Vec<Option<i32>>,
    pub cost: Vec<Option<i64>>,
}

/// Inserts the new items: their ids, by lower-case SKU.
pub(in crate::stockroom) async fn insert_items(
    tx: &mut Tx,
    tenant: TenantId,
    currency: &str,
    n: &NewItems,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"insert into stockroom_items (tenant_id, sku, name, description, unit, category_id, unit_cost_cents, currency)
           select $1, u.sku, u.name, u.description, u.unit, u.category_id, u.cost, $2
           from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[])
                as u(sku, name, description, unit, category_id, cost)
           returning id, lower(sku) as "key!""#,
        tenant.0,
        currency,
        &n.sku,
        &n.name,
        &n.description,
        &n.unit,
        &n.category as &[Option<i32>],
        &n.cost as &[Option<i64>]
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.key)).collect())
}

/// Changes to existing items, column by column: `None` leaves a field as it is.
#[derive(Default)]
pub(in crate::stockroom) struct ItemChanges {
    pub id: Vec<i64>,
    pub name: Vec<Option<String>>,
    pub description: Vec<Option<String>>,
    pub category: Vec<Option<i32>>,
    pub cost: Vec<Option<i64>>,
}

pub(in crate::stockroom) async fn update_items(
    tx: &mut Tx,
    tenant: TenantId,
    c: &ItemChanges,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "update stockroom_items i
         set name = coalesce(u.name, i.name), description = coalesce(u.description, i.description),
             category_id = coalesce(u.category_id, i.category_id), unit_cost_cents = coalesce(u.cost, i.unit_cost_cents),
             updated_at = now()
         from unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::bigint[])
              as u(id, name, description, category_id, cost)
         where i.tenant_id = $1 and i.id = u.id",
        tenant.0,
        &c.id,
        &c.name as &[Option<String>],
        &c.description as &[Option<String>],
        &c.category as &[Option<i32>],
        &c.cost as &[Option<i64>]
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Replaces the barcodes of `items` with the pairs given (`(item, code)`; none may name another item: the service
/// checked).
pub(in crate::stockroom) async fn replace_barcodes(
    tx: &mut Tx,
    tenant: TenantId,
    items: &[i64],
    of_item: &[i64],
    codes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from stockroom_barcodes where tenant_id = $1 and item_id = any($2)", tenant.0, items)
        .execute(&mut **tx)
        .await?;
    sqlx::query!(
        "insert into stockroom_barcodes (tenant_id, code, item_id)
         select $1, u.code, u.item_id from unnest($2::text[], $3::bigint[]) as u(code, item_id)",
        tenant.0,
        codes,
        of_item
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets levels (a `None` leaves that part of an existing level as it is). The balances are locked first, as a
/// movement locks them, so the level's trigger judges the alert against balances no movement is changing.
pub(in crate::stockroom) async fn set_levels(
    tx: &mut Tx,
    tenant: TenantId,
    items: &[i64],
    departments: &[i32],
    thresholds: &[Option<i64>],
    reorders: &[Option<i64>],
) -> Result<(), sqlx::Error> {
    sqlx::query!("select 1 as one from stockroom_lock_balances($1, $2)", items, departments)
        .fetch_all(&mut **tx)
        .await?;
    sqlx::query!(
        "insert into stockroom_levels (tenant_id, item_id, department_id, threshold_milli, reorder_milli)
         select $1, u.item_id, u.department_id, coalesce(u.threshold, 0), u.reorder
         from unnest($2::bigint[], $3::int[], $4::bigint[], $5::bigint[]) as u(item_id, department_id, threshold, reorder)
         on conflict (tenant_id, item_id, department_id) do nothing",
        tenant.0,
        items,
        departments,
        thresholds as &[Option<i64>],
        reorders as &[Option<i64>]
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "update stockroom_levels l
         set threshold_milli = coalesce(u.threshold, l.threshold_milli), reorder_milli = coalesce(u.reorder, l.reorder_milli)
         from unnest($2::bigint[], $3::int[], $4::bigint[], $5::bigint[]) as u(item_id, department_id, threshold, reorder)
         where l.tenant_id = $1 and l.item_id = u.item_id and l.department_id = u.department_id",
        tenant.0,
        items,
        departments,
        thresholds as &[Option<i64>],
        reorders as &[Option<i64>]
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A line of the item list's export.
pub(in crate::stockroom) struct ListRow {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub category_id: Option<i32>,
    pub unit_cost_cents: Option<i64>,
    pub barcodes: String,
    pub department: Option<String>,
    pub quantity_milli: Option<i64>,
    pub threshold_milli: Option<i64>,
    pub reorder_milli: Option<i64>,
}

/// The live items, each with a line per department where it has stock or a level (none: one line), by SKU.
/// Indexes: the items' SKU key, the balances' and levels' primary keys, the barcodes' item index.
pub(in crate::stockroom) async fn item_list(tx: &mut Tx, tenant: TenantId) -> Result<Vec<ListRow>, sqlx::Error> {
    sqlx::query_as!(
        ListRow,
        r#"select i.sku, i.name, i.description, i.unit, i.category_id, i.unit_cost_cents,
                  coalesce((select string_agg(b.code, ';' order by b.code) from stockroom_barcodes b
                            where b.tenant_id = i.tenant_id and b.item_id = i.id), '') as "barcodes!",
                  d.name as "department?", bal.quantity_milli as "quantity_milli?",
                  l.threshold_milli as "threshold_milli?", l.reorder_milli as "reorder_milli?"
           from stockroom_items i
           left join lateral (
               select department_id from stockroom_balances where tenant_id = i.tenant_id and item_id = i.id
               union
               select department_id from stockroom_levels where tenant_id = i.tenant_id and item_id = i.id
           ) p on true
           left join stockroom_departments d on d.tenant_id = i.tenant_id and d.id = p.department_id
           left join stockroom_balances bal
                  on bal.tenant_id = i.tenant_id and bal.item_id = i.id and bal.department_id = p.department_id
           left join stockroom_levels l
                  on l.tenant_id = i.tenant_id and l.item_id = i.id and l.department_id = p.department_id
           where i.tenant_id = $1 and i.archived_at is null
           order by lower(i.sku), d.name nulls first"#,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}
