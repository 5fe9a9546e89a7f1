//! The inbox's SQL. Indexes: `notify_inbox_user_idx (tenant_id, user_id, id desc)` for a page of a person's inbox;
//! `notify_inbox_unread_idx` (partial, unread) for the count.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

/// Inserts one notice per recipient with its e-mail choice (one statement).
pub(super) async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    users: &[Uuid],
    by_mail: &[bool],
    kind: &str,
    params: &serde_json::Value,
    link: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "insert into notify_inbox (tenant_id, user_id, kind, params, link, by_mail)
         select $1, u, $4, $5, $6, m from unnest($2::uuid[], $3::bool[]) as r(u, m)",
        tenant.0,
        users,
        by_mail,
        kind,
        params,
        link
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// The channels people chose for `kind` (people absent chose nothing: the default).
pub(super) async fn channels(
    tx: &mut Tx,
    tenant: TenantId,
    users: &[Uuid],
    kind: &str,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select user_id, channel from notify_preferences where tenant_id = $1 and user_id = any($2) and kind = $3",
        tenant.0,
        users,
        kind
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.channel)).collect())
}

pub(super) struct NoticeRow {
    pub id: i64,
    pub params: serde_json::Value,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

pub(super) async fn inbox(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    unread_only: bool,
    before: Option<i64>,
    fetch: i64,
) -> Result<Vec<NoticeRow>, sqlx::Error> {
    sqlx::query_as!(
        NoticeRow,
        r#"select id, params, link, created_at, read_at is not null as "read!" from notify_inbox
           where tenant_id = $1 and user_id = $2 and (not $3 or read_at is null) and ($4::bigint is null or id < $4)
           order by id desc limit $5"#,
        tenant.0,
        user.0,
        unread_only,
        before,
        fetch
    )
    .fetch_all(&mut **tx)
    .await
}

pub(super) async fn unread(tx: &mut Tx, tenant: TenantId, user: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from notify_inbox where tenant_id = $1 and user_id = $2 and read_at is null"#,
        tenant.0,
        user.0
    )
    .fetch_one(&mut **tx)
    .await
}

/// Marks read some of a person's notices (`ids`), or all of them (`None`): how many changed.
pub(super) async fn mark_read(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    ids: Option<&[i64]>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "update notify_inbox set read_at = now()
         where tenant_id = $1 and user_id = $2 and read_at is null and ($3::bigint[] is null or id = any($3))",
        tenant.0,
        user.0,
        ids
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

pub(super) async fn preferences(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select kind, channel from notify_preferences where tenant_id = $1 and user_id = $2",
        tenant.0,
        user.0
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.kind, r.channel)).collect())
}

pub(super) async fn set_preference(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    kind: &str,
    channel: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into notify_preferences (tenant_id, user_id, kind, channel) values ($1, $2, $3, $4)
         on conflict (tenant_id, user_id, kind) do update set channel = excluded.channel",
        tenant.0,
        user.0,
        kind,
        channel
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
