//! What the dashboards read: the plant's setup (lines, products, shifts, reasons, filters, each role's widgets, the
//! lines an operator works on), the units at the lines' outputs per step of time inside the windows looked at (from
//! the per-hour and per-minute rollups, never the raw units), the stops touching them, the minutes behind a figure; and the one
//! write, a stop's classification.
//!
//! Indexes: `production_minutes` primary key `(tenant_id, line_id, minute, area_id, product_id)` (each line's
//! minutes of a window: an index range per line), `production_hours` primary key `(tenant_id, line_id, hour, area_id,
//! product_id)` (the same per hour); `production_downtime_line_span (tenant_id, line_id, start_at)`;
//! `production_micro_stops` primary key `(tenant_id, line_id, hour)` (a line's micro-stops of a span);
//! `production_line_cycles` primary key `(tenant_id, line_id, product_id)` (a line's own ideal cycle for a product,
//! the product's own where it has none).

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::{LineId, ProductId, ReasonId, ShiftId, TenantId, UserId};
use crate::production::rules::calendar::{Shift, Span, Stop};
use crate::production::rules::dashboard::{FirstSteps, MicroCell, OutputCell, ReasonRef, RejectRow, StopCell};
use crate::production::rules::kinds::AreaKind;

pub(in crate::production) struct LineRow {
    pub id: LineId,
    pub code: String,
    pub name: String,
    pub target: f64,
    /// Its first unit ever, if it has counted one.
    pub first_unit_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `sensors` or `people`.
    pub counting: String,
}

pub(in crate::production) async fn lines(tx: &mut Tx) -> Result<Vec<LineRow>, sqlx::Error> {
    sqlx::query_as!(
        LineRow,
        r#"select id as "id: LineId", code, name, oee_target::float8 as "target!", first_unit_at, counting
           from production_lines
           where active order by code"#
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::production) struct ProductRow {
    pub id: ProductId,
    pub code: String,
    pub name: String,
}

pub(in crate::production) async fn products(tx: &mut Tx) -> Result<Vec<ProductRow>, sqlx::Error> {
    sqlx::query_as!(
        ProductRow,
        r#"select id as "id: ProductId", code, name from production_products where active order by code"#
    )
    .fetch_all(&mut **tx)
    .await
}

/// The shifts (id, name, the shift) with their planned stops, in start order.
pub(in crate::production) async fn shifts(tx: &mut Tx) -> Result<Vec<(ShiftId, String, Shift)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select s.id as "id: ShiftId", s.name, s.days, s.start_time, s.end_time,
                  t.start_time as "stop_start?", t.end_time as "stop_end?"
           from production_shifts s
           left join production_shift_stops t on t.tenant_id = s.tenant_id and t.shift_id = s.id
           order by s.start_time, s.id"#
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut out: Vec<(ShiftId, String, Shift)> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|(id, _, _)| *id != r.id) {
            let days = u8::try_from(r.days).unwrap_or(0);
            out.push((r.id, r.name, Shift { days, start: r.start_time, end: r.end_time, stops: Vec::new() }));
        }
        if let (Some(start), Some(end), Some((_, _, shift))) = (r.stop_start, r.stop_end, out.last_mut()) {
            shift.stops.push(Stop { start, end });
        }
    }
    Ok(out)
}

/// Every reason, the retired ones too (old stops still name them).
pub(in crate::production) async fn reasons(tx: &mut Tx) -> Result<Vec<ReasonRef>, sqlx::Error> {
    sqlx::query_as!(
        ReasonRef,
        r#"select id as "id: ReasonId", code, name, planned, setup, colour, active, category from production_reasons
           order by planned, category nulls last, code"#
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::production) struct FilterRow {
    pub key: String,
    pub enabled: bool,
    pub required: bool,
    pub default_value: serde_json::Value,
    pub options: serde_json::Value,
}

/// The plant's filter rows (those switched off too), in order.
pub(in crate::production) async fn filters(tx: &mut Tx) -> Result<Vec<FilterRow>, sqlx::Error> {
    sqlx::query_as!(
        FilterRow,
        "select key, enabled, required, default_value, options from production_filters order by position, key"
    )
    .fetch_all(&mut **tx)
    .await
}

/// A role's dashboard (its widgets as stored).
pub(in crate::production) async fn dashboard(
    tx: &mut Tx,
    role: &str,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar!("select widgets from production_dashboards where role = $1", role)
        .fetch_optional(&mut **tx)
        .await
}

/// The lines an operator works on.
pub(in crate::production) async fn operator_lines(tx: &mut Tx, user: UserId) -> Result<Vec<LineId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select line_id as "line_id: LineId" from production_line_operators where user_id = $1 order by line_id"#,
        user.0
    )
    .fetch_all(&mut **tx)
    .await
}

