//! REST for a person's notification inbox: its notices newest first, the unread count, marking read (some or all),
//! their choice per kind of notice (in the app, also by e-mail, or off), and their mail settings (language, time zone,
//! daily digest). People only: an API key has no inbox.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use nexus::notify::rules::{Body, Channel, Kind, Language, MailSettings, Notice, Preference};
use nexus::notify::service;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiJson, ApiQuery, ApiResult, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(inbox))
        .route("/notifications/unread", get(unread))
        .route("/notifications/read", post(mark_read))
        .route("/notifications/preferences", get(preferences).put(set_preference))
        .route("/notifications/mail", get(mail_settings).put(set_mail_settings))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct InboxParams {
    /// Unread notices only.
    unread: Option<bool>,
    /// The `next` of the previous page.
    #[param(pattern = "^([0-9]{1,18})?$")]
    after: Option<String>,
    /// Notices per page (1–100, default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

/// A page of the inbox.
#[derive(Serialize, ToSchema)]
pub struct InboxPage {
    items: Vec<Notice>,
    next: Option<String>,
}

/// The caller's notices, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(InboxParams),
    responses((status = 200, body = InboxPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn inbox(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> ApiResult<Json<InboxPage>> {
    let page = service::inbox(&st.pool, caller, p.unread.unwrap_or(false), p.after.as_deref(), p.limit).await?;
    Ok(Json(InboxPage { items: page.items, next: page.next }))
}

/// How many notices are unread.
#[derive(Serialize, ToSchema)]
pub struct Unread {
    unread: i64,
}

/// The caller's unread count (the navigation's badge).
#[utoipa::path(get, path = "/api/v1/notifications/unread", tag = "notifications",
    responses((status = 200, body = Unread), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn unread(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Unread>> {
    Ok(Json(Unread { unread: service::unread(&st.pool, caller).await? }))
}

/// Which notices to mark read.
#[derive(Deserialize, ToSchema)]
pub struct MarkRead {
    /// These (at most 1,000); absent or `null`: all of them.
    #[schema(max_items = 1000)]
    ids: Option<Vec<i64>>,
}

/// How many were marked.
#[derive(Serialize, ToSchema)]
pub struct Marked {
    marked: u64,
}

/// Marks some of the caller's notices read, or all of them.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", request_body = MarkRead,
    responses((status = 200, body = Marked), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn mark_read(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<MarkRead>,
) -> ApiResult<Json<Marked>> {
    Ok(Json(Marked { marked: service::mark_read(&st.pool, caller, b.ids.as_deref()).await? }))
}

/// The caller's choice for every kind of notice.
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "notifications",
    responses((status = 200, body = Vec<Preference>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn preferences(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Vec<Preference>>> {
    Ok(Json(service::preferences(&st.pool, caller).await?))
}

/// Sets the caller's choice for a kind of notice.
#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = "notifications", request_body = Preference,
    responses((status = 200, body = Vec<Preference>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_preference(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiJson(b): ApiJson<Preference>,
) -> ApiResult<Json<Vec<Preference>>> {
    service::set_preference(&st.pool, caller, b).await?;
    Ok(Json(service::preferences(&st.pool, caller).await?))
}

/// The caller's mail settings: the language and time zone their e-mail is written in, and the daily digest.
#[utoipa::path(get, path = "/api/v1/notifications/mail", tag = "notifications",
    responses((status = 200, body = MailSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn mail_settings(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<MailSettings>> {
    Ok(Json(service::mail_settings(&st.pool, caller).await?))
}

/// Sets the caller's mail settings (a time zone the zone database does not know: 422 on `time_zone`). The links in
/// their mail lead to the address this request came to (the server's public origin, when it has one).
#[utoipa::path(put, path = "/api/v1/notifications/mail", tag = "notifications", request_body = MailSettings,
    responses((status = 200, body = MailSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_mail_settings(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    headers: HeaderMap,
    ApiJson(b): ApiJson<MailSettings>,
) -> ApiResult<Json<MailSettings>> {
    let origin = nexus_app::state::origin_of(&st, &headers);
    Ok(Json(service::set_mail_settings(&st.pool, caller, &b, Some(&origin)).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(inbox, unread, mark_read, preferences, set_preference, mail_settings, set_mail_settings),
    components(schemas(InboxPage, Notice, Body, Unread, MarkRead, Marked, Preference, Kind, Channel, MailSettings,
                       Language)),
    tags((name = "notifications", description = "A person's inbox of notices and their choices per kind"))
)]
pub struct NotifyApi;
