//! The statistics' SQL: parts by subsystem and state now, and what the stays say of a window (completions per week,
//! the median stay in each state, the claims that expired).
//!
//! The counts are `fabrication_part_counts`' rows (kept by the parts' trigger); the stays are read by
//! `fabrication_stays_left` (one range per state of the stays that ended in the window, with their start and how they
//! ended in the index) and `fabrication_stays_completed`.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::Tx;
use crate::ids::TenantId;

pub(in crate::fabrication) struct CountRow {
    pub subsystem_id: Option<i32>,
    pub subsystem_name: Option<String>,
    pub subsystem_archived: Option<bool>,
    pub state: String,
    pub count: i64,
}

/// How many parts each subsystem has in each state (deleted ones aside): every count the page shows is a sum of
/// these.
pub(in crate::fabrication) async fn counts(tx: &mut Tx, tenant: TenantId) -> Result<Vec<CountRow>, sqlx::Error> {
    sqlx::query_as!(
        CountRow,
        r#"select c.subsystem_id, s.name as "subsystem_name?", s.archived_at is not null as "subsystem_archived?",
                  c.state as "state!", c.count as "count!"
           from (select nullif(subsystem_id, 0) as subsystem_id, state, count from fabrication_part_counts
                 where tenant_id = $1 and state <> 'deleted' and count > 0) c
           left join fabrication_subsystems s on s.tenant_id = $1 and s.id = c.subsystem_id
           order by s.name nulls last, c.state"#,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}

/// Parts completed in each week since `since` (weeks starting Monday in the time zone `tz`).
pub(in crate::fabrication) async fn completed_per_week(
    tx: &mut Tx,
    tenant: TenantId,
    since: DateTime<Utc>,
    tz: &str,
) -> Result<Vec<(NaiveDate, i64)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select date_trunc('week', entered_at at time zone $3)::date as "week!", count(*) as "count!"
           from fabrication_stays where tenant_id = $1 and state = 'completed' and entered_at >= $2
           group by 1 order by 1"#,
        tenant.0,
        since,
        tz
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.week, r.count))
    .collect())
}

pub(in crate::fabrication) struct StayRow {
    pub state: String,
    pub median_seconds: f64,
    pub stays: i64,
    pub expired: i64,
}

/// The stays in `states` that ended since `since`, by state (one index range each): their median length, how many,
/// and how many ended by a lease expiring.
pub(in crate::fabrication) async fn stays(
    tx: &mut Tx,
    tenant: TenantId,
    since: DateTime<Utc>,
    states: &[String],
) -> Result<Vec<StayRow>, sqlx::Error> {
    sqlx::query_as!(
        StayRow,
        r#"select st as "state!", m.median as "median_seconds!", m.stays as "stays!", m.expired as "expired!"
           from unnest($3::text[]) st
           cross join lateral (
               select percentile_cont(0.5) within group (order by extract(epoch from left_at - entered_at)::float8)
                          as median,
                      count(*) as stays, count(*) filter (where left_by = 'expire') as expired
               from fabrication_stays where tenant_id = $1 and state = st and left_at >= $2) m
           where m.stays > 0
           order by st"#,
        tenant.0,
        since,
        states
    )
    .fetch_all(&mut **tx)
    .await
}
