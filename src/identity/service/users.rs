//! User administration: a platform admin (every tenant) or an owner (their own tenant) approves, deactivates and
//! changes roles; a platform admin creates organisations of any kind (inviting their first owner), suspends and
//! reactivates them.

use crate::audit::{self, Actor, Event};
use crate::caller::{RequestMeta, User};
use crate::codes::{ErrorCode, check_filter};
use crate::db::{self, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{EndReason, Permission, Role};
use crate::identity::rules::invitation::NewInvitation;
use crate::identity::rules::tenant::{OrganisationInput, TenantKind, TenantStatus, UserAction, UserStatus};
use crate::identity::service::invitations::{self, Invited, Outgoing};
use crate::identity::store::users::{self as store, UserFilter, UserRow};
use crate::identity::store::{sessions, tenants};
use crate::ids::{TenantId, UserId};
use crate::mail::Mailer;
use crate::paging::{self, At, Limit, Page};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

/// Which accounts to list; `after` is the previous page's `next`.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub status: Option<UserStatus>,
    pub search: Option<String>,
    pub after: Option<String>,
}

/// Accounts and organizations per page of the administration lists.
pub const PAGE: Limit = Limit::fixed(50);

/// An account as the administration screens show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: UserId,
    pub tenant_id: TenantId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub status: UserStatus,
    pub tenant_name: String,
    pub tenant_kind: TenantKind,
    /// How the organisation is reached, as it registered (an admin approving it sees who it is): its phone, address
    /// and opening hours, those it gave.
    pub tenant_contact: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl UserSummary {
    fn from_row(r: UserRow) -> Result<Self> {
        Ok(Self {
            id: UserId(r.id),
            tenant_id: TenantId(r.tenant_id),
            email: r.email,
            display_name: r.display_name,
            role: Role::decode(&r.role)?,
            status: UserStatus::decode(&r.status)?,
            tenant_name: r.tenant_name,
            tenant_kind: TenantKind::decode(&r.tenant_kind)?,
            tenant_contact: [r.tenant_phone, r.tenant_address, r.tenant_hours]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect(),
            created_at: r.created_at,
        })
    }
}

pub struct UserPage {
    pub users: Page<UserSummary>,
    /// Pending accounts the caller may approve (all pages).
    pub pending: i64,
}

/// A page of the accounts the caller administers (newest first), and how many of them wait for approval.
pub async fn list(pool: &PgPool, user: &User, q: &UserQuery) -> Result<UserPage> {
    user.require(Permission::UsersManage)?;
    let search = check_filter("q", q.search.as_deref(), 254)?;
    let after = paging::after::<At<UserId>>(q.after.as_deref(), ())?;
    let mut tx = db::begin(pool, user.scope()).await?;
    let rows = store::list(
        &mut tx,
        UserFilter {
            status: q.status.map(UserStatus::as_str),
            search: search.as_deref(),
            after: after.map(|a| (a.at, a.id.0)),
            limit: PAGE.fetch(),
        },
    )
    .await?;
    let pending = store::count_pending(&mut tx).await?;
    tx.commit().await?;
    let users = Page::cut(rows, PAGE, |r| At::new(r.created_at, UserId(r.id))).try_map(UserSummary::from_row)?;
    Ok(UserPage { users, pending })
}

/// How many accounts wait for the caller's approval (none when the caller approves none).
pub async fn pending_count(pool: &PgPool, user: &User) -> Result<i64> {
    if !user.may(Permission::UsersManage) {
        return Ok(0);
    }
    let mut tx = db::begin(pool, user.scope()).await?;
    let pending = store::count_pending(&mut tx).await?;
    tx.commit().await?;
    Ok(pending)
}

/// What an administrator does to an account, with what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserChange {
    Approve,
    Deactivate,
    Reactivate,
    Role(Role),
}

impl UserChange {
    /// The change an action names; changing the role needs the role.
    pub fn from_action(action: UserAction, role: Option<Role>) -> Result<Self> {
        Ok(match action {
            UserAction::Approve => UserChange::Approve,
            UserAction::Deactivate => UserChange::Deactivate,
            UserAction::Reactivate => UserChange::Reactivate,
            UserAction::ChangeRole => UserChange::Role(role.ok_or_else(|| Error::field("role", ErrorCode::Required))?),
        })
    }
}

