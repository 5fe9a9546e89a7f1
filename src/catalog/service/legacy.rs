//! The legacy `AFT-` migration: older imports stored aftermarket parts as fake OEM parts numbered
//! `AFT-{partNo}-{MANUFACTURER}`. This moves them where they belong (aftermarket rows of the OEM part they replace, their
//! fitment relinked to it), in one transaction, set-based (see `store::legacy`), and reports what it did. Idempotent:
//! a second run finds only the parts the first could not match, and leaves them.

use serde::Serialize;

use crate::catalog::store::{import as import_store, legacy as store};
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};

/// What a migration did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MigrationReport {
    /// `AFT-` parts found.
    pub legacy: i64,
    /// Moved to aftermarket parts (and deleted as OEM parts).
    pub migrated: i64,
    pub via_cross_ref: i64,
    pub via_fitment: i64,
    /// Left in place: no OEM part found (listed in `unmatched`, the first hundred).
    pub no_oem_match: i64,
    /// Left in place: not of the form `AFT-{number}-{MANUFACTURER}`.
    pub unparseable: i64,
    pub manufacturers_created: i64,
    pub aftermarket_created: i64,
    pub fitment_relinked: i64,
    pub unmatched: Vec<String>,
    pub duration_ms: u64,
}

/// Migrates every legacy part, recording the run as done by `actor`.
pub async fn migrate_legacy(pool: &PgPool, actor: &str) -> Result<MigrationReport> {
    let run = import_store::start_run(pool, "migration", actor, "AFT- parts").await?;
    let outcome = migrate(pool).await;
    let report = match &outcome {
        Ok(r) => serde_json::to_value(r).map_err(Error::internal)?,
        Err(e) => serde_json::json!({ "problem": "internal", "message": e.to_string() }),
    };
    import_store::finish_run(pool, run, outcome.is_ok(), &report).await?;
    outcome
}

async fn migrate(pool: &PgPool) -> Result<MigrationReport> {
    let started = std::time::Instant::now();
    let mut tx = db::begin(pool, Scope::Platform).await?;
    import_store::bulk_memory(&mut tx).await?;
    let split = store::split(&mut tx).await?;
    let unmatched = store::unmatched(&mut tx, 100).await?;
    let moved = store::move_matched(&mut tx).await?;
    if moved.migrated > 0 {
        import_store::rebuild_words(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(MigrationReport {
        legacy: split.legacy,
        migrated: moved.migrated,
        via_cross_ref: split.via_cross_ref,
        via_fitment: split.via_fitment,
        no_oem_match: split.no_match,
        unparseable: split.unparseable,
        manufacturers_created: moved.manufacturers_created,
        aftermarket_created: moved.aftermarket_created,
        fitment_relinked: moved.fitment_relinked,
        unmatched,
        duration_ms: started.elapsed().as_millis() as u64,
    })
}
