//! Units counted by people: an MES stage fact's units (or an inspection's rejects) added to a line's output rollups,
//! the same per-minute and per-hour rows a machine's batch adds to, each with what of it came from people.
//!
//! Indexes: `production_areas (tenant_id, line_id, code)` and the line's one output (a line has a handful of
//! areas); `production_minutes` and `production_hours` primary keys (the upserts, and a shift's minutes of one
//! line: an index range).

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::{LineId, ProductId, TenantId};

/// Every line's counting (`production_lines.counting`), the retired ones too.
pub(in crate::production) async fn counting(tx: &mut Tx) -> Result<Vec<(LineId, String)>, sqlx::Error> {
    Ok(sqlx::query!(r#"select id as "id: LineId", counting from production_lines"#)
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.id, r.counting))
        .collect())
}

/// Adds `total` units, `good` of them good, of `product` to `line`'s output at `minute` (a whole minute; negative
/// to take them back), as people's; when units are added, the line's data begins at `since` at the latest (the
/// start of the shift they were made in). False when the line has no output area.
#[allow(clippy::too_many_arguments)]
pub(in crate::production) async fn add(
    tx: &mut Tx,
    tenant: TenantId,
    line: LineId,
    product: ProductId,
    minute: DateTime<Utc>,
    since: DateTime<Utc>,
    total: i32,
    good: i32,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "with a as (select id from production_areas where tenant_id = $1 and line_id = $2 and kind = 'output'),
              first_unit as (update production_lines set first_unit_at = $7
                             where tenant_id = $1 and id = $2 and $5 > 0
                               and (first_unit_at is null or first_unit_at > $7)),
              m as (insert into production_minutes as m
                        (tenant_id, line_id, minute, area_id, product_id, total, good, people_total, people_good)
                    select $1, $2, $3, a.id, $4, $5, $6, $5, $6 from a
                    on conflict (tenant_id, line_id, minute, area_id, product_id)
                    do update set total = m.total + excluded.total, good = m.good + excluded.good,
                                  people_total = m.people_total + excluded.people_total,
                                  people_good = m.people_good + excluded.people_good
                    returning area_id, xmax = 0 as created)
         insert into production_hours as h
             (tenant_id, line_id, hour, area_id, product_id, total, good, minutes, people_total, people_good)
         select $1, $2, date_bin('1 hour', $3, timestamptz '2000-01-01 00:00:00+00'), m.area_id, $4, $5, $6,
                case when m.created then 1 else 0 end, $5, $6
         from m
         on conflict (tenant_id, line_id, hour, area_id, product_id)
         do update set total = h.total + excluded.total, good = h.good + excluded.good,
                       minutes = h.minutes + excluded.minutes, people_total = h.people_total + excluded.people_total,
                       people_good = h.people_good + excluded.people_good",
        tenant.0,
        line.0,
        minute,
        product.0,
        total,
        good,
        since
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// The minute of `[from, to)` in which `line`'s output counted the most good units of `product` (the latest of
/// equals), if it counted any.
pub(in crate::production) async fn busiest_minute(
    tx: &mut Tx,
    tenant: TenantId,
    line: LineId,
    product: ProductId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "select m.minute from production_minutes m
         join production_areas a on a.tenant_id = m.tenant_id and a.id = m.area_id and a.kind = 'output'
         where m.tenant_id = $1 and m.line_id = $2 and m.minute >= $4 and m.minute < $5 and m.product_id = $3
           and m.good > 0
         order by m.good desc, m.minute desc
         limit 1",
        tenant.0,
        line.0,
        product.0,
        from,
        to
    )
    .fetch_optional(&mut **tx)
    .await
}
