//! Command-line tools beside the server, one folder per area as everywhere else: `identity/bench.rs` (`nexus-server
//! bench`: login and time-to-first-byte), `catalog/` (`nexus-server catalog import|generate|migrate-legacy`, and
//! `bench catalog`), `inventory/bench.rs` (`bench inventory`), `production/` (`simulate`, the plant simulator, and
//! `bench production`), `stockroom/` (`stock add|issue|return|transfer|count|status` over REST, and `bench stock`). Below, what the benches share: their percentiles.

use std::time::Duration;

pub mod catalog;
pub mod identity;
pub mod inventory;
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
