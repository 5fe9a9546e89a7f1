//! REST API v1 for machine clients and scripts, one module per area, each with its own `router()` merged here, and
//! the OpenAPI document at `/api/v1/openapi.json` assembled from the areas' documents.
//!
//! Every operation names what it needs in the document: `security(("bearer" = ["<scope>"]))` for operations open to
//! API keys (a key must hold the scope; a person's role must hold the permission behind it), `("bearer" = [])` for
//! operations for people only, and `security(())` for the open ones. Errors are `AppError` as JSON with the matching
//! status; what every operation can answer (429, 503) is added to each by [`CommonResponses`].

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::get;
use nexus::codes::ErrorCode;
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Response, ResponseBuilder, content::ContentBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

pub mod audit;
pub mod catalog;
pub mod fabrication;
pub mod identity;
pub mod inventory;
pub mod live;
pub mod mes;
pub mod mes_orders;
pub mod notify;
pub mod production;
pub mod production_dashboard;
pub mod stockroom;
pub mod stockroom_items;
pub mod system;

pub fn router(upload_limits: nexus::inventory::rules::file::UploadLimits) -> Router<AppState> {
    Router::new()
        .merge(system::router())
        .merge(identity::router())
        .merge(audit::router())
        .merge(catalog::router())
        .merge(inventory::router(upload_limits))
        .merge(production::router())
        .merge(production_dashboard::router())
        .merge(stockroom::router(upload_limits))
        .merge(mes::router())
        .merge(mes_orders::router())
        .merge(fabrication::router())
        .merge(notify::router())
        .merge(live::router())
        .route("/openapi.json", get(openapi))
        .fallback(|| async { AppError::NotFound })
}

pub type ApiResult<T> = Result<T, AppError>;

/// A CSV download: UTF-8, saved as `file_name`, never cached.
pub fn csv_attachment(file_name: &str, csv: Vec<u8>) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        csv,
    )
        .into_response()
}

/// A kept file as uploaded, in its own type: shown in the browser when it can be (an image, a PDF), saved otherwise;
/// named as RFC 6266 says (plain ASCII for old clients, UTF-8 percent-encoded for the rest); cached by the browser
/// only.
pub fn kept_file(name: &str, media_type: String, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let shown = media_type.starts_with("image/") || media_type == "application/pdf";
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    let disposition =
        format!("{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}", if shown { "inline" } else { "attachment" });
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// The caller of a REST operation, as the pipeline's authentication resolved it: a person or an API key; 401 without
/// one. Bound as `ApiCaller(ref caller): ApiCaller` (a `&Caller`); scopes are checked by the service or the handler.
pub struct ApiCaller(pub nexus::caller::Caller);

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let auth = parts.extensions.get::<nexus_app::state::Authenticated>().and_then(|a| a.0.as_ref());
        Ok(ApiCaller(nexus::caller::require_caller(auth)?.clone()))
    }
}

/// Where a read that tolerates a little lag goes (the replica while it keeps up and holds the caller's latest write;
/// `read_after`): bound as `Reader(from): Reader`, `from.pool` the pool. Only for handlers that do not write.
pub struct Reader(pub nexus::db::reads::Picked);

impl FromRequestParts<AppState> for Reader {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Reader(match parts.extensions.get::<nexus_app::state::ReadAfter>() {
            Some(r) => r.pick(st),
            None => nexus::db::reads::Picked::primary(&st.pool),
        }))
    }
}

/// The signed-in person calling a REST operation for people only: 401 without a caller, 403 for an API key.
pub struct ApiUser(pub nexus::caller::User);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let auth = parts.extensions.get::<nexus_app::state::Authenticated>().and_then(|a| a.0.as_ref());
        Ok(ApiUser(nexus::caller::require_user(auth)?.clone()))
    }
}

/// JSON body extractor whose rejection is an `AppError` (422 with a code), not axum's plain-text message.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    /// Every body the API takes is an object: serde reads a struct from an array as well (`["name", [...]]` would
    /// fill a struct's fields in order), so anything but an object is refused as such (issue 22).
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(v)) => v,
            Err(rejection) => {
                let rejection: JsonRejection = rejection;
                tracing::debug!(%rejection, "rejected JSON body");
                return Err(AppError::field("body", ErrorCode::InvalidInput));
            }
        };
        if !value.is_object() {
            return Err(AppError::field("body", ErrorCode::ExpectedObject));
        }
        serde_path_to_error::deserialize(value).map(ApiJson).map_err(|e| {
            tracing::debug!(error = %e, "rejected JSON body");
            let field = e.path().to_string();
            AppError::field(if field == "." { "body" } else { &field }, ErrorCode::InvalidInput)
        })
    }
}

/// [`ApiJson`] for an optional body: none at all (no bytes) is `T::default()`; anything sent is read as `ApiJson`
/// reads it. For actions whose body only adds to them (a transition's comment, version and key).
pub struct ApiJsonOrEmpty<T>(pub T);

impl<S, T> FromRequest<S> for ApiJsonOrEmpty<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // Such a body is a few fields: 64 KiB is far more than one.
        let bytes = axum::body::to_bytes(body, 64 * 1024)
            .await
            .map_err(|_| AppError::field("body", ErrorCode::InvalidInput))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiJsonOrEmpty(T::default()));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        ApiJson::<T>::from_request(req, state).await.map(|ApiJson(t)| ApiJsonOrEmpty(t))
    }
}

/// Query-string extractor whose rejection is an `AppError` naming the parameter at fault (422), not axum's
/// plain-text 400. A repeated parameter is an error too (`limit=1&limit=2`), not silently one of the two.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            tracing::debug!(error = %e, "rejected query string");
            // The path is "." when the error is not about one parameter (a parameter repeated, for one).
            let field = if field == "." { "query".to_owned() } else { field };
            AppError::field(&field, ErrorCode::InvalidInput)
        })
    }
}

