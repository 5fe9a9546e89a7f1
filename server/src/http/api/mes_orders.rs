//! REST for production orders and their stage facts (seed 002's parts, facts and current shift under
//! `/api/v1/mes/…`): stages and scrap reasons (data per organisation), orders with their route and progress, facts
//! recorded and reversed, a manager's reopening of a closed shift, the plant's fact settings and its current shift.
//!
//! Reads need `mes:read`. Facts need `mes:write` held by a person (a fact names who recorded it); orders, stages,
//! scrap reasons, reopening and settings are a manager's, in person. A fact refused by its stage's rule is 422 with a
//! message per field; one on a shift whose facts have closed is 409 `facts_locked`; a reversal of a fact reversed
//! before (or of a reversal) is 409 `already_reversed`. Every write that creates takes an optional
//! `idempotency_key`: sent again, it is answered with what the first made and changes nothing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use nexus::caller::RequestMeta;
use nexus::codes::ErrorCode;
use nexus::ids::{DepartmentId, FactId, ItemId, LineId, OrderId, ProductId, ScrapReasonId, ShiftId, StageId, UserId};
use nexus::mes::rules::facts::{FactInput, OrderState, Source};
use nexus::mes::rules::orders::{IssueInput, MaterialInput, MaterialsInput};
use nexus::mes::rules::views::{
    CurrentShift, Fact, LineName, OrderDetail, OrderMaterial, OrderMovement, OrderStage, OrderSummary, ProductName,
    Recorded, ScrapReason, ScrapReasonName, ShiftName, ShiftRun, Stage,
};
use nexus::mes::service::orders::{
    self, FactSettings, OrderInput, OrderQuery, ReopenInput, ScrapReasonInput, StageInput,
};
use nexus::stockroom::rules::ledger::{MovementKind, Source as LedgerSource};
use nexus::workflow::machine::Person;
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiJson, ApiQuery, ApiResult, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mes/stages", get(stages).post(add_stage))
        .route("/mes/stages/{id}", put(change_stage))
        .route("/mes/scrap-reasons", get(scrap_reasons).post(add_scrap_reason))
        .route("/mes/scrap-reasons/{id}", put(change_scrap_reason))
        .route("/mes/orders", get(list).post(create))
        .route("/mes/orders/{id}", get(one).put(change))
        .route("/mes/orders/{id}/cancel", post(cancel))
        .route("/mes/orders/{id}/facts", get(facts).post(record))
        .route("/mes/orders/{id}/materials", get(materials).put(set_materials))
        .route("/mes/orders/{id}/issues", post(issue))
        .route("/mes/orders/{id}/movements", get(movements))
        .route("/mes/facts/{id}/reverse", post(reverse))
        .route("/mes/shifts/reopen", post(reopen))
        .route("/mes/settings", get(settings).put(save_settings))
        .route("/mes/current-shift", get(current_shift))
}

fn path_id<T: std::str::FromStr>(raw: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| AppError::field("id", ErrorCode::InvalidInput))
}

