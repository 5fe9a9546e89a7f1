//! Reads that tolerate a little lag (catalog search and part pages, availability, dashboards, lists) may be served by a
//! streaming replica, so the primary keeps its CPU for writes. Which pool a read gets is decided here, per request:
//! - the replica only while it is usable: reachable, still a standby, and at most `max_lag` behind the primary;
//! - never for a caller who wrote since the replica was last known to be current (read-your-writes): the caller says
//!   when it last wrote (the server keeps that in a cookie across instances), and the replica serves it only once
//!   it is known to have replayed everything the primary had committed by then.
//!
//! How current the replica is comes from [`Reads::watch`], one loop per instance: every [`CHECK_EVERY`] it reads the
//! primary's WAL position, then the replica's replayed position. A replica that has replayed the primary's position
//! of time `t` holds every commit made before `t`: it is *current as of* `t`. Its lag is the time since the latest
//! such `t` (0 to [`CHECK_EVERY`] when it keeps up), which is what the bound and the health endpoint speak of; the
//! bytes behind are shown too. A replica that stops answering, is promoted, or falls behind the bound is out of use
//! at the next check, and back in use once it has caught up.
//!
//! The positions are unchecked `sqlx::query`: they name no table.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::PgPool;

/// How often the replica's position is read.
pub const CHECK_EVERY: Duration = Duration::from_millis(500);
/// Longest a position query may take before its side counts as unreachable.
const QUERY_TIMEOUT: Duration = Duration::from_secs(1);
/// Clocks of different instances may differ this much (milliseconds): a write is taken to have happened this much
/// later than its instance said.
const CLOCK_MARGIN_MS: i64 = 500;
/// Primary positions remembered (a minute of checks): enough to say how far back the replica is current.
const SAMPLES: usize = 120;

/// Where reads go: the primary, and the replica while it is usable (cheap to clone).
#[derive(Clone)]
pub struct Reads {
    primary: PgPool,
    replica: Option<Arc<Replica>>,
}

struct Replica {
    pool: PgPool,
    max_lag: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Every commit on the primary before this time (Unix ms) has been replayed on the replica.
    current_as_of: Option<i64>,
    /// Bytes of WAL the replica had still to replay at the last check.
    behind_bytes: Option<i64>,
    /// Why the replica is out of use, if it is.
    out: Option<&'static str>,
    /// Recent primary positions: (Unix ms before reading it, position).
    samples: VecDeque<(i64, i64)>,
}

/// An error a read may end with, which says whether the database could not answer (then another may).
pub trait Unavailable {
    fn is_unavailable(&self) -> bool;
}

impl Unavailable for crate::Error {
    fn is_unavailable(&self) -> bool {
        matches!(self, crate::Error::Unavailable(_))
    }
}

/// A pool picked for a read, and how current its data is.
#[derive(Clone)]
pub struct Picked {
    pub pool: PgPool,
    /// `None`: the primary (current). `Some(t)`: the replica, which holds every commit made before `t` (Unix ms;
    /// it only moves forward, so a read started now sees at least that).
    pub as_of: Option<i64>,
    /// Where to turn when the replica fails a read: the primary, and the replica to take out of use.
    fallback: Option<(PgPool, Arc<Replica>)>,
}

impl Picked {
    /// The primary, current by definition.
    pub fn primary(pool: &PgPool) -> Picked {
        Picked { pool: pool.clone(), as_of: None, fallback: None }
    }

    /// Runs a read on the picked pool; if that was the replica and it could not answer (gone, restarting, out of
    /// connections), takes it out of use at once and runs the read again on the primary: a replica that dies is
    /// felt by nobody, not by the reads of the second before the next check.
    pub async fn run<T, E, F, Fut>(&self, read: F) -> Result<T, E>
    where
        E: Unavailable,
        F: Fn(Picked) -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        match read(self.clone()).await {
            Err(e) if e.is_unavailable() && self.fallback.is_some() => {
                let Some((primary, replica)) = &self.fallback else { return Err(e) };
                tracing::warn!("a read failed on the replica; the replica is out of use, the read goes to the primary");
                replica.state.lock().unwrap_or_else(|e| e.into_inner()).out = Some("unreachable");
                metrics::counter!("nexus_db_replica_fallbacks_total").increment(1);
                read(Picked::primary(primary)).await
            }
            other => other,
        }
    }
}

