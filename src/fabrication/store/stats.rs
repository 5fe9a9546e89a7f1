//! The statistics' SQL: parts by subsystem and state now, and what the stays say of a window (completions per week,
//! the median stay in each state, the claims that expired).
//!
//! Indexes: `fabrication_parts_subsystem` (tenant first) for the counts; `fabrication_stays_left` (stays that ended
//! in the window, with their state, start and how they ended in the index) and `fabrication_stays_completed`.

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
           from (select subsystem_id, state, count(*) as count from fabrication_parts
                 where tenant_id = $1 and state <> 'deleted' group by subsystem_id, state) c
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

/// The stays that ended since `since`, by state: their median length, how many, and how many ended by a lease
/// expiring.
pub(in crate::fabrication) async fn stays(
    tx: &mut Tx,
    tenant: TenantId,
    since: DateTime<Utc>,
) -> Result<Vec<StayRow>, sqlx::Error> {
    sqlx::query_as!(
        StayRow,
        r#"select state as "state!",
                  percentile_cont(0.5) within group (order by extract(epoch from left_at - entered_at)::float8)
                      as "median_seconds!",
                  count(*) as "stays!", count(*) filter (where left_by = 'expire') as "expired!"
           from fabrication_stays where tenant_id = $1 and left_at >= $2
           group by state order by state"#,
        tenant.0,
        since
    )
    .fetch_all(&mut **tx)
    .await
}
