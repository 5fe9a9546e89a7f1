//! Demo data: one tenant of each kind and an account for every role, so a newcomer can try every screen.
//!
//! Idempotent: existing accounts are left alone (their passwords are not reset).

use sqlx::PgPool;

use super::auth::hash_password;
use crate::codes::ErrorCode;
use crate::db::{self, PLATFORM_TENANT, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::account::check_password;
use crate::identity::rules::auth::Role;
use crate::identity::rules::tenant::{TenantKind, TenantStatus, UserStatus};
use crate::identity::store::{tenants, users};

#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: &'static str,
    pub role: Role,
    pub tenant: &'static str,
}

/// (tenant kind, tenant name, e-mail, display name, role)
const ACCOUNTS: &[(TenantKind, &str, &str, &str, Role)] = &[
    (TenantKind::Platform, "Nexus", "admin@nexus.demo", "Administración Nexus", Role::Admin),
    (TenantKind::Manufacturer, "Planta Demo", "dueno@planta.demo", "Dueña de planta", Role::Owner),
    (TenantKind::Manufacturer, "Planta Demo", "gerente@planta.demo", "Gerente de planta", Role::Manager),
    (TenantKind::Manufacturer, "Planta Demo", "operador@planta.demo", "Operador de línea", Role::Operator),
    (TenantKind::Manufacturer, "Planta Demo", "almacen@planta.demo", "Almacenista", Role::Supply),
    (TenantKind::Manufacturer, "Planta Demo", "lector@planta.demo", "Lector", Role::Viewer),
    (TenantKind::Workshop, "Taller Demo", "taller@taller.demo", "Mecánico del taller", Role::Workshop),
    (TenantKind::Warehouse, "Bodega Demo", "bodega@bodega.demo", "Encargado de bodega", Role::Warehouse),
];

/// Seeds the demo tenants and accounts with `password`, which must pass the password policy like any other.
pub async fn seed(pool: &PgPool, password: &str) -> Result<Vec<DemoAccount>> {
    check_password(password).map_err(|c| Error::field("password", c))?;
    if super::passwords::is_common(password) {
        return Err(Error::field("password", ErrorCode::PasswordTooCommon));
    }
    let hash = hash_password(password.to_owned()).await?;
    let mut tx = db::begin(pool, Scope::Platform).await?;
    for &(kind, tenant_name, email, name, role) in ACCOUNTS {
        let tenant_id = if kind == TenantKind::Platform {
            PLATFORM_TENANT
        } else {
            match tenants::find_by_name(&mut tx, kind.as_str(), tenant_name).await? {
                Some(id) => id,
                None => {
                    // The demo bodega is reached as a real one is: its phone, address and hours show with its
                    // offers.
                    let bodega = kind == TenantKind::Warehouse;
                    let new = tenants::NewTenant {
                        kind: kind.as_str(),
                        name: tenant_name,
                        status: TenantStatus::Active.as_str(),
                        phone: if bodega { "55 5123 4567" } else { "" },
                        address: if bodega { "Av. Tlalpan 1234, Col. Portales, Ciudad de México" } else { "" },
                        country: "MX",
                        hours: if bodega { "Lun–Vie 9:00–18:00, Sáb 9:00–14:00" } else { "" },
                    };
                    tenants::insert(&mut tx, new).await?
                }
            }
        };
        if users::exists_by_email(&mut tx, email).await? {
            continue;
        }
        users::insert(
            &mut tx,
            users::NewUser {
                tenant_id,
                email,
                username: None,
                display_name: name,
                password_hash: &hash,
                role: role.as_str(),
                status: UserStatus::Active.as_str(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ACCOUNTS.iter().map(|&(_, tenant, email, _, role)| DemoAccount { email, role, tenant }).collect())
}

/// Users for the `bench` command: `n` active bodega users (`bench{i}@bench.local`) in a "Bench" tenant, with `password`.
/// Idempotent like [`seed`].
pub async fn seed_bench_users(pool: &PgPool, n: usize, password: &str) -> Result<Vec<String>> {
    let hash = hash_password(password.to_owned()).await?;
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let kind = TenantKind::Warehouse.as_str();
    let tenant = match tenants::find_by_name(&mut tx, kind, "Bench").await? {
        Some(t) => t,
        None => {
            let new = tenants::NewTenant {
                kind,
                name: "Bench",
                status: TenantStatus::Active.as_str(),
                phone: "",
                address: "",
                country: "MX",
                hours: "",
            };
            tenants::insert(&mut tx, new).await?
        }
    };
    let mut emails = Vec::with_capacity(n);
    for i in 0..n {
        let email = format!("bench{i}@bench.local");
        if !users::exists_by_email(&mut tx, &email).await? {
            let new = users::NewUser {
                tenant_id: tenant,
                email: &email,
                username: None,
                display_name: "Bench",
                password_hash: &hash,
                role: Role::Warehouse.as_str(),
                status: UserStatus::Active.as_str(),
            };
            users::insert(&mut tx, new).await?;
        }
        emails.push(email);
    }
    tx.commit().await?;
    Ok(emails)
}
