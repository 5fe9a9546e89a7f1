//! The movement history's exports: the queue (`stockroom_exports_queue_idx`), each requester's list
//! (`stockroom_exports_list_idx`), the movements an export writes (read in one pass in time order through
//! `stockroom_movements_at_idx`, or an item's through `stockroom_movements_item_at_idx`), and the file's parts.

use chrono::{DateTime, Utc};
use futures_util::Stream;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

pub(in crate::stockroom) struct ExportRow {
    pub id: i64,
    pub status: String,
    pub filters: serde_json::Value,
    pub total: Option<i64>,
    pub rows_written: i64,
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

pub(in crate::stockroom) async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    filters: &serde_json::Value,
) -> Result<ExportRow, sqlx::Error> {
    sqlx::query_as!(
        ExportRow,
        "insert into stockroom_exports (tenant_id, requested_by, filters) values ($1, $2, $3)
         returning id, status, filters, total, rows_written, bytes, created_at, finished_at",
        tenant.0,
        user.0,
        filters
    )
    .fetch_one(&mut **tx)
    .await
}

/// One of the person's exports.
pub(in crate::stockroom) async fn get(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    id: i64,
) -> Result<Option<ExportRow>, sqlx::Error> {
    sqlx::query_as!(
        ExportRow,
        "select id, status, filters, total, rows_written, bytes, created_at, finished_at from stockroom_exports
         where tenant_id = $1 and requested_by = $2 and id = $3",
        tenant.0,
        user.0,
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The person's latest exports.
pub(in crate::stockroom) async fn list(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    limit: i64,
) -> Result<Vec<ExportRow>, sqlx::Error> {
    sqlx::query_as!(
        ExportRow,
        "select id, status, filters, total, rows_written, bytes, created_at, finished_at from stockroom_exports
         where tenant_id = $1 and requested_by = $2 order by id desc limit $3",
        tenant.0,
        user.0,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// Exports left running by a round that ended without finishing them (its instance died: rounds run one at a time,
/// so a running export at the start of a round is nobody's): queued again, their parts gone.
pub(in crate::stockroom) async fn requeue_orphans(tx: &mut Tx) -> Result<u64, sqlx::Error> {
    sqlx::query!(
        "delete from stockroom_export_parts p using stockroom_exports e
         where e.tenant_id = p.tenant_id and e.id = p.export_id and e.status = 'running'"
    )
    .execute(&mut **tx)
    .await?;
    Ok(sqlx::query!(
        "update stockroom_exports set status = 'queued', rows_written = 0, bytes = 0, total = null, started_at = null
         where status = 'running'"
    )
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Takes the oldest queued export (platform scope): its tenant, id and filters.
pub(in crate::stockroom) async fn claim(
    tx: &mut Tx,
) -> Result<Option<(TenantId, i64, serde_json::Value)>, sqlx::Error> {
    let row = sqlx::query!(
        "update stockroom_exports e set status = 'running', started_at = now()
         from (select tenant_id, id from stockroom_exports where status = 'queued'
               order by created_at limit 1 for update skip locked) q
         where e.tenant_id = q.tenant_id and e.id = q.id
         returning e.tenant_id, e.id, e.filters"
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| (TenantId(r.tenant_id), r.id, r.filters)))
}

/// The filters as the queries take them: empty arrays and nulls mean "any".
pub(in crate::stockroom) struct Filters {
    pub items: Vec<i64>,
    pub departments: Vec<i32>,
    pub kinds: Vec<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub(in crate::stockroom) async fn count(tx: &mut Tx, tenant: TenantId, f: &Filters) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from stockroom_movements m
           where m.tenant_id = $1
             and (cardinality($2::bigint[]) = 0 or m.item_id = any($2))
             and (cardinality($3::int[]) = 0 or m.department_id = any($3))
             and (cardinality($4::text[]) = 0 or m.kind = any($4))
             and ($5::timestamptz is null or m.occurred_at >= $5)
             and ($6::timestamptz is null or m.occurred_at < $6)"#,
        tenant.0,
        &f.items,
        &f.departments,
        &f.kinds,
        f.from,
        f.to
    )
    .fetch_one(&mut **tx)
    .await
}

pub(in crate::stockroom) struct LineRow {
    pub occurred_at: DateTime<Utc>,
    pub id: i64,
    pub post_id: i64,
    pub kind: String,
    pub sku: String,
    pub item: String,
    pub unit: String,
    pub department: String,
    pub quantity_milli: i64,
    pub balance_after_milli: i64,
    pub person: Option<String>,
    pub other_department: Option<String>,
    pub reference: String,
    pub reason: String,
    pub author: String,
    pub source: String,
}

/// The movements an export writes, in time order, as a stream (rows are read as they are written, never all held).
pub(in crate::stockroom) fn lines<'t>(
    tx: &'t mut Tx,
    tenant: TenantId,
    f: &'t Filters,
) -> impl Stream<Item = Result<LineRow, sqlx::Error>> + 't {
    sqlx::query_as!(
        LineRow,
        r#"select m.occurred_at, m.id, m.post_id, m.kind, i.sku, i.name as item, i.unit, d.name as department,
                  m.quantity_milli, m.balance_after_milli, u.display_name as "person?",
                  od.name as "other_department?", m.reference, m.reason, p.author_name as author, p.source
           from stockroom_movements m
           join stockroom_items i on i.tenant_id = m.tenant_id and i.id = m.item_id
           join stockroom_departments d on d.tenant_id = m.tenant_id and d.id = m.department_id
           join stockroom_posts p on p.tenant_id = m.tenant_id and p.id = m.post_id
           left join users u on u.tenant_id = m.tenant_id and u.id = m.person_id
           left join stockroom_departments od on od.tenant_id = m.tenant_id and od.id = m.other_department_id
           where m.tenant_id = $1
             and (cardinality($2::bigint[]) = 0 or m.item_id = any($2))
             and (cardinality($3::int[]) = 0 or m.department_id = any($3))
             and (cardinality($4::text[]) = 0 or m.kind = any($4))
             and ($5::timestamptz is null or m.occurred_at >= $5)
             and ($6::timestamptz is null or m.occurred_at < $6)
           order by m.occurred_at, m.id"#,
        tenant.0,
        &f.items,
        &f.departments,
        &f.kinds,
        f.from,
        f.to
    )
    .fetch(&mut **tx)
}

pub(in crate::stockroom) async fn set_total(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    total: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!("update stockroom_exports set total = $3 where tenant_id = $1 and id = $2", tenant.0, id, total)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores part `n` of the file and the progress it brings.
pub(in crate::stockroom) async fn add_part(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    n: i32,
    data: &[u8],
    rows: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into stockroom_export_parts (tenant_id, export_id, n, data) values ($1, $2, $3, $4)",
        tenant.0,
        id,
        n,
        data
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "update stockroom_exports set rows_written = rows_written + $3, bytes = bytes + $4 where tenant_id = $1 and id = $2",
        tenant.0,
        id,
        rows,
        data.len() as i64
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(in crate::stockroom) async fn finish(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    status: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update stockroom_exports set status = $3, finished_at = now() where tenant_id = $1 and id = $2",
        tenant.0,
        id,
        status
    )
    .execute(&mut **tx)
    .await?;
    if status != "done" {
        sqlx::query!("delete from stockroom_export_parts where tenant_id = $1 and export_id = $2", tenant.0, id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// How many parts a file has.
pub(in crate::stockroom) async fn parts(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*)::int as "n!" from stockroom_export_parts where tenant_id = $1 and export_id = $2"#,
        tenant.0,
        id
    )
    .fetch_one(&mut **tx)
    .await
}

pub(in crate::stockroom) async fn part(tx: &mut Tx, tenant: TenantId, id: i64, n: i32) -> Result<Vec<u8>, sqlx::Error> {
    sqlx::query_scalar!(
        "select data from stockroom_export_parts where tenant_id = $1 and export_id = $2 and n = $3",
        tenant.0,
        id,
        n
    )
    .fetch_one(&mut **tx)
    .await
}
