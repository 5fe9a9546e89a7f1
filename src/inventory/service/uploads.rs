//! The upload flow a bodega (or its ERP) goes through: a file is received (its format told by its bytes, read as one
//! table, its mapping found: chosen, saved for these headers, adapted from similar ones, or suggested) and dry-run
//! when the mapping is complete; it may be read again with another sheet, header row or mapping; then committed in
//! one transaction (every valid row or none, the upload's record with it) or discarded. Also the history, an
//! upload's rejected rows as CSV (the file's own cells and the reason), progress, and the recovery of commits a
//! stopped server left behind.
//!
//! Every call checks the caller (`inventory:write`: a key with the scope, or a person whose role manages inventory)
//! before touching data, and runs in the caller's tenant.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta};
use crate::codes::{ErrorCode, check_text};
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::ids::{TenantId, UploadId};
use crate::inventory::rules::file::{FileProblem, Format, UploadLimits, detect_format};
use crate::inventory::rules::mapping::{self, Field};
use crate::inventory::rules::row::{Counts, Match, Problem};
use crate::inventory::rules::upload::{
    ALIKE_AT, HeaderChange, Mapping, MappingSource, Parsed, Phase, PreviewRow, ProgressView, REJECTS_SHOWN, ReadChoice,
    Reject, Repeat, UploadStatus, UploadSummary, UploadView, adapt_mapping, check_mapping, likeness, missing_fields,
};
use crate::inventory::store::uploads::{self as store, UploadRow};
use crate::paging::{self, At, Limit, Page};

use super::catalog_keys::CatalogKeys;
use super::table::{Layout, Source, check_cells, check_rows, layout, price_style};
use super::upload::{Options, Progress, Sink, run_rows};

/// The longest file name kept.
pub const FILE_NAME_MAX_CHARS: usize = 255;
/// Saved mappings compared with a header row none of them was made for.
const PROFILES_COMPARED: i64 = 20;
/// Uploads per history page.
pub const HISTORY_PAGE: Limit = Limit::fixed(50);

/// A file as it arrives, and what to do with it.
#[derive(Debug, Clone, Default)]
pub struct NewUpload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub choice: ReadChoice,
    /// Commit at once when the mapping is complete (an ERP's one call); else stop at the dry run.
    pub commit: bool,
    pub replace_location: bool,
    /// Commit even when the same file with the same mapping was committed before.
    pub allow_repeat: bool,
    /// Only record and read the file (its header, preview and mapping): the dry run is asked for next, by
    /// [`reread`], so that its progress can be followed by the upload's id.
    pub defer: bool,
}

/// How to commit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitOptions {
    pub replace_location: bool,
    pub allow_repeat: bool,
}

fn actor<'a>(caller: &'a Caller, meta: &'a RequestMeta) -> Actor<'a> {
    match caller {
        Caller::User(u) => Actor::of(u, meta),
        Caller::Machine(m) => Actor::machine(m, meta),
    }
}

/// The caller's tenant, once they may upload.
fn tenant_of(caller: &Caller) -> Result<TenantId> {
    caller.require(ApiScope::InventoryWrite)?;
    Ok(caller.tenant_id())
}

/// Opens a file's table on a blocking thread (a workbook is unpacked and parsed there).
async fn open(
    bytes: Arc<Vec<u8>>,
    format: Format,
    sheet: Option<String>,
) -> Result<std::result::Result<Source, FileProblem>> {
    tokio::task::spawn_blocking(move || Source::open_shared(bytes, format, sheet.as_deref(), None))
        .await
        .map_err(Error::internal)
}

