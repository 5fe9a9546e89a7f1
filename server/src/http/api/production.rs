//! REST for production: machines (a line's PLC, a camera, the simulator) send the units they count in batches,
//! `POST /production/detections`, as JSON (`{"batch_id", "detections": [...]}`) or CSV (a header, then a unit per
//! record; the batch id in the query). Stored whole with the per-minute rollups, or refused whole naming the first bad
//! row; a batch id sent again is acknowledged and nothing is stored twice. Open to API keys with `production:ingest`
//! and to people whose role records production.

use axum::body::Bytes;
use axum::extract::Extension;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use nexus::caller::RequestMeta;
use nexus::codes::ErrorCode;
use nexus::identity::rules::auth::ApiScope;
use nexus::production::rules::ingest::{BatchProblem, DetectionIn, RowReason};
use nexus::production::rules::oee::{Oee, Totals};
use nexus::production::rules::settings::PlantInput;
use nexus::production::service::dashboard::Reason;
use nexus::production::service::ingest::{self, Ingested};
use nexus::production::service::oee::{Figures, LineFigures};
use nexus::production::service::settings;
use nexus::production::service::stops::{self, LineName, NewStop, StopItem, StopReason, StopsQuery, When};
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiJson, ApiQuery, ApiResult, ApiUser, ErrorBody};

/// A full batch as JSON is about 1.2 MB; room for generous codes.
const BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/production/detections", post(detections).layer(DefaultBodyLimit::max(BODY_LIMIT)))
        .route("/production/oee", get(oee))
        .route("/production/plant", get(plant).put(set_plant))
        .route("/production/stops", get(stops).post(add_stop))
        .route("/production/stops/{id}", put(classify_stop))
        .route("/production/stops/{id}/split", post(split_stop))
}

/// A batch as JSON.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BatchIn {
    /// The client's id for this batch (a retry sends the same id): 1 to 100 characters, e.g. `plc-7:0001`.
    #[schema(min_length = 1, max_length = 100)]
    batch_id: String,
    /// The units, in any order: 1 to 10,000.
    #[schema(min_items = 1, max_items = 10000)]
    detections: Vec<DetectionIn>,
}

#[derive(Deserialize)]
struct BatchBody {
    batch_id: serde_json::Value,
    detections: Vec<serde_json::Value>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DetectionsParams {
    /// The batch's id, for a CSV body (a JSON body carries its own).
    #[param(min_length = 1, max_length = 100)]
    batch_id: Option<String>,
}

/// Stores a batch of units: 201 with how many were stored, or 200 when the same batch was stored before under this id
/// (nothing is stored again; a batch id sent again with other units is refused, 409). A batch with a bad row is refused whole (422 naming the row, the field and why).
#[utoipa::path(post, path = "/api/v1/production/detections", tag = "production", params(DetectionsParams),
    request_body(content((BatchIn = "application/json"), (String = "text/csv")),
        description = "JSON `{batch_id, detections}`; or CSV with a header `line,area,product,at,good` (any order) \
                       and `batch_id` in the query"),
    responses((status = 201, body = Ingested, description = "stored"),
              (status = 200, body = Ingested, description = "this batch id was stored before: nothing stored again"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "this batch id was stored before with other units \
                                                            (`batch_id_reused`): nothing stored; send them under a new id"),
              (status = 422, body = ErrorBody, description = "refused whole: `problem` names the first bad row; or a \
                                                            body over 4 MB (`too_long`)")),
    security(("bearer" = ["production:ingest"])))]
async fn detections(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<DetectionsParams>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<Ingested>)> {
    caller.require(ApiScope::ProductionIngest)?;
    let body = body.map_err(|_| AppError::field("body", ErrorCode::TooLong))?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let refused = |problem: BatchProblem| AppError::rejected(problem);
    let (batch_id, units) = match essence.as_str() {
        "text/csv" => {
            let units = ingest::units_from_csv(&body).map_err(refused)?;
            (p.batch_id.unwrap_or_default(), units)
        }
        "application/json" => {
            let b: BatchBody =
                serde_json::from_slice(&body).map_err(|_| AppError::field("body", ErrorCode::InvalidInput))?;
            let batch_id = match b.batch_id {
                serde_json::Value::String(s) => s,
                _ => return Err(refused(BatchProblem::BadBatchId)),
            };
            (batch_id, ingest::units_from_json(b.detections).map_err(refused)?)
        }
        _ => return Err(AppError::field("content_type", ErrorCode::InvalidInput)),
    };
    let done = ingest::ingest(&st.pool, caller, &batch_id, &units).await?;
    let status = if done.repeated { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(done)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OeeParams {
    /// Start of the span (RFC 3339).
    from: chrono::DateTime<chrono::Utc>,
    /// End of the span (RFC 3339), after `from` and at most 400 days later.
    to: chrono::DateTime<chrono::Utc>,
}

/// OEE, availability, performance and quality per line and for the plant over a span, with the totals behind each
/// figure (planned and downtime milliseconds, ideal milliseconds, units, good units). The plant's figures are its
/// lines' totals added, never an average of percentages. Each call is logged in the plant's query log.
#[utoipa::path(get, path = "/api/v1/production/oee", tag = "production", params(OeeParams),
    responses((status = 200, body = Figures), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "a span that ends before it starts, or longer than 400 days")),
    security(("bearer" = ["production:read"])))]
