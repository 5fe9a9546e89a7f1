//! Server-side application state and the per-request facts server functions read (who is calling, from where).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use nexus::services::auth::Auth;
use nexus::services::caller::{Caller, Principal, RequestMeta};
use sqlx::PgPool;

use crate::error::AppError;

/// Security settings the edges need.
#[derive(Debug, Clone)]
pub struct SecurityConfig {
    pub public_origin: Option<String>,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub rate_limit_per_min: u32,
    pub auth_rate_limit_per_min: u32,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub auth: Auth,
    pub security: Arc<SecurityConfig>,
}

/// The request's principal, as resolved by the server's session middleware (stored in the request extensions).
#[derive(Debug, Clone, Default)]
pub struct Authenticated(pub Option<Principal>);

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal.with_status())
}

fn parts() -> Result<http::request::Parts, AppError> {
    use_context::<http::request::Parts>().ok_or(AppError::Internal)
}

/// Who is calling, if anyone.
pub fn principal() -> Option<Principal> {
    parts().ok()?.extensions.get::<Authenticated>().and_then(|a| a.0.clone())
}

/// The signed-in person, if any (for calls that serve anonymous callers too; it sets no error status).
pub fn signed_in() -> Option<Caller> {
    match principal() {
        Some(Principal::User(c)) => Some(c),
        _ => None,
    }
}

/// The signed-in person calling this server function, or 401.
pub fn caller() -> Result<Caller, AppError> {
    Ok(nexus::services::caller::require_user(principal().as_ref())?.clone())
}

/// Where the request came from (for the audit log).
pub fn meta() -> RequestMeta {
    parts().ok().and_then(|p| p.extensions.get::<RequestMeta>().cloned()).unwrap_or_default()
}

/// Appends a Set-Cookie header to the server function's response.
pub fn set_cookie(cookie: &cookie::Cookie<'_>) {
    if let (Some(res), Ok(v)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&cookie.to_string()))
    {
        res.append_header(http::header::SET_COOKIE, v);
    }
}
