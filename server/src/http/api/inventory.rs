//! REST for a bodega's inventory uploads: the same flow as the upload page, for ERPs and scripts. `POST
//! /inventory/uploads` takes the file (multipart) and, in one call, reads it, maps it (the saved mapping for its
//! headers, or the one given) and dry-runs it, or commits it at once with `dry_run=false`; then an upload can be read
//! again, committed, discarded, followed (progress), and its rejected rows downloaded as CSV. Open to API keys with
//! `inventory:write` and to people whose role manages inventory.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use nexus::caller::RequestMeta;
use nexus::codes::ErrorCode;
use nexus::ids::UploadId;
use nexus::inventory::rules::file::{FileProblem, Format, UploadLimits};
use nexus::inventory::rules::mapping::Field;
use nexus::inventory::rules::row::{Counts, Problem};
use nexus::inventory::rules::upload::{
    HeaderChange, Mapping, MappingSource, Parsed, Phase, PreviewRow, ProgressView, ReadChoice, Reject, Repeat,
    UploadStatus, UploadSummary, UploadView,
};
use nexus::inventory::service::uploads::{self, CommitOptions, NewUpload};
use nexus_app::error::AppError;
use nexus_app::i18n::Locale;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiJson, ApiQuery, ApiResult, ErrorBody};

/// Room for the multipart envelope and the small fields around the file.
pub(super) const ENVELOPE_BYTES: usize = 64 * 1024;

pub fn router(limits: UploadLimits) -> Router<AppState> {
    let body_limit = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX).saturating_add(ENVELOPE_BYTES);
    Router::new()
        .route("/inventory/uploads", post(receive).get(history).layer(DefaultBodyLimit::max(body_limit)))
        .route("/inventory/uploads/{id}", get(upload))
        .route("/inventory/uploads/{id}/discard", post(discard))
        .route("/inventory/uploads/{id}/read", post(reread))
        .route("/inventory/uploads/{id}/commit", post(commit))
        .route("/inventory/uploads/{id}/progress", get(progress))
        .route("/inventory/uploads/{id}/rejects.csv", get(rejects))
        .route("/inventory/items", get(items))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemParams {
    /// A part number, whole or in part, written any way (`04465`, `4465-022`, `p 83`): compared on its key.
    #[param(max_length = 40, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    q: Option<String>,
    /// Text anywhere in the location, ignoring case (empty: every location).
    #[param(max_length = 60, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    location: Option<String>,
    /// The order: `number` (default, also when empty), `location`, `price`, `stock` or `updated`.
    #[param(value_type = Option<String>, pattern = "^(number|location|price|stock|updated)?$")]
    sort: Option<String>,
    /// Descending.
    desc: Option<bool>,
    /// The `next` cursor of the previous page (of the same order).
    #[param(pattern = "^([0-9]{1,18}\\.[^\\u0000-\\u001f\\u007f-\\u009f]{0,60})?$")]
    after: Option<String>,
    /// Items per page: 1 to 200 (50 when absent).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// One item of the bodega's inventory, as its uploads left it.
#[derive(Serialize, ToSchema)]
pub struct ItemBody {
    id: i64,
    /// The number as the bodega writes it.
    number: String,
    /// The catalog item it matched: the OEM part's maker, or the aftermarket product's brand, and its name.
    brand: Option<String>,
    name: Option<String>,
    aftermarket: bool,
    /// Empty for the bodega's default location.
    location: String,
    /// Price per unit in cents of `currency`.
    price_cents: i64,
    #[schema(example = "MXN")]
    currency: String,
    stock: i32,
    min_order_qty: Option<i32>,
    /// When its figures last changed.
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// A page of the bodega's inventory.
#[derive(Serialize, ToSchema)]
pub struct ItemPage {
    items: Vec<ItemBody>,
    /// Pass as `after` (with the same `sort` and `desc`) for the next page; absent on the last page.
    next: Option<String>,
    /// Items the filters keep, over every page.
    total: i64,
}

/// The bodega's inventory as it stands (what its uploads left), filtered and paged: an ERP reads back what it sent.
/// Needs `inventory:read` (or a person whose role manages the inventory).
#[utoipa::path(get, path = "/api/v1/inventory/items", tag = "inventory", params(ItemParams),
    responses((status = 200, body = ItemPage), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["inventory:read"])))]
