//! API keys: per-tenant credentials for machine clients (a bodega's ERP, a line's PLC). Only a hash is stored.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{PgPool, Tx};
use crate::ids::{TenantId, UserId};

pub(in crate::identity) struct ApiKeyRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub(in crate::identity) struct NewApiKey<'a> {
    pub tenant_id: TenantId,
    pub id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a [u8],
    pub scopes: &'a [String],
    pub created_by: UserId,
}

pub(in crate::identity) async fn insert(tx: &mut Tx, k: NewApiKey<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into api_keys (tenant_id, id, name, prefix, secret_hash, scopes, created_by)
         values ($1, $2, $3, $4, $5, $6, $7)",
        k.tenant_id.0,
        k.id,
        k.name,
        k.prefix,
        k.secret_hash,
        k.scopes,
        k.created_by.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(in crate::identity) async fn list(tx: &mut Tx, tenant: TenantId) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiKeyRow,
        "select id, name, prefix, scopes, created_at, last_used_at, revoked_at from api_keys
         where tenant_id = $1 order by revoked_at is not null, created_at desc",
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::identity) async fn revoke(tx: &mut Tx, tenant: TenantId, id: Uuid) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "update api_keys set revoked_at = now() where tenant_id = $1 and id = $2 and revoked_at is null",
        tenant.0,
        id
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub(in crate::identity) struct KeyAuthRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub tenant_status: String,
    pub tenant_kind: String,
    /// The creator's current role and status: a key never carries a scope its creator lacks today.
    pub creator_role: String,
    pub creator_status: String,
}

/// Of the keys `(tenants[i], ids[i])`, those still usable: not revoked, their tenant and creator active. Index:
/// api_keys primary key.
pub(in crate::identity) async fn live_among(
    tx: &mut Tx,
    tenants: &[Uuid],
    ids: &[Uuid],
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select k.id from unnest($1::uuid[], $2::uuid[]) as w (tenant_id, id)
         join api_keys k on k.tenant_id = w.tenant_id and k.id = w.id
         join tenants t on t.id = k.tenant_id
         join users u on u.tenant_id = k.tenant_id and u.id = k.created_by
         where k.revoked_at is null and t.status = 'active' and u.status = 'active'",
        tenants,
        ids
    )
    .fetch_all(&mut **tx)
    .await
}

/// The key with this hash, its tenant's and creator's state, in one statement outside any transaction
/// (`api_key_caller`, which also records its use when the last is more than a minute old). Index:
/// api_keys_secret_hash_key.
pub(in crate::identity) async fn caller_of(pool: &PgPool, hash: &[u8]) -> Result<Option<KeyAuthRow>, sqlx::Error> {
    sqlx::query_as!(
        KeyAuthRow,
        r#"select tenant_id as "tenant_id!", id as "id!", name as "name!", scopes as "scopes!", revoked_at,
                  tenant_status as "tenant_status!", tenant_kind as "tenant_kind!",
                  creator_role as "creator_role!", creator_status as "creator_status!"
           from api_key_caller($1)"#,
        hash
    )
    .fetch_optional(pool)
    .await
}
