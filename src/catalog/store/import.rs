//! The import's SQL: each file's rows arrive by COPY into a staging table (temporary, dropped at commit), then one
//! set-based statement per step: drop earlier duplicates (the last line wins), report rows whose references resolve to
//! nothing, create missing manufacturers and groups, and upsert by natural key, counting inserted and updated rows
//! (`xmax = 0` marks an insert). A row equal to the stored one is not written at all, so a second run of the same
//! files changes nothing. Staging tables do not exist when the crate compiles, hence `sqlx::query` (unchecked) here.

use crate::catalog::rules::import::Entity;
use crate::db::Tx;

/// How many rejected lines a report lists per reason (all are counted).
pub(in crate::catalog) const REJECTS_LISTED: i64 = 1000;

/// Columns of each staging table, in COPY order (`line` first: the file's line, for reports).
pub(in crate::catalog) fn staging_columns(entity: Entity) -> &'static str {
    match entity {
        Entity::Parts => "line, mfr_name, mfr_key, number, number_key, name, group_path, description",
        Entity::Vehicles => "line, code, make, model, year_from, year_to, engine, displacement_l, fuel",
        Entity::Fitment => "line, mfr_key, number_key, vehicle_code, position, notes",
        Entity::Aftermarket => {
            "line, mfr_name, mfr_key, number, number_key, name, tier, reference_price, currency, oem_mfr_key, oem_number_key"
        }
        Entity::CrossRefs => "line, oem_mfr_key, oem_number_key, number, number_key, source, kind",
    }
}

fn staging_table(entity: Entity) -> String {
    format!("stage_{}", entity.as_str())
}

/// Memory for this transaction's set-based steps (hashes, sorts, index builds over millions of rows): far above the
/// per-query default, which suits the many small queries of a web request, not one import.
pub(in crate::catalog) async fn bulk_memory(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query("set local work_mem = '256MB'").execute(&mut **tx).await?;
    sqlx::query("set local maintenance_work_mem = '1GB'").execute(&mut **tx).await?;
    // Its locks may wait for readers to finish (the pool's default is for requests).
    sqlx::query("set local lock_timeout = '5min'").execute(&mut **tx).await?;
    Ok(())
}

/// The catalog table an entity's rows go to.
fn target_table(entity: Entity) -> &'static str {
    match entity {
        Entity::Parts => "catalog_parts",
        Entity::Vehicles => "catalog_vehicles",
        Entity::Fitment => "catalog_fitment",
        Entity::Aftermarket => "catalog_aftermarket",
        Entity::CrossRefs => "catalog_cross_refs",
    }
}

/// What a bulk load took off a table, to put back before the import commits: the statements that recreate its
/// secondary indexes, then those that restore its foreign keys.
#[derive(Debug, Default)]
pub(in crate::catalog) struct SetAside {
    indexes: Vec<String>,
    foreign_keys: Vec<String>,
}

/// Loading an empty table, the way PostgreSQL's manual advises for bulk loads ("Populating a Database"): its
/// secondary indexes (not the primary and unique keys the upsert needs) and foreign keys are dropped for the load
/// and made again at the end, in one pass each, instead of being maintained row by row (three times faster here:
/// trigram and text-search indexes grow slowly one key at a time, and a foreign key costs a lookup per row). The
/// staged rows were already checked against the references the keys guard, and everything happens inside the
/// import's transaction: nobody sees the table without them, and a failed import leaves them as they were.
///
/// Only for a table that is empty (a new catalog), and only when the connection's login role owns it (DDL needs
/// the owner; the statements run as it, then the transaction goes back to `nexus_app`). Returns `None` otherwise:
/// the rows are then upserted with the indexes in place. While the load runs, readers of the table wait for it
/// (the catalog was empty anyway; their lock wait is bounded by `lock_timeout`).
pub(in crate::catalog) async fn set_aside(tx: &mut Tx, entity: Entity) -> Result<Option<SetAside>, sqlx::Error> {
    let table = target_table(entity);
    let owner: bool = sqlx::query_scalar(
        "select pg_has_role(session_user, c.relowner, 'MEMBER') from pg_class c where c.oid = $1::regclass",
    )
    .bind(table)
    .fetch_one(&mut **tx)
    .await?;
    let empty: bool =
        sqlx::query_scalar(&format!("select not exists (select 1 from {table})")).fetch_one(&mut **tx).await?;
    if !owner || !empty {
        return Ok(None);
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
         from pg_index i
         where i.indrelid = $1::regclass and not i.indisunique and not i.indisprimary
         order by 1",
    )
    .bind(table)
    .fetch_all(&mut **tx)
    .await?;
    let foreign_keys: Vec<(String, String)> = sqlx::query_as(
        "select conname::text, pg_get_constraintdef(oid) from pg_constraint
         where conrelid = $1::regclass and contype = 'f' order by 1",
    )
    .bind(table)
    .fetch_all(&mut **tx)
    .await?;
    as_owner(tx, true).await?;
    for (name, _) in &foreign_keys {
        sqlx::query(&format!("alter table {table} drop constraint {}", quote_ident(name))).execute(&mut **tx).await?;
    }
    for (name, _) in &indexes {
        sqlx::query(&format!("drop index {name}")).execute(&mut **tx).await?;
    }
    as_owner(tx, false).await?;
    Ok(Some(SetAside {
        indexes: indexes.into_iter().map(|(_, def)| def).collect(),
        foreign_keys: foreign_keys
            .into_iter()
            .map(|(name, def)| format!("alter table {table} add constraint {} {def}", quote_ident(&name)))
            .collect(),
    }))
}