/// Receives a file: checks it, records it with its file, reads it, and dry-runs it when the mapping is complete
/// (committing it too when asked). A file refused as a whole is a [`Error::Rejected`] and nothing is recorded.
pub async fn receive(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    limits: UploadLimits,
    new: NewUpload,
) -> Result<UploadView> {
    let tenant = tenant_of(caller)?;
    let started = Instant::now();
    let file_name = check_text("file_name", &new.file_name, true, FILE_NAME_MAX_CHARS)?;
    if new.bytes.len() as u64 > limits.max_bytes {
        return Err(Error::rejected(FileProblem::TooLarge { limit_bytes: limits.max_bytes }));
    }
    let format = detect_format(&new.bytes[..new.bytes.len().min(8192)]).map_err(Error::rejected)?;
    let sha256 = hex::encode(Sha256::digest(&new.bytes));
    let bytes = Arc::new(new.bytes);
    let source = open(bytes.clone(), format, new.choice.sheet.clone()).await?.map_err(Error::rejected)?;
    let source = Arc::new(source);
    let opened_ms = started.elapsed().as_millis();
    let layout = layout::<Field>(&source, new.choice.header_row).map_err(Error::rejected)?;

    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let found = choose_mapping(&mut tx, &layout.headers, new.choice.mapping.clone()).await?;
    let record = store::NewUpload {
        tenant,
        created_by: match caller {
            Caller::User(u) => Some(u.user_id),
            Caller::Machine(_) => None,
        },
        api_key_id: match caller {
            Caller::Machine(m) => Some(m.key_id),
            Caller::User(_) => None,
        },
        file_name: &file_name,
        file_size: bytes.len() as i64,
        sha256: &sha256,
        format: format.as_str(),
    };
    let id = store::insert(&mut tx, &record, &bytes).await?;
    tx.commit().await?;
    drop(bytes);
    let recorded_ms = started.elapsed().as_millis();

    let read = Read { id, tenant, sha256, source, layout, found, replace_location: new.replace_location };
    let commit =
        new.commit.then_some(CommitOptions { replace_location: new.replace_location, allow_repeat: new.allow_repeat });
    process(pool, caller, meta, read, Job { limits, commit, run: !new.defer, started }).await?;
    let processed_ms = started.elapsed().as_millis();
    let view = view(pool, tenant, id).await;
    // Where the time goes (cumulative milliseconds), for profiling (`RUST_LOG=nexus::inventory=debug`).
    tracing::debug!(opened_ms, recorded_ms, processed_ms, total_ms = started.elapsed().as_millis(), "upload received");
    view
}

/// Reads an open upload's file again with another sheet, header row or mapping, and dry-runs it.
pub async fn reread(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    limits: UploadLimits,
    id: UploadId,
    choice: ReadChoice,
) -> Result<UploadView> {
    let tenant = tenant_of(caller)?;
    let started = Instant::now();
    let (row, bytes) = open_upload(pool, tenant, id).await?;
    let format = Format::decode(&row.format)?;
    let source = open(Arc::new(bytes), format, choice.sheet.clone()).await?.map_err(Error::rejected)?;
    let layout = layout::<Field>(&source, choice.header_row).map_err(Error::rejected)?;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let found = choose_mapping(&mut tx, &layout.headers, choice.mapping).await?;
    tx.commit().await?;
    let read = Read {
        id,
        tenant,
        sha256: row.file_sha256,
        source: Arc::new(source),
        layout,
        found,
        replace_location: row.replace_location,
    };
    process(pool, caller, meta, read, Job { limits, commit: None, run: true, started }).await?;
    view(pool, tenant, id).await
}

