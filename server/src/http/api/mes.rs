//! REST for the floor's work (seed 002's endpoints under `/api/v1/mes/…`): tasks, each transition its own POST
//! (accept, start, send-to-review, review, cancel), comments, read marks, categories, the people tasks are given to.
//! Reads need `mes:read`; work needs `mes:write` held by a person (a task is accepted, reviewed and commented by
//! people: an API key gets 403). A transition not offered from the task's state, or raced and lost, is 409 naming the
//! state and who made it so; one not the caller's to take is 403 naming the rule. Every write takes an optional
//! `idempotency_key`: sent again, it is answered with what the first made and changes nothing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use nexus::codes::ErrorCode;
use nexus::identity::rules::auth::Role;
use nexus::ids::{LineId, TaskCategoryId, TaskId, UserId};
use nexus::mes::rules::tasks::{AssigneeType, TaskAction, TaskInput, TaskState, View};
use nexus::mes::rules::views::{Attachment, Blocker, Category, Comment, LineName, TaskDetail, TaskSummary};
use nexus::mes::service::tasks::{self, CategoryInput, ListQuery, Worker};
use nexus::workflow::machine::{Event, Person, Rule, TransitionProblem};
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiJson, ApiJsonOrEmpty, ApiQuery, ApiResult, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mes/tasks", get(list).post(create))
        .route("/mes/tasks/{id}", get(one))
        .route("/mes/tasks/{id}/accept", post(accept))
        .route("/mes/tasks/{id}/start", post(start))
        .route("/mes/tasks/{id}/send-to-review", post(send_to_review))
        .route("/mes/tasks/{id}/review", post(review))
        .route("/mes/tasks/{id}/cancel", post(cancel))
        .route("/mes/tasks/{id}/comments", post(comment))
        .route("/mes/tasks/{id}/read", post(read))
        .route(
            "/mes/tasks/{id}/attachments",
            post(attach).layer(axum::extract::DefaultBodyLimit::max(
                nexus::files::rules::MAX_BYTES + super::inventory::ENVELOPE_BYTES,
            )),
        )
        .route("/mes/tasks/{id}/attachments/{n}", get(attachment))
        .route("/mes/task-categories", get(categories).post(add_category))
        .route("/mes/task-categories/{id}", put(change_category))
        .route("/mes/users", get(users))
        .route("/mes/users/operators", get(operators))
        .route("/mes/users/by-role/{role}", get(users_by_role))
        .route("/mes/blockers", get(blockers))
}

/// An id named in a query string: a positive number (0 or less names nothing: 422 on its field).
fn positive<T: Copy>(field: &str, id: Option<T>, n: impl Fn(T) -> i64) -> ApiResult<Option<T>> {
    match id {
        Some(v) if n(v) < 1 => Err(AppError::field(field, ErrorCode::InvalidInput)),
        other => Ok(other),
    }
}

fn path_id<T: std::str::FromStr>(raw: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| AppError::field("id", ErrorCode::InvalidInput))
}

