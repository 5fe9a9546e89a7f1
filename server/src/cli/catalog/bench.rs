//! `nexus-server bench catalog`: the catalog's figures at the issue's scale, on a database of its own
//! (`nexus_bench_catalog` beside the configured one, dropped and made again unless `--reuse`).
//!
//! Generates the files (1,000,000 OEM parts, 3,000,000 aftermarket rows, 5,000,000 fitment rows, 357,000 legacy `AFT-`
//! parts by default), imports them, runs the legacy migration, then measures the search in-process over query mixes
//! drawn from the data (part numbers, words, words with a vehicle), prints PostgreSQL's plan of one query of each
//! mix, and drives `GET /api/v1/parts/search` over loopback with `wrk` (a load tool from Debian) for throughput.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use leptos::config::LeptosOptions;
use nexus::catalog::rules::import::Entity;
use nexus::catalog::rules::search::{SearchRequest, VehicleFilter};
use nexus::catalog::service::generate::{GenerateOptions, generate};
use nexus::catalog::service::import::{Progress, import_dir};
use nexus::catalog::service::legacy::migrate_legacy;
use nexus::catalog::service::search::{explain, search};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Executor, PgPool};

use crate::cli::{ms, percentile};
use crate::config::Config;
use crate::startup;

#[derive(Debug, Clone, Args)]
pub struct CatalogBenchArgs {
    #[arg(long, default_value_t = 1_000_000)]
    pub parts: u64,
    #[arg(long, default_value_t = 3_000_000)]
    pub aftermarket: u64,
    #[arg(long, default_value_t = 5_000_000)]
    pub fitment: u64,
    #[arg(long, default_value_t = 357_000)]
    pub legacy_aft: u64,
    /// Queries measured per mix (after a warm-up of 100).
    #[arg(long, default_value_t = 1_000)]
    pub queries: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where the generated files go.
    #[arg(long, default_value = ".data/bench-catalog")]
    pub out: PathBuf,
    /// Keep the database as it is when it already holds a catalog (measure the queries again).
    #[arg(long)]
    pub reuse: bool,
    /// Seconds of HTTP load (0: skip).
    #[arg(long, default_value_t = 20)]
    pub http_seconds: u32,
    /// Concurrent HTTP connections.
    #[arg(long, default_value_t = 32)]
    pub connections: u32,
}

const DB: &str = "nexus_bench_catalog";

/// The import's steps with when each began: where the time goes.
#[derive(Default)]
struct Steps(std::sync::Mutex<Vec<(String, Instant)>>);

impl Steps {
    fn mark(&self, what: &str) {
        self.0.lock().expect("not poisoned").push((what.to_owned(), Instant::now()));
    }

