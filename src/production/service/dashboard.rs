//! The dashboards: a person's setup (their role's template, the plant's filters and choices), the figures of a query
//! from the one calculation in `rules::dashboard`, the minutes behind a figure, a stop's classification, and the
//! CSV of what a dashboard shows. Every figure query is written to the plant's query log (who, the filters, how long).
//!
//! Who sees what: anyone of the plant with `production.read` sees its dashboards; people with `production.record`
//! classify stops — managers and owners any line's, operators those of the lines they work on.

use crate::ids::{LineId, ProductId, ReasonId, ShiftId, TenantId, UserId};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Instant;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;

use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta, User};
use crate::codes::{ErrorCode, UnknownText};
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission, Role};
use crate::production::rules::calendar::{Calendar, Shift, Span};
use crate::production::rules::dashboard::{
    self as rules, Bucket, DrillData, Figure, FilterDef, Inputs, LineRef, LineRow, LineTimeline, MinuteRow, ParetoBy,
    Point, ProductRef, ProductRow, Query, Setup, ShiftRef, StopRow, View, Widget,
};
use crate::production::rules::kinds::{Counting, FilterKey, Template};
use crate::production::store::{dashboard as store, oee as oee_store};

/// The longest span a dashboard looks at.
pub const MAX_SPAN: chrono::Duration = chrono::Duration::days(400);
/// The most minutes a drill-down lists.
pub const MINUTES_SHOWN: i64 = 500;

/// The plant's time zone (a plant not yet configured: Mexico City's, the demo's); a stored name that is no zone is
/// an error, never another zone in its place.
pub(crate) async fn time_zone(tx: &mut Tx) -> Result<Tz> {
    match oee_store::time_zone(tx).await? {
        None => Ok(chrono_tz::America::Mexico_City),
        Some(name) => name.parse().map_err(|_| Error::internal(UnknownText { kind: "time zone", value: name })),
    }
}

/// The plant's today (its time zone's): what a due date is compared with.
pub(crate) async fn today(tx: &mut Tx) -> Result<chrono::NaiveDate> {
    let tz = time_zone(tx).await?;
    Ok(chrono::Utc::now().with_timezone(&tz).date_naive())
}

/// The lines whose stops `user` may classify.
async fn classify_lines(tx: &mut Tx, user: &User, lines: &[LineId]) -> Result<Vec<LineId>> {
    if !user.may(Permission::ProductionRecord) {
        return Ok(Vec::new());
    }
    if user.role == Role::Operator {
        return Ok(store::operator_lines(tx, user.user_id).await?);
    }
    Ok(lines.to_vec())
}

/// What the person's dashboard is made of.
pub async fn setup(pool: &PgPool, caller: &Caller) -> Result<Setup> {
    caller.require(ApiScope::ProductionRead)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let time_zone = time_zone(&mut tx).await?;
    let lines = store::lines(&mut tx).await?;
    let role = match caller {
        Caller::User(u) => u.role,
        Caller::Machine(m) => m.creator_role,
    };
    let template = Template::of(role);
    // A template the plant has not set is the default one; one whose stored widgets do not read is an error (the
    // settings page checks every save against the catalog).
    let widgets: Vec<Widget> = match store::dashboard(&mut tx, template.as_str()).await? {
        None => serde_json::from_str(template.default_widgets()).map_err(Error::internal)?,
        Some(w) => serde_json::from_value(w).map_err(Error::internal)?,
    };
    let ids: Vec<LineId> = lines.iter().map(|l| l.id).collect();
    let classify_lines = match caller {
        Caller::User(u) => classify_lines(&mut tx, u, &ids).await?,
        Caller::Machine(_) => Vec::new(),
    };
    let first_steps = match caller {
        Caller::User(u) if u.may(Permission::PlantConfigure) => Some(store::first_steps(&mut tx).await?),
        _ => None,
    };
    let setup = Setup {
        first_steps,
        time_zone,
        lines: lines.into_iter().map(|l| LineRef { id: l.id, code: l.code, name: l.name, target: l.target }).collect(),
        products: store::products(&mut tx)
            .await?
            .into_iter()
            .map(|p| ProductRef { id: p.id, code: p.code, name: p.name })
            .collect(),
        shifts: store::shifts(&mut tx)
            .await?
            .into_iter()
            .map(|(id, name, s)| ShiftRef {
                id,
                name,
                hours: format!("{}–{}", s.start.format("%H:%M"), s.end.format("%H:%M")),
            })
            .collect(),
        reasons: store::reasons(&mut tx).await?,
        filters: {
            let rows = store::filters(&mut tx).await?;
            if rows.is_empty() {
                // A plant that has set no filter offers the default ones.
                FilterKey::defaults()
                    .into_iter()
                    .map(|(key, required, default_value, options)| FilterDef { key, required, default_value, options })
                    .collect()
            } else {
                rows.into_iter()
                    // `area` is a key the table allows and no dashboard offers yet.
                    .filter(|f| f.enabled && f.key != "area")
                    .map(|f| {
                        let key = FilterKey::decode(&f.key)?;
                        Ok(FilterDef { key, required: f.required, default_value: f.default_value, options: f.options })
                    })
                    .collect::<Result<_>>()?
            }
        },
        template,
        widgets,
        classify_lines,
    };
    tx.commit().await?;
    Ok(setup)
}

