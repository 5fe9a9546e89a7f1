//! `nexus-server bench inventory`: a bodega's upload, end to end on the server (read, check, match, dry run, commit),
//! against the catalog `bench catalog` leaves in `nexus_bench_catalog` (run that first). Files are generated from the
//! catalog's own numbers (OEM and aftermarket, as printed), with prices and stock written the way Spanish-language
//! systems export them, some rows broken on purpose: CSV at 100,000 rows (target ≤ 1.0 s) and 1,000,000 rows
//! (≤ 10 s), XLSX at 100,000 rows (≤ 2.0 s). Each is uploaded as an ERP sends it (one call; `--repeat` times into
//! fresh bodegas, the median reported), as the page does (dry run, then commit), and once more unchanged (the next
//! day's file), with the peak RSS (≤ 200 MB) of a measuring process that holds nothing but the uploads.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use nexus::caller::{Caller, Machine, RequestMeta};
use nexus::identity::rules::auth::{ApiScope, Role};
use nexus::ids::TenantId;
use nexus::inventory::rules::file::{FileProblem, UploadLimits};
use nexus::inventory::rules::row::Counts;
use nexus::inventory::service::uploads::{self, CommitOptions, NewUpload};
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
    /// Uploads of each file, each into a fresh bodega (the median is the figure).
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// (Internal) measure the files already generated in this folder: the measuring process is a child of the
    /// generating one, so its peak RSS is the uploads' and nothing of the generation.
    #[arg(long, hide = true)]
    pub files: Option<std::path::PathBuf>,
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
    let (url, _cluster) = startup::database(&cfg)?;
    run_inner(&url, &args).await
}

async fn run_inner(url: &str, args: &InventoryBenchArgs) -> Result<()> {
    let admin: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let bench = admin.database(DB).disable_statement_logging();
    startup::migrate(bench.to_url_lossy().as_ref()).await?;
    let owner = PgPoolOptions::new().max_connections(2).connect_with(bench.clone()).await?;
    let parts: i64 = sqlx::query_scalar("select count(*) from catalog_parts").fetch_one(&owner).await?;
    anyhow::ensure!(parts > 0, "the catalog is empty: run `nexus-server bench catalog` first");
    match &args.files {
        Some(dir) => measure(&owner, bench, parts, dir, args).await,
        None => {
            let dir = std::env::temp_dir().join(format!("nexus-bench-inventory-{}", Uuid::new_v4()));
            std::fs::create_dir_all(&dir)?;
            let result = generate_then_measure(&owner, url, &dir, args).await;
            let _ = std::fs::remove_dir_all(&dir);
            result
        }
    }
}

/// The files (CSV at every size, XLSX at 100k rows and under) written to `dir`, then measured by a child process.
async fn generate_then_measure(owner: &sqlx::PgPool, url: &str, dir: &Path, args: &InventoryBenchArgs) -> Result<()> {
    for &rows in &args.rows {
        let t = Instant::now();
        let csv = generate(owner, rows, args.seed).await?;
        std::fs::write(dir.join(format!("{rows}.csv")), &csv)?;
        print!("{rows} rows: CSV {:.1} MB", csv.len() as f64 / 1e6);
        if rows <= 100_000 {
            let xlsx = to_xlsx(&csv)?;
            std::fs::write(dir.join(format!("{rows}.xlsx")), &xlsx)?;
            print!(", XLSX {:.1} MB", xlsx.len() as f64 / 1e6);
        }
        println!(" (generated in {:.1} s)", t.elapsed().as_secs_f64());
    }
    let rows: Vec<String> = args.rows.iter().map(u64::to_string).collect();
    let status = std::process::Command::new(std::env::current_exe()?)
        .args(["bench", "inventory", "--rows", &rows.join(","), "--repeat", &args.repeat.to_string(), "--files"])
        .arg(dir)
        .env("DATABASE_URL", url)
        .status()?;
    anyhow::ensure!(status.success(), "the measuring process failed: {status}");
    Ok(())
}