/// Units at the outputs of `lines` inside `windows`, per line, product and step (an hour, or a minute when
/// `hourly` is false), with the minutes in which each product made units. Per hour, the hours a window covers whole
/// come from the hourly rollup and only the minutes of the hours it cuts at its edges from the per-minute one (a
/// line's 30 days: 720 rows instead of 43,200); hours are UTC hours either way.
/// A plant's first steps, each done or not.
pub(in crate::production) async fn first_steps(tx: &mut Tx) -> Result<FirstSteps, sqlx::Error> {
    let r = sqlx::query!(
        r#"select exists (select 1 from production_lines) as "lines!",
                  exists (select 1 from production_products) as "products!",
                  exists (select 1 from production_shifts) as "shifts!",
                  exists (select 1 from production_reasons) as "reasons!",
                  exists (select 1 from production_lines where first_unit_at is not null) as "units!",
                  (select count(*) from users) > 1 as "people!""#
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(FirstSteps {
        lines: r.lines,
        products: r.products,
        shifts: r.shifts,
        reasons: r.reasons,
        units: r.units,
        people: r.people,
    })
}

/// The ideal time of the units rejected at each line's output inside its start-up windows (`(line, start, end)`,
/// merged beforehand: none overlaps another of its line), by the minute (a window takes the minute it starts in).
pub(in crate::production) async fn startup_rejects(
    tx: &mut Tx,
    tenant: TenantId,
    windows: &[(LineId, DateTime<Utc>, DateTime<Utc>)],
) -> Result<Vec<(LineId, i64)>, sqlx::Error> {
    if windows.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<i32> = windows.iter().map(|w| w.0.0).collect();
    let starts: Vec<DateTime<Utc>> = windows.iter().map(|w| w.1).collect();
    let ends: Vec<DateTime<Utc>> = windows.iter().map(|w| w.2).collect();
    let rows = sqlx::query!(
        r#"select w.l as "line_id!", sum(r.ms)::bigint as "ms!"
           from unnest($2::int[], $3::timestamptz[], $4::timestamptz[]) w(l, a, b)
           cross join lateral (
               select (m.total - m.good)::bigint * coalesce(lc.ideal_cycle_ms, p.ideal_cycle_ms) as ms
               from production_minutes m
               join production_areas ar on ar.tenant_id = m.tenant_id and ar.id = m.area_id and ar.kind = 'output'
               join production_products p on p.tenant_id = m.tenant_id and p.id = m.product_id
               left join production_line_cycles lc
                   on lc.tenant_id = m.tenant_id and lc.line_id = m.line_id and lc.product_id = m.product_id
               where m.tenant_id = $1 and m.line_id = w.l
                 and m.minute >= date_trunc('minute', w.a) and m.minute < w.b) r
           group by 1"#,
        tenant.0,
        &lines,
        &starts,
        &ends
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (LineId(r.line_id), r.ms)).collect())
}

/// The lines' micro-stops in the hours the windows touch (each hour once).
pub(in crate::production) async fn micro_stops(
    tx: &mut Tx,
    tenant: TenantId,
    lines: &[LineId],
    windows: &[Span],
) -> Result<Vec<MicroCell>, sqlx::Error> {
    let lines: Vec<i32> = lines.iter().map(|l| l.0).collect();
    let starts: Vec<DateTime<Utc>> = windows.iter().map(|w| w.start).collect();
    let ends: Vec<DateTime<Utc>> = windows.iter().map(|w| w.end).collect();
    let rows = sqlx::query!(
        r#"select m.line_id, m.hour, m.ms, m.stops from production_micro_stops m
           where m.tenant_id = $1 and m.line_id = any($2)
             and m.hour >= (select min(a) from unnest($3::timestamptz[]) a) - interval '1 hour'
             and m.hour < (select max(b) from unnest($4::timestamptz[]) b)
             and exists (select 1 from unnest($3::timestamptz[], $4::timestamptz[]) w(a, b)
                         where m.hour + interval '1 hour' > w.a and m.hour < w.b)"#,
        tenant.0,
        &lines,
        &starts,
        &ends
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MicroCell { line: LineId(r.line_id), hour: r.hour, ms: r.ms, stops: i64::from(r.stops) })
        .collect())
}

