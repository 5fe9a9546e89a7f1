//! An upload's rows against the bodega's inventory, inside the caller's transaction: staged by COPY as a blocking
//! producer reads and checks them, matched to catalog items, counted (the dry run) and, when asked, written (the
//! commit). The caller commits (every valid row lands, with the upload's record) or rolls back (nothing does).

use tokio::sync::watch;

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::ids::{TenantId, UploadId};
use crate::inventory::rules::file::FileProblem;
use crate::inventory::rules::row::{Counts, Match, Problem, RepeatSuspects, Row};
use crate::inventory::rules::upload::Phase;
use crate::inventory::service::catalog_keys;
use crate::inventory::store::items as store;

/// Bytes per COPY chunk.
const CHUNK_BYTES: usize = 1 << 20;
/// Rows between two progress reports.
const REPORT_EVERY: u64 = 20_000;

/// What to do with the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Zero the stock of items at the file's locations that the file does not name.
    pub replace_location: bool,
    /// Write (else only count: the dry run).
    pub commit: bool,
}

/// How far the work has got: the phase, rows read, and the part of the file read (0 to 1).
pub type Progress = (Phase, u64, f32);

/// Where a producer hands each row: its line, and the row or why the rules reject it.
pub type Sink<'a> = &'a mut dyn FnMut(u64, std::result::Result<Row, Problem>);

/// What reading the rows told of them, for the statements that follow (each spared a pass over every row).
#[derive(Debug, Default)]
struct Read {
    /// Rows whose key and location another row may share: repeats are looked for among these only.
    suspects: RepeatSuspects,
    /// The parts superseded or equivalent numbers named (their rows may repeat another number's).
    replaced: Vec<i64>,
    /// Whether any number is ambiguous (its brands are then looked up in the database).
    ambiguous: bool,
    /// The locations of the rows that name an item (those the upload confirms).
    locations: std::collections::BTreeSet<String>,
}

impl Read {
    /// Notes a valid row and what its number names; gives the latter back.
    fn note(&mut self, line: u64, row: &Row, found: Match) -> Match {
        match found {
            Match::Part(_) | Match::Product(_) | Match::Replaced(_) => {
                self.suspects.note(line, row.number.key(), &row.location);
                if let Match::Replaced(part) = found {
                    self.replaced.push(part);
                }
                if !self.locations.contains(&row.location) {
                    self.locations.insert(row.location.clone());
                }
            }
            Match::Ambiguous(_) => self.ambiguous = true,
            Match::Unknown => {}
        }
        found
    }
}

/// Runs an upload's rows against the tenant's inventory in `tx`: `produce` hands every row on (it runs on a
/// blocking thread, reading and checking the file as the rows go to the database by COPY, so no file sits in memory
/// as rows; each row's number is matched there to its catalog item in the catalog's keys kept in memory), their
/// rejects kept as `upload`'s, counted, and with
/// `options.commit` written. `last_line` (the file's last line or row) turns lines read into progress, reported on
/// `progress`. A file-level problem from `produce` (a cell too long, too many rows) refuses the whole upload.
pub async fn run_rows<F>(
    tx: &mut Tx,
    tenant: TenantId,
    upload: UploadId,
    produce: F,
    options: Options,
    last_line: u64,
    progress: Option<watch::Sender<Progress>>,
) -> Result<std::result::Result<Counts, FileProblem>>
where
    F: FnOnce(Sink<'_>) -> std::result::Result<(), FileProblem> + Send + 'static,
{
    let t0 = std::time::Instant::now();
    if options.commit {
        // Held to the end, from before the catalog's keys are read: no part this commit matches can be deleted
        // before it is written.
        store::lock_catalog_shared(tx).await?;
    }
    let keys = catalog_keys::current(tx).await?;
    store::create_stage(tx).await?;
    let (sender, chunks) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let reporter = progress.clone();
    let producer = tokio::task::spawn_blocking(move || {
        let t = std::time::Instant::now();
        let mut chunk = Vec::with_capacity(CHUNK_BYTES + 1024);
        let mut stopped = false;
        let mut rows = 0u64;
        let mut read = Read::default();
        let result = produce(&mut |line, row| {
            let found = match &row {
                Ok(r) => read.note(line, r, keys.find(r.number.key())),
                Err(_) => Match::Unknown,
            };
            store::copy_line(line, &row, found, &mut chunk);
            rows += 1;
            if rows.is_multiple_of(REPORT_EVERY)
                && let Some(p) = &reporter
            {
                let _ = p.send((Phase::Reading, rows, (line as f32 / last_line.max(1) as f32).min(1.0)));
            }
            if chunk.len() >= CHUNK_BYTES && !stopped {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES + 1024));
                stopped = sender.blocking_send(full).is_err();
            }
        });
        if !chunk.is_empty() && !stopped {
            let _ = sender.blocking_send(chunk);
        }
        tracing::debug!(rows, ms = t.elapsed().as_millis() as u64, "upload rows read and checked");
        result.map(|()| (rows, read))
    });
    let staged = store::stage(tx, chunks).await;
    let (rows, read) = match producer.await.map_err(Error::internal)? {
        Ok(read) => read,
        Err(problem) => return Ok(Err(problem)),
    };
    staged?;
    let report = |phase| {
        if let Some(p) = &progress {
            let _ = p.send((phase, rows, 1.0));
        }
    };
    let staged_ms = t0.elapsed().as_millis();
    report(Phase::Matching);
    let suspects = read.suspects.into_lines();
    let locations: Vec<String> = read.locations.into_iter().collect();
    store::resolve(tx, &suspects, &read.replaced, read.ambiguous).await?;
    let resolved_ms = t0.elapsed().as_millis();
    let counts = store::dry_run(tx, tenant, &locations, options.replace_location).await?;
    store::save_rejects(tx, tenant, upload).await?;
    let counted_ms = t0.elapsed().as_millis();
    if options.commit {
        report(Phase::Writing);
        store::commit(tx, tenant, upload, &locations, options.replace_location).await?;
    }
    // Where the time goes (cumulative milliseconds), for profiling (`RUST_LOG=nexus::inventory=debug`).
    tracing::debug!(rows, staged_ms, resolved_ms, counted_ms, total_ms = t0.elapsed().as_millis(), "upload rows run");
    Ok(Ok(counts))
}
