//! Importing catalog files: a folder holding any of `parts.csv`, `vehicles.csv`, `fitment.csv`, `aftermarket.csv`,
//! `cross_refs.csv` (formats in the README and in `rules::import`).
//!
//! - One transaction for the whole import: a malformed file (bad UTF-8, broken quoting, a line with the wrong number
//!   of fields, a missing required column) refuses the import with its file, line and column, and nothing is written.
//! - Rows that break a rule are rejected and reported with their line and reason; the others load.
//! - Each file is parsed on a blocking thread while its rows stream into PostgreSQL by COPY (two cores, both busy),
//!   then a few set-based statements upsert by natural key: running the same files again changes nothing.
//! - The run and its report are recorded in `catalog_runs`, also when it fails.

use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::catalog::rules::import::{self as rules, Entity, Fields, Reject, RowProblem};
use crate::catalog::store::import as store;
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};

/// What an import did, file by file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub files: Vec<FileReport>,
    pub manufacturers_created: i64,
    pub groups_created: i64,
    pub duration_ms: u128,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub entity: Entity,
    /// Data lines read (the header not counted).
    pub rows: u64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Rejected lines in all.
    pub rejected: u64,
    /// The first rejected lines (up to a thousand per reason), in line order.
    pub rejects: Vec<Reject>,
    /// Header columns the format does not know: ignored, and said.
    pub ignored_columns: Vec<String>,
}

/// Why an import was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ImportError {
    #[error(
        "{file}: no catalog file here (expected any of parts.csv, vehicles.csv, fitment.csv, aftermarket.csv, cross_refs.csv)"
    )]
    NothingToImport { file: String },
    #[error("{file}: cannot be read: {message}")]
    Unreadable { file: String, message: String },
    #[error("{file}: the header lacks the required column `{column}`")]
    MissingColumn { file: String, column: String },
    #[error("{file}: the header names `{column}` twice")]
    RepeatedColumn { file: String, column: String },
    #[error("{file}, line {line}{}: {message}", column.map(|c| format!(", column {c}")).unwrap_or_default())]
    Malformed { file: String, line: u64, column: Option<u64>, message: String },
}

/// An import's outcome: refused as a whole, or done with its report.
pub type ImportOutcome = std::result::Result<ImportReport, ImportError>;