pub(in crate::production) async fn output(
    tx: &mut Tx,
    tenant: TenantId,
    lines: &[LineId],
    windows: &[Span],
    hourly: bool,
) -> Result<Vec<OutputCell>, sqlx::Error> {
    let lines: Vec<i32> = lines.iter().map(|l| l.0).collect();
    let starts: Vec<DateTime<Utc>> = windows.iter().map(|w| w.start).collect();
    let ends: Vec<DateTime<Utc>> = windows.iter().map(|w| w.end).collect();
    let rows = if hourly {
        sqlx::query_as!(
            Cell,
            r#"with w as (select a, b,
                                 -- the window's first and last whole hours: [whole_from, whole_to)
                                 date_bin('1 hour', a - interval '1 microsecond', timestamptz '2000-01-01 00:00:00+00')
                                     + interval '1 hour' as whole_from,
                                 date_bin('1 hour', b, timestamptz '2000-01-01 00:00:00+00') as whole_to
                          from unnest($3::timestamptz[], $4::timestamptz[]) w(a, b)),
                    cells as (
                        select h.line_id, h.area_id, h.product_id, h.hour as at, h.total, h.good, h.minutes::bigint,
                               h.people_total, h.people_good
                        from w join production_hours h on h.tenant_id = $1 and h.line_id = any($2)
                             and h.hour >= w.whole_from and h.hour < w.whole_to
                        union all
                        -- before the first whole hour (or the whole window, inside one hour)...
                        select m.line_id, m.area_id, m.product_id, m.minute, m.total, m.good, 1, m.people_total,
                               m.people_good
                        from w join production_minutes m on m.tenant_id = $1 and m.line_id = any($2)
                             and m.minute >= w.a and m.minute < least(w.whole_from, w.b)
                        union all
                        -- ...and after the last one
                        select m.line_id, m.area_id, m.product_id, m.minute, m.total, m.good, 1, m.people_total,
                               m.people_good
                        from w join production_minutes m on m.tenant_id = $1 and m.line_id = any($2)
                             and m.minute >= greatest(w.whole_to, w.whole_from) and m.minute < w.b)
               select c.line_id as "line_id!", c.product_id as "product_id!",
                      date_bin('1 hour', c.at, timestamptz '2000-01-01 00:00:00+00') as "at!",
                      sum(c.total)::bigint as "total!", sum(c.good)::bigint as "good!",
                      sum(c.total::bigint * coalesce(lc.ideal_cycle_ms, p.ideal_cycle_ms))::bigint as "ideal_ms!",
                      sum(c.minutes)::bigint as "minutes!",
                      sum(c.people_total)::bigint as "people_total!", sum(c.people_good)::bigint as "people_good!"
               from cells c
               join production_areas a on a.tenant_id = $1 and a.id = c.area_id and a.kind = 'output'
               join production_products p on p.tenant_id = $1 and p.id = c.product_id
               left join production_line_cycles lc
                   on lc.tenant_id = $1 and lc.line_id = c.line_id and lc.product_id = c.product_id
               group by 1, 2, 3"#,
            tenant.0,
            &lines,
            &starts,
            &ends,
        )
        .fetch_all(&mut **tx)
        .await?
    } else {
        sqlx::query_as!(
            Cell,
            r#"select m.line_id, m.product_id, m.minute as "at!",
                      sum(m.total)::bigint as "total!", sum(m.good)::bigint as "good!",
                      sum(m.total::bigint * coalesce(lc.ideal_cycle_ms, p.ideal_cycle_ms))::bigint as "ideal_ms!",
                      count(*) as "minutes!",
                      sum(m.people_total)::bigint as "people_total!", sum(m.people_good)::bigint as "people_good!"
               from unnest($3::timestamptz[], $4::timestamptz[]) w(a, b)
               join production_minutes m on m.tenant_id = $1 and m.line_id = any($2) and m.minute >= w.a and m.minute < w.b
               join production_areas a on a.tenant_id = m.tenant_id and a.id = m.area_id and a.kind = 'output'
               join production_products p on p.tenant_id = m.tenant_id and p.id = m.product_id
               left join production_line_cycles lc
                   on lc.tenant_id = m.tenant_id and lc.line_id = m.line_id and lc.product_id = m.product_id
               group by 1, 2, 3"#,
            tenant.0,
            &lines,
            &starts,
            &ends,
        )
        .fetch_all(&mut **tx)
        .await?
    };
    Ok(rows
        .into_iter()
        .map(|r| OutputCell {
            line: LineId(r.line_id),
            product: ProductId(r.product_id),
            at: r.at,
            total: r.total,
            good: r.good,
            ideal_ms: r.ideal_ms,
            minutes: r.minutes,
            people_total: r.people_total,
            people_good: r.people_good,
        })
        .collect())
}

