//! REST for identity: sign-in for people and scripts (login, refresh, logout, register), `me` for any caller (a person
//! or an API key), API keys (people only: a key cannot mint keys), invitations and their acceptance, and the
//! platform's creation of organisations.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use nexus::caller::{RequestMeta, require_user};
use nexus::codes::ErrorCode;
use nexus::identity::rules::account::RegistrationInput;
use nexus::identity::rules::auth::{ApiScope, Role};
use nexus::identity::rules::invitation::{AcceptInput, InvitationInput, InvitationStatus, Language};
use nexus::identity::rules::tenant::OrganisationInput;
use nexus::identity::rules::tenant::TenantKind;
use nexus::identity::service::auth::{LoggedIn, Whoami};
use nexus::identity::service::invitations::{self, Invited};
use nexus::identity::service::{api_keys, auth, users};
use nexus::ids::{InvitationId, TenantId, UserId};
use nexus_app::error::AppError;
use nexus_app::state::{AppState, Authenticated};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::{ApiCaller, ApiJson, ApiQuery, ApiResult, ApiUser, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/register", post(register))
        .route("/api-keys", get(list_keys).post(create_key))
        .route("/api-keys/{id}", delete(revoke_key))
        .route("/invitations", get(list_invitations).post(invite))
        .route("/invitations/{id}", delete(revoke_invitation))
        .route("/invitations/accept", post(accept_invitation))
        .route("/tenants", post(create_tenant))
}

/// The kinds of organisation a visitor may register (the platform creates any kind, with its first owner).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum RegistrableKind {
    Workshop,
    Warehouse,
    Manufacturer,
}

/// What clients sent before `kind` existed: the role of a workshop's or a bodega's first account.
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
              (status = 401, body = ErrorBody, description = "invalid_credentials, account_pending, account_deactivated or organisation_suspended"),
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
              (status = 401, body = ErrorBody, description = "token_invalid, session_expired, session_ended, refresh_reused, account_deactivated or organisation_suspended"),
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
    /// The kind of organisation; its first account is its `workshop`, `warehouse` or (a plant's) `owner`.
    #[schema(value_type = Option<RegistrableKind>)]
    kind: Option<String>,
    /// Deprecated: `kind` instead. Read only when `kind` is absent.
    #[schema(value_type = Option<SelfServiceRole>, deprecated)]
    role: Option<String>,
    /// The organisation's country (ISO 3166 alpha-2): how its numbers and money are written and its currency. One of
    /// the markets served: MX (the default), AR, CO, CL, PE, EC, GT, CR, UY, US; another is refused (422,
    /// `country_unknown`).
    #[schema(example = "MX", min_length = 2, max_length = 2)]
    country: Option<String>,
    /// Opening hours as people write them (shown to workshops beside a bodega's stock); optional.
    #[schema(max_length = 200, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$", example = "Lun–Vie 9:00–18:00")]
    hours: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Registered {
    user_id: UserId,
    #[schema(example = "pending")]
    status: &'static str,
}

/// Registers a workshop, a bodega or a plant; the organisation and its account stay pending until an admin approves.
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
        kind: b.kind.unwrap_or_default(),
        role: b.role.unwrap_or_default(),
        country: b.country.unwrap_or_default(),
        hours: b.hours.unwrap_or_default(),
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

#[derive(Deserialize, ToSchema)]
pub struct InviteRequest {
    #[schema(format = Email, min_length = 3, max_length = 254)]
    email: String,
    /// One the organisation's kind allows (`admin` only on the platform).
    #[schema(value_type = Role)]
    role: String,
    /// The language of the e-mail (the invitee's is not known yet): `es` (default) or `en`.
    #[schema(value_type = Option<MailLanguage>)]
    lang: Option<Language>,
    /// The stock room department the person joins on accepting: one of the organisation's that is not archived.
    #[schema(minimum = 1, maximum = 2147483647)]
    department: Option<i32>,
}

