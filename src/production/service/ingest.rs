//! Units in: a machine's batch of detections, checked whole against the plant and stored with its per-minute
//! rollups in one transaction, or refused whole naming the first bad row. Idempotent on the client's batch id: a
//! batch sent again (a retry after a lost answer) is acknowledged and not counted twice.

use chrono::Utc;
use sqlx::PgPool;

use crate::caller::Caller;
use crate::db;
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::production::rules::ingest::{self as rules, DetectionIn};
use crate::production::store::ingest as store;

/// What became of a batch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Ingested {
    pub batch_id: String,
    /// Units stored now (0 when the batch was stored before).
    pub stored: usize,
    /// The batch id was stored before: nothing was stored again.
    pub repeated: bool,
}

/// Stores a batch for the caller's tenant (`production:ingest`).
pub async fn ingest(pool: &PgPool, caller: &Caller, batch_id: &str, units: &[DetectionIn]) -> Result<Ingested> {
    caller.require(ApiScope::ProductionIngest)?;
    let batch_id = rules::check_batch_id(batch_id).map_err(Error::Batch)?.to_owned();
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, caller.scope()).await?;
    let count = i32::try_from(units.len()).unwrap_or(i32::MAX);
    // Claimed first: a second sender of the same batch waits here for the first one's outcome.
    if !store::claim_batch(&mut tx, tenant, &batch_id, count).await? {
        tx.rollback().await?;
        return Ok(Ingested { batch_id, stored: 0, repeated: true });
    }
    let plant = store::plant(&mut tx).await?;
    let oldest = store::oldest_kept(&mut tx).await?.ok_or_else(|| Error::internal("no detection partition exists"))?;
    let checked = match rules::check(units, &plant, Utc::now(), oldest) {
        Ok(checked) => checked,
        Err(problem) => {
            // Rolled back now, not when the connection is next used: the claim on the batch id goes with it, so the
            // corrected batch can be sent again under the same id at once.
            tx.rollback().await?;
            return Err(Error::Batch(problem));
        }
    };
    store::insert(&mut tx, tenant, &checked).await?;
    tx.commit().await?;
    Ok(Ingested { batch_id, stored: checked.len(), repeated: false })
}
