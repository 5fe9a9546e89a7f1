//! Housekeeping of identity data, run by the server's jobs: ended sessions and their refresh tokens are deleted a day
//! after they ended (revoked, or past their 12-hour lifetime), so the tables hold live data, not history (the audit
//! log keeps the history).
//!
//! Exactly once across instances: the purge runs under a transaction-scoped advisory lock; an instance that does not
//! get it skips the round.

use serde_json::json;
use sqlx::PgPool;

use crate::audit::{self, Actor, Event};
use crate::caller::RequestMeta;
use crate::db::{self, PLATFORM_TENANT, Scope};
use crate::error::Result;
use crate::identity::store::sessions;

/// Advisory lock key of the session purge ("nexus" + job number, any stable constant would do).
const PURGE_LOCK: i64 = 0x6e65_7875_7301;
/// Ended sessions are kept this long (for "why was I signed out" questions), then deleted.
const KEEP_DAYS: i32 = 1;

/// Deletes ended sessions; returns how many, or `None` when another instance holds the job this round.
pub async fn purge_sessions(pool: &PgPool) -> Result<Option<u64>> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    if !db::try_job_lock(&mut tx, PURGE_LOCK).await? {
        return Ok(None);
    }
    let purged = sessions::purge_ended(&mut tx, KEEP_DAYS).await?;
    if purged > 0 {
        let meta = RequestMeta::default();
        let event =
            Event::new("system.sessions_purged").after(json!({ "sessions": purged, "ended_days_ago": KEEP_DAYS }));
        audit::record(&mut tx, &Actor::system(PLATFORM_TENANT, &meta), event).await?;
    }
    tx.commit().await?;
    Ok(Some(purged))
}
