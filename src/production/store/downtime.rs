//! Downtime found in the gaps between a line's output units: each active line with its output area, thresholds and
//! where the job got to, and each plant's calendar; the line's output units after that, in time order; the stops found written (a stop still
//! going on is written open and closed when the line counts again), and the cursor moved. Units that arrive late,
//! behind the cursor: the recent stops they landed in, the units inside one, and the stops' corrections.
//!
//! Indexes: `production_micro_stops` primary key `(tenant_id, line_id, hour)` (the micro-stops' upsert);
//! `production_detections_line_at (tenant_id, line_id, at)` (a line's units of a span, in order; whether
//! any falls inside a stop); `production_downtime (tenant_id, line_id, start_at)` unique (a stop is written once,
//! however often the job runs; a line's stops from a time on).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::production::rules::calendar::{Shift, Stop};

/// A line the job looks at.
#[derive(Debug, Clone)]
pub(in crate::production) struct Line {
    pub tenant_id: Uuid,
    pub line_id: i32,
    pub output_area: i32,
    pub downtime_ms: i64,
    pub micro_stop_ms: i64,
    /// The last output unit already looked at.
    pub last_at: Option<DateTime<Utc>>,
}

/// Every plant's calendar (platform scope): its shifts with their breaks, and its time zone's name (none: not set).
pub(in crate::production) async fn calendars(
    tx: &mut Tx,
) -> Result<HashMap<Uuid, (Option<String>, Vec<Shift>)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select s.tenant_id, s.id, s.days, s.start_time, s.end_time, p.time_zone as "time_zone?",
                  t.start_time as "stop_start?", t.end_time as "stop_end?"
           from production_shifts s
           left join production_plants p on p.tenant_id = s.tenant_id
           left join production_shift_stops t on t.tenant_id = s.tenant_id and t.shift_id = s.id
           order by s.tenant_id, s.id"#
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut out: HashMap<Uuid, (Option<String>, Vec<Shift>)> = HashMap::new();
    let mut last: Option<(Uuid, i32)> = None;
    for r in rows {
        let plant = out.entry(r.tenant_id).or_insert_with(|| (r.time_zone.clone(), Vec::new()));
        if last != Some((r.tenant_id, r.id)) {
            let days = u8::try_from(r.days).unwrap_or(0);
            plant.1.push(Shift { days, start: r.start_time, end: r.end_time, stops: Vec::new() });
            last = Some((r.tenant_id, r.id));
        }
        if let (Some(start), Some(end), Some(shift)) = (r.stop_start, r.stop_end, plant.1.last_mut()) {
            shift.stops.push(Stop { start, end });
        }
    }
    Ok(out)
}

/// Every tenant's active lines that have an output area and count by sensors (platform scope): a line counted by
/// people records a shift's work in a few facts, and its silence between them is no stop.
pub(in crate::production) async fn lines(tx: &mut Tx) -> Result<Vec<Line>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select l.tenant_id, l.id as line_id, a.id as output_area, l.downtime_threshold_ms, l.micro_stop_ms,
                  c.last_at as "last_at?"
           from production_lines l
           join production_areas a on a.tenant_id = l.tenant_id and a.line_id = l.id and a.kind = 'output'
           left join production_downtime_cursor c on c.tenant_id = l.tenant_id and c.line_id = l.id
           where l.active and l.counting = 'sensors'
           order by l.tenant_id, l.id"#
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Line {
            tenant_id: r.tenant_id,
            line_id: r.line_id,
            output_area: r.output_area,
            downtime_ms: i64::from(r.downtime_threshold_ms),
            micro_stop_ms: i64::from(r.micro_stop_ms),
            last_at: r.last_at,
        })
        .collect())
}

/// The line's output units after its cursor (all, when none) up to `until`, in time order: at most `limit` of them
/// (the next ones are read once the cursor has moved past these).
pub(in crate::production) async fn units(
    tx: &mut Tx,
    line: &Line,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "select at from production_detections
         where tenant_id = $1 and line_id = $2 and area_id = $3 and at > coalesce($4::timestamptz, '-infinity') and at <= $5
         order by at limit $6",
        line.tenant_id,
        line.line_id,
        line.output_area,
        line.last_at,
        until,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// Locks the line's row until the round commits (`for no key update`: units' foreign keys still go through), so a
/// stop someone enters on the line is checked against the round's stops, before or after them, never during.
pub(in crate::production) async fn lock_line(tx: &mut Tx, line: &Line) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select 1 as one from production_lines where tenant_id = $1 and id = $2 for no key update",
        line.tenant_id,
        line.line_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(())
}