/// A query made concrete: its span, windows, lines, product, bucket slots.
pub(super) struct Resolved {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub windows: Vec<Span>,
    pub lines: Vec<store::LineRow>,
    pub shifts: Vec<(ShiftId, String, Shift)>,
    pub tz: Tz,
}

pub(super) async fn resolve(tx: &mut Tx, q: &Query, now: DateTime<Utc>) -> Result<Resolved> {
    let tz = time_zone(tx).await?;
    let shifts = store::shifts(tx).await?;
    let plain: Vec<Shift> = shifts.iter().map(|(_, _, s)| s.clone()).collect();
    let custom = match (q.from, q.to) {
        (Some(f), Some(t)) => Some((f, t)),
        _ => None,
    };
    // A custom period that cannot be read as one (it ends before it starts) is said to be so, on `to`.
    let (field, code) = if q.range == rules::Range::Custom {
        ("to", ErrorCode::RangeInvalid)
    } else {
        ("range", ErrorCode::InvalidInput)
    };
    let (from, to) = rules::resolve(q.range, custom, now, tz, &plain).ok_or_else(|| Error::field(field, code))?;
    // Within the years a plant can have data for (and PostgreSQL's time range), and not too long at once.
    let earliest = DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default();
    let latest = DateTime::<Utc>::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC);
    if from < earliest || to > latest || to - from > MAX_SPAN {
        return Err(Error::field("to", ErrorCode::RangeInvalid));
    }
    let mut lines = store::lines(tx).await?;
    if let Some(line) = q.line {
        lines.retain(|l| l.id == line);
        if lines.is_empty() {
            return Err(Error::field("line", ErrorCode::InvalidInput));
        }
    }
    let windows = match q.shift {
        None => vec![Span::new(from, to)],
        Some(id) => {
            let (_, _, shift) = shifts
                .iter()
                .find(|(s, _, _)| *s == id)
                .ok_or_else(|| Error::field("shift", ErrorCode::InvalidInput))?;
            rules::shift_windows(shift, tz, from, to)
        }
    };
    Ok(Resolved { from, to, windows, lines, shifts, tz })
}

pub(super) fn user_of(caller: &Caller) -> Option<UserId> {
    match caller {
        Caller::User(u) => Some(u.user_id),
        Caller::Machine(_) => None,
    }
}

/// The figures of `q` (`production:read`), written to the plant's query log.
pub async fn view(pool: &PgPool, caller: &Caller, q: &Query) -> Result<View> {
    view_from(pool, pool, caller, q).await
}

/// [`view`] with the figures read from `reads` (a replica may serve them: a dashboard tolerates a second of lag) and
/// the query log written on `primary` (in the same transaction when they are one pool).
pub async fn view_from(reads: &PgPool, primary: &PgPool, caller: &Caller, q: &Query) -> Result<View> {
    caller.require(ApiScope::ProductionRead)?;
    let started = Instant::now();
    let tenant = caller.tenant_id();
    let mut tx = db::begin(reads, Scope::Tenant(tenant)).await?;
    let view = compute(&mut tx, tenant, q, Utc::now()).await?;
    let ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    if !db::same_pool(reads, primary) {
        tx.commit().await?;
        tx = db::begin(primary, Scope::Tenant(tenant)).await?;
    }
    oee_store::log_query(&mut tx, tenant, user_of(caller), "dashboard", &filters_json(q, &view), ms).await?;
    tx.commit().await?;
    Ok(view)
}

