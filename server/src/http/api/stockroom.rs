//! REST for the stock room: everything its pages do, for scanner stations, scripts and `nexus-server stock …`. Reads
//! need `stock:read`; moving stock `stock:write`; setting the room up (departments, categories, items, levels,
//! people's departments) `stock:write` held by someone who configures it (an owner, a workshop's account), or a
//! manager in person. A posting (`POST /stock/postings`) is all or nothing under the caller's idempotency key: the same
//! key again returns what the first recorded (200, `replayed`), with other lines 409; a line that would take a balance
//! below zero refuses the whole posting with 409 naming each such line and what is left.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use nexus::caller::RequestMeta;
use nexus::codes::ErrorCode;
use nexus::ids::{AlertId, CategoryId, DepartmentId, ItemId, MovementId, UserId};
use nexus::stockroom::rules::export::{Export, ExportFilter, ExportStatus};
use nexus::stockroom::rules::ledger::{Action, MovementKind, PostLine, PostProblem, PostRequest, Shortage, Source};
use nexus::stockroom::rules::quantity::Unit;
use nexus::stockroom::rules::views::{
    Alert, BalanceAsOf, Category, Department, DepartmentBalance, HistoryEntry, Item, ItemDetail, Person, Place,
    PostResult, Recorded, Stocktake, StocktakeLine, StocktakeStatus,
};
use nexus::stockroom::rules::{CategoryInput, DepartmentInput, ItemInput, LevelInput};
use nexus::stockroom::service::ledger::ReverseRequest;
use nexus::stockroom::service::{alerts, export, ledger, setup, stocktake};
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiJson, ApiQuery, ApiResult, ErrorBody};

pub fn router(limits: nexus::inventory::rules::file::UploadLimits) -> Router<AppState> {
    Router::new()
        .merge(super::stockroom_items::router(limits))
        .route("/stock/departments", get(departments).post(add_department))
        .route("/stock/departments/{id}", put(change_department))
        .route("/stock/categories", get(categories).post(add_category))
        .route("/stock/categories/{id}", put(change_category))
        .route("/stock/items", get(items).post(add_item))
        .route("/stock/items/{id}", get(item).put(change_item))
        .route("/stock/items/{id}/level", put(set_level))
        .route("/stock/items/{id}/history", get(history))
        .route("/stock/items/{id}/balance", get(balance))
        .route("/stock/lookup", get(lookup))
        .route("/stock/postings", post(posting))
        .route("/stock/movements/{id}/reverse", post(reverse))
        .route("/stock/alerts", get(alert_list))
        .route("/stock/alerts/{id}/acknowledge", post(acknowledge))
        .route("/stock/alerts/{id}/assignee", put(assign))
        .route("/stock/people", get(people))
        .route("/stock/people/{id}/department", put(place_person))
        .route("/stock/stocktakes", get(stocktakes).post(start_stocktake))
        .route("/stock/stocktakes/{id}", get(stocktake_one))
        .route("/stock/stocktakes/{id}/lines/{item}", put(count_line))
        .route("/stock/stocktakes/{id}/post", post(post_stocktake))
        .route("/stock/stocktakes/{id}/cancel", post(cancel_stocktake))
        .route("/stock/exports", get(exports).post(request_export))
        .route("/stock/exports/{id}", get(export_one))
        .route("/stock/exports/{id}/file", get(export_file))
        .route("/stock/labels", get(labels))
}

/// A path's id: digits for a number, a UUID for a person; anything else is 422 on `id`.
fn path_id<T: std::str::FromStr>(raw: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| AppError::field("id", ErrorCode::InvalidInput))
}

