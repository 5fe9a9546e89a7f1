//! Housekeeping of production data, run by the server's jobs: the detections' monthly partitions are created for every
//! month kept and three months ahead (a unit is never refused for want of one, and one is refused as too old exactly
//! when its month is past the retention), and months older than the retention are dropped whole
//! (their rollups and downtime stay: dashboards never read raw units for long ranges).
//!
//! Exactly once across instances: each round runs under a transaction-scoped advisory lock; an instance that does not
//! get it skips the round.

use sqlx::PgPool;

use crate::db::{self, Scope};
use crate::error::Result;

/// Advisory lock key of the partition job.
const PARTITIONS_LOCK: i64 = 0x6e65_7875_7310;
/// Months made ahead of the current one.
const AHEAD: i32 = 3;

/// Partitions made and dropped this round, or `None` when another instance holds the job. `keep_months`: whole
/// months of raw units kept before the current one.
pub async fn partitions(pool: &PgPool, keep_months: u32) -> Result<Option<(i32, i32)>> {
    // Months ahead first, committed on their own: a drop that waits for the table (readers hold it) and gives up
    // does not undo them.
    let mut tx = db::begin(pool, Scope::Platform).await?;
    if !db::try_job_lock(&mut tx, PARTITIONS_LOCK).await? {
        return Ok(None);
    }
    // Every month kept is there, so a unit is refused as too old exactly when its month is past the retention (the
    // ingest's oldest time is the oldest partition); production_partitions makes at most 36 months a call.
    let keep = i32::try_from(keep_months).unwrap_or(i32::MAX / 2).min(i32::MAX / 2);
    let total = keep + 1 + AHEAD;
    let (mut made, mut from) = (0, 0);
    while from < total {
        let months = (total - from).min(36);
        made += sqlx::query_scalar!(
            r#"select production_partitions((date_trunc('month', now()) - make_interval(months => $1))::date, $2)
                   as "made!""#,
            keep - from,
            months
        )
        .fetch_one(&mut *tx)
        .await?;
        from += months;
    }
    tx.commit().await?;
    let mut tx = db::begin(pool, Scope::Platform).await?;
    if !db::try_job_lock(&mut tx, PARTITIONS_LOCK).await? {
        return Ok(Some((made, 0)));
    }
    let dropped: i32 = sqlx::query_scalar!(
        r#"select production_drop_partitions((date_trunc('month', now()) - make_interval(months => $1))::date)
               as "dropped!""#,
        i32::try_from(keep_months).unwrap_or(i32::MAX)
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some((made, dropped)))
}
