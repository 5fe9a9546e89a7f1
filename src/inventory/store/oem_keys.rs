//! The catalog's OEM number keys for the in-memory copy uploads match against ([`crate::inventory::service::oem_keys`]):
//! the version of the parts' keys, and the keys themselves in byte order, a page at a time.
//!
//! Indexes: `catalog_parts_number_key_idx (number_key) include (id, manufacturer_id)` (an index-only walk in key
//! order, grouped as it goes; the page resumes after the last key).

use crate::db::Tx;

/// The version of the catalog's part keys: the id of the last transaction that changed them (migration
/// `20261123000008`).
pub(in crate::inventory) async fn version(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!("select version from catalog_parts_version").fetch_one(&mut **tx).await
}

/// Up to `limit` OEM number keys after `after` (from the first with `""`: no key is empty), in byte order, each with
/// its lowest part id and how many parts have it.
pub(in crate::inventory) async fn page(
    tx: &mut Tx,
    after: &str,
    limit: i64,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select number_key as "key!", min(id) as "id!", count(*) as "parts!"
           from catalog_parts
           where number_key > $1
           group by number_key
           order by number_key
           limit $2"#,
        after,
        limit
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.key, r.id, r.parts)).collect())
}
