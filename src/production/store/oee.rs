//! What the OEE of a span is computed from: the plant's clock and shifts, its lines, the stops that touch the span
//! (with whether their reason is planned), and the units counted at each line's output per minute (from the
//! rollups, never the raw units), with the ideal time they stand for.
//!
//! Indexes: `production_downtime_line_span (tenant_id, line_id, start_at)`; `production_minutes` primary key
//! `(tenant_id, line_id, minute, …)` (a line's minutes of a span).

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::production::rules::calendar::{Shift, Stop};

/// The plant's time zone name (the default when none is set).
pub(in crate::production) async fn time_zone(tx: &mut Tx) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select time_zone from production_plants").fetch_optional(&mut **tx).await
}

/// The shifts with their planned stops.
pub(in crate::production) async fn shifts(tx: &mut Tx) -> Result<Vec<Shift>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select s.id, s.days, s.start_time, s.end_time, t.start_time as "stop_start?", t.end_time as "stop_end?"
           from production_shifts s
           left join production_shift_stops t on t.tenant_id = s.tenant_id and t.shift_id = s.id
           order by s.id"#
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut out: Vec<(i32, Shift)> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|(id, _)| *id != r.id) {
            let days = u8::try_from(r.days).unwrap_or(0);
            out.push((r.id, Shift { days, start: r.start_time, end: r.end_time, stops: Vec::new() }));
        }
        if let (Some(start), Some(end), Some((_, shift))) = (r.stop_start, r.stop_end, out.last_mut()) {
            shift.stops.push(Stop { start, end });
        }
    }
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

/// The active lines: id, code, name.
pub(in crate::production) async fn lines(tx: &mut Tx) -> Result<Vec<(i32, String, String)>, sqlx::Error> {
    Ok(sqlx::query!("select id, code, name from production_lines where active order by code")
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.id, r.code, r.name))
        .collect())
}

/// Stops touching `[from, to)`: line, start, end (none: still going on), whether their reason is planned.
pub(in crate::production) async fn stops(
    tx: &mut Tx,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i32, DateTime<Utc>, Option<DateTime<Utc>>, bool)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select d.line_id, d.start_at, d.end_at, coalesce(r.planned, false) as "planned!"
           from production_downtime d
           left join production_reasons r on r.tenant_id = d.tenant_id and r.id = d.reason_id
           where d.start_at < $2 and (d.end_at is null or d.end_at > $1)"#,
        from,
        to
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.line_id, r.start_at, r.end_at, r.planned))
    .collect())
}

/// Units counted at each line's output in the minutes of `[from, to)`: line, units, good units, ideal milliseconds.
pub(in crate::production) async fn output(
    tx: &mut Tx,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i32, i64, i64, i64)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select m.line_id, sum(m.total)::bigint as "total!", sum(m.good)::bigint as "good!",
                  sum(m.total::bigint * p.ideal_cycle_ms)::bigint as "ideal_ms!"
           from production_minutes m
           join production_areas a on a.tenant_id = m.tenant_id and a.id = m.area_id and a.kind = 'output'
           join production_products p on p.tenant_id = m.tenant_id and p.id = m.product_id
           where m.minute >= $1 and m.minute < $2
           group by m.line_id"#,
        from,
        to
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.line_id, r.total, r.good, r.ideal_ms))
    .collect())
}

/// Logs a dashboard query.
pub(in crate::production) async fn log_query(
    tx: &mut Tx,
    tenant: uuid::Uuid,
    user: Option<uuid::Uuid>,
    query: &str,
    filters: &serde_json::Value,
    duration_ms: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into production_query_log (tenant_id, user_id, query, filters, duration_ms) values ($1, $2, $3, $4, $5)",
        tenant,
        user,
        query,
        filters,
        duration_ms
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
