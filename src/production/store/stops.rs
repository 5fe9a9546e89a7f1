//! The stops list (`GET /production/stops`): a plant's stops newest first, filtered, by keyset pages, with their
//! reason and who classified them (a person, or a key: a line's terminal).
//!
//! Index: `production_downtime_tenant_start (tenant_id, start_at desc, id desc)`: the plant's stops newest first, from
//! a cursor (a line filter reads the same range, filtered).

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::{LineId, ReasonId, TenantId};

/// A stop as the list shows it.
pub(in crate::production) struct StopRow {
    pub id: i64,
    pub line_id: i32,
    pub line: String,
    pub start_at: DateTime<Utc>,
    pub end_at: Option<DateTime<Utc>>,
    pub reason_code: Option<String>,
    pub reason_name: Option<String>,
    pub reason_planned: Option<bool>,
    pub note: Option<String>,
    pub classified_by: Option<String>,
    pub classified_at: Option<DateTime<Utc>>,
    pub manual: bool,
}

/// What the list is narrowed to.
pub(in crate::production) struct Filter<'a> {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub line: Option<LineId>,
    /// A reason's code; `classified` false: only stops without one; true: only stops with one.
    pub reason: Option<&'a str>,
    pub classified: Option<bool>,
    /// The cursor: the last row of the previous page (start, id).
    pub after: Option<(DateTime<Utc>, i64)>,
    pub fetch: i64,
}

pub(in crate::production) async fn list(
    tx: &mut Tx,
    tenant: TenantId,
    f: &Filter<'_>,
) -> Result<Vec<StopRow>, sqlx::Error> {
    let (after_at, after_id) = match f.after {
        Some((at, id)) => (Some(at), Some(id)),
        None => (None, None),
    };
    sqlx::query_as!(
        StopRow,
        r#"select d.id, d.line_id, l.code as line, d.start_at, d.end_at,
                  r.code as "reason_code?", r.name as "reason_name?", r.planned as "reason_planned?", d.note,
                  coalesce(u.display_name, k.name) as "classified_by?", d.classified_at, d.manual
           from production_downtime d
           join production_lines l on l.tenant_id = d.tenant_id and l.id = d.line_id
           left join production_reasons r on r.tenant_id = d.tenant_id and r.id = d.reason_id
           left join users u on u.tenant_id = d.tenant_id and u.id = d.classified_by
           left join api_keys k on k.tenant_id = d.tenant_id and k.id = d.classified_by
           where d.tenant_id = $1
             and ($2::timestamptz is null or coalesce(d.end_at, 'infinity'::timestamptz) > $2)
             and ($3::timestamptz is null or d.start_at < $3)
             and ($4::int is null or d.line_id = $4)
             and ($5::text is null or r.code = $5)
             and ($6::bool is null or (d.reason_id is not null) = $6)
             and ($7::timestamptz is null or (d.start_at, d.id) < ($7, $8))
           order by d.start_at desc, d.id desc
           limit $9"#,
        tenant.0,
        f.from,
        f.to,
        f.line.map(|l| l.0),
        f.reason,
        f.classified,
        after_at,
        after_id,
        f.fetch
    )
    .fetch_all(&mut **tx)
    .await
}

/// A stop as it stands, locked for a change.
pub(in crate::production) struct Locked {
    pub line_id: LineId,
    pub start_at: DateTime<Utc>,
    pub end_at: Option<DateTime<Utc>>,
}

/// Stop `id`, locked until the transaction ends (a split and a classification of it are one after the other).
pub(in crate::production) async fn lock(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<Option<Locked>, sqlx::Error> {
    sqlx::query_as!(
        Locked,
        r#"select line_id as "line_id: LineId", start_at, end_at from production_downtime
           where tenant_id = $1 and id = $2 for update"#,
        tenant.0,
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Line `line`, locked until the transaction ends, so two stops added to it at once are checked one after the other;
/// false when the plant has no such line.
pub(in crate::production) async fn lock_line(tx: &mut Tx, tenant: TenantId, line: LineId) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        "select 1 from production_lines where tenant_id = $1 and id = $2 for update",
        tenant.0,
        line.0
    )
    .fetch_optional(&mut **tx)
    .await?
    .is_some())
}

/// Where the downtime job has judged `line` up to: its last output unit looked at (none: no unit yet).
pub(in crate::production) async fn judged_until(
    tx: &mut Tx,
    tenant: TenantId,
    line: LineId,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "select last_at from production_downtime_cursor where tenant_id = $1 and line_id = $2",
        tenant.0,
        line.0
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The first stop of `line` over `[start, end)` (one going on reaches on), by the line's stops' index.
pub(in crate::production) async fn overlapping(
    tx: &mut Tx,
    tenant: TenantId,
    line: LineId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Option<(i64, DateTime<Utc>, Option<DateTime<Utc>>)>, sqlx::Error> {
    Ok(sqlx::query!(
        "select id, start_at, end_at from production_downtime
         where tenant_id = $1 and line_id = $2 and start_at < $4 and coalesce(end_at, 'infinity'::timestamptz) > $3
         order by start_at limit 1",
        tenant.0,
        line.0,
        start,
        end
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| (r.id, r.start_at, r.end_at)))
}

/// Writes a stop entered by hand (given a reason, by `by`, now). Returns its id.
#[allow(clippy::too_many_arguments)]
pub(in crate::production) async fn add_manual(
    tx: &mut Tx,
    tenant: TenantId,
    line: LineId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    reason: Option<ReasonId>,
    note: Option<&str>,
    by: &super::dashboard::Classifier,
) -> Result<i64, sqlx::Error> {
    let by = by.id();
    sqlx::query_scalar!(
        "insert into production_downtime (tenant_id, line_id, start_at, end_at, reason_id, note, classified_by,
                                          classified_at, manual)
         values ($1, $2, $3, $4, $5, $6, case when $5::int is null then null else $7::uuid end,
                 case when $5::int is null then null else now() end, true)
         returning id",
        tenant.0,
        line.0,
        start,
        end,
        reason.map(|r| r.0),
        note,
        by
    )
    .fetch_one(&mut **tx)
    .await
}

/// Splits ended stop `id` (from `start` to `end`) at `at`: it ends there, and a new stop of its line, unclassified,
/// goes on to `end`; both entered by hand from now on. Returns the new stop's id.
pub(in crate::production) async fn split(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    at: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let line = sqlx::query_scalar!(
        "update production_downtime set end_at = $3, manual = true where tenant_id = $1 and id = $2 returning line_id",
        tenant.0,
        id,
        at
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query_scalar!(
        "insert into production_downtime (tenant_id, line_id, start_at, end_at, manual) values ($1, $2, $3, $4, true)
         returning id",
        tenant.0,
        line,
        at,
        end
    )
    .fetch_one(&mut **tx)
    .await
}
