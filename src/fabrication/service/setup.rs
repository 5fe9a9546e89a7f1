//! The shop's set-up: its subsystems (data per organisation, what parts are filed under), how long a claim lasts,
//! and the people a lead may assign a part to.

use serde_json::json;

use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta};
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::fabrication::rules::parts::{LEASE_DEFAULT, check_lease, check_subsystem};
use crate::fabrication::rules::views::{FabSettings, Subsystem};
use crate::fabrication::store::parts as store;
use crate::identity::rules::auth::{ApiScope, Permission, Role, permits};
use crate::ids::{SubsystemId, UserId};
use crate::workflow::machine::Person;

/// The organisation's subsystems, live ones first (`fabrication:read`).
pub async fn subsystems(pool: &PgPool, caller: &Caller) -> Result<Vec<Subsystem>> {
    caller.require(ApiScope::FabricationRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::subsystems(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|r| Subsystem { id: SubsystemId(r.id), name: r.name, archived: r.archived }).collect())
}

/// Creates a subsystem, or renames or archives the one `id` names (a lead; audited). A name the organisation has
/// already, whatever its case, is 409 `name_taken`.
pub async fn save_subsystem(
    pool: &PgPool,
    caller: &Caller,
    id: Option<SubsystemId>,
    name: &str,
    archived: bool,
    meta: &RequestMeta,
) -> Result<Subsystem> {
    let user = caller.user()?;
    user.require(Permission::FabLead)?;
    let name = check_subsystem(name).map_err(|e| Error::Validation(vec![e]))?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let saved =
        store::save_subsystem(&mut tx, tenant, id.map(|i| i.0), &name, archived).await?.ok_or(Error::NotFound)?;
    let event = Event::new("fabrication.subsystem_saved")
        .target("fabrication_subsystem", saved)
        .after(json!({ "name": name, "archived": archived }));
    audit::record(&mut tx, &Actor::of(user, meta), event).await?;
    tx.commit().await?;
    Ok(Subsystem { id: SubsystemId(saved), name, archived })
}

/// The organisation's fabrication settings (`fabrication:read`).
pub async fn settings(pool: &PgPool, caller: &Caller) -> Result<FabSettings> {
    caller.require(ApiScope::FabricationRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let lease_minutes = store::lease(&mut tx, tenant).await?.unwrap_or(LEASE_DEFAULT);
    tx.commit().await?;
    Ok(FabSettings { lease_minutes })
}

/// Sets how long a claim lasts (a lead; audited): claims made or extended from now on get it.
pub async fn save_settings(pool: &PgPool, caller: &Caller, s: &FabSettings, meta: &RequestMeta) -> Result<FabSettings> {
    let user = caller.user()?;
    user.require(Permission::FabLead)?;
    let minutes = check_lease(s.lease_minutes).map_err(|e| Error::Validation(vec![e]))?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let before = store::lease(&mut tx, tenant).await?.unwrap_or(LEASE_DEFAULT);
    store::set_lease(&mut tx, tenant, minutes).await?;
    let event = Event::new("fabrication.settings_saved")
        .target("fabrication_settings", user.tenant_id)
        .before(json!({ "lease_minutes": before }))
        .after(json!({ "lease_minutes": minutes }));
    audit::record(&mut tx, &Actor::of(user, meta), event).await?;
    tx.commit().await?;
    Ok(FabSettings { lease_minutes: minutes })
}

/// A person who makes parts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = FabricationMaker)]
pub struct Maker {
    pub person: Person,
    pub role: Role,
    /// Whether they lead the shop (approve, assign, revert).
    pub lead: bool,
}

/// The organisation's active people who make parts (`fabrication:read`): whom a lead may assign a part to.
pub async fn makers(pool: &PgPool, caller: &Caller) -> Result<Vec<Maker>> {
    caller.require(ApiScope::FabricationRead)?;
    let kind = match caller {
        Caller::User(u) => u.tenant_kind,
        Caller::Machine(m) => m.tenant_kind,
    };
    let roles: Vec<String> =
        Role::ALL.iter().filter(|r| permits(kind, **r, Permission::FabWork)).map(|r| r.as_str().to_owned()).collect();
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::people(&mut tx, &roles).await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|r| {
            let role = Role::decode(&r.role).map_err(Error::internal)?;
            Ok(Maker {
                person: Person { id: UserId(r.id), name: r.display_name },
                role,
                lead: permits(kind, role, Permission::FabLead),
            })
        })
        .collect()
}