/// A row of [`output`]'s queries.
struct Cell {
    line_id: i32,
    product_id: i32,
    at: DateTime<Utc>,
    total: i64,
    good: i64,
    ideal_ms: i64,
    minutes: i64,
    people_total: i64,
    people_good: i64,
}

/// A stop with what the table shows besides its figures.
pub(in crate::production) struct StopFull {
    pub cell: StopCell,
    pub note: Option<String>,
    /// Who gave it its reason: a person's name or a key's (a line's terminal).
    pub classified_by: Option<String>,
    /// Entered by a person.
    pub manual: bool,
}

/// Stops of `lines` touching `[from, to)`, latest first, however long ago they began (an idle fortnight is one stop).
/// The line/start index bounds the scan by `to`; a line's stops are few (minutes to hours each).
pub(in crate::production) async fn stops(
    tx: &mut Tx,
    tenant: TenantId,
    lines: &[LineId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<StopFull>, sqlx::Error> {
    let lines: Vec<i32> = lines.iter().map(|l| l.0).collect();
    let rows = sqlx::query!(
        r#"select d.id, d.line_id, d.start_at, d.end_at, d.reason_id, d.note, coalesce(r.planned, false) as "planned!",
                  coalesce(u.display_name, k.name) as "classified_by?", d.manual
           from production_downtime d
           left join production_reasons r on r.tenant_id = d.tenant_id and r.id = d.reason_id
           left join users u on u.tenant_id = d.tenant_id and u.id = d.classified_by
           left join api_keys k on k.tenant_id = d.tenant_id and k.id = d.classified_by
           where d.tenant_id = $1 and d.line_id = any($2) and d.start_at < $4
             and coalesce(d.end_at, 'infinity'::timestamptz) > $3
           order by d.start_at desc"#,
        tenant.0,
        &lines,
        from,
        to
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StopFull {
            cell: StopCell {
                id: r.id,
                line: LineId(r.line_id),
                start: r.start_at,
                end: r.end_at,
                planned: r.planned,
                reason: r.reason_id.map(ReasonId),
            },
            note: r.note,
            classified_by: r.classified_by,
            manual: r.manual,
        })
        .collect())
}

/// Units per product and area of `lines` inside `windows` (the hours they cover whole from the hourly rollup, the
/// minutes at their edges from the per-minute one), the areas with most rejects first.
pub(in crate::production) async fn rejects(
    tx: &mut Tx,
    tenant: TenantId,
    lines: &[LineId],
    product: Option<ProductId>,
    windows: &[Span],
) -> Result<Vec<RejectRow>, sqlx::Error> {
    let lines: Vec<i32> = lines.iter().map(|l| l.0).collect();
    let starts: Vec<DateTime<Utc>> = windows.iter().map(|w| w.start).collect();
    let ends: Vec<DateTime<Utc>> = windows.iter().map(|w| w.end).collect();
    let rows = sqlx::query!(
        r#"with w as (select a, b,
                             date_bin('1 hour', a - interval '1 microsecond', timestamptz '2000-01-01 00:00:00+00')
                                 + interval '1 hour' as whole_from,
                             date_bin('1 hour', b, timestamptz '2000-01-01 00:00:00+00') as whole_to
                      from unnest($3::timestamptz[], $4::timestamptz[]) w(a, b)),
                cells as (
                    select h.area_id, h.product_id, h.total, h.good
                    from w join production_hours h on h.tenant_id = $1 and h.line_id = any($2)
                         and h.hour >= w.whole_from and h.hour < w.whole_to
                    union all
                    select m.area_id, m.product_id, m.total, m.good
                    from w join production_minutes m on m.tenant_id = $1 and m.line_id = any($2)
                         and m.minute >= w.a and m.minute < least(w.whole_from, w.b)
                    union all
                    select m.area_id, m.product_id, m.total, m.good
                    from w join production_minutes m on m.tenant_id = $1 and m.line_id = any($2)
                         and m.minute >= greatest(w.whole_to, w.whole_from) and m.minute < w.b)
           select p.code as product, p.name as product_name, a.code as area, a.name as area_name, a.kind,
                  sum(c.total)::bigint as "total!", sum(c.good)::bigint as "good!"
           from cells c
           join production_areas a on a.tenant_id = $1 and a.id = c.area_id
           join production_products p on p.tenant_id = $1 and p.id = c.product_id
           where $5::int is null or c.product_id = $5
           group by p.code, p.name, a.code, a.name, a.kind
           order by sum(c.total - c.good) desc, p.code, a.code"#,
        tenant.0,
        &lines,
        &starts,
        &ends,
        product.map(|p| p.0),
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|r| {
            let area_kind = AreaKind::decode(&r.kind).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok(RejectRow {
                product: r.product,
                product_name: r.product_name,
                area: r.area,
                area_name: r.area_name,
                area_kind,
                total: r.total,
                good: r.good,
            })
        })
        .collect()
}

