//! The plant's configuration, edited by its owner and managers (`plant.configure`): lines, products, downtime
//! reasons, each role's dashboard (its widgets' parameters read as their kind's, `WidgetParams`, on save) and which
//! lines each operator works on. Every change is checked whole (nothing written when a field is wrong, each
//! named), audited, and shows on the dashboards at their next refresh.

use serde_json::json;

use crate::audit::{self, Actor, Event};
use crate::caller::{RequestMeta, User};
use crate::codes::{ErrorCode, FieldError};
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::Permission;
use crate::ids::{AreaId, LineId, PlannedStopId, ProductId, ReasonId, ShiftId, UserId};
use crate::paging::{self, Limit, Page};
use crate::production::rules::dashboard::{self as rules_dashboard, Range, Widget};
use crate::production::rules::kinds::{Counting, FilterKey, Template, WidgetKind};
use crate::production::rules::settings::{
    self as rules, AreaInput, FilterInput, FilterSetting, LineCycleInput, LineCycleSetting, LineInput, LineSetting,
    OperatorLines, PlantInput, ProductInput, ProductSetting, QueryLog, QueryLogEntry, ReasonInput, Settings,
    ShiftInput, StopInput, WidgetEntry,
};
use crate::production::store::dashboard as dashboard_store;
use crate::production::store::settings as store;

async fn record(
    tx: &mut db::Tx,
    user: &User,
    meta: &RequestMeta,
    action: &str,
    kind: &str,
    id: impl std::fmt::Display,
    after: serde_json::Value,
) -> Result<()> {
    audit::record(tx, &Actor::of(user, meta), Event::new(action).target(kind, id).after(after)).await?;
    Ok(())
}

/// The plant's time zone (IANA name): what its shifts, planned stops and days are read in. For anyone who reads the
/// plant's production, people or machines (`production:read`).
pub async fn time_zone(pool: &PgPool, caller: &crate::caller::Caller) -> Result<String> {
    caller.require(crate::identity::rules::auth::ApiScope::ProductionRead)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let zone = super::dashboard::time_zone(&mut tx).await?.name().to_owned();
    tx.commit().await?;
    Ok(zone)
}

/// The plant's shifts (id, name, the shift with its planned stops), in start order: what other areas read the plant's
/// calendar with (the floor's current shift, when a shift's facts close).
pub(crate) async fn calendar(tx: &mut Tx) -> Result<Vec<(ShiftId, String, crate::production::rules::calendar::Shift)>> {
    Ok(dashboard_store::shifts(tx).await?)
}

/// The plant's active products (id, code, name), by code: what other areas name a product with (an order's product).
pub(crate) async fn products(tx: &mut Tx) -> Result<Vec<(ProductId, String, String)>> {
    Ok(dashboard_store::products(tx).await?.into_iter().map(|p| (p.id, p.code, p.name)).collect())
}

/// The lines an operator works on (none: not placed on any): what other areas narrow an operator's work to.
pub(crate) async fn operator_lines(tx: &mut Tx, user: UserId) -> Result<Vec<LineId>> {
    Ok(dashboard_store::operator_lines(tx, user).await?)
}

/// Sets the plant's time zone: its shifts, planned stops and days are read in it from then on (the stored units and
/// stops are instants and do not move; the figures of a day are those of the day in the new zone).
pub async fn save_plant(pool: &PgPool, user: &User, meta: &RequestMeta, input: &PlantInput) -> Result<String> {
    user.require(Permission::PlantConfigure)?;
    let zone = rules::check_plant(input).map_err(Error::Validation)?.name().to_owned();
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let before = store::save_plant(&mut tx, user.tenant_id, &zone).await?;
    let event = Event::new("production.plant_saved")
        .target("production_plant", user.tenant_id)
        .before(json!({ "time_zone": before }))
        .after(json!({ "time_zone": zone }));
    audit::record(&mut tx, &Actor::of(user, meta), event).await?;
    tx.commit().await?;
    Ok(zone)
}

