//! Shift reports: one line's run of one shift, from the one calculation (`dashboard::compute` over the run, the shift
//! filter on), its rejects by area, and its sign-off by a supervisor (owners and managers: `plant.configure`), with
//! the figures as signed; and the report as a CSV for people. Reading needs `production:read`; each report read is
//! in the plant's query log, each signature in the audit log.

use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::causes::Sheet;
use super::dashboard::{compute_listing, formula_safe, time_zone, user_of};
use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta, User};
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::TenantId;
use crate::production::rules::dashboard::{
    LineRef, Query, Range, ReportAsk, ReportKey, ShiftRef, ShiftReport, SignOff, changed,
};
use crate::production::rules::oee::Totals;
use crate::production::store::{dashboard as store, oee as oee_store, report as report_store};

/// The report asked for as of `now` (`None`: the plant has no line or no shift yet).
async fn load(tx: &mut Tx, tenant: TenantId, ask: ReportAsk, now: DateTime<Utc>) -> Result<Option<ShiftReport>> {
    let tz = time_zone(tx).await?;
    let shifts = store::shifts(tx).await?;
    let lines = store::lines(tx).await?;
    let line = match ask.line {
        Some(id) => lines.iter().find(|l| l.id == id).ok_or_else(|| Error::field("line", ErrorCode::InvalidInput))?,
        None => match lines.first() {
            Some(l) => l,
            None => return Ok(None),
        },
    };
    if let Some(id) = ask.shift
        && !shifts.iter().any(|(s, _, _)| *s == id)
    {
        return Err(Error::field("shift", ErrorCode::InvalidInput));
    }
    // A day within the plant's kept history (and the calendar's range) and not ahead, and a day names its shift.
    if let Some(day) = ask.day {
        let today = now.with_timezone(&tz).date_naive();
        if day > today || day < today - chrono::Duration::days(800) {
            return Err(Error::field("day", ErrorCode::InvalidInput));
        }
        if ask.shift.is_none() {
            return Err(Error::field("shift", ErrorCode::Required));
        }
    }
    let key = match (ask.shift, ask.day) {
        (Some(shift), Some(day)) => ReportKey { line: line.id, shift, day },
        // The last run that has ended (of the shift asked for, or of any) in the past week.
        _ => {
            let week = crate::production::rules::calendar::Span::new(now - chrono::Duration::days(8), now);
            let last = shifts
                .iter()
                .filter(|(id, _, _)| ask.shift.is_none_or(|s| s == *id))
                .flat_map(|(id, _, s)| s.occurrences(tz, &week).into_iter().map(move |o| (*id, o)))
                .filter(|(_, o)| o.span.end <= now)
                .max_by_key(|(_, o)| o.span.end);
            match last {
                Some((shift, o)) => ReportKey { line: line.id, shift, day: o.day },
                None => return Ok(None),
            }
        }
    };
    let (id, name, shift) = shifts
        .iter()
        .find(|(id, _, _)| *id == key.shift)
        .ok_or_else(|| Error::field("shift", ErrorCode::InvalidInput))?;
    let run = shift.on(tz, key.day);
    // A day the shift does not start on, or a run not begun yet: no report.
    if !shift.runs_on(key.day) || run.span.start >= now {
        return Err(Error::field("day", ErrorCode::InvalidInput));
    }
    let q = Query {
        range: Range::Custom,
        from: Some(run.span.start),
        to: Some(run.span.end),
        line: Some(line.id),
        shift: Some(*id),
        ..Query::default()
    };
    let view = compute_listing(tx, tenant, &q, now, usize::MAX).await?;
    let windows = [run.span];
    let rejects = store::rejects(tx, tenant, &[line.id], None, &windows).await?;
    let signoff = match report_store::signoff(tx, &key).await? {
        None => None,
        Some(s) => {
            let figures: Totals = serde_json::from_value(s.figures).map_err(Error::internal)?;
            Some(SignOff { by: s.by, at: s.at, note: s.note, changed: changed(&figures, &view.total.totals), figures })
        }
    };
    let hours = format!("{}–{}", shift.start.format("%H:%M"), shift.end.format("%H:%M"));
    Ok(Some(ShiftReport {
        key,
        line: LineRef { id: line.id, code: line.code.clone(), name: line.name.clone(), target: line.target },
        shift: ShiftRef { id: *id, name: name.clone(), hours },
        view,
        rejects,
        signoff,
        ended: run.span.end <= now,
    }))
}

/// The report asked for (`production:read`; none while the plant has no line or no ended shift), written to the
/// plant's query log.
pub async fn shift_report(pool: &PgPool, caller: &Caller, ask: ReportAsk) -> Result<Option<ShiftReport>> {
    caller.require(ApiScope::ProductionRead)?;
    let started = Instant::now();
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let report = load(&mut tx, tenant, ask, Utc::now()).await?;
    let ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let key = report.as_ref().map(|r| r.key);
    let filters = json!({ "line": key.map(|k| k.line), "shift": key.map(|k| k.shift), "day": key.map(|k| k.day) });
    oee_store::log_query(&mut tx, tenant, user_of(caller), "shift_report", &filters, ms).await?;
    tx.commit().await?;
    Ok(report)
}

