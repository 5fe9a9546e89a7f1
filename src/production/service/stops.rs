//! The plant's stops over the REST API (`GET /production/stops`, `PUT /production/stops/{id}`): what the dashboard's
//! downtime table lists, for machines and other systems: newest first, filtered by span, line, reason or whether
//! classified, by keyset pages; each with its length, its minutes in planned time (what the downtime figure counts of
//! it), its reason and who gave it. A line's terminal (a key with `production:record`) classifies them; people who
//! record production and terminals add the stops the sensors missed and split a stop that had two causes
//! (`POST /production/stops`, `POST /production/stops/{id}/split`), audited.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use serde_json::json;

use super::dashboard::Reason;
use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta};
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Role};
use crate::ids::{LineId, ReasonId};
use crate::paging::{self, At, Limit, Page};
use crate::production::rules::calendar::{Calendar, Span};
use crate::production::rules::stops::{SplitRefused, StopProblem, check_added, check_split, local_instant};
use crate::production::store::dashboard::Classifier;
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
    /// Entered by a person (added by hand, or a part of a stop split by hand): the sensors' corrections leave it be.
    pub manual: bool,
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
                manual: r.manual,
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

/// A time as the caller gives it: an instant (the REST API), or a local date and time in the plant's zone (a form).
#[derive(Debug, Clone, Copy)]
pub enum When<'a> {
    Instant(DateTime<Utc>),
    Local(&'a str),
}

impl When<'_> {
    fn resolve(self, field: &str, tz: chrono_tz::Tz) -> Result<DateTime<Utc>> {
        match self {
            When::Instant(t) => Ok(t),
            When::Local(raw) => local_instant(field, raw, tz).map_err(|f| Error::Validation(vec![f])),
        }
    }
}

/// A line as the caller names it: by id (a form) or by code (the REST API).
#[derive(Debug, Clone, Copy)]
pub enum LineName<'a> {
    Id(LineId),
    Code(&'a str),
}

/// A stop the sensors missed, as someone enters it.
#[derive(Debug, Clone, Copy)]
pub struct NewStop<'a> {
    pub line: LineName<'a>,
    pub start: When<'a>,
    pub end: When<'a>,
    pub reason: Reason<'a>,
    pub note: Option<&'a str>,
}

/// Who may enter stops of `line`: people who record production (operators on their own lines) and keys with
/// `production:record`.
async fn may_enter(tx: &mut Tx, caller: &Caller, line: LineId) -> Result<()> {
    if let Caller::User(user) = caller
        && user.role == Role::Operator
        && !setup_store::operator_lines(tx, user.user_id).await?.contains(&line)
    {
        return Err(Error::Forbidden);
    }
    Ok(())
}

fn actor_of<'a>(caller: &'a Caller, meta: &'a RequestMeta) -> (Classifier, Actor<'a>) {
    match caller {
        Caller::User(u) => (Classifier::Person(u.user_id), Actor::of(u, meta)),
        Caller::Machine(m) => (Classifier::Key(m.key_id), Actor::machine(m, meta)),
    }
}

/// Adds a stop the sensors missed: ended, in the past, over no other stop of its line (refused naming it), with a
/// reason of the plant's in use if given. Audited. Returns its id.
pub async fn add(pool: &PgPool, caller: &Caller, meta: &RequestMeta, input: NewStop<'_>) -> Result<i64> {
    caller.require(ApiScope::ProductionRecord)?;
    let note = note(input.note)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let tz = super::dashboard::time_zone(&mut tx).await?;
    let lines = setup_store::lines(&mut tx).await?;
    let line = match input.line {
        LineName::Id(id) => lines.iter().find(|l| l.id == id),
        LineName::Code(code) => lines.iter().find(|l| l.code == code.trim()),
    }
    .map(|l| l.id)
    .ok_or_else(|| Error::field("line", ErrorCode::InvalidInput))?;
    let (start, end) = match (input.start.resolve("start", tz), input.end.resolve("end", tz)) {
        (Ok(s), Ok(e)) => (s, e),
        (s, e) => {
            let fields = [s.err(), e.err()].into_iter().flatten().flat_map(|e| match e {
                Error::Validation(f) => f,
                _ => Vec::new(),
            });
            return Err(Error::Validation(fields.collect()));
        }
    };
    check_added(start, end, Utc::now()).map_err(Error::Validation)?;
    let reason = reason_id(&mut tx, input.reason).await?;
    may_enter(&mut tx, caller, line).await?;
    if !store::lock_line(&mut tx, tenant, line).await? {
        return Err(Error::field("line", ErrorCode::InvalidInput));
    }
    if let Some((id, start, end)) = store::overlapping(&mut tx, tenant, line, start, end).await? {
        return Err(Error::rejected(StopProblem::StopOverlaps { id, start, end }));
    }
    // Past the line's last unit the job has looked at, its own stop may yet be found: not before it has.
    if let Some(until) = store::judged_until(&mut tx, tenant, line).await?
        && end > until
    {
        return Err(Error::rejected(StopProblem::StopUnjudged { until }));
    }
    let (by, actor) = actor_of(caller, meta);
    let id = store::add_manual(&mut tx, tenant, line, start, end, reason, note.as_deref(), &by).await?;
    let event = Event::new("production.stop_added")
        .target("production_downtime", id.to_string())
        .after(json!({ "line": line, "start": start, "end": end, "reason": reason, "note": note }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Splits ended stop `id` at `at` (strictly inside it): it ends there, keeping its reason and note, and the rest is a
/// new stop, unclassified; both then entered by hand. Audited. Returns the new stop's id.
pub async fn split(pool: &PgPool, caller: &Caller, meta: &RequestMeta, id: i64, at: When<'_>) -> Result<i64> {
    caller.require(ApiScope::ProductionRecord)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let tz = super::dashboard::time_zone(&mut tx).await?;
    let at = at.resolve("at", tz)?;
    let stop = store::lock(&mut tx, tenant, id).await?.ok_or(Error::NotFound)?;
    may_enter(&mut tx, caller, stop.line_id).await?;
    let end = check_split(id, stop.start_at, stop.end_at, at).map_err(|r| match r {
        SplitRefused::Ongoing(p) => Error::rejected(p),
        SplitRefused::Outside(f) => Error::Validation(vec![f]),
    })?;
    let new = store::split(&mut tx, tenant, id, at, end).await?;
    let (_, actor) = actor_of(caller, meta);
    let event = Event::new("production.stop_split")
        .target("production_downtime", id.to_string())
        .before(json!({ "start": stop.start_at, "end": end }))
        .after(json!({ "end": at, "new_stop": new, "new_start": at, "new_end": end }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok(new)
}

/// A note as stored: one line of text of at most 500 characters, none when blank.
fn note(note: Option<&str>) -> Result<Option<String>> {
    Ok(match note {
        Some(n) => Some(crate::codes::check_text("note", n, false, 500)?).filter(|n| !n.is_empty()),
        None => None,
    })
}

/// A reason of the plant's in use, by id or code (none given: none).
async fn reason_id(tx: &mut Tx, reason: Reason<'_>) -> Result<Option<ReasonId>> {
    let id = match reason {
        Reason::Id(None) | Reason::Code(None) => return Ok(None),
        Reason::Id(Some(r)) => Some(r),
        Reason::Code(Some(code)) => {
            setup_store::reasons(tx).await?.into_iter().find(|r| r.code == code.trim()).map(|r| r.id)
        }
    };
    match id {
        Some(r) if setup_store::reason_active(tx, r).await? => Ok(Some(r)),
        _ => Err(Error::field("reason", ErrorCode::InvalidInput)),
    }
}
