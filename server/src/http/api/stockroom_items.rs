//! REST for a stock room's item list as a file: `POST /stock/items/import` reads the spreadsheet a room keeps (the
//! bodega upload's reader, header detection and mapping) and says what it would do, or does it; `GET
//! /stock/items/export` writes the list in the columns the import reads back.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::Utc;
use nexus::caller::RequestMeta;
use nexus::codes::ErrorCode;
use nexus::ids::DepartmentId;
use nexus::stockroom::rules::import::{Column, ImportView, ItemReject, RawLine, RowProblem};
use nexus::stockroom::service::import::{self, ImportRequest};
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use utoipa::{OpenApi, ToSchema};

use super::{ApiCaller, ApiResult, ErrorBody};

pub fn router(limits: nexus::inventory::rules::file::UploadLimits) -> Router<AppState> {
    let body_limit =
        usize::try_from(limits.max_bytes).unwrap_or(usize::MAX).saturating_add(super::inventory::ENVELOPE_BYTES);
    Router::new()
        .route("/stock/items/import", post(import_items).layer(axum::extract::DefaultBodyLimit::max(body_limit)))
        .route("/stock/items/export", get(export_items))
}

/// The item import form (multipart/form-data).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The item list: CSV or other delimited text (any encoding the bodega upload reads), XLSX, XLS or ODS, told
    /// by its bytes.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
    /// The column of each field as JSON, e.g. `{"sku":0,"name":1,"quantity":4}` (0-based, in the header row);
    /// suggested from the headers otherwise.
    #[schema(value_type = Option<String>)]
    mapping: Option<String>,
    /// The sheet to read (a workbook's first otherwise).
    #[schema(max_length = 100)]
    sheet: Option<String>,
    /// The header's line or row number (detected otherwise).
    #[schema(minimum = 1, maximum = 1000000)]
    header_row: Option<u64>,
    /// The department of rows that name none (its id).
    department: Option<i32>,
    /// `true` (default): only say what the file would do. `false`: import it.
    dry_run: Option<bool>,
}

/// Reads an item list (the spreadsheet a store room keeps) through the bodega upload's reader, header detection
/// and mapping, and says what it would do: items added and changed, levels, first stock received, categories made,
/// rows refused with why. With `dry_run=false`, imports it in one transaction (every valid row). A file refused
/// whole answers 413, 415 or 422 with `problem`; a mapping without the SKU's column is answered with the file as
/// read (`rows` 0) for the mapping to be chosen.
#[utoipa::path(post, path = "/api/v1/stock/items/import", tag = "stock",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["stock:write"])))]
async fn import_items(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    Extension(meta): Extension<RequestMeta>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Json<ImportView>> {
    use super::inventory::{flag, header_row, read_parts};
    caller.require(nexus::identity::rules::auth::ApiScope::StockWrite)?;
    let form = form.map_err(|_| AppError::field("body", ErrorCode::InvalidInput))?;
    let parts = read_parts(form, st.upload_limits.max_bytes).await?;
    let mut req = ImportRequest { commit: false, ..ImportRequest::default() };
    for (name, text) in parts.fields {
        match name.as_str() {
            "mapping" if !text.trim().is_empty() => {
                req.choice.mapping =
                    Some(serde_json::from_str(&text).map_err(|_| AppError::field("mapping", ErrorCode::InvalidInput))?)
            }
            "sheet" if !text.is_empty() => req.choice.sheet = Some(text),
            "header_row" if !text.trim().is_empty() => req.choice.header_row = Some(header_row(&text)?),
            "department" if !text.trim().is_empty() => {
                req.choice.department = Some(DepartmentId(
                    text.trim().parse().map_err(|_| AppError::field("department", ErrorCode::InvalidInput))?,
                ))
            }
            "dry_run" => req.commit = !flag("dry_run", &text)?,
            _ => {}
        }
    }
    let (file_name, bytes) = parts.file.ok_or_else(|| AppError::field("file", ErrorCode::Required))?;
    req.file_name = file_name;
    req.bytes = bytes;
    Ok(Json(import::import(&st.pool, caller, &meta, st.upload_limits, &req).await?))
}

/// The organisation's live items as CSV (formula-safe): a line per item and department where it has stock or a
/// level, in the columns `POST /stock/items/import` reads back as they are.
#[utoipa::path(get, path = "/api/v1/stock/items/export", tag = "stock",
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = ["stock:read"])))]
async fn export_items(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let csv = import::export_list(&st.pool, caller).await?;
    let name = format!("articulos-{}.csv", Utc::now().format("%Y%m%d"));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        csv,
    )
        .into_response())
}

#[derive(OpenApi)]
#[openapi(
    paths(import_items, export_items),
    components(schemas(ImportForm, ImportView, Column, ItemReject, RawLine, RowProblem))
)]
pub struct StockItemsApi;
