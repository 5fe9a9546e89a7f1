//! Keeping and reading files inside the caller's transaction (the area that names the file authorizes the call and
//! writes its own row in the same transaction).

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::ids::TenantId;

use super::rules::{self, Checked};
use super::store;

/// Checks a file and keeps it for `tenant` (once, by its content): what it is, or the field's refusal (422).
pub async fn keep(tx: &mut Tx, tenant: TenantId, name: &str, bytes: &[u8]) -> Result<Checked> {
    let checked = rules::check(name, bytes).map_err(|e| Error::Validation(vec![e]))?;
    store::keep(tx, tenant, &checked.sha256, checked.media_type, bytes).await?;
    Ok(checked)
}

/// A file of `tenant` by its hash: its type and bytes.
pub async fn read(tx: &mut Tx, tenant: TenantId, sha256: &[u8]) -> Result<(String, Vec<u8>)> {
    store::read(tx, tenant, sha256).await?.ok_or(Error::NotFound)
}
