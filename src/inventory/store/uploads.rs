//! Upload records: the upload itself (what its file is, how it was read, its counts and how it ended), its file while
//! it is kept, its rejected rows, its progress, and the bodega's saved mappings. Every statement runs in the
//! tenant's transaction (row-level security); the history is read through `inventory_uploads_history_idx`, a
//! repeated file found through `inventory_uploads_sha_idx`, profiles through their primary key and
//! `inventory_profiles_recent_idx`.
//!
//! Written with unchecked `sqlx::query_as` into `FromRow` types: the flow's statements are exercised by the area's
//! store and HTTP tests against a real database.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::db::{PgPool, Tx};
use crate::ids::{TenantId, UploadId, UserId};

/// What is recorded when a file is received.
pub(in crate::inventory) struct NewUpload<'a> {
    pub tenant: TenantId,
    pub created_by: Option<UserId>,
    pub api_key_id: Option<Uuid>,
    pub file_name: &'a str,
    pub file_size: i64,
    pub sha256: &'a str,
    pub format: &'a str,
}

pub(in crate::inventory) async fn insert(
    tx: &mut Tx,
    u: &NewUpload<'_>,
    bytes: &[u8],
) -> Result<UploadId, sqlx::Error> {
    let id: UploadId = sqlx::query_scalar(
        "insert into inventory_uploads (tenant_id, created_by, api_key_id, file_name, file_size, file_sha256, format)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(u.tenant)
    .bind(u.created_by)
    .bind(u.api_key_id)
    .bind(u.file_name)
    .bind(u.file_size)
    .bind(u.sha256)
    .bind(u.format)
    .fetch_one(&mut **tx)
    .await?;
    // In parts: a statement's parameters are copied whole into the message that carries them, so a 50 MB file in
    // one parameter would sit in memory twice more while it is sent.
    for (part, chunk) in bytes.chunks(FILE_PART_BYTES).enumerate() {
        sqlx::query("insert into inventory_upload_files (tenant_id, upload_id, part, bytes) values ($1, $2, $3, $4)")
            .bind(u.tenant)
            .bind(id)
            .bind(part as i32)
            .bind(chunk)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

/// The size of the parts a file is stored in.
const FILE_PART_BYTES: usize = 1 << 20;

/// An upload as stored.
#[derive(Debug, sqlx::FromRow)]
pub(in crate::inventory) struct UploadRow {
    pub id: UploadId,
    pub file_name: String,
    pub file_size: i64,
    pub file_sha256: String,
    pub format: String,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub header_row: Option<i32>,
    pub headers: Vec<String>,
    pub preview: Value,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub mapping: Option<Value>,
    pub mapping_source: Option<String>,
    pub header_change: Option<Value>,
    pub replace_location: bool,
    pub status: String,
    pub rows_total: Option<i32>,
    pub new_items: Option<i32>,
    pub price_changes: Option<i32>,
    pub stock_changes: Option<i32>,
    pub unchanged: Option<i32>,
    pub rejected: Option<i32>,
    pub zeroed: Option<i32>,
    pub problem_detail: Option<Value>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i32>,
}

/// Who made an upload: the person's name, or the API key's.
const WHO: &str = "coalesce((select display_name from users where users.id = u.created_by),
                            (select name from api_keys where api_keys.id = u.api_key_id)) as created_by";

const COLUMNS: &str = "u.id, u.file_name, u.file_size, u.file_sha256, u.format, u.sheet, u.sheets,
     u.header_row, u.headers, u.preview, u.encoding, u.delimiter, u.mapping, u.mapping_source, u.header_change,
     u.replace_location, u.status, u.rows_total, u.new_items, u.price_changes, u.stock_changes, u.unchanged,
     u.rejected, u.zeroed, u.problem_detail, u.created_at, u.finished_at, u.duration_ms";

/// One upload; `lock` holds its row until the transaction ends (a commit, a discard, a new read).
pub(in crate::inventory) async fn get(tx: &mut Tx, id: UploadId, lock: bool) -> Result<Option<UploadRow>, sqlx::Error> {
    let sql = format!(
        "select {COLUMNS}, {WHO} from inventory_uploads u where u.id = $1{}",
        if lock { " for no key update of u" } else { "" }
    );
    sqlx::query_as(&sql).bind(id).fetch_optional(&mut **tx).await
}

/// The bodega's uploads, newest first, before the keyset `(created_at, id)` when given.
pub(in crate::inventory) async fn history(
    tx: &mut Tx,
    tenant: TenantId,
    before: Option<(DateTime<Utc>, UploadId)>,
    limit: i64,
) -> Result<Vec<UploadRow>, sqlx::Error> {
    let sql = format!(
        "select {COLUMNS}, {WHO} from inventory_uploads u
         where u.tenant_id = $1 and ($2::timestamptz is null or (u.created_at, u.id) < ($2, $3))
         order by u.created_at desc, u.id desc limit $4"
    );
    sqlx::query_as(&sql)
        .bind(tenant)
        .bind(before.map(|b| b.0))
        .bind(before.map(|b| b.1))
        .bind(limit)
        .fetch_all(&mut **tx)
        .await
}

/// The file of an upload, while it is kept.
pub(in crate::inventory) async fn file(tx: &mut Tx, id: UploadId) -> Result<Option<Vec<u8>>, sqlx::Error> {
    // Part by part, into one buffer (a result set of every part would hold the file twice).
    let mut file: Option<Vec<u8>> = None;
    for part in 0i32.. {
        let chunk: Option<Vec<u8>> =
            sqlx::query_scalar("select bytes from inventory_upload_files where upload_id = $1 and part = $2")
                .bind(id)
                .bind(part)
                .fetch_optional(&mut **tx)
                .await?;
        match chunk {
            Some(chunk) => file.get_or_insert_with(Vec::new).extend_from_slice(&chunk),
            None => break,
        }
    }
    Ok(file)
}

pub(in crate::inventory) async fn delete_file(tx: &mut Tx, id: UploadId) -> Result<(), sqlx::Error> {
    sqlx::query("delete from inventory_upload_files where upload_id = $1").bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// How a read of the file went: what was found and chosen, and the dry run's counts when there was one.
pub(in crate::inventory) struct ReadRecord<'a> {
    pub status: &'a str,
    pub sheet: Option<&'a str>,
    pub sheets: &'a [String],
    pub header_row: i32,
    pub headers: &'a [String],
    pub preview: Value,
    pub encoding: Option<&'a str>,
    pub delimiter: Option<&'a str>,
    pub mapping: Value,
    pub mapping_source: &'a str,
    pub header_change: Option<Value>,
    pub replace_location: bool,
    /// rows, new, price changes, stock changes, unchanged, rejected, zeroed.
    pub counts: Option<[i64; 7]>,
    pub finished: bool,
    pub duration_ms: Option<i64>,
}

pub(in crate::inventory) async fn record_read(
    tx: &mut Tx,
    id: UploadId,
    r: &ReadRecord<'_>,
) -> Result<(), sqlx::Error> {
    let c = r.counts.map(|c| c.map(|n| i32::try_from(n).unwrap_or(i32::MAX)));
    sqlx::query(
        "update inventory_uploads set status = $2, sheet = $3, sheets = $4, header_row = $5, headers = $6, preview = $7,
             encoding = $8, delimiter = $9, mapping = $10, mapping_source = $11, header_change = $12,
             replace_location = $13, rows_total = $14, new_items = $15, price_changes = $16, stock_changes = $17,
             unchanged = $18, rejected = $19, zeroed = $20, problem = null, problem_detail = null,
             finished_at = case when $21 then now() end, duration_ms = $22
         where id = $1",
    )
    .bind(id)
    .bind(r.status)
    .bind(r.sheet)
    .bind(r.sheets)
    .bind(r.header_row)
    .bind(r.headers)
    .bind(&r.preview)
    .bind(r.encoding)
    .bind(r.delimiter)
    .bind(&r.mapping)
    .bind(r.mapping_source)
    .bind(&r.header_change)
    .bind(r.replace_location)
    .bind(c.map(|c| c[0]))
    .bind(c.map(|c| c[1]))
    .bind(c.map(|c| c[2]))
    .bind(c.map(|c| c[3]))
    .bind(c.map(|c| c[4]))
    .bind(c.map(|c| c[5]))
    .bind(c.map(|c| c[6]))
    .bind(r.finished)
    .bind(r.duration_ms.map(|d| i32::try_from(d).unwrap_or(i32::MAX)))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks an open upload as being committed; false when it is no longer open.
pub(in crate::inventory) async fn mark_committing(tx: &mut Tx, id: UploadId) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "update inventory_uploads set status = 'committing' where id = $1 and status in ('received', 'previewed')",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub(in crate::inventory) async fn set_status(tx: &mut Tx, id: UploadId, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query("update inventory_uploads set status = $2 where id = $1")
        .bind(id)
        .bind(status)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks an upload failed (its file refused while it was checked or written, or interrupted), and forgets its
/// file and rejects: nothing of it was written.
pub(in crate::inventory) async fn fail(
    tx: &mut Tx,
    id: UploadId,
    code: &str,
    detail: Value,
    duration_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update inventory_uploads set status = 'failed', problem = $2, problem_detail = $3, finished_at = now(),
             duration_ms = $4
         where id = $1",
    )
    .bind(id)
    .bind(code)
    .bind(detail)
    .bind(i32::try_from(duration_ms).unwrap_or(i32::MAX))
    .execute(&mut **tx)
    .await?;
    sqlx::query("delete from inventory_upload_rejects where upload_id = $1").bind(id).execute(&mut **tx).await?;
    delete_file(tx, id).await
}

/// Commits left "committing" whose bodega has no commit running (its transaction-scoped lock is free): the server
/// that ran them stopped. They failed; nothing of them was written (their transaction never committed). A commit
/// that ends between the two steps frees its lock as it sets its own status: the status is checked again on the row
/// as it is then (so a commit that just succeeded is never marked failed).
pub(in crate::inventory) async fn fail_interrupted(tx: &mut Tx) -> Result<u64, sqlx::Error> {
    let r = sqlx::query(
        "with stuck as (select tenant_id, id from inventory_uploads where status = 'committing'),
              free as (select tenant_id, id from stuck where pg_try_advisory_xact_lock(
                           hashtextextended('nexus.inventory.commit:' || tenant_id::text, 0)))
         update inventory_uploads u
         set status = 'failed', problem = 'interrupted', problem_detail = '{\"problem\": \"interrupted\"}',
             finished_at = now()
         from free where u.tenant_id = free.tenant_id and u.id = free.id and u.status = 'committing'",
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// Takes the bodega's commit lock for the transaction, if no other commit of the bodega holds it.
pub(in crate::inventory) async fn try_commit_lock(tx: &mut Tx, tenant: TenantId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select pg_try_advisory_xact_lock(hashtextextended('nexus.inventory.commit:' || $1::text, 0))")
        .bind(tenant)
        .fetch_one(&mut **tx)
        .await
}

/// The first rejected rows of an upload (line and reason, as JSON), from `after_line` on.
pub(in crate::inventory) async fn rejects(
    tx: &mut Tx,
    id: UploadId,
    after_line: i64,
    limit: i64,
) -> Result<Vec<(i32, Value)>, sqlx::Error> {
    sqlx::query_as(
        "select line, problem from inventory_upload_rejects where upload_id = $1 and line > $2 order by line limit $3",
    )
    .bind(id)
    .bind(after_line)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// An earlier committed upload of the same file with the same mapping.
pub(in crate::inventory) async fn repeat_of(
    tx: &mut Tx,
    tenant: TenantId,
    id: UploadId,
    sha256: &str,
    sheet: Option<&str>,
    mapping: &Value,
) -> Result<Option<(UploadId, DateTime<Utc>)>, sqlx::Error> {
    sqlx::query_as(
        "select id, finished_at from inventory_uploads
         where tenant_id = $1 and file_sha256 = $3 and status = 'committed' and id <> $2
           and sheet is not distinct from $4 and mapping = $5
         order by finished_at desc limit 1",
    )
    .bind(tenant)
    .bind(id)
    .bind(sha256)
    .bind(sheet)
    .bind(mapping)
    .fetch_optional(&mut **tx)
    .await
}

/// A saved mapping: the headers it was made for and the columns of each field.
#[derive(Debug, sqlx::FromRow)]
pub(in crate::inventory) struct ProfileRow {
    pub headers: Vec<String>,
    pub mapping: Value,
}

pub(in crate::inventory) async fn profile(tx: &mut Tx, fingerprint: &str) -> Result<Option<ProfileRow>, sqlx::Error> {
    sqlx::query_as("select headers, mapping from inventory_profiles where fingerprint = $1")
        .bind(fingerprint)
        .fetch_optional(&mut **tx)
        .await
}

/// The bodega's most recently used mappings.
pub(in crate::inventory) async fn recent_profiles(tx: &mut Tx, limit: i64) -> Result<Vec<ProfileRow>, sqlx::Error> {
    sqlx::query_as("select headers, mapping from inventory_profiles order by updated_at desc limit $1")
        .bind(limit)
        .fetch_all(&mut **tx)
        .await
}

pub(in crate::inventory) async fn save_profile(
    tx: &mut Tx,
    tenant: TenantId,
    fingerprint: &str,
    headers: &[String],
    mapping: &Value,
    sheet: Option<&str>,
    header_row: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into inventory_profiles (tenant_id, fingerprint, headers, mapping, sheet, header_row)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (tenant_id, fingerprint) do update
             set headers = excluded.headers, mapping = excluded.mapping, sheet = excluded.sheet,
                 header_row = excluded.header_row, updated_at = now()",
    )
    .bind(tenant)
    .bind(fingerprint)
    .bind(headers)
    .bind(mapping)
    .bind(sheet)
    .bind(header_row)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records progress, on a connection of its own (never the upload's transaction).
pub(in crate::inventory) async fn write_progress(
    pool: &PgPool,
    tenant: TenantId,
    id: UploadId,
    phase: &str,
    rows: i64,
    fraction: f32,
) -> Result<(), sqlx::Error> {
    let mut tx = crate::db::begin(pool, crate::db::Scope::Tenant(tenant)).await?;
    sqlx::query(
        "insert into inventory_upload_progress (tenant_id, upload_id, phase, rows_read, fraction)
         values ($1, $2, $3, $4, $5)
         on conflict (tenant_id, upload_id) do update
             set phase = excluded.phase, rows_read = excluded.rows_read, fraction = excluded.fraction,
                 updated_at = now()",
    )
    .bind(tenant)
    .bind(id)
    .bind(phase)
    .bind(rows)
    .bind(fraction)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

pub(in crate::inventory) async fn progress(
    tx: &mut Tx,
    id: UploadId,
) -> Result<Option<(String, i64, f32)>, sqlx::Error> {
    sqlx::query_as("select phase, rows_read, fraction from inventory_upload_progress where upload_id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub(in crate::inventory) async fn clear_progress(
    pool: &PgPool,
    tenant: TenantId,
    id: UploadId,
) -> Result<(), sqlx::Error> {
    let mut tx = crate::db::begin(pool, crate::db::Scope::Tenant(tenant)).await?;
    sqlx::query("delete from inventory_upload_progress where upload_id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await
}
