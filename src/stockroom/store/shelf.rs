//! The store room's items that are catalog parts (`stockroom_items_part_idx`, `(tenant_id, part_id)` where linked),
//! with their balances (`stockroom_balances`' key leads with the item).

use crate::db::Tx;
use crate::ids::{ItemId, PartId, TenantId};

/// The parts the organisation holds some of (archived items aside).
pub(in crate::stockroom) async fn stocked_parts(tx: &mut Tx, tenant: TenantId) -> Result<Vec<PartId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select distinct i.part_id as "part!: PartId"
           from stockroom_items i
           join stockroom_balances b on b.tenant_id = i.tenant_id and b.item_id = i.id and b.quantity_milli > 0
           where i.tenant_id = $1 and i.part_id is not null and i.archived_at is null
           order by 1"#,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::stockroom) struct ShelfRow {
    pub part: PartId,
    pub item: ItemId,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub balance: i64,
}

/// The organisation's items of these parts, with what there is of each (zero when none), by part then SKU.
pub(in crate::stockroom) async fn of_parts(
    tx: &mut Tx,
    tenant: TenantId,
    parts: &[i64],
) -> Result<Vec<ShelfRow>, sqlx::Error> {
    sqlx::query_as!(
        ShelfRow,
        r#"select i.part_id as "part!: PartId", i.id as "item: ItemId", i.sku, i.name, i.unit,
                  coalesce((select sum(b.quantity_milli) from stockroom_balances b
                            where b.tenant_id = i.tenant_id and b.item_id = i.id), 0)::int8 as "balance!"
           from stockroom_items i
           where i.tenant_id = $1 and i.part_id = any($2) and i.archived_at is null
           order by i.part_id, i.sku"#,
        tenant.0,
        parts
    )
    .fetch_all(&mut **tx)
    .await
}