/// Puts back what [`set_aside`] took: every index first (built in one pass each, in parallel workers where
/// PostgreSQL can), then the foreign keys (each checked by one join over the table).
pub(in crate::catalog) async fn put_back(
    tx: &mut Tx,
    aside: Vec<SetAside>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<(), sqlx::Error> {
    if aside.is_empty() {
        return Ok(());
    }
    as_owner(tx, true).await?;
    for statement in aside.iter().flat_map(|a| &a.indexes) {
        progress(statement);
        sqlx::query(statement).execute(&mut **tx).await?;
    }
    for statement in aside.iter().flat_map(|a| &a.foreign_keys) {
        progress(statement);
        sqlx::query(statement).execute(&mut **tx).await?;
    }
    as_owner(tx, false).await
}

/// Switches the transaction to the login role (the tables' owner) or back to `nexus_app`.
async fn as_owner(tx: &mut Tx, owner: bool) -> Result<(), sqlx::Error> {
    let sql = if owner {
        "select set_config('role', session_user, true)"
    } else {
        "select set_config('role', 'nexus_app', true)"
    };
    sqlx::query(sql).execute(&mut **tx).await?;
    Ok(())
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the entity's staging table and returns the COPY statement that fills it.
pub(in crate::catalog) async fn create_staging(tx: &mut Tx, entity: Entity) -> Result<String, sqlx::Error> {
    let columns = match entity {
        Entity::Parts => {
            "line bigint, mfr_name text, mfr_key text, number text, number_key text collate \"C\", name text, \
             group_path text, description text"
        }
        Entity::Vehicles => {
            "line bigint, code text, make text, model text, year_from smallint, year_to smallint, engine text, \
             displacement_l numeric(3, 1), fuel text"
        }
        Entity::Fitment => {
            "line bigint, mfr_key text, number_key text collate \"C\", vehicle_code text, position text, notes text"
        }
        Entity::Aftermarket => {
            "line bigint, mfr_name text, mfr_key text, number text, number_key text collate \"C\", name text, tier text, \
             reference_price numeric(12, 2), currency text, oem_mfr_key text, oem_number_key text collate \"C\""
        }
        Entity::CrossRefs => {
            "line bigint, oem_mfr_key text, oem_number_key text collate \"C\", number text, number_key text collate \"C\", \
             source text, kind text"
        }
    };
    let table = staging_table(entity);
    sqlx::query(&format!("create temp table {table} ({columns}) on commit drop")).execute(&mut **tx).await?;
    Ok(format!("copy {table} ({}) from stdin", staging_columns(entity)))
}

/// The natural key of a staged row, as SQL over the staging table's columns (the parser hashes the same columns to
/// tell whether any repeats: `service::import::copy_line`).
fn natural_key(entity: Entity) -> &'static str {
    match entity {
        Entity::Parts => "mfr_key, number_key",
        Entity::Vehicles => "code",
        Entity::Fitment => "mfr_key, number_key, vehicle_code, position",
        Entity::Aftermarket => "mfr_key, number_key, oem_mfr_key, oem_number_key",
        Entity::CrossRefs => "oem_mfr_key, oem_number_key, number_key, source",
    }
}

/// Rejected lines found in SQL: (line, what, key), at most [`REJECTS_LISTED`] of each kind, and how many in all.
#[derive(Debug, Default)]
pub(in crate::catalog) struct SqlRejects {
    pub duplicates: Vec<(i64, String)>,
    pub duplicates_total: i64,
    pub unresolved: Vec<(i64, String, String)>,
    pub unresolved_total: i64,
}

/// Removes every staged row that a later line of the same file repeats (by natural key); returns them.
pub(in crate::catalog) async fn drop_duplicates(
    tx: &mut Tx,
    entity: Entity,
    out: &mut SqlRejects,
) -> Result<(), sqlx::Error> {
    let table = staging_table(entity);
    let key = natural_key(entity);
    let sql = format!(
        "with ranked as (select line, row_number() over (partition by {key} order by line desc) as rn, \
                concat_ws(' ', {key}) as k from {table}),
              gone as (delete from {table} s using ranked r where s.line = r.line and r.rn > 1 returning s.line, r.k)
         select line, k, count(*) over () from gone order by line limit $1"
    );
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(&sql).bind(REJECTS_LISTED).fetch_all(&mut **tx).await?;
    out.duplicates_total = rows.first().map_or(0, |r| r.2);
    out.duplicates = rows.into_iter().map(|(l, k, _)| (l, k)).collect();
    Ok(())
}

/// Removes staged rows whose references resolve to nothing (a fitment's part or vehicle, an aftermarket part's or a
/// cross-reference's OEM part); returns them.
pub(in crate::catalog) async fn drop_unresolved(
    tx: &mut Tx,
    entity: Entity,
    out: &mut SqlRejects,
) -> Result<(), sqlx::Error> {
    let table = staging_table(entity);
    let part = |mfr: &str, number: &str| {
        format!(
            "not exists (select 1 from catalog_parts p join catalog_manufacturers m on m.id = p.manufacturer_id \
             where m.key = s.{mfr} and p.number_key = s.{number})"
        )
    };
    // (what, key shown, condition for "unresolved")
    let checks: Vec<(&str, String, String)> = match entity {
        Entity::Parts | Entity::Vehicles => return Ok(()),
        Entity::Fitment => vec![
            ("part", "s.mfr_key || ' ' || s.number_key".into(), part("mfr_key", "number_key")),
            (
                "vehicle",
                "s.vehicle_code".into(),
                "not exists (select 1 from catalog_vehicles v where v.code = s.vehicle_code)".into(),
            ),
        ],
        Entity::Aftermarket | Entity::CrossRefs => {
            vec![("oem_part", "s.oem_mfr_key || ' ' || s.oem_number_key".into(), part("oem_mfr_key", "oem_number_key"))]
        }
    };
    for (what, shown, condition) in checks {
        let sql = format!(
            "with gone as (delete from {table} s where {condition} returning s.line, {shown} as k)
             select line, k, count(*) over () from gone order by line limit $1"
        );
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(&sql).bind(REJECTS_LISTED).fetch_all(&mut **tx).await?;
        out.unresolved_total += rows.first().map_or(0, |r| r.2);
        out.unresolved.extend(rows.into_iter().map(|(l, k, _)| (l, what.to_owned(), k)));
    }
    out.unresolved.sort_by_key(|r| r.0);
    out.unresolved.truncate(REJECTS_LISTED as usize);
    Ok(())
}

/// Creates the manufacturers staged rows name and the catalog lacks; returns how many.
pub(in crate::catalog) async fn create_manufacturers(tx: &mut Tx, entity: Entity) -> Result<i64, sqlx::Error> {
    let table = staging_table(entity);
    let sql = format!(
        "with created as (
             insert into catalog_manufacturers (name, key)
             select distinct on (mfr_key) mfr_name, mfr_key from {table} order by mfr_key, line desc
             on conflict (key) do nothing returning 1)
         select count(*) from created"
    );
    sqlx::query_scalar(&sql).fetch_one(&mut **tx).await
}

