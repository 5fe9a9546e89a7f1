//! Roles, the permission matrix and access-token claims.
//!
//! The matrix is the one place that says who may do what. The server checks it on every server function and REST
//! endpoint; the UI reads the same table only to hide what a role cannot do.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::tenant::TenantKind;
use crate::codes::ErrorCode;
use crate::ids::{TenantId, UserId};

/// A user's role within their tenant. `Admin` exists only in the platform tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Owner,
    Manager,
    Operator,
    Supply,
    Viewer,
    Workshop,
    Warehouse,
}

crate::codes::text_enum!(Role "role" {
    Admin => "admin", Owner => "owner", Manager => "manager", Operator => "operator", Supply => "supply",
    Viewer => "viewer", Workshop => "workshop", Warehouse => "warehouse",
});

/// Whether a person of `role` in an organisation of `kind` may do `p`: the role holds it (the matrix below) AND the
/// kind offers it ([`TenantKind::offers`]: a bodega has no plant, a plant no bodega stock), and the kind allows the
/// role at all. The one check every area makes, server-side and in the UI: a role alone never grants anything.
pub fn permits(kind: TenantKind, role: Role, p: Permission) -> bool {
    kind.allows(role) && permissions_of(role).contains(&p) && kind.offers(p)
}

/// What a caller may do. Scope (own tenant vs platform-wide) is decided by the role: only `Admin` acts across tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Own account: profile, password, sessions.
    AccountManage,
    /// Approve, deactivate and change the role of users (own tenant; admin: every tenant).
    UsersManage,
    /// Browse and export the audit log (own tenant; admin: every tenant).
    AuditRead,
    /// Create, list and revoke the tenant's API keys for machine clients.
    ApiKeysManage,
    /// Search the platform parts catalog.
    CatalogRead,
    /// See which bodegas have a part, at what price.
    AvailabilityRead,
    /// Upload and manage the tenant's inventory.
    InventoryManage,
    /// Read production dashboards (OEE, downtime).
    ProductionRead,
    /// Record production facts, classify stops.
    ProductionRecord,
    /// Configure lines, products, shifts, dashboards.
    PlantConfigure,
    /// Read the stock room: items, balances, history, alerts.
    StockRead,
    /// Move stock: receive, issue, return, transfer, reverse, count; acknowledge alerts.
    StockMove,
    /// Issue to oneself, in the departments that allow it (an operator at an unstaffed counter).
    StockIssueSelf,
    /// Set up the stock room: items, departments, categories, levels, who belongs where.
    StockConfigure,
    /// Read the floor's work: tasks, production orders, their stage facts.
    MesRead,
    /// Work tasks: create them, comment, accept, start, send to review, review (where the task's own rules allow).
    MesWork,
    /// Plan the floor: production orders and their stages, task categories; cancel any task, reopen a shift's facts.
    MesPlan,
    /// Read the parts the shop makes for itself: the table, the board, a part and its drawings, the statistics.
    FabRead,
    /// Make parts: ask for one, claim it, extend and complete a claim, upload a drawing.
    FabWork,
    /// Lead the shop: approve or reject requests (never one's own), assign and take back claims, revert completed
    /// parts, approve drawings, keep the subsystems and the claims' lease.
    FabLead,
}

impl Permission {
    pub const ALL: [Permission; 20] = [
        Permission::AccountManage,
        Permission::UsersManage,
        Permission::AuditRead,
        Permission::ApiKeysManage,
        Permission::CatalogRead,
        Permission::AvailabilityRead,
        Permission::InventoryManage,
        Permission::ProductionRead,
        Permission::ProductionRecord,
        Permission::PlantConfigure,
        Permission::StockRead,
        Permission::StockMove,
        Permission::StockIssueSelf,
        Permission::StockConfigure,
        Permission::MesRead,
        Permission::MesWork,
        Permission::MesPlan,
        Permission::FabRead,
        Permission::FabWork,
        Permission::FabLead,
    ];
}

