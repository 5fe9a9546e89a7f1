//! Users: accounts within a tenant.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

/// What login needs about an account, found by e-mail or username across tenants.
pub(in crate::identity) struct LoginRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub status: String,
    pub tenant_status: String,
    pub tenant_kind: String,
    pub username: Option<String>,
}

/// A user as the admin screens and "me" show it.
#[derive(Debug, Clone)]
pub(in crate::identity) struct UserRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub tenant_name: String,
    pub tenant_kind: String,
    pub tenant_country: String,
    pub tenant_phone: String,
    pub tenant_address: String,
    pub tenant_hours: String,
}

pub(in crate::identity) struct NewUser<'a> {
    pub tenant_id: TenantId,
    pub email: &'a str,
    pub username: Option<&'a str>,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub status: &'a str,
}

pub(in crate::identity) async fn insert(tx: &mut Tx, u: NewUser<'_>) -> Result<UserId, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into users (tenant_id, email, username, display_name, password_hash, role, status)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
        u.tenant_id.0,
        u.email,
        u.username,
        u.display_name,
        u.password_hash,
        u.role,
        u.status
    )
    .fetch_one(&mut **tx)
    .await
    .map(UserId)
}

/// Index: users_email_key / users_username_key (unique).
pub(in crate::identity) async fn find_for_login(tx: &mut Tx, login: &str) -> Result<Option<LoginRow>, sqlx::Error> {
    sqlx::query_as!(
        LoginRow,
        "select u.tenant_id, u.id, u.email, u.password_hash, u.role, u.status, t.status as tenant_status,
                t.kind as tenant_kind, u.username
         from users u join tenants t on t.id = u.tenant_id
         where u.email = $1 or u.username = $1
         limit 1",
        login
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Locks the user's row for the rest of the transaction (serializes concurrent logins of one user, so the session cap
/// holds).
pub(in crate::identity) async fn lock(
    tx: &mut Tx,
    tenant: TenantId,
    id: UserId,
) -> Result<Option<LoginRow>, sqlx::Error> {
    sqlx::query_as!(
        LoginRow,
        "select u.tenant_id, u.id, u.email, u.password_hash, u.role, u.status, t.status as tenant_status,
                t.kind as tenant_kind, u.username
         from users u join tenants t on t.id = u.tenant_id
         where u.tenant_id = $1 and u.id = $2
         for update of u",
        tenant.0,
        id.0
    )
    .fetch_optional(&mut **tx)
    .await
}

pub(in crate::identity) async fn get(tx: &mut Tx, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        "select u.tenant_id, u.id, u.email, u.display_name, u.role, u.status, u.created_at,
                t.name as tenant_name, t.kind as tenant_kind, t.country as tenant_country,
                t.phone as tenant_phone, t.address as tenant_address, t.hours as tenant_hours
         from users u join tenants t on t.id = u.tenant_id
         where u.id = $1",
        id.0
    )
    .fetch_optional(&mut **tx)
    .await
}

pub(in crate::identity) struct UserFilter<'a> {
    pub status: Option<&'a str>,
    /// Case-insensitive substring of e-mail, name or business.
    pub search: Option<&'a str>,
    /// Keyset cursor: the (created_at, id) of the last row of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// Newest first, keyset-paginated. Index: users_status_created_idx (with a status) or users_created_idx.
pub(in crate::identity) async fn list(tx: &mut Tx, f: UserFilter<'_>) -> Result<Vec<UserRow>, sqlx::Error> {
    let (after_at, after_id) = f.after.unzip();
    let pattern = f.search.map(crate::db::like_contains);
    sqlx::query_as!(
        UserRow,
        "select u.tenant_id, u.id, u.email, u.display_name, u.role, u.status, u.created_at,
                t.name as tenant_name, t.kind as tenant_kind, t.country as tenant_country,
                t.phone as tenant_phone, t.address as tenant_address, t.hours as tenant_hours
         from users u join tenants t on t.id = u.tenant_id
         where ($1::text is null or u.status = $1)
           and ($2::text is null or u.email ilike $2 or u.display_name ilike $2 or t.name ilike $2)
           and ($3::timestamptz is null or (u.created_at, u.id) < ($3, $4))
         order by u.created_at desc, u.id desc
         limit $5",
        f.status,
        pattern,
        after_at,
        after_id,
        f.limit
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::identity) async fn count_pending(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"select count(*) as "n!" from users where status = 'pending'"#).fetch_one(&mut **tx).await
}

pub(in crate::identity) async fn set_status(
    tx: &mut Tx,
    id: UserId,
    status: &str,
    by: UserId,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "update users set status = $2, updated_at = now(),
                approved_at = case when $2 = 'active' and approved_at is null then now() else approved_at end,
                approved_by = case when $2 = 'active' and approved_by is null then $3 else approved_by end
         where id = $1",
        id.0,
        status,
        by.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub(in crate::identity) async fn set_role(tx: &mut Tx, id: UserId, role: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!("update users set role = $2, updated_at = now() where id = $1", id.0, role)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub(in crate::identity) async fn set_password(tx: &mut Tx, id: UserId, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("update users set password_hash = $2, updated_at = now() where id = $1", id.0, hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(in crate::identity) async fn password_hash(tx: &mut Tx, id: UserId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select password_hash from users where id = $1", id.0).fetch_optional(&mut **tx).await
}

pub(in crate::identity) async fn exists_by_email(tx: &mut Tx, email: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from users where email = $1) as "e!""#, email)
        .fetch_one(&mut **tx)
        .await
}
