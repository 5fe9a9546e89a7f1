//! The plant's clock and its query log, which every figure query (dashboard, CSV, REST figures) reads and writes;
//! what the figures are computed from is read by `store::dashboard`, for all of them.

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

/// The plant's time zone name (the default when none is set).
pub(in crate::production) async fn time_zone(tx: &mut Tx) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select time_zone from production_plants").fetch_optional(&mut **tx).await
}

/// Logs a dashboard query.
pub(in crate::production) async fn log_query(
    tx: &mut Tx,
    tenant: TenantId,
    user: Option<UserId>,
    query: &str,
    filters: &serde_json::Value,
    duration_ms: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into production_query_log (tenant_id, user_id, query, filters, duration_ms) values ($1, $2, $3, $4, $5)",
        tenant.0,
        user.map(|u| u.0),
        query,
        filters,
        duration_ms
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
