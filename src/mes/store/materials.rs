//! An order's materials: what it needs (`mes_order_materials`) and what the stock room's ledger says it consumed
//! (issues and returns whose reference is the order's code, less their reversals), with what is in stock; the
//! order's movements, the seed's movement journal.
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

pub(in crate::mes) struct MovementRow {
    pub id: i64,
    pub kind: String,
    pub item_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub department: String,
    pub quantity_milli: i64,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub author: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
}

/// The ledger's movements of order `code` (its issues and returns, and their reversals), newest first, at most
/// `limit`.
pub(in crate::mes) async fn movements(
    tx: &mut Tx,
    tenant: TenantId,
    code: &str,
    limit: i64,
) -> Result<Vec<MovementRow>, sqlx::Error> {
    sqlx::query_as!(
        MovementRow,
        r#"with own as (select m.id from stockroom_movements m
                        where m.tenant_id = $1 and m.reference = $2 and m.reference <> '' and m.kind in ('issue', 'return')),
                ids as (select id from own
                        union all
                        select r.id from own o join stockroom_movements r on r.tenant_id = $1 and r.reverses = o.id)
           select m.id, m.kind, m.item_id, i.sku, i.name, i.unit, d.name as department, m.quantity_milli, m.reverses,
                  rv.id as "reversed_by?", p.author_name as author, m.occurred_at
           from ids join stockroom_movements m on m.tenant_id = $1 and m.id = ids.id
           join stockroom_items i on i.tenant_id = $1 and i.id = m.item_id
           join stockroom_departments d on d.tenant_id = $1 and d.id = m.department_id
           join stockroom_posts p on p.tenant_id = $1 and p.id = m.post_id
           left join stockroom_movements rv on rv.tenant_id = $1 and rv.reverses = m.id
           order by m.id desc
           limit $3"#,
        tenant.0,
        code,
        limit
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
