//! `nexus-server catalog …`: catalog administration from a terminal, with a progress bar and a readable report.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use nexus::catalog::rules::import::{Entity, Reject, RowProblem};
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
}

pub async fn run(cfg: Config, command: CatalogCommand) -> Result<()> {
    let (url, cluster) = startup::database(&cfg)?;
    let result = run_inner(&cfg, &url, command).await;
    if let Some(c) = cluster {
        c.stop();
    }
    result
}

async fn run_inner(cfg: &Config, url: &str, command: CatalogCommand) -> Result<()> {
    startup::migrate(url).await?;
    let options: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let pool = nexus::db::connect(options, cfg.db_max_connections).await.context("connecting to PostgreSQL")?;
    match command {
        CatalogCommand::Import { dir } => {
            let bar = Arc::new(Bar::new());
            let actor = format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into()));
            let outcome = import_dir(&pool, &dir, &actor, bar.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.0.finish_and_clear();
            match outcome {
                Ok(report) => {
                    print!("{}", summary(&report));
                    Ok(())
                }
                Err(refused) => anyhow::bail!("import refused, nothing was written: {refused}"),
            }
        }
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