/// Each file uploaded `args.repeat` times as an ERP does (one call: read, check, dry run, commit), each into a fresh
/// bodega (the first upload writes every item: the heaviest commit); then as the page does (received and
/// dry-run, then committed). Peak RSS per file.
async fn measure(
    owner: &sqlx::PgPool,
    bench: PgConnectOptions,
    parts: i64,
    dir: &Path,
    args: &InventoryBenchArgs,
) -> Result<()> {
    let pool = nexus::db::connect(bench, 8).await?;
    let mut report = format!("catalog: {parts} parts; peak RSS of this process at start {:.0} MB\n", peak_rss_mb());
    // The catalog's number keys, read into memory as a server does at start (and again after a catalog change).
    let t0 = Instant::now();
    let mut tx = nexus::db::begin(&pool, nexus::db::Scope::Platform).await?;
    let keys = nexus::inventory::service::catalog_keys::current(&mut tx).await?;
    tx.commit().await?;
    writeln!(
        report,
        "catalog number keys (OEM, aftermarket, cross-reference) read into memory (at server start, and after a catalog change): {} keys, {:.1} MB, \
         {:.2} s; peak RSS now {:.0} MB",
        keys.len(),
        keys.bytes() as f64 / 1e6,
        t0.elapsed().as_secs_f64(),
        peak_rss_mb()
    )?;
    drop(keys);
    for &rows in &args.rows {
        let mut files = vec![("csv", if rows <= 100_000 { 1.0 } else { 10.0 })];
        if rows <= 100_000 {
            files.push(("xlsx", 2.0));
        }
        writeln!(report, "\n{rows} rows")?;
        for (format, target) in files {
            let path = dir.join(format!("{rows}.{format}"));
            let limits = UploadLimits { max_bytes: 200 * 1024 * 1024, max_rows: 2_000_000 };
            let meta = RequestMeta::default();
            // What a server holds of an upload: the request's body, read here from disk per call.
            let new = |commit: bool| -> Result<NewUpload> {
                Ok(NewUpload {
                    file_name: format!("bench-{rows}.{format}"),
                    bytes: std::fs::read(&path)?,
                    commit,
                    allow_repeat: true,
                    ..NewUpload::default()
                })
            };
            // The peak is measured per file: Linux resets the high-water mark on "5" into clear_refs.
            let _ = std::fs::write("/proc/self/clear_refs", "5");
            let mut one_call = Vec::new();
            let mut bodegas = Vec::new();
            let mut counts = Counts::default();
            for _ in 0..args.repeat.max(1) {
                let (bodega, erp) = fresh_bodega(owner, rows, format).await?;
                bodegas.push(bodega);
                let t = Instant::now();
                let v = uploads::receive(&pool, &erp, &meta, limits, new(true)?)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                one_call.push(t.elapsed().as_secs_f64());
                counts = v.counts.unwrap_or_default();
            }
            let mut sorted = one_call.clone();
            sorted.sort_by(f64::total_cmp);
            let median = sorted[sorted.len() / 2];
            let verdict = if median <= target { "PASS" } else { "MISS" };
            let runs: Vec<String> = one_call.iter().map(|s| format!("{s:.2}")).collect();
            writeln!(
                report,
                "  {format:<4} one call (read+check+dry run+commit): median {median:.2} s of [{}] ({:.0} rows/s); \
                 target ≤ {target} s: {verdict}; new {} rejected {}",
                runs.join(", "),
                rows as f64 / median,
                counts.new_items,
                counts.rejected
            )?;
            println!("{}", report.lines().last().unwrap_or_default());

            // The page: a fresh bodega's file received and dry-run, then committed (read again).
            let (bodega, erp) = fresh_bodega(owner, rows, format).await?;
            bodegas.push(bodega);
            let t = Instant::now();
            let v = uploads::receive(&pool, &erp, &meta, limits, new(false)?)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let dry = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let options = CommitOptions { replace_location: false, allow_repeat: true };
            uploads::commit(&pool, &erp, &meta, limits, v.id, options).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let commit = t.elapsed().as_secs_f64();
            // And the next day's file: the same rows again, nothing changed (the usual upload).
            let t = Instant::now();
            let v =
                uploads::receive(&pool, &erp, &meta, limits, new(true)?).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let again = t.elapsed().as_secs_f64();
            writeln!(
                report,
                "  {format:<4} page: receive + dry run {dry:.2} s, then commit {commit:.2} s; the same file again in \
                 one call {again:.2} s (unchanged {})",
                v.counts.unwrap_or_default().unchanged
            )?;
            println!("{}", report.lines().last().unwrap_or_default());
            writeln!(report, "  {format:<4} peak RSS {:.0} MB (target ≤ 200 MB)", peak_rss_mb())?;
            println!("{}", report.lines().last().unwrap_or_default());
            for bodega in bodegas {
                owner.execute(sqlx::query("delete from inventory_items where tenant_id = $1").bind(bodega)).await?;
            }
            // The next file meets a table as a bodega's first upload would, not one full of dead rows.
            owner.execute("vacuum (analyze) inventory_items").await?;
        }
    }
    // A zip bomb: an XLSX of 300 KB whose sheet unpacks to 300 MB, refused while it is read.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let (_, erp) = fresh_bodega(owner, 0, "bomb").await?;
    let t = Instant::now();
    let bomb = NewUpload { file_name: "bomba.xlsx".into(), bytes: BOMB.to_vec(), ..NewUpload::default() };
    let refused = uploads::receive(&pool, &erp, &RequestMeta::default(), UploadLimits::default(), bomb).await;
    let secs = t.elapsed().as_secs_f64();
    let rss = peak_rss_mb();
    anyhow::ensure!(
        matches!(&refused, Err(nexus::Error::Rejected(r)) if matches!(r.reason(), Some(FileProblem::UnpacksTooLarge { .. }))),
        "the zip bomb was not refused as one: {refused:?}"
    );
    writeln!(
        report,
        "\nzip bomb ({:.0} KB unpacking to 300 MB): refused in {secs:.3} s (target < 2 s: {}), peak RSS {rss:.0} MB \
         (target < 256 MB: {})",
        BOMB.len() as f64 / 1024.0,
        if secs < 2.0 { "PASS" } else { "MISS" },
        if rss < 256.0 { "PASS" } else { "MISS" }
    )?;
    println!("\n{report}");
    Ok(())
}

