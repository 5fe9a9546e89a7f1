//! `nexus-server bench production`: production at the issue's scale, on a database of its own
//! (`nexus_bench_production`, kept between runs), each section selectable with `--only`:
//!
//! - `ingest`: an in-process server (the production router, on a loopback port) and a load generator in the same
//!   process: `--clients` concurrent HTTP clients, each a line's machine posting JSON batches of `--batch` units (a
//!   new batch id each) for `--seconds`. Sustained units/s (target ≥ 50,000), batch latency percentiles, where the CPU
//!   went (the generator's threads, the rest of this process, PostgreSQL), and a check that every unit was stored once
//!   and the rollups add up to exactly the units.
//! - `load`: the bench plant (ten lines, configured as data like the demo plant) with 30 days × 10 lines × 1 unit/s at
//!   the output (with stops and micro-stops in it) written set-based, and its per-minute rollups as ingest writes them.
//!   Skipped where already there (per line and day), so later runs start at once. [`load_plant`] is public: the
//!   dashboard timings run over what it returns.
//! - `dashboard`: the dashboard's figures (`production::service::dashboard::view`, as the page asks for them, through
//!   the application's role under row-level security) over the loaded plant: one line over the whole 30 days, and
//!   every line over one shift run; 200 runs each after a warm-up, p50 and p95 (target p95 ≤ 100 ms).
//! - `live`: an in-process server; a dashboard's live stream open (`/api/v1/production/live`) while a machine posts a
//!   batch every 1.5 s: from sending each batch to the `changed` event on the stream, 40 times (target p95 ≤ 5 s; the
//!   page then fetches the figures, the `dashboard` figure).
//! - `downtime`: the downtime job over one day of one line's units not yet looked at (target ≤ 1 s).
//!
//! The bench's own cluster: `NEXUS_DATA_DIR=.data/bench NEXUS_PG_PORT=54329` (or `DATABASE_URL`).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, DurationRound, Utc};
use clap::{Args, ValueEnum};
use leptos::config::LeptosOptions;
use nexus::caller::{RequestMeta, User};
use nexus::db::{self, Scope};
use nexus::identity::rules::auth::{ApiScope, Role};
use nexus::production::rules::dashboard::{Bucket, Query, Range};
use nexus::production::service::dashboard::view;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Executor, PgPool};
use uuid::Uuid;

use crate::bench::{ms, percentile};
use crate::config::Config;
use crate::startup;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    Ingest,
    Load,
    /// The dashboard's figures over the loaded plant (loads it first when missing).
    Dashboard,
    /// From a stored batch to the `changed` event on a dashboard's live stream.
    Live,
    Downtime,
}

#[derive(Debug, Clone, Args)]
pub struct ProductionBenchArgs {
    /// Sections to run, in this order.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Section::Ingest, Section::Load, Section::Dashboard, Section::Live, Section::Downtime])]
    pub only: Vec<Section>,
    /// How long the ingest load runs.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Concurrent ingest clients (each a line's machine).
    #[arg(long, default_value_t = 6)]
    pub clients: usize,
    /// Units per ingest batch.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Days of history the load writes (per line, one unit a second at the output).
    #[arg(long, default_value_t = 30)]
    pub days: u32,
}

const DB: &str = "nexus_bench_production";
/// The plant the load fills (the dashboards are measured on it) and the one ingest writes to (so the loaded month
/// stays exactly what the load wrote).
const LOAD_PLANT: &str = "Planta Bench";
const INGEST_PLANT: &str = "Planta Bench Ingesta";
/// Lines of each bench plant.
pub const LINES: usize = 10;

/// One figure beside its target.
struct Row {
    what: String,
    value: String,
    target: String,
    pass: Option<bool>,
}

pub async fn run(mut cfg: Config, args: ProductionBenchArgs) -> Result<()> {
    cfg.demo = false;
    // The bench measures ingest, not the rate limiter.
    cfg.rate_limit_per_min = 1_000_000;
    cfg.auth_rate_limit_per_min = 1_000_000;
    let (url, _cluster) = startup::database(&cfg)?;
    run_inner(&cfg, &url, &args).await
}

