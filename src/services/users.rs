//! User administration: the admin (every tenant) or an owner (their tenant) approves, deactivates and changes roles.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::auth::{Permission, Role};
use crate::domain::codes::ErrorCode;
use crate::store::db;
use crate::store::users::{self as store, UserFilter, UserRow};
use crate::store::{sessions, tenants};

use super::audit::{self, Actor, Event};
use super::caller::{Caller, RequestMeta};
use super::error::{Error, Result};

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub status: Option<String>,
    pub search: Option<String>,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

pub struct UserPage {
    pub users: Vec<UserRow>,
    pub pending: i64,
}

pub async fn list(pool: &PgPool, caller: &Caller, q: &UserQuery) -> Result<UserPage> {
    caller.require(Permission::UsersManage)?;
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    if let Some(s) = status
        && !matches!(s, "pending" | "active" | "deactivated")
    {
        return Err(Error::field("status", ErrorCode::InvalidInput));
    }
    let mut tx = db::begin(pool, caller.scope()).await?;
    let users = store::list(
        &mut tx,
        UserFilter {
            status,
            search: q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            after: q.after,
            limit: q.limit.clamp(1, 200),
        },
    )
    .await?;
    let pending = store::count_pending(&mut tx).await?;
    tx.commit().await?;
    Ok(UserPage { users, pending })
}

/// What an administrator can do to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    Approve,
    Deactivate,
    Reactivate,
    ChangeRole(Role),
}

pub async fn act(
    pool: &PgPool,
    caller: &Caller,
    user_id: Uuid,
    action: UserAction,
    meta: &RequestMeta,
) -> Result<UserRow> {
    caller.require(Permission::UsersManage)?;
    if user_id == caller.user_id {
        // Locking oneself out (or promoting oneself) is never what an admin meant.
        return Err(Error::Forbidden);
    }
    let mut tx = db::begin(pool, caller.scope()).await?;
    // Under tenant scope, another tenant's user is invisible: NotFound, exactly as if it did not exist.
    let before = store::get(&mut tx, user_id).await?.ok_or(Error::NotFound)?;
    let (action_name, after) = match action {
        UserAction::Approve | UserAction::Reactivate => {
            store::set_status(&mut tx, user_id, "active", caller.user_id).await?;
            tenants::activate_if_pending(&mut tx, before.tenant_id).await?;
            (
                if action == UserAction::Approve { "user.approved" } else { "user.reactivated" },
                json!({ "status": "active" }),
            )
        }
        UserAction::Deactivate => {
            store::set_status(&mut tx, user_id, "deactivated", caller.user_id).await?;
            sessions::revoke_all_for_user(&mut tx, before.tenant_id, user_id, "deactivated", None).await?;
            ("user.deactivated", json!({ "status": "deactivated" }))
        }
        UserAction::ChangeRole(role) => {
            check_role_fits(caller, &before.tenant_kind, role)?;
            store::set_role(&mut tx, user_id, role.as_str()).await?;
            ("user.role_changed", json!({ "role": role.as_str() }))
        }
    };
    let event = Event::new(action_name)
        .target("user", user_id)
        .before(json!({ "status": before.status, "role": before.role }))
        .after(after);
    audit::record(&mut tx, &Actor::of(caller, meta).in_tenant(before.tenant_id), event).await?;
    let row = store::get(&mut tx, user_id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Admin only in the platform tenant; workshop and bodega roles only in their own kind of tenant; owners cannot hand out
/// a role above their own.
fn check_role_fits(caller: &Caller, tenant_kind: &str, role: Role) -> Result<()> {
    let fits = match tenant_kind {
        "platform" => role == Role::Admin,
        "workshop" => matches!(role, Role::Workshop | Role::Owner),
        "warehouse" => matches!(role, Role::Warehouse | Role::Owner),
        "manufacturer" => {
            matches!(role, Role::Owner | Role::Manager | Role::Operator | Role::Supply | Role::Viewer)
        }
        _ => false,
    };
    if !fits || (caller.role != Role::Admin && role == Role::Admin) {
        return Err(Error::field("role", ErrorCode::RoleNotAllowed));
    }
    Ok(())
}

/// Roles an account in a tenant of this kind may hold (for the role picker).
pub fn roles_for_kind(kind: &str) -> &'static [Role] {
    match kind {
        "platform" => &[Role::Admin],
        "workshop" => &[Role::Workshop, Role::Owner],
        "warehouse" => &[Role::Warehouse, Role::Owner],
        "manufacturer" => &[Role::Owner, Role::Manager, Role::Operator, Role::Supply, Role::Viewer],
        _ => &[],
    }
}
