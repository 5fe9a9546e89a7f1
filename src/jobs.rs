//! The one background-job runner. Each area lists its jobs (`<area>::service::jobs()`), the server starts them all
//! with [`spawn`], and every job runs the same way: a tick every `every` on every instance, each tick first taking
//! the job's advisory lock (keyed by its name) in a transaction of its own (held for the round, released when the round ends or its
//! instance dies), so a round runs on one instance at a time and the others skip it; and, holding it, running only
//! when no instance began a round within the last [`DUE_AFTER`] of the period (`job_rounds`), so three instances run a
//! job about once a period between them, not once each. A round that fails (or whose instance dies) is not recorded,
//! is logged, and runs again at the next tick anywhere; nothing here knows what a job does.
//!
//! Jobs whose round writes in one transaction also take their own lock inside it (the downtime job, the partitions,
//! the session purge), so a direct call (a test, the CLI) is exactly-once too; the runner's lock is what every job,
//! whatever it does, gets for free.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tracing::Instrument;

use crate::db::{self, Scope};
use crate::error::Result;

/// The share of its period after which a job's round is due again: instances' timers tick at their own moments, so
/// a round exactly one period after the last one must not be skipped for being a few milliseconds early.
pub const DUE_AFTER: f64 = 0.8;

/// What a round did, for the log: `Some` is worth an info line, `None` a debug one.
pub type Report = Option<String>;

type Round = Pin<Box<dyn Future<Output = Result<Report>> + Send>>;

/// A background job: its name (which also names its lock), how often it runs, and its round.
#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    /// Wait one period before the first round (the server ran it already at start).
    pub after_start: bool,
    round: Arc<dyn Fn(PgPool) -> Round + Send + Sync>,
}

impl Job {
    pub fn new<F, Fut>(name: &'static str, every: Duration, round: F) -> Job
    where
        F: Fn(PgPool) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Report>> + Send + 'static,
    {
        Job {
            name,
            every: every.max(Duration::from_secs(1)),
            after_start: false,
            round: Arc::new(move |p| Box::pin(round(p))),
        }
    }

    /// The first round waits one period.
    pub fn after_start(mut self) -> Job {
        self.after_start = true;
        self
    }

    /// One round, if this instance gets the job's lock and the round is due: `Ok(None)` when another instance holds
    /// it or began a round within [`DUE_AFTER`] of the period.
    pub async fn run_once(&self, pool: &PgPool) -> Result<Option<Report>> {
        let mut lock = db::begin(pool, Scope::Platform).await?;
        if !db::try_job_lock(&mut lock, lock_key(self.name)).await?
            || !db::job_due(&mut lock, self.name, self.every.as_secs_f64() * DUE_AFTER).await?
        {
            return Ok(None);
        }
        let report = (self.round)(pool.clone()).await?;
        // Ending the lock's transaction frees the job for the next round (a dropped one would, too); a round that
        // ended well is recorded with it. One that ran but could not be recorded (the database gone meanwhile) is
        // still reported as run: it may run again at the next tick, which every round allows.
        let recorded = match db::job_ran(&mut lock, self.name).await {
            Ok(()) => lock.commit().await,
            Err(e) => Err(e),
        };
        if let Err(e) = recorded {
            tracing::warn!(job = self.name, error = %e, "the round ran but was not recorded; it may run again");
        }
        Ok(Some(report))
    }
}

/// The advisory lock key of a job: the first 8 bytes of SHA-256 of `nexus.job:<name>` (stable across builds and
/// instances; far from the services' own small constant keys).
fn lock_key(name: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("nexus.job:{name}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 digest has 32 bytes"))
}

/// Starts every job on this instance, each on its own timer; they stop with the process.
pub fn spawn(pool: PgPool, jobs: Vec<Job>) {
    for job in jobs {
        tokio::spawn(run_forever(pool.clone(), job));
    }
}

