//! API keys for machine clients. The full key is shown once at creation; only its SHA-256 is kept.
//!
//! Format: `nxk_` + 43 URL-safe characters. The first 12 characters are kept as a display prefix so a user can tell keys
//! apart without the secret. A key acts in its tenant with its scopes, and never with a scope its creator does not hold
//! today: scopes are checked against the creator's role when the key is created and again every time it is used, and a
//! key whose creator was deactivated stops working.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::auth::{random_token, token_hash};
use crate::audit::{self, Actor, Event};
use crate::caller::{Machine, RequestMeta, User};
use crate::codes::{ErrorCode, check_text};
use crate::db::{self, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission, Role, permits};
use crate::identity::rules::tenant::{TenantKind, TenantStatus, UserStatus};
use crate::identity::store::api_keys::{self as store, NewApiKey};
use crate::ids::TenantId;

pub const KEY_PREFIX: &str = "nxk_";

pub fn is_api_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}

pub struct CreatedKey {
    pub id: Uuid,
    pub key: String,
}

/// A key as its tenant's people see it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyInfo {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<ApiScope>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn create(
    pool: &PgPool,
    user: &User,
    name: &str,
    scopes: &[ApiScope],
    meta: &RequestMeta,
) -> Result<CreatedKey> {
    user.require(Permission::ApiKeysManage)?;
    let name = check_text("name", name, true, 80).map_err(|e| Error::Validation(vec![e]))?;
    if scopes.is_empty() {
        return Err(Error::field("scopes", ErrorCode::Required));
    }
    let mut granted: Vec<ApiScope> = Vec::with_capacity(scopes.len());
    for &scope in scopes {
        if !user.may(scope.required_permission()) {
            return Err(Error::field("scopes", ErrorCode::Forbidden));
        }
        if !granted.contains(&scope) {
            granted.push(scope);
        }
    }
    granted.sort_unstable();
    let stored: Vec<String> = granted.iter().map(|s| s.as_str().to_owned()).collect();
    let key = format!("{KEY_PREFIX}{}", random_token());
    let id = Uuid::new_v4();
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    store::insert(
        &mut tx,
        NewApiKey {
            tenant_id: user.tenant_id,
            id,
            name: &name,
            prefix: &key[..12],
            secret_hash: &token_hash(&key),
            scopes: &stored,
            created_by: user.user_id,
        },
    )
    .await?;
    let event = Event::new("api_key.created").target("api_key", id).after(json!({ "name": name, "scopes": stored }));
    audit::record(&mut tx, &Actor::of(user, meta), event).await?;
    tx.commit().await?;
    Ok(CreatedKey { id, key })
}

pub async fn list(pool: &PgPool, user: &User) -> Result<Vec<ApiKeyInfo>> {
    user.require(Permission::ApiKeysManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let rows = store::list(&mut tx, user.tenant_id).await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|k| {
            Ok(ApiKeyInfo {
                id: k.id,
                name: k.name,
                prefix: k.prefix,
                scopes: k.scopes.iter().map(|s| ApiScope::decode(s)).collect::<Result<_, _>>()?,
                created_at: k.created_at,
                last_used_at: k.last_used_at,
                revoked_at: k.revoked_at,
            })
        })
        .collect()
}

pub async fn revoke(pool: &PgPool, user: &User, id: Uuid, meta: &RequestMeta) -> Result<()> {
    user.require(Permission::ApiKeysManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    if !store::revoke(&mut tx, user.tenant_id, id).await? {
        return Err(Error::NotFound);
    }
    audit::record(&mut tx, &Actor::of(user, meta), Event::new("api_key.revoked").target("api_key", id)).await?;
    tx.commit().await?;
    forget_kept();
    Ok(())
}

/// How long a resolved key is kept in this instance's memory. A key is a machine's credential, sent on every request:
/// its lookup was a round trip and a third of a millisecond of PostgreSQL per request (`bench stock`). Revoking a
/// key, suspending its organisation, or deactivating or changing the role of its creator forgets every kept key in
/// the instance that did it (at once); other instances see it within this time.
pub const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// Keys resolved in the last [`KEPT_FOR`], by the hash of their secret. Refusals are not kept.
static RECENT: std::sync::LazyLock<moka::sync::Cache<Vec<u8>, Machine>> =
    std::sync::LazyLock::new(|| moka::sync::Cache::builder().max_capacity(10_000).time_to_live(KEPT_FOR).build());

/// Forgets every kept key: after anything that may end one or narrow what it may do.
pub fn forget_kept() {
    RECENT.invalidate_all();
}

/// Resolves a presented key to its machine caller: live key, active tenant, active creator; scopes cut down to those
/// the creator's role holds today (or as of at most [`KEPT_FOR`] ago).
pub async fn authenticate(pool: &PgPool, key: &str) -> Result<Machine> {
    let hash = token_hash(key);
    if let Some(known) = RECENT.get(&hash) {
        return Ok(known);
    }
    let machine = resolve(pool, &hash).await?;
    RECENT.insert(hash, machine.clone());
    Ok(machine)
}

async fn resolve(pool: &PgPool, hash: &[u8]) -> Result<Machine> {
    let row = store::caller_of(pool, hash).await?.ok_or(Error::Unauthorized(ErrorCode::TokenInvalid))?;
    let live = row.revoked_at.is_none()
        && TenantStatus::decode(&row.tenant_status)? == TenantStatus::Active
        && UserStatus::decode(&row.creator_status)? == UserStatus::Active;
    if !live {
        return Err(Error::Unauthorized(ErrorCode::TokenInvalid));
    }
    let creator = Role::decode(&row.creator_role)?;
    let kind = TenantKind::decode(&row.tenant_kind)?;
    let scopes: Vec<ApiScope> = row.scopes.iter().map(|s| ApiScope::decode(s)).collect::<Result<_, _>>()?;
    let tenant = TenantId(row.tenant_id);
    Ok(Machine {
        key_id: row.id,
        tenant_id: tenant,
        name: row.name,
        scopes: scopes.into_iter().filter(|s| permits(kind, creator, s.required_permission())).collect(),
        creator_role: creator,
        tenant_kind: kind,
    })
}
