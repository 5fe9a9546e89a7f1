//! The files' SQL. Indexes: `files_blobs` primary key `(tenant_id, sha256)` (a file kept once, read by its hash).

use crate::db::Tx;
use crate::ids::TenantId;

/// Keeps a file (nothing when the organisation has it already).
pub(super) async fn keep(
    tx: &mut Tx,
    tenant: TenantId,
    sha256: &[u8],
    media_type: &str,
    bytes: &[u8],
) -> Result<(), sqlx::Error> {
    let size = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    sqlx::query!(
        "insert into files_blobs (tenant_id, sha256, size, media_type, bytes) values ($1, $2, $3, $4, $5)
         on conflict (tenant_id, sha256) do nothing",
        tenant.0,
        sha256,
        size,
        media_type,
        bytes
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A file's type and bytes.
pub(super) async fn read(
    tx: &mut Tx,
    tenant: TenantId,
    sha256: &[u8],
) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    Ok(sqlx::query!("select media_type, bytes from files_blobs where tenant_id = $1 and sha256 = $2", tenant.0, sha256)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| (r.media_type, r.bytes)))
}