/// One minute at a line's output.
pub(in crate::production) struct MinuteRow {
    pub minute: DateTime<Utc>,
    pub line_id: LineId,
    pub product_id: ProductId,
    pub total: i32,
    pub good: i32,
}

/// The minutes behind a figure: each line's output per minute and product inside `windows`, latest first, at most
/// `limit`.
pub(in crate::production) async fn minutes(
    tx: &mut Tx,
    tenant: TenantId,
    lines: &[LineId],
    product: Option<ProductId>,
    windows: &[Span],
    limit: i64,
) -> Result<Vec<MinuteRow>, sqlx::Error> {
    let lines: Vec<i32> = lines.iter().map(|l| l.0).collect();
    let product = product.map(|p| p.0);
    let starts: Vec<DateTime<Utc>> = windows.iter().map(|w| w.start).collect();
    let ends: Vec<DateTime<Utc>> = windows.iter().map(|w| w.end).collect();
    sqlx::query_as!(
        MinuteRow,
        r#"select m.minute, m.line_id as "line_id: LineId", m.product_id as "product_id: ProductId", m.total, m.good
           from unnest($3::timestamptz[], $4::timestamptz[]) w(a, b)
           join production_minutes m on m.tenant_id = $1 and m.line_id = any($2) and m.minute >= w.a and m.minute < w.b
           join production_areas a on a.tenant_id = m.tenant_id and a.id = m.area_id and a.kind = 'output'
           where $5::int is null or m.product_id = $5
           order by m.minute desc, m.line_id, m.product_id
           limit $6"#,
        tenant.0,
        &lines,
        &starts,
        &ends,
        product,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// A stop's line (to check who may classify it), if it exists.
pub(in crate::production) async fn stop_line(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
) -> Result<Option<LineId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select line_id as "line_id: LineId" from production_downtime where tenant_id = $1 and id = $2 for update"#,
        tenant.0,
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Whether a reason can be given now (it exists and is active).
pub(in crate::production) async fn reason_active(tx: &mut Tx, id: ReasonId) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!("select active from production_reasons where id = $1", id.0)
        .fetch_optional(&mut **tx)
        .await?
        .unwrap_or(false))
}

/// Who gives a stop its reason.
pub(in crate::production) enum Classifier {
    Person(UserId),
    /// An API key, by its id (a line's terminal).
    Key(uuid::Uuid),
}

impl Classifier {
    /// The id stored for it (`production_downtime.classified_by`: a user's or a key's).
    pub fn id(&self) -> uuid::Uuid {
        match self {
            Classifier::Person(u) => u.0,
            Classifier::Key(k) => *k,
        }
    }
}

/// Gives a stop its reason (none: back to unclassified) and note, by a person or a key.
pub(in crate::production) async fn classify(
    tx: &mut Tx,
    id: i64,
    reason: Option<ReasonId>,
    note: Option<&str>,
    by: Classifier,
) -> Result<(), sqlx::Error> {
    let by = by.id();
    sqlx::query!(
        "update production_downtime set reason_id = $2, note = $3, classified_by = $4, classified_at = now()
         where id = $1",
        id,
        reason.map(|r| r.0),
        note,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
