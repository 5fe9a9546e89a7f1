//! REST for identity: sign-in for people and scripts (login, refresh, logout, register), `me` for any caller (a person
//! or an API key), and API keys (people only: a key cannot mint keys).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use nexus::caller::{RequestMeta, require_user};
use nexus::codes::ErrorCode;
use nexus::identity::rules::account::RegistrationInput;
use nexus::identity::rules::auth::{ApiScope, Role};
use nexus::identity::rules::tenant::TenantKind;
use nexus::identity::service::auth::{LoggedIn, Whoami};
use nexus::identity::service::{api_keys, auth};
use nexus::ids::{TenantId, UserId};
use nexus_app::error::AppError;
use nexus_app::state::{AppState, Authenticated};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::{ApiCaller, ApiJson, ApiResult, ApiUser, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/register", post(register))
        .route("/api-keys", get(list_keys).post(create_key))
        .route("/api-keys/{id}", delete(revoke_key))
}

/// The roles a visitor may register as (the rest are created by an owner or an admin).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum SelfServiceRole {
    Workshop,
    Warehouse,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// E-mail or username.
    #[schema(min_length = 1, max_length = 254, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    login: String,
    #[schema(min_length = 1, max_length = 128)]
    password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 200)]
    refresh_token: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct LogoutRequest {
    /// Ends the session this refresh token belongs to; without it, the session of the bearer access token ends.
    #[serde(default)]
    #[schema(max_length = 200)]
    refresh_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    access_token: String,
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// Seconds until the access token expires.
    expires_in: i64,
    refresh_token: String,
    /// End of the session's absolute lifetime (12 hours after login).
    refresh_expires_at: DateTime<Utc>,
    /// Failed sign-ins of the account since its previous sign-in (0 on a refresh): worth telling the person.
    failed_sign_ins_before: i64,
    user: UserInfo,
}

#[derive(Serialize, ToSchema)]
pub struct UserInfo {
    id: UserId,
    tenant_id: TenantId,
    email: String,
    display_name: String,
    role: Role,
}

fn tokens(l: LoggedIn) -> TokenResponse {
    TokenResponse {
        expires_in: (l.tokens.access_expires_at - Utc::now()).num_seconds().max(0),
        access_token: l.tokens.access_token,
        token_type: "Bearer",
        refresh_token: l.tokens.refresh_token,
        refresh_expires_at: l.tokens.refresh_expires_at,
        failed_sign_ins_before: l.failed_before,
        user: UserInfo {
            id: l.user.user_id,
            tenant_id: l.user.tenant_id,
            email: l.user.email,
            display_name: l.user.display_name,
            role: l.user.role,
        },
    }
}

/// Exchanges credentials for an access token (15 min) and a refresh token (rotated on each use). No cookie: a script
/// keeping cookies would send them back with its next POST, which cookie-authenticated writes refuse without our
/// Origin (the device cookie that sign-in throttling trusts is a browser's, set by the sign-in page).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    responses((status = 200, body = TokenResponse),
              (status = 401, body = ErrorBody, description = "invalid_credentials, account_pending or account_deactivated"),
              (status = 422, body = ErrorBody, description = "a malformed body, or a login longer than 254 characters"),
              (status = 429, body = ErrorBody, description = "too many attempts from this address or for this account")))]
async fn login(
    State(st): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let logged = st.auth.login(&st.pool, &body.login, &body.password, &meta).await?;
    Ok(Json(tokens(logged)))
}

/// Rotates a refresh token. Presented again within 20 seconds it returns the same successor; later, it revokes the
/// whole session (a copied token).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest, security(()),
    responses((status = 200, body = TokenResponse),
              (status = 401, body = ErrorBody, description = "token_invalid, session_expired, refresh_reused or account_deactivated"),
              (status = 422, body = ErrorBody)))]
async fn refresh(
    State(st): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    Ok(Json(tokens(st.auth.refresh(&st.pool, &body.refresh_token, &meta).await?)))
}

/// Ends a session: the one of the refresh token given, or else the bearer access token's.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body(content = Option<LogoutRequest>, description = "optional"),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "an API key has no session"),
              (status = 422, body = ErrorBody)),
    security((), ("bearer" = [])))]
