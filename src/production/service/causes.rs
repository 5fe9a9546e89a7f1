//! The causes behind a figure, as a CSV for people (`GET /api/v1/production/causes.csv?cause=…` with the dashboard's
//! filters): what the drill-down lists, whole (no list is cut short in an export).
//!
//! - availability: each line's time by state (running, stopped, planned stop, no data, off shift) with its
//!   breakdowns, MTBF and MTTR; then every stop of the span with its reason, who classified it and its note;
//! - performance: each product's cycles (ideal and actual, per unit) and the speed lost; then each line's
//!   micro-stops;
//! - quality: units, good and rejected per product and area.
//!
//! Times in the plant's zone with their offset, the zone named on every row, minutes to a tenth.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::dashboard::{compute_listing, formula_safe, resolve, timeline, user_of};
use crate::caller::Caller;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::ids::TenantId;
use crate::production::rules::dashboard::{Cause, LineState, Query, View};
use crate::production::store::{dashboard as store, oee as oee_store};

/// CSV sections, each its own header, a blank line between them (the causes' and the shift report's CSVs).
pub(super) struct Sheet {
    out: String,
    w: Option<csv::Writer<Vec<u8>>>,
}

impl Sheet {
    pub(super) fn new() -> Self {
        Sheet { out: String::new(), w: None }
    }

    pub(super) fn section(&mut self, header: &[&str]) -> Result<()> {
        self.flush()?;
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.w = Some(csv::Writer::from_writer(Vec::new()));
        self.row(header.iter().map(|h| (*h).to_owned()).collect())
    }

    pub(super) fn row(&mut self, cells: Vec<String>) -> Result<()> {
        let w = self.w.as_mut().ok_or_else(|| Error::internal("a CSV row before its section"))?;
        w.write_record(cells).map_err(|e| Error::internal(e.to_string()))
    }

