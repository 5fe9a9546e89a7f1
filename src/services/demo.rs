//! Demo data: one tenant of each kind and an account for every role, so a newcomer can try every screen.
//!
//! Idempotent: existing accounts are left alone (their passwords are not reset).

use sqlx::PgPool;

use crate::domain::auth::Role;
use crate::store::db::{self, PLATFORM_TENANT, Scope};
use crate::store::{tenants, users};

use super::auth::hash_password;
use super::error::Result;

#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: &'static str,
    pub role: Role,
    pub tenant: &'static str,
}

/// (tenant kind, tenant name, e-mail, display name, role)
const ACCOUNTS: &[(&str, &str, &str, &str, Role)] = &[
    ("platform", "Nexus", "admin@nexus.demo", "Administración Nexus", Role::Admin),
    ("manufacturer", "Planta Demo", "dueno@planta.demo", "Dueña de planta", Role::Owner),
    ("manufacturer", "Planta Demo", "gerente@planta.demo", "Gerente de planta", Role::Manager),
    ("manufacturer", "Planta Demo", "operador@planta.demo", "Operador de línea", Role::Operator),
    ("manufacturer", "Planta Demo", "almacen@planta.demo", "Almacenista", Role::Supply),
    ("manufacturer", "Planta Demo", "lector@planta.demo", "Lector", Role::Viewer),
    ("workshop", "Taller Demo", "taller@taller.demo", "Mecánico del taller", Role::Workshop),
    ("warehouse", "Bodega Demo", "bodega@bodega.demo", "Encargado de bodega", Role::Warehouse),
];

pub async fn seed(pool: &PgPool, password: &str) -> Result<Vec<DemoAccount>> {
    let hash = hash_password(password.to_owned()).await?;
    let mut tx = db::begin(pool, Scope::Platform).await?;
    for &(kind, tenant_name, email, name, role) in ACCOUNTS {
        let tenant_id = if kind == "platform" {
            PLATFORM_TENANT
        } else {
            match tenants::find_by_name(&mut tx, kind, tenant_name).await? {
                Some(id) => id,
                None => {
                    tenants::insert(
                        &mut tx,
                        tenants::NewTenant { kind, name: tenant_name, status: "active", phone: "", address: "" },
                    )
                    .await?
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
                status: "active",
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ACCOUNTS.iter().map(|&(_, tenant, email, _, role)| DemoAccount { email, role, tenant }).collect())
}