/// The permission matrix: role → permissions, before the organisation's kind narrows them ([`permits`]).
pub const fn permissions_of(role: Role) -> &'static [Permission] {
    use Permission::*;
    match role {
        Role::Admin => &[AccountManage, UsersManage, AuditRead, ApiKeysManage, CatalogRead, AvailabilityRead],
        Role::Owner => &[
            AccountManage,
            UsersManage,
            AuditRead,
            ApiKeysManage,
            CatalogRead,
            AvailabilityRead,
            InventoryManage,
            ProductionRead,
            ProductionRecord,
            PlantConfigure,
            StockRead,
            StockMove,
            StockConfigure,
            MesRead,
            MesWork,
            MesPlan,
            FabRead,
            FabWork,
            FabLead,
        ],
        Role::Manager => &[
            AccountManage,
            ApiKeysManage,
            ProductionRead,
            ProductionRecord,
            PlantConfigure,
            StockRead,
            StockConfigure,
            MesRead,
            MesWork,
            MesPlan,
            FabRead,
            FabWork,
            FabLead,
        ],
        Role::Operator => &[
            AccountManage,
            ProductionRead,
            ProductionRecord,
            StockRead,
            StockIssueSelf,
            MesRead,
            MesWork,
            FabRead,
            FabWork,
        ],
        Role::Supply => &[AccountManage, ProductionRead, StockRead, StockMove, MesRead, MesWork, FabRead],
        Role::Viewer => &[AccountManage, ProductionRead, StockRead, MesRead, FabRead],
        Role::Workshop => {
            &[AccountManage, ApiKeysManage, CatalogRead, AvailabilityRead, StockRead, StockMove, StockConfigure]
        }
        Role::Warehouse => &[AccountManage, CatalogRead, InventoryManage, ApiKeysManage],
    }
}

/// Scopes an API key can carry: one per kind of machine operation. Every REST operation names the scope it needs; a
/// key passes exactly the operations its scopes allow, and a person passes when their role holds the permission behind
/// the scope ([`ApiScope::required_permission`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(example = "inventory:write"))]
pub enum ApiScope {
    /// Search the parts catalog.
    #[serde(rename = "catalog:read")]
    CatalogRead,
    /// Read back the tenant's inventory (an ERP checking what it sent).
    #[serde(rename = "inventory:read")]
    InventoryRead,
    /// Upload the tenant's inventory (a bodega's ERP).
    #[serde(rename = "inventory:write")]
    InventoryWrite,
    /// Push production detections (a line's PLC or camera).
    #[serde(rename = "production:ingest")]
    ProductionIngest,
    /// Read production figures (OEE, downtime).
    #[serde(rename = "production:read")]
    ProductionRead,
    /// Record on the floor: give stops their reason (a line's terminal).
    #[serde(rename = "production:record")]
    ProductionRecord,
    /// Read the tenant's audit log (a SIEM pulling it).
    #[serde(rename = "audit:read")]
    AuditRead,
    /// Read the stock room (a report, `nexus-server stock status`).
    #[serde(rename = "stock:read")]
    StockRead,
    /// Move stock and keep its items (a scanner station, `nexus-server stock add|issue|return…`).
    #[serde(rename = "stock:write")]
    StockWrite,
    /// Read the floor's work: tasks, production orders, facts, the current shift.
    #[serde(rename = "mes:read")]
    MesRead,
    /// Work on the floor: tasks and their transitions, comments, stage facts, material issued to orders.
    #[serde(rename = "mes:write")]
    MesWrite,
    /// Read the parts the shop makes: the table, a part, its drawings, the statistics.
    #[serde(rename = "fabrication:read")]
    FabricationRead,
    /// Make parts: ask for them and move them through their workflow (as the person the key acts for may).
    #[serde(rename = "fabrication:write")]
    FabricationWrite,
}

crate::codes::text_enum!(ApiScope "API scope" {
    CatalogRead => "catalog:read", InventoryRead => "inventory:read", InventoryWrite => "inventory:write",
    ProductionIngest => "production:ingest",
    ProductionRead => "production:read", ProductionRecord => "production:record", AuditRead => "audit:read",
    StockRead => "stock:read", StockWrite => "stock:write", MesRead => "mes:read", MesWrite => "mes:write",
    FabricationRead => "fabrication:read", FabricationWrite => "fabrication:write",
});