/// The figures of `q` in `tenant`'s plant as of `now`: the one calculation (`rules::figures`) over what the store
/// holds, which the dashboard, its CSV and the REST figures (`oee::figures`) all read, so they cannot disagree.
pub(crate) async fn compute(tx: &mut Tx, tenant: TenantId, q: &Query, now: DateTime<Utc>) -> Result<View> {
    compute_listing(tx, tenant, q, now, rules::STOPS_SHOWN).await
}

/// [`compute`], listing up to `shown` stops (an export lists them all).
pub(crate) async fn compute_listing(
    tx: &mut Tx,
    tenant: TenantId,
    q: &Query,
    now: DateTime<Utc>,
    shown: usize,
) -> Result<View> {
    let r = resolve(tx, q, now).await?;
    let products = store::products(tx).await?;
    if let Some(p) = q.product
        && !products.iter().any(|x| x.id == p)
    {
        return Err(Error::field("product", ErrorCode::InvalidInput));
    }
    let plain: Vec<Shift> = r.shifts.iter().map(|(_, _, s)| s.clone()).collect();
    let (bucket, slots) =
        rules::slots(q.bucket.unwrap_or(q.range.natural_bucket(r.to - r.from)), r.from, r.to, r.tz, &plain);
    let line_ids: Vec<LineId> = r.lines.iter().map(|l| l.id).collect();
    // Units per hour when the buckets' edges are on the hour; per minute otherwise, but only over two days at most
    // (a longer span off the hour — a half-hour time zone, a custom range from 10:30 — is read per hour, each hour's
    // units in the bucket its start falls in), so a query never reads more than a few thousand rows a line.
    let hourly = bucket != Bucket::Minute
        && (rules::hourly_cells_fit(&slots, &r.windows) || r.to - r.from > chrono::Duration::days(2));
    let output = store::output(tx, tenant, &line_ids, &r.windows, hourly).await?;
    let stops = store::stops(tx, tenant, &line_ids, r.from, r.to).await?;
    let micro = store::micro_stops(tx, tenant, &line_ids, &r.windows).await?;
    let cells: Vec<rules::StopCell> = stops.iter().map(|s| s.cell.clone()).collect();
    let first_units: std::collections::BTreeMap<LineId, DateTime<Utc>> =
        r.lines.iter().filter_map(|l| l.first_unit_at.map(|f| (l.id, f))).collect();
    let inputs = Inputs {
        first_units: &first_units,
        micro: &micro,
        shifts: &plain,
        tz: r.tz,
        windows: &r.windows,
        now,
        lines: &line_ids,
        slots: &slots,
        stops: &cells,
        output: &output,
        product: q.product,
    };
    let figures = rules::figures(&inputs);
    // The six big losses, MTBF and MTTR, of the lines (a product's share has none: stops are a line's).
    let (losses, line_losses) = if q.product.is_none() {
        let cal = Calendar { shifts: plain.clone(), tz: r.tz };
        let windows: Vec<(LineId, DateTime<Utc>, DateTime<Utc>)> =
            rules::merged_restarts(rules::restarts(&inputs, &cal), &r.windows, now)
                .into_iter()
                .map(|(l, s)| (l, s.start, s.end))
                .collect();
        let startup: HashMap<LineId, i64> = store::startup_rejects(tx, tenant, &windows).await?.into_iter().collect();
        let setup: Vec<ReasonId> = store::reasons(tx).await?.into_iter().filter(|r| r.setup).map(|r| r.id).collect();
        let (all, lines) = rules::losses(&inputs, &figures, &setup, &startup);
        (Some(all), lines)
    } else {
        (None, HashMap::new())
    };
    let code_of: HashMap<LineId, &str> = r.lines.iter().map(|l| (l.id, l.code.as_str())).collect();
    let windows_ms = |s: &rules::StopCell| -> i64 {
        let span = Span::new(s.start, s.end.unwrap_or(now).min(now));
        r.windows.iter().filter_map(|w| w.overlap(&span)).map(|o| o.ms()).sum()
    };
    // The stops listed: those that took planned time in the windows (a stop of the span lying wholly in a break or
    // off shift, written before stops were judged against the calendar, costs nothing and is no stop).
    let planned_ms = rules::stops_planned_ms(&inputs);
    let in_windows: Vec<&store::StopFull> = stops
        .iter()
        .filter(|s| windows_ms(&s.cell) > 0 && planned_ms.get(&s.cell.id).is_some_and(|&ms| ms > 0))
        .collect();
    let counting: HashMap<LineId, Counting> = r
        .lines
        .iter()
        .map(|l| Ok((l.id, Counting::decode(&l.counting).map_err(Error::internal)?)))
        .collect::<Result<_>>()?;
    let view = View {
        from: r.from,
        to: r.to,
        time_zone: r.tz,
        at: now,
        bucket,
        total: figures.total.into(),
        series: slots
            .iter()
            .zip(&figures.slots)
            .map(|(slot, t)| Point {
                start: slot.span.start,
                end: slot.span.end,
                shift: slot.shift.and_then(|i| r.shifts.get(i)).map(|(_, name, _)| name.clone()),
                figure: (*t).into(),
            })
            .collect(),
        lines: r
            .lines
            .iter()
            .map(|l| LineRow {
                id: l.id,
                code: l.code.clone(),
                name: l.name.clone(),
                target: l.target,
                counting: counting.get(&l.id).copied().unwrap_or_default(),
                figure: figures.lines.get(&l.id).copied().unwrap_or_default().into(),
                losses: line_losses.get(&l.id).copied(),
            })
            .collect(),
        products: products
            .iter()
            .filter_map(|p| {
                figures.products.get(&p.id).map(|t| ProductRow {
                    id: p.id,
                    code: p.code.clone(),
                    name: p.name.clone(),
                    figure: Figure::from(*t),
                })
            })
            .collect(),
        stop_count: in_windows.len(),
        stops: in_windows
            .iter()
            .take(shown)
            .map(|s| StopRow {
                id: s.cell.id,
                line_id: s.cell.line,
                line: code_of.get(&s.cell.line).copied().unwrap_or_default().to_owned(),
                start: s.cell.start,
                end: s.cell.end,
                ms: windows_ms(&s.cell),
                planned_ms: planned_ms.get(&s.cell.id).copied().unwrap_or(0),
                reason: s.cell.reason,
                note: s.note.clone(),
                classified_by: s.classified_by.clone(),
                manual: s.manual,
            })
            .collect(),
        pareto: rules::pareto(&inputs, ParetoBy::Reason),
        pareto_lines: rules::pareto(&inputs, ParetoBy::Line),
        losses,
    };
    Ok(view)
}