/// Commits an upload that was dry-run: its file is read again as it was last read and written in one transaction.
pub async fn commit(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    limits: UploadLimits,
    id: UploadId,
    options: CommitOptions,
) -> Result<UploadView> {
    let tenant = tenant_of(caller)?;
    let started = Instant::now();
    let (row, bytes) = open_upload(pool, tenant, id).await?;
    let mapping: Mapping = stored(row.mapping.clone())?.unwrap_or_default();
    if row.status != UploadStatus::Previewed.as_str() || !missing_fields(&mapping).is_empty() {
        // Without a complete mapping there is nothing to commit yet.
        let field = missing_fields(&mapping).first().map_or("mapping", |f| f.as_str());
        return Err(Error::rejected(FileProblem::Mapping { field: field.to_owned() }));
    }
    if !options.allow_repeat {
        let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
        let m = row.mapping.clone().unwrap_or_default();
        if store::repeat_of(&mut tx, tenant, id, &row.file_sha256, row.sheet.as_deref(), &m).await?.is_some() {
            return Err(Error::Conflict(ErrorCode::UploadRepeated));
        }
    }
    let format = Format::decode(&row.format)?;
    let source = open(Arc::new(bytes), format, row.sheet.clone()).await?.map_err(Error::rejected)?;
    let header_row = row.header_row.map(|h| h as u64);
    let layout = layout::<Field>(&source, header_row).map_err(Error::rejected)?;
    let source_kind =
        row.mapping_source.as_deref().map(MappingSource::decode).transpose()?.unwrap_or(MappingSource::Chosen);
    let change: Option<HeaderChange> = stored(row.header_change.clone())?;
    let read = Read {
        id,
        tenant,
        sha256: row.file_sha256,
        source: Arc::new(source),
        layout,
        found: (mapping, source_kind, change),
        replace_location: options.replace_location,
    };
    process(pool, caller, meta, read, Job { limits, commit: Some(options), run: true, started }).await?;
    view(pool, tenant, id).await
}

