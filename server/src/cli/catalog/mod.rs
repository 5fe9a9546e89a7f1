//! `nexus-server catalog …`: catalog administration from a terminal, with a progress bar and a readable report.
//! Beside it `bench.rs`, `nexus-server bench catalog` (the catalog's figures at the scale).

pub mod bench;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use nexus::catalog::rules::import::{Entity, Reject, RowProblem};
use nexus::catalog::service::generate::{GenerateOptions, generate};
use nexus::catalog::service::import::{ImportReport, Progress, import_dir};
use sqlx::postgres::PgConnectOptions;

use crate::config::Config;
use crate::startup;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Import catalog CSV files from a folder (parts.csv, vehicles.csv, fitment.csv, aftermarket.csv, cross_refs.csv;
    /// formats in the README). Idempotent: importing the same files again changes nothing.
    Import {
        /// The folder holding the files.
        dir: PathBuf,
    },
    /// Move legacy `AFT-{number}-{MANUFACTURER}` fake OEM parts to aftermarket parts of their OEM part, relinking
    /// their fitment; report what was migrated, what found no OEM part, and what could not be read. Idempotent.
    MigrateLegacy,
    /// Write a deterministic, realistic catalog as import files (the same files for the same options), and import them
    /// unless `--no-import`.
    Generate {
        /// Where to write the files.
        #[arg(long, default_value = ".data/catalog-generated")]
        out: PathBuf,
        /// OEM parts.
        #[arg(long, default_value_t = 20_000)]
        parts: u64,
        /// Aftermarket rows (a brand number and one OEM part it replaces).
        #[arg(long, default_value_t = 60_000)]
        aftermarket: u64,
        /// Fitment rows (part ↔ vehicle).
        #[arg(long, default_value_t = 100_000)]
        fitment: u64,
        /// Legacy `AFT-{number}-{BRAND}` fake OEM parts, for the migration.
        #[arg(long, default_value_t = 0)]
        legacy_aft: u64,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Only write the files.
        #[arg(long)]
        no_import: bool,
    },
}

pub async fn run(cfg: Config, command: CatalogCommand) -> Result<()> {
    match command {
        CatalogCommand::Import { dir } => import(&cfg, &dir).await,
        CatalogCommand::MigrateLegacy => migrate_legacy(&cfg).await,
        CatalogCommand::Generate { out, parts, aftermarket, fitment, legacy_aft, seed, no_import } => {
            let options = GenerateOptions { parts, aftermarket, fitment, legacy_aft, seed };
            let started = std::time::Instant::now();
            let made = generate(&out, &options).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "generated in {:.1} s: {} parts, {} vehicles, {} fitment, {} aftermarket, {} cross-references in {}",
                started.elapsed().as_secs_f64(),
                made.parts,
                made.vehicles,
                made.fitment,
                made.aftermarket,
                made.cross_refs,
                out.display()
            );
            if no_import { Ok(()) } else { import(&cfg, &out).await }
        }
    }
}

async fn migrate_legacy(cfg: &Config) -> Result<()> {
    let (url, _cluster) = startup::database(cfg)?;
    async {
        let pool = connect(cfg, &url).await?;
        let spinner = ProgressBar::new_spinner().with_message("migrating AFT- parts");
        spinner.enable_steady_tick(Duration::from_millis(120));
        let r = nexus::catalog::service::legacy::migrate_legacy(&pool, &actor()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        spinner.finish_and_clear();
        println!(
            "AFT- parts found: {}\n  migrated: {} ({} through a cross-reference, {} through shared fitment)\n  no OEM part found: {}\n  \
             not of the form AFT-{{number}}-{{MANUFACTURER}}: {}\nmanufacturers created: {}, aftermarket rows created: {}, fitment rows relinked: {}, in {:.1} s",
            r.legacy, r.migrated, r.via_cross_ref, r.via_fitment, r.no_oem_match, r.unparseable,
            r.manufacturers_created, r.aftermarket_created, r.fitment_relinked, r.duration_ms as f64 / 1000.0
        );
        if !r.unmatched.is_empty() {
            println!("first parts without an OEM part:");
            for key in &r.unmatched {
                println!("  {key}");
            }
        }
        Ok(())
    }
    .await
}

/// Migrates the database, then opens the application pool.
async fn connect(cfg: &Config, url: &str) -> Result<nexus::db::PgPool> {
    startup::migrate(url).await?;
    let options: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    nexus::db::connect(options, cfg.db_max_connections).await.context("connecting to PostgreSQL")
}

/// Who the catalog's run history names for a terminal command.
fn actor() -> String {
    format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into()))
}