pub async fn act(
    pool: &PgPool,
    user: &User,
    target: UserId,
    change: UserChange,
    meta: &RequestMeta,
) -> Result<UserSummary> {
    user.require(Permission::UsersManage)?;
    if target == user.user_id {
        // Locking oneself out (or promoting oneself) is never what an admin meant.
        return Err(Error::Forbidden);
    }
    let mut tx = db::begin(pool, user.scope()).await?;
    // Under tenant scope, another tenant's user is invisible: NotFound, exactly as if it did not exist.
    let before = UserSummary::from_row(store::get(&mut tx, target).await?.ok_or(Error::NotFound)?)?;
    let (action, after) = match change {
        UserChange::Approve | UserChange::Reactivate => {
            store::set_status(&mut tx, target, UserStatus::Active.as_str(), user.user_id).await?;
            tenants::activate_if_pending(&mut tx, before.tenant_id).await?;
            let name = if change == UserChange::Approve { "user.approved" } else { "user.reactivated" };
            (name, json!({ "status": UserStatus::Active }))
        }
        UserChange::Deactivate => {
            store::set_status(&mut tx, target, UserStatus::Deactivated.as_str(), user.user_id).await?;
            let ended =
                sessions::revoke_all_for_user(&mut tx, before.tenant_id, target, EndReason::Deactivated.as_str(), None)
                    .await?;
            ("user.deactivated", json!({ "status": UserStatus::Deactivated, "sessions_ended": ended }))
        }
        UserChange::Role(role) => {
            check_role_fits(user, before.tenant_kind, role)?;
            store::set_role(&mut tx, target, role.as_str()).await?;
            ("user.role_changed", json!({ "role": role }))
        }
    };
    let event = Event::new(action)
        .target("user", target)
        .before(json!({ "status": before.status, "role": before.role }))
        .after(after);
    audit::record(&mut tx, &Actor::of(user, meta).in_tenant(before.tenant_id), event).await?;
    let row = UserSummary::from_row(store::get(&mut tx, target).await?.ok_or(Error::NotFound)?)?;
    tx.commit().await?;
    // The keys this person made may now be dead or narrower.
    super::api_keys::forget_kept();
    Ok(row)
}

/// The role must be one the account's kind of tenant may hold, and only a platform admin hands out `admin`.
fn check_role_fits(user: &User, kind: TenantKind, role: Role) -> Result<()> {
    if !kind.allows(role) || (user.scope() != Scope::Platform && role == Role::Admin) {
        return Err(Error::field("role", ErrorCode::RoleNotAllowed));
    }
    Ok(())
}

/// Which organizations to list; `after` is the previous page's `next`.
#[derive(Debug, Clone, Default)]
pub struct TenantQuery {
    pub status: Option<TenantStatus>,
    pub search: Option<String>,
    pub after: Option<String>,
}

/// A tenant as the platform admin's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSummary {
    pub id: TenantId,
    pub name: String,
    pub kind: TenantKind,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
    pub users: i64,
}

/// Every tenant but the platform's own, newest first (platform admins only).
pub async fn list_tenants(pool: &PgPool, user: &User, q: &TenantQuery) -> Result<Page<TenantSummary>> {
    user.require(Permission::UsersManage)?;
    if user.scope() != Scope::Platform {
        return Err(Error::Forbidden);
    }
    let search = check_filter("q", q.search.as_deref(), 160)?;
    let after = paging::after::<At<TenantId>>(q.after.as_deref(), ())?;
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let rows = tenants::list(
        &mut tx,
        tenants::TenantFilter {
            status: q.status.map(TenantStatus::as_str),
            search: search.as_deref(),
            after: after.map(|a| (a.at, a.id.0)),
            limit: PAGE.fetch(),
        },
    )
    .await?;
    tx.commit().await?;
    Page::cut(rows, PAGE, |r| At::new(r.created_at, TenantId(r.id))).try_map(|r| {
        Ok(TenantSummary {
            id: TenantId(r.id),
            kind: TenantKind::decode(&r.kind)?,
            status: TenantStatus::decode(&r.status)?,
            name: r.name,
            created_at: r.created_at,
            users: r.users,
        })
    })
}

