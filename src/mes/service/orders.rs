//! Production orders: the stages and scrap reasons a plant works with, orders and their route, the stage facts
//! people record against them (checked field by field against the stage's rule and the plant's calendar, closed once
//! their shift has ended plus the plant's grace), reversals, a manager's reopening of a shift, and the plant's
//! current shift.
//!
//! A fact locks its order's row, is written with its stage's new sums in one statement, and moves the order's state
//! (open → in progress → done when its last stage has the quantity good; a reversal can take it back) in the same
//! transaction: two facts at once on one order are added one after the other, never lost.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta};
use crate::codes::{ErrorCode, FieldError, check_text};
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::{FactId, LineId, OrderId, ProductId, ScrapReasonId, ShiftId, StageId, UserId};
use crate::mes::rules::facts::{
    self as rules, FactInput, GRACE_MAX, OrderState, Source, StageRule, When, closes_at, open_at,
};
use crate::mes::rules::tasks::{check_code, check_multiline};
use crate::mes::rules::views::{
    Choices, CurrentShift, Fact, LineName, OrderDetail, OrderStage, OrderSummary, ProductName, Recorded, ScrapReason,
    ScrapReasonName, ShiftName, ShiftRun, Stage,
};
use crate::mes::service::tasks::check_key;
use crate::mes::store::orders as store;
use crate::paging::{Limit, Page};
use crate::production::rules::calendar::{self, Shift};
use crate::workflow::machine::Person;

/// Orders a page of a list holds.
pub const PAGE: i64 = 50;
/// The facts an order's page shows, newest first.
pub const FACTS_SHOWN: i64 = 200;
/// A plant's grace after a shift when it set none (minutes).
pub const GRACE_DEFAULT: i32 = 120;
/// The longest a manager reopens a shift's facts for (minutes): a day.
pub const REOPEN_MAX: i32 = 24 * 60;

/// What a list of orders asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// Open and in progress only.
    pub unfinished: bool,
    /// Orders whose route has this stage.
    pub stage: Option<StageId>,
    /// In the code or the name.
    pub search: Option<String>,
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

pub use crate::mes::rules::orders::{FactSettings, OrderInput, ReopenInput, ScrapReasonInput, StageInput};

fn stage(r: store::StageRow) -> Stage {
    Stage {
        id: StageId(r.id),
        code: r.code,
        name: r.name,
        needs_shift: r.needs_shift,
        inspection: r.inspection,
        line: match (r.line_id, r.line_code, r.line_name) {
            (Some(id), Some(code), Some(name)) => Some(LineName { id: LineId(id), code, name }),
            _ => None,
        },
        archived: r.archived,
    }
}

/// A code and a name of the plant's data (a stage's, a scrap reason's), both checked at once.
fn code_and_name(code: &str, name: &str) -> Result<(String, String)> {
    let mut errors = Vec::new();
    let code = check_code("code", code).map_err(|e| errors.push(e)).unwrap_or_default();
    let name = check_text("name", name, true, 80).map_err(|e| errors.push(e)).unwrap_or_default();
    if errors.is_empty() { Ok((code, name)) } else { Err(Error::Validation(errors)) }
}

/// The plant's stages, the archived last (`mes:read`).
pub async fn stages(pool: &PgPool, caller: &Caller) -> Result<Vec<Stage>> {
    caller.require(ApiScope::MesRead)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let rows = store::stages(&mut tx).await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(stage).collect())
}

/// Creates a stage, or changes the one `id` names (a manager).
pub async fn save_stage(pool: &PgPool, caller: &Caller, id: Option<StageId>, input: &StageInput) -> Result<Stage> {
    let user = caller.user()?;
    user.require(Permission::MesPlan)?;
    let (code, name) = code_and_name(&input.code, &input.name)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let write = store::StageWrite {
        code: &code,
        name: &name,
        needs_shift: input.needs_shift,
        inspection: input.inspection,
        line: input.line_id.map(|l| l.0),
        archived: input.archived,
    };
    let saved = store::save_stage(&mut tx, user.tenant_id, id.map(|i| i.0), &write).await?.ok_or(Error::NotFound)?;
    let made = store::stages(&mut tx).await?.into_iter().find(|s| s.id == saved).ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(stage(made))
}

