//! SQL of the part page, the vehicle cascade and the admin overview. Catalog rows are readable by every role, so these
//! run on a pooled connection (the overview's run history too: runs are catalog rows).

use sqlx::PgPool;

use crate::catalog::rules::part::ExamplePart;
use crate::catalog::rules::search::VehicleFilter;

pub(in crate::catalog) struct PartRow {
    pub id: i64,
    pub number: String,
    pub manufacturer: String,
    pub name: String,
    pub description: String,
    pub group: Option<String>,
    pub fitment_count: i32,
}

pub(in crate::catalog) async fn part(pool: &PgPool, id: i64) -> Result<Option<PartRow>, sqlx::Error> {
    sqlx::query_as!(
        PartRow,
        r#"select p.id, p.number, m.name as manufacturer, p.name, p.description, g.path as "group?", p.fitment_count
           from catalog_parts p join catalog_manufacturers m on m.id = p.manufacturer_id
           left join catalog_groups g on g.id = p.group_id
           where p.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

pub(in crate::catalog) struct FitRow {
    pub make: String,
    pub model: String,
    pub year_from: i16,
    pub year_to: i16,
    pub engine: String,
    pub displacement_l: Option<String>,
    pub fuel: Option<String>,
    pub position: String,
    pub notes: String,
}

/// The vehicles a part fits, sorted for merging consecutive years (index: the fitment primary key, part first).
pub(in crate::catalog) async fn fits(pool: &PgPool, part: i64) -> Result<Vec<FitRow>, sqlx::Error> {
    sqlx::query_as!(
        FitRow,
        r#"select v.make, v.model, v.year_from, v.year_to, v.engine, v.displacement_l::text as displacement_l,
                  v.fuel, f.position, f.notes
           from catalog_fitment f join catalog_vehicles v on v.id = f.vehicle_id
           where f.part_id = $1
           order by v.make, v.model, v.engine, f.position, v.fuel, v.displacement_l, f.notes, v.year_from"#,
        part
    )
    .fetch_all(pool)
    .await
}

pub(in crate::catalog) struct AlternativeRow {
    pub id: i64,
    pub brand: String,
    pub number: String,
    pub name: String,
    pub tier: String,
    pub reference_cents: Option<i64>,
    pub currency: String,
}

/// Aftermarket parts replacing a part, best tier first (index: catalog_aftermarket_part_idx).
pub(in crate::catalog) async fn alternatives(pool: &PgPool, part: i64) -> Result<Vec<AlternativeRow>, sqlx::Error> {
    sqlx::query_as!(
        AlternativeRow,
        r#"select a.id, m.name as brand, a.number, a.name, a.tier, (a.reference_price * 100)::bigint as reference_cents, a.currency
           from catalog_aftermarket a join catalog_manufacturers m on m.id = a.manufacturer_id
           where a.part_id = $1
           order by array_position(array['oe', 'premium', 'standard', 'economy'], a.tier), m.name, a.number_key"#,
        part
    )
    .fetch_all(pool)
    .await
}

pub(in crate::catalog) struct OtherNumberRow {
    pub number: String,
    pub source: String,
    pub kind: String,
}

pub(in crate::catalog) async fn other_numbers(pool: &PgPool, part: i64) -> Result<Vec<OtherNumberRow>, sqlx::Error> {
    sqlx::query_as!(
        OtherNumberRow,
        "select number, source, kind from catalog_cross_refs where part_id = $1 order by kind desc, number_key",
        part
    )
    .fetch_all(pool)
    .await
}

/// Whether the part exists (the REST alternatives of a missing part are a 404, not an empty list).
pub(in crate::catalog) async fn exists(pool: &PgPool, part: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists (select 1 from catalog_parts where id = $1) as "e!""#, part)
        .fetch_one(pool)
        .await
}

/// The cascade's lists for a selection (index: catalog_vehicles_years_idx, make and model first).
pub(in crate::catalog) async fn vehicle_options(
    pool: &PgPool,
    f: &VehicleFilter,
) -> Result<(Vec<String>, Vec<String>, Vec<i16>, Vec<String>), sqlx::Error> {
    let row = sqlx::query!(
        r#"select
             coalesce((select array_agg(m order by m) from (select min(make) as m from catalog_vehicles group by make_key) x),
                      '{}') as "makes!",
             coalesce((select array_agg(m order by m) from (select min(model) as m from catalog_vehicles
                        where $1::text is not null and make_key = catalog_fold($1) group by model_key) x), '{}') as "models!",
             coalesce((select array_agg(y order by y desc) from (select distinct generate_series(year_from::int4, year_to::int4)::int2 as y
                        from catalog_vehicles
                        where $2::text is not null and make_key = catalog_fold($1) and model_key = catalog_fold($2)) x),
                      '{}') as "years!",
             coalesce((select array_agg(e order by e) from (select distinct engine as e from catalog_vehicles
                        where $3::int2 is not null and make_key = catalog_fold($1) and model_key = catalog_fold($2)
                          and $3 between year_from and year_to and engine <> '') x), '{}') as "engines!""#,
        f.make.as_deref(),
        f.model.as_deref(),
        f.year,
    )
    .fetch_one(pool)
    .await?;
    Ok((row.makes, row.models, row.years, row.engines))
}

pub(in crate::catalog) struct CountsRow {
    pub parts: i64,
    pub aftermarket: i64,
    pub vehicles: i64,
    pub fitment: i64,
    pub cross_refs: i64,
    pub manufacturers: i64,
    pub groups: i64,
    pub synonyms: i64,
}

pub(in crate::catalog) async fn counts(pool: &PgPool) -> Result<CountsRow, sqlx::Error> {
    sqlx::query_as!(
        CountsRow,
        r#"select (select count(*) from catalog_parts) as "parts!",
                  (select count(*) from catalog_aftermarket) as "aftermarket!",
                  (select count(*) from catalog_vehicles) as "vehicles!",
                  (select count(*) from catalog_fitment) as "fitment!",
                  (select count(*) from catalog_cross_refs) as "cross_refs!",
                  (select count(*) from catalog_manufacturers) as "manufacturers!",
                  (select count(*) from catalog_groups) as "groups!",
                  (select count(*) from catalog_synonyms) as "synonyms!""#
    )
    .fetch_one(pool)
    .await
}

pub(in crate::catalog) struct RunRow {
    pub id: uuid::Uuid,
    pub kind: String,
    pub status: String,
    pub actor: String,
    pub source: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub report: serde_json::Value,
}

/// The latest runs, newest first (index: catalog_runs_started_idx).
pub(in crate::catalog) async fn runs(pool: &PgPool, limit: i64) -> Result<Vec<RunRow>, sqlx::Error> {
    sqlx::query_as!(
        RunRow,
        "select id, kind, status, actor, source, started_at, finished_at, report from catalog_runs
         order by started_at desc, id desc limit $1",
        limit
    )
    .fetch_all(pool)
    .await
}

/// The three best-fitted parts (index: `catalog_parts_rank_idx`), each with one aftermarket number replacing it
/// (`catalog_aftermarket_part_idx`) and the model of one vehicle it fits (the fitment primary key, part first).
pub(in crate::catalog) async fn example_parts(pool: &PgPool) -> Result<Vec<ExamplePart>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select p.number, p.name,
                  (select a.number from catalog_aftermarket a where a.part_id = p.id order by a.id limit 1) as "aftermarket?",
                  (select v.model from catalog_fitment f join catalog_vehicles v on v.id = f.vehicle_id
                   where f.part_id = p.id order by f.vehicle_id limit 1) as "model?"
           from catalog_parts p order by p.fitment_count desc, p.id limit 3"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ExamplePart { number: r.number, name: r.name, aftermarket: r.aftermarket, model: r.model })
        .collect())
}