    fn flush(&mut self) -> Result<()> {
        if let Some(w) = self.w.take() {
            let bytes = w.into_inner().map_err(|e| Error::internal(e.to_string()))?;
            self.out.push_str(&String::from_utf8_lossy(&bytes));
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> Result<String> {
        self.flush()?;
        Ok(self.out)
    }
}

fn min(ms: i64) -> String {
    format!("{:.1}", ms as f64 / 60_000.0)
}

fn min_opt(ms: Option<i64>) -> String {
    ms.map(min).unwrap_or_default()
}

fn pct(x: Option<f64>) -> String {
    x.map(|x| format!("{:.2}", x * 100.0)).unwrap_or_default()
}

/// Seconds per unit, to a hundredth.
fn per_unit(ms: i64, units: i64) -> String {
    if units > 0 { format!("{:.2}", ms as f64 / units as f64 / 1000.0) } else { String::new() }
}

/// Times as the CSV writes them: in the plant's zone with their offset, the zone named on each row.
struct Zone(chrono_tz::Tz);

impl Zone {
    fn local(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).to_rfc3339()
    }

    fn name(&self) -> String {
        self.0.name().to_owned()
    }
}

/// The CSV of `cause`'s causes for `q`, with the view it was computed with (its span names the file).
pub async fn causes_csv(pool: &PgPool, caller: &Caller, q: &Query, cause: Cause) -> Result<(View, String)> {
    caller.require(ApiScope::ProductionRead)?;
    let started = Instant::now();
    let tenant = caller.tenant_id();
    let now = Utc::now();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let v = compute_listing(&mut tx, tenant, q, now, usize::MAX).await?;
    let mut sheet = Sheet::new();
    match cause {
        Cause::Availability => availability(&mut tx, tenant, q, now, &v, &mut sheet).await?,
        Cause::Performance => performance(&v, &mut sheet)?,
        Cause::Quality => quality(&mut tx, tenant, q, now, &v, &mut sheet).await?,
    }
    let ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let filters = json!({ "range": q.range.as_str(), "from": v.from, "to": v.to, "line": q.line,
                          "product": q.product, "shift": q.shift, "cause": cause.as_str() });
    oee_store::log_query(&mut tx, tenant, user_of(caller), "causes", &filters, ms).await?;
    tx.commit().await?;
    Ok((v, sheet.finish()?))
}

/// Each line's time by state with its breakdowns, MTBF and MTTR; then every stop.
async fn availability(
    tx: &mut Tx,
    tenant: TenantId,
    q: &Query,
    now: DateTime<Utc>,
    v: &View,
    sheet: &mut Sheet,
) -> Result<()> {
    let z = Zone(v.time_zone);
    let r = resolve(tx, q, now).await?;
    let lines = timeline(tx, tenant, &r, now).await?;
    sheet.section(&[
        "line",
        "from",
        "to",
        "running_min",
        "stopped_min",
        "planned_stop_min",
        "no_data_min",
        "off_shift_min",
        "breakdowns",
        "mtbf_min",
        "mttr_min",
        "time_zone",
    ])?;
    for t in &lines {
        let losses = v.lines.iter().find(|l| l.id == t.line).and_then(|l| l.losses);
        sheet.row(vec![
            formula_safe(&t.code),
            z.local(v.from),
            z.local(v.to),
            min(t.ms(LineState::Running)),
            min(t.ms(LineState::Stopped)),
            min(t.ms(LineState::PlannedStop)),
            min(t.ms(LineState::NoData)),
            min(t.ms(LineState::OffShift)),
            losses.map(|l| l.breakdowns.to_string()).unwrap_or_default(),
            min_opt(losses.and_then(|l| l.mtbf_ms)),
            min_opt(losses.and_then(|l| l.mttr_ms)),
            z.name(),
        ])?;
    }
    let reasons: HashMap<_, _> = store::reasons(tx).await?.into_iter().map(|r| (r.id, r)).collect();
    sheet.section(&[
        "stop_id",
        "line",
        "start",
        "end",
        "minutes",
        "planned_minutes",
        "reason_code",
        "reason",
        "planned_reason",
        "setup",
        "classified_by",
        "manual",
        "note",
        "time_zone",
    ])?;
    for s in &v.stops {
        let reason = s.reason.and_then(|r| reasons.get(&r));
        sheet.row(vec![
            s.id.to_string(),
            formula_safe(&s.line),
            z.local(s.start),
            s.end.map(|e| z.local(e)).unwrap_or_default(),
            min(s.ms),
            min(s.planned_ms),
            formula_safe(reason.map_or("", |r| r.code.as_str())),
            formula_safe(reason.map_or("", |r| r.name.as_str())),
            reason.map(|r| r.planned.to_string()).unwrap_or_default(),
            reason.map(|r| r.setup.to_string()).unwrap_or_default(),
            formula_safe(s.classified_by.as_deref().unwrap_or("")),
            s.manual.to_string(),
            formula_safe(s.note.as_deref().unwrap_or("")),
            z.name(),
        ])?;
    }
    Ok(())
}

/// Each product's cycles (ideal and actual, per unit) and the speed lost; then each line's micro-stops.
fn performance(v: &View, sheet: &mut Sheet) -> Result<()> {
    let z = Zone(v.time_zone);
    sheet.section(&[
        "product",
        "name",
        "from",
        "to",
        "units",
        "ideal_cycle_s",
        "actual_cycle_s",
        "ideal_min",
        "run_min",
        "speed_loss_min",
        "performance_pct",
        "time_zone",
    ])?;
    for p in &v.products {
        let t = p.figure.totals;
        sheet.row(vec![
            formula_safe(&p.code),
            formula_safe(&p.name),
            z.local(v.from),
            z.local(v.to),
            t.total.to_string(),
            per_unit(t.ideal_ms, t.total),
            per_unit(t.run_ms(), t.total),
            min(t.ideal_ms),
            min(t.run_ms()),
            min((t.run_ms() - t.ideal_ms).max(0)),
            pct(p.figure.oee.performance),
            z.name(),
        ])?;
    }
    sheet.section(&["line", "from", "to", "micro_stops", "micro_stop_min", "reduced_speed_min", "time_zone"])?;
    for l in &v.lines {
        let t = l.figure.totals;
        sheet.row(vec![
            formula_safe(&l.code),
            z.local(v.from),
            z.local(v.to),
            t.micro_stops.to_string(),
            min(t.micro_stop_ms),
            min((t.run_ms() - t.ideal_ms.max(0) - t.micro_stop_ms).max(0)),
            z.name(),
        ])?;
    }
    Ok(())
}

/// Units, good and rejected per product and area.
async fn quality(
    tx: &mut Tx,
    tenant: TenantId,
    q: &Query,
    now: DateTime<Utc>,
    v: &View,
    sheet: &mut Sheet,
) -> Result<()> {
    let z = Zone(v.time_zone);
    let r = resolve(tx, q, now).await?;
    let lines: Vec<_> = r.lines.iter().map(|l| l.id).collect();
    let rows = store::rejects(tx, tenant, &lines, q.product, &r.windows).await?;
    sheet.section(&[
        "product",
        "product_name",
        "area",
        "area_name",
        "area_kind",
        "from",
        "to",
        "units",
        "good",
        "rejects",
        "reject_pct",
        "time_zone",
    ])?;
    for x in &rows {
        let share = (x.total > 0).then(|| x.rejects() as f64 / x.total as f64);
        sheet.row(vec![
            formula_safe(&x.product),
            formula_safe(&x.product_name),
            formula_safe(&x.area),
            formula_safe(&x.area_name),
            x.area_kind.as_str().to_owned(),
            z.local(v.from),
            z.local(v.to),
            x.total.to_string(),
            x.good.to_string(),
            x.rejects().to_string(),
            pct(share),
            z.name(),
        ])?;
    }
    Ok(())
}
