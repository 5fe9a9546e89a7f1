//! Who is calling and from where: resolved once per request by the server's session middleware and handed to every flow.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use uuid::Uuid;

use crate::domain::auth::{ApiScope, Permission, Role};
use crate::domain::codes::ErrorCode;
use crate::store::db::Scope;

use super::error::{Error, Result};

/// Request facts recorded in the audit log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub user_agent: String,
    pub request_id: String,
}

impl RequestMeta {
    pub fn ip_network(&self) -> Option<IpNetwork> {
        self.ip.map(IpNetwork::from)
    }
}

/// A signed-in person (browser session or bearer access token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub session_id: Uuid,
    pub role: Role,
    pub email: String,
    pub display_name: String,
}

impl Caller {
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.role.has(permission) { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Admins act across tenants; everyone else within their own.
    pub fn scope(&self) -> Scope {
        if self.role == Role::Admin { Scope::Platform } else { Scope::Tenant(self.tenant_id) }
    }
}

/// A machine client authenticated by an API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub key_id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub scopes: Vec<ApiScope>,
}

impl Machine {
    pub fn require(&self, scope: ApiScope) -> Result<()> {
        if self.scopes.contains(&scope) { Ok(()) } else { Err(Error::Forbidden) }
    }
}

/// Whoever is behind a request, if anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User(Caller),
    Machine(Machine),
}

impl Principal {
    pub fn user(&self) -> Result<&Caller> {
        match self {
            Principal::User(c) => Ok(c),
            Principal::Machine(_) => Err(Error::Forbidden),
        }
    }
}

/// The principal of a request, or the reason there is none.
pub fn require_user(p: Option<&Principal>) -> Result<&Caller> {
    p.ok_or(Error::Unauthorized(ErrorCode::NotAuthenticated))?.user()
}
