//! Units in: the plant's codes a batch is checked against, the batch's id claimed (idempotency), and its units
//! written with their per-minute and per-hour rollups in one statement (arrays unnested: one round trip per batch,
//! never a query per unit).
//!
//! Indexes: `production_lines (tenant_id, code)`, `production_areas (tenant_id, line_id, code)`,
//! `production_products (tenant_id, code)` (the plant, read whole); `production_batches` primary key (the claim);
//! `production_minutes` primary key `(tenant_id, line_id, minute, area_id, product_id)` and `production_hours` primary
//! key `(tenant_id, line_id, hour, area_id, product_id)` (the rollups' upserts).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::{AreaId, LineId, ProductId, TenantId};
use crate::production::rules::ingest::{Detection, Plant};

/// The tenant's active lines (with their areas) and products, by code.
pub(in crate::production) async fn plant(tx: &mut Tx) -> Result<Plant, sqlx::Error> {
    let areas = sqlx::query!(
        r#"select l.code as "line!", l.id as "line_id!", l.counting = 'people' as "by_people!", a.code as "area?",
                  a.id as "area_id?"
           from production_lines l left join production_areas a on a.tenant_id = l.tenant_id and a.line_id = l.id
           where l.active"#
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut lines: HashMap<String, (LineId, HashMap<String, AreaId>)> = HashMap::new();
    let mut by_people = std::collections::HashSet::new();
    for r in areas {
        if r.by_people {
            by_people.insert(r.line.clone());
        }
        let line = lines.entry(r.line).or_insert_with(|| (LineId(r.line_id), HashMap::new()));
        if let (Some(code), Some(id)) = (r.area, r.area_id) {
            line.1.insert(code, AreaId(id));
        }
    }
    let products = sqlx::query!("select code, id from production_products where active")
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.code, ProductId(r.id)))
        .collect();
    Ok(Plant { lines, products, by_people })
}

/// The first instant a unit may have: the start of the oldest month kept (its partition exists); none when no
/// partition does.
pub(in crate::production) async fn oldest_kept(tx: &mut Tx) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select min(to_timestamp(substring(c.relname from '(\d{4}_\d{2})$'), 'YYYY_MM')) as "oldest"
           from pg_inherits i join pg_class c on c.oid = i.inhrelid
           where i.inhparent = 'production_detections'::regclass"#
    )
    .fetch_one(&mut **tx)
    .await
}

/// A batch id stored before.
pub(in crate::production) struct Stored {
    pub digest: Option<Vec<u8>>,
    pub received_at: DateTime<Utc>,
}

/// Claims `batch_id` for the tenant with its content's `digest`: the batch stored before under this id, if one was
/// (nothing is stored again).
pub(in crate::production) async fn claim_batch(
    tx: &mut Tx,
    tenant: TenantId,
    batch_id: &str,
    units: i32,
    digest: &[u8],
) -> Result<Option<Stored>, sqlx::Error> {
    let r = sqlx::query!(
        "insert into production_batches (tenant_id, batch_id, detections, digest) values ($1, $2, $3, $4)
         on conflict (tenant_id, batch_id) do nothing",
        tenant.0,
        batch_id,
        units,
        digest
    )
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 1 {
        return Ok(None);
    }
    sqlx::query_as!(
        Stored,
        "select digest, received_at from production_batches where tenant_id = $1 and batch_id = $2",
        tenant.0,
        batch_id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Writes the units, adds them to their minutes' and hours' rollups and moves a line's first unit earlier if they
/// are (one statement).
pub(in crate::production) async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    units: &[Detection],
) -> Result<(), sqlx::Error> {
    let lines: Vec<i32> = units.iter().map(|u| u.line_id.0).collect();
    let areas: Vec<i32> = units.iter().map(|u| u.area_id.0).collect();
    let products: Vec<i32> = units.iter().map(|u| u.product_id.0).collect();
    let ats: Vec<DateTime<Utc>> = units.iter().map(|u| u.at).collect();
    let goods: Vec<bool> = units.iter().map(|u| u.good).collect();
    sqlx::query!(
        "with u as (select * from unnest($2::int[], $3::int[], $4::int[], $5::timestamptz[], $6::bool[])
                        as u(line_id, area_id, product_id, at, good)),
              written as (insert into production_detections (tenant_id, line_id, area_id, product_id, at, good)
                          select $1, line_id, area_id, product_id, at, good from u),
              -- A line's first unit ever (only ever earlier: a history sent late).
              first_units as (update production_lines l set first_unit_at = f.first
                              from (select line_id, min(at) as first from u group by 1) f
                              where l.tenant_id = $1 and l.id = f.line_id
                                and (l.first_unit_at is null or l.first_unit_at > f.first)),
              minutes as (insert into production_minutes as m (tenant_id, line_id, minute, area_id, product_id, total, good)
                          select $1, line_id, date_trunc('minute', at), area_id, product_id, count(*),
                                 count(*) filter (where good)
                          from u group by 2, 3, 4, 5
                          order by 2, 3, 4, 5
                          on conflict (tenant_id, line_id, minute, area_id, product_id)
                          do update set total = m.total + excluded.total, good = m.good + excluded.good
                          -- A row this statement created (not one it added to) is a new minute of its hour.
                          returning line_id, minute, area_id, product_id, xmax = 0 as created),
              new_minutes as (select line_id, date_bin('1 hour', minute, timestamptz '2000-01-01 00:00:00+00') as hour,
                                     area_id, product_id, count(*) filter (where created) as n
                              from minutes group by 1, 2, 3, 4)
         insert into production_hours as h (tenant_id, line_id, hour, area_id, product_id, total, good, minutes)
         select $1, u.line_id, date_bin('1 hour', u.at, timestamptz '2000-01-01 00:00:00+00'), u.area_id,
                u.product_id, count(*), count(*) filter (where u.good), coalesce(max(n.n), 0)
         from u
         left join new_minutes n on n.line_id = u.line_id and n.area_id = u.area_id and n.product_id = u.product_id
              and n.hour = date_bin('1 hour', u.at, timestamptz '2000-01-01 00:00:00+00')
         group by 2, 3, 4, 5
         order by 2, 3, 4, 5
         on conflict (tenant_id, line_id, hour, area_id, product_id)
         do update set total = h.total + excluded.total, good = h.good + excluded.good,
                       minutes = h.minutes + excluded.minutes",
        tenant.0,
        &lines,
        &areas,
        &products,
        &ats,
        &goods
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
