//! The background jobs this server runs: every area's list (`<area>::service::jobs`), started on the core's one
//! runner (`nexus::jobs`), which takes each job's advisory lock per round so a round runs on one instance at a time.

use nexus::db::PgPool;

/// Starts every area's jobs on this instance; they stop with the process. `outbox`: how notices go out by e-mail
/// (no mail jobs when no mail server is set); `courier`: how webhooks are called.
pub fn spawn(
    pool: PgPool,
    production: nexus::production::service::JobSettings,
    outbox: nexus::notify::mail::Outbox,
    courier: nexus::notify::webhooks::Courier,
) {
    let mut jobs = nexus::identity::service::jobs();
    jobs.extend(nexus::notify::mail::jobs(outbox));
    jobs.extend(nexus::notify::webhooks::jobs(courier));
    jobs.extend(nexus::inventory::service::jobs());
    jobs.extend(nexus::production::service::jobs(production));
    jobs.extend(nexus::stockroom::service::jobs());
    jobs.extend(nexus::fabrication::service::jobs());
    nexus::jobs::spawn(pool, jobs);
}
