//! `bench production`'s `ingest` section: an in-process server on a loopback port and a load generator in the same
//! process (threads, each a line's machine posting JSON batches): units per second, batch latency, where the CPU went,
//! and a check that every unit was stored once and the rollups add up.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use uuid::Uuid;

use super::{INGEST_PLANT, ProductionBenchArgs, Row, bench_tenant, ingest_key};
use crate::cli::{ms, percentile, postgres_cpu, process_cpu, thread_cpu};
use crate::config::Config;
use crate::startup;

/// One client: a line's machine sending batches until `stop`; each batch's latency, and the CPU seconds the client
/// used (building its batches and speaking HTTP).
fn client(
    base: &str,
    key: &str,
    line: &str,
    products: &[String],
    batch: usize,
    start: DateTime<Utc>,
    stop: &AtomicBool,
) -> Result<(Vec<Duration>, f64)> {
    let cpu = thread_cpu();
    const AREAS: [&str; 4] = ["ENT", "PRO", "INS", "SAL"];
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(120)).build();
    let url = format!("{base}/api/v1/production/detections");
    let auth = format!("Bearer {key}");
    let run = Uuid::new_v4().simple().to_string();
    let mut times = Vec::new();
    let mut at = start;
    let mut body = String::with_capacity(batch * 110 + 100);
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        body.clear();
        let product = &products[(n as usize / 20) % products.len()];
        write!(body, r#"{{"batch_id":"bench-{run}-{n}","detections":["#)?;
        for i in 0..batch {
            // A unit every millisecond of the line's clock (a batch is a second of it), through its four areas in
            // turn; one in fifty rejected.
            at += chrono::Duration::milliseconds(1);
            let good = !(n as usize * batch + i).is_multiple_of(50);
            if i > 0 {
                body.push(',');
            }
            write!(
                body,
                r#"{{"line":"{line}","area":"{}","product":"{product}","at":"{}","good":{good}}}"#,
                AREAS[i % 4],
                at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            )?;
        }
        body.push_str("]}");
        let t = Instant::now();
        let res =
            agent.post(&url).set("authorization", &auth).set("content-type", "application/json").send_string(&body);
        match res {
            Ok(r) if r.status() == 201 => times.push(t.elapsed()),
            Ok(r) => anyhow::bail!("a batch was answered {}", r.status()),
            Err(ureq::Error::Status(code, r)) => {
                anyhow::bail!("a batch was refused: {code} {}", r.into_string().unwrap_or_default())
            }
            Err(e) => return Err(e).context("sending a batch"),
        }
    }
    Ok((times, thread_cpu() - cpu))
}

