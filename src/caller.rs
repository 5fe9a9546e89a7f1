//! Who is calling and from where: resolved once per request by the server's authentication middleware and handed to
//! every flow.
//!
//! A caller is a signed-in person ([`User`], browser session or bearer access token) or a machine ([`Machine`], an API
//! key). Every REST operation names the [`ApiScope`] it needs and calls [`Caller::require`]: a key passes when it holds
//! the scope, a person when their role holds the permission behind it. Operations only people may perform (account,
//! users, API keys) take a [`User`] and refuse machines with 403.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use uuid::Uuid;

use crate::codes::ErrorCode;
use crate::db::{PLATFORM_TENANT, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission, Role, permits};
use crate::identity::rules::tenant::TenantKind;
use crate::ids::{TenantId, UserId};

/// Request facts recorded in the audit log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub user_agent: String,
    pub request_id: String,
    /// The browser's device cookie, as presented (checked only by sign-in: see `identity::rules::throttle`).
    pub device: Option<String>,
}

impl RequestMeta {
    pub fn ip_network(&self) -> Option<IpNetwork> {
        self.ip.map(IpNetwork::from)
    }
}

/// A signed-in person (browser session or bearer access token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub session_id: Uuid,
    pub role: Role,
    /// The kind of their organisation: it narrows what the role may do ([`permits`]).
    pub tenant_kind: TenantKind,
    pub email: String,
    pub display_name: String,
}

impl User {
    /// Whether this person may do `permission`: their role holds it and their organisation's kind offers it.
    pub fn may(&self, permission: Permission) -> bool {
        permits(self.tenant_kind, self.role, permission)
    }

    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.may(permission) { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Whose rows this person's transactions may see: every tenant for a platform admin (the admin role in the
    /// platform tenant; the role alone is not enough), their own tenant for everyone else.
    pub fn scope(&self) -> Scope {
        if self.role == Role::Admin && self.tenant_id == PLATFORM_TENANT {
            Scope::Platform
        } else {
            Scope::Tenant(self.tenant_id)
        }
    }
}

/// A machine client authenticated by an API key. Its scopes are those of the key that its creator still holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub key_id: Uuid,
    pub tenant_id: TenantId,
    pub name: String,
    pub scopes: Vec<ApiScope>,
    /// The role of the key's creator today: a key never does what its creator may not (see
    /// [`Caller::require_with`]).
    pub creator_role: Role,
    /// The kind of the key's organisation, which narrows its creator's role as it does a person's.
    pub tenant_kind: TenantKind,
}

/// Whoever is behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    User(User),
    Machine(Machine),
}

