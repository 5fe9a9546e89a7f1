//! REST for the shop's parts (seed 004's endpoints, under `/api/v1/fabrication/…`): parts (list with search, filters,
//! sort and keyset pages; create, read, edit, delete), each workflow action its own POST (approve, reject, resubmit,
//! claim, assign, extend, acknowledge, unclaim, complete, revert), drawings and their revisions, the board, the parts
//! of a category, the statistics, subsystems, the claims' lease, the people who make parts.
//! Reads need `fabrication:read`; work needs `fabrication:write` held by a person (a part is claimed and approved by
//! people: an API key gets 403). An action not offered from the part's state, or raced and lost, is 409 naming the
//! state, who made it so and who holds the part; one not the caller's to take is 403 naming the rule. Every action
//! takes an optional `idempotency_key` and `version`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use nexus::caller::RequestMeta;
use nexus::codes::ErrorCode;
use nexus::fabrication::rules::list::{PartQuery, PartSort};
use nexus::fabrication::rules::parts::{PartAction, PartInput, PartKind, PartProblem, PartState, Priority};
use nexus::fabrication::rules::views::{
    Board, Drawing, FabSettings, PartDetail, PartSummary, StateCount, StateTime, Stats, Subsystem, SubsystemCount,
    WeekCount,
};
use nexus::fabrication::service::actions::{ActInput, act};
use nexus::fabrication::service::setup::Maker;
use nexus::fabrication::service::{drawings, parts, setup, stats};
use nexus::identity::rules::auth::Role;
use nexus::ids::{FabPartId, SubsystemId, UserId};
use nexus::workflow::machine::{Event, Person, Rule, TransitionProblem};
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiJson, ApiJsonOrEmpty, ApiQuery, ApiResult, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/fabrication/parts", get(list).post(create))
        .route("/fabrication/parts/board", get(board))
        .route("/fabrication/parts/stats", get(statistics))
        .route("/fabrication/parts/categories/{category}", get(category))
        .route("/fabrication/parts/{id}", get(one).put(edit).delete(delete))
        .route("/fabrication/parts/{id}/approve", post(approve))
        .route("/fabrication/parts/{id}/reject", post(reject))
        .route("/fabrication/parts/{id}/resubmit", post(resubmit))
        .route("/fabrication/parts/{id}/claim", post(claim))
        .route("/fabrication/parts/{id}/assign", post(assign))
        .route("/fabrication/parts/{id}/extend", post(extend))
        .route("/fabrication/parts/{id}/acknowledge", post(acknowledge))
        .route("/fabrication/parts/{id}/unclaim", post(unclaim))
        .route("/fabrication/parts/{id}/complete", post(complete))
        .route("/fabrication/parts/{id}/revert", post(revert))
        .route(
            "/fabrication/parts/{id}/drawings",
            post(add_drawing).layer(axum::extract::DefaultBodyLimit::max(
                nexus::files::rules::MAX_BYTES + super::inventory::ENVELOPE_BYTES,
            )),
        )
        .route("/fabrication/parts/{id}/drawings/{revision}", get(drawing))
        .route("/fabrication/parts/{id}/drawings/{revision}/approve", post(approve_drawing))
        .route("/fabrication/subsystems", get(subsystems).post(add_subsystem))
        .route("/fabrication/subsystems/{id}", put(change_subsystem))
        .route("/fabrication/settings", get(settings).put(save_settings))
        .route("/fabrication/makers", get(makers))
}

fn path_id<T: std::str::FromStr>(field: &str, raw: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| AppError::field(field, ErrorCode::InvalidInput))
}