async fn run_inner(cfg: &Config, url: &str, args: &ProductionBenchArgs) -> Result<()> {
    let admin: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let bench = admin.clone().database(DB).disable_statement_logging();
    {
        let pool = PgPoolOptions::new().max_connections(1).connect_with(admin).await?;
        let found: bool = sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(DB)
            .fetch_one(&pool)
            .await?;
        if !found {
            pool.execute(format!("create database {DB}").as_str()).await?;
        }
        pool.close().await;
    }
    let bench_url = bench.to_url_lossy().to_string();
    startup::migrate(&bench_url).await?;
    let owner = PgPoolOptions::new().max_connections(3).connect_with(bench.clone()).await?;
    let mut rows = Vec::new();
    for section in &args.only {
        match section {
            Section::Ingest => rows.extend(ingest(cfg, &bench_url, &owner, args).await?),
            Section::Load => {
                let plant = load_plant(&owner, args.days).await?;
                rows.push(Row {
                    what: format!("load: {} days × {} lines, {} units", args.days, plant.lines.len(), plant.units),
                    value: format!(
                        "{:.1} s{}",
                        plant.seconds,
                        if plant.seconds < 1.0 { " (already there)" } else { "" }
                    ),
                    target: "—".into(),
                    pass: None,
                });
            }
            Section::Dashboard => rows.extend(dashboard(&bench, &owner, args).await?),
            Section::Live => rows.extend(live(cfg, &bench_url, &owner).await?),
            Section::Downtime => rows.extend(downtime(&bench, &owner, args).await?),
        }
    }
    owner.close().await;
    println!("\nbench production: results");
    println!("{:<58} {:>22}  {:<18} verdict", "figure", "measured", "target");
    for r in rows {
        let verdict = match r.pass {
            Some(true) => "PASS",
            Some(false) => "MISS",
            None => "",
        };
        println!("{:<58} {:>22}  {:<18} {verdict}", r.what, r.value, r.target);
    }
    Ok(())
}

/// A bench plant's tenant (created with its owner and configuration when missing): its id and its lines' ids with
/// their output area and the product ids.
struct BenchTenant {
    id: Uuid,
    created_at: DateTime<Utc>,
    /// (line id, line code, [area ids: input, process, inspection, output])
    lines: Vec<(i32, String, [i32; 4])>,
    /// (product id, code)
    products: Vec<(i32, String)>,
}

