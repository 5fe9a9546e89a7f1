//! Tenants and account states: kinds, statuses, and the one table of which roles a kind of tenant may hold.
//!
//! These are stored as text (with check constraints) and travel as snake_case strings; in code they are enums, so a
//! new state is a compile error wherever it is not handled rather than a silent `_ =>` branch.

use serde::{Deserialize, Serialize};

use super::auth::{Permission, Role};
use crate::codes::text_enum;

/// What kind of organization a tenant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TenantKind {
    /// The platform itself: holds the platform admins.
    Platform,
    /// A workshop (taller): searches parts and availability.
    Workshop,
    /// A parts warehouse (bodega): uploads its stock.
    Warehouse,
    /// A manufacturer: plants, lines, production.
    Manufacturer,
}
text_enum!(TenantKind "tenant kind" { Platform => "platform", Workshop => "workshop", Warehouse => "warehouse", Manufacturer => "manufacturer" });

impl TenantKind {
    /// The roles an account in a tenant of this kind may hold. The one table that says so: registration, the role
    /// picker and role changes all read it.
    pub const fn roles(self) -> &'static [Role] {
        match self {
            TenantKind::Platform => &[Role::Admin],
            TenantKind::Workshop => &[Role::Workshop, Role::Owner],
            TenantKind::Warehouse => &[Role::Warehouse, Role::Owner],
            TenantKind::Manufacturer => &[Role::Owner, Role::Manager, Role::Operator, Role::Supply, Role::Viewer],
        }
    }

    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// What an organisation of this kind does at all: the permissions its areas offer to whichever of its roles hold
    /// them ([`super::auth::permits`]). The platform runs accounts and the catalog; a workshop finds parts and what
    /// bodegas hold, and keeps a stock room; a bodega publishes its stock; a plant runs production and a stock room.
    pub fn offers(self, p: Permission) -> bool {
        use Permission::*;
        let areas: &[Permission] = match self {
            TenantKind::Platform => {
                &[AccountManage, UsersManage, AuditRead, ApiKeysManage, CatalogRead, AvailabilityRead]
            }
            TenantKind::Workshop => {
                &[AccountManage, UsersManage, AuditRead, ApiKeysManage, CatalogRead, AvailabilityRead, StockManage]
            }
            TenantKind::Warehouse => {
                &[AccountManage, UsersManage, AuditRead, ApiKeysManage, CatalogRead, InventoryManage]
            }
            TenantKind::Manufacturer => &[
                AccountManage,
                UsersManage,
                AuditRead,
                ApiKeysManage,
                CatalogRead,
                AvailabilityRead,
                ProductionRead,
                ProductionRecord,
                PlantConfigure,
                StockManage,
            ],
        };
        areas.contains(&p)
    }

    /// The kind of tenant a self-registering visitor creates by picking this role (only workshops and bodegas register
    /// themselves).
    pub const fn for_registration(role: Role) -> Option<TenantKind> {
        match role {
            Role::Workshop => Some(TenantKind::Workshop),
            Role::Warehouse => Some(TenantKind::Warehouse),
            _ => None,
        }
    }
}

/// A tenant's state: pending until an admin approves its first user; suspended tenants cannot sign in or use keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    Pending,
    Active,
    Suspended,
}
text_enum!(TenantStatus "tenant status" { Pending => "pending", Active => "active", Suspended => "suspended" });

/// An account's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Registered, waiting for an administrator.
    Pending,
    Active,
    Deactivated,
}
text_enum!(UserStatus "user status" { Pending => "pending", Active => "active", Deactivated => "deactivated" });

/// What an administrator can do to an account (the UI's buttons, the server function's input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserAction {
    Approve,
    Deactivate,
    Reactivate,
    /// Change the role to the one given alongside.
    ChangeRole,
}
text_enum!(UserAction "user action" { Approve => "approve", Deactivate => "deactivate", Reactivate => "reactivate", ChangeRole => "change_role" });

impl UserAction {
    /// The status actions offered for an account in this state.
    pub const fn offered(status: UserStatus) -> &'static [UserAction] {
        match status {
            UserStatus::Pending => &[UserAction::Approve, UserAction::Deactivate],
            UserStatus::Active => &[UserAction::Deactivate],
            UserStatus::Deactivated => &[UserAction::Reactivate],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: TenantKind, allowed: &[Role]) {
        for r in Role::ALL {
            assert_eq!(kind.allows(r), allowed.contains(&r), "{kind:?} / {r:?}");
        }
    }

    #[test]
    fn roles_per_tenant_kind() {
        use Role::*;
        check(TenantKind::Platform, &[Admin]);
        check(TenantKind::Workshop, &[Workshop, Owner]);
        check(TenantKind::Warehouse, &[Warehouse, Owner]);
        check(TenantKind::Manufacturer, &[Owner, Manager, Operator, Supply, Viewer]);
    }

    #[test]
    fn only_workshops_and_bodegas_register_themselves() {
        for r in Role::ALL {
            let kind = TenantKind::for_registration(r);
            assert_eq!(kind.is_some(), r.self_registrable(), "{r:?}");
            if let Some(k) = kind {
                assert!(k.allows(r));
            }
        }
    }

    #[test]
    fn text_forms_round_trip_and_match_serde() {
        fn round<T: Copy + PartialEq + std::fmt::Debug + Serialize>(
            all: &[T],
            as_str: fn(T) -> &'static str,
            parse: fn(&str) -> Option<T>,
        ) {
            for &v in all {
                assert_eq!(parse(as_str(v)), Some(v));
                assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{}\"", as_str(v)));
            }
            assert_eq!(parse("nope"), None);
        }
        round(&TenantKind::ALL, TenantKind::as_str, TenantKind::parse);
        round(&TenantStatus::ALL, TenantStatus::as_str, TenantStatus::parse);
        round(&UserStatus::ALL, UserStatus::as_str, UserStatus::parse);
        round(&UserAction::ALL, UserAction::as_str, UserAction::parse);
    }

    #[test]
    fn actions_offered_per_status() {
        assert_eq!(UserAction::offered(UserStatus::Pending), &[UserAction::Approve, UserAction::Deactivate]);
        assert_eq!(UserAction::offered(UserStatus::Active), &[UserAction::Deactivate]);
        assert_eq!(UserAction::offered(UserStatus::Deactivated), &[UserAction::Reactivate]);
    }
}