/// Signs the report of `key` off as `user` (owners and managers), once its shift is over, with the figures it shows
/// now and an optional note. Signing again replaces the signature (each is audited).
pub async fn sign(pool: &PgPool, user: &User, meta: &RequestMeta, key: ReportKey, note: Option<&str>) -> Result<()> {
    user.require(Permission::PlantConfigure)?;
    let note = match note {
        Some(n) => Some(crate::codes::check_text("note", n, false, 500)?).filter(|n| !n.is_empty()),
        None => None,
    };
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let ask = ReportAsk { line: Some(key.line), shift: Some(key.shift), day: Some(key.day) };
    let report =
        load(&mut tx, tenant, ask, Utc::now()).await?.ok_or_else(|| Error::field("line", ErrorCode::InvalidInput))?;
    if !report.ended {
        return Err(Error::field("day", ErrorCode::InvalidInput));
    }
    let figures = serde_json::to_value(report.view.total.totals).map_err(Error::internal)?;
    report_store::sign(&mut tx, tenant, &key, user.user_id, note.as_deref(), &figures).await?;
    let event = Event::new("production.shift_signed")
        .target("production_shift", format!("{}/{}/{}", key.line, key.shift, key.day))
        .after(json!({ "line": key.line, "shift": key.shift, "day": key.day, "note": note, "figures": figures }));
    audit::record(&mut tx, &Actor::of(user, meta), event).await?;
    tx.commit().await?;
    Ok(())
}

/// The report as a CSV for people: the line's figures over the run with the sign-off, then its stops, its production
/// by product and its rejects by area. Times in the plant's zone with their offset.
pub async fn report_csv(pool: &PgPool, caller: &Caller, ask: ReportAsk) -> Result<(ShiftReport, String)> {
    let r = shift_report(pool, caller, ask).await?.ok_or(Error::NotFound)?;
    let v = &r.view;
    let tz = v.time_zone;
    let zone = tz.name().to_owned();
    let local = move |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();
    let min = |ms: i64| format!("{:.1}", ms as f64 / 60_000.0);
    let pct = |x: Option<f64>| x.map(|x| format!("{:.2}", x * 100.0)).unwrap_or_default();
    // Sections as the causes' CSVs write them (`causes::Sheet`): each its header row, a blank line between.
    let mut sheet = Sheet::new();
    let mut section = |rows: Vec<Vec<String>>| -> Result<()> {
        let mut rows = rows.into_iter();
        let head = rows.next().unwrap_or_default();
        sheet.section(&head.iter().map(String::as_str).collect::<Vec<_>>())?;
        rows.try_for_each(|row| sheet.row(row))
    };
    let t = v.total.totals;
    let o = v.total.oee;
    let s = r.signoff.as_ref();
    let head = [
        "line",
        "shift",
        "day",
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
        "signed_by",
        "signed_at",
        "changed_since",
        "note",
        "time_zone",
    ];
    section(vec![
        head.map(str::to_owned).to_vec(),
        vec![
            formula_safe(&r.line.code),
            formula_safe(&r.shift.name),
            r.key.day.to_string(),
            local(v.from),
            local(v.to),
            min(t.planned_ms),
            min(t.downtime_ms),
            min(t.run_ms()),
            t.total.to_string(),
            t.good.to_string(),
            pct(o.oee),
            pct(o.availability),
            pct(o.performance),
            pct(o.quality),
            min(t.no_data_ms),
            formula_safe(s.map_or("", |s| s.by.as_str())),
            s.map(|s| local(s.at)).unwrap_or_default(),
            s.map(|s| s.changed.to_string()).unwrap_or_default(),
            formula_safe(s.and_then(|s| s.note.as_deref()).unwrap_or("")),
            zone.clone(),
        ],
    ])?;
    let mut stops = vec![
        [
            "stop_id",
            "start",
            "end",
            "minutes",
            "planned_minutes",
            "reason_id",
            "manual",
            "classified_by",
            "note",
            "time_zone",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for x in &v.stops {
        stops.push(vec![
            x.id.to_string(),
            local(x.start),
            x.end.map(local).unwrap_or_default(),
            min(x.ms),
            min(x.planned_ms),
            x.reason.map(|r| r.to_string()).unwrap_or_default(),
            x.manual.to_string(),
            formula_safe(x.classified_by.as_deref().unwrap_or("")),
            formula_safe(x.note.as_deref().unwrap_or("")),
            zone.clone(),
        ]);
    }
    section(stops)?;
    let mut products = vec![["product", "name", "units", "good", "performance_pct"].map(str::to_owned).to_vec()];
    for p in &v.products {
        let pt = p.figure.totals;
        products.push(vec![
            formula_safe(&p.code),
            formula_safe(&p.name),
            pt.total.to_string(),
            pt.good.to_string(),
            pct(p.figure.oee.performance),
        ]);
    }
    section(products)?;
    let mut rejects = vec![["product", "area", "area_kind", "units", "good", "rejects"].map(str::to_owned).to_vec()];
    for x in &r.rejects {
        rejects.push(vec![
            formula_safe(&x.product),
            formula_safe(&x.area),
            x.area_kind.as_str().to_owned(),
            x.total.to_string(),
            x.good.to_string(),
            x.rejects().to_string(),
        ]);
    }
    section(rejects)?;
    Ok((r, sheet.finish()?))
}
