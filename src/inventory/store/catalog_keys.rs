//! The catalog's number keys for the in-memory copy uploads match against
//! ([`crate::inventory::service::catalog_keys`]): the version of the keys, and each list's keys in byte order, a page
//! at a time, each with the lowest id it names and whether it names several.
//!
//! Indexes (each an index-only walk in key order, grouped as it goes; a page resumes after the last key):
//! `catalog_parts_number_key_idx (number_key) include (id, manufacturer_id)`,
//! `catalog_aftermarket_number_key_idx (number_key) include (manufacturer_id)`,
//! `catalog_cross_refs_number_key_idx (number_key) include (part_id)`.

use crate::db::Tx;

/// The version of the catalog's number keys: the id of the last transaction that changed them (migration
/// `20261123000009`).
pub(in crate::inventory) async fn version(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!("select version from catalog_keys_version").fetch_one(&mut **tx).await
}

/// One list of the catalog's number keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::inventory) enum List {
    /// OEM numbers: the parts.
    Parts,
    /// Aftermarket numbers: the brands (manufacturers) whose products have them.
    Aftermarket,
    /// Superseded and equivalent numbers: the parts they name.
    CrossRefs,
}

/// Up to `limit` keys of `list` after `after` (from the first with `""`: no key is empty), in byte order, each with
/// the lowest id it names and whether it names more than one.
pub(in crate::inventory) async fn page(
    tx: &mut Tx,
    list: List,
    after: &str,
    limit: i64,
) -> Result<Vec<(String, i64, bool)>, sqlx::Error> {
    Ok(match list {
        List::Parts => sqlx::query!(
            r#"select number_key as "key!", min(id) as "id!", count(*) > 1 as "several!"
               from catalog_parts
               where number_key > $1
               group by number_key
               order by number_key
               limit $2"#,
            after,
            limit
        )
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.key, r.id, r.several))
        .collect(),
        List::Aftermarket => sqlx::query!(
            r#"select number_key as "key!", min(manufacturer_id)::bigint as "id!",
                      count(distinct manufacturer_id) > 1 as "several!"
               from catalog_aftermarket
               where number_key > $1
               group by number_key
               order by number_key
               limit $2"#,
            after,
            limit
        )
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.key, r.id, r.several))
        .collect(),
        List::CrossRefs => sqlx::query!(
            r#"select number_key as "key!", min(part_id) as "id!", count(distinct part_id) > 1 as "several!"
               from catalog_cross_refs
               where number_key > $1
               group by number_key
               order by number_key
               limit $2"#,
            after,
            limit
        )
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.key, r.id, r.several))
        .collect(),
    })
}