async fn items(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<ItemParams>,
) -> ApiResult<Json<ItemPage>> {
    use nexus::inventory::rules::stock::StockSort;
    use nexus::inventory::service::stock::{StockQuery, list};
    // Who may ask comes before what is asked.
    caller.require(nexus::identity::rules::auth::ApiScope::InventoryRead)?;
    let sort = match p.sort.as_deref() {
        None | Some("") => StockSort::default(),
        Some(s) => StockSort::parse(s).ok_or_else(|| AppError::field("sort", ErrorCode::InvalidInput))?,
    };
    let q = StockQuery {
        number: p.q,
        location: p.location,
        sort,
        desc: p.desc.unwrap_or(false),
        after: p.after,
        limit: p.limit,
    };
    let page = list(&st.pool, caller, &q).await?;
    Ok(Json(ItemPage {
        items: page
            .page
            .items
            .into_iter()
            .map(|i| ItemBody {
                id: i.id,
                number: i.number,
                brand: i.brand,
                name: i.name,
                aftermarket: i.aftermarket,
                location: i.location,
                price_cents: i.price.cents,
                currency: i.price.currency,
                stock: i.stock,
                min_order_qty: i.min_order_qty,
                updated_at: i.updated_at,
            })
            .collect(),
        next: page.page.next,
        total: page.total,
    }))
}

fn upload_id(raw: &str) -> ApiResult<UploadId> {
    raw.parse().map_err(|code| AppError::field("id", code))
}

/// The upload form (multipart/form-data).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file: CSV or other delimited text (UTF-8, with or without BOM, UTF-16 or Windows-1252; `,` `;` tab or
    /// `|`), XLSX, XLS or ODS, told by its bytes (not its name). Its name is the part's `filename`.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
    /// The columns of each field as JSON, e.g. `{"part_number":0,"price":2,"stock":3}` (0-based, in the header
    /// row). Without it: the saved mapping for these headers, else one adapted from similar headers, else the
    /// suggestion.
    #[schema(value_type = Option<String>)]
    mapping: Option<Mapping>,
    /// The sheet to read (a workbook's first sheet otherwise).
    #[schema(max_length = 100)]
    sheet: Option<String>,
    /// The header's line or row number (detected otherwise).
    #[schema(minimum = 1, maximum = 1000000)]
    header_row: Option<u64>,
    /// `true` (default): stop at the dry run. `false`: commit at once when the mapping is complete.
    dry_run: Option<bool>,
    /// Zero the stock of items at the file's locations that the file does not name.
    replace_location: Option<bool>,
    /// Commit even if the same file with the same mapping was committed before.
    allow_repeat: Option<bool>,
    /// Only record and read the file (header, preview, mapping); ask for the dry run with `POST …/{id}/read`, whose
    /// progress `GET …/{id}/progress` follows.
    defer: Option<bool>,
}

pub(super) fn flag(field: &str, text: &str) -> ApiResult<bool> {
    match text.trim() {
        "true" | "1" | "on" => Ok(true),
        "false" | "0" | "off" | "" => Ok(false),
        _ => Err(AppError::field(field, ErrorCode::InvalidInput)),
    }
}

/// A multipart form as sent: its file (`file`: name and bytes), and its other fields as text.
pub(super) struct FormParts {
    pub file: Option<(String, Vec<u8>)>,
    pub fields: Vec<(String, String)>,
}

/// Reads a multipart form: the file (bounded by the body limit: a larger one is 413) and the small fields (at most
/// 10,000 characters each). The bodega's upload and the stock room's item import read their forms here.
pub(super) async fn read_parts(mut form: Multipart, max_bytes: u64) -> ApiResult<FormParts> {
    let too_large = || AppError::rejected(FileProblem::TooLarge { limit_bytes: max_bytes });
    let mut parts = FormParts { file: None, fields: Vec::new() };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(AppError::field("body", ErrorCode::InvalidInput)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("archivo").to_owned();
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    AppError::field("file", ErrorCode::InvalidInput)
                }
            })?;
            parts.file = Some((file_name, bytes.to_vec()));
            continue;
        }
        let text = field.text().await.map_err(|_| AppError::field(&name, ErrorCode::InvalidInput))?;
        if text.chars().count() > 10_000 {
            return Err(AppError::field(&name, ErrorCode::TooLong));
        }
        parts.fields.push((name, text));
    }
    Ok(parts)
}

/// A header row's number as a form sends it (1 to 1,000,000).
pub(super) fn header_row(text: &str) -> ApiResult<u64> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|r| (1..=1_000_000).contains(r))
        .ok_or_else(|| AppError::field("header_row", ErrorCode::InvalidInput))
}