impl Caller {
    /// Passes a key that holds `scope`, and a person whose role holds the permission behind it.
    pub fn require(&self, scope: ApiScope) -> Result<()> {
        let ok = match self {
            Caller::User(u) => u.may(scope.required_permission()),
            Caller::Machine(m) => {
                m.scopes.contains(&scope) && permits(m.tenant_kind, m.creator_role, scope.required_permission())
            }
        };
        if ok { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Passes a key that holds `scope` and whose creator's role holds `permission`, and a person whose role holds
    /// both `permission` and the permission behind `scope`. For operations open to machines under a scope but
    /// narrower than it (a part's availability is `catalog:read` plus [`Permission::AvailabilityRead`]): a key
    /// minted by a role without the permission does not get it through the scope.
    pub fn require_with(&self, scope: ApiScope, permission: Permission) -> Result<()> {
        self.require(scope)?;
        let (kind, role) = match self {
            Caller::User(u) => (u.tenant_kind, u.role),
            Caller::Machine(m) => (m.tenant_kind, m.creator_role),
        };
        if permits(kind, role, permission) { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// The person behind the call; machines get 403 (the operation is for people only).
    pub fn user(&self) -> Result<&User> {
        match self {
            Caller::User(u) => Ok(u),
            Caller::Machine(_) => Err(Error::Forbidden),
        }
    }

    pub fn tenant_id(&self) -> TenantId {
        match self {
            Caller::User(u) => u.tenant_id,
            Caller::Machine(m) => m.tenant_id,
        }
    }

    /// Whose rows the caller's transactions may see. Machines always act within their own tenant.
    pub fn scope(&self) -> Scope {
        match self {
            Caller::User(u) => u.scope(),
            Caller::Machine(m) => Scope::Tenant(m.tenant_id),
        }
    }
}

/// The caller of a request, or 401.
pub fn require_caller(c: Option<&Caller>) -> Result<&Caller> {
    c.ok_or(Error::Unauthorized(ErrorCode::NotAuthenticated))
}

/// The signed-in person of a request: 401 without one, 403 for a machine.
pub fn require_user(c: Option<&Caller>) -> Result<&User> {
    require_caller(c)?.user()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind of organisation a role is found in (the owner: a bodega's, so uploads are what it may do).
    fn home_of(role: Role) -> TenantKind {
        match role {
            Role::Admin => TenantKind::Platform,
            Role::Workshop => TenantKind::Workshop,
            Role::Warehouse | Role::Owner => TenantKind::Warehouse,
            _ => TenantKind::Manufacturer,
        }
    }

    fn user(role: Role, tenant: TenantId) -> Caller {
        user_in(home_of(role), role, tenant)
    }

    fn user_in(tenant_kind: TenantKind, role: Role, tenant: TenantId) -> Caller {
        Caller::User(User {
            user_id: UserId::new_v4(),
            tenant_id: tenant,
            session_id: Uuid::new_v4(),
            role,
            tenant_kind,
            email: String::new(),
            display_name: String::new(),
        })
    }

    fn key(scopes: &[ApiScope]) -> Caller {
        key_of(Role::Owner, scopes)
    }

    fn key_of(creator_role: Role, scopes: &[ApiScope]) -> Caller {
        key_in(home_of(creator_role), creator_role, scopes)
    }

    fn key_in(tenant_kind: TenantKind, creator_role: Role, scopes: &[ApiScope]) -> Caller {
        Caller::Machine(Machine {
            key_id: Uuid::new_v4(),
            tenant_id: TenantId::new_v4(),
            name: "erp".into(),
            scopes: scopes.to_vec(),
            creator_role,
            tenant_kind,
        })
    }

    #[test]
    fn the_organisations_kind_bounds_people_and_keys() {
        // A bodega's owner holds the owner's role but not a plant: production is refused, to them and to a key they
        // hold with the scope (issue 22: a bodega made owner got plant configuration).
        let bodega_owner = user_in(TenantKind::Warehouse, Role::Owner, TenantId::new_v4());
        assert!(bodega_owner.require(ApiScope::ProductionRead).is_err());
        assert!(bodega_owner.require(ApiScope::ProductionIngest).is_err());
        assert!(bodega_owner.require(ApiScope::InventoryWrite).is_ok());
        let Caller::User(u) = &bodega_owner else { unreachable!() };
        assert!(u.require(Permission::PlantConfigure).is_err());
        let key = key_in(TenantKind::Warehouse, Role::Owner, &[ApiScope::ProductionIngest, ApiScope::InventoryWrite]);
        assert!(key.require(ApiScope::ProductionIngest).is_err());
        assert!(key.require(ApiScope::InventoryWrite).is_ok());
        // The same role in a plant gets the plant, and no bodega uploads.
        let plant_owner = user_in(TenantKind::Manufacturer, Role::Owner, TenantId::new_v4());
        assert!(plant_owner.require(ApiScope::ProductionRead).is_ok());
        assert!(plant_owner.require(ApiScope::InventoryWrite).is_err());
    }

    #[test]
    fn a_key_passes_exactly_its_scopes() {
        let k = key(&[ApiScope::InventoryWrite]);
        for s in ApiScope::ALL {
            assert_eq!(k.require(s).is_ok(), s == ApiScope::InventoryWrite, "{s:?}");
        }
        assert!(matches!(k.user(), Err(Error::Forbidden)));
    }

    #[test]
    fn a_person_passes_the_scopes_of_their_role() {
        let bodega = user(Role::Warehouse, TenantId::new_v4());
        for s in ApiScope::ALL {
            assert_eq!(
                bodega.require(s).is_ok(),
                matches!(s, ApiScope::InventoryRead | ApiScope::InventoryWrite | ApiScope::CatalogRead),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_permission_beyond_the_scope_needs_the_role_behind_the_caller() {
        let (read, avail) = (ApiScope::CatalogRead, Permission::AvailabilityRead);
        for role in Role::ALL {
            let person = user(role, TenantId::new_v4());
            assert_eq!(
                person.require_with(read, avail).is_ok(),
                matches!(role, Role::Admin | Role::Workshop),
                "{role:?}"
            );
            // A key passes with the scope and a creator who holds the permission; never without the scope.
            assert_eq!(
                key_of(role, &[read]).require_with(read, avail).is_ok(),
                permits(home_of(role), role, avail) && permits(home_of(role), role, read.required_permission()),
                "{role:?}"
            );
            assert!(key_of(role, &[ApiScope::InventoryWrite]).require_with(read, avail).is_err(), "{role:?}");
        }
    }

    #[test]
    fn platform_scope_needs_the_platform_tenant_not_just_the_role() {
        assert_eq!(user(Role::Admin, PLATFORM_TENANT).scope(), Scope::Platform);
        let other = TenantId::new_v4();
        assert_eq!(user(Role::Admin, other).scope(), Scope::Tenant(other));
        assert_eq!(user(Role::Owner, other).scope(), Scope::Tenant(other));
    }
}
