//! The legacy `AFT-` migration's SQL, set-based: one statement per step over every legacy part at once.
//!
//! 1. `legacy_split`: each `AFT-…` part taken apart by the rule of `rules::legacy` (the manufacturer is the longest
//!    dash-separated suffix naming a known manufacturer, else the last segment).
//! 2. The OEM part each replaces: the part a cross-reference names with the same number and that manufacturer as its
//!    source; else a part of the same group (not itself legacy) fitting one of the same vehicles.
//! 3. Manufacturers the keys name and the catalog lacks are created.
//! 4. Matched parts become aftermarket rows of their OEM part; their fitment moves to the OEM part; they are deleted
//!    (their own cross-references go with them). Unmatched ones stay, reported, for a later run.
//!
//! `legacy_split` does not exist when the crate compiles, hence `sqlx::query` (unchecked).

use crate::db::Tx;

/// How many legacy parts, split or not, matched by which path.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(in crate::catalog) struct Split {
    pub legacy: i64,
    pub unparseable: i64,
    pub via_cross_ref: i64,
    pub via_fitment: i64,
    pub no_match: i64,
}

/// The key SQL computes for a manufacturer name; `rules::legacy::manufacturer_key` in Rust.
const MFR_KEY: &str = "upper(btrim(regexp_replace(%s, '\\s+', ' ', 'g')))";

fn mfr_key(expr: &str) -> String {
    MFR_KEY.replace("%s", expr)
}

/// Takes every legacy part apart into `legacy_split` (temporary, dropped at commit) and finds its OEM part.
pub(in crate::catalog) async fn split(tx: &mut Tx) -> Result<Split, sqlx::Error> {
    let suffix_key = mfr_key("array_to_string(l.segs[i:], '-')");
    let chosen_key = mfr_key("array_to_string(segs[at:], '-')");
    sqlx::query(&format!(
        r#"create temp table legacy_split on commit drop as
        with legacy as (
            select p.id, p.name, p.group_id, string_to_array(substr(p.number, 5), '-') as segs
            from catalog_parts p
            where p.number like 'AFT-%'),
        parsed as (
            select l.*,
                   coalesce(
                       (select min(i) from generate_series(2, cardinality(l.segs)) as i
                        where exists (select 1 from catalog_manufacturers m where m.key = {suffix_key})),
                       cardinality(l.segs)) as at
            from legacy l
            where cardinality(l.segs) >= 2 and not exists (select 1 from unnest(l.segs) as s where btrim(s) = ''))
        select id, name, group_id,
               btrim(array_to_string(segs[1:at - 1], '-')) as number,
               regexp_replace(upper(array_to_string(segs[1:at - 1], '-')), '[^[:alnum:]]', '', 'g') as number_key,
               btrim(array_to_string(segs[at:], '-')) as mfr_name,
               {chosen_key} as mfr_key,
               null::bigint as oem_id,
               null::text as via
        from parsed"#
    ))
    .execute(&mut **tx)
    .await?;
    // Through a cross-reference: the OEM part lists this number from this manufacturer.
    sqlx::query(
        "update legacy_split s set oem_id = x.part_id, via = 'cross_ref'
         from (select distinct on (s2.id) s2.id, c.part_id
               from legacy_split s2
               join catalog_cross_refs c on c.number_key = s2.number_key and upper(c.source) = s2.mfr_key
               join catalog_parts p on p.id = c.part_id and p.number not like 'AFT-%'
               order by s2.id, c.part_id) x
         where x.id = s.id",
    )
    .execute(&mut **tx)
    .await?;
    // Else through fitment: a non-legacy part of the same group fitting one of the same vehicles (the lowest id, so
    // runs agree). The lowest such part per (vehicle, group) is found once over the fitment those pairs touch, then
    // each legacy part takes the lowest over its vehicles: a join of a few rows per legacy part, where pairing
    // fitment rows by vehicle directly would meet every part of that vehicle (thousands each).
    sqlx::query(
        "with unmatched as (
             select s2.id, s2.group_id, f1.vehicle_id
             from legacy_split s2 join catalog_fitment f1 on f1.part_id = s2.id
             where s2.oem_id is null and s2.group_id is not null),
         best as (
             select f.vehicle_id, p.group_id, min(f.part_id) as part_id
             from catalog_fitment f join catalog_parts p on p.id = f.part_id
             where p.number not like 'AFT-%'
               and f.vehicle_id in (select vehicle_id from unmatched)
               and p.group_id in (select group_id from unmatched)
             group by f.vehicle_id, p.group_id),
         chosen as (
             select u.id, min(b.part_id) as part_id
             from unmatched u join best b on b.vehicle_id = u.vehicle_id and b.group_id = u.group_id
             group by u.id)
         update legacy_split s set oem_id = c.part_id, via = 'fitment' from chosen c where c.id = s.id",
    )
    .execute(&mut **tx)
    .await?;
    let (legacy, via_cross_ref, via_fitment, no_match): (i64, i64, i64, i64) = sqlx::query_as(
        "select count(*), count(*) filter (where via = 'cross_ref'), count(*) filter (where via = 'fitment'),
                count(*) filter (where oem_id is null)
         from legacy_split",
    )
    .fetch_one(&mut **tx)
    .await?;
    let all: i64 =
        sqlx::query_scalar("select count(*) from catalog_parts where number like 'AFT-%'").fetch_one(&mut **tx).await?;
    Ok(Split { legacy: all, unparseable: all - legacy, via_cross_ref, via_fitment, no_match })
}