/// The plant's scrap reasons, the archived last (`mes:read`).
pub async fn scrap_reasons(pool: &PgPool, caller: &Caller) -> Result<Vec<ScrapReason>> {
    caller.require(ApiScope::MesRead)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let rows = store::scrap_reasons(&mut tx).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| ScrapReason { id: ScrapReasonId(r.id), code: r.code, name: r.name, archived: r.archived })
        .collect())
}

/// Creates a scrap reason, or changes the one `id` names (a manager).
pub async fn save_scrap_reason(
    pool: &PgPool,
    caller: &Caller,
    id: Option<ScrapReasonId>,
    input: &ScrapReasonInput,
) -> Result<ScrapReason> {
    let user = caller.user()?;
    user.require(Permission::MesPlan)?;
    let (code, name) = code_and_name(&input.code, &input.name)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let saved = store::save_scrap_reason(&mut tx, user.tenant_id, id.map(|i| i.0), &code, &name, input.archived)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(ScrapReason { id: ScrapReasonId(saved), code, name, archived: input.archived })
}

/// The plant's clock: its zone and shifts.
async fn clock(tx: &mut Tx) -> Result<(Tz, Vec<(ShiftId, String, Shift)>)> {
    let tz = crate::production::service::dashboard::time_zone(tx).await?;
    let shifts = crate::production::service::settings::calendar(tx).await?;
    Ok((tz, shifts))
}