async fn logout(
    State(st): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    let body: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        // `null` is an absent body too, as the document's optional (nullable) body says.
        serde_json::from_slice::<Option<LogoutRequest>>(&body)
            .map_err(|_| AppError::field("body", ErrorCode::InvalidInput))?
            .unwrap_or_default()
    };
    match body.refresh_token {
        Some(rt) => auth::logout_refresh(&st.pool, &rt, &meta).await?,
        None => auth::logout(&st.pool, require_user(auth.0.as_ref())?, &meta).await?,
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Who is calling: a person (`kind: user`) or an API key (`kind: api_key`, with its tenant and scopes).
#[derive(Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Me {
    User {
        id: UserId,
        tenant_id: TenantId,
        tenant_name: String,
        tenant_kind: TenantKind,
        email: String,
        display_name: String,
        role: Role,
        /// What the role may do through the API: the scopes it passes.
        scopes: Vec<ApiScope>,
    },
    ApiKey {
        id: Uuid,
        name: String,
        tenant_id: TenantId,
        tenant_name: String,
        tenant_kind: TenantKind,
        scopes: Vec<ApiScope>,
    },
}

/// The caller: a person with their tenant and role, or an API key with its tenant and scopes. Any credential may ask.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
async fn me(State(st): State<AppState>, ApiCaller(ref caller): ApiCaller) -> ApiResult<Json<Me>> {
    Ok(Json(match auth::whoami(&st.pool, caller).await? {
        Whoami::User(p) => Me::User {
            id: p.user_id,
            tenant_id: p.tenant_id,
            tenant_name: p.tenant_name,
            tenant_kind: p.tenant_kind,
            email: p.email,
            display_name: p.display_name,
            role: p.role,
            scopes: ApiScope::grantable_by(p.tenant_kind, p.role).collect(),
        },
        Whoami::Machine { key_id, name, tenant_id, tenant_name, tenant_kind, scopes } => {
            Me::ApiKey { id: key_id, name, tenant_id, tenant_name, tenant_kind, scopes }
        }
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// Free text with at least one non-blank character (surrounding spaces are trimmed).
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    name: String,
    #[schema(format = Email, min_length = 3, max_length = 254)]
    email: String,
    /// 12 to 128 characters of any kind; not among the 10,000 most common passwords.
    #[schema(min_length = 12, max_length = 128)]
    password: String,
    #[schema(
        min_length = 1,
        max_length = 160,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    business_name: String,
    #[schema(
        min_length = 1,
        max_length = 40,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    phone: String,
    #[schema(
        min_length = 1,
        max_length = 240,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    address: String,
    #[schema(value_type = SelfServiceRole)]
    role: String,
}

#[derive(Serialize, ToSchema)]
pub struct Registered {
    user_id: UserId,
    #[schema(example = "pending")]
    status: &'static str,
}

/// Registers a workshop or a bodega; the account stays pending until an admin approves it.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest, security(()),
    responses((status = 201, body = Registered),
              (status = 409, body = ErrorBody, description = "the e-mail is already registered (`fields[].code` = `email_taken`)"),
              (status = 422, body = ErrorBody, description = "validation errors per field"),
              (status = 429, body = ErrorBody)))]
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
    scopes: Vec<ApiScope>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateKeyRequest {
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    name: String,
    /// Each must be one the creator's role holds.
    #[schema(min_items = 1)]
    scopes: Vec<ApiScope>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedKey {
    id: Uuid,
    /// Shown once; only a hash is stored.
    key: String,
}

/// The tenant's API keys (people with the API-keys permission).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys",
    responses((status = 200, body = [ApiKeyInfo]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_keys(State(st): State<AppState>, ApiUser(ref user): ApiUser) -> ApiResult<Json<Vec<ApiKeyInfo>>> {
    let keys = api_keys::list(&st.pool, user).await?;
    Ok(Json(
        keys.into_iter()
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
    responses((status = 201, body = CreatedKey), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "name_taken: an active key already has this name"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_key(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<CreateKeyRequest>,
) -> ApiResult<(StatusCode, Json<CreatedKey>)> {
    let created = api_keys::create(&st.pool, user, &b.name, &b.scopes, &meta).await?;
    Ok((StatusCode::CREATED, Json(CreatedKey { id: created.id, key: created.key })))
}

/// Revokes an API key; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api-keys", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "not a UUID")),
    security(("bearer" = [])))]
async fn revoke_key(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: Uuid = id.parse().map_err(|_| AppError::field("id", ErrorCode::InvalidInput))?;
    api_keys::revoke(&st.pool, user, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(OpenApi)]
#[openapi(
    paths(login, refresh, logout, me, register, list_keys, create_key, revoke_key),
    components(schemas(LoginRequest, RefreshRequest, LogoutRequest, TokenResponse, UserInfo, Me, RegisterRequest,
                       Registered, ApiKeyInfo, CreateKeyRequest, CreatedKey, ApiScope, Role, TenantKind, SelfServiceRole)),
    tags((name = "auth", description = "Sign-in for people and scripts; `me` for any caller"),
         (name = "api-keys", description = "Keys for machine clients (people only)"))
)]
pub struct IdentityApi;
