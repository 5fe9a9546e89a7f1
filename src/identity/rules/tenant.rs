//! Tenants and account states: kinds, statuses, and the one table of which roles a kind of tenant may hold.
//!
//! These are stored as text (with check constraints) and travel as snake_case strings; in code they are enums, so a
//! new state is a compile error wherever it is not handled rather than a silent `_ =>` branch.

use serde::{Deserialize, Serialize};

use super::account::Email;
use super::auth::{Permission, Role};
use crate::codes::{ErrorCode, FieldError, check_text, text_enum};

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
            TenantKind::Workshop => &[
                AccountManage,
                UsersManage,
                AuditRead,
                ApiKeysManage,
                CatalogRead,
                AvailabilityRead,
                StockRead,
                StockMove,
                StockIssueSelf,
                StockConfigure,
            ],
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
                StockRead,
                StockMove,
                StockIssueSelf,
                StockConfigure,
                MesRead,
                MesWork,
                MesPlan,
                FabRead,
                FabWork,
                FabLead,
            ],
        };
        areas.contains(&p)
    }

    /// Whether a visitor may register an organisation of this kind themselves (pending the platform's approval):
    /// workshops, bodegas and plants; only the platform itself is never registered.
    pub const fn self_registrable(self) -> bool {
        !matches!(self, TenantKind::Platform)
    }

    /// The role of an organisation's first account, the one that registers it or is invited when the platform creates
    /// it: the person who runs it. A workshop's and a bodega's first account keeps its historical role (which holds
    /// what a one-person workshop or bodega does); a plant's is its owner, who then invites its people.
    pub const fn first_role(self) -> Role {
        match self {
            TenantKind::Platform => Role::Admin,
            TenantKind::Workshop => Role::Workshop,
            TenantKind::Warehouse => Role::Warehouse,
            TenantKind::Manufacturer => Role::Owner,
        }
    }

    /// The kind an older client names by the role it registers as (`role: workshop|warehouse`, before `kind`).
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

/// What a platform admin submits to create an organisation of any kind with its first owner (who is invited).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationInput {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    /// The address the first account is invited at.
    pub owner_email: String,
    /// ISO 3166 code (`MX`); empty: Mexico.
    #[serde(default)]
    pub country: String,
    /// Opening hours as people write them; optional.
    #[serde(default)]
    pub hours: String,
}

/// A country as a form or a client gave it: trimmed and upper-cased, empty for the platform's home (Mexico), and one
/// of the markets served ([`crate::numbers::COUNTRIES`]) or `country_unknown` on `field`.
pub fn check_country(field: &str, value: &str) -> Result<String, FieldError> {
    let code = value.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Ok("MX".to_owned());
    }
    if crate::numbers::known_country(&code) { Ok(code) } else { Err(FieldError::new(field, ErrorCode::CountryUnknown)) }
}

/// An organisation to create, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganisation {
    pub kind: TenantKind,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub owner_email: Email,
    pub country: String,
    pub hours: String,
}

impl OrganisationInput {
    pub fn validate(&self) -> Result<NewOrganisation, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = match TenantKind::parse(&self.kind) {
            Some(k) if k != TenantKind::Platform => Some(k),
            _ => {
                let code = if self.kind.is_empty() { ErrorCode::Required } else { ErrorCode::KindNotAllowed };
                errors.push(FieldError::new("kind", code));
                None
            }
        };
        let name = check_text("name", &self.name, true, 160).map_err(|e| errors.push(e)).ok();
        let phone = check_text("phone", &self.phone, false, 40).map_err(|e| errors.push(e)).ok();
        let address = check_text("address", &self.address, false, 240).map_err(|e| errors.push(e)).ok();
        let owner_email =
            Email::parse(&self.owner_email).map_err(|c| errors.push(FieldError::new("owner_email", c))).ok();
        let country = check_country("country", &self.country).map_err(|e| errors.push(e)).ok();
        let hours = check_text("hours", &self.hours, false, 200).map_err(|e| errors.push(e)).ok();
        match (kind, name, phone, address, owner_email, country, hours) {
            (Some(kind), Some(name), Some(phone), Some(address), Some(owner_email), Some(country), Some(hours))
                if errors.is_empty() =>
            {
                Ok(NewOrganisation { kind, name, phone, address, owner_email, country, hours })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_country_is_one_of_the_markets_served_and_mexico_by_default() {
        assert_eq!(check_country("country", " ar "), Ok("AR".to_owned()));
        assert_eq!(check_country("country", ""), Ok("MX".to_owned()));
        for bad in ["ZZ", "MEX", "México"] {
            assert_eq!(
                check_country("country", bad),
                Err(FieldError::new("country", ErrorCode::CountryUnknown)),
                "{bad}"
            );
        }
    }

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
    fn every_kind_but_the_platform_registers_itself_and_its_first_account_may_hold_its_role() {
        for k in TenantKind::ALL {
            assert_eq!(k.self_registrable(), k != TenantKind::Platform, "{k:?}");
            assert!(k.allows(k.first_role()), "{k:?}");
        }
        assert_eq!(TenantKind::Manufacturer.first_role(), Role::Owner);
        for r in Role::ALL {
            if let Some(k) = TenantKind::for_registration(r) {
                assert_eq!(k.first_role(), r, "{r:?}");
            }
        }
        assert_eq!(TenantKind::for_registration(Role::Owner), None);
    }

    #[test]
    fn the_platform_creates_any_kind_but_its_own_and_says_every_problem_at_once() {
        let input = OrganisationInput {
            kind: "manufacturer".into(),
            name: " Troqueles del Bajío ".into(),
            owner_email: "Rosa@Troqueles.MX".into(),
            country: String::new(),
            ..Default::default()
        };
        let org = input.validate().unwrap();
        assert_eq!(
            (org.kind, org.name.as_str(), org.owner_email.as_str()),
            (TenantKind::Manufacturer, "Troqueles del Bajío", "rosa@troqueles.mx")
        );
        let errs = OrganisationInput { kind: "platform".into(), ..Default::default() }.validate().unwrap_err();
        let got: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [("kind", ErrorCode::KindNotAllowed), ("name", ErrorCode::Required), ("owner_email", ErrorCode::Required)]
        );
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