/// Abandons an open upload: its file and rejects are forgotten; nothing was written.
pub async fn discard(pool: &PgPool, caller: &Caller, meta: &RequestMeta, id: UploadId) -> Result<()> {
    let tenant = tenant_of(caller)?;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let row = store::get(&mut tx, id, true).await?.ok_or(Error::NotFound)?;
    if !status_of(&row)?.is_open() {
        return Err(Error::Conflict(ErrorCode::UploadClosed));
    }
    store::set_status(&mut tx, id, UploadStatus::Discarded.as_str()).await?;
    store::delete_file(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &actor(caller, meta),
        Event::new("inventory.upload_discarded").target("inventory_upload", id).after(json!({"file": row.file_name})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One upload as the bodega sees it.
pub async fn get(pool: &PgPool, caller: &Caller, id: UploadId) -> Result<UploadView> {
    let tenant = tenant_of(caller)?;
    view(pool, tenant, id).await
}

/// How far the processing of an upload has got (none once it is done, or before it starts).
pub async fn progress(pool: &PgPool, caller: &Caller, id: UploadId) -> Result<Option<ProgressView>> {
    let tenant = tenant_of(caller)?;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let p = store::progress(&mut tx, id).await?;
    p.map(|(phase, rows, fraction)| {
        Ok(ProgressView { phase: Phase::decode(&phase)?, rows_read: rows.max(0) as u64, fraction })
    })
    .transpose()
}

/// A history page: the bodega's uploads, newest first, from `after` (the previous page's `next`) on.
pub async fn history(pool: &PgPool, caller: &Caller, after: Option<&str>) -> Result<Page<UploadSummary>> {
    let tenant = tenant_of(caller)?;
    let after = paging::after::<At<UploadId>>(after, ())?;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::history(&mut tx, tenant, after.map(|a| (a.at, a.id)), HISTORY_PAGE.fetch()).await?;
    tx.commit().await?;
    Page::cut(rows, HISTORY_PAGE, |r| At::new(r.created_at, r.id)).try_map(|r| {
        Ok(UploadSummary {
            id: r.id,
            format: Format::decode(&r.format)?,
            status: status_of(&r)?,
            counts: counts_of(&r),
            problem: stored(r.problem_detail.clone())?,
            file_name: r.file_name,
            created_by: r.created_by,
            created_at: r.created_at,
            finished_at: r.finished_at,
            duration_ms: r.duration_ms.map(i64::from),
        })
    })
}

/// An upload's rejected rows as CSV: the file's header and each rejected row's cells as the file had them, then
/// the reason (`reason` writes it in the reader's language); every cell formula-safe. Without the file (no longer
/// kept), the line and reason only.
pub async fn rejects_csv(
    pool: &PgPool,
    caller: &Caller,
    id: UploadId,
    line_title: &str,
    reason_title: &str,
    reason: impl Fn(&Problem) -> String,
) -> Result<Vec<u8>> {
    let tenant = tenant_of(caller)?;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let row = store::get(&mut tx, id, false).await?.ok_or(Error::NotFound)?;
    let mut rejects: Vec<(u64, Problem)> = Vec::new();
    let mut after = 0i64;
    loop {
        let page = store::rejects(&mut tx, id, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = i64::from(last.0);
        for (line, problem) in page {
            let problem: Problem = serde_json::from_value(problem).map_err(Error::internal)?;
            rejects.push((line as u64, problem));
        }
    }
    let bytes = store::file(&mut tx, id).await?;
    drop(tx);
    let format = Format::decode(&row.format)?;
    let source = match bytes {
        Some(b) => open(Arc::new(b), format, row.sheet.clone()).await?.ok(),
        None => None,
    };
    let line_title = line_title.to_owned();
    let reason_title = reason_title.to_owned();
    let reasons: Vec<String> = rejects.iter().map(|(_, p)| reason(p)).collect();
    tokio::task::spawn_blocking(move || {
        let mut out = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        let safe = |c: &str| crate::csv_safe::neutralize(c).into_owned();
        let mut header: Vec<String> = vec![line_title];
        header.extend(row.headers.iter().map(|h| safe(h)));
        header.push(reason_title);
        out.write_record(&header).map_err(Error::internal)?;
        let mut cells_of = std::collections::HashMap::new();
        if let Some(source) = &source {
            let mut wanted = rejects.iter().map(|(l, _)| *l).peekable();
            for line in source.lines() {
                let Ok((l, cells)) = line else { break };
                while wanted.peek().is_some_and(|w| *w < l) {
                    wanted.next();
                }
                match wanted.peek() {
                    Some(w) if *w == l => {
                        cells_of.insert(l, cells);
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        }
        for ((line, _), reason) in rejects.iter().zip(reasons) {
            let mut record = vec![line.to_string()];
            let cells = cells_of.remove(line).unwrap_or_default();
            let width = row.headers.len().max(cells.len());
            record.extend((0..width).map(|i| safe(cells.get(i).map_or("", String::as_str))));
            record.push(safe(&reason));
            out.write_record(&record).map_err(Error::internal)?;
        }
        out.into_inner().map_err(Error::internal)
    })
    .await
    .map_err(Error::internal)?
}

/// Marks commits a stopped server left behind as failed (at start, and from time to time): nothing of them was
/// written. Platform-wide.
pub async fn fail_interrupted(pool: &PgPool) -> Result<u64> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let n = store::fail_interrupted(&mut tx).await?;
    tx.commit().await?;
    if n > 0 {
        tracing::warn!(uploads = n, "inventory uploads interrupted by a stop were marked failed");
    }
    Ok(n)
}

/// An open upload and its file.
async fn open_upload(pool: &PgPool, tenant: TenantId, id: UploadId) -> Result<(UploadRow, Vec<u8>)> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let row = store::get(&mut tx, id, false).await?.ok_or(Error::NotFound)?;
    if !status_of(&row)?.is_open() {
        return Err(Error::Conflict(ErrorCode::UploadClosed));
    }
    let bytes = store::file(&mut tx, id).await?.ok_or(Error::Conflict(ErrorCode::UploadClosed))?;
    Ok((row, bytes))
}

/// A mapping and where it came from (with the header change of an adapted one).
type Found = (Mapping, MappingSource, Option<HeaderChange>);

/// The mapping for a header row: the chosen one (checked against the headers); else the saved one for these very
/// headers; else the saved one of the most alike header row, carried over by header name (fields whose column was
/// renamed suggested afresh); else the suggestion.
async fn choose_mapping(tx: &mut db::Tx, headers: &[String], chosen: Option<Mapping>) -> Result<Found> {
    if let Some(m) = chosen {
        check_mapping(&m, headers.len()).map_err(Error::rejected)?;
        return Ok((m, MappingSource::Chosen, None));
    }
    let fingerprint = mapping::fingerprint(headers);
    if let Some(p) = store::profile(tx, &fingerprint).await?
        && let Ok(m) = serde_json::from_value::<Mapping>(p.mapping)
        && check_mapping(&m, headers.len()).is_ok()
    {
        return Ok((m, MappingSource::Saved, None));
    }
    let mut best: Option<(f64, store::ProfileRow)> = None;
    for p in store::recent_profiles(tx, PROFILES_COMPARED).await? {
        let l = likeness(&p.headers, headers);
        if l >= ALIKE_AT && best.as_ref().is_none_or(|(b, _)| l > *b) {
            best = Some((l, p));
        }
    }
    if let Some((_, p)) = best
        && let Ok(saved) = serde_json::from_value::<Mapping>(p.mapping)
    {
        let mut adapted = adapt_mapping(&p.headers, &saved, headers);
        // A field whose column was renamed is suggested afresh, on a column the saved mapping does not use.
        for (field, column) in mapping::suggest::<Field>(headers) {
            if !adapted.contains_key(&field) && !adapted.values().any(|c| *c == column) {
                adapted.insert(field, column);
            }
        }
        if !adapted.is_empty() {
            let (added, removed) = mapping::header_difference(&p.headers, headers);
            return Ok((adapted, MappingSource::Adapted, Some(HeaderChange { added, removed })));
        }
    }
    Ok((mapping::suggest::<Field>(headers).into_iter().collect(), MappingSource::Suggested, None))
}

/// A file read: its table, its layout and the mapping found for it.
struct Read {
    id: UploadId,
    tenant: TenantId,
    sha256: String,
    source: Arc<Source>,
    layout: Layout,
    found: Found,
    replace_location: bool,
}

/// What to do with a file read: its limits, whether to dry-run it now (`run`) and commit it, and when the work began.
struct Job {
    limits: UploadLimits,
    commit: Option<CommitOptions>,
    run: bool,
    started: Instant,
}

/// Reports progress while `work` runs: what `run_rows` sends is written every quarter second on connections of
/// its own, and removed at the end.
struct Reporter {
    sender: watch::Sender<Progress>,
    task: tokio::task::JoinHandle<()>,
}

impl Reporter {
    fn start(pool: &PgPool, tenant: TenantId, id: UploadId) -> Reporter {
        let (sender, mut receiver) = watch::channel::<Progress>((Phase::Reading, 0, 0.0));
        let pool = pool.clone();
        let task = tokio::spawn(async move {
            while receiver.changed().await.is_ok() {
                let (phase, rows, fraction) = *receiver.borrow_and_update();
                if let Err(e) = store::write_progress(&pool, tenant, id, phase.as_str(), rows as i64, fraction).await {
                    tracing::debug!(error = %e, "upload progress not written");
                }
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        });
        Reporter { sender, task }
    }

    async fn finish(self, pool: &PgPool, tenant: TenantId, id: UploadId) {
        drop(self.sender);
        let _ = self.task.await;
        if let Err(e) = store::clear_progress(pool, tenant, id).await {
            tracing::debug!(error = %e, "upload progress not cleared");
        }
    }
}

/// The preview rows as understood under `mapping`, their numbers matched against the catalog's `keys` (as the dry
/// run matches them: unknown and ambiguous numbers are rejected there too; which brands share an ambiguous one is
/// the dry run's to say).
fn preview_rows(source: &Source, layout: &Layout, mapping: &Mapping, keys: Option<&CatalogKeys>) -> Vec<PreviewRow> {
    let complete = missing_fields(mapping).is_empty();
    let columns: Vec<(Field, usize)> = mapping.iter().map(|(f, c)| (*f, *c)).collect();
    let style = price_style(source, layout.header_line, mapping.get(&Field::Price).copied());
    layout
        .preview
        .iter()
        .map(|(line, cells)| PreviewRow {
            line: *line,
            cells: cells.clone(),
            parsed: complete.then(|| match check_cells(cells, &columns, style) {
                // One lookup per row: what the catalog has under the row's number.
                Ok(r) => match keys.map(|k| k.find(r.number.key())) {
                    Some(Match::Unknown) => {
                        Parsed::Rejected { problem: Problem::UnknownPart { number: r.number.display().to_owned() } }
                    }
                    Some(Match::Ambiguous(_)) => Parsed::Rejected {
                        problem: Problem::AmbiguousPart {
                            number: r.number.display().to_owned(),
                            brands: String::new(),
                        },
                    },
                    _ => Parsed::Valid {
                        key: r.number.key().to_owned(),
                        price_cents: r.price_cents,
                        stock: r.stock,
                        location: r.location,
                        min_order_qty: r.min_order_qty,
                    },
                },
                Err(problem) => Parsed::Rejected { problem },
            }),
        })
        .collect()
}

/// Records what a read found and, with a complete mapping, dry-runs the file (and commits it when `commit` says
/// so), all in one transaction with the upload's record. A file refused while its rows are read fails the upload
/// (recorded) and is an [`Error::Rejected`].
/// Counts a run's rows in the metrics (`nexus_upload_rows_total{mode}`).
fn counted(c: Counts, committed: bool) -> Counts {
    let mode = if committed { "commit" } else { "dry_run" };
    metrics::counter!("nexus_upload_rows_total", "mode" => mode).increment(u64::try_from(c.rows).unwrap_or(0));
    c
}

async fn process(pool: &PgPool, caller: &Caller, meta: &RequestMeta, read: Read, job: Job) -> Result<()> {
    let Job { limits, commit, run, started } = job;
    let Read { id, tenant, sha256, source, layout, found: (mapping, mapping_source, change), replace_location } = read;
    let replace_location = commit.map_or(replace_location, |c| c.replace_location);
    let mapping_json = serde_json::to_value(&mapping).map_err(Error::internal)?;
    let (sheets, sheet) = match source.as_ref() {
        Source::Sheet { sheets, sheet, .. } => (sheets.clone(), Some(sheet.clone())),
        Source::Text(_) => (Vec::new(), None),
    };
    let encoding = source.encoding().map(|e| e.label());
    let delimiter = source.delimiter().map(delimiter_name);
    let complete = missing_fields(&mapping).is_empty();
    let commit = commit.filter(|_| run);

    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    // The preview says what the dry run will: a row whose number the catalog does not know is not shown as good.
    let keys = if complete { Some(super::catalog_keys::current(&mut tx).await?) } else { None };
    let preview =
        serde_json::to_value(preview_rows(&source, &layout, &mapping, keys.as_deref())).map_err(Error::internal)?;
    let row = store::get(&mut tx, id, false).await?.ok_or(Error::NotFound)?;
    if !status_of(&row)?.is_open() {
        return Err(Error::Conflict(ErrorCode::UploadClosed));
    }
    // A commit that cannot go ahead (another commit of the bodega runs; the same file and mapping were committed
    // before and the caller did not say to repeat it) is recorded as a dry run, then refused with its reason.
    let mut blocked = None;
    if let Some(c) = commit.filter(|_| complete) {
        if !store::try_commit_lock(&mut tx, tenant).await? {
            blocked = Some(ErrorCode::UploadBusy);
        } else if !c.allow_repeat
            && store::repeat_of(&mut tx, tenant, id, &sha256, sheet.as_deref(), &mapping_json).await?.is_some()
        {
            blocked = Some(ErrorCode::UploadRepeated);
        }
    }
    let commit = commit.filter(|_| complete && blocked.is_none());
    if commit.is_some() {
        // "Committing" is visible to everyone at once (its own short transaction): a server that stops now leaves
        // it so, and the recovery marks it failed once this bodega's commit lock is free.
        let mut mark = db::begin(pool, Scope::Tenant(tenant)).await?;
        if !store::mark_committing(&mut mark, id).await? {
            return Err(Error::Conflict(ErrorCode::UploadClosed));
        }
        mark.commit().await?;
    }
    // The row is held from here to the end (a second read or commit of it waits).
    let row = store::get(&mut tx, id, true).await?.ok_or(Error::NotFound)?;
    let expected = if commit.is_some() { UploadStatus::Committing } else { status_of(&row)? };
    if status_of(&row)? != expected || !(expected.is_open() || commit.is_some()) {
        return Err(Error::Conflict(ErrorCode::UploadClosed));
    }

    let mut counts = None;
    if complete && run {
        let reporter = Reporter::start(pool, tenant, id);
        let columns: Vec<(Field, usize)> = mapping.iter().map(|(f, c)| (*f, *c)).collect();
        let header_line = layout.header_line;
        let max_rows = limits.max_rows;
        let last_line = source.last_line();
        let rows_source = source.clone();
        let produce = move |sink: Sink<'_>| {
            check_rows(&rows_source, header_line, &columns, max_rows, |line, row, _| sink(line, row)).map(|_| ())
        };
        let options = Options { replace_location, commit: commit.is_some() };
        let ran = run_rows(&mut tx, tenant, id, produce, options, last_line, Some(reporter.sender.clone())).await;
        reporter.finish(pool, tenant, id).await;
        match ran {
            Ok(Ok(c)) => counts = Some(counted(c, commit.is_some())),
            Ok(Err(problem)) => {
                // Rolled back before anything else touches the upload: a dropped transaction only queues its
                // rollback, and its row and commit locks would linger.
                tx.rollback().await?;
                fail(pool, tenant, id, &problem, started).await?;
                return Err(Error::rejected(problem));
            }
            Err(e) => {
                tx.rollback().await?;
                if commit.is_some() {
                    // Nothing was written; the upload may be tried again.
                    let mut back = db::begin(pool, Scope::Tenant(tenant)).await?;
                    store::set_status(&mut back, id, UploadStatus::Previewed.as_str()).await?;
                    back.commit().await?;
                }
                return Err(e);
            }
        }
    }
    let committed = commit.is_some() && counts.is_some();
    let status = match (counts.is_some(), committed) {
        (_, true) => UploadStatus::Committed,
        (true, false) => UploadStatus::Previewed,
        (false, _) => UploadStatus::Received,
    };
    let elapsed = started.elapsed().as_millis() as i64;
    let header_change = change.map(serde_json::to_value).transpose().map_err(Error::internal)?;
    store::record_read(
        &mut tx,
        id,
        &store::ReadRecord {
            status: status.as_str(),
            sheet: sheet.as_deref(),
            sheets: &sheets,
            header_row: i32::try_from(layout.header_line).unwrap_or(i32::MAX),
            headers: &layout.headers,
            preview,
            encoding,
            delimiter,
            mapping: mapping_json.clone(),
            mapping_source: mapping_source.as_str(),
            header_change,
            replace_location,
            counts: counts
                .map(|c| [c.rows, c.new_items, c.price_changes, c.stock_changes, c.unchanged, c.rejected, c.zeroed]),
            finished: committed,
            duration_ms: Some(elapsed),
        },
    )
    .await?;
    if committed {
        let fingerprint = mapping::fingerprint(&layout.headers);
        let header_row = i32::try_from(layout.header_line).unwrap_or(i32::MAX);
        store::save_profile(
            &mut tx,
            tenant,
            &fingerprint,
            &layout.headers,
            &mapping_json,
            sheet.as_deref(),
            header_row,
        )
        .await?;
        let c = counts.unwrap_or_default();
        audit::record(
            &mut tx,
            &actor(caller, meta),
            Event::new("inventory.upload_committed").target("inventory_upload", id).after(json!({
                "rows": c.rows, "new_items": c.new_items, "price_changes": c.price_changes,
                "stock_changes": c.stock_changes, "unchanged": c.unchanged, "rejected": c.rejected,
                "zeroed": c.zeroed, "replace_location": replace_location,
            })),
        )
        .await?;
    }
    tx.commit().await?;
    match blocked {
        Some(code) => Err(Error::Conflict(code)),
        None => Ok(()),
    }
}

/// Fails an upload whose file was refused while its rows were read.
async fn fail(pool: &PgPool, tenant: TenantId, id: UploadId, problem: &FileProblem, started: Instant) -> Result<()> {
    let detail = serde_json::to_value(problem).map_err(Error::internal)?;
    let code = detail.get("problem").and_then(Value::as_str).unwrap_or("refused").to_owned();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    store::fail(&mut tx, id, &code, detail, started.elapsed().as_millis() as i64).await?;
    tx.commit().await?;
    Ok(())
}

pub fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => ",",
        b';' => ";",
        b'\t' => "tab",
        b'|' => "|",
        _ => "?",
    }
}

/// A JSON column this service wrote: none when NULL; one that no longer reads as its type is an error, never a
/// default in its place.
fn stored<T: serde::de::DeserializeOwned>(value: Option<serde_json::Value>) -> Result<Option<T>> {
    value.map(|v| serde_json::from_value(v).map_err(Error::internal)).transpose()
}

fn status_of(row: &UploadRow) -> Result<UploadStatus> {
    Ok(UploadStatus::decode(&row.status)?)
}

fn counts_of(r: &UploadRow) -> Option<Counts> {
    let n = |v: Option<i32>| i64::from(v.unwrap_or(0));
    r.rows_total.map(|rows| Counts {
        rows: i64::from(rows),
        new_items: n(r.new_items),
        price_changes: n(r.price_changes),
        stock_changes: n(r.stock_changes),
        unchanged: n(r.unchanged),
        rejected: n(r.rejected),
        zeroed: n(r.zeroed),
    })
}

/// An upload as stored, with its first rejects and whether the same file was committed before.
async fn view(pool: &PgPool, tenant: TenantId, id: UploadId) -> Result<UploadView> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let r = store::get(&mut tx, id, false).await?.ok_or(Error::NotFound)?;
    let rejects = store::rejects(&mut tx, id, 0, REJECTS_SHOWN as i64)
        .await?
        .into_iter()
        .map(|(line, p)| Ok(Reject { line: line as u64, problem: serde_json::from_value(p).map_err(Error::internal)? }))
        .collect::<Result<Vec<_>>>()?;
    let mapping: Mapping = stored(r.mapping.clone())?.unwrap_or_default();
    let status = status_of(&r)?;
    let repeat_of = match (&r.mapping, status) {
        (Some(m), UploadStatus::Received | UploadStatus::Previewed) => {
            store::repeat_of(&mut tx, tenant, id, &r.file_sha256, r.sheet.as_deref(), m).await?
        }
        _ => None,
    };
    Ok(UploadView {
        id: r.id,
        file_size: r.file_size.max(0) as u64,
        format: Format::decode(&r.format)?,
        status,
        sheets: r.sheets.clone(),
        sheet: r.sheet.clone(),
        encoding: r.encoding.clone(),
        delimiter: r.delimiter.clone(),
        header_row: r.header_row.map_or(0, |h| h.max(0) as u64),
        headers: r.headers.clone(),
        preview: serde_json::from_value(r.preview.clone()).map_err(Error::internal)?,
        missing_fields: missing_fields(&mapping),
        mapping,
        mapping_source: r
            .mapping_source
            .as_deref()
            .map(MappingSource::decode)
            .transpose()?
            .unwrap_or(MappingSource::Suggested),
        header_change: stored(r.header_change.clone())?,
        replace_location: r.replace_location,
        counts: counts_of(&r),
        rejects,
        problem: stored(r.problem_detail.clone())?,
        repeat_of: repeat_of.map(|(upload_id, committed_at)| Repeat { upload_id, committed_at }),
        created_by: r.created_by,
        created_at: r.created_at,
        finished_at: r.finished_at,
        duration_ms: r.duration_ms.map(i64::from),
        file_name: r.file_name,
    })
}