/// The first unmatched legacy parts, by number, for the report.
pub(in crate::catalog) async fn unmatched(tx: &mut Tx, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "select 'AFT-' || number || '-' || mfr_name from legacy_split where oem_id is null order by number limit $1",
    )
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// What moving the matched parts did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(in crate::catalog) struct Moved {
    pub manufacturers_created: i64,
    pub aftermarket_created: i64,
    pub fitment_relinked: i64,
    pub migrated: i64,
}

/// Creates the missing manufacturers, turns every matched legacy part into an aftermarket row of its OEM part, moves
/// its fitment there and deletes it.
pub(in crate::catalog) async fn move_matched(tx: &mut Tx) -> Result<Moved, sqlx::Error> {
    let manufacturers_created: i64 = sqlx::query_scalar(
        "with created as (
             insert into catalog_manufacturers (name, key)
             select distinct on (mfr_key) mfr_name, mfr_key from legacy_split where oem_id is not null
             order by mfr_key, id
             on conflict (key) do nothing returning 1)
         select count(*) from created",
    )
    .fetch_one(&mut **tx)
    .await?;
    // The tier is unknown in the legacy data: `standard` until the catalog says otherwise.
    let aftermarket_created: i64 = sqlx::query_scalar(
        "with created as (
             insert into catalog_aftermarket (manufacturer_id, number, number_key, name, tier, part_id)
             select m.id, s.number, s.number_key, s.name, 'standard', s.oem_id
             from legacy_split s join catalog_manufacturers m on m.key = s.mfr_key
             where s.oem_id is not null and s.number_key <> ''
             on conflict (manufacturer_id, number_key, part_id) do nothing returning 1)
         select count(*) from created",
    )
    .fetch_one(&mut **tx)
    .await?;
    let fitment_relinked: i64 = sqlx::query_scalar(
        "with moved as (
             insert into catalog_fitment (part_id, vehicle_id, position, notes)
             select s.oem_id, f.vehicle_id, f.position, f.notes
             from legacy_split s join catalog_fitment f on f.part_id = s.id
             where s.oem_id is not null
             on conflict (part_id, vehicle_id, position) do nothing returning 1)
         select count(*) from moved",
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "update catalog_parts p set vehicle_ids = c.ids, fitment_count = cardinality(c.ids)
         from (select f.part_id, array_agg(distinct f.vehicle_id order by f.vehicle_id) as ids from catalog_fitment f
               where f.part_id in (select oem_id from legacy_split where oem_id is not null)
               group by f.part_id) c
         where p.id = c.part_id and p.vehicle_ids <> c.ids",
    )
    .execute(&mut **tx)
    .await?;
    let migrated: i64 = sqlx::query_scalar(
        "with gone as (delete from catalog_parts p using legacy_split s
                       where p.id = s.id and s.oem_id is not null returning 1)
         select count(*) from gone",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Moved { manufacturers_created, aftermarket_created, fitment_relinked, migrated })
}
