//! The plant's configuration, edited by its owner and managers (`plant.configure`): lines, products, downtime
//! reasons, each role's dashboard (its widgets' parameters checked against the widget catalog's JSON Schemas on save)
//! and which lines each operator works on. Every change is checked whole (nothing written when a field is wrong, each
//! named), audited, and shows on the dashboards at their next refresh.

use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::caller::{RequestMeta, User};
use crate::codes::{ErrorCode, FieldError};
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::Permission;
use crate::production::rules::dashboard::Widget;
use crate::production::rules::settings::{
    self as rules, LineInput, LineSetting, OperatorLines, ProductInput, ProductSetting, ReasonInput, Settings,
    WidgetKind,
};
use crate::production::store::settings as store;

/// Roles whose dashboard a plant sets.
pub const TEMPLATES: [&str; 4] = ["owner", "manager", "operator", "viewer"];

async fn record(
    tx: &mut db::Tx,
    user: &User,
    meta: &RequestMeta,
    action: &str,
    kind: &str,
    id: i32,
    after: serde_json::Value,
) -> Result<()> {
    audit::record(tx, &Actor::of(user, meta), Event::new(action).target(kind, id).after(after)).await?;
    Ok(())
}

pub async fn save_line(pool: &PgPool, user: &User, meta: &RequestMeta, input: &LineInput) -> Result<i32> {
    user.require(Permission::PlantConfigure)?;
    let line = rules::check_line(input).map_err(Error::Validation)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let id = store::save_line(&mut tx, user.tenant_id, &line).await?.ok_or(Error::NotFound)?;
    let after = json!({ "code": line.code, "name": line.name, "downtime_threshold_ms": line.downtime_threshold_ms,
                        "micro_stop_ms": line.micro_stop_ms, "oee_target": line.target, "active": line.active });
    record(&mut tx, user, meta, "production.line_saved", "production_line", id, after).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn save_product(pool: &PgPool, user: &User, meta: &RequestMeta, input: &ProductInput) -> Result<i32> {
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

pub async fn save_reason(pool: &PgPool, user: &User, meta: &RequestMeta, input: &ReasonInput) -> Result<i32> {
    user.require(Permission::PlantConfigure)?;
    let (code, name, colour) = rules::check_reason(input).map_err(Error::Validation)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let id =
        store::save_reason(&mut tx, user.tenant_id, input.id, (&code, &name, &colour), input.planned, input.active)
            .await?
            .ok_or(Error::NotFound)?;
    let after =
        json!({ "code": code, "name": name, "planned": input.planned, "colour": colour, "active": input.active });
    record(&mut tx, user, meta, "production.reason_saved", "production_reason", id, after).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets `role`'s dashboard to `widgets` (JSON, as the settings page's editor sends it): a layout inside the grid,
/// widgets of the catalog's kinds, each one's parameters valid by its kind's schema; the first problem of each widget
/// named (`widgets[2].params`).
pub async fn save_dashboard(pool: &PgPool, user: &User, meta: &RequestMeta, role: &str, widgets: &str) -> Result<()> {
    user.require(Permission::PlantConfigure)?;
    if !TEMPLATES.contains(&role) {
        return Err(Error::field("role", ErrorCode::InvalidInput));
    }
    let value: serde_json::Value =
        serde_json::from_str(widgets).map_err(|_| Error::field("widgets", ErrorCode::InvalidInput))?;
    let parsed: Vec<Widget> =
        serde_json::from_value(value.clone()).map_err(|_| Error::field("widgets", ErrorCode::InvalidInput))?;
    rules::check_layout(&parsed).map_err(Error::Validation)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let schemas = store::widget_schemas(&mut tx).await?;
    let mut problems = Vec::new();
    for (i, w) in parsed.iter().enumerate() {
        match schemas.iter().find(|(kind, _)| *kind == w.kind) {
            None => problems.push(FieldError::new(&format!("widgets[{i}].kind"), ErrorCode::InvalidInput)),
            Some((_, schema)) => {
                let params = if w.params.is_null() { json!({}) } else { w.params.clone() };
                let valid = jsonschema::validator_for(schema).map(|v| v.is_valid(&params)).unwrap_or(false);
                if !valid {
                    problems.push(FieldError::new(&format!("widgets[{i}].params"), ErrorCode::InvalidInput));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    store::save_dashboard(&mut tx, user.tenant_id, role, &value, user.user_id).await?;
    audit::record(
        &mut tx,
        &Actor::of(user, meta),
        Event::new("production.dashboard_saved")
            .target("production_dashboard", role)
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
    operator: Uuid,
    lines: &[i32],
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
    let lines = store::lines(&mut tx)
        .await?
        .into_iter()
        .map(|l| LineSetting {
            id: l.id,
            code: l.code,
            name: l.name,
            downtime_threshold_s: f64::from(l.downtime_threshold_ms) / 1000.0,
            micro_stop_s: f64::from(l.micro_stop_ms) / 1000.0,
            target_pct: (l.target * 10_000.0).round() / 100.0,
            active: l.active,
        })
        .collect();
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
    let reasons = read::reasons(&mut tx).await?;
    let operators = store::operators(&mut tx)
        .await?
        .into_iter()
        .map(|(user_id, name, email, lines)| OperatorLines { user_id, name, email, lines })
        .collect();
    let stored = store::dashboards(&mut tx).await?;
    let dashboards = TEMPLATES
        .iter()
        .map(|role| {
            let widgets = stored.iter().find(|(r, _)| r == role).map(|(_, w)| w.clone()).unwrap_or_else(|| json!([]));
            (role.to_string(), serde_json::to_string_pretty(&widgets).unwrap_or_default())
        })
        .collect();
    let widgets = store::widget_names(&mut tx)
        .await?
        .into_iter()
        .map(|(kind, name_es, name_en)| WidgetKind { kind, name_es, name_en })
        .collect();
    tx.commit().await?;
    Ok(Settings { lines, products, reasons, operators, dashboards, widgets })
}
