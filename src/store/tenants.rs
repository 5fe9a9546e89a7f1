//! Tenants: the organizations (workshops, bodegas, manufacturers, the platform itself).

use uuid::Uuid;

use super::db::Tx;

pub struct NewTenant<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub status: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
}

pub async fn insert(tx: &mut Tx, t: NewTenant<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into tenants (kind, name, status, phone, address) values ($1, $2, $3, $4, $5) returning id",
        t.kind,
        t.name,
        t.status,
        t.phone,
        t.address
    )
    .fetch_one(&mut **tx)
    .await
}

/// Activates a pending tenant (its first user was approved). Active or suspended tenants are left as they are.
pub async fn activate_if_pending(tx: &mut Tx, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("update tenants set status = 'active' where id = $1 and status = 'pending'", id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn find_by_name(tx: &mut Tx, kind: &str, name: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("select id from tenants where kind = $1 and name = $2", kind, name)
        .fetch_optional(&mut **tx)
        .await
}
