//! Server-side application state and the per-request facts server functions read (who is calling, from where).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use nexus::caller::{Caller, RequestMeta, User};
use nexus::catalog::service::cache::SearchCache;
use nexus::db::PgPool;
use nexus::identity::service::auth::Auth;

use crate::error::AppError;

/// Security settings the edges need.
#[derive(Debug, Clone)]
pub struct SecurityConfig {
    pub public_origin: Option<String>,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub rate_limit_per_min: u32,
    pub auth_rate_limit_per_min: u32,
    /// Longest a request may take before it is answered 503 (event streams and uploads exempt).
    pub request_timeout: std::time::Duration,
    /// How long after a write its caller's reads stay on the primary at most (the replica's lag bound and a
    /// margin): the `nexus_wrote` cookie's life.
    pub wrote_cookie_secs: i64,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The primary: every write, and every read that must see the latest data.
    pub pool: PgPool,
    /// Reads that tolerate a little lag: the primary, or a streaming replica while it keeps up (`read_pool`).
    pub reads: nexus::db::reads::Reads,
    pub auth: Auth,
    pub security: Arc<SecurityConfig>,
    /// Catalog search pages, shared by the pages and the REST API (emptied whenever the catalog changes).
    pub catalog_cache: SearchCache,
    /// How large an inventory upload may be (bytes, rows).
    pub upload_limits: nexus::inventory::rules::file::UploadLimits,
    /// Changes to each plant's production, for its live dashboards.
    pub live: nexus::production::service::live::Live,
    /// Changes to each shop's parts, for its open boards and part pages.
    pub shop: nexus::fabrication::service::live::Live,
    /// Changes to each person's inbox, for the unread count of their open pages.
    pub inbox: nexus::notify::live::Live,
    /// The open event streams, bounded and ended with their credentials.
    pub streams: nexus::identity::service::streams::Streams,
    /// Outgoing e-mail (invitations); off when no mail server is configured.
    pub mailer: nexus::mail::Mailer,
    /// How organisations' webhooks are called (and whether internal addresses may be).
    pub courier: nexus::notify::webhooks::Courier,
}

/// The request's caller, as resolved by the server's authentication middleware (stored in the request extensions).
#[derive(Debug, Clone, Default)]
pub struct Authenticated(pub Option<Caller>);

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal.with_status())
}

fn parts() -> Result<http::request::Parts, AppError> {
    use_context::<http::request::Parts>().ok_or(AppError::Internal)
}

/// When this request's caller last wrote (Unix ms; the server keeps it in a cookie, across instances), and whether
/// the handler declared itself a reader (a server function is a POST whatever it does: one that only reads says so
/// by taking its pool from [`read_pool`], and its caller is then not taken to have written).
#[derive(Debug, Clone, Default)]
pub struct ReadAfter {
    pub wrote_at: Option<i64>,
    pub read_only: Arc<std::sync::atomic::AtomicBool>,
}

impl ReadAfter {
    /// The pool for this request's reads that tolerate lag, marking the request a reader.
    pub fn pick(&self, st: &AppState) -> nexus::db::reads::Picked {
        self.read_only.store(true, std::sync::atomic::Ordering::Relaxed);
        st.reads.pick(self.wrote_at)
    }
}

/// The pool for a server function's reads that tolerate a little lag (lists, dashboards, catalog pages): the
/// replica while it keeps up and holds the caller's latest write, else the primary. The function must not write.
pub fn read_pool() -> Result<nexus::db::reads::Picked, AppError> {
    let st = state()?;
    Ok(match parts()?.extensions.get::<ReadAfter>() {
        Some(r) => r.pick(&st),
        None => nexus::db::reads::Picked::primary(&st.pool),
    })
}

/// Who is calling, if anyone.
pub fn caller() -> Option<Caller> {
    parts().ok()?.extensions.get::<Authenticated>().and_then(|a| a.0.clone())
}

/// The signed-in person, if any (for calls that serve anonymous callers too; it sets no error status).
pub fn signed_in() -> Option<User> {
    match caller() {
        Some(Caller::User(u)) => Some(u),
        _ => None,
    }
}

/// The signed-in person calling this server function: 401 without one, 403 for a machine.
pub fn user() -> Result<User, AppError> {
    Ok(nexus::caller::require_user(caller().as_ref())?.clone())
}

/// The signed-in person as the caller a core service takes (server functions serve people only): 401 without one,
/// 403 for a machine.
pub fn person() -> Result<Caller, AppError> {
    Ok(Caller::User(user()?))
}

/// The address people reach this site at, for links that leave it (an invitation's): `NEXUS_PUBLIC_ORIGIN`, else
/// the scheme the cookies say and the request's own Host.
pub fn site_origin() -> Result<String, AppError> {
    Ok(origin_of(&state()?, &parts()?.headers))
}

/// [`site_origin`] for a request with these headers (the REST handlers' way to it).
pub fn origin_of(st: &AppState, headers: &http::HeaderMap) -> String {
    if let Some(origin) = &st.security.public_origin {
        return origin.clone();
    }
    let scheme = if st.security.secure_cookies { "https" } else { "http" };
    let host = headers.get(http::header::HOST).and_then(|h| h.to_str().ok());
    format!("{scheme}://{}", host.map_or_else(|| st.leptos_options.site_addr.to_string(), str::to_owned))
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
