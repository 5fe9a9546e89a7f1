//! `nexus-server bench`: the foundation's performance figures, measured against the real router on a loopback port and
//! the real database (DATABASE_URL, or the private cluster).
//!
//! - login: N concurrent clients, each logging in as its own user, R rounds; latency percentiles.
//! - ttfb: sequential GETs of the login page after a warm-up; time to the response head (SSR time-to-first-byte).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use leptos::config::LeptosOptions;

use crate::cli::{ms, percentile};
use crate::config::Config;
use crate::startup;

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Concurrent login clients.
    #[arg(long, default_value_t = 20)]
    pub concurrency: usize,
    /// Logins per client.
    #[arg(long, default_value_t = 10)]
    pub rounds: usize,
    /// Login-page requests for the time-to-first-byte figure.
    #[arg(long, default_value_t = 300)]
    pub ttfb_requests: usize,
}

pub async fn run(cfg: Config, args: BenchArgs) -> Result<()> {
    let cfg = crate::cli::bench_config(cfg);
    let (url, _cluster) = startup::database(&cfg)?;
    run_inner(&cfg, &url, &args).await
}

async fn run_inner(cfg: &Config, url: &str, args: &BenchArgs) -> Result<()> {
    startup::migrate(url).await?;
    let options = LeptosOptions::builder().output_name("nexus").site_root("target/site").build();
    let state = startup::state(cfg, url, options).await?;
    let password = "Bench-Passw0rd";
    let emails = seed_users(&state.pool, args.concurrency, password).await?;
    let app = crate::http::router::build_router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });

    let base = format!("http://{addr}");
    let rounds = args.rounds;
    let started = Instant::now();
    let handles: Vec<_> = emails
        .into_iter()
        .map(|email| {
            let base = base.clone();
            tokio::task::spawn_blocking(move || -> Result<Vec<Duration>> {
                let agent = ureq::AgentBuilder::new().build();
                let mut times = Vec::with_capacity(rounds);
                for _ in 0..rounds {
                    let t = Instant::now();
                    let res = agent
                        .post(&format!("{base}/api/v1/auth/login"))
                        .set("content-type", "application/json")
                        .send_string(&format!(r#"{{"login":"{email}","password":"{password}"}}"#))
                        .context("login request")?;
                    anyhow::ensure!(res.status() == 200, "login answered {}", res.status());
                    let _ = res.into_string();
                    times.push(t.elapsed());
                }
                Ok(times)
            })
        })
        .collect();
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await??);
    }
    let wall = started.elapsed();
    all.sort();
    println!(
        "login: {} clients x {} rounds = {} logins in {:.2} s ({:.1}/s)",
        args.concurrency,
        rounds,
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64()
    );
    println!(
        "  p50 {}  p95 {}  p99 {}  max {}",
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.95)),
        ms(percentile(&all, 0.99)),
        ms(*all.last().unwrap_or(&Duration::ZERO))
    );

    let n = args.ttfb_requests;
    let base2 = base.clone();
    let ttfb = tokio::task::spawn_blocking(move || -> Result<Vec<Duration>> {
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let mut times = Vec::with_capacity(n);
        for i in 0..(n + 20) {
            let t = Instant::now();
            // ureq returns once the status line and headers are read: the time to first byte.
            let res = agent.get(&format!("{base2}/login")).call().context("GET /login")?;
            let head = t.elapsed();
            anyhow::ensure!(res.status() == 200, "GET /login answered {}", res.status());
            let _ = res.into_string();
            if i >= 20 {
                times.push(head);
            }
        }
        Ok(times)
    })
    .await??;
    let mut ttfb = ttfb;
    ttfb.sort();
    println!("ttfb GET /login: {} requests after 20 warm-up", ttfb.len());
    println!(
        "  p50 {}  p95 {}  max {}",
        ms(percentile(&ttfb, 0.5)),
        ms(percentile(&ttfb, 0.95)),
        ms(*ttfb.last().unwrap_or(&Duration::ZERO))
    );
    Ok(())
}

/// One active user per client, in a bench tenant (idempotent).
async fn seed_users(pool: &nexus::db::PgPool, n: usize, password: &str) -> Result<Vec<String>> {
    nexus::identity::service::demo::seed_bench_users(pool, n, password).await.map_err(|e| anyhow::anyhow!("{e}"))
}