/// Several values of a list parameter, comma-separated (`state=open,accepted`).
fn list_of<T>(field: &str, raw: Option<&str>, parse: impl Fn(&str) -> Option<T>) -> ApiResult<Vec<T>> {
    raw.filter(|s| !s.is_empty())
        .map(|s| {
            s.split(',')
                .map(|v| parse(v.trim()).ok_or_else(|| AppError::field(field, ErrorCode::InvalidInput)))
                .collect()
        })
        .unwrap_or(Ok(Vec::new()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TasksParams {
    /// `mine` (given to me, the default), `role` (given to my role) or `all`. A key lists all.
    view: Option<View>,
    /// States, comma-separated: open, accepted, in_progress, review, done, cancelled.
    #[param(
        pattern = "^((open|accepted|in_progress|review|done|cancelled)(,(open|accepted|in_progress|review|done|cancelled))*)?$"
    )]
    state: Option<String>,
    /// Unfinished only, when no state is named.
    open: Option<bool>,
    #[param(value_type = Option<i32>, minimum = 1)]
    category: Option<TaskCategoryId>,
    blocker: Option<bool>,
    /// Due before today and not finished.
    overdue: Option<bool>,
    #[param(value_type = Option<i32>, minimum = 1)]
    line: Option<LineId>,
    /// The `next` of the previous page.
    #[param(pattern = "^([0-9]{1,18})?$")]
    after: Option<String>,
    /// Tasks per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// A page of tasks.
#[derive(Serialize, ToSchema)]
pub struct TasksPage {
    items: Vec<TaskSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
}

/// Tasks newest first: mine, my role's or all, filtered by state, category, blocker, overdue and line.
#[utoipa::path(get, path = "/api/v1/mes/tasks", tag = "mes", params(TasksParams),
    responses((status = 200, body = TasksPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn list(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<TasksParams>,
) -> ApiResult<Json<TasksPage>> {
    let after = nexus::paging::after::<i64>(p.after.as_deref(), ()).map_err(|e| AppError::field(&e.field, e.code))?;
    let q = ListQuery {
        view: p.view.unwrap_or_default(),
        states: list_of("state", p.state.as_deref(), TaskState::parse)?,
        open: p.open.unwrap_or(false),
        category: positive("category", p.category, |c| i64::from(c.0))?,
        blocker: p.blocker,
        overdue: p.overdue.unwrap_or(false),
        line: positive("line", p.line, |l| i64::from(l.0))?,
        after,
        limit: p.limit,
    };
    let page = tasks::list(&st.pool, caller, &q).await?;
    Ok(Json(TasksPage { items: page.items, next: page.next }))
}

/// A new task and the key it is sent under.
#[derive(Deserialize, ToSchema)]
pub struct TaskIn {
    #[serde(flatten)]
    task: TaskInput,
    /// Sent again under the same key, the task the first request made is answered.
    #[serde(default)]
    #[schema(max_length = 100)]
    idempotency_key: Option<String>,
}

/// Creates a task for a person or a role (201); its assignee, or every holder of its role, is told.
#[utoipa::path(post, path = "/api/v1/mes/tasks", tag = "mes", request_body = TaskIn,
    responses((status = 201, body = TaskDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`idempotency_key_reused`: the key made another task"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:write"])))]
async fn create(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<TaskIn>,
) -> ApiResult<(StatusCode, Json<TaskDetail>)> {
    let t = tasks::create(&st.pool, caller, &b.task, b.idempotency_key.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// A task with its timeline (every transition: who, when, from, to, why), its comments, and what the caller may do.
#[utoipa::path(get, path = "/api/v1/mes/tasks/{id}", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = TaskDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn one(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<TaskDetail>> {
    Ok(Json(tasks::get(&st.pool, caller, path_id(&id)?).await?))
}

/// A transition's optional body (none at all is an empty one).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// Why (at most 2,000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    comment: Option<String>,
    /// The task's version the caller saw: changed since, the transition is refused as overtaken (409).
    #[serde(default)]
    #[schema(minimum = 1)]
    version: Option<i32>,
    #[serde(default)]
    #[schema(max_length = 100)]
    idempotency_key: Option<String>,
}

async fn act(
    st: &AppState,
    caller: &nexus::caller::Caller,
    id: &str,
    action: TaskAction,
    b: &TransitionIn,
) -> ApiResult<Json<TaskDetail>> {
    let t = tasks::transition(
        &st.pool,
        caller,
        path_id(id)?,
        action,
        b.comment.as_deref(),
        b.version,
        b.idempotency_key.as_deref(),
    )
    .await?;
    Ok(Json(t))
}

macro_rules! transition {
    ($name:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "mes", params(("id" = i64, Path, minimum = 1)),
            request_body(content = Option<TransitionIn>, description = "Optional: no body at all is an empty one"),
            responses((status = 200, body = TaskDetail), (status = 401, body = ErrorBody),
                      (status = 403, body = ErrorBody, description = "Not the caller's to take: `problem.rule` says why"),
                      (status = 404, body = ErrorBody),
                      (status = 409, body = ErrorBody, description = "`problem`: `not_from` or `overtaken`, with the \
                                                                      task's state and who made it so"),
                      (status = 422, body = ErrorBody)),
            security(("bearer" = ["mes:write"])))]
        async fn $name(
            State(st): State<AppState>,
            ApiCaller(ref caller): ApiCaller,
            Path(id): Path<String>,
            ApiJsonOrEmpty(b): ApiJsonOrEmpty<TransitionIn>,
        ) -> ApiResult<Json<TaskDetail>> {
            act(&st, caller, &id, $action, &b).await
        }
    };
}

