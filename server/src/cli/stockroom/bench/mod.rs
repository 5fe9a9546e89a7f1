//! `nexus-server bench stock`: the stock room at the scale, on a database of its own (`nexus_bench_stock`,
//! kept between runs), each section selectable with `--only`:
//!
//! - `throughput` (`throughput.rs`): an in-process server (the production router) on a loopback port and `--clients`
//!   storekeepers in the same process (threads), each posting issues and returns of one unit over REST with an API key
//!   for `--seconds`: movements/s sustained (target ≥ 1,000), latency p50/p95/p99 (target p99 ≤ 100 ms), errors
//!   other than 409 (target 0), then the ledger check (every balance the sum of its movements, none negative).
//! - `races` (`races.rs`): `--repeat` times (20), on that server: 500 concurrent issues of one unit against a balance
//!   of 100 (exactly 100 succeed and 400 get 409), and 100 issues racing across a threshold (exactly one alert, and
//!   one notice per recipient).
//! - `reads` (`reads.rs`): 10,000 items and 1,000,000 movements (loaded once, set-based, through the ledger's own
//!   trigger), then through the application's role under row-level security, as REST asks: an item's balance as of a
//!   past moment (p95 ≤ 10 ms), an item's history page (p95 ≤ 20 ms), the scan lookup (p95 ≤ 5 ms).
//!
//! The bench's own cluster: `NEXUS_DATA_DIR=.data/bench NEXUS_PG_PORT=54329` (or `DATABASE_URL`).

mod races;
mod reads;
mod throughput;

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use leptos::config::LeptosOptions;
use nexus::caller::{RequestMeta, User};
use nexus::identity::rules::auth::{ApiScope, Role};
use nexus::identity::rules::tenant::TenantKind;
use nexus::ids::{TenantId, UserId};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use crate::cli::percentile;
use crate::config::Config;
use crate::startup;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    Throughput,
    Races,
    Reads,
}

#[derive(Debug, Clone, Args)]
pub struct StockBenchArgs {
    /// Sections to run, in this order.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Section::Throughput, Section::Races, Section::Reads])]
    pub only: Vec<Section>,
    /// How long the storekeepers post.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Concurrent storekeepers.
    #[arg(long, default_value_t = 50)]
    pub clients: usize,
    /// How many times each race runs.
    #[arg(long, default_value_t = 20)]
    pub repeat: usize,
    /// Items of the reads section.
    #[arg(long, default_value_t = 10_000)]
    pub items: i64,
    /// Movements of the reads section (spread evenly over its items).
    #[arg(long, default_value_t = 1_000_000)]
    pub movements: i64,
}

const DB: &str = "nexus_bench_stock";
const TENANT: &str = "Almacén Bench";
/// Supply people of the bench's first department (alerts go to them).
const SUPPLY: usize = 3;

pub async fn run(cfg: Config, args: StockBenchArgs) -> Result<()> {
    let cfg = crate::cli::bench_config(cfg);
    let (url, _cluster) = startup::database(&cfg)?;
    let (bench, bench_url) = crate::cli::bench_database(&url, DB).await?;
    let owner = PgPoolOptions::new().max_connections(3).connect_with(bench.clone()).await?;
    let room = room(&owner).await?;
    let mut rows = Vec::new();
    let needs_server = args.only.iter().any(|s| matches!(s, Section::Throughput | Section::Races));
    let server = if needs_server { Some(Server::start(&cfg, &bench_url, &room).await?) } else { None };
    for section in &args.only {
        match (section, server.as_ref()) {
            (Section::Throughput, Some(srv)) => rows.extend(throughput::run(srv, &owner, &room, &args).await?),
            (Section::Races, Some(srv)) => rows.extend(races::run(srv, &owner, &room, &args).await?),
            (Section::Reads, _) => rows.extend(reads::run(&bench, &owner, &room, &args).await?),
            _ => {}
        }
    }
    owner.close().await;
    crate::cli::print_rows("bench stock", rows);
    Ok(())
}

/// The bench's organisation: its owner, two departments ([`SUPPLY`] supply people in the first).
pub(super) struct Room {
    tenant: TenantId,
    owner: UserId,
    departments: [i32; 2],
}