/// The stages orders go through, the archived last.
#[utoipa::path(get, path = "/api/v1/mes/stages", tag = "mes",
    responses((status = 200, body = Vec<Stage>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn stages(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Stage>>> {
    Ok(Json(orders::stages(&st.pool, caller).await?))
}

/// A stage as written.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageIn {
    /// Lower-case letters, digits, `-` and `_` (1–40).
    #[schema(pattern = "^[a-z0-9_-]{1,40}$")]
    code: String,
    #[schema(min_length = 1, max_length = 80)]
    name: String,
    /// A fact here names the plant's shift and its operator.
    #[serde(default)]
    needs_shift: bool,
    /// Scrap found here was made earlier.
    #[serde(default)]
    inspection: bool,
    #[serde(default)]
    #[schema(value_type = Option<i32>, minimum = 1)]
    line_id: Option<LineId>,
    #[serde(default)]
    archived: bool,
}

impl StageIn {
    fn input(self) -> StageInput {
        StageInput {
            code: self.code,
            name: self.name,
            needs_shift: self.needs_shift,
            inspection: self.inspection,
            line_id: self.line_id,
            archived: self.archived,
        }
    }
}

/// Adds a stage (a manager, in person); a code taken is 409 `name_taken` on `code`.
#[utoipa::path(post, path = "/api/v1/mes/stages", tag = "mes", request_body = StageIn,
    responses((status = 201, body = Stage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_stage(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<StageIn>,
) -> ApiResult<(StatusCode, Json<Stage>)> {
    Ok((StatusCode::CREATED, Json(orders::save_stage(&st.pool, caller, None, &b.input()).await?)))
}

/// Changes a stage: its code, name, rule, line, archived or not.
#[utoipa::path(put, path = "/api/v1/mes/stages/{id}", tag = "mes", params(("id" = i32, Path, minimum = 1)),
    request_body = StageIn,
    responses((status = 200, body = Stage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn change_stage(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StageIn>,
) -> ApiResult<Json<Stage>> {
    Ok(Json(orders::save_stage(&st.pool, caller, Some(path_id(&id)?), &b.input()).await?))
}

/// What scrap is put down to, the archived last.
#[utoipa::path(get, path = "/api/v1/mes/scrap-reasons", tag = "mes",
    responses((status = 200, body = Vec<ScrapReason>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn scrap_reasons(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
) -> ApiResult<Json<Vec<ScrapReason>>> {
    Ok(Json(orders::scrap_reasons(&st.pool, caller).await?))
}

/// A scrap reason as written.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScrapReasonIn {
    #[schema(pattern = "^[a-z0-9_-]{1,40}$")]
    code: String,
    #[schema(min_length = 1, max_length = 80)]
    name: String,
    #[serde(default)]
    archived: bool,
}

impl ScrapReasonIn {
    fn input(self) -> ScrapReasonInput {
        ScrapReasonInput { code: self.code, name: self.name, archived: self.archived }
    }
}

/// Adds a scrap reason (a manager, in person).
#[utoipa::path(post, path = "/api/v1/mes/scrap-reasons", tag = "mes", request_body = ScrapReasonIn,
    responses((status = 201, body = ScrapReason), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_scrap_reason(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<ScrapReasonIn>,
) -> ApiResult<(StatusCode, Json<ScrapReason>)> {
    Ok((StatusCode::CREATED, Json(orders::save_scrap_reason(&st.pool, caller, None, &b.input()).await?)))
}

/// Changes a scrap reason.
#[utoipa::path(put, path = "/api/v1/mes/scrap-reasons/{id}", tag = "mes", params(("id" = i32, Path, minimum = 1)),
    request_body = ScrapReasonIn,
    responses((status = 200, body = ScrapReason), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn change_scrap_reason(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ScrapReasonIn>,
) -> ApiResult<Json<ScrapReason>> {
    Ok(Json(orders::save_scrap_reason(&st.pool, caller, Some(path_id(&id)?), &b.input()).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OrdersParams {
    /// Open and in progress only.
    unfinished: Option<bool>,
    /// Orders whose route has this stage.
    #[param(value_type = Option<i32>, minimum = 1)]
    stage: Option<StageId>,
    /// In the code or the name.
    #[param(max_length = 100)]
    q: Option<String>,
    /// The `next` of the previous page.
    #[param(pattern = "^([0-9]{1,18})?$")]
    after: Option<String>,
    /// Orders per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// A page of orders.
#[derive(Serialize, ToSchema)]
pub struct OrdersPage {
    items: Vec<OrderSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
}

/// Orders newest first, each with its route's progress (Σ good / ordered per stage).
#[utoipa::path(get, path = "/api/v1/mes/orders", tag = "mes", params(OrdersParams),
    responses((status = 200, body = OrdersPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn list(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<OrdersParams>,
) -> ApiResult<Json<OrdersPage>> {
    let after = nexus::paging::after::<i64>(p.after.as_deref(), ()).map_err(|e| AppError::field(&e.field, e.code))?;
    if p.stage.is_some_and(|s| s.0 < 1) {
        return Err(AppError::field("stage", ErrorCode::InvalidInput));
    }
    let q =
        OrderQuery { unfinished: p.unfinished.unwrap_or(false), stage: p.stage, search: p.q, after, limit: p.limit };
    let page = orders::list(&st.pool, caller, &q).await?;
    Ok(Json(OrdersPage { items: page.items, next: page.next }))
}

/// An order as written, and the key it is sent under.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderIn {
    #[schema(min_length = 1, max_length = 40)]
    code: String,
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    #[serde(default)]
    #[schema(value_type = Option<i32>, minimum = 1)]
    product_id: Option<ProductId>,
    #[schema(minimum = 1, maximum = 10_000_000)]
    quantity: i32,
    #[serde(default)]
    due_date: Option<NaiveDate>,
    /// The stages it goes through, in order (1–30, each once). Given on creation; a change keeps the route.
    #[serde(default)]
    #[schema(value_type = Vec<i32>, max_items = 30)]
    route: Vec<StageId>,
    #[serde(default)]
    #[schema(max_length = 100)]
    idempotency_key: Option<String>,
}

impl OrderIn {
    fn input(&self) -> OrderInput {
        OrderInput {
            code: self.code.clone(),
            name: self.name.clone(),
            product_id: self.product_id,
            quantity: self.quantity,
            due_date: self.due_date,
            route: self.route.clone(),
        }
    }
}

/// An order's change: everything but its route (which stays) and a key (a change is the same sent twice).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderChangeIn {
    #[schema(min_length = 1, max_length = 40)]
    code: String,
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    #[serde(default)]
    #[schema(value_type = Option<i32>, minimum = 1)]
    product_id: Option<ProductId>,
    #[schema(minimum = 1, maximum = 10_000_000)]
    quantity: i32,
    #[serde(default)]
    due_date: Option<NaiveDate>,
}

/// Creates an order with its route (201; a manager, in person). A code taken is 409 `name_taken` on `code`.
#[utoipa::path(post, path = "/api/v1/mes/orders", tag = "mes", request_body = OrderIn,
    responses((status = 201, body = OrderDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<OrderIn>,
) -> ApiResult<(StatusCode, Json<OrderDetail>)> {
    let o = orders::create(&st.pool, caller, &b.input(), b.idempotency_key.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(o)))
}

/// An order with its route's progress and its latest facts (newest first, up to 200).
#[utoipa::path(get, path = "/api/v1/mes/orders/{id}", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = OrderDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn one(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<OrderDetail>> {
    Ok(Json(orders::get(&st.pool, caller, path_id(&id)?).await?))
}

/// Changes an order's code, name, product, quantity and due date (a manager, in person); its route stays. A code the
/// stock room's ledger names (the reference of stock issued to the order) stays: 409 `code_referenced`.
#[utoipa::path(put, path = "/api/v1/mes/orders/{id}", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    request_body = OrderChangeIn,
    responses((status = 200, body = OrderDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn change(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<OrderChangeIn>,
) -> ApiResult<Json<OrderDetail>> {
    let input = OrderInput {
        code: b.code,
        name: b.name,
        product_id: b.product_id,
        quantity: b.quantity,
        due_date: b.due_date,
        route: Vec::new(),
    };
    Ok(Json(orders::update(&st.pool, caller, path_id(&id)?, &input).await?))
}

/// Cancels an order (a manager, in person): no fact is recorded against it any more; its facts stay.
#[utoipa::path(post, path = "/api/v1/mes/orders/{id}/cancel", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = OrderDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn cancel(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<OrderDetail>> {
    Ok(Json(orders::cancel(&st.pool, caller, path_id(&id)?).await?))
}

/// An order's facts, newest first (up to 200), reversals with them.
#[utoipa::path(get, path = "/api/v1/mes/orders/{id}/facts", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Vec<Fact>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn facts(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Fact>>> {
    Ok(Json(orders::get(&st.pool, caller, path_id(&id)?).await?.facts))
}

/// A fact as sent, and the key it is sent under.
#[derive(Deserialize, ToSchema)]
pub struct FactIn {
    #[serde(flatten)]
    fact: FactInput,
    #[serde(default)]
    #[schema(max_length = 100)]
    idempotency_key: Option<String>,
}

/// Records a stage fact against the order (201; `mes:write`, a person): good and scrap pieces at a stage of its
/// route, on a day of the plant and its shift. A stage that needs a shift refuses a fact without the shift or the
/// operator (422, a message per field); scrap names its reason; a shift whose facts have closed is 409 `facts_locked`.
#[utoipa::path(post, path = "/api/v1/mes/orders/{id}/facts", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    request_body = FactIn,
    responses((status = 201, body = Recorded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`facts_locked`, or `idempotency_key_reused`"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:write"])))]
async fn record(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FactIn>,
) -> ApiResult<(StatusCode, Json<Recorded>)> {
    let order: OrderId = path_id(&id)?;
    let r = orders::record(&st.pool, caller, order, &b.fact, Source::Api, b.idempotency_key.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A reversal's reason.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverseIn {
    /// Why (1–2,000 characters).
    #[schema(min_length = 1, max_length = 2000)]
    comment: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    idempotency_key: Option<String>,
}

/// Reverses a fact (201; whoever recorded it, or a manager): a fact of its quantities negated, on its day and shift,
/// while their facts are open. Once per fact, and never a reversal itself (409 `already_reversed`).
#[utoipa::path(post, path = "/api/v1/mes/facts/{id}/reverse", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    request_body = ReverseIn,
    responses((status = 201, body = Recorded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`already_reversed` or `facts_locked`"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:write"])))]
async fn reverse(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReverseIn>,
) -> ApiResult<(StatusCode, Json<Recorded>)> {
    let fact: FactId = path_id(&id)?;
    let r = orders::reverse(&st.pool, caller, fact, &b.comment, Source::Api, b.idempotency_key.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A shift's facts to reopen.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenIn {
    day: NaiveDate,
    /// The shift (none: the day's facts recorded without one).
    #[serde(default)]
    #[schema(value_type = Option<i32>, minimum = 1)]
    shift_id: Option<ShiftId>,
    /// For how long from now (1–1,440 minutes).
    #[schema(minimum = 1, maximum = 1440)]
    minutes: i32,
    #[schema(min_length = 1, max_length = 2000)]
    reason: String,
}

/// Until when a shift's facts are open again.
#[derive(Serialize, ToSchema)]
pub struct Reopened {
    until: DateTime<Utc>,
}

/// Reopens the facts of a closed shift for a while (a manager, in person), with the reason; kept, and audited.
#[utoipa::path(post, path = "/api/v1/mes/shifts/reopen", tag = "mes", request_body = ReopenIn,
    responses((status = 200, body = Reopened), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn reopen(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<ReopenIn>,
) -> ApiResult<Json<Reopened>> {
    let input = ReopenInput { day: b.day, shift_id: b.shift_id, minutes: b.minutes, reason: b.reason };
    Ok(Json(Reopened { until: orders::reopen(&st.pool, caller, &meta, &input).await? }))
}

/// The plant's fact settings.
#[utoipa::path(get, path = "/api/v1/mes/settings", tag = "mes",
    responses((status = 200, body = FactSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn settings(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<FactSettings>> {
    Ok(Json(orders::settings(&st.pool, caller).await?))
}

/// Sets how long after a shift its facts stay open (a manager, in person; 0–10,080 minutes).
#[utoipa::path(put, path = "/api/v1/mes/settings", tag = "mes", request_body = FactSettings,
    responses((status = 200, body = FactSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn save_settings(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<FactSettings>,
) -> ApiResult<Json<FactSettings>> {
    Ok(Json(orders::save_settings(&st.pool, caller, &b).await?))
}

/// What the order needs from the stock room and what it consumed, by item: planned, consumed (the ledger's issues
/// whose reference is the order's code, less returns and reversals), still to issue, and in stock now.
#[utoipa::path(get, path = "/api/v1/mes/orders/{id}/materials", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Vec<OrderMaterial>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn materials(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<OrderMaterial>>> {
    Ok(Json(nexus::mes::service::materials::materials(&st.pool, caller, path_id(&id)?).await?))
}

/// The order's movements in the stock room's ledger, newest first (the latest 200): its issues and returns (the
/// ledger's movements referencing its code) and their reversals, with who posted each (seed 002's movement journal).
#[utoipa::path(get, path = "/api/v1/mes/orders/{id}/movements", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Vec<OrderMovement>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn movements(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<OrderMovement>>> {
    Ok(Json(nexus::mes::service::materials::movements(&st.pool, caller, path_id(&id)?).await?))
}

/// What an order needs, the whole list.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialsIn {
    /// At most 100 items, each once.
    #[schema(max_items = 100)]
    materials: Vec<MaterialInput>,
}

/// Sets what the order needs from the stock room, replacing the list (a manager, in person): each item the stock
/// room's and not archived, once, its quantity above zero (whole for an item counted whole); 422 names each wrong
/// field (`materials.2.quantity`).
#[utoipa::path(put, path = "/api/v1/mes/orders/{id}/materials", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    request_body = MaterialsIn,
    responses((status = 200, body = Vec<OrderMaterial>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:write"])))]
async fn set_materials(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MaterialsIn>,
) -> ApiResult<Json<Vec<OrderMaterial>>> {
    let input = MaterialsInput { materials: b.materials };
    Ok(Json(nexus::mes::service::materials::set(&st.pool, caller, path_id(&id)?, &input).await?))
}

/// Stock issued to an order.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueIn {
    /// Unique per write (1–100 characters): sent again, nothing is issued twice.
    #[schema(min_length = 1, max_length = 100)]
    idempotency_key: String,
    department_id: DepartmentId,
    /// 1–500 lines.
    #[schema(min_items = 1, max_items = 500)]
    lines: Vec<MaterialInput>,
}

/// Issues stock to the order from a department of the stock room (201): one posting of the ledger, its lines
/// referencing the order's code, as the stock room's counter would; the ledger's rules hold (who may move stock,
/// never below zero: 409 `insufficient_stock` naming each short line). Answers the order's materials as they now
/// stand.
#[utoipa::path(post, path = "/api/v1/mes/orders/{id}/issues", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    request_body = IssueIn,
    responses((status = 201, body = Vec<OrderMaterial>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`insufficient_stock`, or `idempotency_key_reused`"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:write"])))]
async fn issue(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<IssueIn>,
) -> ApiResult<(StatusCode, Json<Vec<OrderMaterial>>)> {
    let input = IssueInput { idempotency_key: b.idempotency_key, department_id: b.department_id, lines: b.lines };
    let m = nexus::mes::service::materials::issue(&st.pool, caller, path_id(&id)?, &input, LedgerSource::Api).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// The plant's current shift (none between shifts) and the next, from its calendar, in its time zone.
#[utoipa::path(get, path = "/api/v1/mes/current-shift", tag = "mes",
    responses((status = 200, body = CurrentShift), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn current_shift(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<CurrentShift>> {
    Ok(Json(orders::current_shift(&st.pool, caller, Utc::now()).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        stages,
        add_stage,
        change_stage,
        scrap_reasons,
        add_scrap_reason,
        change_scrap_reason,
        list,
        create,
        one,
        change,
        cancel,
        facts,
        record,
        materials,
        set_materials,
        issue,
        movements,
        reverse,
        reopen,
        settings,
        save_settings,
        current_shift
    ),
    components(schemas(
        Stage,
        StageIn,
        ScrapReason,
        ScrapReasonIn,
        OrdersPage,
        OrderSummary,
        OrderStage,
        OrderState,
        OrderDetail,
        OrderIn,
        OrderChangeIn,
        OrderMaterial,
        OrderMovement,
        MovementKind,
        MaterialsIn,
        MaterialInput,
        IssueIn,
        ItemId,
        DepartmentId,
        ProductName,
        Fact,
        FactIn,
        FactInput,
        Recorded,
        ReverseIn,
        ShiftName,
        ScrapReasonName,
        Source,
        ReopenIn,
        Reopened,
        FactSettings,
        CurrentShift,
        ShiftRun,
        LineName,
        Person,
        StageId,
        OrderId,
        FactId,
        ScrapReasonId,
        ShiftId,
        ProductId,
        LineId,
        UserId
    ))
)]
pub struct MesOrdersApi;