/// Progress of a running import, for a terminal bar.
pub trait Progress: Send + Sync {
    /// A file starts: its entity and size in bytes.
    fn file(&self, entity: Entity, bytes: u64);
    /// Bytes of the current file read so far.
    fn read(&self, bytes: u64);
    /// A step after reading ("upserting", …).
    fn step(&self, what: &str);
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {
    fn file(&self, _: Entity, _: u64) {}
    fn read(&self, _: u64) {}
    fn step(&self, _: &str) {}
}

/// Imports the catalog files found in `dir`, recording the run as done by `actor`.
pub async fn import_dir(pool: &PgPool, dir: &Path, actor: &str, progress: Arc<dyn Progress>) -> Result<ImportOutcome> {
    let files: Vec<(Entity, PathBuf)> =
        Entity::ALL.iter().map(|e| (*e, dir.join(e.file_name()))).filter(|(_, p)| p.is_file()).collect();
    if files.is_empty() {
        return Ok(Err(ImportError::NothingToImport { file: dir.display().to_string() }));
    }
    let run = store::start_run(pool, "import", actor, &dir.display().to_string()).await?;
    let outcome = import_files(pool, &files, progress).await;
    let (ok, report) = match &outcome {
        Ok(Ok(r)) => (true, serde_json::to_value(r)),
        Ok(Err(refused)) => (false, serde_json::to_value(refused)),
        Err(e) => (false, Ok(serde_json::json!({ "problem": "internal", "message": e.to_string() }))),
    };
    store::finish_run(pool, run, ok, &report.map_err(Error::internal)?).await?;
    outcome
}

async fn import_files(
    pool: &PgPool,
    files: &[(Entity, PathBuf)],
    progress: Arc<dyn Progress>,
) -> Result<ImportOutcome> {
    let started = Instant::now();
    let mut tx = db::begin(pool, Scope::Platform).await?;
    store::bulk_memory(&mut tx).await?;
    let mut report = ImportReport::default();
    let mut aside = Vec::new();
    for (entity, path) in files {
        let entity = *entity;
        let statement = store::create_staging(&mut tx, entity).await?;
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        progress.file(entity, bytes);
        let (sender, chunks) = tokio::sync::mpsc::channel::<Vec<u8>>(8);
        let handle = {
            let (path, progress) = (path.clone(), Arc::clone(&progress));
            tokio::task::spawn_blocking(move || parse_file(entity, &path, sender, progress))
        };
        let copied = db::copy_in(&mut tx, &statement, chunks).await;
        let parsed = handle.await.map_err(Error::internal)?;
        let parsed = match parsed {
            Ok(p) => p,
            Err(refused) => return Ok(Err(refused)),
        };
        copied?;
        let mut sql_rejects = store::SqlRejects::default();
        if parsed.maybe_repeats {
            progress.step("finding repeated lines");
            store::drop_duplicates(&mut tx, entity, &mut sql_rejects).await?;
        }
        progress.step("resolving references");
        match entity {
            Entity::Parts => {
                report.manufacturers_created += store::create_manufacturers(&mut tx, entity).await?;
                report.groups_created += store::create_groups(&mut tx).await?;
            }
            Entity::Aftermarket => {
                store::drop_unresolved(&mut tx, entity, &mut sql_rejects).await?;
                report.manufacturers_created += store::create_manufacturers(&mut tx, entity).await?;
            }
            _ => store::drop_unresolved(&mut tx, entity, &mut sql_rejects).await?,
        }
        if let Some(a) = store::set_aside(&mut tx, entity).await? {
            aside.push(a);
        }
        progress.step("writing");
        let up = store::upsert(&mut tx, entity).await?;
        match entity {
            Entity::Parts => {
                progress.step("rebuilding the typo vocabulary");
                store::rebuild_words(&mut tx).await?;
            }
            Entity::Fitment => {
                progress.step("listing each part's vehicles");
                store::recount_fitment(&mut tx).await?;
            }
            _ => {}
        }
        let mut rejects = parsed.rejects;
        rejects.extend(
            sql_rejects
                .duplicates
                .into_iter()
                .map(|(line, key)| Reject { line: line as u64, problem: RowProblem::Duplicate { key } }),
        );
        rejects.extend(sql_rejects.unresolved.into_iter().map(|(line, what, key)| Reject {
            line: line as u64,
            problem: RowProblem::UnknownReference { what, key },
        }));
        rejects.sort_by_key(|r| r.line);
        let rejected = parsed.rejected + sql_rejects.duplicates_total as u64 + sql_rejects.unresolved_total as u64;
        let loaded = parsed.rows as i64 - rejected as i64;
        report.files.push(FileReport {
            entity,
            rows: parsed.rows,
            inserted: up.inserted,
            updated: up.updated,
            unchanged: loaded - up.inserted - up.updated,
            rejected,
            rejects,
            ignored_columns: parsed.ignored_columns,
        });
    }
    // A new catalog was loaded without its secondary indexes and foreign keys: they are built now, once.
    store::put_back(&mut tx, aside, &|statement: &str| progress.step(&rebuild_label(statement))).await?;
    tx.commit().await?;
    report.duration_ms = started.elapsed().as_millis();
    Ok(Ok(report))
}

/// "building index catalog_parts_search_idx", "checking foreign key catalog_fitment_part_id_fkey": the step a
/// statement of `store::put_back` is.
fn rebuild_label(statement: &str) -> String {
    let words: Vec<&str> = statement.split_whitespace().collect();
    match words.as_slice() {
        ["CREATE", "INDEX", name, ..] | ["CREATE", "UNIQUE", "INDEX", name, ..] => format!("building index {name}"),
        ["alter", "table", _, "add", "constraint", name, ..] => {
            format!("checking foreign key {}", name.trim_matches('"'))
        }
        _ => "building indexes".to_owned(),
    }
}

/// What reading one file found.
struct Parsed {
    /// Whether two rows' natural keys may be the same (their hashes are).
    maybe_repeats: bool,
    rows: u64,
    rejected: u64,
    rejects: Vec<Reject>,
    ignored_columns: Vec<String>,
}

/// A CSV record's fields by the entity's column names.
struct Record<'a> {
    record: &'a csv::StringRecord,
    index: &'a BTreeMap<&'static str, usize>,
}