/// Reads the upload form: the file and the choices beside it.
async fn read_form(form: Multipart, limits: UploadLimits) -> ApiResult<(NewUpload, bool)> {
    let parts = read_parts(form, limits.max_bytes).await?;
    let mut new = NewUpload::default();
    let mut dry_run = true;
    for (name, text) in parts.fields {
        match name.as_str() {
            "mapping" if !text.trim().is_empty() => {
                new.choice.mapping =
                    Some(serde_json::from_str(&text).map_err(|_| AppError::field("mapping", ErrorCode::InvalidInput))?)
            }
            "sheet" if !text.is_empty() => new.choice.sheet = Some(text),
            "header_row" if !text.trim().is_empty() => new.choice.header_row = Some(header_row(&text)?),
            "dry_run" => dry_run = flag("dry_run", &text)?,
            "replace_location" => new.replace_location = flag("replace_location", &text)?,
            "allow_repeat" => new.allow_repeat = flag("allow_repeat", &text)?,
            "defer" => new.defer = flag("defer", &text)?,
            _ => {}
        }
    }
    let (file_name, bytes) = parts.file.ok_or_else(|| AppError::field("file", ErrorCode::Required))?;
    new.file_name = file_name;
    new.bytes = bytes;
    Ok((new, dry_run))
}

/// Receives a file: reads it (format by its bytes, sheet, header row, encoding, delimiter), maps it, and dry-runs
/// it when the mapping is complete, or, with `dry_run=false`, commits it in one transaction. A file refused as a
/// whole answers 413 (too large), 415 (not a table) or 422 with `problem` saying why; nothing of it is kept.
/// `dry_run=false` with the same file and mapping committed before answers 409 `upload_repeated` (send
/// `allow_repeat=true`); with another commit of the bodega running, 409 `upload_busy` (the upload is kept, dry-run).
#[utoipa::path(post, path = "/api/v1/inventory/uploads", tag = "inventory",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = UploadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["inventory:write"])))]
async fn receive(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<UploadView>)> {
    caller.require(nexus::identity::rules::auth::ApiScope::InventoryWrite)?;
    let form = form.map_err(|_| AppError::field("body", ErrorCode::InvalidInput))?;
    let (mut new, dry_run) = read_form(form, st.upload_limits).await?;
    new.commit = !dry_run;
    let view = uploads::receive(&st.pool, caller, &meta, st.upload_limits, new).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// The `next` cursor of the previous page.
    #[param(pattern = "^([0-9]{1,16}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    after: Option<String>,
}

/// A page of the upload history.
#[derive(Serialize, ToSchema)]
pub struct UploadHistory {
    items: Vec<UploadSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
}

/// The bodega's uploads, newest first, 50 a page.
#[utoipa::path(get, path = "/api/v1/inventory/uploads", tag = "inventory", params(HistoryParams),
    responses((status = 200, body = UploadHistory), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["inventory:write"])))]
async fn history(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<HistoryParams>,
) -> ApiResult<Json<UploadHistory>> {
    let page = uploads::history(&st.pool, caller, p.after.as_deref()).await?;
    Ok(Json(UploadHistory { items: page.items, next: page.next }))
}

/// An upload: how its file was read, the mapping, the dry run's (or the commit's) counts and its first rejected rows.
#[utoipa::path(get, path = "/api/v1/inventory/uploads/{id}", tag = "inventory",
    params(("id" = Uuid, Path, description = "the upload's id")),
    responses((status = 200, body = UploadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["inventory:write"])))]
async fn upload(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<UploadView>> {
    caller.require(nexus::identity::rules::auth::ApiScope::InventoryWrite)?;
    Ok(Json(uploads::get(&st.pool, caller, upload_id(&id)?).await?))
}

/// Reads an open upload's file again with another sheet, header row or mapping (each detected or found when
/// absent), and dry-runs it.
#[utoipa::path(post, path = "/api/v1/inventory/uploads/{id}/read", tag = "inventory",
    params(("id" = Uuid, Path, description = "the upload's id")), request_body = ReadChoice,
    responses((status = 200, body = UploadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["inventory:write"])))]
