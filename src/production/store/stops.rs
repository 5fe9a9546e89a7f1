//! The stops list (`GET /production/stops`): a plant's stops newest first, filtered, by keyset pages, with their
//! reason and who classified them (a person, or a key: a line's terminal).
//!
//! Index: `production_downtime_tenant_start (tenant_id, start_at desc, id desc)`: the plant's stops newest first, from
//! a cursor (a line filter reads the same range, filtered).

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::{LineId, TenantId};

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
                  coalesce(u.display_name, k.name) as "classified_by?", d.classified_at
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
