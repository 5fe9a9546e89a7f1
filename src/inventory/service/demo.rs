//! Demo stock: on a demo start, once the demo catalog is in, Bodega Demo uploads its system's export through the
//! same flow every bodega uses (read, checked, matched, committed), so a workshop sees offers on a part's page from
//! its first visit. Nothing happens when the demo bodega is missing or already has an upload.

use std::fmt::Write as _;

use uuid::Uuid;

use crate::caller::{Caller, Machine, RequestMeta};
use crate::db::PgPool;
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Role};
use crate::inventory::rules::file::UploadLimits;
use crate::inventory::rules::row::Counts;
use crate::inventory::store::demo as store;

use super::uploads::{self, NewUpload};

/// The demo bodega's name (as `identity::service::demo` seeds it).
pub const BODEGA: &str = "Bodega Demo";
/// Parts in its export.
const ROWS: i64 = 2_000;

/// Uploads Bodega Demo's stock, when it has none yet; the counts of the commit.
pub async fn stock(pool: &PgPool) -> Result<Option<Counts>> {
    let Some((bodega, numbers)) = store::demo_bodega(pool, BODEGA, ROWS).await? else {
        return Ok(None);
    };
    let mut csv = String::from("Clave;Descripción;Precio;Existencia;Ubicación\n");
    for (i, number) in numbers.iter().enumerate() {
        // Deterministic figures: prices from 45 to ~5,000 pesos written as Spanish software does, some stock at the
        // branch, one item in ten out of stock.
        let h = (i as u64).wrapping_mul(2_654_435_761) % 1_000_003;
        let cents = 4_500 + h % 495_000;
        let price = format!("{},{:02}", cents / 100, cents % 100);
        let stock = if i % 10 == 3 { 0 } else { 1 + h % 40 };
        let location = if i % 4 == 0 { "Sucursal Centro" } else { "" };
        writeln!(csv, "{number};Refacción;{price};{stock};{location}").map_err(Error::internal)?;
    }
    let system = Caller::Machine(Machine {
        key_id: Uuid::nil(),
        tenant_id: bodega,
        name: "Sistema de la bodega (demo)".into(),
        scopes: vec![ApiScope::InventoryWrite],
        creator_role: Role::Warehouse,
        tenant_kind: crate::identity::rules::tenant::TenantKind::Warehouse,
    });
    let new = NewUpload {
        file_name: "existencias-demo.csv".into(),
        bytes: csv.into_bytes(),
        commit: true,
        ..NewUpload::default()
    };
    let view = uploads::receive(pool, &system, &RequestMeta::default(), UploadLimits::default(), new).await?;
    Ok(view.counts)
}
