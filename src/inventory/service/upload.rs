//! An upload's rows against the bodega's inventory: staged, matched to catalog items, counted (the dry run) and,
//! when asked, written (the commit), all in one transaction: every valid row lands or none does.

use uuid::Uuid;

use crate::db::{self, Scope};
use crate::error::Result;
use crate::inventory::rules::row::{Counts, Problem, Row};
use crate::inventory::store::items as store;

/// Rows per COPY chunk.
const CHUNK_ROWS: usize = 10_000;

/// What to do with the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Zero the stock of items at the file's locations that the file does not name.
    pub replace_location: bool,
    /// Write (else only count: the dry run).
    pub commit: bool,
}

/// The counts, and every rejected row with its reason, by line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub counts: Counts,
    pub rejects: Vec<(u64, Problem)>,
}

/// Runs an upload's rows (`rows` valid by the rules, `rejected` not, each with its line) against the tenant's
/// inventory in one transaction: matched to catalog items and counted, and with `options.commit` written as
/// `upload`.
pub async fn run_rows(
    pool: &db::PgPool,
    tenant: Uuid,
    upload: Uuid,
    rows: Vec<(u64, Row)>,
    rejected: Vec<(u64, Problem)>,
    options: Options,
) -> Result<Outcome> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    store::create_stage(&mut tx).await?;
    let (sender, chunks) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let producer = tokio::task::spawn_blocking(move || {
        for part in rows.chunks(CHUNK_ROWS) {
            let mut chunk = Vec::with_capacity(part.len() * 64);
            for (line, row) in part {
                store::copy_line(*line, row, &mut chunk);
            }
            if sender.blocking_send(chunk).is_err() {
                return;
            }
        }
    });
    store::stage(&mut tx, chunks).await?;
    producer.await.map_err(crate::error::Error::internal)?;
    store::resolve(&mut tx).await?;
    let counts = store::dry_run(&mut tx, tenant, options.replace_location, rejected.len() as i64).await?;
    let mut rejects = rejected;
    rejects.extend(store::staged_rejects(&mut tx).await?);
    rejects.sort_by_key(|(line, _)| *line);
    if options.commit {
        store::commit(&mut tx, tenant, upload, options.replace_location).await?;
        tx.commit().await?;
    }
    Ok(Outcome { counts, rejects })
}
