//! The plant's stops over the REST API (`GET /production/stops`, `PUT /production/stops/{id}`): what the dashboard's
//! downtime table lists, for machines and other systems: newest first, filtered by span, line, reason or whether
//! classified, by keyset pages; each with its length, its minutes in planned time (what the downtime figure counts of
//! it), its reason and who gave it. A line's terminal (a key with `production:record`) classifies them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::caller::{Caller, RequestMeta};
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::ids::LineId;
use crate::paging::{self, At, Limit, Page};
use crate::production::rules::calendar::{Calendar, Span};
use crate::production::store::{dashboard as setup_store, stops as store};

/// Stops per page: 100 unless asked, at most 500.
pub const PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 500;

/// What the list is narrowed to (each optional).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StopsQuery {
    /// Stops going on at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Stops that started before this instant.
    pub to: Option<DateTime<Utc>>,
    /// A line's code.
    pub line: Option<String>,
    /// A reason's code.
    pub reason: Option<String>,
    /// Only stops with a reason (true) or without one (false).
    pub classified: Option<bool>,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

/// A stop's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StopReason {
    pub code: String,
    pub name: String,
    /// A planned reason: the stop's time leaves planned time (it is no downtime).
    pub planned: bool,
}

/// A stop as the list gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StopItem {
    pub id: i64,
    pub line_id: LineId,
    /// The line's code.
    pub line: String,
    pub start: DateTime<Utc>,
    /// Absent: still going on.
    pub end: Option<DateTime<Utc>>,
    /// Its length in milliseconds (up to now while it goes on).
    pub ms: i64,
    /// Of that, milliseconds in planned time (inside a shift, outside its breaks): what it costs.
    pub planned_ms: i64,
    pub reason: Option<StopReason>,
    pub note: Option<String>,
    /// Who gave it its reason: a person's name or a key's.
    pub classified_by: Option<String>,
    pub classified_at: Option<DateTime<Utc>>,
}

/// The plant's stops, newest first (`production:read`).
pub async fn list(pool: &PgPool, caller: &Caller, q: &StopsQuery) -> Result<Page<StopItem>> {
    caller.require(ApiScope::ProductionRead)?;
    let limit = Limit::new(q.limit, PAGE, MAX_PAGE)?;
    let after = paging::after::<At<i64>>(q.after.as_deref(), ())?;
    if let (Some(from), Some(to)) = (q.from, q.to)
        && to <= from
    {
        return Err(Error::field("to", ErrorCode::InvalidInput));
    }
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let line = match q.line.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(
            setup_store::lines(&mut tx)
                .await?
                .into_iter()
                .find(|l| l.code == code)
                .map(|l| l.id)
                .ok_or_else(|| Error::field("line", ErrorCode::InvalidInput))?,
        ),
    };
    let reason = q.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if let Some(code) = reason
        && !setup_store::reasons(&mut tx).await?.iter().any(|r| r.code == code)
    {
        return Err(Error::field("reason", ErrorCode::InvalidInput));
    }
    let filter = store::Filter {
        from: q.from,
        to: q.to,
        line,
        reason,
        classified: q.classified,
        after: after.map(|a| (a.at, a.id)),
        fetch: limit.fetch(),
    };
    let rows = store::list(&mut tx, tenant, &filter).await?;
    let tz = super::dashboard::time_zone(&mut tx).await?;
    let shifts = setup_store::shifts(&mut tx).await?.into_iter().map(|(_, _, s)| s).collect();
    tx.commit().await?;
    let cal = Calendar { shifts, tz };
    let now = Utc::now();
    let items = rows
        .into_iter()
        .map(|r| {
            let span = Span::new(r.start_at, r.end_at.unwrap_or(now).max(r.start_at));
            StopItem {
                id: r.id,
                line_id: LineId(r.line_id),
                line: r.line,
                start: r.start_at,
                end: r.end_at,
                ms: span.ms(),
                planned_ms: cal.planned_ms(&span),
                reason: match (r.reason_code, r.reason_name, r.reason_planned) {
                    (Some(code), Some(name), Some(planned)) => Some(StopReason { code, name, planned }),
                    _ => None,
                },
                note: r.note,
                classified_by: r.classified_by,
                classified_at: r.classified_at,
            }
        })
        .collect();
    Ok(Page::cut(items, limit, |s: &StopItem| At::new(s.start, s.id)))
}

/// Gives stop `id` the reason of code `reason` (none: unclassified again) and a note, as a person who records
/// production or a key with `production:record`. Audited.
pub async fn classify(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    id: i64,
    reason: Option<&str>,
    note: Option<&str>,
) -> Result<()> {
    super::dashboard::classify_as(pool, caller, meta, id, super::dashboard::Reason::Code(reason), note).await
}
