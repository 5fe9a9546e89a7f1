//! The demo plant: on a demo start, Planta Demo gets its lines, products, shifts, reasons, filters and dashboards as
//! data (the same tables any manufacturer fills through its settings), once.

use crate::db::{self, PgPool, Scope};
use crate::error::Result;
use crate::production::store::demo as store;

/// The demo manufacturer's name (as `identity::service::demo` seeds it).
pub const PLANT: &str = "Planta Demo";

/// Configures Planta Demo when it has no line yet; whether it did.
pub async fn configure(pool: &PgPool) -> Result<bool> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let Some(tenant) = store::unconfigured(&mut tx, PLANT).await? else {
        return Ok(false);
    };
    store::configure(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(true)
}
