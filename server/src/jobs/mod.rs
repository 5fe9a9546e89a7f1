//! Background jobs. Each runs on every instance on a timer, and each round takes a database advisory lock first, so a
//! job's work happens exactly once across instances (see the service each job calls).

use std::time::Duration;

use nexus::db::PgPool;
use tracing::Instrument;

/// Starts the jobs on this instance; they stop with the process.
pub fn spawn(pool: PgPool) {
    tokio::spawn(purge_sessions(pool, Duration::from_secs(3600)));
}

/// Deletes sessions (and their refresh tokens) a day after they ended.
async fn purge_sessions(pool: PgPool, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let round = nexus::identity::service::maintenance::purge_sessions(&pool);
        match round.instrument(tracing::info_span!("job", name = "purge_sessions")).await {
            Ok(Some(n)) => tracing::info!(purged = n, "ended sessions purged"),
            Ok(None) => tracing::debug!("another instance runs this round"),
            Err(e) => tracing::warn!(error = %e, "session purge failed; retrying next round"),
        }
    }
}