/// The replica's state, for the health endpoint and the metrics.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ReplicaHealth {
    /// Whether reads that tolerate lag go to the replica now.
    pub in_use: bool,
    /// How far behind the primary it is, in milliseconds (absent until first measured).
    pub lag_ms: Option<i64>,
    /// WAL bytes it had still to replay at the last check.
    pub behind_bytes: Option<i64>,
    /// The bound past which it is taken out of use, in milliseconds.
    pub max_lag_ms: i64,
    /// Why it is out of use: `unreachable`, `not_a_standby`, `behind`, or `starting`.
    pub reason: Option<&'static str>,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Reads {
    /// Every read on the primary (no replica configured).
    pub fn primary_only(primary: PgPool) -> Reads {
        Reads { primary, replica: None }
    }

    /// Reads that tolerate lag may go to `replica` while it is at most `max_lag` behind; out of use until
    /// [`Reads::watch`] has measured it.
    pub fn with_replica(primary: PgPool, replica: PgPool, max_lag: Duration) -> Reads {
        let state = State { out: Some("starting"), ..State::default() };
        Reads { primary, replica: Some(Arc::new(Replica { pool: replica, max_lag, state: Mutex::new(state) })) }
    }

    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    /// The replica's pool, if there is one (whether in use or not).
    pub fn replica_pool(&self) -> Option<&PgPool> {
        self.replica.as_ref().map(|r| &r.pool)
    }

    /// The pool for a read that tolerates a little lag, by a caller whose latest write was at `wrote_at` (Unix ms;
    /// `None`: none recently).
    pub fn for_read(&self, wrote_at: Option<i64>) -> &PgPool {
        match &self.replica {
            Some(r) if r.serves(wrote_at) => &r.pool,
            _ => &self.primary,
        }
    }

    /// [`Reads::for_read`], with how current the picked pool's data is (for what keeps results: a cache).
    pub fn pick(&self, wrote_at: Option<i64>) -> Picked {
        match &self.replica {
            Some(r) if r.serves(wrote_at) => {
                let as_of = r.state.lock().unwrap_or_else(|e| e.into_inner()).current_as_of;
                Picked {
                    pool: r.pool.clone(),
                    as_of: Some(as_of.unwrap_or(i64::MIN)),
                    fallback: Some((self.primary.clone(), r.clone())),
                }
            }
            _ => Picked::primary(&self.primary),
        }
    }

    /// Whether a read by this caller would go to the replica.
    pub fn on_replica(&self, wrote_at: Option<i64>) -> bool {
        self.replica.as_ref().is_some_and(|r| r.serves(wrote_at))
    }

    /// The replica's state; `None` without one.
    pub fn health(&self) -> Option<ReplicaHealth> {
        let r = self.replica.as_ref()?;
        let s = r.state.lock().unwrap_or_else(|e| e.into_inner());
        Some(ReplicaHealth {
            in_use: s.out.is_none(),
            lag_ms: s.current_as_of.map(|t| (now_ms() - t).max(0)),
            behind_bytes: s.behind_bytes,
            max_lag_ms: i64::try_from(r.max_lag.as_millis()).unwrap_or(i64::MAX),
            reason: s.out,
        })
    }

    /// Measures the replica every [`CHECK_EVERY`] for as long as the process runs (spawn it); returns at once
    /// without a replica.
    pub async fn watch(self) {
        let Some(replica) = self.replica.clone() else { return };
        let mut tick = tokio::time::interval(CHECK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            replica.check(&self.primary).await;
            if let Some(h) = self.health() {
                metrics::gauge!("nexus_db_replica_in_use").set(if h.in_use { 1.0 } else { 0.0 });
                if let Some(lag) = h.lag_ms {
                    metrics::gauge!("nexus_db_replica_lag_seconds").set(lag as f64 / 1000.0);
                }
            }
        }
    }
}

impl Replica {
    fn serves(&self, wrote_at: Option<i64>) -> bool {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.out.is_none() && wrote_at.is_none_or(|w| s.current_as_of.is_some_and(|t| t >= w + CLOCK_MARGIN_MS))
    }

