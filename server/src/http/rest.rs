//! REST API v1 for machine clients and scripts: auth (login, refresh, logout, me, register), API keys, health, and the
//! OpenAPI document at `/api/v1/openapi.json`. Errors are `AppError` as JSON with the matching status.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use nexus::domain::account::RegistrationInput;
use nexus::domain::codes::ErrorCode;
use nexus::services::auth::{LoggedIn, Refreshed};
use nexus::services::caller::{Principal, RequestMeta, require_user};
use nexus::services::{api_keys, auth};
use nexus_app::error::AppError;
use nexus_app::state::{AppState, Authenticated};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use uuid::Uuid;

/// JSON body extractor whose rejection is an `AppError` (422 with a code), not axum's plain-text message.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => {
                tracing::debug!(%rejection, "rejected JSON body");
                Err(AppError::field("body", ErrorCode::InvalidInput))
            }
        }
    }
}

type ApiResult<T> = Result<T, AppError>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/register", post(register))
        .route("/api-keys", get(list_keys).post(create_key))
        .route("/api-keys/{id}", delete(revoke_key))
        .route("/openapi.json", get(openapi))
        .fallback(|| async { AppError::NotFound })
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    database: &'static str,
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/api/v1/health", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn health(State(st): State<AppState>) -> Response {
    match sqlx::query("select 1").execute(&st.pool).await {
        Ok(_) => Json(Health { status: "ok", database: "ok" }).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "degraded", database: "unreachable" }))
                .into_response()
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// E-mail or username.
    login: String,
    password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    refresh_token: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct LogoutRequest {
    /// Ends the session this refresh token belongs to; without it, the session of the bearer access token ends.
    #[serde(default)]
    refresh_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    /// Seconds until the access token expires.
    expires_in: i64,
    refresh_token: String,
    refresh_expires_at: DateTime<Utc>,
    user: UserInfo,
}

#[derive(Serialize, ToSchema)]
pub struct UserInfo {
    id: Uuid,
    tenant_id: Uuid,
    email: String,
    display_name: String,
    #[schema(value_type = String, example = "warehouse")]
    role: nexus::domain::auth::Role,
}

fn tokens(l: LoggedIn) -> TokenResponse {
    TokenResponse {
        expires_in: (l.tokens.access_expires_at - Utc::now()).num_seconds(),
        access_token: l.tokens.access_token,
        token_type: "Bearer",
        refresh_token: l.tokens.refresh_token,
        refresh_expires_at: l.tokens.refresh_expires_at,
        user: UserInfo {
            id: l.caller.user_id,
            tenant_id: l.caller.tenant_id,
            email: l.caller.email,
            display_name: l.caller.display_name,
            role: l.caller.role,
        },
    }
}

/// Exchanges credentials for an access token (15 min) and a refresh token (rotated on each use).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse),
              (status = 401, description = "invalid_credentials, account_pending or account_deactivated"),
              (status = 429, description = "rate_limited; see Retry-After")))]
async fn login(
    State(st): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let logged = st.auth.login(&st.pool, &body.login, &body.password, &meta).await?;
    Ok(Json(tokens(logged)))
}

/// Rotates a refresh token. Presenting an already-used token revokes its whole session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse),
              (status = 401, description = "token_invalid, session_expired or refresh_reused")))]
async fn refresh(
    State(st): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    match st.auth.refresh(&st.pool, &body.refresh_token, &meta).await? {
        Refreshed::Rotated(l) => Ok(Json(tokens(l))),
        // The grace window exists for browsers racing themselves; an API client must use the newest token.
        Refreshed::Grace(_) => Err(AppError::Unauthorized { code: ErrorCode::TokenInvalid }),
    }
}