/// Writes the line's stops (`ends[i]` null: still going on), closing an open one that now has its end, and moves its
/// cursor to `last_at`; `first_at` is the first unit this round (where a line silent before counted again). Returns
/// the stops written or closed.
pub(in crate::production) async fn record(
    tx: &mut Tx,
    line: &Line,
    starts: &[DateTime<Utc>],
    ends: &[Option<DateTime<Utc>>],
    first_at: Option<DateTime<Utc>>,
    last_at: Option<DateTime<Utc>>,
) -> Result<u64, sqlx::Error> {
    if let (Some(first), Some(at)) = (first_at, last_at) {
        // A stop left open whose line has since counted with no gap long enough (a late batch showed it was no
        // stop): gone, unless someone already gave it a reason (then it ends where the line counted again).
        sqlx::query!(
            "delete from production_downtime
             where tenant_id = $1 and line_id = $2 and end_at is null and start_at < $3 and reason_id is null
               and start_at <> all($4::timestamptz[])",
            line.tenant_id,
            line.line_id,
            at,
            starts
        )
        .execute(&mut **tx)
        .await?;
        // Given a reason: it ends at the line's first unit after its start (a stop opened where a shift started ends
        // where the line counted in that shift, not at the batch's first unit, which may be the day before).
        let _ = first;
        sqlx::query!(
            "update production_downtime d
             set end_at = coalesce((select min(u.at) from production_detections u
                                    where u.tenant_id = d.tenant_id and u.line_id = d.line_id and u.area_id = $5
                                      and u.at > d.start_at), $3)
             where d.tenant_id = $1 and d.line_id = $2 and d.end_at is null and d.start_at < $3
               and d.start_at <> all($4::timestamptz[])",
            line.tenant_id,
            line.line_id,
            at,
            starts,
            line.output_area
        )
        .execute(&mut **tx)
        .await?;
    }
    let written = insert(tx, line, starts, ends).await?;
    if let Some(at) = last_at {
        sqlx::query!(
            "insert into production_downtime_cursor (tenant_id, line_id, last_at) values ($1, $2, $3)
             on conflict (tenant_id, line_id) do update set last_at = excluded.last_at",
            line.tenant_id,
            line.line_id,
            at
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(written)
}

/// Adds micro-stops to the line's hours (hour → their planned milliseconds and how many).
pub(in crate::production) async fn add_micro_stops(
    tx: &mut Tx,
    line: &Line,
    by_hour: &std::collections::BTreeMap<DateTime<Utc>, (i64, i32)>,
) -> Result<(), sqlx::Error> {
    if by_hour.is_empty() {
        return Ok(());
    }
    let hours: Vec<DateTime<Utc>> = by_hour.keys().copied().collect();
    let ms: Vec<i64> = by_hour.values().map(|v| v.0).collect();
    let stops: Vec<i32> = by_hour.values().map(|v| v.1).collect();
    sqlx::query!(
        "insert into production_micro_stops as m (tenant_id, line_id, hour, ms, stops)
         select $1, $2, h, ms, n from unnest($3::timestamptz[], $4::bigint[], $5::int[]) as u(h, ms, n)
         on conflict (tenant_id, line_id, hour) do update set ms = m.ms + excluded.ms, stops = m.stops + excluded.stops",
        line.tenant_id,
        line.line_id,
        &hours,
        &ms,
        &stops
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes stops (`ends[i]` null: still going on); one already written at a start gets the end it lacked. Returns the
/// stops written or closed.
async fn insert(
    tx: &mut Tx,
    line: &Line,
    starts: &[DateTime<Utc>],
    ends: &[Option<DateTime<Utc>>],
) -> Result<u64, sqlx::Error> {
    if starts.is_empty() {
        return Ok(0);
    }
    Ok(sqlx::query!(
        "insert into production_downtime as d (tenant_id, line_id, start_at, end_at)
         select $1, $2, s, e from unnest($3::timestamptz[], $4::timestamptz[]) as u(s, e)
         -- never over a stop people entered (they saw what the sensors did not)
         where not exists (select 1 from production_downtime m
                           where m.tenant_id = $1 and m.line_id = $2 and m.manual
                             and m.start_at < coalesce(u.e, 'infinity'::timestamptz) and m.end_at > u.s)
         on conflict (tenant_id, line_id, start_at)
         do update set end_at = excluded.end_at where d.end_at is null and excluded.end_at is not null",
        line.tenant_id,
        line.line_id,
        starts,
        ends as &[Option<DateTime<Utc>>]
    )
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// A written stop the line's output has since counted units inside (they arrived after it was written). Stops people
/// entered are never corrected: units inside one were counted while the line was, by their word, stopped.
#[derive(Debug, Clone)]
pub(in crate::production) struct Landed {
    pub id: i64,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    /// Someone gave it a reason.
    pub classified: bool,
}

/// The line's ended stops from the one going on at `since` (or the first after it) with an output unit strictly
/// inside them, in order. The stops since `since` are a short index range (stops of a line never overlap, so only
/// the one started last before `since` can reach past it); each is asked for one unit inside it.
pub(in crate::production) async fn landed(
    tx: &mut Tx,
    line: &Line,
    since: DateTime<Utc>,
) -> Result<Vec<Landed>, sqlx::Error> {
    sqlx::query_as!(
        Landed,
        r#"select d.id, d.start_at, d.end_at as "end_at!", d.reason_id is not null as "classified!"
           from production_downtime d
           where d.tenant_id = $1 and d.line_id = $2 and d.end_at is not null and not d.manual
             and d.start_at >= coalesce((select max(p.start_at) from production_downtime p
                                         where p.tenant_id = $1 and p.line_id = $2 and p.start_at <= $4),
                                        '-infinity')
             and exists (select 1 from production_detections u
                         where u.tenant_id = $1 and u.line_id = $2 and u.area_id = $3
                           and u.at > d.start_at and u.at < d.end_at)
           order by d.start_at"#,
        line.tenant_id,
        line.line_id,
        line.output_area,
        since
    )
    .fetch_all(&mut **tx)
    .await
}

/// The line's output units strictly inside `(from, to)`, in time order.
pub(in crate::production) async fn units_inside(
    tx: &mut Tx,
    line: &Line,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "select at from production_detections
         where tenant_id = $1 and line_id = $2 and area_id = $3 and at > $4 and at < $5
         order by at",
        line.tenant_id,
        line.line_id,
        line.output_area,
        from,
        to
    )
    .fetch_all(&mut **tx)
    .await
}

/// Corrects stops late units landed in: `ends` (stop id, its new end: it ends earlier), `gone` (ids no longer
/// stops) and the stops found between the late units (`starts`, `new_ends`). Returns the stops changed.
pub(in crate::production) async fn correct(
    tx: &mut Tx,
    line: &Line,
    spans: &[(i64, DateTime<Utc>, DateTime<Utc>)],
    gone: &[i64],
    starts: &[DateTime<Utc>],
    new_ends: &[Option<DateTime<Utc>>],
) -> Result<u64, sqlx::Error> {
    let mut changed = 0;
    if !spans.is_empty() {
        let ids: Vec<i64> = spans.iter().map(|s| s.0).collect();
        let from: Vec<DateTime<Utc>> = spans.iter().map(|s| s.1).collect();
        let to: Vec<DateTime<Utc>> = spans.iter().map(|s| s.2).collect();
        changed += sqlx::query!(
            "update production_downtime d set start_at = u.s, end_at = u.e
             from unnest($3::bigint[], $4::timestamptz[], $5::timestamptz[]) as u(id, s, e)
             where d.tenant_id = $1 and d.line_id = $2 and d.id = u.id and not d.manual
               and (d.start_at, d.end_at) is distinct from (u.s, u.e)",
            line.tenant_id,
            line.line_id,
            &ids,
            &from,
            &to
        )
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    if !gone.is_empty() {
        changed += sqlx::query!(
            // Never one given a reason meanwhile (someone classified it while the round ran): it stays.
            "delete from production_downtime
             where tenant_id = $1 and line_id = $2 and id = any($3) and reason_id is null and not manual",
            line.tenant_id,
            line.line_id,
            gone
        )
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    changed += insert(tx, line, starts, new_ends).await?;
    Ok(changed)
}