    fn summary(&self) -> String {
        let marks = self.0.lock().expect("not poisoned");
        marks
            .windows(2)
            .map(|w| format!("  {:<40} {:>6.1} s", w[0].0, (w[1].1 - w[0].1).as_secs_f64()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Progress for Steps {
    fn file(&self, entity: Entity, _bytes: u64) {
        self.mark(&format!("{} (read + stage)", entity.file_name()));
    }
    fn read(&self, _bytes: u64) {}
    fn step(&self, what: &str) {
        self.mark(&format!("  {what}"));
    }
}

/// A percentile line beside its target.
fn line(name: &str, times: &mut [Duration], target_p95_ms: f64, hits: usize) -> String {
    times.sort();
    let p95 = percentile(times, 0.95);
    let verdict = if p95.as_secs_f64() * 1000.0 <= target_p95_ms { "PASS" } else { "MISS" };
    format!(
        "{name:<22} n={} p50 {}  p95 {}  p99 {}  max {}  (target p95 ≤ {target_p95_ms} ms: {verdict}); mean hits {:.1}",
        times.len(),
        ms(percentile(times, 0.5)),
        ms(p95),
        ms(percentile(times, 0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
        hits as f64 / times.len().max(1) as f64
    )
}

pub async fn run(cfg: Config, args: CatalogBenchArgs) -> Result<()> {
    let cfg = crate::cli::bench_config(cfg);
    let (url, _cluster) = startup::database(&cfg)?;
    run_inner(&cfg, &url, &args).await
}

async fn run_inner(cfg: &Config, url: &str, args: &CatalogBenchArgs) -> Result<()> {
    let admin: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let bench = admin.clone().database(DB).disable_statement_logging();
    let mut report = String::new();
    let exists = {
        let pool = PgPoolOptions::new().max_connections(1).connect_with(admin.clone()).await?;
        let found: bool = sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(DB)
            .fetch_one(&pool)
            .await?;
        let keep = args.reuse && found;
        if !keep {
            pool.execute(format!("drop database if exists {DB} with (force)").as_str()).await?;
            pool.execute(format!("create database {DB}").as_str()).await?;
        }
        pool.close().await;
        keep
    };
    let bench_url = bench.to_url_lossy().to_string();
    startup::migrate(&bench_url).await?;
    let owner = PgPoolOptions::new().max_connections(2).connect_with(bench.clone()).await?;
    let pool = nexus::db::connect(bench.clone(), 8).await?;
    if !exists {
        let options = GenerateOptions {
            parts: args.parts,
            aftermarket: args.aftermarket,
            fitment: args.fitment,
            legacy_aft: args.legacy_aft,
            seed: args.seed,
        };
        let t = Instant::now();
        let out = args.out.clone();
        let made = tokio::task::spawn_blocking(move || generate(&out, &options)).await??;
        writeln!(
            report,
            "generate: {:.1} s ({} parts, {} vehicles, {} fitment, {} aftermarket, {} cross-references)",
            t.elapsed().as_secs_f64(),
            made.parts,
            made.vehicles,
            made.fitment,
            made.aftermarket,
            made.cross_refs
        )?;
        println!("{report}");
        let t = Instant::now();
        let steps = Arc::new(Steps::default());
        let outcome = import_dir(&pool, &args.out, "bench", steps.clone()).await?;
        let import_s = t.elapsed().as_secs_f64();
        steps.mark("done");
        let verdict = if import_s <= 180.0 { "PASS" } else { "MISS" };
        writeln!(report, "import: {import_s:.1} s (target ≤ 180 s: {verdict})")?;
        writeln!(report, "{}", steps.summary())?;
        match outcome {
            Ok(r) => {
                for f in &r.files {
                    writeln!(
                        report,
                        "  {:<16} rows {:>9}  inserted {:>9}  updated {:>7}  unchanged {:>7}  rejected {:>6}",
                        f.entity.file_name(),
                        f.rows,
                        f.inserted,
                        f.updated,
                        f.unchanged,
                        f.rejected,
                    )?;
                }
            }
            Err(e) => anyhow::bail!("the generated files were refused: {e:?}"),
        }
        println!("{report}");
        let t = Instant::now();
        let m = migrate_legacy(&pool, "bench").await?;
        let mig_s = t.elapsed().as_secs_f64();
        let verdict = if mig_s <= 60.0 { "PASS" } else { "MISS" };
        writeln!(
            report,
            "legacy migration: {mig_s:.1} s for {} AFT- rows (target ≤ 60 s: {verdict}); migrated {}, no OEM match {}, \
             unparseable {}, manufacturers created {}, fitment relinked {}",
            m.legacy, m.migrated, m.no_oem_match, m.unparseable, m.manufacturers_created, m.fitment_relinked
        )?;
        println!("{report}");
        let t = Instant::now();
        owner.execute("vacuum analyze").await?;
        writeln!(report, "vacuum analyze: {:.1} s", t.elapsed().as_secs_f64())?;
    }

    // The mixes, drawn from the data (the same for the same seed).
    let n = args.queries + 100;
    let numbers = sample_numbers(&owner, n, args.seed).await?;
    let words = sample_words(&owner, n, args.seed).await?;
    let with_vehicle = sample_vehicle_words(&owner, n, args.seed).await?;
    for (name, target, reqs) in
        [("part number", 10.0, &numbers), ("words", 30.0, &words), ("words + vehicle", 20.0, &with_vehicle)]
    {
        let (mut times, mut hits, mut slowest) = (Vec::with_capacity(reqs.len()), 0usize, Vec::new());
        for (i, r) in reqs.iter().enumerate() {
            let t = Instant::now();
            let page = search(&pool, r).await.map_err(|e| anyhow::anyhow!("{r:?}: {e}"))?;
            if i >= 100 {
                times.push(t.elapsed());
                hits += page.hits.len();
                slowest.push((t.elapsed(), i));
            }
        }
        writeln!(report, "{}", line(name, &mut times, target, hits))?;
        println!("{}", report.lines().last().unwrap_or_default());
        // The slowest queries of the mix: where to look next.
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (d, i) in slowest.iter().take(3) {
            let r = &reqs[*i];
            writeln!(report, "    slowest: {} q={:?} vehicle={:?}", ms(*d), r.q, r.vehicle)?;
        }
    }
    for (name, reqs) in [("part number", &numbers), ("words", &words), ("words + vehicle", &with_vehicle)] {
        let r = &reqs[0];
        let plans = explain(&pool, r).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        writeln!(report, "\n== plan, {name}: q={:?} vehicle={:?}", r.q, r.vehicle)?;
        for p in plans {
            writeln!(report, "{p}\n--")?;
        }
    }

    if args.http_seconds > 0 {
        let all: Vec<&SearchRequest> = numbers.iter().chain(words.iter()).chain(with_vehicle.iter()).collect();
        for cached in [false, true] {
            let out = http(cfg, &bench_url, args, &all, cached).await?;
            println!("{out}");
            writeln!(report, "{out}")?;
        }
    }
    println!("\n{report}");
    Ok(())
}

/// Numbers as people write them: OEM numbers as printed, as keys in lower case, aftermarket numbers, superseded
/// numbers, and the first six or middle five characters of a key.
async fn sample_numbers(pool: &PgPool, n: usize, seed: u64) -> Result<Vec<SearchRequest>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "select q from (
             (select number as q, md5(id::text || $2) as o from catalog_parts order by o limit $1 * 3 / 10)
             union all (select lower(number_key), md5(id::text || $2 || 'k') as o from catalog_parts order by o limit $1 / 10)
             union all (select number, md5(id::text || $2) as o from catalog_aftermarket order by o limit $1 * 3 / 10)
             union all (select number, md5(part_id::text || number_key || $2) as o from catalog_cross_refs
                        where kind = 'supersedes' order by o limit $1 / 10)
             union all (select left(number_key, 6), md5(id::text || $2 || 'p') as o from catalog_parts order by o limit $1 / 10)
             union all (select substr(number_key, 3, 5), md5(id::text || $2 || 'i') as o from catalog_parts
                        where length(number_key) >= 8 order by o limit $1 / 10)
         ) s order by md5(q || $2)",
    )
    .bind(n as i64)
    .bind(seed.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(q,)| req(q, VehicleFilter::default())).collect())
}

fn req(q: String, vehicle: VehicleFilter) -> SearchRequest {
    SearchRequest { q, vehicle, group: None, after: None, limit: 20 }
}

/// One to three words of a part's name (the words people type: "pastillas delanteras", "amortiguador").
async fn sample_words(pool: &PgPool, n: usize, seed: u64) -> Result<Vec<SearchRequest>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "select array_to_string((string_to_array(lower(name), ' '))[1:1 + abs(hashtext(id::text || $2)) % 3], ' ')
         from catalog_parts order by md5(id::text || $2 || 'w') limit $1",
    )
    .bind(n as i64)
    .bind(seed.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(q,)| req(q, VehicleFilter::default())).collect())
}

