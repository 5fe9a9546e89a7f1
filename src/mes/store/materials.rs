//! An order's materials: what it needs (`mes_order_materials`) and what the stock room's ledger says it consumed
//! (issues and returns whose reference is the order's code, less their reversals), with what is in stock.
//!
//! Indexes: `mes_order_materials` primary key `(tenant_id, order_id, item_id)`; an order's movements
//! `stockroom_movements_reference (tenant_id, reference, item_id)` (partial: issues and returns with a reference),
//! their reversals `stockroom_movements_reversed_once (tenant_id, reverses)`; an item's stock `stockroom_balances`
//! primary key `(tenant_id, item_id, department_id)`.

use crate::db::Tx;
use crate::ids::TenantId;

pub(in crate::mes) struct MaterialRow {
    pub item_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub needed: i64,
    pub consumed: i64,
    pub on_hand: i64,
}

/// What order `order` (its code `code`) needs and consumed, by item, in SKU order.
pub(in crate::mes) async fn materials(
    tx: &mut Tx,
    tenant: TenantId,
    order: i64,
    code: &str,
) -> Result<Vec<MaterialRow>, sqlx::Error> {
    sqlx::query_as!(
        MaterialRow,
        r#"with needs as (select item_id, quantity_milli from mes_order_materials where tenant_id = $1 and order_id = $2),
                moved as (
                    select m.item_id, m.quantity_milli from stockroom_movements m
                    where m.tenant_id = $1 and m.reference = $3 and m.reference <> '' and m.kind in ('issue', 'return')
                    union all
                    select r.item_id, r.quantity_milli from stockroom_movements o
                    join stockroom_movements r on r.tenant_id = o.tenant_id and r.reverses = o.id
                    where o.tenant_id = $1 and o.reference = $3 and o.reference <> '' and o.kind in ('issue', 'return')),
                used as (select item_id, -sum(quantity_milli)::bigint as consumed from moved group by 1),
                items as (select item_id from needs union select item_id from used)
           select i.id as item_id, i.sku, i.name, i.unit, coalesce(n.quantity_milli, 0) as "needed!",
                  coalesce(u.consumed, 0) as "consumed!",
                  coalesce((select sum(b.quantity_milli) from stockroom_balances b
                            where b.tenant_id = $1 and b.item_id = i.id), 0)::bigint as "on_hand!"
           from items x
           join stockroom_items i on i.tenant_id = $1 and i.id = x.item_id
           left join needs n on n.item_id = x.item_id
           left join used u on u.item_id = x.item_id
           order by lower(i.sku)"#,
        tenant.0,
        order,
        code
    )
    .fetch_all(&mut **tx)
    .await
}

/// Whether the ledger has issues or returns referencing `code`.
pub(in crate::mes) async fn referenced(tx: &mut Tx, tenant: TenantId, code: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from stockroom_movements where tenant_id = $1 and reference = $2 and reference <> ''
                          and kind in ('issue', 'return')) as "referenced!""#,
        tenant.0,
        code
    )
    .fetch_one(&mut **tx)
    .await
}

/// The items of `ids` the organisation has: id, unit, archived.
pub(in crate::mes) async fn items(
    tx: &mut Tx,
    tenant: TenantId,
    ids: &[i64],
) -> Result<Vec<(i64, String, bool)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select id, unit, archived_at is not null as "archived!" from stockroom_items
           where tenant_id = $1 and id = any($2)"#,
        tenant.0,
        ids
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.unit, r.archived))
    .collect())
}

/// Replaces what order `order` needs.
pub(in crate::mes) async fn set(
    tx: &mut Tx,
    tenant: TenantId,
    order: i64,
    items: &[i64],
    quantities: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from mes_order_materials where tenant_id = $1 and order_id = $2", tenant.0, order)
        .execute(&mut **tx)
        .await?;
    sqlx::query!(
        "insert into mes_order_materials (tenant_id, order_id, item_id, quantity_milli)
         select $1, $2, i, q from unnest($3::bigint[], $4::bigint[]) as m(i, q)",
        tenant.0,
        order,
        items,
        quantities
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
