//! Start-up: database (given or private), migrations, application state, demo data.

use std::sync::Arc;

use anyhow::{Context, Result};
use leptos::config::LeptosOptions;
use nexus::catalog::service::cache::SearchCache;
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

pub async fn state(cfg: &Config, url: &str, leptos_options: LeptosOptions) -> Result<AppState> {
    let options: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let pool = nexus::db::connect(options, cfg.db_max_connections).await.context("connecting to PostgreSQL")?;
    let auth = Auth::new(&cfg.jwt_secret()?).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let security = Arc::new(SecurityConfig {
        public_origin: cfg.public_origin.clone().map(|o| o.trim_end_matches('/').to_owned()),
        secure_cookies: cfg.secure_cookies,
        trust_proxy: cfg.trust_proxy,
        rate_limit_per_min: cfg.rate_limit_per_min,
        auth_rate_limit_per_min: cfg.auth_rate_limit_per_min,
    });
    let catalog_cache = SearchCache::default();
    tokio::spawn(nexus::catalog::service::cache::listen(pool.clone(), catalog_cache.clone()));
    let upload_limits = nexus::inventory::rules::file::UploadLimits {
        max_bytes: cfg.inventory.upload_max_mb.saturating_mul(1024 * 1024),
        max_rows: cfg.inventory.upload_max_rows,
    };
    nexus::inventory::service::uploads::fail_interrupted(&pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    // The catalog's number keys, read now (so the first upload does not wait for them) and after each catalog change.
    tokio::spawn(nexus::inventory::service::catalog_keys::keep_fresh(pool.clone()));
    let live = nexus::production::service::live::Live::default();
    let shop = nexus::fabrication::service::live::Live::default();
    // The plant's and the shop's notices on one connection.
    tokio::spawn(shop.clone().listen_with(live.clone(), pool.clone()));
    let inbox = nexus::notify::live::Live::default();
    tokio::spawn(inbox.clone().listen(pool.clone()));
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