/// The states of a comma-separated list (`state=cnc,hand`): deleted parts are listed by none.
fn states(raw: Option<&str>) -> ApiResult<Vec<PartState>> {
    raw.filter(|s| !s.is_empty())
        .map(|s| {
            s.split(',')
                .map(|v| {
                    PartState::parse(v.trim())
                        .filter(|s| *s != PartState::Deleted)
                        .ok_or_else(|| AppError::field("state", ErrorCode::InvalidInput))
                })
                .collect()
        })
        .unwrap_or(Ok(Vec::new()))
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PartsParams {
    /// Words found in a part's name, notes or material, its subsystem's or its holder's name (every word, accents
    /// and case aside; at most 5 words, 100 characters).
    #[param(max_length = 100)]
    search: Option<String>,
    /// States, comma-separated: review, rejected, cnc, hand, claimed, completed (none: all of them).
    #[param(
        pattern = "^((review|rejected|cnc|hand|claimed|completed)(,(review|rejected|cnc|hand|claimed|completed))*)?$"
    )]
    state: Option<String>,
    /// `cnc` or `hand`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<PartKind>,
    #[param(value_type = Option<i32>, minimum = 1)]
    subsystem: Option<SubsystemId>,
    /// The holder's id.
    #[param(value_type = Option<uuid::Uuid>)]
    assignee: Option<UserId>,
    /// The caller's own claims ("my claims").
    mine: Option<bool>,
    /// Due before today and not completed.
    overdue: Option<bool>,
    /// `name`, `state` (the workflow's order), `assignee`, `created` (the default) or `due`.
    sort_by: Option<PartSort>,
    /// `asc` or `desc` (default: newest first for `created`, ascending for the rest).
    sort_order: Option<SortOrder>,
    /// The `next` of the previous page (of the same order).
    #[param(pattern = "^([0-9]{1,18}\\.[^\\u0000-\\u001f\\u007f-\\u009f]{0,200})?$")]
    after: Option<String>,
    /// Parts per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// A page of parts.
#[derive(Serialize, ToSchema)]
pub struct PartsPage {
    items: Vec<PartSummary>,
    /// Pass as `after` for the next page (with the same order); absent on the last page.
    next: Option<String>,
}