transition!(
    accept,
    "/api/v1/mes/tasks/{id}/accept",
    TaskAction::Accept,
    "Accepts the task: its assignee, or a holder of its role while nobody holds it (who becomes its assignee)."
);
transition!(start, "/api/v1/mes/tasks/{id}/start", TaskAction::Start, "Starts the accepted task (its assignee).");
transition!(
    send_to_review,
    "/api/v1/mes/tasks/{id}/send-to-review",
    TaskAction::SendToReview,
    "Sends the task in progress to review (its assignee)."
);
transition!(
    cancel,
    "/api/v1/mes/tasks/{id}/cancel",
    TaskAction::Cancel,
    "Cancels an unfinished task (its creator or a manager)."
);

/// A review's decision.
#[derive(Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
}

/// A review: approved, or rejected with the reason.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    decision: Decision,
    /// Required to reject (at most 2,000 characters).
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

/// Reviews the task in review: approved, it is done; rejected (with a reason), it goes back to in progress. The
/// reviewer is its creator or a manager, and never its assignee (four eyes).
#[utoipa::path(post, path = "/api/v1/mes/tasks/{id}/review", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    request_body = ReviewIn,
    responses((status = 200, body = TaskDetail), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "`four_eyes` or `reviewer_only`"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:write"])))]
async fn review(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReviewIn>,
) -> ApiResult<Json<TaskDetail>> {
    let action = match b.decision {
        Decision::Approve => TaskAction::Approve,
        Decision::Reject => TaskAction::Reject,
    };
    let t = TransitionIn { comment: b.comment, version: b.version, idempotency_key: b.idempotency_key };
    act(&st, caller, &id, action, &t).await
}

/// A comment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentIn {
    /// The text (1–2,000 characters); each `@handle` tells that person.
    #[schema(min_length = 1, max_length = 2000)]
    body: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    idempotency_key: Option<String>,
}

/// A file attached to a task (multipart/form-data).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AttachmentForm {
    /// A photo (PNG, JPEG, WebP, GIF), a PDF, plain text, a Word or an Excel file, at most 10 MiB, told by its
    /// bytes; its name's extension must be its content's.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
}