/// Creates the groups the staged parts name (every level of each path); returns how many.
pub(in crate::catalog) async fn create_groups(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    // One statement per depth (a path's parent must exist first), never one per row.
    let depth: Option<i32> = sqlx::query_scalar(
        "select max(cardinality(string_to_array(group_path, ' › '))) from stage_parts where group_path <> ''",
    )
    .fetch_one(&mut **tx)
    .await?;
    let mut created = 0;
    for d in 1..=depth.unwrap_or(0) {
        created += sqlx::query_scalar::<_, i64>(
            "with paths as (
                 select distinct segs[$1] as name, array_to_string(segs[1:$1], ' › ') as path,
                        array_to_string(segs[1:$1 - 1], ' › ') as parent
                 from (select string_to_array(group_path, ' › ') as segs from stage_parts where group_path <> '') s
                 where cardinality(segs) >= $1),
             created as (
                 insert into catalog_groups (parent_id, name, path)
                 select g.id, p.name, p.path from paths p left join catalog_groups g on g.path = p.parent
                 on conflict (path) do nothing returning 1)
             select count(*) from created",
        )
        .bind(d)
        .fetch_one(&mut **tx)
        .await?;
    }
    Ok(created)
}

/// Inserted and updated rows of one upsert.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(in crate::catalog) struct Upserted {
    pub inserted: i64,
    pub updated: i64,
}

