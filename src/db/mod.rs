//! Connections and tenant scoping.
//!
//! Every pooled connection switches to the unprivileged `nexus_app` role as soon as it opens, so no application query
//! ever runs as a superuser or as the tables' owner (either would bypass row-level security). Every transaction then
//! declares its scope: one tenant, or the platform (login lookups, admin screens). The policies in the first migration
//! refuse rows outside that scope even when a query forgets its own `tenant_id` filter.
//!
//! Behind a transaction pooler (PgBouncer in transaction mode) a session's settings do not follow a client from one
//! transaction to the next, so nothing relies on them: the role, the scope and the lock timeout are set again by
//! every transaction, local to it (`set_config(…, true)`), in its BEGIN's round trip. The session-level role switch
//! below is a second line for a direct connection's statements outside any transaction. What needs a session of
//! its own (LISTEN, the migrations' lock) takes a direct connection (the server's `NEXUS_DATABASE_DIRECT_URL`).
//! `reads` decides which pool serves a read that tolerates lag (the primary, or a streaming replica).
//!
//! The scope's settings and the health check name no table, so they are unchecked `sqlx::query`: there is nothing
//! for the compile-time check to check.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, Postgres, Transaction};

/// The connection pool (re-exported so the edges name it without depending on sqlx).
pub use sqlx::PgPool;

use crate::ids::TenantId;

pub mod reads;

/// The id of the platform tenant (admins live there). Fixed by the first migration.
pub const PLATFORM_TENANT: TenantId = TenantId(uuid::Uuid::nil());

/// Whose rows a transaction may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Tenant(TenantId),
    /// Every tenant: only for flows that must find a row before its tenant is known, and for platform admins.
    Platform,
}

pub type Tx = Transaction<'static, Postgres>;

/// Opens the application pool: every connection runs as `nexus_app` (row-level security applies to it).
pub async fn connect(options: PgConnectOptions, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    app_pool_options(PgPoolOptions::new().max_connections(max_connections).acquire_timeout(ACQUIRE_TIMEOUT))
        .connect_with(options)
        .await
}

/// Longest a request waits for a connection: with the database unreachable or every connection stuck, it gets
/// "unavailable, try again" (503) after this, never a hang.
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Adds the role switch to any pool options (tests build their pools through this too, to run as production does).
pub fn app_pool_options(options: PgPoolOptions) -> PgPoolOptions {
    options.after_connect(|conn, _meta| {
        Box::pin(async move {
            conn.execute("set role nexus_app").await?;
            // A request never waits long for a lock: it fails as "unavailable, try again" instead (a catalog's first
            // import holds its tables for minutes). Long jobs raise it for their own transaction.
            conn.execute(format!("set lock_timeout = '{LOCK_TIMEOUT}'").as_str()).await?;
            Ok(())
        })
    })
}

/// Begins a transaction limited to `scope`. The settings are transaction-local, so a pooled connection never carries one
/// request's tenant into the next.
pub async fn begin(pool: &PgPool, scope: Scope) -> Result<Tx, sqlx::Error> {
    // BEGIN and the scope in one round trip (a simple query of two statements): every request opens at least one
    // transaction, and on a 2-core server the round trips are what a posting spends (`bench stock`). The tenant is a
    // UUID printed by us, never text a caller sent.
    // Belt and braces: even a pool built without `app_pool_options` runs this transaction as nexus_app.
    // The lock timeout is the transaction's too (see the pool's options), so a pooler's shared sessions never lose it.
    let statement = match scope {
        Scope::Tenant(tenant) => format!(
            "BEGIN; SELECT set_config('role', 'nexus_app', true), set_config('lock_timeout', '{LOCK_TIMEOUT}', true), \
             set_config('app.tenant_id', '{}', true)",
            tenant.0.hyphenated()
        ),
        Scope::Platform => format!(
            "BEGIN; SELECT set_config('role', 'nexus_app', true), set_config('lock_timeout', '{LOCK_TIMEOUT}', true), \
             set_config('app.platform', 'on', true)"
        ),
    };
    let started = std::time::Instant::now();
    let tx = pool.begin_with(statement).await;
    // Waiting for a connection and BEGIN's round trip: how busy each pool is, as a request feels it.
    metrics::histogram!("nexus_db_begin_seconds", "pool" => label(pool)).record(started.elapsed().as_secs_f64());
    tx
}

/// How long a request's statement waits for a lock before it fails as "unavailable, try again".
pub const LOCK_TIMEOUT: &str = "10s";

/// The pools' names in the metrics, by their options (each pool holds its own): `primary` unless named.
static LABELS: std::sync::RwLock<Vec<(usize, &'static str)>> = std::sync::RwLock::new(Vec::new());

fn pool_key(pool: &PgPool) -> usize {
    std::sync::Arc::as_ptr(&pool.connect_options()) as usize
}

/// Whether two handles are the same pool.
pub fn same_pool(a: &PgPool, b: &PgPool) -> bool {
    pool_key(a) == pool_key(b)
}

/// Names a pool in the metrics (`replica`, `direct`…).
pub fn name_pool(pool: &PgPool, name: &'static str) {
    LABELS.write().unwrap_or_else(|e| e.into_inner()).push((pool_key(pool), name));
}

/// A pool's name in the metrics.
pub fn label(pool: &PgPool) -> &'static str {
    let key = pool_key(pool);
    LABELS.read().unwrap_or_else(|e| e.into_inner()).iter().find(|(k, _)| *k == key).map_or("primary", |(_, n)| n)
}

