//! `nexus-server bench production`: production at the scale, on a database of its own
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
//! Each section is a module of its own here (`ingest.rs`, `load.rs`, `dashboard.rs`, `live.rs`, `downtime.rs`).
//!
//! The bench's own cluster: `NEXUS_DATA_DIR=.data/bench NEXUS_PG_PORT=54329` (or `DATABASE_URL`).

mod dashboard;
mod downtime;
mod ingest;
mod live;
mod load;

use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use nexus::caller::{RequestMeta, User};
use nexus::db::{self, Scope};
use nexus::identity::rules::auth::{ApiScope, Role};
use nexus::ids::{TenantId, UserId};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

pub use self::load::{LoadedPlant, load_plant};
use crate::cli::{Row, percentile};
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

pub async fn run(cfg: Config, args: ProductionBenchArgs) -> Result<()> {
    let cfg = crate::cli::bench_config(cfg);
    let (url, _cluster) = startup::database(&cfg)?;
    run_inner(&cfg, &url, &args).await
}

async fn run_inner(cfg: &Config, url: &str, args: &ProductionBenchArgs) -> Result<()> {
    let (bench, bench_url) = crate::cli::bench_database(url, DB).await?;
    let owner = PgPoolOptions::new().max_connections(3).connect_with(bench.clone()).await?;
    let mut rows = Vec::new();
    for section in &args.only {
        match section {
            Section::Ingest => rows.extend(ingest::run(cfg, &bench_url, &owner, args).await?),
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
            Section::Dashboard => rows.extend(dashboard::run(&bench, &owner, args).await?),
            Section::Live => rows.extend(live::run(cfg, &bench_url, &owner).await?),
            Section::Downtime => rows.extend(downtime::run(&bench, &owner, args).await?),
        }
    }
    owner.close().await;
    crate::cli::print_rows("bench production", rows);
    Ok(())
}

/// A bench plant's tenant (created with its owner and configuration when missing): its id and its lines' ids with
/// their output area and the product ids.
struct BenchTenant {
    id: TenantId,
    created_at: DateTime<Utc>,
    /// (line id, line code, [area ids: input, process, inspection, output])
    lines: Vec<(i32, String, [i32; 4])>,
    /// (product id, code)
    products: Vec<(i32, String)>,
}

/// The bench plant `name`: ten lines of four areas, four products, three shifts every day (the loaded month runs
/// around the clock) with a break each, reasons; configured as data as `production::service::demo` does.
async fn bench_tenant(owner: &PgPool, name: &str) -> Result<BenchTenant> {
    let found: Option<(TenantId, DateTime<Utc>)> =
        sqlx::query_as("select id, created_at from tenants where name = $1 and kind = 'manufacturer'")
            .bind(name)
            .fetch_optional(owner)
            .await?;
    let (id, created_at) = match found {
        Some(t) => t,
        None => {
            let mut tx = owner.begin().await?;
            let (id, created_at): (TenantId, DateTime<Utc>) = sqlx::query_as(
                "insert into tenants (kind, name, status) values ('manufacturer', $1, 'active') returning id, created_at",
            )
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
            let email = format!("dueno@{}.bench", crate::cli::production::simulate::slug(name));
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

/// A "Bench" key with `production:ingest` for the tenant, minted as its owner.
async fn ingest_key(pool: &PgPool, tenant: TenantId) -> Result<String> {
    key_with(pool, tenant, &[ApiScope::ProductionIngest]).await
}

/// An API key of `tenant`'s owner holding `scopes`.
async fn key_with(pool: &PgPool, tenant: TenantId, scopes: &[ApiScope]) -> Result<String> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (user_id, email): (UserId, String) =
        sqlx::query_as("select id, email from users where role = 'owner' and status = 'active' limit 1")
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    let user = User {
        user_id,
        tenant_id: tenant,
        session_id: Uuid::nil(),
        role: Role::Owner,
        // The bench plant is a manufacturer.
        tenant_kind: nexus::identity::rules::tenant::TenantKind::Manufacturer,
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

/// The `p` percentile of `times`, in milliseconds.
fn pct_ms(times: &mut [Duration], p: f64) -> f64 {
    times.sort();
    percentile(times, p).as_secs_f64() * 1000.0
}