impl Fields for Record<'_> {
    fn get(&self, column: &str) -> &str {
        self.index.get(column).and_then(|i| self.record.get(*i)).unwrap_or("")
    }
}

/// Counts bytes as the CSV reader pulls them, for the progress bar.
struct Counting<R> {
    inner: R,
    total: u64,
    reported: u64,
    progress: Arc<dyn Progress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total - self.reported > 1 << 20 || n == 0 {
            self.progress.read(self.total);
            self.reported = self.total;
        }
        Ok(n)
    }
}

const CHUNK_BYTES: usize = 1 << 20;

/// Reads one file, sending its valid rows as COPY text to `sender` and collecting the rejected ones.
fn parse_file(
    entity: Entity,
    path: &Path,
    sender: tokio::sync::mpsc::Sender<Vec<u8>>,
    progress: Arc<dyn Progress>,
) -> std::result::Result<Parsed, ImportError> {
    let file_name = entity.file_name();
    let unreadable = |e: std::io::Error| ImportError::Unreadable { file: file_name.clone(), message: e.to_string() };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut input = std::io::BufReader::new(Counting { inner: file, total: 0, reported: 0, progress });
    // A UTF-8 byte-order mark is not part of the first column's name.
    let mut head = Vec::new();
    (&mut input).take(3).read_to_end(&mut head).map_err(unreadable)?;
    let prefix: &[u8] = if head == [0xEF, 0xBB, 0xBF] { &[] } else { &head };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(prefix.chain(input));

    let malformed = |e: csv::Error| {
        let (line, message) = match e.kind() {
            csv::ErrorKind::Utf8 { pos, .. } => {
                (pos.as_ref().map_or(0, |p| p.line()), "not UTF-8 text (save the file as UTF-8)".to_owned())
            }
            csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
                (pos.as_ref().map_or(0, |p| p.line()), format!("{len} fields where the header has {expected_len}"))
            }
            _ => (0, e.to_string()),
        };
        let column = match e.kind() {
            csv::ErrorKind::Utf8 { err, .. } => Some(err.field() as u64 + 1),
            _ => None,
        };
        ImportError::Malformed { file: file_name.clone(), line, column, message }
    };

    let header = reader.headers().map_err(&malformed)?.clone();
    let mut index = BTreeMap::new();
    let mut ignored_columns = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().to_lowercase();
        match entity.columns().iter().find(|(c, _)| *c == name) {
            Some((c, _)) => {
                if index.insert(*c, i).is_some() {
                    return Err(ImportError::RepeatedColumn { file: file_name.clone(), column: name });
                }
            }
            None => ignored_columns.push(name),
        }
    }
    if let Some((missing, _)) = entity.columns().iter().find(|(c, required)| *required && !index.contains_key(c)) {
        return Err(ImportError::MissingColumn { file: file_name.clone(), column: (*missing).to_owned() });
    }

    let mut parsed = Parsed { rows: 0, rejected: 0, rejects: Vec::new(), ignored_columns, maybe_repeats: false };
    // The natural keys' hashes: when none repeats, no key does, and the database need not look for repeats.
    let mut seen: HashSet<u64> = HashSet::new();
    let mut chunk = Vec::with_capacity(CHUNK_BYTES + 4096);
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(&malformed)? {
        parsed.rows += 1;
        let line = record.position().map_or(parsed.rows + 1, |p| p.line());
        let fields = Record { record: &record, index: &index };
        match copy_line(entity, line, &fields, &mut chunk) {
            Ok(key) => parsed.maybe_repeats |= !seen.insert(key),
            Err(problem) => {
                parsed.rejected += 1;
                if parsed.rejects.len() < store::REJECTS_LISTED as usize {
                    parsed.rejects.push(Reject { line, problem });
                }
            }
        }
        if chunk.len() >= CHUNK_BYTES {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES + 4096));
            if sender.blocking_send(full).is_err() {
                // The database side stopped (its error is reported there).
                return Ok(parsed);
            }
        }
    }
    if !chunk.is_empty() {
        let _ = sender.blocking_send(chunk);
    }
    Ok(parsed)
}