/// The bench plant `name`: ten lines of four areas, four products, three shifts every day (the loaded month runs
/// around the clock) with a break each, reasons; configured as data as `production::service::demo` does.
async fn bench_tenant(owner: &PgPool, name: &str) -> Result<BenchTenant> {
    let found: Option<(Uuid, DateTime<Utc>)> =
        sqlx::query_as("select id, created_at from tenants where name = $1 and kind = 'manufacturer'")
            .bind(name)
            .fetch_optional(owner)
            .await?;
    let (id, created_at) = match found {
        Some(t) => t,
        None => {
            let mut tx = owner.begin().await?;
            let (id, created_at): (Uuid, DateTime<Utc>) = sqlx::query_as(
                "insert into tenants (kind, name, status) values ('manufacturer', $1, 'active') returning id, created_at",
            )
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
            let email = format!("dueno@{}.bench", crate::simulate::slug(name));
            for sql in [
                "insert into users (tenant_id, email, display_name, password_hash, role, status)
                 values ($1, $2, 'Bench', 'not-a-password', 'owner', 'active')",
                "insert into production_plants (tenant_id, time_zone) values ($1, 'America/Mexico_City')",
                "insert into production_lines (tenant_id, code, name, downtime_threshold_ms, micro_stop_ms, oee_target)
                 select $1, 'L' || lpad(i::text, 2, '0'), 'Línea ' || i, 300000, 30000, 0.85
                 from generate_series(1, 10) i",
                "insert into production_areas (tenant_id, line_id, kind, code, name)
                 select $1, l.id, a.kind, a.code, a.name from production_lines l
                 cross join (values (1, 'input', 'ENT', 'Entrada'), (2, 'process', 'PRO', 'Proceso'),
                                    (3, 'inspection', 'INS', 'Inspección'), (4, 'output', 'SAL', 'Salida'))
                            a(n, kind, code, name)
                 where l.tenant_id = $1 order by l.id, a.n",
                "insert into production_products (tenant_id, code, name, ideal_cycle_ms)
                 values ($1, 'SOP-100', 'Soporte de motor', 900), ($1, 'BRK-220', 'Brazo de suspensión', 950),
                        ($1, 'TAP-310', 'Tapa de válvulas', 800), ($1, 'BAS-415', 'Base de amortiguador', 850)",
                "insert into production_shifts (tenant_id, name, days, start_time, end_time)
                 values ($1, 'Matutino', 127, '06:00', '14:00'), ($1, 'Vespertino', 127, '14:00', '22:00'),
                        ($1, 'Nocturno', 127, '22:00', '06:00')",
                "insert into production_shift_stops (tenant_id, shift_id, name, start_time, end_time)
                 select $1, s.id, 'Comida', (s.start_time + interval '4 hours')::time,
                        (s.start_time + interval '4 hours 30 minutes')::time
                 from production_shifts s where s.tenant_id = $1",
                "insert into production_reasons (tenant_id, code, name, planned, colour)
                 values ($1, 'CAMBIO', 'Cambio de modelo', true, '#6366f1'),
                        ($1, 'FALLA-MEC', 'Falla mecánica', false, '#ef4444')",
            ] {
                let q = sqlx::query(sql).bind(id);
                let q = if sql.contains("$2") { q.bind(&email) } else { q };
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            (id, created_at)
        }
    };
    let areas: Vec<(i32, String, String, i32)> = sqlx::query_as(
        "select l.id, l.code, a.kind, a.id from production_lines l
         join production_areas a on a.tenant_id = l.tenant_id and a.line_id = l.id
         where l.tenant_id = $1 order by l.code",
    )
    .bind(id)
    .fetch_all(owner)
    .await?;
    let mut lines: Vec<(i32, String, [i32; 4])> = Vec::new();
    for (line, code, kind, area) in areas {
        if lines.last().is_none_or(|(l, _, _)| *l != line) {
            lines.push((line, code, [0; 4]));
        }
        let slot = ["input", "process", "inspection", "output"].iter().position(|k| *k == kind).unwrap_or(3);
        if let Some(l) = lines.last_mut() {
            l.2[slot] = area;
        }
    }
    let products: Vec<(i32, String)> =
        sqlx::query_as("select id, code from production_products where tenant_id = $1 order by id")
            .bind(id)
            .fetch_all(owner)
            .await?;
    Ok(BenchTenant { id, created_at, lines, products })
}

// ---------------------------------------------------------------------------------------------------------------
// ingest

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
fn process_cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat").map_or(0.0, |s| stat_cpu(&s))
}

/// CPU seconds the calling thread has used so far.
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat").map_or(0.0, |s| stat_cpu(&s))
}

/// CPU seconds used so far by the machine's PostgreSQL processes (live ones).
fn postgres_cpu() -> f64 {
    let mut cpu = 0.0;
    for p in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(p.path().join("stat")) else { continue };
        if stat.contains("(postgres)") {
            cpu += stat_cpu(&stat);
        }
    }
    cpu
}

/// A "Bench" key with `production:ingest` for the tenant, minted as its owner.
async fn ingest_key(pool: &PgPool, tenant: Uuid) -> Result<String> {
    key_with(pool, tenant, &[ApiScope::ProductionIngest]).await
}