/// The HTTP tests' zip bomb.
const BOMB: &[u8] = include_bytes!("../../../tests/http/fixtures/bomb.xlsx");

/// A new bodega, and its ERP's key.
async fn fresh_bodega(owner: &sqlx::PgPool, rows: u64, format: &str) -> Result<(TenantId, Caller)> {
    let bodega: TenantId = sqlx::query_scalar(
        "insert into tenants (kind, name, status) values ('warehouse', 'Bodega bench ' || $1, 'active') returning id",
    )
    .bind(format!("{rows} {format} {}", Uuid::new_v4()))
    .fetch_one(owner)
    .await?;
    let erp = Caller::Machine(Machine {
        key_id: Uuid::new_v4(),
        tenant_id: bodega,
        name: "bench".into(),
        scopes: vec![ApiScope::InventoryWrite],
        creator_role: Role::Warehouse,
        tenant_kind: nexus::identity::rules::tenant::TenantKind::Warehouse,
    });
    Ok((bodega, erp))
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

/// The same rows as a workbook: one sheet, inline strings and numbers (what spreadsheet programs write, minus the
/// shared-string table), deflated as a real XLSX is.
fn to_xlsx(csv: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write as _;
    use zip::write::SimpleFileOptions;
    let text = std::str::from_utf8(csv)?;
    let mut sheet = String::with_capacity(csv.len() * 4);
    sheet.push_str(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    for (r, line) in text.lines().enumerate() {
        write!(sheet, r#"<row r="{}">"#, r + 1)?;
        for (c, cell) in line.split(';').enumerate() {
            if cell.is_empty() {
                continue;
            }
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            // Prices and stock as numbers, the way a spreadsheet holds them.
            let number = cell.replace('.', "").replace(',', ".");
            if c >= 2 && number.parse::<f64>().is_ok() {
                write!(sheet, r#"<c r="{at}"><v>{number}</v></c>"#)?;
            } else {
                write!(sheet, r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#, escape(cell))?;
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &[u8]); 5] = [
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Existencias" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ];
    for (name, data) in parts {
        w.start_file(name, options)?;
        w.write_all(data)?;
    }
    Ok(w.finish()?.into_inner())
}
