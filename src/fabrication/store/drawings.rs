//! A part's drawing revisions. Index: the primary key `(tenant_id, part_id, revision)` for every statement.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

/// A revision as uploaded.
pub(in crate::fabrication) struct NewDrawing<'a> {
    pub part: i64,
    pub sha256: &'a [u8],
    pub name: &'a str,
    pub media_type: &'a str,
    pub size: i32,
    pub note: Option<&'a str>,
    pub by: UserId,
    /// Approved as it is made (a lead's upload).
    pub approved: bool,
}

/// Adds the part's next revision (under the part's row lock, which the transition that records it holds): its
/// number.
pub(in crate::fabrication) async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    d: &NewDrawing<'_>,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into fabrication_drawings
               (tenant_id, part_id, revision, sha256, name, media_type, size, note, uploaded_by, approved_by, approved_at)
           select $1, $2, coalesce(max(revision), 0) + 1, $3, $4, $5, $6, $7, $8,
                  case when $9 then $8::uuid end, case when $9 then now() end
           from fabrication_drawings where tenant_id = $1 and part_id = $2
           returning revision"#,
        tenant.0,
        d.part,
        d.sha256,
        d.name,
        d.media_type,
        d.size,
        d.note,
        d.by.0,
        d.approved,
    )
    .fetch_one(&mut **tx)
    .await
}

pub(in crate::fabrication) struct DrawingRow {
    pub revision: i32,
    pub sha256: Vec<u8>,
    pub name: String,
    pub media_type: String,
    pub size: i32,
    pub note: Option<String>,
    pub uploaded_by: Uuid,
    pub uploader_name: String,
    pub uploaded_at: DateTime<Utc>,
    pub approved_by: Option<Uuid>,
    pub approver_name: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// A part's revisions, newest first.
pub(in crate::fabrication) async fn of_part(
    tx: &mut Tx,
    tenant: TenantId,
    part: i64,
) -> Result<Vec<DrawingRow>, sqlx::Error> {
    sqlx::query_as!(
        DrawingRow,
        r#"select d.revision, d.sha256, d.name, d.media_type, d.size, d.note, d.uploaded_by,
                  u.display_name as uploader_name, d.uploaded_at, d.approved_by, a.display_name as "approver_name?",
                  d.approved_at
           from fabrication_drawings d join users u on u.id = d.uploaded_by left join users a on a.id = d.approved_by
           where d.tenant_id = $1 and d.part_id = $2 order by d.revision desc"#,
        tenant.0,
        part
    )
    .fetch_all(&mut **tx)
    .await
}

/// Marks a revision approved by `by` (if it was not).
pub(in crate::fabrication) async fn approve(
    tx: &mut Tx,
    tenant: TenantId,
    part: i64,
    revision: i32,
    by: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update fabrication_drawings set approved_by = $4, approved_at = now()
         where tenant_id = $1 and part_id = $2 and revision = $3 and approved_at is null",
        tenant.0,
        part,
        revision,
        by.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
