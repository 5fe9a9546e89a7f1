//! Invitations: an address invited into a role of a tenant, with the SHA-256 of its one-time link's token.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

pub(in crate::identity) struct NewInvitation<'a> {
    pub tenant_id: TenantId,
    pub email: &'a str,
    pub role: &'a str,
    pub token_hash: &'a [u8],
    pub invited_by: UserId,
    pub invited_by_name: &'a str,
    pub expires_at: DateTime<Utc>,
    /// The stock room department the person joins on accepting (the stock room's trigger acts on it).
    pub department: Option<i32>,
}

/// An invitation as its lists and its link show it.
pub(in crate::identity) struct InvitationRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub invited_by_name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub mailed: bool,
    pub tenant_name: String,
    pub tenant_kind: String,
    pub tenant_status: String,
}

/// Revokes the open invitation of `email` in the tenant, if any (inviting again replaces it; the partial unique index
/// `invitations_open_email_key` allows one open invitation per address). Returns whether one was open.
pub(in crate::identity) async fn revoke_open_for(
    tx: &mut Tx,
    tenant: TenantId,
    email: &str,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query!(
        "update invitations set revoked_at = now()
         where tenant_id = $1 and email = $2 and accepted_at is null and revoked_at is null",
        tenant.0,
        email
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n > 0)
}

pub(in crate::identity) async fn insert(tx: &mut Tx, i: NewInvitation<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into invitations (tenant_id, email, role, token_hash, invited_by, invited_by_name, expires_at,
                                  department_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        i.tenant_id.0,
        i.email,
        i.role,
        i.token_hash,
        i.invited_by.0,
        i.invited_by_name,
        i.expires_at,
        i.department
    )
    .fetch_one(&mut **tx)
    .await
}

pub(in crate::identity) async fn set_mailed(tx: &mut Tx, tenant: TenantId, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("update invitations set mailed = true where tenant_id = $1 and id = $2", tenant.0, id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The invitation a link's token names, locked for the rest of the transaction (two tabs accepting one link at once:
/// the second waits, then sees it used). Index: `invitations_token_key`.
pub(in crate::identity) async fn by_token_for_update(
    tx: &mut Tx,
    token_hash: &[u8],
) -> Result<Option<InvitationRow>, sqlx::Error> {
    sqlx::query_as!(
        InvitationRow,
        "select i.tenant_id, i.id, i.email, i.role, i.invited_by_name, i.created_at, i.expires_at, i.accepted_at,
                i.revoked_at, i.mailed, t.name as tenant_name, t.kind as tenant_kind, t.status as tenant_status
         from invitations i join tenants t on t.id = i.tenant_id
         where i.token_hash = $1
         for update of i",
        token_hash
    )
    .fetch_optional(&mut **tx)
    .await
}

pub(in crate::identity) async fn mark_accepted(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
    user: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update invitations set accepted_at = now(), accepted_user = $3 where tenant_id = $1 and id = $2",
        tenant.0,
        id,
        user.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Revokes an open invitation; returns its address and role, or None when there is no open one of that id in sight.
pub(in crate::identity) async fn revoke(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "update invitations set revoked_at = now()
         where tenant_id = $1 and id = $2 and accepted_at is null and revoked_at is null
         returning email, role",
        tenant.0,
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| (r.email, r.role)))
}

/// A tenant's invitations, newest first, keyset-paged on (created_at, id). Index: `invitations_created_idx`.
pub(in crate::identity) async fn list(
    tx: &mut Tx,
    tenant: TenantId,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<InvitationRow>, sqlx::Error> {
    let (after_at, after_id) = after.unzip();
    sqlx::query_as!(
        InvitationRow,
        "select i.tenant_id, i.id, i.email, i.role, i.invited_by_name, i.created_at, i.expires_at, i.accepted_at,
                i.revoked_at, i.mailed, t.name as tenant_name, t.kind as tenant_kind, t.status as tenant_status
         from invitations i join tenants t on t.id = i.tenant_id
         where i.tenant_id = $1
           and ($2::timestamptz is null or (i.created_at, i.id) < ($2, $3))
         order by i.created_at desc, i.id desc
         limit $4",
        tenant.0,
        after_at,
        after_id,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}