impl ApiScope {
    /// The permission behind the scope: a person needs it to pass an operation of this scope, and to hand the scope to
    /// a key (nobody can mint a key stronger than themselves).
    pub const fn required_permission(self) -> Permission {
        match self {
            ApiScope::CatalogRead => Permission::CatalogRead,
            ApiScope::InventoryRead | ApiScope::InventoryWrite => Permission::InventoryManage,
            ApiScope::ProductionIngest => Permission::ProductionRecord,
            ApiScope::ProductionRead => Permission::ProductionRead,
            ApiScope::ProductionRecord => Permission::ProductionRecord,
            ApiScope::AuditRead => Permission::AuditRead,
            ApiScope::StockRead => Permission::StockRead,
            ApiScope::StockWrite => Permission::StockMove,
            ApiScope::MesRead => Permission::MesRead,
            ApiScope::MesWrite => Permission::MesWork,
            ApiScope::FabricationRead => Permission::FabRead,
            ApiScope::FabricationWrite => Permission::FabWork,
        }
    }

    /// The scopes a role in an organisation of `kind` may grant (and a key created by it may keep using).
    pub fn grantable_by(kind: TenantKind, role: Role) -> impl Iterator<Item = ApiScope> {
        ApiScope::ALL.into_iter().filter(move |s| permits(kind, role, s.required_permission()))
    }
}

/// Lifetime of an access token, in seconds (15 minutes).
pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
/// Absolute lifetime of a session (its refresh-token family), in seconds: 12 hours, a working day (OWASP ASVS 3.3.2).
/// No refresh extends it.
pub const SESSION_MAX_LIFETIME_SECS: i64 = 12 * 60 * 60;
/// A session unused for this long is over, whatever its tokens say (30 minutes).
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
/// Concurrent sessions a user may hold; opening one more revokes the oldest.
pub const MAX_SESSIONS_PER_USER: i64 = 3;
/// A rotated refresh token presented again within this window is a browser race (two tabs, parallel requests), not
/// theft: the request gets the same successor token again instead of revoking the family (never a fresh credential).
pub const REFRESH_REUSE_GRACE_SECS: i64 = 20;

/// The longest login (e-mail or username) looked up or recorded: the longest e-mail address there can be.
pub const LOGIN_MAX_CHARS: usize = 254;
/// Our refresh tokens are far shorter; anything longer is not one of them and is refused before it is hashed.
pub const REFRESH_TOKEN_MAX_CHARS: usize = 200;

/// Why a session ended (stored with it, and in the audit entry that records it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    Logout,
    UserRevoked,
    SessionCap,
    RefreshReuse,
    PasswordChanged,
    Deactivated,
    TenantSuspended,
    Idle,
    Expired,
}
crate::codes::text_enum!(EndReason "session end reason" {
    Logout => "logout", UserRevoked => "user_revoked", SessionCap => "session_cap", RefreshReuse => "refresh_reuse",
    PasswordChanged => "password_changed", Deactivated => "deactivated", TenantSuspended => "tenant_suspended",
    Idle => "idle", Expired => "expired",
});

impl EndReason {
    /// What a user is told when a request finds their session ended for this reason (`None`: ended, reason not
    /// recorded): timed out, ended by a newer sign-in or someone else, or shut by the account's or the
    /// organisation's state.
    pub fn code(reason: Option<Self>) -> ErrorCode {
        match reason {
            Some(Self::SessionCap | Self::UserRevoked | Self::PasswordChanged | Self::RefreshReuse) => {
                ErrorCode::SessionEnded
            }
            Some(Self::Deactivated) => ErrorCode::AccountDeactivated,
            Some(Self::TenantSuspended) => ErrorCode::OrganisationSuspended,
            Some(Self::Logout | Self::Idle | Self::Expired) | None => ErrorCode::SessionExpired,
        }
    }
}

/// Claims of the short-lived access JWT. The token names the session so that logout and revocation take effect
/// immediately: the server checks the session on every request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// user id
    pub sub: UserId,
    /// tenant id
    pub tid: TenantId,
    /// session id
    pub sid: Uuid,
    pub role: Role,
    /// issued at (unix seconds)
    pub iat: i64,
    /// expires at (unix seconds)
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

pub const TOKEN_ISSUER: &str = "nexus";
pub const TOKEN_AUDIENCE: &str = "nexus-api";

impl AccessClaims {
    pub fn new(user: UserId, tenant: TenantId, session: Uuid, role: Role, now_unix: i64) -> Self {
        Self {
            sub: user,
            tid: tenant,
            sid: session,
            role,
            iat: now_unix,
            exp: now_unix + ACCESS_TOKEN_TTL_SECS,
            iss: TOKEN_ISSUER.to_owned(),
            aud: TOKEN_AUDIENCE.to_owned(),
        }
    }