/// The error body every failing operation answers with (`AppError` serialized).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// not_found, unauthorized, forbidden, validation, conflict, rejected, rate_limited, unavailable, internal
    #[schema(example = "validation")]
    error: String,
    /// A stable code (for unauthorized and conflict).
    #[schema(example = "invalid_credentials")]
    code: Option<String>,
    /// One entry per field at fault (for validation).
    fields: Option<Vec<FieldErrorBody>>,
    /// Seconds to wait (for rate_limited; also in `Retry-After`).
    retry_after_secs: Option<u64>,
    /// Why an input was refused as a whole (for rejected: an uploaded file, a batch of units): `problem` names the
    /// reason, with its details.
    #[schema(value_type = Option<Object>)]
    problem: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorBody {
    #[schema(example = "email")]
    field: String,
    #[schema(example = "email_taken")]
    code: String,
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("access JWT, or an nxk_ API key")
                    .description(Some(
                        "A person's access token (from /auth/login) or an API key. The list on each operation names \
                         the scope a key must hold; a person passes when their role holds the permission behind it.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Adds what any operation may answer: 429 (rate limit) and 503 (database unreachable).
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = |description: &str| -> RefOr<Response> {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody"))).build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            for op in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch].into_iter().flatten()
            {
                let responses = &mut op.responses.responses;
                responses.entry("429".into()).or_insert_with(|| error("rate_limited; see Retry-After"));
                responses
                    .entry("503".into())
                    .or_insert_with(|| error("unavailable: the database cannot be reached; retry shortly"));
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Nexus API", version = "1", description = "REST for machine clients and scripts. Errors are JSON objects tagged by `error` with stable codes. Each operation names the API-key scope it needs."),
    components(schemas(ErrorBody, FieldErrorBody)),
    modifiers(&SecuritySchemes, &CommonResponses),
)]
struct BaseApi;

/// Each area's part of the document.
fn areas() -> [(&'static str, utoipa::openapi::OpenApi); 12] {
    [
        ("system", system::SystemApi::openapi()),
        ("identity", identity::IdentityApi::openapi()),
        ("audit", audit::AuditApi::openapi()),
        ("catalog", catalog::CatalogApi::openapi()),
        ("inventory", inventory::InventoryApi::openapi()),
        ("production", production::ProductionApi::openapi()),
        ("stockroom", stockroom::StockApi::openapi()),
        ("stockroom_items", stockroom_items::StockItemsApi::openapi()),
        ("mes", mes::MesApi::openapi()),
        ("mes_orders", mes_orders::MesOrdersApi::openapi()),
        ("fabrication", fabrication::FabricationApi::openapi()),
        ("notify", notify::NotifyApi::openapi()),
    ]
}

/// The whole document: the base, with every area's operations merged in.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = BaseApi::openapi();
    // utoipa copies the crate's license field (UNLICENSED: the crate is not published), which tells an API's user
    // nothing about using the API.
    doc.info.license = None;
    for (_, area) in areas() {
        doc.merge(area);
    }
    SecuritySchemes.modify(&mut doc);
    CommonResponses.modify(&mut doc);
    doc
}

/// Whether the REST operation at `method` `path` needs no caller: its document lists the empty security requirement
/// (`security(())`). A bad or stale credential sent to such an operation is ignored, not answered 401 (issue 22: an
/// expired bearer token made registration fail with a status its document does not name).
pub fn credential_optional(method: &axum::http::Method, path: &str) -> bool {
    static OPEN: std::sync::OnceLock<Vec<(String, Vec<String>)>> = std::sync::OnceLock::new();
    let open = OPEN.get_or_init(|| {
        let doc = serde_json::to_value(document()).unwrap_or_default();
        let mut open = Vec::new();
        for (template, item) in doc["paths"].as_object().into_iter().flatten() {
            for (verb, op) in item.as_object().into_iter().flatten() {
                let optional = op["security"]
                    .as_array()
                    .is_some_and(|reqs| reqs.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty())));
                if optional {
                    open.push((verb.to_ascii_uppercase(), template.split('/').map(str::to_owned).collect()));
                }
            }
        }
        open
    });
    let segments: Vec<&str> = path.split('/').collect();
    // HEAD is served as GET.
    let method = if method == axum::http::Method::HEAD { "GET" } else { method.as_str() };
    open.iter().any(|(verb, template)| {
        verb == method
            && template.len() == segments.len()
            && template.iter().zip(&segments).all(|(t, s)| t == s || (t.starts_with('{') && t.ends_with('}')))
    })
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// Merging keeps one schema per name: two areas that name different types alike would have one area's answers
    /// checked against the other's type (the floor's fact `Source` and `Recorded` once took the stock room's, and
    /// schemathesis failed every order with a fact from the terminal). A name two areas share means one type.
    #[test]
    fn no_two_areas_give_one_schema_name_two_meanings() {
        let mut seen: BTreeMap<String, (&str, serde_json::Value)> = BTreeMap::new();
        let mut clashes = Vec::new();
        for (area, doc) in super::areas() {
            for (name, schema) in doc.components.map(|c| c.schemas).unwrap_or_default() {
                let schema = serde_json::to_value(schema).unwrap();
                match seen.get(&name) {
                    Some((other, first)) if *first != schema => clashes.push(format!("{name}: {other} and {area}")),
                    Some(_) => {}
                    None => {
                        seen.insert(name, (area, schema));
                    }
                }
            }
        }
        assert!(seen.len() > 100, "the areas' schemas were not read: {}", seen.len());
        assert!(clashes.is_empty(), "one schema name, two types (give one `schema(as = …)`):\n{}", clashes.join("\n"));
    }
}
