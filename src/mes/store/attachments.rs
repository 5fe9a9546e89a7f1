//! A task's attachments. Indexes: `mes_task_attachments_task (tenant_id, task_id, id)` (a task's, in order; one by
//! its id and task).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

pub(in crate::mes) struct AttachmentRow {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i32,
    pub uploaded_by: Uuid,
    pub uploader: String,
    pub uploaded_at: DateTime<Utc>,
}

/// What an attachment is written with.
pub(in crate::mes) struct NewAttachment<'a> {
    pub task: i64,
    pub sha256: &'a [u8],
    pub name: &'a str,
    pub media_type: &'a str,
    pub size: i32,
    pub by: UserId,
}

pub(in crate::mes) async fn insert(tx: &mut Tx, tenant: TenantId, a: &NewAttachment<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into mes_task_attachments (tenant_id, task_id, sha256, name, media_type, size, uploaded_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
        tenant.0,
        a.task,
        a.sha256,
        a.name,
        a.media_type,
        a.size,
        a.by.0
    )
    .fetch_one(&mut **tx)
    .await
}

/// A task's attachments, oldest first (or the one `id` names).
pub(in crate::mes) async fn list(
    tx: &mut Tx,
    tenant: TenantId,
    task: i64,
    id: Option<i64>,
) -> Result<Vec<AttachmentRow>, sqlx::Error> {
    sqlx::query_as!(
        AttachmentRow,
        r#"select a.id, a.name, a.media_type, a.size, a.uploaded_by, u.display_name as uploader, a.uploaded_at
           from mes_task_attachments a join users u on u.id = a.uploaded_by
           where a.tenant_id = $1 and a.task_id = $2 and ($3::bigint is null or a.id = $3)
           order by a.id"#,
        tenant.0,
        task,
        id
    )
    .fetch_all(&mut **tx)
    .await
}

/// An attachment's file (its hash), by its task and id.
pub(in crate::mes) async fn file_of(
    tx: &mut Tx,
    tenant: TenantId,
    task: i64,
    id: i64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar!(
        "select sha256 from mes_task_attachments where tenant_id = $1 and task_id = $2 and id = $3",
        tenant.0,
        task,
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// How many attachments a task has.
pub(in crate::mes) async fn count(tx: &mut Tx, tenant: TenantId, task: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from mes_task_attachments where tenant_id = $1 and task_id = $2"#,
        tenant.0,
        task
    )
    .fetch_one(&mut **tx)
    .await
}
