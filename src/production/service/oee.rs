//! OEE of a span, per line and for the plant, for machines (`GET /api/v1/production/oee`): the very figures the
//! dashboard and its CSV show for the same span, from the same calculation (`dashboard::compute`, over
//! `rules::dashboard::figures` and `rules::oee`): planned time from the shift calendar (less stops given a planned
//! reason), unplanned downtime where stops meet planned time, units and their ideal time from the output's rollups.
//! The plant's figure is its lines' totals added (weighted by their time and units), never an average of percentages.
//!
//! A span's edges are taken down to the whole minute. Each call is logged in the tenant's query log (who, the span,
//! how long it took).

use crate::ids::LineId;
use chrono::{DateTime, DurationRound, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::caller::Caller;
use crate::db::{self, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::production::rules::dashboard::{Bucket, Query, Range};
use crate::production::rules::oee::{Oee, Totals};
use crate::production::store::oee as store;

/// The longest span asked for at once: the dashboard's, whose calculation answers.
pub const MAX_SPAN: chrono::Duration = super::dashboard::MAX_SPAN;

/// One line's figures over the span.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LineFigures {
    pub line_id: LineId,
    pub code: String,
    pub name: String,
    pub totals: Totals,
    pub oee: Oee,
}

/// The span's figures: each line's, and the plant's (their totals added).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub lines: Vec<LineFigures>,
    pub plant: Totals,
    pub plant_oee: Oee,
}

/// OEE per line and for the plant over `[from, to)` (`production:read`; at most [`MAX_SPAN`]).
pub async fn figures(pool: &PgPool, caller: &Caller, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Figures> {
    caller.require(ApiScope::ProductionRead)?;
    // Units are counted by the minute: the span is taken to whole minutes at both ends.
    let minute = chrono::Duration::minutes(1);
    let (from, to) = match (from.duration_trunc(minute), to.duration_trunc(minute)) {
        (Ok(f), Ok(t)) => (f, t),
        _ => return Err(Error::field("from", crate::codes::ErrorCode::InvalidInput)),
    };
    // Within the years a plant can have data for (and PostgreSQL's time range).
    let earliest = DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default();
    let latest = DateTime::<Utc>::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC);
    if from < earliest || from > latest {
        return Err(Error::field("from", crate::codes::ErrorCode::InvalidInput));
    }
    if to <= from || to > latest || to - from > MAX_SPAN {
        return Err(Error::field("to", crate::codes::ErrorCode::RangeInvalid));
    }
    let started = std::time::Instant::now();
    // The caller's own plant (a platform admin's too: one plant's figures, never several mixed).
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    // The dashboard's calculation over the span, all lines, every product; days are the coarsest buckets, which only
    // the series (not read here) depends on.
    let q =
        Query { range: Range::Custom, from: Some(from), to: Some(to), bucket: Some(Bucket::Day), ..Query::default() };
    let view = super::dashboard::compute(&mut tx, tenant, &q, Utc::now()).await?;
    let lines: Vec<LineFigures> = view
        .lines
        .into_iter()
        .map(|l| LineFigures { line_id: l.id, code: l.code, name: l.name, totals: l.figure.totals, oee: l.figure.oee })
        .collect();
    // Every dashboard query is logged: who asked, for what, and how long it took.
    let user = match caller {
        Caller::User(u) => Some(u.user_id),
        Caller::Machine(_) => None,
    };
    let filters = serde_json::json!({ "from": from, "to": to });
    let ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    store::log_query(&mut tx, tenant, user, "oee", &filters, ms).await?;
    tx.commit().await?;
    Ok(Figures { lines, plant: view.total.totals, plant_oee: view.total.oee })
}