async fn room(owner: &PgPool) -> Result<Room> {
    let found: Option<TenantId> =
        sqlx::query_scalar("select id from tenants where name = $1 and kind = 'manufacturer'")
            .bind(TENANT)
            .fetch_optional(owner)
            .await?;
    let tenant = match found {
        Some(t) => t,
        None => {
            let mut tx = owner.begin().await?;
            let id: TenantId = sqlx::query_scalar(
                "insert into tenants (kind, name, status) values ('manufacturer', $1, 'active') returning id",
            )
            .bind(TENANT)
            .fetch_one(&mut *tx)
            .await?;
            for sql in [
                "insert into users (tenant_id, email, display_name, password_hash, role, status)
                 values ($1, 'dueno@almacen.bench', 'Dueña bench', 'not-a-password', 'owner', 'active')",
                "insert into users (tenant_id, email, display_name, password_hash, role, status)
                 select $1, 'almacen' || i || '@almacen.bench', 'Almacenista ' || i, 'not-a-password', 'supply', 'active'
                 from generate_series(1, 3) i",
                "insert into stockroom_departments (tenant_id, code, name) values ($1, 'GEN', 'Almacén general'),
                 ($1, 'MANT', 'Mantenimiento')",
                "insert into stockroom_members (tenant_id, user_id, department_id)
                 select u.tenant_id, u.id, (select min(id) from stockroom_departments where tenant_id = $1)
                 from users u where u.tenant_id = $1 and u.role = 'supply'",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            id
        }
    };
    let owner_id: UserId = sqlx::query_scalar("select id from users where tenant_id = $1 and role = 'owner'")
        .bind(tenant)
        .fetch_one(owner)
        .await?;
    let departments: Vec<i32> =
        sqlx::query_scalar("select id from stockroom_departments where tenant_id = $1 order by id")
            .bind(tenant)
            .fetch_all(owner)
            .await?;
    let supply: Vec<Uuid> =
        sqlx::query_scalar("select id from users where tenant_id = $1 and role = 'supply' order by email")
            .bind(tenant)
            .fetch_all(owner)
            .await?;
    anyhow::ensure!(departments.len() == 2 && supply.len() == SUPPLY, "the bench room is not as it was made");
    Ok(Room { tenant, owner: owner_id, departments: [departments[0], departments[1]] })
}

/// An in-process server on a loopback port, with a `stock:read stock:write` key of the bench's owner.
pub(super) struct Server {
    base: String,
    key: String,
    state: nexus_app::state::AppState,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(cfg: &Config, bench_url: &str, room: &Room) -> Result<Server> {
        let options = LeptosOptions::builder().output_name("nexus").site_root("target/site").build();
        let state = startup::state(cfg, bench_url, options).await?;
        let user = User {
            user_id: room.owner,
            tenant_id: room.tenant,
            session_id: Uuid::nil(),
            role: Role::Owner,
            tenant_kind: TenantKind::Manufacturer,
            email: "dueno@almacen.bench".into(),
            display_name: "Dueña bench".into(),
        };
        let key = nexus::identity::service::api_keys::create(
            &state.pool,
            &user,
            &format!("Bench {}", Uuid::new_v4().simple()),
            &[ApiScope::StockRead, ApiScope::StockWrite],
            &RequestMeta::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .key;
        let app = crate::http::router::build_router(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        Ok(Server { base: format!("http://{addr}"), key, state, task })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Items of the bench made set-based with a starting balance in the first department (a receipt each, through the
/// ledger's trigger), named `<prefix>-<n>`; their ids in order. `threshold`: a level in that department.
async fn items_with(
    owner: &PgPool,
    room: &Room,
    prefix: &str,
    count: i64,
    balance: i64,
    threshold: i64,
) -> Result<Vec<i64>> {
    let mut tx = owner.begin().await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "insert into stockroom_items (tenant_id, sku, name, unit)
         select $1, $2 || '-' || i, 'Artículo ' || $2 || ' ' || i, 'piece' from generate_series(1, $3) i
         returning id",
    )
    .bind(room.tenant)
    .bind(prefix)
    .bind(count)
    .fetch_all(&mut *tx)
    .await?;
    let post: i64 = sqlx::query_scalar(
        "insert into stockroom_posts (tenant_id, idempotency_key, request_hash, source, author_user, author_name)
         values ($1, 'bench-load-' || gen_random_uuid(), '\\x00', 'api', $2, 'Bench') returning id",
    )
    .bind(room.tenant)
    .bind(room.owner.0)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "insert into stockroom_movements (tenant_id, post_id, line, kind, item_id, department_id, quantity_milli, occurred_at)
         select $1, $2, row_number() over (order by i), 'receive', i, $3, $4, now() from unnest($5::bigint[]) i order by i",
    )
    .bind(room.tenant)
    .bind(post)
    .bind(room.departments[0])
    .bind(balance * 1000)
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    // The level once the stock is in (set first, it would open an alert at once and close it on receipt).
    if threshold > 0 {
        sqlx::query(
            "insert into stockroom_levels (tenant_id, item_id, department_id, threshold_milli)
             select $1, i, $2, $3 from unnest($4::bigint[]) i",
        )
        .bind(room.tenant)
        .bind(room.departments[0])
        .bind(threshold * 1000)
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(ids)
}

/// p50/p95/p99 in milliseconds of `times`.
fn spread(times: &mut [Duration]) -> (f64, f64, f64) {
    times.sort();
    let ms = |p| percentile(times, p).as_secs_f64() * 1000.0;
    (ms(0.5), ms(0.95), ms(0.99))
}

/// Posts one issue or return of `quantity` units over REST; the HTTP status.
fn post_one(agent: &ureq::Agent, srv_base: &str, key: &str, body: &str) -> Result<u16> {
    let res = agent
        .post(&format!("{srv_base}/api/v1/stock/postings"))
        .set("authorization", &format!("Bearer {key}"))
        .set("content-type", "application/json")
        .send_string(body);
    match res {
        Ok(r) => Ok(r.status()),
        Err(ureq::Error::Status(code, _)) => Ok(code),
        Err(e) => Err(e).context("posting"),
    }
}

/// The ledger check: balances that are not the sum of their movements, or negative (0 when all is well).
async fn disagreements(state: &nexus_app::state::AppState, room: &Room) -> Result<i64> {
    nexus::stockroom::service::ledger::disagreements(&state.pool, room.tenant).await.map_err(|e| anyhow::anyhow!("{e}"))
}