/// Words of a part's name with a vehicle it fits: make, model and year, and the engine every other time.
async fn sample_vehicle_words(pool: &PgPool, n: usize, seed: u64) -> Result<Vec<SearchRequest>> {
    let rows: Vec<(String, String, String, i16, String)> = sqlx::query_as(
        "select array_to_string((string_to_array(lower(p.name), ' '))[1:1 + abs(hashtext(p.id::text || $2)) % 2], ' '),
                v.make, v.model, v.year_from, v.engine
         from (select id, name, vehicle_ids from catalog_parts where cardinality(vehicle_ids) > 0
               order by md5(id::text || $2 || 'v') limit $1) p
         join catalog_vehicles v on v.id = p.vehicle_ids[1]",
    )
    .bind(n as i64)
    .bind(seed.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, (q, make, model, year, engine))| {
            let engine = (i % 2 == 0 && !engine.is_empty()).then_some(engine);
            req(q, VehicleFilter { make: Some(make), model: Some(model), year: Some(year), engine })
        })
        .collect())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Throughput of `GET /api/v1/parts/search` over loopback, driven by `wrk` through every sampled query in turn.
/// With `cached`, the search cache is on and warmed by one pass over the queries first (what a running server
/// has); without, every request searches PostgreSQL.
async fn http(
    cfg: &Config,
    url: &str,
    args: &CatalogBenchArgs,
    reqs: &[&SearchRequest],
    cached: bool,
) -> Result<String> {
    if std::process::Command::new("wrk").arg("--version").output().is_err() {
        let ok =
            std::process::Command::new("apt-get").args(["install", "-y", "wrk"]).status().is_ok_and(|s| s.success());
        anyhow::ensure!(ok, "wrk is not installed (apt-get install wrk)");
    }
    let options = LeptosOptions::builder().output_name("nexus").site_root("target/site").build();
    let mut state = startup::state(cfg, url, options).await?;
    if cached {
        // One pass over every query: what the searches a running server has answered leave in its cache.
        for r in reqs {
            state.catalog_cache.search(&state.pool, r).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    } else {
        state.catalog_cache = nexus::catalog::service::cache::SearchCache::disabled();
    }
    let password = "Bench-Passw0rd";
    let emails = nexus::identity::service::demo::seed_bench_users(&state.pool, 1, password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = crate::http::router::build_router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    let base = format!("http://{addr}");
    let email = emails[0].clone();
    let base2 = base.clone();
    let token: String = tokio::task::spawn_blocking(move || -> Result<String> {
        let res = ureq::post(&format!("{base2}/api/v1/auth/login"))
            .set("content-type", "application/json")
            .send_string(&format!(r#"{{"login":"{email}","password":"{password}"}}"#))?;
        let v: serde_json::Value = serde_json::from_str(&res.into_string()?)?;
        Ok(v["access_token"].as_str().context("no access token")?.to_owned())
    })
    .await??;
    let paths: Vec<String> = reqs
        .iter()
        .map(|r| {
            let mut p = format!("/api/v1/parts/search?q={}", enc(&r.q));
            for (k, v) in [
                ("make", r.vehicle.make.clone()),
                ("model", r.vehicle.model.clone()),
                ("year", r.vehicle.year.map(|y| y.to_string())),
                ("engine", r.vehicle.engine.clone()),
            ] {
                if let Some(v) = v {
                    let _ = write!(p, "&{k}={}", enc(&v));
                }
            }
            p
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("nexus-wrk-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let lua = dir.join("rotate.lua");
    let list = paths.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join(",\n");
    std::fs::write(
        &lua,
        format!(
            "local paths = {{\n{list}\n}}\nlocal i = 0\n\
             request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n\
             local errors = 0\nresponse = function(status)\n  if status ~= 200 then errors = errors + 1 end\nend\n\
             done = function(summary, latency, requests)\n  io.write(string.format(\"non-200: %d\\n\", errors))\nend\n"
        ),
    )?;
    let out = tokio::process::Command::new("wrk")
        .args(["-t2", &format!("-c{}", args.connections), &format!("-d{}s", args.http_seconds), "--latency"])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .arg("-s")
        .arg(&lua)
        .arg(&base)
        .output()
        .await?;
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let rps: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:").map(|v| v.trim().parse().unwrap_or(0.0)))
        .unwrap_or(0.0);
    let verdict = if rps >= 1000.0 { "PASS" } else { "MISS" };
    Ok(format!(
        "\nHTTP GET /api/v1/parts/search, {}, wrk -t2 -c{} -d{}s over {} queries of the three mixes: {rps:.0} req/s \
         (target ≥ 1,000: {verdict})\n{text}",
        if cached { "search cache on (warmed by one pass)" } else { "search cache off" },
        args.connections,
        args.http_seconds,
        paths.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_reads_the_95th_percentile() {
        let mut fast: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert!(line("x", &mut fast, 95.0, 0).contains("PASS"));
        assert!(line("x", &mut fast, 94.0, 0).contains("MISS"));
        assert_eq!(enc("a b/ñ"), "a%20b%2F%C3%B1");
    }
}
