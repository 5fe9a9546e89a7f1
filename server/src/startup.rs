//! Start-up: database (given or private), migrations, application state, demo data.

use std::sync::Arc;

use anyhow::{Context, Result};
use leptos::config::LeptosOptions;
use nexus::catalog::service::cache::SearchCache;
use nexus::db::PgPool;
use nexus::db::reads::Reads;
use nexus::identity::service::auth::Auth;
use nexus_app::state::{AppState, SecurityConfig};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::Config;
use crate::pg::Cluster;

/// The database to use: `DATABASE_URL`, or the private cluster (started here, returned so it can be stopped on exit).
pub fn database(cfg: &Config) -> Result<(String, Option<Cluster>)> {
    match &cfg.database_url {
        Some(url) => Ok((url.clone(), None)),
        None => {
            let cluster = Cluster::start(&cfg.data_dir()?, cfg.pg_port, &cfg.pg_database)?;
            tracing::info!(port = cluster.port, "private PostgreSQL cluster running");
            Ok((cluster.url(&cfg.pg_database), Some(cluster)))
        }
    }
}

/// Applies pending migrations, as the connecting (owner) role. Safe with several instances: sqlx takes an advisory lock.
pub async fn migrate(url: &str) -> Result<()> {
    let options: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let pool =
        PgPoolOptions::new().max_connections(1).connect_with(options).await.context("connecting to PostgreSQL")?;
    nexus::db::MIGRATOR.run(&pool).await.context("running migrations")?;
    pool.close().await;
    Ok(())
}

/// The direct (unpooled) connection to the primary: `NEXUS_DATABASE_DIRECT_URL`, else the database's own URL.
pub fn direct_url<'a>(cfg: &'a Config, url: &'a str) -> &'a str {
    cfg.scale.database_direct_url.as_deref().unwrap_or(url)
}

/// Connections the listeners hold on the direct pool (one each: the catalog, the number keys, the plant and shop,
/// the inbox), and a few for their reads.
const DIRECT_CONNECTIONS: u32 = 8;

/// Longest a read waits for a replica's connection before it runs on the primary instead.
const REPLICA_ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// The pools: the primary's (through a pooler, if any), the direct one for listening (the primary's own when there
/// is no separate direct URL), and where reads that tolerate lag go.
async fn pools(cfg: &Config, url: &str) -> Result<(PgPool, PgPool, Reads)> {
    let parse = |u: &str, name: &str| -> Result<PgConnectOptions> {
        u.parse().with_context(|| format!("{name} is not a valid PostgreSQL URL"))
    };
    let pool = nexus::db::connect(parse(url, "DATABASE_URL")?, cfg.db_max_connections)
        .await
        .context("connecting to PostgreSQL")?;
    let direct = match &cfg.scale.database_direct_url {
        Some(d) if d != url => {
            let direct = nexus::db::connect(parse(d, "NEXUS_DATABASE_DIRECT_URL")?, DIRECT_CONNECTIONS)
                .await
                .context("connecting to PostgreSQL directly (NEXUS_DATABASE_DIRECT_URL)")?;
            nexus::db::name_pool(&direct, "direct");
            direct
        }
        _ => pool.clone(),
    };
    let reads = match &cfg.scale.replica_url {
        Some(r) => {
            // Lazy: a replica that is down at start is simply out of use until it answers. One that does not lend
            // a connection within a second is passed over: its reads run again on the primary.
            let replica = nexus::db::app_pool_options(
                PgPoolOptions::new().max_connections(cfg.db_max_connections).acquire_timeout(REPLICA_ACQUIRE_TIMEOUT),
            )
            .connect_lazy_with(parse(r, "NEXUS_REPLICA_URL")?);
            nexus::db::name_pool(&replica, "replica");
            let max_lag = std::time::Duration::from_millis(cfg.scale.replica_max_lag_ms);
            Reads::with_replica(pool.clone(), replica, max_lag)
        }
        None => Reads::primary_only(pool.clone()),
    };
    Ok((pool, direct, reads))
}