pub async fn save_line(pool: &PgPool, user: &User, meta: &RequestMeta, input: &LineInput) -> Result<LineId> {
    user.require(Permission::PlantConfigure)?;
    let line = rules::check_line(input).map_err(Error::Validation)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let id = store::save_line(&mut tx, user.tenant_id, &line).await?.ok_or(Error::NotFound)?;
    if line.counting == Counting::People {
        store::end_open_stop(&mut tx, user.tenant_id, id).await?;
    }
    let after = json!({ "code": line.code, "name": line.name, "downtime_threshold_ms": line.downtime_threshold_ms,
                        "micro_stop_ms": line.micro_stop_ms, "oee_target": line.target, "active": line.active,
                        "counting": line.counting.as_str() });
    record(&mut tx, user, meta, "production.line_saved", "production_line", id, after).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an area of a line (owners and managers): its code (what machines send), name and kind; a line keeps exactly
/// one output (a second one is refused on `kind`, 409, as is leaving a line without one). Audited.
pub async fn save_area(pool: &PgPool, user: &User, meta: &RequestMeta, input: &AreaInput) -> Result<AreaId> {
    user.require(Permission::PlantConfigure)?;
    let (code, name) = rules::check_area(input).map_err(Error::Validation)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let id =
        match store::save_area(&mut tx, user.tenant_id, input.id, input.line_id, (&code, &name, input.kind)).await? {
            store::AreaSaved::Saved(id) => id,
            store::AreaSaved::NotFound => return Err(Error::NotFound),
            store::AreaSaved::SecondOutput => return Err(Error::field("kind", ErrorCode::OutputTaken)),
            store::AreaSaved::NoOutput => return Err(Error::field("kind", ErrorCode::OutputNeeded)),
        };
    let after = json!({ "line_id": input.line_id, "code": code, "name": name, "kind": input.kind.as_str() });
    record(&mut tx, user, meta, "production.area_saved", "production_area", id, after).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn save_product(pool: &PgPool, user: &User, meta: &RequestMeta, input: &ProductInput) -> Result<ProductId> {
    user.require(Permission::PlantConfigure)?;
    let (code, name, cycle) = rules::check_product(input).map_err(Error::Validation)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let id = store::save_product(&mut tx, user.tenant_id, input.id, (&code, &name, cycle), input.active)
        .await?
        .ok_or(Error::NotFound)?;
    let after = json!({ "code": code, "name": name, "ideal_cycle_ms": cycle, "active": input.active });
    record(&mut tx, user, meta, "production.product_saved", "production_product", id, after).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets a product's ideal cycle on one line (0 s removes it: the product's own applies again). Audited.
pub async fn save_line_cycle(pool: &PgPool, user: &User, meta: &RequestMeta, input: &LineCycleInput) -> Result<()> {
    user.require(Permission::PlantConfigure)?;
    let cycle = rules::check_line_cycle(input).map_err(Error::Validation)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    if !store::save_line_cycle(&mut tx, user.tenant_id, input.line_id, input.product_id, cycle).await? {
        return Err(Error::NotFound);
    }
    let after = json!({ "line_id": input.line_id, "product_id": input.product_id, "ideal_cycle_ms": cycle });
    record(&mut tx, user, meta, "production.line_cycle_saved", "production_line", input.line_id, after).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn save_reason(pool: &PgPool, user: &User, meta: &RequestMeta, input: &ReasonInput) -> Result<ReasonId> {
    user.require(Permission::PlantConfigure)?;
    let r = rules::check_reason(input).map_err(Error::Validation)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let kind = (input.planned, input.setup);
    let id =
        store::save_reason(&mut tx, user.tenant_id, input.id, &r, kind, input.active).await?.ok_or(Error::NotFound)?;
    let after = json!({ "code": r.code, "name": r.name, "planned": input.planned, "setup": input.setup,
                        "colour": r.colour, "category": r.category, "active": input.active });
    record(&mut tx, user, meta, "production.reason_saved", "production_reason", id, after).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a shift; a changed shift keeps its planned stops inside it (or is refused naming its times).
pub async fn save_shift(pool: &PgPool, user: &User, meta: &RequestMeta, input: &ShiftInput) -> Result<ShiftId> {
    user.require(Permission::PlantConfigure)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let stops = match input.id {
        None => Vec::new(),
        Some(id) => {
            store::lock_shift(&mut tx, user.tenant_id, id).await?.ok_or(Error::NotFound)?;
            store::shift_stops(&mut tx, user.tenant_id, id).await?.into_iter().map(|(_, s, e)| (s, e)).collect()
        }
    };
    let shift = rules::check_shift(input, &stops).map_err(Error::Validation)?;
    let id = store::save_shift(&mut tx, user.tenant_id, &shift).await?.ok_or(Error::NotFound)?;
    let after = json!({ "name": shift.name, "days": shift.days, "start": shift.start, "end": shift.end });
    record(&mut tx, user, meta, "production.shift_saved", "production_shift", id, after).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a shift and its planned stops (time it covered is no longer planned).
pub async fn delete_shift(pool: &PgPool, user: &User, meta: &RequestMeta, id: ShiftId) -> Result<()> {
    user.require(Permission::PlantConfigure)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let name = store::delete_shift(&mut tx, user.tenant_id, id).await?.ok_or(Error::NotFound)?;
    record(&mut tx, user, meta, "production.shift_deleted", "production_shift", id, json!({ "name": name })).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a planned stop inside its shift, clear of the shift's other stops (the shift is locked meanwhile, so two
/// people adding breaks at once cannot overlap them).
pub async fn save_stop(pool: &PgPool, user: &User, meta: &RequestMeta, input: &StopInput) -> Result<PlannedStopId> {
    user.require(Permission::PlantConfigure)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let shift = store::lock_shift(&mut tx, user.tenant_id, input.shift_id)
        .await?
        .ok_or_else(|| Error::field("shift_id", ErrorCode::InvalidInput))?;
    let stops = store::shift_stops(&mut tx, user.tenant_id, input.shift_id).await?;
    if input.id.is_some_and(|id| !stops.iter().any(|(s, ..)| *s == id)) {
        return Err(Error::NotFound);
    }
    let others: Vec<_> = stops.iter().filter(|(id, ..)| Some(*id) != input.id).map(|(_, s, e)| (*s, *e)).collect();
    let (name, start, end) = rules::check_stop(input, shift, &others).map_err(Error::Validation)?;
    let id = store::save_stop(&mut tx, user.tenant_id, input.shift_id, input.id, (&name, start, end))
        .await?
        .ok_or(Error::NotFound)?;
    let after = json!({ "shift_id": input.shift_id, "name": name, "start": start, "end": end });
    record(&mut tx, user, meta, "production.planned_stop_saved", "production_shift_stop", id, after).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_stop(pool: &PgPool, user: &User, meta: &RequestMeta, id: PlannedStopId) -> Result<()> {
    user.require(Permission::PlantConfigure)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let shift = store::delete_stop(&mut tx, user.tenant_id, id).await?.ok_or(Error::NotFound)?;
    let after = json!({ "shift_id": shift });
    record(&mut tx, user, meta, "production.planned_stop_deleted", "production_shift_stop", id, after).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets one of the dashboard's filters: shown or not, its place, whether it is required, its default.
pub async fn save_filter(pool: &PgPool, user: &User, meta: &RequestMeta, input: &FilterInput) -> Result<()> {
    user.require(Permission::PlantConfigure)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let codes: Vec<String> = store::lines(&mut tx).await?.into_iter().map(|l| l.code).collect();
    let (key, position, default) = rules::check_filter(input, &codes).map_err(Error::Validation)?;
    let flags = (position, input.enabled, input.required);
    store::save_filter(&mut tx, user.tenant_id, key.as_str(), flags, &default).await?;
    audit::record(
        &mut tx,
        &Actor::of(user, meta),
        Event::new("production.filter_saved").target("production_filter", key.as_str()).after(json!({
            "position": position, "enabled": input.enabled, "required": input.required, "default": default
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Entries per page of the query log.
pub const QUERY_LOG_PAGE: Limit = Limit::fixed(100);

/// The plant's dashboard queries, newest first (its owner's to read: `audit.read`), from `after` (the previous
/// page's `next`) on.
pub async fn query_log(pool: &PgPool, user: &User, after: Option<&str>) -> Result<QueryLog> {
    user.require(Permission::AuditRead)?;
    user.require(Permission::ProductionRead)?;
    let after = paging::after::<i64>(after, ())?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let logged = store::query_log(&mut tx, after, QUERY_LOG_PAGE.fetch()).await?;
    let (day_count, day_p50_ms, day_p95_ms) = store::query_log_day(&mut tx).await?;
    // The filters in words: lines, products and shifts by name, times in the plant's zone.
    let tz = crate::production::service::dashboard::time_zone(&mut tx).await?;
    let mut names: std::collections::HashMap<(&str, i64), String> = std::collections::HashMap::new();
    for l in dashboard_store::lines(&mut tx).await? {
        names.insert(("line", i64::from(l.id.0)), format!("{} · {}", l.code, l.name));
    }
    for p in dashboard_store::products(&mut tx).await? {
        names.insert(("product", i64::from(p.id.0)), format!("{} · {}", p.code, p.name));
    }
    for (id, name, _) in dashboard_store::shifts(&mut tx).await? {
        names.insert(("shift", i64::from(id.0)), name);
    }
    tx.commit().await?;
    let entries = logged
        .into_iter()
        .map(|(e, raw)| QueryLogEntry {
            filters: rules::logged_filters(&raw, tz, |key, id| names.get(&(key, id)).cloned()),
            ..e
        })
        .collect();
    let entries = Page::cut(entries, QUERY_LOG_PAGE, |e: &QueryLogEntry| e.id);
    Ok(QueryLog { entries, day_count, day_p50_ms, day_p95_ms })
}

/// Sets `template`'s dashboard to `widgets` (JSON, as the settings page's editor sends it): a layout inside the grid,
/// widgets of the catalog's kinds, each one's parameters its kind's ([`rules_dashboard::WidgetParams`]); the first problem of each
/// widget named (`widgets[2].params`).
pub async fn save_dashboard(
    pool: &PgPool,
    user: &User,
    meta: &RequestMeta,
    template: Template,
    widgets: &str,
) -> Result<()> {
    user.require(Permission::PlantConfigure)?;
    let value: serde_json::Value =
        serde_json::from_str(widgets).map_err(|_| Error::field("widgets", ErrorCode::InvalidInput))?;
    let items = value.as_array().ok_or_else(|| Error::field("widgets", ErrorCode::InvalidInput))?;
    // Each widget of the catalog's kinds read as a widget; one of another kind is named by its place.
    let mut problems = Vec::new();
    let mut parsed: Vec<(usize, Widget)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.get("kind").and_then(|k| k.as_str()).and_then(WidgetKind::parse).is_none() {
            problems.push((i, FieldError::new(&format!("widgets[{i}].kind"), ErrorCode::InvalidInput)));
            continue;
        }
        let widget = serde_json::from_value(item.clone())
            .map_err(|_| Error::field(&format!("widgets[{i}]"), ErrorCode::InvalidInput))?;
        parsed.push((i, widget));
    }
    // The layout is judged whole once every kind is known (its problems name places in the whole list).
    if problems.is_empty() {
        let widgets: Vec<Widget> = parsed.iter().map(|(_, w)| w.clone()).collect();
        rules::check_layout(&widgets).map_err(Error::Validation)?;
    }
    // A parameter a kind does not take, or one of its own with a value it does not allow, named.
    for (i, w) in &parsed {
        if let Some(param) = rules_dashboard::wrong_param(w.kind, &w.params) {
            let field =
                if param == "params" { format!("widgets[{i}].params") } else { format!("widgets[{i}].params.{param}") };
            problems.push((*i, FieldError::new(&field, ErrorCode::InvalidInput)));
        }
    }
    if !problems.is_empty() {
        // In the list's order, whatever found them.
        problems.sort_by_key(|(i, _)| *i);
        return Err(Error::Validation(problems.into_iter().map(|(_, p)| p).collect()));
    }
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    store::save_dashboard(&mut tx, user.tenant_id, template.as_str(), &value, user.user_id).await?;
    audit::record(
        &mut tx,
        &Actor::of(user, meta),
        Event::new("production.dashboard_saved")
            .target("production_dashboard", template.as_str())
            .after(json!({ "widgets": value })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the lines operator `operator` works on (the stops they may classify).
pub async fn set_operator_lines(
    pool: &PgPool,
    user: &User,
    meta: &RequestMeta,
    operator: UserId,
    lines: &[LineId],
) -> Result<()> {
    user.require(Permission::PlantConfigure)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    if !store::set_operator_lines(&mut tx, user.tenant_id, operator, lines).await? {
        return Err(Error::NotFound);
    }
    audit::record(
        &mut tx,
        &Actor::of(user, meta),
        Event::new("production.operator_lines_set").target("user", operator).after(json!({ "lines": lines })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn settings(pool: &PgPool, user: &User) -> Result<Settings> {
    use crate::production::store::dashboard as read;
    user.require(Permission::PlantConfigure)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let time_zone = super::dashboard::time_zone(&mut tx).await?.name().to_owned();
    let lines = store::lines(&mut tx)
        .await?
        .into_iter()
        .map(|l| {
            Ok(LineSetting {
                id: l.id,
                code: l.code,
                name: l.name,
                downtime_threshold_s: f64::from(l.downtime_threshold_ms) / 1000.0,
                micro_stop_s: f64::from(l.micro_stop_ms) / 1000.0,
                target_pct: (l.target * 10_000.0).round() / 100.0,
                active: l.active,
                counting: Counting::decode(&l.counting).map_err(Error::internal)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let areas = store::areas(&mut tx).await?;
    let products = store::products(&mut tx)
        .await?
        .into_iter()
        .map(|(id, code, name, cycle, active)| ProductSetting {
            id,
            code,
            name,
            ideal_cycle_s: f64::from(cycle) / 1000.0,
            active,
        })
        .collect();
    let line_cycles = store::line_cycles(&mut tx)
        .await?
        .into_iter()
        .map(|(line_id, product_id, cycle)| LineCycleSetting {
            line_id,
            product_id,
            ideal_cycle_s: f64::from(cycle) / 1000.0,
        })
        .collect();
    let reasons = read::reasons(&mut tx).await?;
    let operators = store::operators(&mut tx)
        .await?
        .into_iter()
        .map(|(user_id, name, email, lines)| OperatorLines { user_id, name, email, lines })
        .collect();
    let shifts = store::shifts(&mut tx).await?;
    let rows = store::filters(&mut tx).await?;
    let mut filters: Vec<FilterSetting> = FilterKey::ALL
        .iter()
        .enumerate()
        .map(|(i, &key)| match rows.iter().find(|r| r.key == key.as_str()) {
            Some(r) => FilterSetting {
                key,
                position: r.position,
                enabled: r.enabled,
                required: r.required,
                default: ["range", "code"]
                    .iter()
                    .find_map(|k| r.default_value.get(k).and_then(|v| v.as_str()))
                    .map(str::to_owned)
                    // The demo's `{"days_back": n}` reads as the range it means.
                    .or_else(|| {
                        (key == FilterKey::DateRange && r.default_value.get("days_back").is_some())
                            .then(|| Range::from_default(&r.default_value).as_str().to_owned())
                    })
                    .unwrap_or_default(),
            },
            // A plant that has set no filter offers the defaults (the dashboard shows them): listed as such.
            None if rows.is_empty() => FilterSetting {
                key,
                position: i as i16 + 1,
                enabled: true,
                required: key == FilterKey::DateRange,
                default: if key == FilterKey::DateRange { Range::Hours24.as_str().to_owned() } else { String::new() },
            },
            None => {
                FilterSetting { key, position: i as i16 + 1, enabled: false, required: false, default: String::new() }
            }
        })
        .collect();
    filters.sort_by_key(|f| (f.position, f.key));
    let stored = store::dashboards(&mut tx).await?;
    let dashboards = Template::ALL
        .iter()
        .map(|&template| {
            // Not set yet: the default the dashboard shows, to start editing from.
            let widgets = match stored.iter().find(|(r, _)| r == template.as_str()) {
                Some((_, w)) => w.clone(),
                None => serde_json::from_str(template.default_widgets()).map_err(Error::internal)?,
            };
            Ok((template, serde_json::to_string_pretty(&widgets).map_err(Error::internal)?))
        })
        .collect::<Result<_>>()?;
    let widgets = store::widget_names(&mut tx)
        .await?
        .into_iter()
        .map(|(kind, name_es, name_en)| Ok(WidgetEntry { kind: WidgetKind::decode(&kind)?, name_es, name_en }))
        .collect::<Result<_>>()?;
    tx.commit().await?;
    Ok(Settings {
        time_zone,
        lines,
        areas,
        products,
        line_cycles,
        reasons,
        shifts,
        filters,
        operators,
        dashboards,
        widgets,
    })
}
