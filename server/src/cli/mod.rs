//! Command-line tools beside the server, one folder per area as everywhere else: `identity/bench.rs` (`nexus-server
//! bench`: login and time-to-first-byte), `catalog/` (`nexus-server catalog import|generate|migrate-legacy`, and
//! `bench catalog`), `inventory/bench.rs` (`bench inventory`), `production/` (`simulate`, the plant simulator, and
//! `bench production`), `stockroom/` (`stock add|issue|return|transfer|count|status` over REST, and `bench stock`), `mes/` (`bench mes`),
//! `fabrication/` (`bench fabrication`). Below, what the benches share: their percentiles.

use std::time::Duration;

pub mod catalog;
pub mod fabrication;
pub mod identity;
pub mod inventory;
pub mod mes;
pub mod production;
pub mod stockroom;

/// The `p` percentile of `sorted` (the nearest rank; zero when empty).
/// A bench's configuration: no demo accounts, and rate limits out of the way (a bench measures the server, not the
/// limiter).
pub(crate) fn bench_config(mut cfg: crate::config::Config) -> crate::config::Config {
    cfg.demo = false;
    cfg.rate_limit_per_min = 1_000_000;
    cfg.auth_rate_limit_per_min = 1_000_000;
    cfg
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// `d` in milliseconds, one decimal.
pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// One figure of a bench beside its target.
pub(crate) struct Row {
    pub what: String,
    pub value: String,
    pub target: String,
    /// Met (`Some(true)`), missed, or no target.
    pub pass: Option<bool>,
}

/// A bench's results as a table: each figure, what was measured, its target and the verdict.
pub(crate) fn print_rows(title: &str, rows: Vec<Row>) {
    println!("\n{title}: results");
    println!("{:<58} {:>22}  {:<18} verdict", "figure", "measured", "target");
    for r in rows {
        let verdict = match r.pass {
            Some(true) => "PASS",
            Some(false) => "MISS",
            None => "",
        };
        println!("{:<58} {:>22}  {:<18} {verdict}", r.what, r.value, r.target);
    }
}

/// CPU seconds (user + system) in a `/proc/…/stat` line (Linux; clock ticks of 1/100 s).
fn stat_cpu(stat: &str) -> f64 {
    let Some(close) = stat.rfind(')') else { return 0.0 };
    let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
    // After the name: state is field 3 of the line, utime 14 and stime 15.
    let ticks = fields.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    ticks as f64 / 100.0
}

/// CPU seconds this process has used so far.
pub(crate) fn process_cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat").map_or(0.0, |s| stat_cpu(&s))
}

/// CPU seconds the calling thread has used so far.
pub(crate) fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat").map_or(0.0, |s| stat_cpu(&s))
}

/// CPU seconds used so far by the machine's PostgreSQL processes (live ones).
pub(crate) fn postgres_cpu() -> f64 {
    let mut cpu = 0.0;
    for p in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(p.path().join("stat")) else { continue };
        if stat.contains("(postgres)") {
            cpu += stat_cpu(&stat);
        }
    }
    cpu
}

/// A bench's own database on the cluster at `url` (created when missing, migrated): its options and URL.
pub(crate) async fn bench_database(url: &str, db: &str) -> anyhow::Result<(sqlx::postgres::PgConnectOptions, String)> {
    use anyhow::Context;
    use sqlx::{ConnectOptions, Executor};
    let admin: sqlx::postgres::PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let bench = admin.clone().database(db).disable_statement_logging();
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_with(admin).await?;
    let found: bool = sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
        .bind(db)
        .fetch_one(&pool)
        .await?;
    if !found {
        pool.execute(format!("create database {db}").as_str()).await?;
    }
    pool.close().await;
    let bench_url = bench.to_url_lossy().to_string();
    crate::startup::migrate(&bench_url).await?;
    Ok((bench, bench_url))
}