/// Appends one COPY text line for a valid row and returns a hash of its natural key (the columns
/// `store::import::natural_key` names), or says why the row is rejected (appending nothing).
fn copy_line(entity: Entity, line: u64, f: &impl Fields, out: &mut Vec<u8>) -> std::result::Result<u64, RowProblem> {
    let mut row: Vec<Option<String>> = vec![Some(line.to_string())];
    match entity {
        Entity::Parts => {
            let r = rules::part_row(f)?;
            row.extend([
                Some(r.manufacturer.name),
                Some(r.manufacturer.key),
                Some(r.number.display().to_owned()),
                Some(r.number.key().to_owned()),
                Some(r.name),
                Some(r.group.join(rules::GROUP_SEPARATOR)),
                Some(r.description),
            ]);
        }
        Entity::Vehicles => {
            let r = rules::vehicle_row(f)?;
            row.extend([
                Some(r.code),
                Some(r.make),
                Some(r.model),
                Some(r.year_from.to_string()),
                Some(r.year_to.to_string()),
                Some(r.engine),
                r.displacement_dl.map(|d| format!("{}.{}", d / 10, d % 10)),
                r.fuel.map(|x| x.as_str().to_owned()),
            ]);
        }
        Entity::Fitment => {
            let r = rules::fitment_row(f)?;
            row.extend([
                Some(r.manufacturer.key),
                Some(r.number.key().to_owned()),
                Some(r.vehicle_code),
                Some(r.position),
                Some(r.notes),
            ]);
        }
        Entity::Aftermarket => {
            let r = rules::aftermarket_row(f)?;
            row.extend([
                Some(r.manufacturer.name),
                Some(r.manufacturer.key),
                Some(r.number.display().to_owned()),
                Some(r.number.key().to_owned()),
                Some(r.name),
                Some(r.tier.as_str().to_owned()),
                r.reference_price_cents.map(|c| format!("{}.{:02}", c / 100, c % 100)),
                Some(r.currency),
                Some(r.oem_manufacturer.key),
                Some(r.oem_number.key().to_owned()),
            ]);
        }
        Entity::CrossRefs => {
            let r = rules::cross_ref_row(f)?;
            row.extend([
                Some(r.oem_manufacturer.key),
                Some(r.oem_number.key().to_owned()),
                Some(r.number.display().to_owned()),
                Some(r.number.key().to_owned()),
                Some(r.source),
                Some(r.kind.as_str().to_owned()),
            ]);
        }
    }
    let key_columns: &[usize] = match entity {
        Entity::Parts => &[2, 4],
        Entity::Vehicles => &[1],
        Entity::Fitment => &[1, 2, 3, 4],
        Entity::Aftermarket => &[2, 4, 9, 10],
        Entity::CrossRefs => &[1, 2, 4, 5],
    };
    let mut hasher = std::hash::DefaultHasher::new();
    for i in key_columns {
        row[*i].hash(&mut hasher);
    }
    for (i, value) in row.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match value {
            None => out.extend_from_slice(b"\\N"),
            Some(v) => db::copy_field(v, out),
        }
    }
    out.push(b'\n');
    Ok(hasher.finish())
}

/// Whether the catalog holds no part yet (a first start seeds the demo catalog then).
pub async fn catalog_is_empty(pool: &PgPool) -> Result<bool> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let any =
        sqlx::query_scalar!(r#"select exists (select 1 from catalog_parts) as "any!""#).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(!any)
}