/// An organisation the platform created, and the invitation of its first account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTenant {
    pub id: TenantId,
    pub invitation: Invited,
}

/// Creates an organisation of any kind but the platform, active at once, and invites its first account (the kind's
/// [`TenantKind::first_role`]) at `owner_email` (platform admins only). Organisation, invitation and audit entries
/// are one transaction; the mail goes after it (or the link comes back to pass on).
pub async fn create_tenant(
    pool: &PgPool,
    mailer: &Mailer,
    user: &User,
    input: &OrganisationInput,
    out: Outgoing<'_>,
    meta: &RequestMeta,
) -> Result<CreatedTenant> {
    user.require(Permission::UsersManage)?;
    if user.scope() != Scope::Platform {
        return Err(Error::Forbidden);
    }
    let org = input.validate().map_err(Error::Validation)?;
    let invitation = NewInvitation { email: org.owner_email.clone(), role: org.kind.first_role(), department: None };
    let mut tx = db::begin(pool, Scope::Platform).await?;
    if store::exists_by_email(&mut tx, org.owner_email.as_str()).await? {
        return Err(Error::field("owner_email", ErrorCode::EmailTaken));
    }
    let tenant = tenants::insert(
        &mut tx,
        tenants::NewTenant {
            kind: org.kind.as_str(),
            name: &org.name,
            status: TenantStatus::Active.as_str(),
            phone: &org.phone,
            address: &org.address,
            country: &org.country,
            hours: &org.hours,
        },
    )
    .await?;
    let actor = Actor::of(user, meta);
    let event = Event::new("tenant.created").target("tenant", tenant).after(json!({
        "kind": org.kind, "name": org.name, "owner_email": org.owner_email.as_str(),
    }));
    audit::record(&mut tx, &actor.in_tenant(tenant), event).await?;
    let made = invitations::insert(&mut tx, tenant, &invitation, user, &actor).await?;
    tx.commit().await?;
    let invitation = invitations::deliver(pool, mailer, &org.name, user, made, out).await?;
    Ok(CreatedTenant { id: tenant, invitation })
}

/// Suspends or reactivates a tenant (platform admins only). Suspension ends every session of the tenant at once; its
/// API keys stop working because they are checked against the tenant's status on every use.
pub async fn set_tenant_status(
    pool: &PgPool,
    user: &User,
    tenant: TenantId,
    status: TenantStatus,
    meta: &RequestMeta,
) -> Result<()> {
    user.require(Permission::UsersManage)?;
    if user.scope() != Scope::Platform {
        return Err(Error::Forbidden);
    }
    if tenant == crate::db::PLATFORM_TENANT || status == TenantStatus::Pending {
        return Err(Error::field("status", ErrorCode::InvalidInput));
    }
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let before = tenants::set_status(&mut tx, tenant, status.as_str()).await?.ok_or(Error::NotFound)?;
    let ended = if status == TenantStatus::Suspended {
        sessions::revoke_all_for_tenant(&mut tx, tenant, EndReason::TenantSuspended.as_str()).await?
    } else {
        0
    };
    let event = Event::new("tenant.status_changed")
        .target("tenant", tenant)
        .before(json!({ "status": before }))
        .after(json!({ "status": status, "sessions_ended": ended }));
    audit::record(&mut tx, &Actor::of(user, meta).in_tenant(tenant), event).await?;
    tx.commit().await?;
    super::api_keys::forget_kept();
    Ok(())
}

/// The currency an organisation keeps its money in (its country's; Mexico's peso when it has none on record), for the
/// areas that price things in it (the stock room's item costs).
pub async fn tenant_currency(tx: &mut crate::db::Tx, tenant: TenantId) -> Result<String> {
    let country = crate::identity::store::tenants::country(tx, tenant).await?.unwrap_or_default();
    Ok(crate::numbers::NumberStyle::of_country(&country).currency)
}