async fn reread(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(choice): ApiJson<ReadChoice>,
) -> ApiResult<Json<UploadView>> {
    caller.require(nexus::identity::rules::auth::ApiScope::InventoryWrite)?;
    let id = upload_id(&id)?;
    if choice.sheet.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::field("sheet", ErrorCode::TooLong));
    }
    Ok(Json(uploads::reread(&st.pool, caller, &meta, st.upload_limits, id, choice).await?))
}

/// How to commit.
#[derive(Deserialize, ToSchema, Default)]
pub struct CommitBody {
    /// Zero the stock of items at the file's locations that the file does not name.
    #[serde(default)]
    replace_location: bool,
    /// Commit even if the same file with the same mapping was committed before.
    #[serde(default)]
    allow_repeat: bool,
}

/// Commits a dry-run upload in one transaction: every valid row lands (values set per location, never added), or
/// none does. 409 `upload_repeated` when the same file and mapping were committed before (send `allow_repeat`),
/// `upload_busy` while another commit of the bodega runs, `upload_closed` when it is no longer open.
#[utoipa::path(post, path = "/api/v1/inventory/uploads/{id}/commit", tag = "inventory",
    params(("id" = Uuid, Path, description = "the upload's id")), request_body = CommitBody,
    responses((status = 200, body = UploadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["inventory:write"])))]
async fn commit(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CommitBody>,
) -> ApiResult<Json<UploadView>> {
    caller.require(nexus::identity::rules::auth::ApiScope::InventoryWrite)?;
    let id = upload_id(&id)?;
    let options = CommitOptions { replace_location: body.replace_location, allow_repeat: body.allow_repeat };
    Ok(Json(uploads::commit(&st.pool, caller, &meta, st.upload_limits, id, options).await?))
}

/// Discards an open upload: nothing of it is written, and it stays in the history as discarded (a state it moves to,
/// like a commit, not a resource that goes away: hence a POST, not a DELETE).
#[utoipa::path(post, path = "/api/v1/inventory/uploads/{id}/discard", tag = "inventory",
    params(("id" = Uuid, Path, description = "the upload's id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["inventory:write"])))]
async fn discard(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(nexus::identity::rules::auth::ApiScope::InventoryWrite)?;
    uploads::discard(&st.pool, caller, &meta, upload_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How far the processing of an upload has got (204 when nothing is running).
#[utoipa::path(get, path = "/api/v1/inventory/uploads/{id}/progress", tag = "inventory",
    params(("id" = Uuid, Path, description = "the upload's id")),
    responses((status = 200, body = ProgressView), (status = 204), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["inventory:write"])))]
async fn progress(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(nexus::identity::rules::auth::ApiScope::InventoryWrite)?;
    Ok(match uploads::progress(&st.pool, caller, upload_id(&id)?).await? {
        Some(p) => Json(p).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RejectsParams {
    /// The language of the reasons: `es` (default) or `en`.
    #[param(pattern = "^(es|en)$")]
    lang: Option<String>,
}

/// An upload's rejected rows as CSV: the row number, the file's own cells, and the reason; formula-safe.
#[utoipa::path(get, path = "/api/v1/inventory/uploads/{id}/rejects.csv", tag = "inventory",
    params(("id" = Uuid, Path, description = "the upload's id"), RejectsParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["inventory:write"])))]
async fn rejects(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<RejectsParams>,
) -> ApiResult<Response> {
    caller.require(nexus::identity::rules::auth::ApiScope::InventoryWrite)?;
    let id = upload_id(&id)?;
    let locale = match p.lang.as_deref() {
        None | Some("es") => Locale::es,
        Some("en") => Locale::en,
        Some(_) => return Err(AppError::field("lang", ErrorCode::InvalidInput)),
    };
    let csv = nexus_app::inventory::texts::rejects_csv(&st.pool, caller, id, locale).await?;
    Ok(super::csv_attachment(&format!("rechazadas-{}.csv", &id.0.simple().to_string()[..8]), csv))
}

#[derive(OpenApi)]
#[openapi(paths(receive, history, upload, reread, commit, discard, progress, rejects, items),
    components(schemas(ItemPage, ItemBody, UploadForm, UploadView, UploadSummary, UploadHistory, ReadChoice, CommitBody, ProgressView, Phase,
                       UploadStatus, MappingSource, HeaderChange, PreviewRow, Parsed, Reject, Repeat, Counts,
                       Problem, FileProblem, Format, Field)),
    tags((name = "inventory", description = "A bodega's inventory: its uploads (people who manage inventory; keys with \
                                              inventory:write) and its items as they stand (keys with inventory:read)")))]
pub struct InventoryApi;
