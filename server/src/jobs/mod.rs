//! Background jobs. Each runs on every instance on a timer, and each round takes a database advisory lock first, so a
//! job's work happens exactly once across instances (see the service each job calls).

use std::time::Duration;

use nexus::db::PgPool;
use tracing::Instrument;

/// Starts the jobs on this instance; they stop with the process.
pub fn spawn(pool: PgPool, production_keep_months: u32, downtime_every: Duration) {
    tokio::spawn(purge_sessions(pool.clone(), Duration::from_secs(3600)));
    tokio::spawn(fail_interrupted_uploads(pool.clone(), Duration::from_secs(300)));
    tokio::spawn(production_partitions(pool.clone(), production_keep_months, Duration::from_secs(3600)));
    tokio::spawn(production_downtime(pool, downtime_every.max(Duration::from_secs(1))));
}

/// Turns the gaps between each line's output units into downtime events.
async fn production_downtime(pool: PgPool, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let round = nexus::production::service::downtime::run(&pool);
        match round.instrument(tracing::info_span!("job", name = "production_downtime")).await {
            Ok(Some(0)) => tracing::debug!("no new stops"),
            Ok(Some(n)) => tracing::info!(stops = n, "production stops written"),
            Ok(None) => tracing::debug!("another instance runs this round"),
            Err(e) => tracing::warn!(error = %e, "downtime job failed; retrying next round"),
        }
    }
}

/// Creates the production units' partitions ahead and drops the months past retention.
async fn production_partitions(pool: PgPool, keep_months: u32, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let round = nexus::production::service::maintenance::partitions(&pool, keep_months);
        match round.instrument(tracing::info_span!("job", name = "production_partitions")).await {
            Ok(Some((0, 0))) => tracing::debug!("production partitions in place"),
            Ok(Some((made, dropped))) => tracing::info!(made, dropped, "production partitions made and dropped"),
            Ok(None) => tracing::debug!("another instance runs this round"),
            Err(e) => tracing::warn!(error = %e, "production partition job failed; retrying next round"),
        }
    }
}

/// Marks inventory commits whose server stopped as failed (at start too, before serving): with several instances, one
/// that stops leaves its commits to the others. Safe on every instance at once: a commit still running holds its
/// bodega's lock, and each stuck one is settled by whoever takes that lock first.
async fn fail_interrupted_uploads(pool: PgPool, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await; // The first tick is now: startup has just done this round.
    loop {
        tick.tick().await;
        let round = nexus::inventory::service::uploads::fail_interrupted(&pool);
        if let Err(e) = round.instrument(tracing::info_span!("job", name = "fail_interrupted_uploads")).await {
            tracing::warn!(error = %e, "interrupted upload check failed; retrying next round");
        }
    }
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