const COUNT_UPSERTED: &str = "select count(*) filter (where inserted), count(*) filter (where not inserted) from up";

/// Writes the staged rows of `entity` into the catalog by natural key, in the order of the key's index (its pages
/// are then filled one after the other, not visited at random).
pub(in crate::catalog) async fn upsert(tx: &mut Tx, entity: Entity) -> Result<Upserted, sqlx::Error> {
    let upsert = match entity {
        Entity::Parts => {
            "insert into catalog_parts (manufacturer_id, number, number_key, name, description, group_id, search)
             select m.id, s.number, s.number_key, s.name, s.description, g.id,
                    catalog_part_search(s.name, s.group_path, s.description)
             from stage_parts s
             join catalog_manufacturers m on m.key = s.mfr_key
             left join catalog_groups g on g.path = s.group_path
             order by m.id, s.number_key
             on conflict (manufacturer_id, number_key) do update
                 set number = excluded.number, name = excluded.name, description = excluded.description,
                     group_id = excluded.group_id, search = excluded.search, updated_at = now()
                 where (catalog_parts.number, catalog_parts.name, catalog_parts.description, catalog_parts.group_id)
                       is distinct from (excluded.number, excluded.name, excluded.description, excluded.group_id)"
        }
        Entity::Vehicles => {
            "insert into catalog_vehicles (code, make, model, year_from, year_to, engine, displacement_l, fuel)
             select code, make, model, year_from, year_to, engine, displacement_l, fuel from stage_vehicles
             on conflict (code) do update
                 set make = excluded.make, model = excluded.model, year_from = excluded.year_from,
                     year_to = excluded.year_to, engine = excluded.engine, displacement_l = excluded.displacement_l,
                     fuel = excluded.fuel
                 where (catalog_vehicles.make, catalog_vehicles.model, catalog_vehicles.year_from,
                        catalog_vehicles.year_to, catalog_vehicles.engine, catalog_vehicles.displacement_l,
                        catalog_vehicles.fuel)
                       is distinct from (excluded.make, excluded.model, excluded.year_from, excluded.year_to,
                                         excluded.engine, excluded.displacement_l, excluded.fuel)"
        }
        Entity::Fitment => {
            "insert into catalog_fitment (part_id, vehicle_id, position, notes)
             select p.id, v.id, s.position, s.notes
             from stage_fitment s
             join catalog_manufacturers m on m.key = s.mfr_key
             join catalog_parts p on p.manufacturer_id = m.id and p.number_key = s.number_key
             join catalog_vehicles v on v.code = s.vehicle_code
             order by p.id, v.id, s.position
             on conflict (part_id, vehicle_id, position) do update set notes = excluded.notes
                 where catalog_fitment.notes is distinct from excluded.notes"
        }
        Entity::Aftermarket => {
            "insert into catalog_aftermarket
                 (manufacturer_id, number, number_key, name, tier, reference_price, currency, part_id)
             select m.id, s.number, s.number_key, s.name, s.tier, s.reference_price, s.currency, p.id
             from stage_aftermarket s
             join catalog_manufacturers m on m.key = s.mfr_key
             join catalog_manufacturers om on om.key = s.oem_mfr_key
             join catalog_parts p on p.manufacturer_id = om.id and p.number_key = s.oem_number_key
             order by m.id, s.number_key, p.id
             on conflict (manufacturer_id, number_key, part_id) do update
                 set number = excluded.number, name = excluded.name, tier = excluded.tier,
                     reference_price = excluded.reference_price, currency = excluded.currency, updated_at = now()
                 where (catalog_aftermarket.number, catalog_aftermarket.name, catalog_aftermarket.tier,
                        catalog_aftermarket.reference_price, catalog_aftermarket.currency)
                       is distinct from (excluded.number, excluded.name, excluded.tier, excluded.reference_price,
                                         excluded.currency)"
        }
        Entity::CrossRefs => {
            "insert into catalog_cross_refs (part_id, number, number_key, source, kind)
             select p.id, s.number, s.number_key, s.source, s.kind
             from stage_cross_refs s
             join catalog_manufacturers om on om.key = s.oem_mfr_key
             join catalog_parts p on p.manufacturer_id = om.id and p.number_key = s.oem_number_key
             order by p.id, s.number_key, s.source
             on conflict (part_id, number_key, source) do update set number = excluded.number, kind = excluded.kind
                 where (catalog_cross_refs.number, catalog_cross_refs.kind)
                       is distinct from (excluded.number, excluded.kind)"
        }
    };
    let sql = format!("with up as ({upsert} returning (xmax = 0) as inserted) {COUNT_UPSERTED}");
    let (inserted, updated): (i64, i64) = sqlx::query_as(&sql).fetch_one(&mut **tx).await?;
    Ok(Upserted { inserted, updated })
}