/// An API key of `tenant`'s owner holding `scopes`.
async fn key_with(pool: &PgPool, tenant: Uuid, scopes: &[ApiScope]) -> Result<String> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (user_id, email): (Uuid, String) =
        sqlx::query_as("select id, email from users where role = 'owner' and status = 'active' limit 1")
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    let user = User {
        user_id,
        tenant_id: tenant,
        session_id: Uuid::nil(),
        role: Role::Owner,
        email,
        display_name: "Bench".into(),
    };
    let key = nexus::identity::service::api_keys::create(
        pool,
        &user,
        &format!("Bench {}", Uuid::new_v4().simple()),
        scopes,
        &RequestMeta::default(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(key.key)
}

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

async fn ingest(cfg: &Config, bench_url: &str, owner: &PgPool, args: &ProductionBenchArgs) -> Result<Vec<Row>> {
    let tenant = bench_tenant(owner, INGEST_PLANT).await?;
    // Each run starts from an empty plant (a run cut short leaves its units): the check below compares what was sent
    // with what is stored.
    let t = Instant::now();
    for table in ["production_detections", "production_minutes", "production_batches"] {
        sqlx::query(&format!("delete from {table} where tenant_id = $1")).bind(tenant.id).execute(owner).await?;
    }
    // Their space reused by this run's (the bench database would grow by a run's units each time otherwise).
    for table in ["production_detections", "production_minutes", "production_batches"] {
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
    let (stored, rolled, batches): (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from production_detections where tenant_id = $1),
                (select coalesce(sum(total), 0)::bigint from production_minutes where tenant_id = $1),
                (select coalesce(sum(detections), 0)::bigint from production_batches where tenant_id = $1)",
    )
    .bind(tenant.id)
    .fetch_one(owner)
    .await?;
    anyhow::ensure!(stored == rolled && stored == batches, "stored {stored}, rolled up {rolled}, batches {batches}");
    println!("ingest: {stored} units stored (warm-up included), rollups add up to the same");
    // Gone again, so the bench database does not keep millions of throwaway units between runs (the space goes back
    // to the system: they were the tables' last pages).
    for table in ["production_detections", "production_minutes", "production_batches"] {
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

// ---------------------------------------------------------------------------------------------------------------
// load

/// The loaded bench plant: what the dashboard timings run over.
pub struct LoadedPlant {
    pub tenant: Uuid,
    /// (line id, code), ten of them.
    pub lines: Vec<(i32, String)>,
    /// The loaded span, `[from, to)`: whole days ending at the hour the plant was created.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Output units in the span (all lines).
    pub units: i64,
    /// How long this call took (loading what was missing).
    pub seconds: f64,
}

/// The bench plant with `days` days of one unit a second at each line's output up to the hour it was created (a few
/// minutes' stop about every two hours and a half-minute micro-stop every seventeen minutes or so, one unit in fifty
/// rejected, the product changing every few hours), and its per-minute rollups written in the same statement, as
/// ingest writes them. Set-based (`generate_series`), a line's day per statement, two at a time; a line's day already
/// there is skipped, so only the first call takes minutes (`owner`: the bench database's owner).
pub async fn load_plant(owner: &PgPool, days: u32) -> Result<LoadedPlant> {
    let started = Instant::now();
    let plant = bench_tenant(owner, LOAD_PLANT).await?;
    let to = plant.created_at.duration_trunc(chrono::Duration::hours(1))?;
    let from = to - chrono::Duration::days(i64::from(days));
    sqlx::query("select production_partitions($1::date, $2)")
        .bind(from.date_naive())
        .bind(i32::try_from(days / 28 + 2)?)
        .execute(owner)
        .await?;
    let products: Vec<i32> = plant.products.iter().map(|(id, _)| *id).collect();
    let mut todo = Vec::new();
    for (line, _, areas) in &plant.lines {
        for d in 0..i64::from(days) {
            let day = from + chrono::Duration::days(d);
            let there: bool = sqlx::query_scalar(
                "select exists (select 1 from production_minutes
                                where tenant_id = $1 and line_id = $2 and minute >= $3 and minute < $3 + interval '1 day')",
            )
            .bind(plant.id)
            .bind(line)
            .bind(day)
            .fetch_one(owner)
            .await?;
            if !there {
                todo.push((*line, areas[3], day));
            }
        }
    }
    if !todo.is_empty() {
        println!("load: writing {} line-days of units and rollups", todo.len());
    }
    let todo = Arc::new(std::sync::Mutex::new(todo));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (owner, todo, products, tenant) = (owner.clone(), todo.clone(), products.clone(), plant.id);
            tokio::spawn(async move {
                loop {
                    let next = todo.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.pop();
                    let Some((line, area, day)) = next else { return anyhow::Ok(()) };
                    load_day(&owner, tenant, line, area, &products, day).await?;
                }
            })
        })
        .collect();
    for w in workers {
        w.await??;
    }
    let units: i64 = sqlx::query_scalar(
        "select coalesce(sum(m.total), 0)::bigint from production_minutes m
         join production_areas a on a.tenant_id = m.tenant_id and a.id = m.area_id and a.kind = 'output'
         where m.tenant_id = $1 and m.minute >= $2 and m.minute < $3",
    )
    .bind(plant.id)
    .bind(from)
    .bind(to)
    .fetch_one(owner)
    .await?;
    Ok(LoadedPlant {
        tenant: plant.id,
        lines: plant.lines.iter().map(|(id, code, _)| (*id, code.clone())).collect(),
        from,
        to,
        units,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// One line's day of output units and their minutes, in one statement (the shape of the ingest's).
async fn load_day(
    owner: &PgPool,
    tenant: Uuid,
    line: i32,
    area: i32,
    products: &[i32],
    day: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "with u as (
             select g as at, s,
                    ($5::int[])[1 + ((s / 10800 + $2) % cardinality($5::int[]))] as product_id,
                    (s + $2) % 50 <> 0 as good
             from generate_series($4::timestamptz, $4::timestamptz + interval '1 day' - interval '1 second',
                                  interval '1 second') g,
                  lateral (select extract(epoch from g)::bigint as s) e
             -- A 6-minute stop about every 2 h 12 min, a 40-second micro-stop about every 17 min (offset per line).
             where (s + $2 * 977) % 7919 >= 360 and (s + $2 * 131) % 1009 >= 40),
         written as (insert into production_detections (tenant_id, line_id, area_id, product_id, at, good)
                     select $1, $2, $3, product_id, at, good from u order by at)
         insert into production_minutes (tenant_id, line_id, minute, area_id, product_id, total, good)
         select $1, $2, date_trunc('minute', at), $3, product_id, count(*), count(*) filter (where good)
         from u group by 3, 5",
    )
    .bind(tenant)
    .bind(line)
    .bind(area)
    .bind(day)
    .bind(products)
    .execute(owner)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// downtime

async fn downtime(bench: &PgConnectOptions, owner: &PgPool, args: &ProductionBenchArgs) -> Result<Vec<Row>> {
    let plant = load_plant(owner, args.days).await?;
    let (line, code) = plant.lines.first().cloned().context("the bench plant has no line")?;
    let day_from = plant.to - chrono::Duration::days(1);
    // Every other line of the database already looked at up to now; the measured line's last day not yet, and the
    // stops a previous run found in that day gone.
    sqlx::query(
        "insert into production_downtime_cursor (tenant_id, line_id, last_at)
         select tenant_id, id, now() from production_lines
         on conflict (tenant_id, line_id) do update set last_at = excluded.last_at",
    )
    .execute(owner)
    .await?;
    sqlx::query("update production_downtime_cursor set last_at = $3 where tenant_id = $1 and line_id = $2")
        .bind(plant.tenant)
        .bind(line)
        .bind(day_from)
        .execute(owner)
        .await?;
    sqlx::query("delete from production_downtime where tenant_id = $1 and line_id = $2 and start_at >= $3")
        .bind(plant.tenant)
        .bind(line)
        .bind(day_from)
        .execute(owner)
        .await?;
    let units: i64 = sqlx::query_scalar(
        "select count(*) from production_detections where tenant_id = $1 and line_id = $2 and at > $3",
    )
    .bind(plant.tenant)
    .bind(line)
    .bind(day_from)
    .fetch_one(owner)
    .await?;
    let pool = db::connect(bench.clone(), 4).await?;
    let t = Instant::now();
    let written = nexus::production::service::downtime::run(&pool)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("another instance held the downtime job's lock")?;
    let secs = t.elapsed().as_secs_f64();
    pool.close().await;
    println!("downtime: line {code}, {units} units of one day: {written} stops written or closed in {secs:.3} s");
    let mut rows = vec![Row {
        what: format!("downtime job: one day of line {code} ({units} units, {written} stops)"),
        value: format!("{:.0} ms", secs * 1000.0),
        target: "≤ 1,000 ms".into(),
        pass: Some(secs <= 1.0),
    }];
    // A line's first round over its whole history (a plant that backfilled a month): read in windows, never whole.
    if let Some((line, code)) = plant.lines.get(1).cloned() {
        sqlx::query("delete from production_downtime_cursor where tenant_id = $1 and line_id = $2")
            .bind(plant.tenant)
            .bind(line)
            .execute(owner)
            .await?;
        sqlx::query("delete from production_downtime where tenant_id = $1 and line_id = $2")
            .bind(plant.tenant)
            .bind(line)
            .execute(owner)
            .await?;
        let pool = db::connect(bench.clone(), 4).await?;
        let t = Instant::now();
        let written = nexus::production::service::downtime::run(&pool)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .context("another instance held the downtime job's lock")?;
        let secs = t.elapsed().as_secs_f64();
        pool.close().await;
        println!("downtime: line {code}'s first round over {} days: {written} stops in {secs:.3} s", args.days);
        rows.push(Row {
            what: format!("downtime job: line {code}'s first round, {} days ({written} stops)", args.days),
            value: format!("{:.0} ms", secs * 1000.0),
            target: "— (windows of 100k)".into(),
            pass: None,
        });
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------------------------
// dashboard

/// The `p` percentile of `times`, in milliseconds.
fn pct_ms(times: &mut [Duration], p: f64) -> f64 {
    times.sort();
    percentile(times, p).as_secs_f64() * 1000.0
}

/// p50 and p95 of `runs` calls of the dashboard's figures for `q` (after five to warm up).
async fn time_view(pool: &PgPool, caller: &nexus::caller::Caller, q: &Query, runs: usize) -> Result<(f64, f64, i64)> {
    let mut units = 0;
    for _ in 0..5 {
        units = view(pool, caller, q).await.map_err(|e| anyhow::anyhow!("{e}"))?.total.totals.total;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        view(pool, caller, q).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(t.elapsed());
    }
    Ok((pct_ms(&mut times, 0.5), pct_ms(&mut times, 0.95), units))
}

async fn dashboard(bench: &PgConnectOptions, owner: &PgPool, args: &ProductionBenchArgs) -> Result<Vec<Row>> {
    let plant = load_plant(owner, args.days).await?;
    sqlx::query("analyze production_minutes").execute(owner).await?;
    // The application's pool: its role, its row-level security, as a dashboard runs.
    let app = db::connect(bench.clone(), 4).await?;
    let caller = nexus::caller::Caller::Machine(nexus::caller::Machine {
        key_id: Uuid::nil(),
        tenant_id: plant.tenant,
        name: "bench".into(),
        scopes: vec![ApiScope::ProductionRead],
        creator_role: Role::Owner,
    });
    let (line, code) = plant.lines.first().cloned().context("the bench plant has no line")?;
    let month = Query {
        range: Range::Custom,
        from: Some(plant.from),
        to: Some(plant.to),
        line: Some(line),
        bucket: Some(Bucket::Day),
        ..Query::default()
    };
    // The morning shift of the last whole day loaded, every line, by the hour.
    let mut tx = db::begin(&app, Scope::Tenant(plant.tenant)).await?;
    let shift: i32 =
        sqlx::query_scalar("select id from production_shifts where name = 'Matutino'").fetch_one(&mut *tx).await?;
    tx.commit().await?;
    let day = Query {
        range: Range::Custom,
        from: Some(plant.to - chrono::Duration::days(1)),
        to: Some(plant.to),
        shift: Some(shift),
        bucket: Some(Bucket::Hour),
        ..Query::default()
    };
    let runs = 200;
    let (p50, p95, units) = time_view(&app, &caller, &month, runs).await?;
    let (s50, s95, shift_units) = time_view(&app, &caller, &day, runs).await?;
    app.close().await;
    Ok(vec![
        Row {
            what: format!("dashboard: line {code}, {} days by day ({units} units), p50 / p95 of {runs}", args.days),
            value: format!("{p50:.1} / {p95:.1} ms"),
            target: "p95 ≤ 100 ms".into(),
            pass: Some(p95 <= 100.0),
        },
        Row {
            what: format!(
                "dashboard: {} lines, one shift by hour ({shift_units} units), p50 / p95 of {runs}",
                plant.lines.len()
            ),
            value: format!("{s50:.1} / {s95:.1} ms"),
            target: "p95 ≤ 100 ms".into(),
            pass: Some(s95 <= 100.0),
        },
    ])
}

// ---------------------------------------------------------------------------------------------------------------
// live

async fn live(cfg: &Config, bench_url: &str, owner: &PgPool) -> Result<Vec<Row>> {
    use std::io::BufRead;
    let tenant = bench_tenant(owner, INGEST_PLANT).await?;
    let options = LeptosOptions::builder().output_name("nexus").site_root("target/site").build();
    let state = startup::state(cfg, bench_url, options).await?;
    let ingest = ingest_key(&state.pool, tenant.id).await?;
    let reader = key_with(&state.pool, tenant.id, &[ApiScope::ProductionRead]).await?;
    let app = crate::http::router::build_router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    let base = format!("http://{addr}");
    // The dashboard's side: a thread reading the stream, telling when each event arrived.
    let (events, heard) = std::sync::mpsc::channel::<(String, Instant)>();
    {
        let (base, reader) = (base.clone(), reader.clone());
        std::thread::spawn(move || {
            let agent = ureq::AgentBuilder::new().timeout_read(Duration::from_secs(120)).build();
            let Ok(res) = agent
                .get(&format!("{base}/api/v1/production/live"))
                .set("Authorization", &format!("Bearer {reader}"))
                .call()
            else {
                return;
            };
            for line in std::io::BufReader::new(res.into_reader()).lines() {
                let Ok(line) = line else { return };
                if let Some(name) = line.strip_prefix("event:")
                    && events.send((name.trim().to_owned(), Instant::now())).is_err()
                {
                    return;
                }
            }
        });
    }
    let wait = |what: &str| -> Result<Instant> {
        loop {
            let (name, at) = heard.recv_timeout(Duration::from_secs(30)).with_context(|| format!("no {what} event"))?;
            if name == what {
                return Ok(at);
            }
        }
    };
    wait("ready")?;
    let (line, product) = (tenant.lines[0].1.clone(), tenant.products[0].1.clone());
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
    let mut latencies = Vec::new();
    for n in 0..40 {
        // Beyond the stream's one-event-a-second coalescing, so each batch is its own event.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        while heard.try_recv().is_ok() {}
        let at = Utc::now() - chrono::Duration::seconds(2);
        let units: Vec<serde_json::Value> = (0..100)
            .map(|i| {
                serde_json::json!({"line": line, "area": "SAL", "product": product,
                                        "at": (at + chrono::Duration::milliseconds(i * 10)).to_rfc3339(), "good": true})
            })
            .collect();
        let body =
            serde_json::json!({"batch_id": format!("live-{}-{n}", Uuid::new_v4().simple()), "detections": units});
        let (agent, url, key) = (agent.clone(), format!("{base}/api/v1/production/detections"), ingest.clone());
        // From the moment the batch is sent: its notice goes out at commit, before the answer reaches the machine.
        let sent = Instant::now();
        tokio::task::spawn_blocking(move || {
            agent
                .post(&url)
                .set("Authorization", &format!("Bearer {key}"))
                .set("Content-Type", "application/json")
                .send_string(&body.to_string())
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await?
        .map_err(|e| anyhow::anyhow!("posting a batch: {e}"))?;
        let event = tokio::task::block_in_place(|| wait("changed"))?;
        latencies.push(event.saturating_duration_since(sent));
    }
    server.abort();
    let (p50, p95) = (pct_ms(&mut latencies, 0.5), pct_ms(&mut latencies, 0.95));
    Ok(vec![Row {
        what: format!("live: batch sent → `changed` on the stream, p50 / p95 of {}", latencies.len()),
        value: format!("{p50:.1} / {p95:.1} ms"),
        target: "p95 ≤ 5 s".into(),
        pass: Some(p95 <= 5000.0),
    }])
}
