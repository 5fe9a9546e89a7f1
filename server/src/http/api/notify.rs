//! REST for a person's notification inbox: its notices newest first, the unread count, marking read (some or all),
//! their choice per kind of notice (in the app, also by e-mail, or off), and their mail settings (language, time zone,
//! daily digest); and the organisation's outgoing webhooks with their delivery logs (whoever keeps its API keys).
//! People only: an API key has no inbox and keeps no webhooks.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use nexus::caller::RequestMeta;
use nexus::codes::ErrorCode;
use nexus::notify::rules::{
    Body, Channel, Delivery, DeliveryState, Kind, Language, MailSettings, Notice, Preference, Webhook, WebhookInput,
    WebhookMade,
};
use nexus::notify::{service, webhooks};
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiJson, ApiQuery, ApiResult, ApiUser, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(inbox))
        .route("/notifications/unread", get(unread))
        .route("/notifications/read", post(mark_read))
        .route("/notifications/preferences", get(preferences).put(set_preference))
        .route("/notifications/mail", get(mail_settings).put(set_mail_settings))
        .route("/webhooks", get(list_webhooks).post(create_webhook))
        .route("/webhooks/{id}", delete(delete_webhook))
        .route("/webhooks/{id}/secret", post(replace_secret))
        .route("/webhooks/{id}/ping", post(ping_webhook))
        .route("/webhooks/{id}/deliveries", get(webhook_deliveries))
        .route("/webhooks/deliveries/{id}/retry", post(retry_delivery))
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

/// A path's id: digits; anything else is 422 on `id`.
fn path_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| AppError::field("id", ErrorCode::InvalidInput))
}

/// The organisation's webhooks, oldest first (never their secrets).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<Webhook>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_webhooks(State(st): State<AppState>, ApiUser(ref user): ApiUser) -> ApiResult<Json<Vec<Webhook>>> {
    Ok(Json(webhooks::list(&st.pool, user).await?))
}

/// Makes a webhook, told of the kinds of notice chosen (none: every kind). Its secret comes back this once. An
/// address on an internal network is 422 `url_not_allowed` (unless the server allows it).
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookInput,
    responses((status = 201, body = WebhookMade), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_webhook(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<WebhookInput>,
) -> ApiResult<(StatusCode, Json<WebhookMade>)> {
    Ok((StatusCode::CREATED, Json(webhooks::create(&st.pool, &st.courier, user, &b, &meta).await?)))
}

/// Deletes a webhook and its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn delete_webhook(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    webhooks::delete(&st.pool, user, path_id(&id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces a webhook's secret: the old one stops signing at once; the new one comes back this once.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/secret", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = WebhookMade), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn replace_secret(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookMade>> {
    Ok(Json(webhooks::replace_secret(&st.pool, user, path_id(&id)?, &meta).await?))
}

/// Sends a test delivery (`ping`) to a webhook, within seconds: its delivery.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/ping", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 202, body = Delivery), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn ping_webhook(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Delivery>)> {
    Ok((StatusCode::ACCEPTED, Json(webhooks::ping(&st.pool, user, path_id(&id)?).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeliveryParams {
    /// The `next` of the previous page.
    #[param(pattern = "^([0-9]{1,18})?$")]
    after: Option<String>,
    /// Deliveries per page (1–100, default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

/// A page of a webhook's delivery log.
#[derive(Serialize, ToSchema)]
pub struct DeliveryPage {
    items: Vec<Delivery>,
    next: Option<String>,
}

/// A webhook's deliveries, newest first: each with its attempts, the receiver's last status and why it failed.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path), DeliveryParams),
    responses((status = 200, body = DeliveryPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn webhook_deliveries(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DeliveryParams>,
) -> ApiResult<Json<DeliveryPage>> {
    let page = webhooks::deliveries(&st.pool, user, path_id(&id)?, p.after.as_deref(), p.limit).await?;
    Ok(Json(DeliveryPage { items: page.items, next: page.next }))
}

/// Sends a delivery again now, with fresh attempts (one that failed, or one still waiting); a delivered one is 409.
#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/retry", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = Delivery), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn retry_delivery(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Delivery>> {
    Ok(Json(webhooks::retry(&st.pool, user, path_id(&id)?).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(inbox, unread, mark_read, preferences, set_preference, mail_settings, set_mail_settings, list_webhooks,
          create_webhook, delete_webhook, replace_secret, ping_webhook, webhook_deliveries, retry_delivery),
    components(schemas(InboxPage, Notice, Body, Unread, MarkRead, Marked, Preference, Kind, Channel, MailSettings,
                       Language, Webhook, WebhookInput, WebhookMade, Delivery, DeliveryState, DeliveryPage)),
    tags((name = "notifications", description = "A person's inbox of notices and their choices per kind"),
         (name = "webhooks", description = "The organisation's outgoing webhooks: signed POSTs of its notices, retried, logged"))
)]
pub struct NotifyApi;