fn today(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

fn summary(r: store::OrderRow, stages: &[store::StageRow], today: NaiveDate) -> Result<OrderSummary> {
    let state = OrderState::decode(&r.state).map_err(Error::internal)?;
    let route = r
        .stage_ids
        .iter()
        .zip(r.goods.iter().zip(&r.scraps))
        .map(|(id, (good, scrap))| {
            let s = stages.iter().find(|s| s.id == *id);
            OrderStage {
                stage: StageId(*id),
                code: s.map(|s| s.code.clone()).unwrap_or_default(),
                name: s.map(|s| s.name.clone()).unwrap_or_default(),
                good: *good,
                scrap: *scrap,
                progress: rules::progress(*good, r.quantity),
            }
        })
        .collect();
    Ok(OrderSummary {
        id: OrderId(r.id),
        code: r.code,
        name: r.name,
        product: match (r.product_id, r.product_code, r.product_name) {
            (Some(id), Some(code), Some(name)) => Some(ProductName { id: ProductId(id), code, name }),
            _ => None,
        },
        quantity: r.quantity,
        due_date: r.due_date,
        overdue: r.due_date.is_some_and(|d| d < today) && matches!(state, OrderState::Open | OrderState::InProgress),
        state,
        stages: route,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn fact(r: store::FactRow) -> Result<Fact> {
    Ok(Fact {
        id: FactId(r.id),
        order: OrderId(r.order_id),
        stage: StageId(r.stage_id),
        day: r.day,
        shift: r.shift_id.map(|id| ShiftName { id: ShiftId(id), name: r.shift_name.unwrap_or_default() }),
        operator: r.operator_id.map(|id| Person { id: UserId(id), name: r.operator_name.unwrap_or_default() }),
        good: r.good,
        scrap: r.scrap,
        scrap_reason: r
            .scrap_reason_id
            .map(|id| ScrapReasonName { id: ScrapReasonId(id), name: r.scrap_reason_name.unwrap_or_default() }),
        comment: r.comment,
        reverses: r.reverses.map(FactId),
        reversed_by: r.reversed_by.map(FactId),
        recorded_by: Person { id: UserId(r.recorded_by), name: r.recorder_name },
        recorded_at: r.recorded_at,
        source: Source::decode(&r.source).map_err(Error::internal)?,
    })
}

/// The order `id` as lists show it.
async fn order_of(tx: &mut Tx, user_tenant: crate::ids::TenantId, id: i64, today: NaiveDate) -> Result<OrderSummary> {
    let stages = store::stages(tx).await?;
    let row = store::orders(tx, user_tenant, Some(id), false, None, None, None, 1)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)?;
    summary(row, &stages, today)
}

/// A page of orders (`mes:read`), newest first, each with its route's progress.
pub async fn list(pool: &PgPool, caller: &Caller, q: &OrderQuery) -> Result<Page<OrderSummary>> {
    caller.require(ApiScope::MesRead)?;
    let limit = Limit::new(q.limit, PAGE, 200).map_err(|e| Error::Validation(vec![e]))?;
    let search = crate::codes::check_filter("q", q.search.as_deref(), 100).map_err(|e| Error::Validation(vec![e]))?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let tz = crate::production::service::dashboard::time_zone(&mut tx).await?;
    let today = today(tz, Utc::now());
    let stages = store::stages(&mut tx).await?;
    let rows = store::orders(
        &mut tx,
        tenant,
        None,
        q.unfinished,
        q.stage.map(|s| s.0),
        search.as_deref(),
        q.after,
        limit.fetch(),
    )
    .await?;
    tx.commit().await?;
    Page::cut(rows, limit, |r| r.id).try_map(|r| summary(r, &stages, today))
}

/// An order with its latest facts (`mes:read`).
pub async fn get(pool: &PgPool, caller: &Caller, id: OrderId) -> Result<OrderDetail> {
    caller.require(ApiScope::MesRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let tz = crate::production::service::dashboard::time_zone(&mut tx).await?;
    let order = order_of(&mut tx, tenant, id.0, today(tz, Utc::now())).await?;
    let facts = store::facts(&mut tx, tenant, Some(id.0), None, FACTS_SHOWN).await?;
    let materials = super::materials::of_order(&mut tx, tenant, id.0, &order.code).await?;
    let movements = super::materials::movements_of(&mut tx, tenant, &order.code).await?;
    tx.commit().await?;
    Ok(OrderDetail { order, facts: facts.into_iter().map(fact).collect::<Result<_>>()?, materials, movements })
}

fn check_order(input: &OrderInput, creating: bool) -> Result<(String, String)> {
    let mut errors = Vec::new();
    let code = check_text("code", &input.code, true, 40).map_err(|e| errors.push(e)).unwrap_or_default();
    let name = check_text("name", &input.name, true, 200).map_err(|e| errors.push(e)).unwrap_or_default();
    if !(1..=10_000_000).contains(&input.quantity) {
        errors.push(FieldError::new("quantity", ErrorCode::InvalidInput));
    }
    if creating {
        let mut seen = std::collections::HashSet::new();
        if input.route.is_empty() {
            errors.push(FieldError::new("route", ErrorCode::Required));
        } else if input.route.len() > 30 || !input.route.iter().all(|s| seen.insert(*s)) {
            errors.push(FieldError::new("route", ErrorCode::InvalidInput));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    Ok((code, name))
}

/// Creates an order with its route (a manager). Sent again under its key, it is the order the first request made.
pub async fn create(pool: &PgPool, caller: &Caller, input: &OrderInput, key: Option<&str>) -> Result<OrderDetail> {
    let user = caller.user()?;
    user.require(Permission::MesPlan)?;
    let key = check_key(key)?;
    let (code, name) = check_order(input, true)?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    // Each stage of the route is one of the plant's, and live.
    let stages = store::stages(&mut tx).await?;
    if input.route.iter().any(|id| !stages.iter().any(|s| s.id == id.0 && !s.archived)) {
        return Err(Error::field("route", ErrorCode::NotFound));
    }
    let write = store::OrderWrite {
        code: &code,
        name: &name,
        product: input.product_id.map(|p| p.0),
        quantity: input.quantity,
        due_date: input.due_date,
    };
    let route: Vec<i32> = input.route.iter().map(|s| s.0).collect();
    let id = match store::insert_order(&mut tx, tenant, &write, &route, user.user_id.0, key).await? {
        Some(id) => id,
        None => store::order_by_key(&mut tx, tenant, key.unwrap_or_default())
            .await?
            .ok_or(Error::Conflict(ErrorCode::Conflict))?,
    };
    tx.commit().await?;
    get(pool, caller, OrderId(id)).await
}

/// Changes an order's code, name, product, quantity and due date (a manager); its route stays. A quantity changed
/// moves its state by the pieces already good.
pub async fn update(pool: &PgPool, caller: &Caller, id: OrderId, input: &OrderInput) -> Result<OrderDetail> {
    let user = caller.user()?;
    user.require(Permission::MesPlan)?;
    let (code, name) = check_order(input, false)?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    // The stock room's ledger names the order by its code (the reference of stock issued to it): that code stays.
    let (was, _) = store::code_and_state(&mut tx, tenant, id.0).await?.ok_or(Error::NotFound)?;
    if was != code && crate::mes::store::materials::referenced(&mut tx, tenant, &was).await? {
        return Err(Error::field("code", ErrorCode::CodeReferenced));
    }
    let write = store::OrderWrite {
        code: &code,
        name: &name,
        product: input.product_id.map(|p| p.0),
        quantity: input.quantity,
        due_date: input.due_date,
    };
    store::update_order(&mut tx, tenant, id.0, &write).await?.ok_or(Error::NotFound)?;
    let now = order_of(&mut tx, tenant, id.0, NaiveDate::MIN).await?;
    if now.state != OrderState::Cancelled {
        let goods: Vec<i32> = now.stages.iter().map(|s| s.good).collect();
        let recorded = now.stages.iter().any(|s| s.good != 0 || s.scrap != 0);
        let state = rules::order_state(now.quantity, &goods, recorded);
        store::set_state(&mut tx, tenant, id.0, state.as_str()).await?;
    }
    tx.commit().await?;
    get(pool, caller, id).await
}

/// Cancels an order (a manager): no fact is recorded against it any more. Its facts stay.
pub async fn cancel(pool: &PgPool, caller: &Caller, id: OrderId) -> Result<OrderDetail> {
    let user = caller.user()?;
    user.require(Permission::MesPlan)?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    store::order_for_fact(&mut tx, tenant, id.0, 0).await?.ok_or(Error::NotFound)?;
    store::set_state(&mut tx, tenant, id.0, OrderState::Cancelled.as_str()).await?;
    tx.commit().await?;
    get(pool, caller, id).await
}

/// When the facts of `day`'s `shift` (or of the day, without one) close, by the plant's calendar and grace; `None`
/// when the shift is not one of the plant's.
async fn closes(
    tx: &mut Tx,
    tenant: crate::ids::TenantId,
    tz: Tz,
    shifts: &[(ShiftId, String, Shift)],
    day: NaiveDate,
    shift: Option<ShiftId>,
) -> Result<Option<DateTime<Utc>>> {
    let end = match shift {
        None => calendar::day_end(tz, day),
        Some(id) => match shifts.iter().find(|(s, _, _)| *s == id) {
            Some((_, _, s)) => s.on(tz, day).span.end,
            None => return Ok(None),
        },
    };
    let grace = store::grace(tx, tenant).await?.unwrap_or(GRACE_DEFAULT);
    Ok(Some(closes_at(end, grace)))
}

/// Whether the facts of `day`'s `shift` are open now (before they close, or reopened by a manager).
async fn facts_open(
    tx: &mut Tx,
    tenant: crate::ids::TenantId,
    closes: DateTime<Utc>,
    day: NaiveDate,
    shift: Option<ShiftId>,
    now: DateTime<Utc>,
) -> Result<bool> {
    if now < closes {
        return Ok(true);
    }
    let reopened = store::reopened_until(tx, tenant, day, shift.map(|s| s.0)).await?;
    Ok(open_at(now, closes, reopened))
}

/// Records a stage fact against an order (`mes:write`, a person): checked against its stage's rule and the plant's
/// calendar, refused once its shift's facts have closed; the order's stage sums and state move with it. Sent again
/// under its key, it is the fact the first request made.
pub async fn record(
    pool: &PgPool,
    caller: &Caller,
    order: OrderId,
    input: &FactInput,
    source: Source,
    key: Option<&str>,
) -> Result<Recorded> {
    caller.require(ApiScope::MesWrite)?;
    let user = caller.user()?;
    let key = check_key(key)?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if let Some(k) = key
        && let Some((id, of, by)) = store::fact_by_key(&mut tx, tenant, k).await?
    {
        if of != order.0 || by != user.user_id.0 {
            return Err(Error::Conflict(ErrorCode::IdempotencyKeyReused));
        }
        return recorded(&mut tx, tenant, id, of).await;
    }
    let now = Utc::now();
    let (tz, shifts) = clock(&mut tx).await?;
    let stages = store::stages(&mut tx).await?;
    let Some(stage) = stages.iter().find(|s| s.id == input.stage_id.0) else {
        return Err(Error::field("stage_id", ErrorCode::NotFound));
    };
    let Some(o) = store::order_for_fact(&mut tx, tenant, order.0, stage.id).await? else {
        return Err(Error::NotFound);
    };
    if !o.on_route {
        return Err(Error::field("stage_id", ErrorCode::InvalidInput));
    }
    if o.state == OrderState::Cancelled.as_str() {
        return Err(Error::field("order", ErrorCode::Archived));
    }
    let shift = match input.shift_id {
        None => None,
        Some(id) => match shifts.iter().find(|(s, _, _)| *s == id) {
            Some((_, _, s)) => Some((s.runs_on(input.day), s.on(tz, input.day).span.start <= now)),
            None => return Err(Error::field("shift_id", ErrorCode::NotFound)),
        },
    };
    // The operator is one of the plant's active people.
    if let Some(op) = input.operator_id
        && crate::mes::store::tasks::active_role(&mut tx, op).await?.is_none()
    {
        return Err(Error::field("operator_id", ErrorCode::NotFound));
    }
    let when = When { today: today(tz, now), shift };
    let checked = input.check(StageRule { needs_shift: stage.needs_shift }, when).map_err(Error::Validation)?;
    let closes = closes(&mut tx, tenant, tz, &shifts, checked.day, checked.shift_id).await?.ok_or(Error::NotFound)?;
    if !facts_open(&mut tx, tenant, closes, checked.day, checked.shift_id, now).await? {
        return Err(Error::Conflict(ErrorCode::FactsLocked));
    }
    let fed = super::feed::ToFeed {
        order: order.0,
        o: &o,
        stage,
        day: checked.day,
        shift: checked.shift_id,
        good: checked.good,
        scrap: checked.scrap,
    };
    let feed = super::feed::feed_figures(&mut tx, tenant, (tz, &shifts), &stages, fed, now).await?;
    let write = store::FactWrite {
        order: order.0,
        stage: stage.id,
        day: checked.day,
        shift: checked.shift_id.map(|s| s.0),
        operator: checked.operator_id,
        good: checked.good,
        scrap: checked.scrap,
        reason: checked.scrap_reason_id.map(|r| r.0),
        comment: checked.comment.as_deref(),
        reverses: None,
        by: user.user_id,
        source: source.as_str(),
        key,
        feed,
    };
    let (id, goods) = store::insert_fact(&mut tx, tenant, &write).await?.ok_or(Error::Conflict(ErrorCode::Conflict))?;
    store::set_state(&mut tx, tenant, order.0, rules::order_state(o.quantity, &goods, true).as_str()).await?;
    let r = recorded(&mut tx, tenant, id, order.0).await?;
    tx.commit().await?;
    Ok(r)
}

/// The fact `id` and its order as they now stand.
async fn recorded(tx: &mut Tx, tenant: crate::ids::TenantId, id: i64, order: i64) -> Result<Recorded> {
    let tz = crate::production::service::dashboard::time_zone(tx).await?;
    let order = order_of(tx, tenant, order, today(tz, Utc::now())).await?;
    let f = store::facts(tx, tenant, None, Some(id), 1).await?.into_iter().next().ok_or(Error::NotFound)?;
    Ok(Recorded { fact: fact(f)?, order })
}

/// Reverses a fact (`mes:write`: whoever recorded it, or a manager), with the reason: a fact of its quantities
/// negated, on its day and shift, while their facts are open; once per fact, and never a reversal itself.
pub async fn reverse(
    pool: &PgPool,
    caller: &Caller,
    id: FactId,
    reason: &str,
    source: Source,
    key: Option<&str>,
) -> Result<Recorded> {
    caller.require(ApiScope::MesWrite)?;
    let user = caller.user()?;
    let key = check_key(key)?;
    let reason = check_multiline("comment", reason, rules::COMMENT_MAX).map_err(|e| Error::Validation(vec![e]))?;
    if reason.is_empty() {
        return Err(Error::field("comment", ErrorCode::Required));
    }
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if let Some(k) = key
        && let Some((made, of, by)) = store::fact_by_key(&mut tx, tenant, k).await?
    {
        if by != user.user_id.0 {
            return Err(Error::Conflict(ErrorCode::IdempotencyKeyReused));
        }
        let r = recorded(&mut tx, tenant, made, of).await?;
        if r.fact.reverses != Some(id) {
            return Err(Error::Conflict(ErrorCode::IdempotencyKeyReused));
        }
        tx.commit().await?;
        return Ok(r);
    }
    let original =
        store::facts(&mut tx, tenant, None, Some(id.0), 1).await?.into_iter().next().ok_or(Error::NotFound)?;
    if original.recorded_by != user.user_id.0 && !user.may(Permission::MesPlan) {
        return Err(Error::Forbidden);
    }
    if original.reverses.is_some() || original.reversed_by.is_some() {
        return Err(Error::Conflict(ErrorCode::AlreadyReversed));
    }
    let now = Utc::now();
    let (tz, shifts) = clock(&mut tx).await?;
    let shift = original.shift_id.map(ShiftId);
    let closes = closes(&mut tx, tenant, tz, &shifts, original.day, shift).await?.ok_or(Error::NotFound)?;
    if !facts_open(&mut tx, tenant, closes, original.day, shift, now).await? {
        return Err(Error::Conflict(ErrorCode::FactsLocked));
    }
    let o =
        store::order_for_fact(&mut tx, tenant, original.order_id, original.stage_id).await?.ok_or(Error::NotFound)?;
    let write = store::FactWrite {
        order: original.order_id,
        stage: original.stage_id,
        day: original.day,
        shift: original.shift_id,
        operator: original.operator_id.map(UserId),
        good: -original.good,
        scrap: -original.scrap,
        reason: original.scrap_reason_id,
        comment: Some(&reason),
        reverses: Some(original.id),
        by: user.user_id,
        source: source.as_str(),
        key,
        feed: None,
    };
    // What the fact added to the figures is taken back from where it was added.
    let feed = match original.landing() {
        Some(l) => {
            let back = store::Landing { total: -l.total, good: -l.good, ..l };
            super::feed::add_to_figures(&mut tx, tenant, back, l.minute).await?.then_some(back)
        }
        None => None,
    };
    let write = store::FactWrite { feed, ..write };
    let (made, goods) =
        store::insert_fact(&mut tx, tenant, &write).await?.ok_or(Error::Conflict(ErrorCode::Conflict))?;
    if o.state != OrderState::Cancelled.as_str() {
        store::set_state(&mut tx, tenant, original.order_id, rules::order_state(o.quantity, &goods, true).as_str())
            .await?;
    }
    let r = recorded(&mut tx, tenant, made, original.order_id).await?;
    tx.commit().await?;
    Ok(r)
}

/// Reopens a shift's facts (or a day's without a shift) for `minutes` from now (a manager), with the reason: kept,
/// and written to the audit log.
pub async fn reopen(pool: &PgPool, caller: &Caller, meta: &RequestMeta, input: &ReopenInput) -> Result<DateTime<Utc>> {
    let user = caller.user()?;
    user.require(Permission::MesPlan)?;
    let mut errors = Vec::new();
    if !(1..=REOPEN_MAX).contains(&input.minutes) {
        errors.push(FieldError::new("minutes", ErrorCode::InvalidInput));
    }
    let reason = match check_multiline("reason", &input.reason, rules::COMMENT_MAX) {
        Ok(r) if r.is_empty() => {
            errors.push(FieldError::new("reason", ErrorCode::Required));
            String::new()
        }
        Ok(r) => r,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (_, shifts) = clock(&mut tx).await?;
    if input.shift_id.is_some_and(|id| !shifts.iter().any(|(s, _, _)| *s == id)) {
        return Err(Error::field("shift_id", ErrorCode::NotFound));
    }
    let until = Utc::now() + Duration::minutes(i64::from(input.minutes));
    store::reopen(&mut tx, tenant, input.day, input.shift_id.map(|s| s.0), until, &reason, user.user_id).await?;
    let target = format!("{}/{}", input.day, input.shift_id.map_or_else(|| "-".to_owned(), |s| s.0.to_string()));
    audit::record(
        &mut tx,
        &Actor::of(user, meta),
        Event::new("mes.shift_reopened")
            .target("mes_shift", target)
            .after(serde_json::json!({ "until": until, "reason": reason })),
    )
    .await?;
    tx.commit().await?;
    Ok(until)
}

/// The plant's fact settings (`mes:read`).
pub async fn settings(pool: &PgPool, caller: &Caller) -> Result<FactSettings> {
    caller.require(ApiScope::MesRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let grace = store::grace(&mut tx, tenant).await?.unwrap_or(GRACE_DEFAULT);
    tx.commit().await?;
    Ok(FactSettings { grace_minutes: grace })
}

/// Sets the plant's grace after a shift (a manager).
pub async fn save_settings(pool: &PgPool, caller: &Caller, input: &FactSettings) -> Result<FactSettings> {
    let user = caller.user()?;
    user.require(Permission::MesPlan)?;
    if !(0..=GRACE_MAX).contains(&input.grace_minutes) {
        return Err(Error::field("grace_minutes", ErrorCode::InvalidInput));
    }
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    store::set_grace(&mut tx, user.tenant_id, input.grace_minutes).await?;
    tx.commit().await?;
    Ok(*input)
}

/// The plant's current shift and the next, by its calendar (`mes:read`).
pub async fn current_shift(pool: &PgPool, caller: &Caller, now: DateTime<Utc>) -> Result<CurrentShift> {
    caller.require(ApiScope::MesRead)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let (tz, shifts) = clock(&mut tx).await?;
    tx.commit().await?;
    Ok(shift_now(tz, shifts, now))
}

/// What the floor's forms offer (`mes:read`): products, live stages and scrap reasons, shifts, the active people who
/// work, and the current shift.
pub async fn choices(pool: &PgPool, caller: &Caller, now: DateTime<Utc>) -> Result<Choices> {
    caller.require(ApiScope::MesRead)?;
    let roles: Vec<String> = crate::mes::rules::tasks::ASSIGNABLE_ROLES.iter().map(|r| r.as_str().to_owned()).collect();
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let (tz, shifts) = clock(&mut tx).await?;
    let products = crate::production::service::settings::products(&mut tx).await?;
    let stages = store::stages(&mut tx).await?;
    let reasons = store::scrap_reasons(&mut tx).await?;
    let people = crate::mes::store::tasks::people(&mut tx, &roles).await?;
    tx.commit().await?;
    Ok(Choices {
        products: products.into_iter().map(|(id, code, name)| ProductName { id, code, name }).collect(),
        stages: stages.into_iter().filter(|s| !s.archived).map(stage).collect(),
        scrap_reasons: reasons
            .into_iter()
            .filter(|r| !r.archived)
            .map(|r| ScrapReasonName { id: ScrapReasonId(r.id), name: r.name })
            .collect(),
        shifts: shifts.iter().map(|(id, name, _)| ShiftName { id: *id, name: name.clone() }).collect(),
        people: people.into_iter().map(|p| Person { id: UserId(p.id), name: p.display_name }).collect(),
        clock: shift_now(tz, shifts, now),
    })
}

/// The lines `caller` works on when they are an operator placed on some (their terminal shows those lines' orders);
/// `None` for anyone else (every order).
pub async fn my_lines(pool: &PgPool, caller: &Caller) -> Result<Option<Vec<LineId>>> {
    let user = caller.user()?;
    if user.role != crate::identity::rules::auth::Role::Operator {
        return Ok(None);
    }
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let lines = crate::production::service::settings::operator_lines(&mut tx, user.user_id).await?;
    tx.commit().await?;
    Ok(Some(lines).filter(|l| !l.is_empty()))
}

/// The plant's clock at `now`: today, the shift on and the next.
fn shift_now(tz: Tz, shifts: Vec<(ShiftId, String, Shift)>, now: DateTime<Utc>) -> CurrentShift {
    let keyed: Vec<((ShiftId, String), Shift)> = shifts.into_iter().map(|(id, name, s)| ((id, name), s)).collect();
    let run = |(k, o): (&(ShiftId, String), calendar::Occurrence)| ShiftRun {
        id: k.0,
        name: k.1.clone(),
        day: o.day,
        start: o.span.start,
        end: o.span.end,
    };
    CurrentShift {
        time_zone: tz.name().to_owned(),
        today: today(tz, now),
        current: calendar::current(&keyed, tz, now).map(run),
        next: calendar::next(&keyed, tz, now).map(run),
        at: now,
    }
}