/// Ends a session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses((status = 204), (status = 401)), security(("bearer" = [])))]
async fn logout(
    State(st): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    let body: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| AppError::field("body", ErrorCode::InvalidInput))?
    };
    match (body.refresh_token, auth.0) {
        (Some(rt), _) => auth::logout_refresh(&st.pool, &rt, &meta).await?,
        (None, Some(Principal::User(caller))) => auth::logout(&st.pool, &caller, &meta).await?,
        (None, _) => {
            return Err(AppError::Unauthorized { code: ErrorCode::NotAuthenticated });
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = UserInfo), (status = 401)), security(("bearer" = [])))]
async fn me(State(st): State<AppState>, Extension(auth): Extension<Authenticated>) -> ApiResult<Json<UserInfo>> {
    let caller = require_user(auth.0.as_ref())?;
    let row = auth::me(&st.pool, caller).await?;
    Ok(Json(UserInfo {
        id: row.id,
        tenant_id: row.tenant_id,
        email: row.email,
        display_name: row.display_name,
        role: caller.role,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    name: String,
    email: String,
    password: String,
    business_name: String,
    phone: String,
    address: String,
    /// `workshop` or `warehouse`
    role: String,
}

#[derive(Serialize, ToSchema)]
pub struct Registered {
    user_id: Uuid,
    status: &'static str,
}

/// Registers a workshop or a bodega; the account stays pending until an admin approves it.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = Registered), (status = 422, description = "validation errors per field")))]
async fn register(
    State(st): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    let input = RegistrationInput {
        name: b.name,
        email: b.email,
        password: b.password,
        business_name: b.business_name,
        phone: b.phone,
        address: b.address,
        role: b.role,
    };
    let user_id = auth::register(&st.pool, &input, &meta).await?;
    Ok((StatusCode::CREATED, Json(Registered { user_id, status: "pending" })))
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyInfo {
    id: Uuid,
    name: String,
    prefix: String,
    scopes: Vec<String>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateKeyRequest {
    name: String,
    /// Any of `inventory:write`, `catalog:read`, `detections:write`, `production:read`.
    scopes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedKey {
    id: Uuid,
    /// Shown once; only a hash is stored.
    key: String,
}

/// The tenant's API keys.
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys",
    responses((status = 200, body = [ApiKeyInfo]), (status = 401), (status = 403)), security(("bearer" = [])))]
async fn list_keys(
    State(st): State<AppState>,
    Extension(auth): Extension<Authenticated>,
) -> ApiResult<Json<Vec<ApiKeyInfo>>> {
    let caller = require_user(auth.0.as_ref())?;
    let rows = api_keys::list(&st.pool, caller).await?;
    Ok(Json(
        rows.into_iter()
            .map(|k| ApiKeyInfo {
                id: k.id,
                name: k.name,
                prefix: k.prefix,
                scopes: k.scopes,
                created_at: k.created_at,
                last_used_at: k.last_used_at,
                revoked_at: k.revoked_at,
            })
            .collect(),
    ))
}

/// Creates an API key for a machine client.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", request_body = CreateKeyRequest,
    responses((status = 201, body = CreatedKey), (status = 401), (status = 403), (status = 422)), security(("bearer" = [])))]
async fn create_key(
    State(st): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<CreateKeyRequest>,
) -> ApiResult<(StatusCode, Json<CreatedKey>)> {
    let caller = require_user(auth.0.as_ref())?;
    let created = api_keys::create(&st.pool, caller, &b.name, &b.scopes, &meta).await?;
    Ok((StatusCode::CREATED, Json(CreatedKey { id: created.id, key: created.key })))
}

/// Revokes an API key; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api-keys", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)), security(("bearer" = [])))]
async fn revoke_key(
    State(st): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let caller = require_user(auth.0.as_ref())?;
    api_keys::revoke(&st.pool, caller, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT or nxk_ API key").build(),
            ),
        );
        components
            .add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("Authorization"))));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Nexus API", version = "1", description = "Errors are JSON objects tagged by `error` (not_found, unauthorized, forbidden, validation, conflict, rate_limited, internal) with stable codes."),
    paths(health, login, refresh, logout, me, register, list_keys, create_key, revoke_key),
    components(schemas(Health, LoginRequest, RefreshRequest, LogoutRequest, TokenResponse, UserInfo, RegisterRequest,
                       Registered, ApiKeyInfo, CreateKeyRequest, CreatedKey)),
    modifiers(&SecuritySchemes),
    tags((name = "auth"), (name = "api-keys"), (name = "system"))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