    pub fn is_expired(&self, now_unix: i64) -> bool {
        now_unix >= self.exp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(role: Role, allowed: &[Permission]) {
        for p in Permission::ALL {
            assert_eq!(permissions_of(role).contains(&p), allowed.contains(&p), "{role:?} / {p:?}");
        }
    }

    /// What each kind of organisation lets each of its roles do, the matrix narrowed by the kind.
    fn check_in(kind: TenantKind, role: Role, allowed: &[Permission]) {
        for p in Permission::ALL {
            assert_eq!(permits(kind, role, p), allowed.contains(&p), "{kind:?} / {role:?} / {p:?}");
        }
    }

    #[test]
    fn the_kind_of_organisation_narrows_every_role() {
        use Permission::*;
        use TenantKind::*;
        // A bodega's owner runs the bodega: users, keys, audit, its stock uploads; no plant, no competitors' prices.
        check_in(
            Warehouse,
            Role::Owner,
            &[AccountManage, UsersManage, AuditRead, ApiKeysManage, CatalogRead, InventoryManage],
        );
        check_in(Warehouse, Role::Warehouse, &[AccountManage, CatalogRead, InventoryManage, ApiKeysManage]);
        // A workshop's owner: the catalog and availability, their stock room; no bodega uploads, no plant.
        check_in(
            Workshop,
            Role::Owner,
            &[
                AccountManage,
                UsersManage,
                AuditRead,
                ApiKeysManage,
                CatalogRead,
                AvailabilityRead,
                StockRead,
                StockMove,
                StockConfigure,
            ],
        );
        // A workshop's own account keeps its shelf: reads, moves and sets up its stock room, and keeps the keys and
        // webhooks its own systems use (a scanner client, the CLI, its ERP told of low stock).
        check_in(
            Workshop,
            Role::Workshop,
            &[AccountManage, ApiKeysManage, CatalogRead, AvailabilityRead, StockRead, StockMove, StockConfigure],
        );
        // A plant's owner: the plant and its stock room, the catalog and availability; no bodega uploads.
        check_in(
            Manufacturer,
            Role::Owner,
            &[
                AccountManage,
                UsersManage,
                AuditRead,
                ApiKeysManage,
                CatalogRead,
                AvailabilityRead,
                ProductionRead,
                ProductionRecord,
                PlantConfigure,
                StockRead,
                StockMove,
                StockConfigure,
                MesRead,
                MesWork,
                MesPlan,
                FabRead,
                FabWork,
                FabLead,
            ],
        );
        // An operator reads the stock room and issues to themselves where the department allows it; makes parts.
        check_in(
            Manufacturer,
            Role::Operator,
            &[
                AccountManage,
                ProductionRead,
                ProductionRecord,
                StockRead,
                StockIssueSelf,
                MesRead,
                MesWork,
                FabRead,
                FabWork,
            ],
        );
        check_in(
            Manufacturer,
            Role::Supply,
            &[AccountManage, ProductionRead, StockRead, StockMove, MesRead, MesWork, FabRead],
        );
        // A warehouse keeps no stock room.
        check_in(Warehouse, Role::Warehouse, &[AccountManage, CatalogRead, InventoryManage, ApiKeysManage]);
        check_in(
            Platform,
            Role::Admin,
            &[AccountManage, UsersManage, AuditRead, ApiKeysManage, CatalogRead, AvailabilityRead],
        );
        // A role the kind does not allow grants nothing, not even its own account (data that should not exist).
        for kind in TenantKind::ALL {
            for role in Role::ALL {
                if !kind.allows(role) {
                    check_in(kind, role, &[]);
                }
            }
        }
    }

    #[test]
    fn permission_matrix() {
        use Permission::*;
        check(Role::Admin, &[AccountManage, UsersManage, AuditRead, ApiKeysManage, CatalogRead, AvailabilityRead]);
        check(
            Role::Owner,
            &[
                AccountManage,
                UsersManage,
                AuditRead,
                ApiKeysManage,
                CatalogRead,
                AvailabilityRead,
                InventoryManage,
                ProductionRead,
                ProductionRecord,
                PlantConfigure,
                StockRead,
                StockMove,
                StockConfigure,
                MesRead,
                MesWork,
                MesPlan,
                FabRead,
                FabWork,
                FabLead,
            ],
        );
        check(
            Role::Manager,
            &[
                AccountManage,
                ApiKeysManage,
                ProductionRead,
                ProductionRecord,
                PlantConfigure,
                StockRead,
                StockConfigure,
                MesRead,
                MesWork,
                MesPlan,
                FabRead,
                FabWork,
                FabLead,
            ],
        );
        check(
            Role::Operator,
            &[
                AccountManage,
                ProductionRead,
                ProductionRecord,
                StockRead,
                StockIssueSelf,
                MesRead,
                MesWork,
                FabRead,
                FabWork,
            ],
        );
        check(Role::Supply, &[AccountManage, ProductionRead, StockRead, StockMove, MesRead, MesWork, FabRead]);
        check(Role::Viewer, &[AccountManage, ProductionRead, StockRead, MesRead, FabRead]);
        check(
            Role::Workshop,
            &[AccountManage, ApiKeysManage, CatalogRead, AvailabilityRead, StockRead, StockMove, StockConfigure],
        );
        check(Role::Warehouse, &[AccountManage, CatalogRead, InventoryManage, ApiKeysManage]);
    }

    #[test]
    fn every_role_manages_its_own_account_and_only_admin_and_owner_manage_users() {
        for r in Role::ALL {
            assert!(permissions_of(r).contains(&Permission::AccountManage));
            assert_eq!(permissions_of(r).contains(&Permission::UsersManage), matches!(r, Role::Admin | Role::Owner));
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("ADMIN"), None);
        assert_eq!(Role::parse(""), None);
    }

    #[test]
    fn scopes_round_trip() {
        for s in ApiScope::ALL {
            assert_eq!(ApiScope::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<ApiScope>(&json).unwrap(), s);
        }
        assert_eq!(ApiScope::parse("inventory"), None);
    }

    #[test]
    fn scopes_need_the_permission_behind_them() {
        use ApiScope::*;
        use TenantKind::{Manufacturer, Platform, Warehouse, Workshop};
        let grantable = |k: TenantKind, r: Role| ApiScope::grantable_by(k, r).collect::<Vec<_>>();
        assert_eq!(
            grantable(Manufacturer, Role::Owner),
            vec![
                CatalogRead,
                ProductionIngest,
                ProductionRead,
                ProductionRecord,
                AuditRead,
                StockRead,
                StockWrite,
                MesRead,
                MesWrite,
                FabricationRead,
                FabricationWrite
            ]
        );
        // A bodega's owner cannot mint a key that pushes production, however the matrix reads for owners.
        assert_eq!(grantable(Warehouse, Role::Owner), vec![CatalogRead, InventoryRead, InventoryWrite, AuditRead]);
        assert_eq!(grantable(Workshop, Role::Owner), vec![CatalogRead, AuditRead, StockRead, StockWrite]);
        assert_eq!(grantable(Warehouse, Role::Warehouse), vec![CatalogRead, InventoryRead, InventoryWrite]);
        // A manager sets the stock room up but does not move stock: a key of theirs reads it only.
        assert_eq!(
            grantable(Manufacturer, Role::Manager),
            vec![
                ProductionIngest,
                ProductionRead,
                ProductionRecord,
                StockRead,
                MesRead,
                MesWrite,
                FabricationRead,
                FabricationWrite
            ]
        );
        assert_eq!(grantable(Workshop, Role::Workshop), vec![CatalogRead, StockRead, StockWrite]);
        assert_eq!(grantable(Platform, Role::Admin), vec![CatalogRead, AuditRead]);
        assert_eq!(grantable(Manufacturer, Role::Viewer), vec![ProductionRead, StockRead, MesRead, FabricationRead]);
    }

    #[test]
    fn claims_expire_after_fifteen_minutes() {
        let u = UserId::new_v4();
        let c = AccessClaims::new(u, TenantId(Uuid::nil()), Uuid::new_v4(), Role::Viewer, 1_000);
        assert_eq!(c.exp - c.iat, 900);
        assert_eq!(c.sub, u);
        assert!(!c.is_expired(1_899));
        assert!(c.is_expired(1_900));
        assert_eq!(c.iss, TOKEN_ISSUER);
        assert_eq!(c.aud, TOKEN_AUDIENCE);
    }
}