async fn oee(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<OeeParams>,
) -> ApiResult<Json<Figures>> {
    Ok(Json(nexus::production::service::oee::figures(&st.pool, caller, p.from, p.to).await?))
}

/// The plant as a whole.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Plant {
    /// The IANA time zone its shifts, planned stops and days are read in; units are instants and do not depend on it.
    #[schema(min_length = 1, max_length = 64, example = "America/Mexico_City")]
    time_zone: String,
}

/// The plant's time zone.
#[utoipa::path(get, path = "/api/v1/production/plant", tag = "production",
    responses((status = 200, body = Plant), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["production:read"])))]
async fn plant(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Plant>> {
    Ok(Json(Plant { time_zone: settings::time_zone(&st.pool, caller).await? }))
}

/// Sets the plant's time zone (owners and managers): shifts, planned stops and the days of the figures are read in
/// it from then on. An unknown name is 422 `time_zone_unknown`.
#[utoipa::path(put, path = "/api/v1/production/plant", tag = "production", request_body = Plant,
    responses((status = 200, body = Plant), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "`time_zone_unknown`: not an IANA zone name")),
    security(("bearer" = [])))]
async fn set_plant(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<Plant>,
) -> ApiResult<Json<Plant>> {
    let zone = settings::save_plant(&st.pool, user, &meta, &PlantInput { time_zone: b.time_zone }).await?;
    Ok(Json(Plant { time_zone: zone }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StopsParams {
    /// Stops going on at or after this instant (RFC 3339).
    from: Option<chrono::DateTime<chrono::Utc>>,
    /// Stops that started before this instant (RFC 3339), after `from`.
    to: Option<chrono::DateTime<chrono::Utc>>,
    /// A line's code.
    #[param(max_length = 40, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    line: Option<String>,
    /// A reason's code.
    #[param(max_length = 40, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    reason: Option<String>,
    /// Only stops with a reason (`true`) or without one (`false`).
    classified: Option<bool>,
    /// The `next` cursor of the previous page.
    #[param(pattern = "^([0-9]{1,16}_[0-9]{1,18})?$")]
    after: Option<String>,
    /// Stops per page (1–500, default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// A page of stops.
#[derive(Serialize, ToSchema)]
pub struct StopsPage {
    items: Vec<StopItem>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
}

/// The plant's stops, newest first: each with its length, its milliseconds in planned time (what the downtime figure
/// counts of it: a stop over a break or past the end of a shift costs only its planned part), its reason and who gave
/// it. A stop is a gap between a line's output units with more planned time than the line's downtime threshold.
#[utoipa::path(get, path = "/api/v1/production/stops", tag = "production", params(StopsParams),
    responses((status = 200, body = StopsPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "an unknown line or reason code, a span that ends before \
                                                            it starts, a bad cursor or page size")),
    security(("bearer" = ["production:read"])))]
async fn stops(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<StopsParams>,
) -> ApiResult<Json<StopsPage>> {
    let q = StopsQuery {
        from: p.from,
        to: p.to,
        line: p.line,
        reason: p.reason,
        classified: p.classified,
        after: p.after,
        limit: p.limit,
    };
    let page = stops::list(&st.pool, caller, &q).await?;
    Ok(Json(StopsPage { items: page.items, next: page.next }))
}

/// A field that is there, `null` or not (absent: `None`; `null`: `Some(None)`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A stop's classification.
#[derive(Deserialize, ToSchema)]
pub struct Classification {
    /// The code of one of the plant's reasons in use; `null` makes the stop unclassified again. Required: a body with
    /// only a note never takes a stop's reason away.
    #[schema(value_type = Option<String>, required = true, max_length = 40)]
    #[serde(default, deserialize_with = "present")]
    reason: Option<Option<String>>,
    /// At most 500 characters, one line.
    #[schema(max_length = 500, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    note: Option<String>,
}

/// Gives a stop its reason and a note: people who record production (operators on their own lines) and keys with
/// `production:record` (a line's terminal). Audited.
#[utoipa::path(put, path = "/api/v1/production/stops/{id}", tag = "production", params(("id" = i64, Path)),
    request_body = Classification,
    responses((status = 204, description = "classified"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "the key lacks production:record; an operator's stop of \
                                                            another line"),
              (status = 404, body = ErrorBody, description = "no stop of the plant has this id"),
              (status = 422, body = ErrorBody, description = "a reason code the plant does not use, a bad note or id")),
    security(("bearer" = ["production:record"])))]