fn filters_json(q: &Query, v: &View) -> serde_json::Value {
    json!({
        "range": q.range.as_str(), "from": v.from, "to": v.to, "line": q.line, "product": q.product,
        "shift": q.shift, "bucket": v.bucket.as_str(),
    })
}

/// What the figures of `q` drill down to: the minutes behind them (latest first, at most [`MINUTES_SHOWN`]) and the
/// causes of `cause`'s figure: each line's timeline (availability), the rejects by product and area (quality).
/// Performance's causes (cycles by product, micro-stops by line) are in the figures themselves.
pub async fn drill(pool: &PgPool, caller: &Caller, q: &Query, cause: Option<rules::Cause>) -> Result<DrillData> {
    caller.require(ApiScope::ProductionRead)?;
    let started = Instant::now();
    let tenant = caller.tenant_id();
    let now = Utc::now();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let r = resolve(&mut tx, q, now).await?;
    let line_ids: Vec<LineId> = r.lines.iter().map(|l| l.id).collect();
    let rows = store::minutes(&mut tx, tenant, &line_ids, q.product, &r.windows, MINUTES_SHOWN).await?;
    let products: HashMap<ProductId, String> =
        store::products(&mut tx).await?.into_iter().map(|p| (p.id, p.code)).collect();
    let lines: HashMap<LineId, &str> = r.lines.iter().map(|l| (l.id, l.code.as_str())).collect();
    let minutes = rows
        .into_iter()
        .map(|m| MinuteRow {
            minute: m.minute,
            line: lines.get(&m.line_id).copied().unwrap_or_default().to_owned(),
            product: products.get(&m.product_id).cloned().unwrap_or_default(),
            total: m.total.into(),
            good: m.good.into(),
        })
        .collect();
    let timeline =
        if cause == Some(rules::Cause::Availability) { timeline(&mut tx, tenant, &r, now).await? } else { Vec::new() };
    let rejects = if cause == Some(rules::Cause::Quality) {
        store::rejects(&mut tx, tenant, &line_ids, q.product, &r.windows).await?
    } else {
        Vec::new()
    };
    let ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let filters = json!({ "range": q.range.as_str(), "from": r.from, "to": r.to, "line": q.line,
                          "product": q.product, "shift": q.shift, "cause": cause.map(rules::Cause::as_str) });
    oee_store::log_query(&mut tx, tenant, user_of(caller), "minutes", &filters, ms).await?;
    tx.commit().await?;
    Ok(DrillData { minutes, timeline, rejects })
}

