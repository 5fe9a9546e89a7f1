//! An upload's rows against the bodega's inventory: staged, matched to catalog items, counted (the dry run) and,
//! when asked, written (the commit), all in one transaction: every valid row lands or none does.

use uuid::Uuid;

use crate::db::{self, Scope};
use crate::error::{Error, Result};
use crate::inventory::rules::file::FileProblem;
use crate::inventory::rules::row::{Counts, Problem, Row};
use crate::inventory::store::items as store;

/// Bytes per COPY chunk.
const CHUNK_BYTES: usize = 1 << 20;

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

/// Where a producer hands each row: its line, and the row or why the rules reject it.
pub type Sink<'a> = &'a mut dyn FnMut(u64, std::result::Result<Row, Problem>);

/// Runs an upload's rows against the tenant's inventory in one transaction: `produce` hands every row on (it runs
/// on a blocking thread, reading and checking the file as the rows go to the database by COPY, so no file sits in
/// memory as rows), they are matched to catalog items and counted, and with `options.commit` written as `upload`.
/// A file-level problem from `produce` (a cell too long, too many rows) refuses the whole upload: nothing is
/// written.
pub async fn run_rows<F>(
    pool: &db::PgPool,
    tenant: Uuid,
    upload: Uuid,
    produce: F,
    options: Options,
) -> Result<std::result::Result<Outcome, FileProblem>>
where
    F: FnOnce(Sink<'_>) -> std::result::Result<(), FileProblem> + Send + 'static,
{
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    store::create_stage(&mut tx).await?;
    let (sender, chunks) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let producer = tokio::task::spawn_blocking(move || {
        let mut chunk = Vec::with_capacity(CHUNK_BYTES + 1024);
        let mut rejects = Vec::new();
        let mut stopped = false;
        let result = produce(&mut |line, row| match row {
            Ok(row) => {
                store::copy_line(line, &row, &mut chunk);
                if chunk.len() >= CHUNK_BYTES && !stopped {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES + 1024));
                    stopped = sender.blocking_send(full).is_err();
                }
            }
            Err(problem) => rejects.push((line, problem)),
        });
        if !chunk.is_empty() && !stopped {
            let _ = sender.blocking_send(chunk);
        }
        result.map(|()| rejects)
    });
    let staged = store::stage(&mut tx, chunks).await;
    let rejected = match producer.await.map_err(Error::internal)? {
        Ok(r) => r,
        Err(problem) => return Ok(Err(problem)),
    };
    staged?;
    store::resolve(&mut tx).await?;
    let counts = store::dry_run(&mut tx, tenant, options.replace_location, rejected.len() as i64).await?;
    let mut rejects = rejected;
    rejects.extend(store::staged_rejects(&mut tx).await?);
    rejects.sort_by_key(|(line, _)| *line);
    if options.commit {
        store::commit(&mut tx, tenant, upload, options.replace_location).await?;
        tx.commit().await?;
    }
    Ok(Ok(Outcome { counts, rejects }))
}
