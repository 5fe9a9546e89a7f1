//! Tenants: the organizations (workshops, bodegas, manufacturers, the platform itself).

use uuid::Uuid;

use crate::db::Tx;
use crate::ids::TenantId;

pub(in crate::identity) struct NewTenant<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub status: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    /// ISO 3166 code, one of `crate::numbers::COUNTRIES`.
    pub country: &'a str,
    pub hours: &'a str,
}

pub(in crate::identity) async fn insert(tx: &mut Tx, t: NewTenant<'_>) -> Result<TenantId, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into tenants (kind, name, status, phone, address, country, hours) values ($1, $2, $3, $4, $5, $6, $7)
         returning id",
        t.kind,
        t.name,
        t.status,
        t.phone,
        t.address,
        t.country,
        t.hours
    )
    .fetch_one(&mut **tx)
    .await
    .map(TenantId)
}

/// Activates a pending tenant (its first user was approved). Active or suspended tenants are left as they are.
pub(in crate::identity) async fn activate_if_pending(tx: &mut Tx, id: TenantId) -> Result<(), sqlx::Error> {
    sqlx::query!("update tenants set status = 'active' where id = $1 and status = 'pending'", id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(in crate::identity) async fn find_by_name(
    tx: &mut Tx,
    kind: &str,
    name: &str,
) -> Result<Option<TenantId>, sqlx::Error> {
    sqlx::query_scalar!("select id from tenants where kind = $1 and name = $2", kind, name)
        .fetch_optional(&mut **tx)
        .await
        .map(|id| id.map(TenantId))
}

/// Sets a tenant's status; returns the previous one (None when the tenant is not visible in this scope).
pub(in crate::identity) async fn set_status(
    tx: &mut Tx,
    id: TenantId,
    status: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "update tenants t set status = $2 from (select id, status from tenants where id = $1 for update) old
         where t.id = old.id returning old.status",
        id.0,
        status
    )
    .fetch_optional(&mut **tx)
    .await
}

/// A tenant's name and kind.
pub(in crate::identity) struct TenantRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
}

pub(in crate::identity) async fn get(tx: &mut Tx, id: TenantId) -> Result<Option<TenantRow>, sqlx::Error> {
    sqlx::query_as!(TenantRow, "select id, name, kind from tenants where id = $1", id.0).fetch_optional(&mut **tx).await
}

/// A tenant as the platform's tenant list shows it, with how many accounts it holds.
/// An organisation's country (ISO 3166), which says its currency and how it writes numbers.
pub(in crate::identity) async fn country(tx: &mut Tx, id: TenantId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select country from tenants where id = $1", id.0).fetch_optional(&mut **tx).await
}

pub(in crate::identity) struct TenantListRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub users: i64,
}

pub(in crate::identity) struct TenantFilter<'a> {
    pub status: Option<&'a str>,
    /// Matched anywhere in the name, case-insensitively (LIKE wildcards in it are literal).
    pub search: Option<&'a str>,
    pub after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    pub limit: i64,
}

/// Every tenant but the platform's own, newest first, keyset-paged on (created_at, id). The user counts come from one grouped scan of `users`' primary key
/// (tenant_id first) for the page's tenants only.
pub(in crate::identity) async fn list(tx: &mut Tx, f: TenantFilter<'_>) -> Result<Vec<TenantListRow>, sqlx::Error> {
    let (after_at, after_id) = f.after.unzip();
    let pattern = f.search.map(crate::db::like_contains);
    sqlx::query_as!(
        TenantListRow,
        r#"with page as (
               select id, name, kind, status, created_at from tenants
               where kind <> 'platform'
                 and ($1::text is null or status = $1)
                 and ($2::text is null or name ilike $2)
                 and ($3::timestamptz is null or (created_at, id) < ($3, $4))
               order by created_at desc, id desc
               limit $5
           )
           select p.id, p.name, p.kind, p.status, p.created_at, coalesce(c.n, 0) as "users!"
           from page p
           left join (select tenant_id, count(*) as n from users where tenant_id in (select id from page) group by tenant_id) c
             on c.tenant_id = p.id
           order by p.created_at desc, p.id desc"#,
        f.status,
        pattern,
        after_at,
        after_id,
        f.limit
    )
    .fetch_all(&mut **tx)
    .await
}
