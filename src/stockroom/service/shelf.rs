//! A workshop's (or a plant's) own stock of catalog parts: the items of its store room linked to a part. The catalog's
//! search finds, among the parts held, what a query asks for (`catalog::service::search::among`); these say which
//! parts are held and how much of each, for the part's page and the search's "en tu almacén".

use crate::caller::Caller;
use crate::db::{self, PgPool, Scope};
use crate::error::Result;
use crate::identity::rules::auth::ApiScope;
use crate::ids::PartId;
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::rules::views::ShelfEntry;
use crate::stockroom::store::shelf as store;

/// Who may see the shelf: whoever reads the stock room (a key with `stock:read`).
fn may_read(caller: &Caller) -> Result<()> {
    caller.require(ApiScope::StockRead)
}

/// The catalog parts the caller's organisation holds some of.
pub async fn stocked_parts(pool: &PgPool, caller: &Caller) -> Result<Vec<PartId>> {
    may_read(caller)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let parts = store::stocked_parts(&mut tx, caller.tenant_id()).await?;
    tx.commit().await?;
    Ok(parts)
}

/// The caller's items of these parts, with what there is of each, by part then SKU.
pub async fn of_parts(pool: &PgPool, caller: &Caller, parts: &[PartId]) -> Result<Vec<ShelfEntry>> {
    may_read(caller)?;
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = parts.iter().map(|p| p.0).collect();
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let rows = store::of_parts(&mut tx, caller.tenant_id(), &ids).await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|r| {
            Ok(ShelfEntry {
                part: r.part,
                item: r.item,
                sku: r.sku,
                name: r.name,
                unit: Unit::decode(&r.unit)?,
                balance: Qty(r.balance),
            })
        })
        .collect()
}