/// Each line's timeline over the resolved span (`rules::timeline`), from the same calendar, stops and first units
/// as the figures.
pub(super) async fn timeline(
    tx: &mut Tx,
    tenant: TenantId,
    r: &Resolved,
    now: DateTime<Utc>,
) -> Result<Vec<LineTimeline>> {
    let line_ids: Vec<LineId> = r.lines.iter().map(|l| l.id).collect();
    let stops = store::stops(tx, tenant, &line_ids, r.from, r.to).await?;
    let cells: Vec<rules::StopCell> = stops.into_iter().map(|s| s.cell).collect();
    let plain: Vec<Shift> = r.shifts.iter().map(|(_, _, s)| s.clone()).collect();
    let first_units: std::collections::BTreeMap<LineId, DateTime<Utc>> =
        r.lines.iter().filter_map(|l| l.first_unit_at.map(|f| (l.id, f))).collect();
    let inputs = Inputs {
        first_units: &first_units,
        micro: &[],
        shifts: &plain,
        tz: r.tz,
        windows: &r.windows,
        now,
        lines: &line_ids,
        slots: &[],
        stops: &cells,
        output: &[],
        product: None,
    };
    let cal = Calendar { shifts: plain.clone(), tz: r.tz };
    let mut all = rules::timeline(&inputs, &cal);
    Ok(r.lines
        .iter()
        .map(|l| LineTimeline { line: l.id, code: l.code.clone(), segments: all.remove(&l.id).unwrap_or_default() })
        .collect())
}

/// Gives stop `id` a reason (none: unclassified again) and an optional note, as `user` (`production.record`;
/// operators only on their lines). Audited.
pub async fn classify(
    pool: &PgPool,
    user: &User,
    meta: &RequestMeta,
    id: i64,
    reason: Option<ReasonId>,
    note: Option<&str>,
) -> Result<()> {
    classify_as(pool, &Caller::User(user.clone()), meta, id, Reason::Id(reason), note).await
}

/// A reason as the caller names it: by id (the page's form) or by code (the REST API, a terminal).
#[derive(Debug, Clone, Copy)]
pub enum Reason<'a> {
    Id(Option<ReasonId>),
    Code(Option<&'a str>),
}