/// Attaches a file to the task (201; `mes:write`, a person who works the floor and can see the task). Kept once per
/// organisation by its content. Over 10 MiB is 413; a type not kept, or a name whose extension is not its content's
/// (a renamed program), is 422 `file_type`.
#[utoipa::path(post, path = "/api/v1/mes/tasks/{id}/attachments", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    request_body(content = AttachmentForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:write"])))]
async fn attach(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let id: TaskId = path_id(&id)?;
    let form = form.map_err(|_| AppError::field("body", ErrorCode::InvalidInput))?;
    let parts = super::inventory::read_parts(form, nexus::files::rules::MAX_BYTES as u64).await?;
    let (name, bytes) = parts.file.ok_or_else(|| AppError::field("file", ErrorCode::Required))?;
    let a = nexus::mes::service::attachments::attach(&st.pool, caller, id, &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// An attachment's file, as it was uploaded (an image or a PDF shown in the browser, anything else downloaded).
#[utoipa::path(get, path = "/api/v1/mes/tasks/{id}/attachments/{n}", tag = "mes",
    params(("id" = i64, Path, minimum = 1), ("n" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The file, in its own type",
               content((Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/webp"),
                       (Vec<u8> = "image/gif"), (Vec<u8> = "application/pdf"), (String = "text/plain"),
                       (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                       (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn attachment(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path((id, n)): Path<(String, String)>,
) -> ApiResult<axum::response::Response> {
    let id: TaskId = path_id(&id)?;
    let n: i64 = n.parse().ok().filter(|n| *n > 0).ok_or_else(|| AppError::field("n", ErrorCode::InvalidInput))?;
    let (a, bytes) = nexus::mes::service::attachments::download(&st.pool, caller, id, n).await?;
    Ok(super::kept_file(&a.name, a.media_type, bytes))
}

/// Comments on the task (201); the people it @mentions are told.
#[utoipa::path(post, path = "/api/v1/mes/tasks/{id}/comments", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    request_body = CommentIn,
    responses((status = 201, body = Comment), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:write"])))]
async fn comment(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CommentIn>,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    let c = tasks::comment(&st.pool, caller, path_id(&id)?, &b.body, b.idempotency_key.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Marks the task read by the caller as it is now (204).
#[utoipa::path(post, path = "/api/v1/mes/tasks/{id}/read", tag = "mes", params(("id" = i64, Path, minimum = 1)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn read(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    tasks::mark_read(&st.pool, caller, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The task categories.
#[utoipa::path(get, path = "/api/v1/mes/task-categories", tag = "mes",
    responses((status = 200, body = Vec<Category>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn categories(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Category>>> {
    Ok(Json(tasks::categories(&st.pool, caller).await?))
}

/// A category as written.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryIn {
    /// Lower-case letters, digits, `-` and `_` (1–40).
    #[schema(pattern = "^[a-z0-9_-]{1,40}$")]
    code: String,
    #[schema(min_length = 1, max_length = 80)]
    name: String,
    #[serde(default)]
    archived: bool,
}

impl CategoryIn {
    fn input(self) -> CategoryInput {
        CategoryInput { code: self.code, name: self.name, archived: self.archived }
    }
}

/// Adds a task category (a manager, in person); a code taken is 409 `name_taken` on `code`.
#[utoipa::path(post, path = "/api/v1/mes/task-categories", tag = "mes", request_body = CategoryIn,
    responses((status = 201, body = Category), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_category(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<CategoryIn>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    Ok((StatusCode::CREATED, Json(tasks::save_category(&st.pool, caller, None, &b.input()).await?)))
}

/// Changes a task category: its code, name, archived or not.
#[utoipa::path(put, path = "/api/v1/mes/task-categories/{id}", tag = "mes", params(("id" = i32, Path, minimum = 1)),
    request_body = CategoryIn,
    responses((status = 200, body = Category), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn change_category(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CategoryIn>,
) -> ApiResult<Json<Category>> {
    Ok(Json(tasks::save_category(&st.pool, caller, Some(path_id(&id)?), &b.input()).await?))
}

/// The active people tasks are given to (supply, operators, managers, owners), by name.
#[utoipa::path(get, path = "/api/v1/mes/users", tag = "mes",
    responses((status = 200, body = Vec<Worker>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn users(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Worker>>> {
    Ok(Json(tasks::workers(&st.pool, caller, None).await?))
}

/// The active operators.
#[utoipa::path(get, path = "/api/v1/mes/users/operators", tag = "mes",
    responses((status = 200, body = Vec<Worker>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn operators(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Worker>>> {
    Ok(Json(tasks::workers(&st.pool, caller, Some(Role::Operator)).await?))
}

/// The active holders of a role.
#[utoipa::path(get, path = "/api/v1/mes/users/by-role/{role}", tag = "mes",
    params(("role" = Role, Path)),
    responses((status = 200, body = Vec<Worker>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn users_by_role(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(role): Path<String>,
) -> ApiResult<Json<Vec<Worker>>> {
    let role = Role::parse(&role).ok_or_else(|| AppError::field("role", ErrorCode::InvalidInput))?;
    Ok(Json(tasks::workers(&st.pool, caller, Some(role)).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BlockersParams {
    /// The line (all lines when absent).
    #[param(value_type = Option<i32>, minimum = 1)]
    line: Option<LineId>,
}

/// The open blockers of a line (or of every line), oldest first: what its dashboard shows at the top.
#[utoipa::path(get, path = "/api/v1/mes/blockers", tag = "mes", params(BlockersParams),
    responses((status = 200, body = Vec<Blocker>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["mes:read"])))]
async fn blockers(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<BlockersParams>,
) -> ApiResult<Json<Vec<Blocker>>> {
    caller.require(nexus::identity::rules::auth::ApiScope::MesRead)?;
    let line = positive("line", p.line, |l| i64::from(l.0))?;
    Ok(Json(tasks::blockers(&st.pool, caller, line.as_slice()).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, one, accept, start, send_to_review, review, cancel, comment, attach, attachment, read, categories, add_category,
          change_category, users, operators, users_by_role, blockers),
    components(schemas(TasksPage, TaskSummary, TaskDetail, TaskIn, TaskInput, AssigneeType, TaskState, TaskAction,
                       TransitionIn, ReviewIn, Decision, CommentIn, Comment, Category, CategoryIn, LineName, Worker,
                       Blocker, Attachment, AttachmentForm, Event, Person, TransitionProblem, Rule, View, Role, TaskId, TaskCategoryId, UserId,
                       LineId)),
    tags((name = "mes", description = "The floor's work: tasks through open → accepted → in progress → review → done, \
                                       with four-eyes review and a timeline of every transition"))
)]
pub struct MesApi;