/// Refreshes the vehicles of the parts the staged fitment touched: their ids (the search's vehicle filter) and count.
pub(in crate::catalog) async fn recount_fitment(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update catalog_parts p set vehicle_ids = c.ids, fitment_count = cardinality(c.ids)
         from (select f.part_id, array_agg(distinct f.vehicle_id order by f.vehicle_id) as ids from catalog_fitment f
               where f.part_id in (select p2.id from stage_fitment s
                                   join catalog_manufacturers m on m.key = s.mfr_key
                                   join catalog_parts p2 on p2.manufacturer_id = m.id and p2.number_key = s.number_key)
               group by f.part_id) c
         where p.id = c.part_id and p.vehicle_ids <> c.ids",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Rebuilds the typo vocabulary: the folded words (three letters or more) of the parts' names, groups and
/// descriptions, with how often each occurs.
pub(in crate::catalog) async fn rebuild_words(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query("delete from catalog_words").execute(&mut **tx).await?;
    sqlx::query(
        "insert into catalog_words (word, parts)
         select w, count(*) from (
             select regexp_split_to_table(
                        catalog_fold(p.name || ' ' || coalesce(g.path, '') || ' ' || p.description), '[^a-z]+') as w
             from catalog_parts p left join catalog_groups g on g.id = p.group_id
         ) t
         where length(w) >= 3 group by w",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Starts a run record (its own transaction: a failed import is still on record).
pub(in crate::catalog) async fn start_run(
    pool: &sqlx::PgPool,
    kind: &str,
    actor: &str,
    source: &str,
) -> Result<uuid::Uuid, sqlx::Error> {
    let mut tx = crate::db::begin(pool, crate::db::Scope::Platform).await?;
    let id = sqlx::query_scalar!(
        "insert into catalog_runs (kind, actor, source) values ($1, $2, $3) returning id",
        kind,
        actor,
        source
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub(in crate::catalog) async fn finish_run(
    pool: &sqlx::PgPool,
    id: uuid::Uuid,
    succeeded: bool,
    report: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    let mut tx = crate::db::begin(pool, crate::db::Scope::Platform).await?;
    let status = if succeeded { "succeeded" } else { "failed" };
    sqlx::query!(
        "update catalog_runs set status = $2, finished_at = now(), report = $3 where id = $1",
        id,
        status,
        report
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