/// A language of e-mails.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum MailLanguage {
    Es,
    En,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationCreated {
    id: InvitationId,
    email: String,
    role: Role,
    expires_at: DateTime<Utc>,
    /// Whether the link went out by e-mail.
    mailed: bool,
    /// The link, when it did not go out by e-mail: pass it on. Shown once; only its hash is kept.
    link: Option<String>,
}

impl From<Invited> for InvitationCreated {
    fn from(i: Invited) -> Self {
        Self { id: i.id, email: i.email, role: i.role, expires_at: i.expires_at, mailed: i.mailed, link: i.link }
    }
}

/// Invites an address into the caller's organisation (owners and platform admins). Inviting an address again
/// replaces its open invitation.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "invitations", request_body = InviteRequest,
    responses((status = 201, body = InvitationCreated), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "email_taken: the address already has an account"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn invite(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Extension(meta): Extension<RequestMeta>,
    headers: axum::http::HeaderMap,
    ApiJson(b): ApiJson<InviteRequest>,
) -> ApiResult<(StatusCode, Json<InvitationCreated>)> {
    let origin = nexus_app::state::origin_of(&st, &headers);
    let input = InvitationInput { email: b.email, role: b.role, department: b.department };
    let out = nexus_app::identity::invitations::outgoing(&origin, b.lang.unwrap_or_default());
    let invited = invitations::invite(&st.pool, &st.mailer, user, &input, out, &meta).await?;
    Ok((StatusCode::CREATED, Json(invited.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationsParams {
    /// The `next` cursor of the previous page.
    #[param(pattern = "^([0-9]{1,16}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationInfo {
    id: InvitationId,
    email: String,
    role: Role,
    invited_by: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    status: InvitationStatus,
    mailed: bool,
}

/// A page of invitations.
#[derive(Serialize, ToSchema)]
pub struct InvitationPage {
    items: Vec<InvitationInfo>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
}

/// The organisation's invitations, newest first, 50 a page, with where each stands.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "invitations", params(InvitationsParams),
    responses((status = 200, body = InvitationPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_invitations(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    ApiQuery(q): ApiQuery<InvitationsParams>,
) -> ApiResult<Json<InvitationPage>> {
    let page = invitations::list(&st.pool, user, q.after.as_deref()).await?;
    Ok(Json(InvitationPage {
        items: page
            .items
            .into_iter()
            .map(|i| InvitationInfo {
                id: i.id,
                email: i.email,
                role: i.role,
                invited_by: i.invited_by,
                created_at: i.created_at,
                expires_at: i.expires_at,
                status: i.status,
                mailed: i.mailed,
            })
            .collect(),
        next: page.next,
    }))
}

/// Revokes a pending invitation; its link stops working at once.
#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "invitations", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no pending invitation of the organisation has this id"),
              (status = 422, body = ErrorBody, description = "not a UUID")),
    security(("bearer" = [])))]
async fn revoke_invitation(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: Uuid = id.parse().map_err(|_| AppError::field("id", ErrorCode::InvalidInput))?;
    invitations::revoke(&st.pool, user, InvitationId(id), &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptRequest {
    /// The token of the invitation's link (`/invitation/<token>`).
    #[schema(min_length = 1, max_length = 100)]
    token: String,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    name: String,
    /// 12 to 128 characters of any kind; not among the 10,000 most common passwords.
    #[schema(min_length = 12, max_length = 128)]
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    user_id: UserId,
    /// The address to sign in with.
    email: String,
}

/// Accepts an invitation: the account is created, active, in the role invited; sign in with `/auth/login`.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "invitations", request_body = AcceptRequest, security(()),
    responses((status = 201, body = Accepted),
              (status = 404, body = ErrorBody, description = "`rejected`, problem `unknown`: no invitation has this token"),
              (status = 409, body = ErrorBody, description = "email_taken: the address got an account meanwhile"),
              (status = 410, body = ErrorBody, description = "`rejected`, problem `expired`, `used` or `revoked`"),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn accept_invitation(
    State(st): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(b): ApiJson<AcceptRequest>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    let input = AcceptInput { token: b.token, name: b.name, password: b.password };
    let (user_id, email) = invitations::accept(&st.pool, &input, &meta).await?;
    Ok((StatusCode::CREATED, Json(Accepted { user_id, email })))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateTenantRequest {
    #[schema(value_type = RegistrableKind)]
    kind: String,
    #[schema(
        min_length = 1,
        max_length = 160,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    name: String,
    #[serde(default)]
    #[schema(max_length = 40, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    phone: String,
    #[serde(default)]
    #[schema(max_length = 240, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    address: String,
    /// The first account is invited at this address, as the kind's first role (a plant's `owner`).
    #[schema(format = Email, min_length = 3, max_length = 254)]
    owner_email: String,
    /// The organisation's country (ISO 3166 alpha-2), one of the markets served (see registration); default MX.
    #[schema(example = "MX", min_length = 2, max_length = 2)]
    country: Option<String>,
    /// Opening hours as people write them; optional.
    #[schema(max_length = 200, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    hours: Option<String>,
    /// The language of the invitation's e-mail: `es` (default) or `en`.
    #[schema(value_type = Option<MailLanguage>)]
    lang: Option<Language>,
}

#[derive(Serialize, ToSchema)]
pub struct TenantCreated {
    id: TenantId,
    invitation: InvitationCreated,
}

/// Creates an organisation of any kind, active at once, and invites its first account (platform admins only).
#[utoipa::path(post, path = "/api/v1/tenants", tag = "invitations", request_body = CreateTenantRequest,
    responses((status = 201, body = TenantCreated), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "email_taken on owner_email"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_tenant(
    State(st): State<AppState>,
    ApiUser(ref user): ApiUser,
    Extension(meta): Extension<RequestMeta>,
    headers: axum::http::HeaderMap,
    ApiJson(b): ApiJson<CreateTenantRequest>,
) -> ApiResult<(StatusCode, Json<TenantCreated>)> {
    let origin = nexus_app::state::origin_of(&st, &headers);
    let input = OrganisationInput {
        kind: b.kind,
        name: b.name,
        phone: b.phone,
        address: b.address,
        owner_email: b.owner_email,
        country: b.country.unwrap_or_default(),
        hours: b.hours.unwrap_or_default(),
    };
    let out = nexus_app::identity::invitations::outgoing(&origin, b.lang.unwrap_or_default());
    let created = users::create_tenant(&st.pool, &st.mailer, user, &input, out, &meta).await?;
    Ok((StatusCode::CREATED, Json(TenantCreated { id: created.id, invitation: created.invitation.into() })))
}

#[derive(OpenApi)]
#[openapi(
    paths(login, refresh, logout, me, register, list_keys, create_key, revoke_key, invite, list_invitations,
          revoke_invitation, accept_invitation, create_tenant),
    components(schemas(LoginRequest, RefreshRequest, LogoutRequest, TokenResponse, UserInfo, Me, RegisterRequest,
                       Registered, ApiKeyInfo, CreateKeyRequest, CreatedKey, ApiScope, Role, TenantKind, SelfServiceRole,
                       RegistrableKind, InviteRequest, MailLanguage, InvitationCreated, InvitationInfo, InvitationPage,
                       InvitationStatus, AcceptRequest, Accepted, CreateTenantRequest, TenantCreated)),
    tags((name = "auth", description = "Sign-in for people and scripts; `me` for any caller"),
         (name = "api-keys", description = "Keys for machine clients (people only)"),
         (name = "invitations", description = "People into organisations: invitations (owners), their links, new organisations (the platform)"))
)]
pub struct IdentityApi;