    async fn check(&self, primary: &PgPool) {
        let before = now_ms();
        let head = tokio::time::timeout(
            QUERY_TIMEOUT,
            sqlx::query_scalar::<_, i64>("select (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").fetch_one(primary),
        )
        .await;
        let replayed = tokio::time::timeout(
            QUERY_TIMEOUT,
            sqlx::query_as::<_, (Option<i64>, bool)>(
                "select (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint, pg_is_in_recovery()",
            )
            .fetch_one(&self.pool),
        )
        .await;
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // The primary unreachable (a restart): the last positions stand, and the lag grows with the clock.
        if let Ok(Ok(head)) = head {
            s.samples.push_back((before, head));
            if s.samples.len() > SAMPLES {
                s.samples.pop_front();
            }
        }
        let replayed = match replayed {
            Ok(Ok((Some(lsn), true))) => lsn,
            Ok(Ok((_, false))) => {
                s.out = Some("not_a_standby");
                return;
            }
            _ => {
                s.out = Some("unreachable");
                return;
            }
        };
        if let Some(t) = s.samples.iter().rev().find(|(_, lsn)| *lsn <= replayed).map(|(t, _)| *t) {
            s.current_as_of = Some(s.current_as_of.map_or(t, |c| c.max(t)));
        }
        s.behind_bytes = s.samples.back().map(|(_, head)| (head - replayed).max(0));
        let lag = s.current_as_of.map(|t| now_ms() - t);
        let max = i64::try_from(self.max_lag.as_millis()).unwrap_or(i64::MAX);
        s.out = match lag {
            Some(lag) if lag <= max => None,
            Some(_) => Some("behind"),
            None => Some("starting"),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The replica's checks, driven by hand over one database standing for both sides (a database that is not a
    /// standby is refused as a replica, which is also checked).
    #[sqlx::test]
    async fn a_database_that_is_not_a_standby_never_serves_reads(pool: PgPool) {
        let reads = Reads::with_replica(pool.clone(), pool.clone(), Duration::from_secs(2));
        assert!(!reads.on_replica(None), "out of use until measured");
        assert_eq!(reads.health().unwrap().reason, Some("starting"));
        let r = reads.replica.clone().unwrap();
        r.check(&pool).await;
        let h = reads.health().unwrap();
        assert!(!h.in_use);
        assert_eq!(h.reason, Some("not_a_standby"));
        assert!(std::ptr::eq(reads.for_read(None), reads.primary()));
        assert!(Reads::primary_only(pool).health().is_none());
    }

    /// A replica that dies between checks fails nobody's read: the read that finds it gone runs again on the primary,
    /// and the replica is out of use from then on (found killing a standby under readers: those reads were 503s).
    #[sqlx::test]
    async fn a_read_the_replica_cannot_answer_runs_on_the_primary(pool: PgPool) {
        let gone = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(Duration::from_millis(500))
            .connect_lazy("postgres://nobody@127.0.0.1:1/none")
            .unwrap();
        let reads = Reads::with_replica(pool.clone(), gone, Duration::from_secs(2));
        let r = reads.replica.clone().unwrap();
        {
            let mut s = r.state.lock().unwrap();
            s.out = None;
            s.current_as_of = Some(now_ms());
        }
        let picked = reads.pick(None);
        assert!(picked.as_of.is_some(), "the replica was picked");
        let tried = std::sync::Mutex::new(Vec::new());
        let answer =
            picked
                .run(|p| {
                    tried.lock().unwrap().push(p.as_of.is_some());
                    async move {
                        sqlx::query_scalar::<_, i32>("select 7").fetch_one(&p.pool).await.map_err(crate::Error::from)
                    }
                })
                .await
                .unwrap();
        assert_eq!(answer, 7);
        assert_eq!(*tried.lock().unwrap(), vec![true, false], "the replica, then the primary");
        assert!(!reads.on_replica(None), "the replica is out of use at once");
        assert_eq!(reads.health().unwrap().reason, Some("unreachable"));
        // A read that fails on the primary is not tried again.
        let picked = reads.pick(None);
        let n = std::sync::atomic::AtomicU32::new(0);
        let failed: crate::error::Result<()> = picked
            .run(|_| {
                n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async { Err(crate::Error::from(sqlx::Error::PoolTimedOut)) }
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(n.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn a_caller_who_wrote_reads_from_the_replica_only_once_it_holds_the_write() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let _guard = rt.enter();
        let pool = PgPool::connect_lazy("postgres://localhost/unused").unwrap();
        let reads = Reads::with_replica(pool.clone(), pool, Duration::from_secs(2));
        let r = reads.replica.clone().unwrap();
        let now = now_ms();
        {
            let mut s = r.state.lock().unwrap();
            s.out = None;
            s.current_as_of = Some(now);
        }
        assert!(reads.on_replica(None), "no write: the replica");
        assert!(reads.on_replica(Some(now - 5_000)), "a write it holds: the replica");
        assert!(!reads.on_replica(Some(now - 100)), "a write within the clocks' margin: the primary");
        assert!(!reads.on_replica(Some(now + 1_000)), "a later write: the primary");
        r.state.lock().unwrap().out = Some("behind");
        assert!(!reads.on_replica(None), "out of use: the primary for everyone");
    }
}