async fn classify_stop(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<Classification>,
) -> ApiResult<StatusCode> {
    let id: i64 = id.parse().map_err(|_| AppError::field("id", ErrorCode::InvalidInput))?;
    let reason = b.reason.ok_or_else(|| AppError::field("reason", ErrorCode::Required))?;
    stops::classify(&st.pool, caller, &meta, id, reason.as_deref(), b.note.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A stop the sensors missed.
#[derive(Deserialize, ToSchema)]
pub struct NewStopIn {
    /// The line's code.
    #[schema(min_length = 1, max_length = 40, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    line: String,
    /// When it started (RFC 3339).
    start: chrono::DateTime<chrono::Utc>,
    /// When it ended (RFC 3339): after its start, not in the future, at most 7 days later.
    end: chrono::DateTime<chrono::Utc>,
    /// The code of one of the plant's reasons in use (absent: unclassified).
    #[schema(max_length = 40, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    reason: Option<String>,
    /// At most 500 characters, one line.
    #[schema(max_length = 500, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    note: Option<String>,
}

/// A stop entered by hand.
#[derive(Serialize, ToSchema)]
pub struct StopCreated {
    id: i64,
}

/// Adds a stop the sensors missed (the counter went on, or the gap was under the line's threshold), as people who
/// record production (operators on their own lines) and keys with `production:record`. The downtime job never changes
/// it. Audited.
#[utoipa::path(post, path = "/api/v1/production/stops", tag = "production", request_body = NewStopIn,
    responses((status = 201, body = StopCreated, description = "added"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "the key lacks production:record; an operator's other line"),
              (status = 409, body = ErrorBody, description = "the line has a stop over part of that time \
                                                            (`stop_overlaps`, naming it): split or classify it instead; or the \
                                                            stop reaches past the line's last unit the downtime job has \
                                                            looked at (`stop_unjudged`)"),
              (status = 422, body = ErrorBody, description = "an unknown line or reason, an end not after the start, in \
                                                            the future or over 7 days after it, a bad note")),
    security(("bearer" = ["production:record"])))]
async fn add_stop(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<NewStopIn>,
) -> ApiResult<(StatusCode, Json<StopCreated>)> {
    let input = NewStop {
        line: LineName::Code(&b.line),
        start: When::Instant(b.start),
        end: When::Instant(b.end),
        reason: Reason::Code(b.reason.as_deref()),
        note: b.note.as_deref(),
    };
    let id = stops::add(&st.pool, caller, &meta, input).await?;
    Ok((StatusCode::CREATED, Json(StopCreated { id })))
}

/// Where to split a stop.
#[derive(Deserialize, ToSchema)]
pub struct SplitIn {
    /// An instant strictly inside the stop (RFC 3339).
    at: chrono::DateTime<chrono::Utc>,
}

/// Splits an ended stop in two at `at` (one stop, two causes): it ends there, keeping its reason and note, and the
/// rest is a new stop, unclassified, whose id is answered. Both are then entered by hand. Audited.
#[utoipa::path(post, path = "/api/v1/production/stops/{id}/split", tag = "production", params(("id" = i64, Path)),
    request_body = SplitIn,
    responses((status = 201, body = StopCreated, description = "split: the new stop"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "the key lacks production:record; an operator's other line"),
              (status = 404, body = ErrorBody, description = "no stop of the plant has this id"),
              (status = 409, body = ErrorBody, description = "the stop is still going on (`stop_ongoing`)"),
              (status = 422, body = ErrorBody, description = "`at` not strictly inside the stop, a bad id")),
    security(("bearer" = ["production:record"])))]
async fn split_stop(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SplitIn>,
) -> ApiResult<(StatusCode, Json<StopCreated>)> {
    let id: i64 = id.parse().map_err(|_| AppError::field("id", ErrorCode::InvalidInput))?;
    let new = stops::split(&st.pool, caller, &meta, id, When::Instant(b.at)).await?;
    Ok((StatusCode::CREATED, Json(StopCreated { id: new })))
}

#[derive(OpenApi)]
#[openapi(
    paths(detections, oee, plant, set_plant, stops, classify_stop, add_stop, split_stop),
    components(schemas(BatchIn, DetectionIn, Ingested, BatchProblem, RowReason, Figures, LineFigures, Totals, Oee, Plant,
                       StopsPage, StopItem, StopReason, Classification, NewStopIn, StopCreated, SplitIn)),
    tags((name = "production", description = "Units counted on production lines, sent in batches by machines"))
)]
pub struct ProductionApi;