/// The departments, live first.
#[utoipa::path(get, path = "/api/v1/stock/departments", tag = "stock",
    responses((status = 200, body = Vec<Department>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn departments(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Department>>> {
    Ok(Json(setup::departments(&st.pool, caller).await?))
}

/// What a write of the set-up returns: the id of what was written.
#[derive(Serialize, ToSchema)]
pub struct Saved {
    id: i64,
}

/// Adds a department. A code taken (whatever its case) is 409 `name_taken`.
#[utoipa::path(post, path = "/api/v1/stock/departments", tag = "stock", request_body = DepartmentInput,
    responses((status = 201, body = Saved), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`name_taken`: the code is another department's"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn add_department(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<DepartmentInput>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    let id = setup::save_department(&st.pool, caller, &meta, None, &b).await?;
    Ok((StatusCode::CREATED, Json(Saved { id: i64::from(id.0) })))
}

/// Changes a department: its code, name, whether operators issue to themselves there, archived or not (its stock
/// and history stay).
#[utoipa::path(put, path = "/api/v1/stock/departments/{id}", tag = "stock", params(("id" = i32, Path)),
    request_body = DepartmentInput,
    responses((status = 200, body = Saved), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn change_department(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DepartmentInput>,
) -> ApiResult<Json<Saved>> {
    let id: DepartmentId = path_id(&id)?;
    let id = setup::save_department(&st.pool, caller, &meta, Some(id), &b).await?;
    Ok(Json(Saved { id: i64::from(id.0) }))
}

/// The categories' tree, each with its path from the root.
#[utoipa::path(get, path = "/api/v1/stock/categories", tag = "stock",
    responses((status = 200, body = Vec<Category>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn categories(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Category>>> {
    Ok(Json(setup::categories(&st.pool, caller).await?))
}

/// Adds a category under another (or at the root). A sibling's name is 409 `name_taken`.
#[utoipa::path(post, path = "/api/v1/stock/categories", tag = "stock", request_body = CategoryInput,
    responses((status = 201, body = Saved), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn add_category(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<CategoryInput>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    let id = setup::save_category(&st.pool, caller, &meta, None, &b).await?;
    Ok((StatusCode::CREATED, Json(Saved { id: i64::from(id.0) })))
}

/// Renames, moves (never under itself: 422 `category_cycle`) or archives a category.
#[utoipa::path(put, path = "/api/v1/stock/categories/{id}", tag = "stock", params(("id" = i32, Path)),
    request_body = CategoryInput,
    responses((status = 200, body = Saved), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn change_category(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CategoryInput>,
) -> ApiResult<Json<Saved>> {
    let id: CategoryId = path_id(&id)?;
    let id = setup::save_category(&st.pool, caller, &meta, Some(id), &b).await?;
    Ok(Json(Saved { id: i64::from(id.0) }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ItemsParams {
    /// Part of a name or SKU, or a whole barcode.
    #[param(max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    q: Option<String>,
    #[param(value_type = Option<i32>)]
    category: Option<CategoryId>,
    /// Items with a balance or a level there.
    #[param(value_type = Option<i32>)]
    department: Option<DepartmentId>,
    /// Archived items instead of live ones.
    archived: Option<bool>,
    /// Only items below their threshold somewhere.
    low: Option<bool>,
    /// The `next` of the previous page.
    #[param(pattern = "^([0-9]{1,18})?$")]
    after: Option<String>,
    /// Items per page (1–500, default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// A page of items.
#[derive(Serialize, ToSchema)]
pub struct ItemsPage {
    items: Vec<Item>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
}

/// Items alphabetically, each with its total balance and how many departments it is low in.
#[utoipa::path(get, path = "/api/v1/stock/items", tag = "stock", params(ItemsParams),
    responses((status = 200, body = ItemsPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn items(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<ItemsParams>,
) -> ApiResult<Json<ItemsPage>> {
    let q = setup::ItemsQuery {
        q: p.q,
        category: p.category,
        department: p.department,
        archived: p.archived.unwrap_or(false),
        low: p.low.unwrap_or(false),
        after: p.after,
        limit: p.limit,
    };
    let page = setup::items(&st.pool, caller, &q).await?;
    Ok(Json(ItemsPage { items: page.items, next: page.next }))
}

/// An item with its levels per department (each set; others left as they are).
#[derive(Deserialize, ToSchema)]
pub struct ItemIn {
    #[serde(flatten)]
    item: ItemInput,
    #[serde(default)]
    levels: Vec<LevelInput>,
}

/// Adds an item. Its SKU (whatever its case) and each barcode name one item: another's is 409/422 on the field.
#[utoipa::path(post, path = "/api/v1/stock/items", tag = "stock", request_body = ItemIn,
    responses((status = 201, body = Saved), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`name_taken` on `sku` or `barcodes.N`"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn add_item(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<ItemIn>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    let id = setup::save_item(&st.pool, caller, &meta, None, &b.item, &b.levels).await?;
    Ok((StatusCode::CREATED, Json(Saved { id: id.0 })))
}

/// One item with its balance and level in each department.
#[utoipa::path(get, path = "/api/v1/stock/items/{id}", tag = "stock", params(("id" = i64, Path)),
    responses((status = 200, body = ItemDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn item(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ItemDetail>> {
    Ok(Json(setup::get(&st.pool, caller, path_id(&id)?).await?))
}

/// Changes an item (its barcodes replaced by those given; the levels given set).
#[utoipa::path(put, path = "/api/v1/stock/items/{id}", tag = "stock", params(("id" = i64, Path)), request_body = ItemIn,
    responses((status = 200, body = Saved), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn change_item(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ItemIn>,
) -> ApiResult<Json<Saved>> {
    let id: ItemId = path_id(&id)?;
    let id = setup::save_item(&st.pool, caller, &meta, Some(id), &b.item, &b.levels).await?;
    Ok(Json(Saved { id: id.0 }))
}

/// Sets an item's level in one department: the threshold below which (counting what is on order) an alert opens, what
/// to reorder, what is on order. The alert follows at once.
#[utoipa::path(put, path = "/api/v1/stock/items/{id}/level", tag = "stock", params(("id" = i64, Path)),
    request_body = LevelInput,
    responses((status = 204, description = "set"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn set_level(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<LevelInput>,
) -> ApiResult<StatusCode> {
    setup::set_level(&st.pool, caller, &meta, path_id(&id)?, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryParams {
    /// One department's movements only.
    #[param(value_type = Option<i32>)]
    department: Option<DepartmentId>,
    /// The `next` of the previous page.
    #[param(pattern = "^([0-9]{1,18})?$")]
    after: Option<String>,
    /// Movements per page (1–500, default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// A page of an item's history.
#[derive(Serialize, ToSchema)]
pub struct HistoryPage {
    items: Vec<HistoryEntry>,
    next: Option<String>,
}

/// An item's movements, newest first, each with the department's balance right after it, who recorded it, from
/// where (`ui`, `scan`, `cli`, `api`) and why.
#[utoipa::path(get, path = "/api/v1/stock/items/{id}/history", tag = "stock", params(("id" = i64, Path), HistoryParams),
    responses((status = 200, body = HistoryPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn history(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<HistoryParams>,
) -> ApiResult<Json<HistoryPage>> {
    let page = ledger::history(&st.pool, caller, path_id(&id)?, p.department, p.after.as_deref(), p.limit).await?;
    Ok(Json(HistoryPage { items: page.items, next: page.next }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BalanceParams {
    /// The moment (RFC 3339); absent: now.
    at: Option<DateTime<Utc>>,
}

/// An item's balance in each department as of a moment.
#[utoipa::path(get, path = "/api/v1/stock/items/{id}/balance", tag = "stock", params(("id" = i64, Path), BalanceParams),
    responses((status = 200, body = BalanceAsOf), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn balance(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<BalanceParams>,
) -> ApiResult<Json<BalanceAsOf>> {
    let at = p.at.unwrap_or_else(Utc::now);
    Ok(Json(ledger::balance_as_of(&st.pool, caller, path_id(&id)?, at).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LookupParams {
    /// What a scanner read, or a SKU typed whole.
    #[param(min_length = 1, max_length = 80, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    code: String,
}

/// The item a scanned code (a barcode) or a typed SKU names, exactly, with where it is: the counter's lookup.
#[utoipa::path(get, path = "/api/v1/stock/lookup", tag = "stock", params(LookupParams),
    responses((status = 200, body = ItemDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no item has this barcode or SKU"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn lookup(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<LookupParams>,
) -> ApiResult<Json<ItemDetail>> {
    Ok(Json(setup::lookup(&st.pool, caller, &p.code).await?))
}

/// Records a posting: receive, issue, return and transfer lines, all or nothing (201). The same idempotency key sent
/// again with the same lines returns what the first recorded (200, `replayed`: nothing new); with other lines 409
/// `idempotency_key_reused`. Lines that would take a balance below zero refuse the whole posting: 409
/// `{"error":"rejected","problem":{"problem":"insufficient","lines":[{line, item, department, wanted, available}]}}`.
/// A person who may only issue to themselves (an operator) posts issue lines from departments that allow it.
#[utoipa::path(post, path = "/api/v1/stock/postings", tag = "stock", request_body = PostRequest,
    responses((status = 201, body = PostResult, description = "recorded"),
              (status = 200, body = PostResult, description = "the key was used before with these lines: what it recorded"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`insufficient` (what is left per line), or \
                                                            `idempotency_key_reused`"),
              (status = 422, body = ErrorBody, description = "a line's field, named `lines.N.field`")),
    security(("bearer" = ["stock:write"])))]
async fn posting(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<PostRequest>,
) -> ApiResult<(StatusCode, Json<PostResult>)> {
    let r = ledger::post(&st.pool, caller, &b).await?;
    Ok((if r.replayed { StatusCode::OK } else { StatusCode::CREATED }, Json(r)))
}

/// Undoes a movement with a reversal at the same place (a transfer: both legs), under an idempotency key and with a
/// reason. Once per movement (409 `already_reversed`); refused with what is left when the stock it brought has gone.
#[utoipa::path(post, path = "/api/v1/stock/movements/{id}/reverse", tag = "stock", params(("id" = i64, Path)),
    request_body = ReverseRequest,
    responses((status = 201, body = PostResult), (status = 200, body = PostResult, description = "replayed"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn reverse(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReverseRequest>,
) -> ApiResult<(StatusCode, Json<PostResult>)> {
    let id: MovementId = path_id(&id)?;
    let r = ledger::reverse(&st.pool, caller, id, &b).await?;
    Ok((if r.replayed { StatusCode::OK } else { StatusCode::CREATED }, Json(r)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AlertParams {
    /// Closed alerts too.
    all: Option<bool>,
    /// The `next` of the previous page.
    #[param(pattern = "^([0-9]{1,16}_[0-9]{1,18})?$")]
    after: Option<String>,
    /// Alerts per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// A page of alerts.
#[derive(Serialize, ToSchema)]
pub struct AlertsPage {
    items: Vec<Alert>,
    next: Option<String>,
}

/// Low-stock alerts, newest first: the open ones, or all. Each names the movement that crossed its threshold and who
/// recorded it.
#[utoipa::path(get, path = "/api/v1/stock/alerts", tag = "stock", params(AlertParams),
    responses((status = 200, body = AlertsPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn alert_list(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<AlertParams>,
) -> ApiResult<Json<AlertsPage>> {
    let page = alerts::list(&st.pool, caller, p.all.unwrap_or(false), p.after.as_deref(), p.limit).await?;
    Ok(Json(AlertsPage { items: page.items, next: page.next }))
}

/// Marks an open alert seen (people who move stock). 404 when it is closed or not there.
#[utoipa::path(post, path = "/api/v1/stock/alerts/{id}/acknowledge", tag = "stock", params(("id" = i64, Path)),
    responses((status = 200, body = Alert), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn acknowledge(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Alert>> {
    let id: AlertId = path_id(&id)?;
    Ok(Json(alerts::acknowledge(&st.pool, caller, id).await?))
}

/// Whom an alert is given to.
#[derive(Deserialize, ToSchema)]
pub struct AssigneeIn {
    /// A person of the organisation who moves stock; `null`: nobody.
    #[schema(value_type = Option<String>, format = Uuid)]
    assigned_to: Option<UserId>,
}

/// Gives an open alert to a person who moves stock (or to nobody).
#[utoipa::path(put, path = "/api/v1/stock/alerts/{id}/assignee", tag = "stock", params(("id" = i64, Path)),
    request_body = AssigneeIn,
    responses((status = 200, body = Alert), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn assign(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AssigneeIn>,
) -> ApiResult<Json<Alert>> {
    let id: AlertId = path_id(&id)?;
    Ok(Json(alerts::assign(&st.pool, caller, id, b.assigned_to).await?))
}

/// The organisation's people with their department: whom stock is issued to, who hears a department's alerts.
#[utoipa::path(get, path = "/api/v1/stock/people", tag = "stock",
    responses((status = 200, body = Vec<Person>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn people(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Person>>> {
    Ok(Json(setup::people(&st.pool, caller).await?))
}

/// A person's department.
#[derive(Deserialize, ToSchema)]
pub struct DepartmentOf {
    /// `null`: none.
    #[schema(value_type = Option<i32>)]
    department: Option<DepartmentId>,
}

/// Places a person in a department (where their alerts come from), or in none.
#[utoipa::path(put, path = "/api/v1/stock/people/{id}/department", tag = "stock", params(("id" = String, Path, format = Uuid)),
    request_body = DepartmentOf,
    responses((status = 204, description = "placed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn place_person(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DepartmentOf>,
) -> ApiResult<StatusCode> {
    let id: UserId = path_id(&id)?;
    setup::set_member(&st.pool, caller, &meta, id, b.department).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The organisation's stocktakes, newest first (without their lines).
#[utoipa::path(get, path = "/api/v1/stock/stocktakes", tag = "stock",
    responses((status = 200, body = Vec<Stocktake>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn stocktakes(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Stocktake>>> {
    Ok(Json(stocktake::list(&st.pool, caller).await?))
}

/// Which department to count.
#[derive(Deserialize, ToSchema)]
pub struct StocktakeIn {
    #[schema(value_type = i32)]
    department: DepartmentId,
}

/// Starts a stocktake of a department: what each item there is expected to be is frozen now. One open per department
/// (409 `stocktake_open`).
#[utoipa::path(post, path = "/api/v1/stock/stocktakes", tag = "stock", request_body = StocktakeIn,
    responses((status = 201, body = Stocktake), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn start_stocktake(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<StocktakeIn>,
) -> ApiResult<(StatusCode, Json<Stocktake>)> {
    Ok((StatusCode::CREATED, Json(stocktake::start(&st.pool, caller, b.department).await?)))
}

/// A stocktake with its lines: expected, counted, the difference posting corrects.
#[utoipa::path(get, path = "/api/v1/stock/stocktakes/{id}", tag = "stock", params(("id" = i64, Path)),
    responses((status = 200, body = Stocktake), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn stocktake_one(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Stocktake>> {
    Ok(Json(stocktake::get(&st.pool, caller, path_id(&id)?).await?))
}

/// What was counted of an item.
#[derive(Deserialize, ToSchema)]
pub struct CountIn {
    /// In the item's unit; 0: the shelf was empty.
    #[schema(value_type = f64, minimum = 0)]
    counted: nexus::stockroom::rules::quantity::Qty,
}

/// Enters what was counted of an item (an item not expected there joins the stocktake). 409 when it is closed.
#[utoipa::path(put, path = "/api/v1/stock/stocktakes/{id}/lines/{item}", tag = "stock",
    params(("id" = i64, Path), ("item" = i64, Path)), request_body = CountIn,
    responses((status = 200, body = Stocktake), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn count_line(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path((id, item)): Path<(String, String)>,
    ApiJson(b): ApiJson<CountIn>,
) -> ApiResult<Json<Stocktake>> {
    let item: ItemId = item.parse().map_err(|_| AppError::field("item", ErrorCode::InvalidInput))?;
    Ok(Json(stocktake::count(&st.pool, caller, path_id(&id)?, item, b.counted).await?))
}

/// An idempotency key, for a write that takes nothing else.
#[derive(Deserialize, ToSchema)]
pub struct KeyIn {
    #[schema(min_length = 1, max_length = 100)]
    idempotency_key: String,
}

/// Posts a stocktake's corrections (counted − expected for each counted line that differs) as one posting, and closes
/// it. Refused whole with what is left when stock moved since so that a correction would go below zero.
#[utoipa::path(post, path = "/api/v1/stock/stocktakes/{id}/post", tag = "stock", params(("id" = i64, Path)),
    request_body = KeyIn,
    responses((status = 201, body = PostResult), (status = 200, body = PostResult, description = "replayed"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn post_stocktake(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<KeyIn>,
) -> ApiResult<(StatusCode, Json<PostResult>)> {
    let r = stocktake::post(&st.pool, caller, path_id(&id)?, &b.idempotency_key).await?;
    Ok((if r.replayed { StatusCode::OK } else { StatusCode::CREATED }, Json(r)))
}

/// Cancels an open stocktake: nothing is corrected.
#[utoipa::path(post, path = "/api/v1/stock/stocktakes/{id}/cancel", tag = "stock", params(("id" = i64, Path)),
    responses((status = 200, body = Stocktake), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn cancel_stocktake(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Stocktake>> {
    Ok(Json(stocktake::cancel(&st.pool, caller, path_id(&id)?).await?))
}

/// Asks for an export of the movement history (people; `stock:read`): it is written in the background, its progress
/// read from `GET /stock/exports/{id}`, its file from `…/file` once `done`. Nothing named: every movement.
#[utoipa::path(post, path = "/api/v1/stock/exports", tag = "stock", request_body = ExportFilter,
    responses((status = 202, body = Export), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn request_export(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<ExportFilter>,
) -> ApiResult<(StatusCode, Json<Export>)> {
    Ok((StatusCode::ACCEPTED, Json(export::request(&st.pool, caller, &b).await?)))
}

/// The caller's latest exports, newest first.
#[utoipa::path(get, path = "/api/v1/stock/exports", tag = "stock",
    responses((status = 200, body = Vec<Export>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn exports(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Export>>> {
    Ok(Json(export::list(&st.pool, caller).await?))
}

/// One of the caller's exports: where it stands (`rows` of `total` written).
#[utoipa::path(get, path = "/api/v1/stock/exports/{id}", tag = "stock", params(("id" = i64, Path)),
    responses((status = 200, body = Export), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn export_one(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Export>> {
    Ok(Json(export::get(&st.pool, caller, path_id(&id)?).await?))
}

/// A finished export's CSV (formula-safe; a row per movement, in time order), streamed; 409 `export_not_ready`
/// before it is done.
#[utoipa::path(get, path = "/api/v1/stock/exports/{id}/file", tag = "stock", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn export_file(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let (e, parts) = export::file(&st.pool, caller, path_id(&id)?).await?;
    let parts = futures_util::TryStreamExt::map_err(parts, |e| std::io::Error::other(e.to_string()));
    let name = format!("movimientos-{}-{}.csv", e.id, e.created_at.format("%Y%m%d"));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        axum::body::Body::from_stream(parts),
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LabelParams {
    /// The items, by id, comma-separated (at most 480), in the order their labels go.
    #[param(pattern = "^[0-9]{1,18}(,[0-9]{1,18}){0,479}$", example = "1,2,3")]
    items: String,
    /// Labels of each item (1–24; default 1).
    #[param(minimum = 1, maximum = 24)]
    copies: Option<u32>,
    /// Which sheet of 24 labels (from 1; default 1); `X-Sheets` says how many there are.
    #[param(minimum = 1, maximum = 480)]
    sheet: Option<usize>,
}

/// A sheet of printable labels (A4, 3 × 8 of 70 × 37 mm, SVG at true size): each item's name, SKU, its first barcode
/// (else its SKU) as Code 128 and as QR. An item not the organisation's, or a sheet past the last, is 404.
#[utoipa::path(get, path = "/api/v1/stock/labels", tag = "stock", params(LabelParams),
    responses((status = 200, content_type = "image/svg+xml", body = String,
               headers(("x-sheets" = usize, description = "How many sheets the labels take"))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn labels(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<LabelParams>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let items = p
        .items
        .split(',')
        .map(|i| i.trim().parse::<i64>().map(ItemId))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::field("items", ErrorCode::InvalidInput))?;
    let sheet = p.sheet.unwrap_or(1);
    let (svg, count) =
        nexus::stockroom::service::labels::sheet(&st.pool, caller, &items, p.copies.unwrap_or(1), sheet).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("inline; filename=\"etiquetas-{sheet}.svg\"")),
            (axum::http::header::HeaderName::from_static("x-sheets"), count.to_string()),
        ],
        svg,
    )
        .into_response())
}

#[derive(OpenApi)]
#[openapi(
    paths(departments, add_department, change_department, categories, add_category, change_category, items, add_item,
          item, change_item, set_level, history, balance, lookup, posting, reverse, alert_list, acknowledge, assign,
          people, place_person, stocktakes, start_stocktake, stocktake_one, count_line, post_stocktake,
          cancel_stocktake, request_export, exports, export_one, export_file, labels),
    components(schemas(Department, DepartmentInput, Category, CategoryInput, Item, ItemDetail, Place, ItemIn, ItemInput,
                       LevelInput, Unit, ItemsPage, Saved, HistoryPage, HistoryEntry, MovementKind, Source, BalanceAsOf,
                       DepartmentBalance, PostRequest, PostLine, Action, PostResult, Recorded, PostProblem, Shortage,
                       ReverseRequest, AlertsPage, Alert, AssigneeIn, Person, DepartmentOf, Stocktake, StocktakeLine,
                       StocktakeStatus, StocktakeIn, CountIn, KeyIn, Export, ExportFilter, ExportStatus)),
    tags((name = "stock", description = "The stock room: items, departments, a ledger of movements that never goes \
                                         negative, low-stock alerts"))
)]
pub struct StockApi;
