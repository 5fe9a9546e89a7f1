//! `nexus-server bench inventory`: a bodega's upload, end to end on the server (read, check, match, dry run, commit),
//! against the catalog `bench catalog` leaves in `nexus_bench_catalog` (run that first; its 1,357,000 parts are the
//! "1M-part catalog" the targets name). Files are generated from the catalog's own numbers (OEM and aftermarket, as
//! printed), with prices and stock written the way Spanish-language systems export them, some rows broken on purpose.
//! So far the CSV path: 100,000 rows (target ≤ 1.0 s) and 1,000,000 rows (≤ 10 s), with peak RSS (≤ 200 MB).

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use nexus::inventory::rules::file::Format;
use nexus::inventory::service::table::{Source, check_rows, layout};
use nexus::inventory::service::upload::{Options, Sink, run_rows};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Executor};
use uuid::Uuid;

use crate::config::Config;
use crate::startup;

#[derive(Debug, Clone, Args)]
pub struct InventoryBenchArgs {
    /// Rows per file, each size its own run (commit after a dry run, as a bodega does).
    #[arg(long, value_delimiter = ',', default_values_t = [100_000u64, 1_000_000])]
    pub rows: Vec<u64>,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

const DB: &str = "nexus_bench_catalog";

/// Peak resident memory of this process so far (Linux `VmHWM`), in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

pub async fn run(cfg: Config, args: InventoryBenchArgs) -> Result<()> {
    let (url, cluster) = startup::database(&cfg)?;
    let result = run_inner(&url, &args).await;
    if let Some(c) = cluster {
        c.stop();
    }
    result
}

async fn run_inner(url: &str, args: &InventoryBenchArgs) -> Result<()> {
    let admin: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let bench = admin.database(DB).disable_statement_logging();
    startup::migrate(bench.to_url_lossy().as_ref()).await?;
    let owner = PgPoolOptions::new().max_connections(2).connect_with(bench.clone()).await?;
    let parts: i64 = sqlx::query_scalar("select count(*) from catalog_parts").fetch_one(&owner).await?;
    anyhow::ensure!(parts > 0, "the catalog is empty: run `nexus-server bench catalog` first");
    let pool = nexus::db::connect(bench, 8).await?;
    let mut report = format!("catalog: {parts} parts\n");
    for &rows in &args.rows {
        let bodega: Uuid = sqlx::query_scalar(
            "insert into tenants (kind, name, status) values ('warehouse', 'Bodega bench ' || $1, 'active') returning id",
        )
        .bind(rows.to_string())
        .fetch_one(&owner)
        .await?;
        let t = Instant::now();
        let csv = generate(&owner, rows, args.seed).await?;
        writeln!(
            report,
            "\n{rows} rows: CSV {:.1} MB generated in {:.1} s",
            csv.len() as f64 / 1e6,
            t.elapsed().as_secs_f64()
        )?;
        for (what, commit) in [("dry run", false), ("commit", true)] {
            let rss_before = peak_rss_mb();
            let t = Instant::now();
            let bytes = csv.clone();
            let produce = move |sink: Sink<'_>| {
                let source = Source::open(&bytes, Format::Csv, None, None)?;
                let l = layout(&source, None)?;
                check_rows(&source, l.header_line, &l.suggested, 2_000_000, |line, row, _| sink(line, row)).map(|_| ())
            };
            let outcome = run_rows(&pool, bodega, Uuid::new_v4(), produce, Options { replace_location: false, commit })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .map_err(|p| anyhow::anyhow!("refused: {p:?}"))?;
            let secs = t.elapsed().as_secs_f64();
            // The targets: 100k rows ≤ 1 s, 1M rows ≤ 10 s (other sizes are measured against the nearer one).
            let target = if rows <= 100_000 { 1.0 } else { 10.0 };
            let verdict = if secs <= target { "PASS" } else { "MISS" };
            let c = outcome.counts;
            writeln!(
                report,
                "  {what:<8} {secs:>6.2} s ({:.0} rows/s; target ≤ {target} s for {}: {verdict}); peak RSS {:.0} MB \
                 (was {rss_before:.0}); new {} price changes {} stock changes {} unchanged {} rejected {}",
                rows as f64 / secs,
                if rows <= 100_000 { "100k" } else { "1M" },
                peak_rss_mb(),
                c.new_items,
                c.price_changes,
                c.stock_changes,
                c.unchanged,
                c.rejected
            )?;
            println!("{}", report.lines().last().unwrap_or_default());
        }
        owner.execute(sqlx::query("delete from inventory_items where tenant_id = $1").bind(bodega)).await?;
    }
    println!("\n{report}");
    Ok(())
}

/// A bodega's export: a title line, a header as Spanish software writes it, then `rows` rows drawn from the
/// catalog (OEM numbers as printed, one in five an aftermarket number; prices like "1.234,50"; a location for some),
/// one row in fifty broken (a price of "N/A", an unknown number, a negative stock).
async fn generate(pool: &sqlx::PgPool, rows: u64, seed: u64) -> Result<Vec<u8>> {
    let numbers: Vec<(String,)> = sqlx::query_as(
        "(select number from catalog_parts where number not like 'AFT-%' order by md5(id::text || $2) limit $1 * 4 / 5)
         union all
         (select number from catalog_aftermarket order by md5(id::text || $2) limit $1 / 5)",
    )
    .bind(rows as i64)
    .bind(seed.to_string())
    .fetch_all(pool)
    .await?;
    let mut out = String::with_capacity(rows as usize * 40);
    out.push_str("Existencias al 31/10/2026\n\nNº Parte;Descripción;Precio ($);Existencia;Ubicación\n");
    for (i, (number,)) in numbers.iter().enumerate() {
        let h = (i as u64).wrapping_mul(2_654_435_761).wrapping_add(seed);
        let price = 50 + h % 500_000;
        let (int, cents) = (price / 100, price % 100);
        let int = if int >= 1000 { format!("{}.{:03}", int / 1000, int % 1000) } else { int.to_string() };
        let stock = h % 40;
        let location = ["", "", "Pasillo 1", "Pasillo 2", "Sucursal Centro"][(h % 5) as usize];
        match i % 50 {
            7 => writeln!(out, "{number};Pieza;N/A;{stock};{location}")?,
            19 => writeln!(out, "ZZ-{i};Pieza;{int},{cents:02};{stock};{location}")?,
            31 => writeln!(out, "{number};Pieza;{int},{cents:02};-1;{location}")?,
            _ => writeln!(out, "{number};Pieza;{int},{cents:02};{stock};{location}")?,
        }
    }
    Ok(out.into_bytes())
}
