//! The identity flows that the edges call. Each opens its own transaction in the right scope, checks the caller's
//! permission first, and writes its audit entry in the same transaction as the change it records.

pub mod api_keys;
pub mod auth;
pub mod demo;
pub mod invitations;
pub mod maintenance;
mod passwords;
pub mod rate_limits;
pub mod streams;
pub mod users;

/// The area's background jobs (run by `crate::jobs`): ended sessions purged hourly; the shared rate limits' past
/// minutes forgotten every minute.
pub fn jobs() -> Vec<crate::jobs::Job> {
    vec![
        crate::jobs::Job::new("purge_sessions", std::time::Duration::from_secs(3600), |pool| async move {
            let purged = maintenance::purge_sessions(&pool).await?;
            Ok(purged.filter(|n| *n > 0).map(|n| format!("{n} ended sessions purged")))
        }),
        crate::jobs::Job::new("rate_limits_forget", std::time::Duration::from_secs(60), |pool| async move {
            rate_limits::forget_past(&pool).await?;
            Ok(None)
        }),
    ]
}