pub async fn state(cfg: &Config, url: &str, leptos_options: LeptosOptions) -> Result<AppState> {
    let (pool, direct, reads) = pools(cfg, url).await?;
    tokio::spawn(reads.clone().watch());
    {
        let mut named = vec![pool.clone()];
        if let Some(replica) = reads.replica_pool() {
            named.push(replica.clone());
        }
        if !nexus::db::same_pool(&direct, &pool) {
            named.push(direct.clone());
        }
        tokio::spawn(nexus::db::publish_pool_gauges(named));
    }
    let auth = Auth::new(&cfg.jwt_secret()?).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let security = Arc::new(SecurityConfig {
        public_origin: cfg.public_origin.clone().map(|o| o.trim_end_matches('/').to_owned()),
        secure_cookies: cfg.secure_cookies,
        trust_proxy: cfg.trust_proxy,
        rate_limit_per_min: cfg.rate_limit_per_min,
        auth_rate_limit_per_min: cfg.auth_rate_limit_per_min,
        request_timeout: std::time::Duration::from_secs(cfg.scale.request_timeout_secs.max(1)),
        wrote_cookie_secs: i64::try_from(cfg.scale.replica_max_lag_ms / 1000).unwrap_or(60).min(3600) + 5,
    });
    let catalog_cache = SearchCache::default();
    tokio::spawn(nexus::catalog::service::cache::listen(direct.clone(), catalog_cache.clone()));
    let upload_limits = nexus::inventory::rules::file::UploadLimits {
        max_bytes: cfg.inventory.upload_max_mb.saturating_mul(1024 * 1024),
        max_rows: cfg.inventory.upload_max_rows,
    };
    nexus::inventory::service::uploads::fail_interrupted(&pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    // The catalog's number keys, read now (so the first upload does not wait for them) and after each catalog change.
    tokio::spawn(nexus::inventory::service::catalog_keys::keep_fresh(direct.clone()));
    let live = nexus::production::service::live::Live::default();
    let shop = nexus::fabrication::service::live::Live::default();
    // The plant's and the shop's notices on one connection.
    tokio::spawn(shop.clone().listen_with(live.clone(), direct.clone()));
    let inbox = nexus::notify::live::Live::default();
    tokio::spawn(inbox.clone().listen(direct.clone()));
    let streams = nexus::identity::service::streams::Streams::default();
    tokio::spawn(streams.clone().watch(pool.clone()));
    let mailer = cfg.mail.mailer()?;
    if cfg.mail.smtp_url.is_some() && cfg.public_origin.is_none() {
        tracing::warn!(
            "NEXUS_SMTP_URL without NEXUS_PUBLIC_ORIGIN: links in e-mails name the host each request was sent to; \
             set NEXUS_PUBLIC_ORIGIN to the address people use"
        );
    }
    let courier =
        nexus::notify::webhooks::Courier::new(cfg.mail.webhooks_allow_internal, security.public_origin.clone());
    Ok(AppState {
        leptos_options,
        pool,
        reads,
        auth,
        security,
        catalog_cache,
        upload_limits,
        live,
        shop,
        inbox,
        streams,
        mailer,
        courier,
    })
}

/// Seeds the demo accounts and prints them.
pub async fn seed_demo(cfg: &Config, state: &AppState) -> Result<()> {
    let (password, generated) = cfg.demo_password()?;
    let accounts = nexus::identity::service::demo::seed(&state.pool, &password).await.map_err(|e| match e {
        nexus::Error::Validation(_) => anyhow::anyhow!(
            "NEXUS_DEMO_PASSWORD does not pass the password policy (8+ characters, upper and lower case, a digit, \
             not a common password)"
        ),
        e => anyhow::anyhow!("seeding demo data: {e}"),
    })?;
    if generated {
        println!("\nDemo accounts (password: {password}, kept in {})", cfg.data_dir()?.join("demo-password").display());
    } else {
        println!("\nDemo accounts (password: the NEXUS_DEMO_PASSWORD you gave)");
    }
    for a in accounts {
        println!("  {:<10} {:<26} {}", a.role.as_str(), a.email, a.tenant);
    }
    println!();
    // Planta Demo's plant, as data (lines, products, shifts, reasons, filters, dashboards).
    match nexus::production::service::demo::configure(&state.pool).await {
        Ok(true) => tracing::info!("demo plant configured"),
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "configuring the demo plant failed"),
    }
    // Its floor's tasks, in every state.
    match nexus::mes::service::demo::configure(&state.pool).await {
        Ok(true) => tracing::info!("demo floor's tasks made"),
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "making the demo floor's tasks failed"),
    }
    // Its tool room's parts, in every state.
    match nexus::fabrication::service::demo::configure(&state.pool).await {
        Ok(true) => tracing::info!("demo tool room built"),
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "building the demo tool room failed"),
    }
    // Its store room, with four months of history.
    match nexus::stockroom::service::demo::configure(&state.pool).await {
        Ok(true) => tracing::info!("demo store room built"),
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "building the demo store room failed"),
    }
    // Taller Demo's shelf of catalog parts (once the catalog is there: else after it loads, below).
    demo_shelf(&state.pool).await;
    seed_demo_catalog(cfg, state.pool.clone()).await
}

async fn demo_shelf(pool: &nexus::db::PgPool) {
    match nexus::stockroom::service::demo::configure_workshop(pool).await {
        Ok(true) => tracing::info!("demo workshop shelf stocked"),
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "stocking the demo workshop's shelf failed"),
    }
}

/// On a first start, loads the demo catalog (tens of thousands of generated parts) in the background: the server
/// answers meanwhile, and the catalog fills within seconds. Later starts find it there and do nothing.
async fn seed_demo_catalog(cfg: &Config, pool: nexus::db::PgPool) -> Result<()> {
    use nexus::catalog::service::{generate, import};
    if !import::catalog_is_empty(&pool).await.map_err(|e| anyhow::anyhow!("{e}"))? {
        return Ok(());
    }
    let dir = cfg.data_dir()?.join("catalog-demo");
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        let written = {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || generate::generate(&dir, &generate::GenerateOptions::demo())).await
        };
        match written {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return tracing::error!(error = %e, dir = %dir.display(), "writing the demo catalog failed"),
            Err(e) => return tracing::error!(error = %e, "writing the demo catalog failed"),
        }
        match import::import_dir(&pool, &dir, "demo", std::sync::Arc::new(import::Silent)).await {
            Ok(Ok(report)) => {
                tracing::info!(
                    rows = report.files.iter().map(|f| f.inserted).sum::<i64>(),
                    seconds = started.elapsed().as_secs_f64(),
                    "demo catalog loaded"
                );
                // Then Bodega Demo's stock, through the upload flow, so workshops see offers at once.
                match nexus::inventory::service::demo::stock(&pool).await {
                    Ok(Some(c)) => tracing::info!(items = c.new_items, "demo stock uploaded"),
                    Ok(None) => {}
                    Err(e) => tracing::error!(error = %e, "uploading the demo stock failed"),
                }
                demo_shelf(&pool).await;
            }
            Ok(Err(refused)) => tracing::error!(%refused, "the demo catalog was refused"),
            Err(e) => tracing::error!(error = %e, "loading the demo catalog failed"),
        }
    });
    Ok(())
}