pub(super) async fn run(cfg: &Config, bench_url: &str, owner: &PgPool, args: &ProductionBenchArgs) -> Result<Vec<Row>> {
    let tenant = bench_tenant(owner, INGEST_PLANT).await?;
    // Each run starts from an empty plant (a run cut short leaves its units): the check below compares what was sent
    // with what is stored.
    let t = Instant::now();
    for table in ["production_detections", "production_minutes", "production_hours", "production_batches"] {
        sqlx::query(&format!("delete from {table} where tenant_id = $1")).bind(tenant.id).execute(owner).await?;
    }
    // Their space reused by this run's (the bench database would grow by a run's units each time otherwise).
    for table in ["production_detections", "production_minutes", "production_hours", "production_batches"] {
        sqlx::query(&format!("vacuum analyze {table}")).execute(owner).await?;
    }
    println!("ingest: the previous run's units deleted in {:.1} s", t.elapsed().as_secs_f64());
    let options = LeptosOptions::builder().output_name("nexus").site_root("target/site").build();
    let state = startup::state(cfg, bench_url, options).await?;
    let key = ingest_key(&state.pool, tenant.id).await?;
    let app = crate::http::router::build_router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    let base = format!("http://{addr}");
    let products: Vec<String> = tenant.products.iter().map(|(_, c)| c.clone()).collect();
    // Unit times start 90 s before now per second of the run: each batch is a second of a line's clock, and a client
    // sends well under 90 batches a second, so it stays behind the server's clock.
    let start = Utc::now() - chrono::Duration::seconds(i64::try_from(args.seconds)?.max(60) * 90);
    let stop = Arc::new(AtomicBool::new(false));

    // A short warm-up (connections, plans), not measured.
    {
        let (b, k, l, p, s) = (base.clone(), key.clone(), tenant.lines[0].1.clone(), products.clone(), start);
        let warm = Arc::new(AtomicBool::new(false));
        let w = warm.clone();
        let h = std::thread::Builder::new()
            .name("loadgen-warm".into())
            .spawn(move || client(&b, &k, &l, &p, 1000, s - chrono::Duration::minutes(30), &w))?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        warm.store(true, Ordering::Relaxed);
        h.join().map_err(|_| anyhow::anyhow!("warm-up client panicked"))??;
    }

    let (cpu_all0, cpu_pg0) = (process_cpu(), postgres_cpu());
    let started = Instant::now();
    let handles: Vec<_> = (0..args.clients)
        .map(|i| {
            let (b, k, p, s) = (base.clone(), key.clone(), products.clone(), stop.clone());
            let line = tenant.lines[i % tenant.lines.len()].1.clone();
            let batch = args.batch;
            // Clients sharing a line (more clients than lines) keep to their own stretch of its clock.
            let from = start + chrono::Duration::minutes(5 * (i / tenant.lines.len()) as i64);
            std::thread::Builder::new()
                .name(format!("loadgen-{i}"))
                .spawn(move || client(&b, &k, &line, &p, batch, from, &s))
        })
        .collect::<std::io::Result<_>>()?;
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut times = Vec::new();
    let mut cpu_gen = 0.0;
    for h in handles {
        let h: std::thread::JoinHandle<Result<(Vec<Duration>, f64)>> = h;
        let joined = tokio::task::spawn_blocking(move || h.join()).await?;
        let (t, cpu) = joined.map_err(|_| anyhow::anyhow!("a client panicked"))??;
        times.extend(t);
        cpu_gen += cpu;
    }
    let wall = started.elapsed().as_secs_f64();
    let (cpu_srv, cpu_pg) = (process_cpu() - cpu_all0 - cpu_gen, postgres_cpu() - cpu_pg0);
    server.abort();
    times.sort();
    let units = times.len() * args.batch;
    let rate = units as f64 / wall;
    println!(
        "ingest: {} clients, {} batches of {} in {wall:.1} s: {rate:.0} units/s; p50 {} p95 {} p99 {}; CPU s: \
         generator {cpu_gen:.1}, server {cpu_srv:.1}, PostgreSQL {cpu_pg:.1} (of {:.0} available)",
        args.clients,
        times.len(),
        args.batch,
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(percentile(&times, 0.99)),
        wall * 2.0
    );
    // Every unit sent is stored once, and the rollups add up to exactly the units (warm-up included in both).
    let (stored, rolled, hourly, hour_minutes, minute_rows, batches): (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from production_detections where tenant_id = $1),
                (select coalesce(sum(total), 0)::bigint from production_minutes where tenant_id = $1),
                (select coalesce(sum(total), 0)::bigint from production_hours where tenant_id = $1),
                (select coalesce(sum(minutes), 0)::bigint from production_hours where tenant_id = $1),
                (select count(*) from production_minutes where tenant_id = $1),
                (select coalesce(sum(detections), 0)::bigint from production_batches where tenant_id = $1)",
    )
    .bind(tenant.id)
    .fetch_one(owner)
    .await?;
    anyhow::ensure!(
        stored == rolled && stored == hourly && stored == batches && hour_minutes == minute_rows,
        "stored {stored}, rolled up {rolled} per minute and {hourly} per hour, batches {batches}; \
         {minute_rows} minutes, {hour_minutes} counted per hour"
    );
    println!("ingest: {stored} units stored (warm-up included), rollups add up to the same");
    // Gone again, so the bench database does not keep millions of throwaway units between runs (the space goes back
    // to the system: they were the tables' last pages).
    for table in ["production_detections", "production_minutes", "production_hours", "production_batches"] {
        sqlx::query(&format!("delete from {table} where tenant_id = $1")).bind(tenant.id).execute(owner).await?;
        sqlx::query(&format!("vacuum {table}")).execute(owner).await?;
    }
    Ok(vec![
        Row {
            what: format!("ingest: sustained units/s ({} clients, batches of {})", args.clients, args.batch),
            value: format!("{rate:.0}/s"),
            target: "≥ 50,000/s".into(),
            pass: Some(rate >= 50_000.0),
        },
        Row {
            what: "ingest: batch latency p50 / p95 / p99".into(),
            value: format!(
                "{} / {} / {}",
                ms(percentile(&times, 0.5)),
                ms(percentile(&times, 0.95)),
                ms(percentile(&times, 0.99))
            ),
            target: "—".into(),
            pass: None,
        },
        Row {
            what: "ingest: CPU s generator / server / PostgreSQL".into(),
            value: format!("{cpu_gen:.0} / {cpu_srv:.0} / {cpu_pg:.0}"),
            target: format!("{:.0} s of 2 cores", wall * 2.0),
            pass: None,
        },
    ])
}