/// Imports a folder of catalog files into the configured database (migrated first), printing progress and the report.
async fn import(cfg: &Config, dir: &Path) -> Result<()> {
    let (url, _cluster) = startup::database(cfg)?;
    import_into(cfg, &url, dir).await
}

async fn import_into(cfg: &Config, url: &str, dir: &Path) -> Result<()> {
    let pool = connect(cfg, url).await?;
    let bar = Arc::new(Bar::new());
    let outcome = import_dir(&pool, dir, &actor(), bar.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.0.finish_and_clear();
    match outcome {
        Ok(report) => {
            print!("{}", summary(&report));
            Ok(())
        }
        Err(refused) => anyhow::bail!("import refused, nothing was written: {refused}"),
    }
}

/// The terminal progress bar: bytes of the file being read, then the step running.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.enable_steady_tick(Duration::from_millis(200));
        Bar(bar)
    }
}

impl Progress for Bar {
    fn file(&self, entity: Entity, bytes: u64) {
        self.0.set_style(
            ProgressStyle::with_template("{prefix:>12} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        self.0.set_prefix(entity.file_name());
        self.0.set_length(bytes);
        self.0.set_position(0);
        self.0.set_message("reading");
    }

    fn read(&self, bytes: u64) {
        self.0.set_position(bytes);
    }

    fn step(&self, what: &str) {
        self.0.set_message(what.to_owned());
    }
}

fn summary(r: &ImportReport) -> String {
    let mut out = format!(
        "{:<16} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
        "file", "rows", "inserted", "updated", "unchanged", "rejected"
    );
    for f in &r.files {
        out += &format!(
            "{:<16} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
            f.entity.file_name(),
            f.rows,
            f.inserted,
            f.updated,
            f.unchanged,
            f.rejected
        );
    }
    out += &format!(
        "manufacturers created: {}, groups created: {}, in {:.1} s\n",
        r.manufacturers_created,
        r.groups_created,
        r.duration_ms as f64 / 1000.0
    );
    for f in &r.files {
        if !f.ignored_columns.is_empty() {
            out += &format!(
                "{}: columns ignored (not in the format): {}\n",
                f.entity.file_name(),
                f.ignored_columns.join(", ")
            );
        }
        if f.rejected > 0 {
            out += &format!(
                "{}: rejected lines{}:\n",
                f.entity.file_name(),
                if f.rejected as usize > f.rejects.len() { " (first ones)" } else { "" }
            );
            for reject in f.rejects.iter().take(50) {
                out += &format!("  line {}: {}\n", reject.line, reason(reject));
            }
            if f.rejects.len() > 50 {
                out += &format!("  … {} more\n", f.rejected - 50);
            }
        }
    }
    out
}

fn reason(r: &Reject) -> String {
    match &r.problem {
        RowProblem::Missing { column } => format!("`{column}` is empty"),
        RowProblem::TooLong { column, max } => format!("`{column}` is longer than {max} characters"),
        RowProblem::InvalidNumber { column } => format!("`{column}` is not a part number"),
        RowProblem::NotANumber { column } => format!("`{column}` is not a valid number"),
        RowProblem::UnknownValue { column, value } => format!("`{column}` cannot be \"{value}\""),
        RowProblem::InvalidYears => "years outside 1900–2100, or ending before they start".into(),
        RowProblem::Duplicate { key } => format!("{key} appears again later in the file (the later line wins)"),
        RowProblem::UnknownReference { what, key } => {
            format!("no {} {key} in the catalog or this import", what.replace('_', " "))
        }
    }
}
