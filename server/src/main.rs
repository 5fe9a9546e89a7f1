//! `nexus-server`: one binary, several commands. With no command it serves the app.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use leptos::config::get_configuration;
use nexus_server::cli::{catalog, fabrication, identity, inventory, mes, production, stockroom};
use nexus_server::config::{Config, LogFormat};
use nexus_server::{pg, startup};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "nexus-server", version, about = "Nexus: auto parts and manufacturing platform")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app and the REST API (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage the private PostgreSQL cluster (for scripts and tests).
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Measure login latency and page time-to-first-byte against an in-process server; `bench catalog` measures the
    /// parts catalog at scale.
    #[command(args_conflicts_with_subcommands = true)]
    Bench {
        #[command(subcommand)]
        what: Option<BenchWhat>,
        #[command(flatten)]
        args: identity::bench::BenchArgs,
    },
    /// Simulate a plant's machines: realistic units sent through the REST ingest (history first, then live).
    Simulate(production::simulate::SimulateArgs),
    /// The parts catalog: import files.
    Catalog {
        #[command(subcommand)]
        command: catalog::CatalogCommand,
    },
    /// The stock room over a server's REST API (an API key): add, issue, return, transfer, count, status.
    Stock(stockroom::StockArgs),
}

#[derive(Subcommand)]
enum BenchWhat {
    /// The parts catalog at the scale: import, legacy migration, search latency per query mix, query plans,
    /// HTTP throughput (wrk).
    Catalog(catalog::bench::CatalogBenchArgs),
    /// A bodega's upload end to end on the server (read, check, match, dry run, commit) against the bench catalog.
    Inventory(inventory::bench::InventoryBenchArgs),
    /// Production at the scale: REST ingest throughput, a month of ten lines loaded, the downtime job.
    Production(production::bench::ProductionBenchArgs),
    /// The stock room at the scale: storekeepers over REST, the races, reads over a million movements.
    Stock(stockroom::bench::StockBenchArgs),
    /// The floor's tasks at the scale: a role's list over 100,000 tasks, 50 people racing to accept, 50
    /// working at once with every task's events replayed.
    Mes(mes::bench::MesBenchArgs),
    /// The shop's parts at the scale: 100 people claiming one part, 100,000 random actions with every part
    /// rebuilt from its events, the table and the statistics over 100,000 parts.
    Fabrication(fabrication::bench::FabricationBenchArgs),
}

#[derive(Subcommand)]
enum DbAction {
    /// Start the cluster (creating it if needed) and print its URL.
    Start,
    /// Stop the cluster.
    Stop,
    /// Create (first time, by pg_basebackup) and start a streaming standby of the private cluster in
    /// `--primary-dir`, in this data folder and on this port; print its URL.
    Standby {
        /// The primary's data folder (its NEXUS_DATA_DIR).
        #[arg(long)]
        primary_dir: std::path::PathBuf,
        /// The primary's port.
        #[arg(long)]
        primary_port: u16,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match cli.config.scale.log_format {
        // One object per line; the request span's fields (request id, user, tenant, key) on every line within it.
        LogFormat::Json => logs.json().with_current_span(true).with_span_list(false).init(),
        LogFormat::Text => logs.init(),
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => rt.block_on(serve(cli.config)),
        Command::Migrate => {
            let (url, _cluster) = startup::database(&cli.config)?;
            rt.block_on(startup::migrate(startup::direct_url(&cli.config, &url)))
        }
        Command::Db { action: DbAction::Start } => {
            let c = pg::Cluster::start(&cli.config.data_dir()?, cli.config.pg_port, &cli.config.pg_database)?;
            println!("{}", c.url(&cli.config.pg_database));
            c.detach();
            Ok(())
        }
        Command::Db { action: DbAction::Stop } => pg::Cluster::stop_at(&cli.config.data_dir()?),
        Command::Db { action: DbAction::Standby { primary_dir, primary_port } } => {
            let c =
                pg::Cluster::start_standby(&cli.config.data_dir()?, cli.config.pg_port, &primary_dir, primary_port)?;
            println!("{}", c.url(&cli.config.pg_database));
            c.detach();
            Ok(())
        }
        Command::Bench { what: None, args } => rt.block_on(identity::bench::run(cli.config, args)),
        Command::Bench { what: Some(BenchWhat::Catalog(args)), .. } => {
            rt.block_on(catalog::bench::run(cli.config, args))
        }
        Command::Bench { what: Some(BenchWhat::Inventory(args)), .. } => {
            rt.block_on(inventory::bench::run(cli.config, args))
        }
        Command::Bench { what: Some(BenchWhat::Production(args)), .. } => {
            rt.block_on(production::bench::run(cli.config, args))
        }
        Command::Bench { what: Some(BenchWhat::Mes(args)), .. } => rt.block_on(mes::bench::run(cli.config, args)),
        Command::Bench { what: Some(BenchWhat::Fabrication(args)), .. } => {
            rt.block_on(fabrication::bench::run(cli.config, args))
        }
        Command::Bench { what: Some(BenchWhat::Stock(args)), .. } => {
            rt.block_on(stockroom::bench::run(cli.config, args))
        }
        Command::Simulate(args) => rt.block_on(production::simulate::run(cli.config, args)),
        Command::Catalog { command } => rt.block_on(catalog::run(cli.config, command)),
        Command::Stock(args) => {
            // Blocking HTTP, off the runtime.
            let out = stockroom::run(&args)?;
            print!("{}", out.text);
            if out.code != 0 {
                std::process::exit(out.code);
            }
            Ok(())
        }
    }
}

async fn serve(cfg: Config) -> Result<()> {
    // The private cluster (if this start made one) stops when `_cluster` goes, however the server ended.
    let (url, _cluster) = startup::database(&cfg)?;
    run_server(&cfg, &url).await
}

async fn run_server(cfg: &Config, url: &str) -> Result<()> {
    // Through the direct connection: the migrations hold a session's lock, which a transaction pooler cannot carry.
    startup::migrate(startup::direct_url(cfg, url)).await?;
    if let Some(addr) = cfg.scale.metrics_addr {
        nexus_server::http::metrics::serve(addr).await?;
    }
    let leptos_options = get_configuration(None).context("reading the Leptos configuration")?.leptos_options;
    let addr = leptos_options.site_addr;
    let state = startup::state(cfg, url, leptos_options).await?;
    if cfg.demo {
        startup::seed_demo(cfg, &state).await?;
    }
    let limits = nexus_server::http::middleware::Limits::shared(
        &state.pool,
        cfg.rate_limit_per_min,
        cfg.auth_rate_limit_per_min,
    );
    {
        let limits = limits.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                limits.prune();
            }
        });
    }
    let outbox = nexus::notify::mail::Outbox {
        mailer: state.mailer.clone(),
        origin: state.security.public_origin.clone(),
        render: nexus_app::notify::inbox::mail_text,
    };
    nexus_server::jobs::spawn(state.pool.clone(), cfg.production.jobs(), outbox, state.courier.clone());
    let live = state.live.clone();
    let app = nexus_server::http::router::build_router_with_limits(state, limits);
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    println!("Nexus is running on http://{addr}");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Live dashboards' streams never end by themselves: the shutdown would wait for them forever.
            live.close();
        })
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
