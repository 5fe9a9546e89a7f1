//! The shop's statistics: parts by state and subsystem now (one count, which every figure of the page and the
//! board's columns sum), and over the last weeks: parts completed per week, the median time parts stayed in each
//! state, the claims whose lease ran out.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::caller::Caller;
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::fabrication::rules::parts::PartState;
use crate::fabrication::rules::views::{StateCount, StateTime, Stats, Subsystem, SubsystemCount, WeekCount};
use crate::fabrication::store::stats as store;
use crate::identity::rules::auth::ApiScope;
use crate::ids::SubsystemId;

/// The window's weeks when the caller names none, and at most.
pub const WEEKS_DEFAULT: i32 = 12;
pub const WEEKS_MAX: i32 = 104;

/// The statistics (`fabrication:read`) over the last `weeks` weeks (1–104, the current one included).
pub async fn stats(pool: &PgPool, caller: &Caller, weeks: Option<i32>) -> Result<Stats> {
    caller.require(ApiScope::FabricationRead)?;
    let weeks = weeks.unwrap_or(WEEKS_DEFAULT);
    if !(1..=WEEKS_MAX).contains(&weeks) {
        return Err(Error::field("weeks", ErrorCode::InvalidInput));
    }
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let tz = crate::production::service::dashboard::time_zone(&mut tx).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first = monday - Duration::weeks(i64::from(weeks - 1));
    let since = tz
        .from_local_datetime(&first.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
    let counts = store::counts(&mut tx, tenant).await?;
    let completed = store::completed_per_week(&mut tx, tenant, since, tz.name()).await?;
    let states: Vec<String> = PartState::SHOWN.iter().map(|s| s.as_str().to_owned()).collect();
    let stays = store::stays(&mut tx, tenant, since, &states).await?;
    tx.commit().await?;

    let mut by_subsystem = Vec::with_capacity(counts.len());
    let mut flat = Vec::with_capacity(counts.len());
    for c in counts {
        let state = PartState::decode(&c.state).map_err(Error::internal)?;
        flat.push((c.state.clone(), c.count));
        by_subsystem.push(SubsystemCount {
            subsystem: match (c.subsystem_id, c.subsystem_name) {
                (Some(id), Some(name)) => {
                    Some(Subsystem { id: SubsystemId(id), name, archived: c.subsystem_archived.unwrap_or(false) })
                }
                _ => None,
            },
            state,
            count: c.count,
        });
    }
    let by_state: Vec<StateCount> = super::parts::by_state(&flat);
    let completed_per_week = (0..weeks)
        .map(|w| {
            let week: NaiveDate = first + Duration::weeks(i64::from(w));
            let count = completed.iter().filter(|(d, _)| *d == week).map(|(_, n)| n).sum();
            WeekCount { week, count }
        })
        .collect();
    let mut time_in_state = Vec::new();
    let mut claims_expired = 0;
    for s in stays {
        let state = PartState::decode(&s.state).map_err(Error::internal)?;
        if state == PartState::Claimed {
            claims_expired = s.expired;
        }
        time_in_state.push(StateTime { state, median_seconds: s.median_seconds, stays: s.stays });
    }
    time_in_state.sort_by_key(|t| t.state);
    Ok(Stats {
        total: by_state.iter().map(|c| c.count).sum(),
        by_state,
        by_subsystem,
        since,
        weeks,
        completed_per_week,
        time_in_state,
        claims_expired,
    })
}