/// Gives stop `id` a reason and a note, as a person (`production.record`; operators only on their lines) or a key
/// with `production:record` (a line's terminal). The reason must be one of the plant's in use. Audited.
pub(crate) async fn classify_as(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    id: i64,
    reason: Reason<'_>,
    note: Option<&str>,
) -> Result<()> {
    caller.require(ApiScope::ProductionRecord)?;
    // One line of text: no control characters (a NUL cannot be stored), at most 500 characters.
    let note = match note {
        Some(n) => Some(crate::codes::check_text("note", n, false, 500)?).filter(|n| !n.is_empty()),
        None => None,
    };
    let note = note.as_deref();
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let line = store::stop_line(&mut tx, tenant, id).await?.ok_or(Error::NotFound)?;
    if let Caller::User(user) = caller
        && user.role == Role::Operator
        && !store::operator_lines(&mut tx, user.user_id).await?.contains(&line)
    {
        return Err(Error::Forbidden);
    }
    let reason = match reason {
        Reason::Id(None) | Reason::Code(None) => None,
        Reason::Id(Some(r)) => Some(r),
        Reason::Code(Some(code)) => Some(
            store::reasons(&mut tx)
                .await?
                .into_iter()
                .find(|r| r.code == code.trim())
                .map(|r| r.id)
                .ok_or_else(|| Error::field("reason", ErrorCode::InvalidInput))?,
        ),
    };
    if let Some(r) = reason
        && !store::reason_active(&mut tx, r).await?
    {
        return Err(Error::field("reason", ErrorCode::InvalidInput));
    }
    let (by, actor) = match caller {
        Caller::User(u) => (store::Classifier::Person(u.user_id), Actor::of(u, meta)),
        Caller::Machine(m) => (store::Classifier::Key(m.key_id), Actor::machine(m, meta)),
    };
    store::classify(&mut tx, id, reason, note, by).await?;
    let event = Event::new("production.downtime_classified")
        .target("production_downtime", id.to_string())
        .after(json!({ "reason": reason, "note": note }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The CSV of what a dashboard shows for `q`: the figures of the whole, each line, each product and each bucket
/// (planned, downtime and run minutes, units, good, OEE and its factors, minutes with no data), then the stops; times
/// in the plant's zone with their offset, the zone named on every row.
pub async fn export_csv(pool: &PgPool, caller: &Caller, q: &Query) -> Result<(View, String)> {
    let v = view(pool, caller, q).await?;
    let pct = |x: Option<f64>| x.map(|x| format!("{:.2}", x * 100.0)).unwrap_or_default();
    let min = |ms: i64| format!("{:.1}", ms as f64 / 60_000.0);
    let header = [
        "scope",
        "name",
        "from",
        "to",
        "planned_min",
        "downtime_min",
        "run_min",
        "units",
        "good",
        "oee_pct",
        "availability_pct",
        "performance_pct",
        "quality_pct",
        "no_data_min",
        "time_zone",
    ];
    let to_io = |e: csv::Error| Error::internal(e.to_string());
    let mut out = String::new();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(to_io)?;
    // Times in the plant's zone, with their offset (its name in the last column): what its people read.
    let tz = v.time_zone;
    let zone = tz.name().to_owned();
    let local = move |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();
    let mut row = |scope: &str, name: &str, from: DateTime<Utc>, to: DateTime<Utc>, f: &Figure| -> Result<()> {
        let t = f.totals;
        w.write_record([
            scope.to_owned(),
            formula_safe(name),
            local(from),
            local(to),
            min(t.planned_ms),
            min(t.downtime_ms),
            min(t.run_ms()),
            t.total.to_string(),
            t.good.to_string(),
            pct(f.oee.oee),
            pct(f.oee.availability),
            pct(f.oee.performance),
            pct(f.oee.quality),
            min(t.no_data_ms),
            zone.clone(),
        ])
        .map_err(to_io)
    };
    row("total", "", v.from, v.to, &v.total)?;
    for l in &v.lines {
        row("line", &format!("{} {}", l.code, l.name), v.from, v.to, &l.figure)?;
    }
    for p in &v.products {
        row("product", &format!("{} {}", p.code, p.name), v.from, v.to, &p.figure)?;
    }
    for s in &v.series {
        row(v.bucket.as_str(), s.shift.as_deref().unwrap_or(""), s.start, s.end, &s.figure)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::internal(e.to_string()))?;
    out.push_str(&String::from_utf8_lossy(&bytes));
    out.push('\n');
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["stop_id", "line", "start", "end", "minutes", "planned_minutes", "reason_id", "note", "time_zone"])
        .map_err(to_io)?;
    for s in &v.stops {
        w.write_record([
            s.id.to_string(),
            formula_safe(&s.line),
            local(s.start),
            s.end.map(local).unwrap_or_default(),
            min(s.ms),
            min(s.planned_ms),
            s.reason.map(|r| r.to_string()).unwrap_or_default(),
            formula_safe(s.note.as_deref().unwrap_or("")),
            zone.clone(),
        ])
        .map_err(to_io)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::internal(e.to_string()))?;
    let _ = write!(out, "{}", String::from_utf8_lossy(&bytes));
    Ok((v, out))
}

pub(super) fn formula_safe(s: &str) -> String {
    crate::csv_safe::neutralize(s).into_owned()
}