async fn run_forever(pool: PgPool, job: Job) {
    let mut tick = tokio::time::interval(job.every);
    // A slow round delays the next one rather than bunching them up.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    if job.after_start {
        tick.tick().await;
    }
    loop {
        tick.tick().await;
        let started = std::time::Instant::now();
        let round = job.run_once(&pool).instrument(tracing::info_span!("job", name = job.name));
        let outcome = match round.await {
            Ok(Some(Some(report))) => {
                tracing::info!(job = job.name, "{report}");
                "ran"
            }
            Ok(Some(None)) => {
                tracing::debug!(job = job.name, "nothing to do");
                "ran"
            }
            Ok(None) => {
                tracing::debug!(job = job.name, "another instance runs this round");
                "skipped"
            }
            Err(e) => {
                tracing::warn!(job = job.name, error = %e, "job round failed; retrying next round");
                "failed"
            }
        };
        metrics::counter!("nexus_job_rounds_total", "job" => job.name, "outcome" => outcome).increment(1);
        if outcome != "skipped" {
            metrics::histogram!("nexus_job_round_seconds", "job" => job.name).record(started.elapsed().as_secs_f64());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A job whose round takes a while and counts how often it ran.
    fn counting(runs: Arc<AtomicU32>) -> Job {
        Job::new("test_counting", Duration::from_secs(60), move |_pool| {
            let runs = runs.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let n = runs.fetch_add(1, Ordering::SeqCst) + 1;
                Ok(Some(format!("round {n}")))
            }
        })
    }

    #[sqlx::test]
    async fn a_round_runs_on_one_instance_at_a_time_and_the_next_round_runs_again(pool: PgPool) {
        let runs = Arc::new(AtomicU32::new(0));
        // Two instances (their own runner each, one database) reach the same round at once.
        let (a, b) = (counting(runs.clone()), counting(runs.clone()));
        let (ra, rb) = tokio::join!(a.run_once(&pool), b.run_once(&pool));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        assert_eq!(runs.load(Ordering::SeqCst), 1, "exactly one of the two ran the round");
        assert!(ra.is_some() != rb.is_some(), "one ran it ({ra:?}), the other skipped ({rb:?})");
        assert_eq!(ra.or(rb).unwrap().as_deref(), Some("round 1"));
        // Another instance ticking later in the same period does not run it again (three instances once ran each
        // job three times a period, each timer at its own moment).
        assert_eq!(b.run_once(&pool).await.unwrap(), None, "this period's round has run");
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // A period later, the next round runs.
        a_period_passes(&pool, "test_counting").await;
        assert_eq!(b.run_once(&pool).await.unwrap(), Some(Some("round 2".to_owned())));
        // Another job is not held by this one's lock.
        a_period_passes(&pool, "test_counting").await;
        let other = Job::new("test_other", Duration::from_secs(60), |_| async { Ok(None) });
        let (held, free) = tokio::join!(a.run_once(&pool), other.run_once(&pool));
        assert!(held.unwrap().is_some());
        assert_eq!(free.unwrap(), Some(None));
    }

    /// Moves the job's last round `secs` back in time.
    async fn earlier(pool: &PgPool, job: &str, secs: f64) {
        sqlx::query!(
            "update job_rounds set started_at = started_at - $2::float8 * interval '1 second' where job = $1",
            job,
            secs
        )
        .execute(pool)
        .await
        .unwrap();
    }

    /// Moves the job's last round a period (60 s) back, as if the period had passed.
    async fn a_period_passes(pool: &PgPool, job: &str) {
        earlier(pool, job, 61.0).await;
    }

    #[sqlx::test]
    async fn a_round_is_due_again_a_little_before_its_period_has_passed(pool: PgPool) {
        let runs = Arc::new(AtomicU32::new(0));
        let job = counting(runs.clone());
        assert!(job.run_once(&pool).await.unwrap().is_some());
        // Timers tick at their own moments: 50 of 60 s later, the round is due.
        earlier(&pool, "test_counting", 50.0).await;
        assert!(job.run_once(&pool).await.unwrap().is_some());
        // 30 s later it is not.
        earlier(&pool, "test_counting", 30.0).await;
        assert!(job.run_once(&pool).await.unwrap().is_none());
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[sqlx::test]
    async fn a_failed_round_frees_the_lock_and_reports_the_error(pool: PgPool) {
        let failing =
            Job::new("test_failing", Duration::from_secs(60), |_| async { Err(crate::Error::internal("boom")) });
        assert!(failing.run_once(&pool).await.is_err());
        let again = Job::new("test_failing", Duration::from_secs(60), |_| async { Ok(None) });
        assert_eq!(
            again.run_once(&pool).await.unwrap(),
            Some(None),
            "the failed round left no lock behind, and was not counted as this period's round"
        );
    }
}