/// Parts, searched and filtered, in one of five orders, a page at a time (keyset: a page stays right while parts
/// are added).
#[utoipa::path(get, path = "/api/v1/fabrication/parts", tag = "fabrication", params(PartsParams),
    responses((status = 200, body = PartsPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:read"])))]
async fn list(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<PartsParams>,
) -> ApiResult<Json<PartsPage>> {
    if p.subsystem.is_some_and(|s| s.0 < 1) {
        return Err(AppError::field("subsystem", ErrorCode::InvalidInput));
    }
    let q = PartQuery {
        search: p.search,
        states: states(p.state.as_deref())?,
        kind: p.kind,
        subsystem: p.subsystem,
        assignee: p.assignee,
        mine: p.mine.unwrap_or(false),
        overdue: p.overdue.unwrap_or(false),
        sort: p.sort_by.unwrap_or_default(),
        desc: p.sort_order.map(|o| o == SortOrder::Desc),
        after: p.after,
        limit: p.limit,
    };
    let page = parts::list(&st.pool, caller, &q).await?;
    Ok(Json(PartsPage { items: page.items, next: page.next }))
}

/// A seed 004 category: a state of the workflow.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartCategory {
    Review,
    Rejected,
    Cnc,
    Hand,
    Claimed,
    Completed,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageParams {
    #[param(pattern = "^([0-9]{1,18}\\.[0-9]{0,16})?$")]
    after: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// The parts of a category (seed 004's `review`, `cnc`, `hand`, `completed`, and `rejected`, `claimed`), newest
/// first, a page at a time.
#[utoipa::path(get, path = "/api/v1/fabrication/parts/categories/{category}", tag = "fabrication",
    params(("category" = PartCategory, Path), PageParams),
    responses((status = 200, body = PartsPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:read"])))]
async fn category(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(category): Path<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<PartsPage>> {
    let state = PartState::parse(&category)
        .filter(|s| *s != PartState::Deleted)
        .ok_or_else(|| AppError::field("category", ErrorCode::InvalidInput))?;
    let q = PartQuery { states: vec![state], after: p.after, limit: p.limit, ..PartQuery::default() };
    let page = parts::list(&st.pool, caller, &q).await?;
    Ok(Json(PartsPage { items: page.items, next: page.next }))
}

/// A part as asked for, and the key it is sent under.
#[derive(Deserialize, ToSchema)]
pub struct PartIn {
    #[serde(flatten)]
    part: PartInput,
    /// Sent again under the same key, the part the first request made is answered.
    #[serde(default)]
    #[schema(max_length = 100)]
    idempotency_key: Option<String>,
}

/// Asks for a part (201): it waits in review for a lead other than its requester.
#[utoipa::path(post, path = "/api/v1/fabrication/parts", tag = "fabrication", request_body = PartIn,
    responses((status = 201, body = PartDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`idempotency_key_reused`: the key made another part"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:write"])))]
async fn create(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<PartIn>,
) -> ApiResult<(StatusCode, Json<PartDetail>)> {
    let d = parts::create(&st.pool, caller, &b.part, b.idempotency_key.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// A part with its notes, drawings (every revision), timeline (every action: who, when, from, to, why) and what the
/// caller may do.
#[utoipa::path(get, path = "/api/v1/fabrication/parts/{id}", tag = "fabrication", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = PartDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:read"])))]
async fn one(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<PartDetail>> {
    Ok(Json(parts::get(&st.pool, caller, path_id("id", &id)?).await?))
}

/// A part's fields as changed, at the version the caller saw.
#[derive(Deserialize, ToSchema)]
pub struct PartEdit {
    #[serde(flatten)]
    part: PartInput,
    /// The part's version the caller saw: changed since, the edit is refused as overtaken (409).
    #[schema(minimum = 1)]
    version: i32,
}

/// Changes a part (its requester while it is a request, a lead any time); its type is fixed once approved.
#[utoipa::path(put, path = "/api/v1/fabrication/parts/{id}", tag = "fabrication", params(("id" = i64, Path, minimum = 1)),
    request_body = PartEdit,
    responses((status = 200, body = PartDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:write"])))]
async fn edit(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PartEdit>,
) -> ApiResult<Json<PartDetail>> {
    Ok(Json(parts::edit(&st.pool, caller, path_id("id", &id)?, &b.part, b.version).await?))
}

/// An action's optional body (none at all is an empty one).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    /// Why (at most 2,000 characters): required to reject and revert, and for a lead taking someone's claim away.
    #[serde(default)]
    #[schema(max_length = 2000)]
    comment: Option<String>,
    /// The part's version the caller saw: changed since, the action is refused as overtaken (409).
    #[serde(default)]
    #[schema(minimum = 1)]
    version: Option<i32>,
    #[serde(default)]
    #[schema(max_length = 100)]
    idempotency_key: Option<String>,
}

async fn take(
    st: &AppState,
    caller: &nexus::caller::Caller,
    id: &str,
    action: PartAction,
    b: &ActionIn,
    assignee: Option<UserId>,
) -> ApiResult<Json<PartDetail>> {
    let input =
        ActInput { comment: b.comment.as_deref(), version: b.version, key: b.idempotency_key.as_deref(), assignee };
    Ok(Json(act(&st.pool, caller, path_id("id", id)?, action, &input).await?))
}

/// Deletes a part (its requester while it is a request, a lead while it waits in a queue): it leaves every list; it
/// and its history are kept. A claimed or completed part is not deleted (409).
#[utoipa::path(delete, path = "/api/v1/fabrication/parts/{id}", tag = "fabrication",
    params(("id" = i64, Path, minimum = 1)),
    request_body(content = Option<ActionIn>, description = "Optional: no body at all is an empty one"),
    responses((status = 200, body = PartDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:write"])))]
async fn delete(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<ActionIn>,
) -> ApiResult<Json<PartDetail>> {
    take(&st, caller, &id, PartAction::Delete, &b, None).await
}

macro_rules! action {
    ($name:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "fabrication", params(("id" = i64, Path, minimum = 1)),
            request_body(content = Option<ActionIn>, description = "Optional: no body at all is an empty one"),
            responses((status = 200, body = PartDetail), (status = 401, body = ErrorBody),
                      (status = 403, body = ErrorBody, description = "Not the caller's to take: `problem.rule` says why"),
                      (status = 404, body = ErrorBody),
                      (status = 409, body = ErrorBody, description = "`problem`: `not_from` or `overtaken`, with the \
                                                                      part's state, who made it so and its holder"),
                      (status = 422, body = ErrorBody)),
            security(("bearer" = ["fabrication:write"])))]
        async fn $name(
            State(st): State<AppState>,
            ApiCaller(ref caller): ApiCaller,
            Path(id): Path<String>,
            ApiJsonOrEmpty(b): ApiJsonOrEmpty<ActionIn>,
        ) -> ApiResult<Json<PartDetail>> {
            take(&st, caller, &id, $action, &b, None).await
        }
    };
}

action!(
    approve,
    "/api/v1/fabrication/parts/{id}/approve",
    PartAction::Approve,
    "Approves a part in review into its type's queue (a lead who did not ask for it: four eyes)."
);
action!(
    reject,
    "/api/v1/fabrication/parts/{id}/reject",
    PartAction::Reject,
    "Sends a part in review back to its requester, with the reason (a lead)."
);
action!(
    resubmit,
    "/api/v1/fabrication/parts/{id}/resubmit",
    PartAction::Resubmit,
    "Sends a rejected part to review again (its requester or a lead)."
);
action!(
    claim,
    "/api/v1/fabrication/parts/{id}/claim",
    PartAction::Claim,
    "Claims a part in a queue for the caller, for the organisation's lease. Of several at once exactly one gets it; \
     the others get 409 naming the holder."
);
action!(
    extend,
    "/api/v1/fabrication/parts/{id}/extend",
    PartAction::Extend,
    "Extends the caller's claim: its lease runs again from now (its holder)."
);
action!(
    acknowledge,
    "/api/v1/fabrication/parts/{id}/acknowledge",
    PartAction::Acknowledge,
    "The holder has seen the part's current drawing (required before completing once it changed)."
);
action!(
    unclaim,
    "/api/v1/fabrication/parts/{id}/unclaim",
    PartAction::Unclaim,
    "Puts a claimed part back in its queue (its holder, or a lead with a reason)."
);
action!(
    complete,
    "/api/v1/fabrication/parts/{id}/complete",
    PartAction::Complete,
    "Completes a claimed part (its holder or a lead), recording the drawing revision it was made from; 409 \
     `drawing_not_acknowledged` while a new drawing is unseen."
);
action!(
    revert,
    "/api/v1/fabrication/parts/{id}/revert",
    PartAction::Revert,
    "Takes a completed part back to its queue, with the reason (a lead)."
);

/// An assignment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    /// Who gets the claim: an active person of the organisation who makes parts.
    assignee: UserId,
    #[serde(default)]
    #[schema(max_length = 2000)]
    comment: Option<String>,
    #[serde(default)]
    #[schema(minimum = 1)]
    version: Option<i32>,
    #[serde(default)]
    #[schema(max_length = 100)]
    idempotency_key: Option<String>,
}

/// Claims a part in a queue for someone (a lead only; seed 004's assign, which never overwrites a holder: a claimed
/// part is 409 naming who holds it).
#[utoipa::path(post, path = "/api/v1/fabrication/parts/{id}/assign", tag = "fabrication",
    params(("id" = i64, Path, minimum = 1)), request_body = AssignIn,
    responses((status = 200, body = PartDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:write"])))]
async fn assign(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AssignIn>,
) -> ApiResult<Json<PartDetail>> {
    let a = ActionIn { comment: b.comment, version: b.version, idempotency_key: b.idempotency_key };
    take(&st, caller, &id, PartAction::Assign, &a, Some(b.assignee)).await
}

/// A drawing revision (multipart/form-data).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DrawingForm {
    /// A PDF or a picture (PNG, JPEG, WebP) of at most 10 MiB, told by its bytes; its name's extension must be its
    /// content's.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
    /// What changed (at most 500 characters).
    #[schema(max_length = 500)]
    note: Option<String>,
}

/// Uploads a new revision of the part's drawing (201; its requester, holder or a lead): a lead's is current at
/// once, anyone else's waits for a lead's approval. Over 10 MiB is 413; another type or a renamed file is 422
/// `file_type`.
#[utoipa::path(post, path = "/api/v1/fabrication/parts/{id}/drawings", tag = "fabrication",
    params(("id" = i64, Path, minimum = 1)),
    request_body(content = DrawingForm, content_type = "multipart/form-data"),
    responses((status = 201, body = PartDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:write"])))]
async fn add_drawing(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<PartDetail>)> {
    let id: FabPartId = path_id("id", &id)?;
    let form = form.map_err(|_| AppError::field("body", ErrorCode::InvalidInput))?;
    let parts = super::inventory::read_parts(form, nexus::files::rules::MAX_BYTES as u64).await?;
    let note = parts.fields.iter().find(|(k, _)| k == "note").map(|(_, v)| v.as_str()).unwrap_or_default();
    let (name, bytes) = parts.file.ok_or_else(|| AppError::field("file", ErrorCode::Required))?;
    let d = drawings::add(&st.pool, caller, id, &name, &bytes, note).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// A drawing revision's file, as uploaded (shown in the browser).
#[utoipa::path(get, path = "/api/v1/fabrication/parts/{id}/drawings/{revision}", tag = "fabrication",
    params(("id" = i64, Path, minimum = 1), ("revision" = i32, Path, minimum = 1)),
    responses((status = 200, description = "The file, in its own type",
               content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"),
                       (Vec<u8> = "image/webp"))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:read"])))]
async fn drawing(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path((id, revision)): Path<(String, String)>,
) -> ApiResult<axum::response::Response> {
    let id: FabPartId = path_id("id", &id)?;
    let revision: i32 =
        revision.parse().ok().filter(|r| *r > 0).ok_or_else(|| AppError::field("revision", ErrorCode::InvalidInput))?;
    let (d, bytes) = drawings::file(&st.pool, caller, id, revision).await?;
    Ok(super::kept_file(&d.name, d.media_type, bytes))
}

/// Approves a drawing revision (a lead who did not upload it): it becomes the part's current drawing; one not newer
/// than the current is 409 `drawing_superseded`.
#[utoipa::path(post, path = "/api/v1/fabrication/parts/{id}/drawings/{revision}/approve", tag = "fabrication",
    params(("id" = i64, Path, minimum = 1), ("revision" = i32, Path, minimum = 1)),
    responses((status = 200, body = PartDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:write"])))]
async fn approve_drawing(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path((id, revision)): Path<(String, String)>,
) -> ApiResult<Json<PartDetail>> {
    let revision: i32 =
        revision.parse().ok().filter(|r| *r > 0).ok_or_else(|| AppError::field("revision", ErrorCode::InvalidInput))?;
    Ok(Json(drawings::approve(&st.pool, caller, path_id("id", &id)?, revision).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BoardParams {
    /// Parts per column (1–200, default 25).
    #[param(minimum = 1, maximum = 200)]
    per: Option<i64>,
}

/// The board: each column's newest parts, every column's count, and the columns with more than shown.
#[utoipa::path(get, path = "/api/v1/fabrication/parts/board", tag = "fabrication", params(BoardParams),
    responses((status = 200, body = Board), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:read"])))]
async fn board(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<BoardParams>,
) -> ApiResult<Json<Board>> {
    let per = p.per.unwrap_or(25);
    if !(1..=200).contains(&per) {
        return Err(AppError::field("per", ErrorCode::InvalidInput));
    }
    Ok(Json(parts::board(&st.pool, caller, per).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatsParams {
    /// The weeks looked back on, the current one included (1–104, default 12).
    #[param(minimum = 1, maximum = 104)]
    weeks: Option<i32>,
}

/// The statistics: parts by state and subsystem now (the counts every figure sums), and over the window: completed
/// per week, the median time in each state, the claims that expired.
#[utoipa::path(get, path = "/api/v1/fabrication/parts/stats", tag = "fabrication", params(StatsParams),
    responses((status = 200, body = Stats), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["fabrication:read"])))]
async fn statistics(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<Json<Stats>> {
    Ok(Json(stats::stats(&st.pool, caller, p.weeks).await?))
}

/// The organisation's subsystems, live ones first.
#[utoipa::path(get, path = "/api/v1/fabrication/subsystems", tag = "fabrication",
    responses((status = 200, body = Vec<Subsystem>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["fabrication:read"])))]
async fn subsystems(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Subsystem>>> {
    Ok(Json(setup::subsystems(&st.pool, caller).await?))
}

/// A subsystem as written.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubsystemIn {
    #[schema(min_length = 1, max_length = 80)]
    name: String,
    /// Archived: kept on its parts, offered for no new one.
    #[serde(default)]
    archived: bool,
}

/// Adds a subsystem (201; a lead). A name the organisation has, whatever its case, is 409 `name_taken`.
#[utoipa::path(post, path = "/api/v1/fabrication/subsystems", tag = "fabrication", request_body = SubsystemIn,
    responses((status = 201, body = Subsystem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_subsystem(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<SubsystemIn>,
) -> ApiResult<(StatusCode, Json<Subsystem>)> {
    let s = setup::save_subsystem(&st.pool, caller, None, &b.name, b.archived, &meta).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// Renames or archives a subsystem (a lead).
#[utoipa::path(put, path = "/api/v1/fabrication/subsystems/{id}", tag = "fabrication",
    params(("id" = i32, Path, minimum = 1)), request_body = SubsystemIn,
    responses((status = 200, body = Subsystem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn change_subsystem(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SubsystemIn>,
) -> ApiResult<Json<Subsystem>> {
    let id: SubsystemId = path_id("id", &id)?;
    Ok(Json(setup::save_subsystem(&st.pool, caller, Some(id), &b.name, b.archived, &meta).await?))
}

/// The organisation's fabrication settings: how long a claim lasts.
#[utoipa::path(get, path = "/api/v1/fabrication/settings", tag = "fabrication",
    responses((status = 200, body = FabSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["fabrication:read"])))]
async fn settings(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<FabSettings>> {
    Ok(Json(setup::settings(&st.pool, caller).await?))
}

/// Sets how long a claim lasts (a lead): 15 minutes to a week; claims made or extended from now on get it.
#[utoipa::path(put, path = "/api/v1/fabrication/settings", tag = "fabrication", request_body = FabSettings,
    responses((status = 200, body = FabSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn save_settings(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<FabSettings>,
) -> ApiResult<Json<FabSettings>> {
    Ok(Json(setup::save_settings(&st.pool, caller, &b, &meta).await?))
}

/// The organisation's active people who make parts: whom a lead may assign a part to.
#[utoipa::path(get, path = "/api/v1/fabrication/makers", tag = "fabrication",
    responses((status = 200, body = Vec<Maker>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["fabrication:read"])))]
async fn makers(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Maker>>> {
    Ok(Json(setup::makers(&st.pool, caller).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, category, create, one, edit, delete, approve, reject, resubmit, claim, assign, extend, acknowledge,
          unclaim, complete, revert, add_drawing, drawing, approve_drawing, board, statistics, subsystems,
          add_subsystem, change_subsystem, settings, save_settings, makers),
    components(schemas(PartsPage, PartSummary, PartDetail, PartIn, PartEdit, PartInput, PartKind, PartState, PartAction,
                       Priority, PartSort, SortOrder, PartCategory, ActionIn, AssignIn, DrawingForm, Drawing, Board,
                       StateCount, SubsystemCount, WeekCount, StateTime, Stats, Subsystem, SubsystemIn, FabSettings,
                       Maker, PartProblem, Event, Person, TransitionProblem, Rule, Role, FabPartId, SubsystemId,
                       UserId)),
    tags((name = "fabrication", description = "The shop's parts: review → CNC or hand queue → claimed (a lease) → \
                                               completed, with four-eyes approval, drawings with revisions and a \
                                               timeline of every action"))
)]
pub struct FabricationApi;
