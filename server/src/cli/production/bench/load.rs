//! `bench production`'s `load` section: the bench plant's month of units and their per-minute rollups, written
//! set-based as ingest writes them; what the `dashboard` and `downtime` sections run over.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use chrono::{DateTime, DurationRound, Utc};
use nexus::ids::TenantId;
use sqlx::PgPool;

use super::{LOAD_PLANT, bench_tenant};

/// The loaded bench plant: what the dashboard timings run over.
pub struct LoadedPlant {
    pub tenant: TenantId,
    /// (line id, code), ten of them.
    pub lines: Vec<(i32, String)>,
    /// The loaded span, `[from, to)`: whole days ending at the hour the plant was created.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Output units in the span (all lines).
    pub units: i64,
    /// How long this call took (loading what was missing).
    pub seconds: f64,
}

/// The bench plant with `days` days of one unit a second at each line's output up to the hour it was created (a few
/// minutes' stop about every two hours and a half-minute micro-stop every seventeen minutes or so, one unit in fifty
/// rejected, the product changing every few hours), and its per-minute rollups written in the same statement, as
/// ingest writes them. Set-based (`generate_series`), a line's day per statement, two at a time; a line's day already
/// there is skipped, so only the first call takes minutes (`owner`: the bench database's owner).
pub async fn load_plant(owner: &PgPool, days: u32) -> Result<LoadedPlant> {
    let started = Instant::now();
    let plant = bench_tenant(owner, LOAD_PLANT).await?;
    let to = plant.created_at.duration_trunc(chrono::Duration::hours(1))?;
    let from = to - chrono::Duration::days(i64::from(days));
    sqlx::query("select production_partitions($1::date, $2)")
        .bind(from.date_naive())
        .bind(i32::try_from(days / 28 + 2)?)
        .execute(owner)
        .await?;
    let products: Vec<i32> = plant.products.iter().map(|(id, _)| *id).collect();
    let mut todo = Vec::new();
    for (line, _, areas) in &plant.lines {
        for d in 0..i64::from(days) {
            let day = from + chrono::Duration::days(d);
            let there: bool = sqlx::query_scalar(
                "select exists (select 1 from production_minutes
                                where tenant_id = $1 and line_id = $2 and minute >= $3 and minute < $3 + interval '1 day')",
            )
            .bind(plant.id)
            .bind(line)
            .bind(day)
            .fetch_one(owner)
            .await?;
            if !there {
                todo.push((*line, areas[3], day));
            }
        }
    }
    if !todo.is_empty() {
        println!("load: writing {} line-days of units and rollups", todo.len());
    }
    let todo = Arc::new(std::sync::Mutex::new(todo));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (owner, todo, products, tenant) = (owner.clone(), todo.clone(), products.clone(), plant.id);
            tokio::spawn(async move {
                loop {
                    let next = todo.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.pop();
                    let Some((line, area, day)) = next else { return anyhow::Ok(()) };
                    load_day(&owner, tenant, line, area, &products, day).await?;
                }
            })
        })
        .collect();
    for w in workers {
        w.await??;
    }
    let units: i64 = sqlx::query_scalar(
        "select coalesce(sum(m.total), 0)::bigint from production_minutes m
         join production_areas a on a.tenant_id = m.tenant_id and a.id = m.area_id and a.kind = 'output'
         where m.tenant_id = $1 and m.minute >= $2 and m.minute < $3",
    )
    .bind(plant.id)
    .bind(from)
    .bind(to)
    .fetch_one(owner)
    .await?;
    Ok(LoadedPlant {
        tenant: plant.id,
        lines: plant.lines.iter().map(|(id, code, _)| (*id, code.clone())).collect(),
        from,
        to,
        units,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// One line's day of output units and their minutes, in one statement (the shape of the ingest's).
async fn load_day(
    owner: &PgPool,
    tenant: TenantId,
    line: i32,
    area: i32,
    products: &[i32],
    day: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "with u as (
             select g as at, s,
                    ($5::int[])[1 + ((s / 10800 + $2) % cardinality($5::int[]))] as product_id,
                    (s + $2) % 50 <> 0 as good
             from generate_series($4::timestamptz, $4::timestamptz + interval '1 day' - interval '1 second',
                                  interval '1 second') g,
                  lateral (select extract(epoch from g)::bigint as s) e
             -- A 6-minute stop about every 2 h 12 min, a 40-second micro-stop about every 17 min (offset per line).
             where (s + $2 * 977) % 7919 >= 360 and (s + $2 * 131) % 1009 >= 40),
         written as (insert into production_detections (tenant_id, line_id, area_id, product_id, at, good)
                     select $1, $2, $3, product_id, at, good from u order by at),
         minutes as (insert into production_minutes (tenant_id, line_id, minute, area_id, product_id, total, good)
                     select $1, $2, date_trunc('minute', at), $3, product_id, count(*), count(*) filter (where good)
                     from u group by 3, 5
                     returning minute, product_id, total, good)
         insert into production_hours as h (tenant_id, line_id, hour, area_id, product_id, total, good, minutes)
         select $1, $2, date_bin('1 hour', minute, timestamptz '2000-01-01 00:00:00+00'), $3, product_id, sum(total),
                sum(good), count(*)
         from minutes group by 3, 5
         on conflict (tenant_id, line_id, hour, area_id, product_id)
         do update set total = h.total + excluded.total, good = h.good + excluded.good,
                       minutes = h.minutes + excluded.minutes",
    )
    .bind(tenant)
    .bind(line)
    .bind(area)
    .bind(day)
    .bind(products)
    .execute(owner)
    .await?;
    Ok(())
}
