//! Request pipeline: request facts, who is calling (cookies, bearer tokens, API keys, transparent refresh), CSRF, rate
//! limits and security headers. Order (outermost first) is set in `router::build_router`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::{HeaderMap, HeaderValue, Method, header};
use leptos::server_fn::ServerFn;
use nexus::domain::codes::ErrorCode;
use nexus::services::api_keys;
use nexus::services::auth::Refreshed;
use nexus::services::caller::{Principal, RequestMeta};
use nexus_app::cookies::{ACCESS_COOKIE, REFRESH_COOKIE, cleared_session_cookies, session_cookies};
use nexus_app::error::AppError;
use nexus_app::state::{AppState, Authenticated};

/// Static files never need a session, a rate-limit slot or a CSP nonce.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/favicon.ico" || path.starts_with("/assets/")
}

fn client_ip(req: &Request, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy
        && let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// Records who/where for the audit log and tags the request's tracing span.
pub async fn request_meta(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let meta = RequestMeta {
        ip: client_ip(&req, st.security.trust_proxy),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(400)
            .collect(),
        // Set by SetRequestIdLayer when absent; a client-supplied one is kept only if it looks like an id.
        request_id: req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or_default()
            .to_owned(),
    };
    req.extensions_mut().insert(meta);
    next.run(req).await
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// Resolves the caller. Bearer credentials (REST) must be valid or the request is refused; browser cookies that fail are
/// simply cleared, and an expired access cookie is renewed from the refresh cookie without the user noticing.
pub async fn authenticate(State(st): State<AppState>, jar: CookieJar, mut req: Request, next: Next) -> Response {
    if is_static(req.uri().path()) {
        return next.run(req).await;
    }
    let meta = req.extensions().get::<RequestMeta>().cloned().unwrap_or_default();
    let mut set_cookies = Vec::new();
    let principal = if let Some(token) = bearer(req.headers()) {
        let result = if api_keys::is_api_key(token) {
            api_keys::authenticate(&st.pool, token).await.map(Principal::Machine)
        } else {
            st.auth.authenticate(&st.pool, token).await.map(Principal::User)
        };
        match result {
            Ok(p) => Some(p),
            Err(e) => return AppError::from(e).into_response(),
        }
    } else {
        let mut principal = None;
        if let Some(at) = jar.get(ACCESS_COOKIE) {
            principal = st.auth.authenticate(&st.pool, at.value()).await.ok().map(Principal::User);
        }
        if principal.is_none()
            && let Some(rt) = jar.get(REFRESH_COOKIE)
        {
            match st.auth.refresh(&st.pool, rt.value(), &meta).await {
                Ok(Refreshed::Rotated(logged)) => {
                    set_cookies.extend(session_cookies(&logged.tokens, st.security.secure_cookies));
                    principal = Some(Principal::User(logged.caller));
                }
                Ok(Refreshed::Grace(caller)) => principal = Some(Principal::User(caller)),
                Err(nexus::Error::Internal(e)) => {
                    return AppError::from(nexus::Error::Internal(e)).into_response();
                }
                Err(_) => set_cookies.extend(cleared_session_cookies(st.security.secure_cookies)),
            }
        } else if principal.is_none() && jar.get(ACCESS_COOKIE).is_some() {
            set_cookies.extend(cleared_session_cookies(st.security.secure_cookies));
        }
        principal
    };
    if let Some(p) = &principal {
        let span = tracing::Span::current();
        match p {
            Principal::User(c) => {
                span.record("user_id", tracing::field::display(c.user_id));
                span.record("tenant_id", tracing::field::display(c.tenant_id));
            }
            Principal::Machine(m) => {
                span.record("api_key", tracing::field::display(m.key_id));
                span.record("tenant_id", tracing::field::display(m.tenant_id));
            }
        }
    }
    req.extensions_mut().insert(Authenticated(principal));
    let mut res = next.run(req).await;
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

fn host_origin(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
}

/// CSRF defence for cookie-authenticated writes: the browser's Origin (or Referer) must be our own. Requests that carry
/// a bearer credential are not cookie-authenticated and pass; so do cookie-less requests of machine clients.
pub async fn csrf(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || bearer(req.headers()).is_some() {
        return next.run(req).await;
    }
    let headers = req.headers();
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "null");
    let ok = match source {
        Some(src) => match &st.security.public_origin {
            Some(public) => src == public || src.starts_with(&format!("{public}/")),
            None => {
                let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
                host.is_some() && host_origin(src) == host
            }
        },
        // No Origin nor Referer: fine for a machine client without cookies, refused for a browser with them.
        None => !headers.contains_key(header::COOKIE),
    };
    if ok {
        next.run(req).await
    } else {
        tracing::warn!(origin = ?source, "cross-site write refused");
        (http::StatusCode::FORBIDDEN, axum::Json(AppError::field("origin", ErrorCode::CsrfRejected))).into_response()
    }
}

/// Keyed limiters: general traffic by user (or IP), login and registration by IP with a stricter quota.
pub struct Limits {
    general: DefaultKeyedRateLimiter<String>,
    auth: DefaultKeyedRateLimiter<String>,
    auth_paths: Vec<&'static str>,
}

impl Limits {
    pub fn new(per_min: u32, auth_per_min: u32) -> Arc<Self> {
        let q = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("non-zero"));
        Arc::new(Self {
            general: RateLimiter::keyed(q(per_min)),
            auth: RateLimiter::keyed(q(auth_per_min)),
            auth_paths: vec![
                "/api/v1/auth/login",
                "/api/v1/auth/register",
                nexus_app::auth::Login::PATH,
                nexus_app::auth::Register::PATH,
            ],
        })
    }

    /// Drops keys whose quota is full again, so memory stays bounded by recent clients.
    pub fn prune(&self) {
        self.general.retain_recent();
        self.auth.retain_recent();
    }
}

pub async fn rate_limit(State(limits): State<Arc<Limits>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_static(path) {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<RequestMeta>()
        .and_then(|m| m.ip)
        .map_or_else(|| "unknown".to_owned(), |i| i.to_string());
    let key = match req.extensions().get::<Authenticated>().and_then(|a| a.0.as_ref()) {
        Some(Principal::User(c)) => format!("user:{}", c.user_id),
        Some(Principal::Machine(m)) => format!("key:{}", m.key_id),
        None => format!("ip:{ip}"),
    };
    let strict = req.method() == Method::POST && limits.auth_paths.contains(&path);
    let checks = [Some(limits.general.check_key(&key)), strict.then(|| limits.auth.check_key(&format!("ip:{ip}")))];
    for c in checks.into_iter().flatten() {
        if let Err(not_until) = c {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            tracing::info!(%key, strict, "rate limited");
            return AppError::RateLimited { retry_after_secs }.into_response();
        }
    }
    next.run(req).await
}

/// Security headers on every response. HTML pages get their CSP (with the render's nonce) from the SSR context; this
/// adds a strict default to everything else.
pub async fn security_headers(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"),
        );
    }
    if st.security.secure_cookies {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

/// The CSP of an HTML page: scripts only from us or carrying this render's nonce, WebAssembly allowed.
pub fn page_csp(nonce: &str, dev_reload_port: Option<u32>) -> String {
    let connect = match dev_reload_port {
        Some(p) => format!("'self' ws://127.0.0.1:{p} ws://localhost:{p}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self'; connect-src {connect}; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}