/// Publishes each named pool's connections (busy, idle, most) as gauges, every few seconds, for as long as the
/// process runs (spawn it).
pub async fn publish_pool_gauges(pools: Vec<PgPool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    loop {
        tick.tick().await;
        for pool in &pools {
            let name = label(pool);
            let (size, idle) = (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX));
            metrics::gauge!("nexus_db_pool_connections", "pool" => name, "state" => "busy")
                .set(f64::from(size.saturating_sub(idle)));
            metrics::gauge!("nexus_db_pool_connections", "pool" => name, "state" => "idle").set(f64::from(idle));
            metrics::gauge!("nexus_db_pool_max", "pool" => name).set(f64::from(pool.options().get_max_connections()));
        }
    }
}

/// Takes a transaction-scoped advisory lock if it is free: how a background job runs exactly once across instances
/// (the lock ends with the transaction, so a crashed instance never holds it).
pub async fn try_job_lock(tx: &mut Tx, key: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select pg_try_advisory_xact_lock($1) as "locked!""#, key).fetch_one(&mut **tx).await
}

/// Whether the job's round is due: no instance began one within the last `within` seconds (`job_rounds`). Asked by
/// the transaction holding the job's lock, so no other instance records a round meanwhile.
pub async fn job_due(tx: &mut Tx, job: &str, within: f64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select not exists (
               select 1 from job_rounds where job = $1 and started_at > now() - $2::float8 * interval '1 second'
           ) as "due!""#,
        job,
        within
    )
    .fetch_one(&mut **tx)
    .await
}

/// Records that the job's round began with the transaction (`now()`), for [`job_due`] on every instance.
pub async fn job_ran(tx: &mut Tx, job: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into job_rounds (job, started_at) values ($1, now())
         on conflict (job) do update set started_at = excluded.started_at",
        job
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Waits for the transaction-scoped advisory lock named `name` (hashed to a key): one holder at a time across every
/// instance, released when the transaction ends.
pub async fn lock_named(tx: &mut Tx, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("select pg_advisory_xact_lock(hashtextextended($1, 0))", name).execute(&mut **tx).await?;
    Ok(())
}

/// The schema migrations, embedded at compile time from `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Whether the database answers (health checks).
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("select 1").execute(pool).await.map(|_| ())
}

/// Appends one field in COPY's text format: backslash, tab, newline and carriage return escaped.
pub fn copy_field(v: &str, out: &mut Vec<u8>) {
    if !v.bytes().any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r')) {
        out.extend_from_slice(v.as_bytes());
        return;
    }
    for b in v.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// Sends one COPY statement's data (text format), chunk by chunk as they arrive, inside the transaction.
pub async fn copy_in(
    tx: &mut Tx,
    statement: &str,
    mut chunks: tokio::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<u64, sqlx::Error> {
    let conn: &mut sqlx::PgConnection = tx;
    let mut copy = conn.copy_in_raw(statement).await?;
    while let Some(chunk) = chunks.recv().await {
        if let Err(e) = copy.send(chunk).await {
            let _ = copy.abort("stopped").await;
            return Err(e);
        }
    }
    copy.finish().await
}

/// Calls `on` with each notice's payload on `channel`, for as long as the process runs (spawn it), and with `None`
/// whenever listening (re)starts: at first, and after a lost connection, when notices may have been missed. While
/// PostgreSQL is unreachable it retries every few seconds. The one listening loop every area's listeners share.
pub async fn listen<F, Fut>(pool: PgPool, channel: &'static str, mut on: F)
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    listen_many(pool, &[channel], move |n| on(n.map(|(_, payload)| payload))).await;
}

/// [`listen`] for several channels on one connection (a listener holds one of the pool's for good): `on` gets each
/// notice's channel and payload.
pub async fn listen_many<F, Fut>(pool: PgPool, channels: &[&'static str], mut on: F)
where
    F: FnMut(Option<(String, String)>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    loop {
        match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if listener.listen_all(channels.iter().copied()).await.is_ok() {
                    on(None).await;
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(n)) => on(Some((n.channel().to_owned(), n.payload().to_owned()))).await,
                            // The connection was lost and re-established by sqlx: notices may be missed.
                            Ok(None) => on(None).await,
                            Err(e) => {
                                tracing::warn!(error = %e, ?channels, "listener failed; retrying");
                                on(None).await;
                                break;
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, ?channels, "listener cannot connect; retrying"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

/// A `like` pattern matching text that contains `term` as written: its `\`, `%` and `_` escaped.
pub fn like_contains(term: &str) -> String {
    format!("%{}%", term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}
