//! Rate limits shared by every instance: a client that spreads its requests over several instances behind a balancer
//! gets its quota once, not once per instance.
//!
//! Each key's quota is counted per minute in PostgreSQL (`rate_limits`), but not per request: an instance *leases* a
//! few requests at a time ([`SharedLimit::chunk`]) and serves them from memory, so a busy key costs one statement per
//! lease, not one per request. Leases never add up past the quota (the claim is one atomic statement), so across any
//! number of instances a key gets at most its quota a minute; a lease an instance holds but does not use is lost to
//! the others, so a key that moves between instances may get up to a lease per other instance less. A minute whose
//! quota is all claimed is refused from memory until it ends (429, Retry-After: the seconds left).
//!
//! Without the database (an outage, a restart) the shared count cannot be asked: the request is let through, under the
//! instance's own per-key limiter in front of this one (the server's `governor`), and answered by whatever the outage
//! makes of it.

use std::collections::HashMap;
use std::sync::Mutex;

use sqlx::PgPool;

use crate::identity::store::rate_limits as store;

/// One limit (requests a minute per key), shared through the database.
pub struct SharedLimit {
    pool: PgPool,
    quota: i32,
    chunk: i32,
    leases: Mutex<HashMap<String, Lease>>,
}

/// What this instance holds of a key's current minute.
#[derive(Clone, Copy)]
struct Lease {
    window: i64,
    left: i32,
    /// The minute's quota is all claimed: refused until it ends.
    spent: bool,
}

/// A request refused: how long until its key's next minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_secs: u64,
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

impl SharedLimit {
    /// `per_min` requests a minute per key, counted in `pool`'s database.
    pub fn new(pool: PgPool, per_min: u32) -> SharedLimit {
        let quota = i32::try_from(per_min.max(1)).unwrap_or(i32::MAX);
        SharedLimit { pool, quota, chunk: Self::chunk(quota), leases: Mutex::new(HashMap::new()) }
    }

    /// Requests leased at a time: a tenth of the quota (1 to 1,000): few statements for a busy key, little lost
    /// when a key moves between instances.
    pub fn chunk(quota: i32) -> i32 {
        (quota / 10).clamp(1, 1000)
    }

    /// Takes one request of `key`'s quota, or says how long until it has more.
    pub async fn check(&self, key: &str) -> Result<(), Limited> {
        let now = now_secs();
        let window = now.div_euclid(60);
        let limited = Limited { retry_after_secs: u64::try_from(60 - now.rem_euclid(60)).unwrap_or(60) };
        {
            let mut leases = self.leases.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(l) = leases.get_mut(key).filter(|l| l.window == window) {
                if l.left > 0 {
                    l.left -= 1;
                    return Ok(());
                }
                if l.spent {
                    return Err(limited);
                }
            }
        }
        let granted = match store::claim(&self.pool, key, window, self.chunk, self.quota).await {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!(error = %e, "shared rate limit unavailable; the instance's own limit applies");
                return Ok(());
            }
        };
        let mut leases = self.leases.lock().unwrap_or_else(|e| e.into_inner());
        let lease = leases.entry(key.to_owned()).or_insert(Lease { window, left: 0, spent: false });
        if lease.window != window {
            *lease = Lease { window, left: 0, spent: false };
        }
        if granted == 0 {
            lease.spent = true;
            return Err(limited);
        }
        // This request takes one of the lease; the rest wait in memory.
        lease.left += granted - 1;
        Ok(())
    }

    /// Forgets leases of past minutes (memory bounded by the keys of the last minute).
    pub fn prune(&self) {
        let window = now_secs().div_euclid(60);
        self.leases.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, l| l.window >= window);
    }
}

/// Deletes the counts of minutes past (a job's round; any instance, any number of times).
pub async fn forget_past(pool: &PgPool) -> crate::error::Result<u64> {
    Ok(store::forget_before(pool, now_secs().div_euclid(60) - 1).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three instances (their own leases each, one database) share one quota: a client that spreads its requests over
    /// them gets the quota once, never three times; a refused one waits for the next minute.
    #[sqlx::test]
    async fn a_client_spread_over_three_instances_gets_its_quota_once(pool: PgPool) {
        let instances: Vec<SharedLimit> = (0..3).map(|_| SharedLimit::new(pool.clone(), 100)).collect();
        // Not across a minute's turn: the test wants one minute.
        if now_secs().rem_euclid(60) > 50 {
            tokio::time::sleep(std::time::Duration::from_secs(11)).await;
        }
        let mut allowed = 0;
        let mut refused = Vec::new();
        for i in 0..450 {
            match instances[i % 3].check("user:spread").await {
                Ok(()) => allowed += 1,
                Err(l) => refused.push(l),
            }
        }
        assert!(allowed <= 100, "never more than the quota across instances: {allowed}");
        // Each instance may hold at most one unused lease (10) when the quota runs out.
        assert!(allowed >= 100 - 2 * SharedLimit::chunk(100), "at most a lease per other instance less: {allowed}");
        assert!(refused.iter().all(|l| (1..=60).contains(&l.retry_after_secs)));
        // Another key has its own quota; a burst at one instance is counted the same way.
        let mut other = 0;
        for _ in 0..150 {
            other += i32::from(instances[0].check("ip:10.0.0.1").await.is_ok());
        }
        assert_eq!(other, 100);
        assert_eq!(forget_past(&pool).await.unwrap(), 0, "this minute's counts are kept");
    }
}
