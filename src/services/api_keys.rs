//! API keys for machine clients. The full key is shown once at creation; only its SHA-256 is kept.
//!
//! Format: `nxk_` + 43 URL-safe characters. The first 12 characters are kept as a display prefix so a user can tell keys
//! apart without the secret.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::account::check_text;
use crate::domain::auth::{ApiScope, Permission};
use crate::domain::codes::ErrorCode;
use crate::store::api_keys::{self as store, ApiKeyRow, NewApiKey};
use crate::store::db::{self, Scope};

use super::audit::{self, Actor, Event};
use super::auth::{random_token, token_hash};
use super::caller::{Caller, Machine, RequestMeta};
use super::error::{Error, Result};

pub const KEY_PREFIX: &str = "nxk_";

pub fn is_api_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}

pub struct CreatedKey {
    pub id: Uuid,
    pub key: String,
}

pub async fn create(
    pool: &PgPool,
    caller: &Caller,
    name: &str,
    scopes: &[String],
    meta: &RequestMeta,
) -> Result<CreatedKey> {
    caller.require(Permission::ApiKeysManage)?;
    let name = check_text("name", name, true, 80).map_err(|e| Error::Validation(vec![e]))?;
    if scopes.is_empty() {
        return Err(Error::field("scopes", ErrorCode::Required));
    }
    let mut parsed = Vec::with_capacity(scopes.len());
    for s in scopes {
        let scope = ApiScope::parse(s).ok_or_else(|| Error::field("scopes", ErrorCode::ScopeUnknown))?;
        if !caller.role.has(scope.required_permission()) {
            return Err(Error::field("scopes", ErrorCode::Forbidden));
        }
        if !parsed.contains(&scope) {
            parsed.push(scope);
        }
    }
    let scopes: Vec<String> = parsed.iter().map(|s| s.as_str().to_owned()).collect();
    let key = format!("{KEY_PREFIX}{}", random_token());
    let id = Uuid::new_v4();
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
    store::insert(
        &mut tx,
        NewApiKey {
            tenant_id: caller.tenant_id,
            id,
            name: &name,
            prefix: &key[..12],
            secret_hash: &token_hash(&key),
            scopes: &scopes,
            created_by: caller.user_id,
        },
    )
    .await?;
    let event = Event::new("api_key.created").target("api_key", id).after(json!({ "name": name, "scopes": scopes }));
    audit::record(&mut tx, &Actor::of(caller, meta), event).await?;
    tx.commit().await?;
    Ok(CreatedKey { id, key })
}

pub async fn list(pool: &PgPool, caller: &Caller) -> Result<Vec<ApiKeyRow>> {
    caller.require(Permission::ApiKeysManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
    let rows = store::list(&mut tx, caller.tenant_id).await?;
    tx.commit().await?;
    Ok(rows)
}

pub async fn revoke(pool: &PgPool, caller: &Caller, id: Uuid, meta: &RequestMeta) -> Result<()> {
    caller.require(Permission::ApiKeysManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
    if !store::revoke(&mut tx, caller.tenant_id, id).await? {
        return Err(Error::NotFound);
    }
    audit::record(&mut tx, &Actor::of(caller, meta), Event::new("api_key.revoked").target("api_key", id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves a presented key to its machine principal.
pub async fn authenticate(pool: &PgPool, key: &str) -> Result<Machine> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let row =
        store::find_by_hash(&mut tx, &token_hash(key)).await?.ok_or(Error::Unauthorized(ErrorCode::TokenInvalid))?;
    if row.revoked_at.is_some() || row.tenant_status != "active" {
        return Err(Error::Unauthorized(ErrorCode::TokenInvalid));
    }
    let stale = |t: Option<DateTime<Utc>>| t.is_none_or(|t| t < Utc::now() - Duration::seconds(60));
    if stale(row.last_used_at) {
        store::touch(&mut tx, row.tenant_id, row.id).await?;
    }
    tx.commit().await?;
    Ok(Machine {
        key_id: row.id,
        tenant_id: row.tenant_id,
        name: row.name,
        scopes: row.scopes.iter().filter_map(|s| ApiScope::parse(s)).collect(),
    })
}
