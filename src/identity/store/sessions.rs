//! Sessions (one per login, the "family") and their rotating refresh tokens.

use chrono::{DateTime, Utc};
use sqlx::types::ipnetwork::IpNetwork;
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

pub(in crate::identity) struct NewSession<'a> {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<IpNetwork>,
    pub user_agent: &'a str,
    /// Failed sign-ins of the account since its previous sign-in.
    pub failed_before: i32,
}

pub(in crate::identity) async fn insert(tx: &mut Tx, s: NewSession<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into sessions (tenant_id, user_id, expires_at, ip, user_agent, failed_before)
         values ($1, $2, $3, $4, $5, $6) returning id",
        s.tenant_id.0,
        s.user_id.0,
        s.expires_at,
        s.ip,
        s.user_agent,
        s.failed_before
    )
    .fetch_one(&mut **tx)
    .await
}

/// Revokes the user's oldest live sessions so that at most `keep` remain. One statement for any number of sessions.
/// Index: sessions_live_by_user_idx.
pub(in crate::identity) async fn revoke_beyond(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    keep: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "update sessions set revoked_at = now(), revoked_reason = 'session_cap'
         where tenant_id = $1 and id in (
             select id from sessions
             where tenant_id = $1 and user_id = $2 and revoked_at is null
             order by created_at desc
             offset $3)
         returning id",
        tenant.0,
        user.0,
        keep
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::identity) async fn insert_refresh(
    tx: &mut Tx,
    tenant: TenantId,
    session: Uuid,
    hash: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into refresh_tokens (tenant_id, token_hash, session_id) values ($1, $2, $3)",
        tenant.0,
        hash,
        session
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A presented refresh token with the state of its session and user, locked for rotation.
pub(in crate::identity) struct RefreshRow {
    pub tenant_id: Uuid,
    pub session_id: Uuid,
    pub used_at: Option<DateTime<Utc>>,
    pub user_id: Uuid,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub role: String,
    pub status: String,
    pub email: String,
    pub tenant_status: String,
    pub tenant_kind: String,
}

/// Index: refresh_tokens_hash_key.
pub(in crate::identity) async fn find_refresh_for_update(
    tx: &mut Tx,
    hash: &[u8],
) -> Result<Option<RefreshRow>, sqlx::Error> {
    sqlx::query_as!(
        RefreshRow,
        "select r.tenant_id, r.session_id, r.used_at, s.user_id, s.revoked_at, s.revoked_reason, s.expires_at, s.last_seen_at,
                u.role, u.status, u.email, t.status as tenant_status, t.kind as tenant_kind
         from refresh_tokens r
         join sessions s on s.tenant_id = r.tenant_id and s.id = r.session_id
         join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
         join tenants t on t.id = s.tenant_id
         where r.token_hash = $1
         for update of r, s",
        hash
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Marks a refresh token used and returns when (the moment its successor was issued).
pub(in crate::identity) async fn mark_refresh_used(
    tx: &mut Tx,
    tenant: TenantId,
    hash: &[u8],
) -> Result<DateTime<Utc>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"update refresh_tokens set used_at = now() where tenant_id = $1 and token_hash = $2
           returning used_at as "used_at!""#,
        tenant.0,
        hash
    )
    .fetch_one(&mut **tx)
    .await
}

/// Revokes one session; returns false when it was already revoked or does not belong to `user` (when given).
pub(in crate::identity) async fn revoke(
    tx: &mut Tx,
    tenant: TenantId,
    session: Uuid,
    user: Option<UserId>,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "update sessions set revoked_at = now(), revoked_reason = $3
         where tenant_id = $1 and id = $2 and revoked_at is null and ($4::uuid is null or user_id = $4)",
        tenant.0,
        session,
        reason,
        user.map(|v| v.0)
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Revokes every live session of a user, except possibly one (the caller's own, on password change).
pub(in crate::identity) async fn revoke_all_for_user(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    reason: &str,
    except: Option<Uuid>,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "update sessions set revoked_at = now(), revoked_reason = $3
         where tenant_id = $1 and user_id = $2 and revoked_at is null and ($4::uuid is null or id <> $4)",
        tenant.0,
        user.0,
        reason,
        except
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// Revokes every live session of a tenant (it was suspended).
pub(in crate::identity) async fn revoke_all_for_tenant(
    tx: &mut Tx,
    tenant: TenantId,
    reason: &str,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "update sessions set revoked_at = now(), revoked_reason = $2 where tenant_id = $1 and revoked_at is null",
        tenant.0,
        reason
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// Deletes sessions (and, by cascade, their refresh tokens) that ended more than `keep_days` ago: revoked, or past
/// their absolute lifetime. Run by the purge job in platform scope. Index: sessions_ended_idx.
pub(in crate::identity) async fn purge_ended(tx: &mut Tx, keep_days: i32) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "delete from sessions
         where coalesce(revoked_at, expires_at) < now() - make_interval(days => $1)",
        keep_days
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// What an authenticated request needs: the session's liveness and the user's current role and status (a role change or
/// deactivation applies on the next request, not when the token expires).
pub(in crate::identity) struct SessionAuthRow {
    pub user_id: Uuid,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub role: String,
    pub status: String,
    pub email: String,
    pub display_name: String,
    pub tenant_status: String,
    pub tenant_kind: String,
}

/// Of the sessions `(tenants[i], ids[i])`, those that still let their user in: not revoked, expired or idle, their
/// user and tenant active. One statement for every open stream of the instance. Index: sessions primary key.
pub(in crate::identity) async fn live_among(
    tx: &mut Tx,
    tenants: &[Uuid],
    ids: &[Uuid],
    idle_secs: f64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select s.id from unnest($1::uuid[], $2::uuid[]) as w (tenant_id, id)
         join sessions s on s.tenant_id = w.tenant_id and s.id = w.id
         join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
         join tenants t on t.id = s.tenant_id
         where s.revoked_at is null and s.expires_at > now() and s.last_seen_at > now() - make_interval(secs => $3)
           and u.status = 'active' and t.status = 'active'",
        tenants,
        ids,
        idle_secs
    )
    .fetch_all(&mut **tx)
    .await
}

/// Failed sign-ins of the account before this session's sign-in (0 for no such session). Index: sessions primary key.
pub(in crate::identity) async fn failed_before(
    tx: &mut Tx,
    tenant: TenantId,
    session: Uuid,
) -> Result<i32, sqlx::Error> {
    let n =
        sqlx::query_scalar!("select failed_before from sessions where tenant_id = $1 and id = $2", tenant.0, session)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(n.unwrap_or(0))
}

/// Index: sessions primary key (tenant_id, id).
pub(in crate::identity) async fn find_for_auth(
    tx: &mut Tx,
    tenant: TenantId,
    session: Uuid,
) -> Result<Option<SessionAuthRow>, sqlx::Error> {
    sqlx::query_as!(
        SessionAuthRow,
        "select s.user_id, s.revoked_at, s.revoked_reason, s.expires_at, s.last_seen_at, u.role, u.status, u.email,
                u.display_name,
                t.status as tenant_status, t.kind as tenant_kind
         from sessions s
         join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
         join tenants t on t.id = s.tenant_id
         where s.tenant_id = $1 and s.id = $2",
        tenant.0,
        session
    )
    .fetch_optional(&mut **tx)
    .await
}

pub(in crate::identity) async fn touch(tx: &mut Tx, tenant: TenantId, session: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("update sessions set last_seen_at = now() where tenant_id = $1 and id = $2", tenant.0, session)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(in crate::identity) struct SessionRow {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<IpNetwork>,
    pub user_agent: String,
}

/// Index: sessions_live_by_user_idx.
pub(in crate::identity) async fn list_live(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as!(
        SessionRow,
        "select id, created_at, last_seen_at, ip, user_agent from sessions
         where tenant_id = $1 and user_id = $2 and revoked_at is null and expires_at > now()
           and last_seen_at > now() - interval '30 minutes'
         order by created_at desc",
        tenant.0,
        user.0
    )
    .fetch_all(&mut **tx)
    .await
}
