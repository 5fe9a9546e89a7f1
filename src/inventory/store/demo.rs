//! The demo bodega and the catalog numbers its demo stock is made of.
//!
//! Demo seeding only, written with unchecked `sqlx::query_scalar`: every demo start runs it (the
//! end-to-end suite's server is one).

use crate::ids::TenantId;

use crate::db::{self, PgPool, Scope};

/// The demo bodega's id and `rows` catalog part numbers (every seventh part, as printed), when the bodega exists and
/// has never uploaded anything.
pub(in crate::inventory) async fn demo_bodega(
    pool: &PgPool,
    name: &str,
    rows: i64,
) -> Result<Option<(TenantId, Vec<String>)>, sqlx::Error> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let bodega: Option<TenantId> = sqlx::query_scalar(
        "select t.id from tenants t
         where t.name = $1 and t.kind = 'warehouse'
           and not exists (select 1 from inventory_uploads u where u.tenant_id = t.id)",
    )
    .bind(name)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(bodega) = bodega else { return Ok(None) };
    // catalog_parts_pkey
    let numbers = sqlx::query_scalar("select number from catalog_parts where id % 7 = 0 order by id limit $1")
        .bind(rows)
        .fetch_all(&mut *tx)
        .await?;
    Ok(Some((bodega, numbers)))
}
