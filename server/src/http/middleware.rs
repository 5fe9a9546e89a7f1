//! Request pipeline: request facts, who is calling (cookies, bearer tokens, API keys, transparent refresh), CSRF, rate
//! limits and security headers. Order (outermost first) is set in `router::build_router`.
//!
//! Requests that present a bearer credential are counted against their address before the credential is looked up,
//! so guessing tokens costs the guesser their rate limit, not the database a lookup each. Rate limits count per user,
//! key or address (login and registration per address), an IPv6 address per /64, twice: each instance's own
//! (`governor`: smooth, in memory), and one count shared by every instance in PostgreSQL (leased a few requests at a
//! time), so behind a balancer a client gets its quota once, not once per instance. A request has a bound on its time
//! (`time_limit`).

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
use nexus::caller::{Caller, RequestMeta};
use nexus::codes::ErrorCode;
use nexus::identity::service::api_keys;
use nexus::identity::service::rate_limits::{Limited, SharedLimit};
use nexus_app::cookies::{
    access_cookie_name, cleared_session_cookies, device_cookie_name, ended_session_cookies, refresh_cookie_name,
    session_cookies,
};
use nexus_app::error::AppError;
use nexus_app::state::{AppState, Authenticated};

/// Static files never need a session, a rate-limit slot or a CSP nonce.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/favicon.ico" || path.starts_with("/assets/")
}

/// The client's address. Behind our proxy (`NEXUS_TRUST_PROXY`), the right-most `X-Forwarded-For` entry: the one our
/// proxy appended. Entries to its left were written by the client and prove nothing.
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trust_proxy: bool) -> Option<IpAddr> {
    // An IPv4 client seen through a dual-stack socket (`::ffff:a.b.c.d`) is the IPv4 address: the audit log, the rate
    // limits and sign-in throttling's networks all compare it as one.
    received_ip(headers, peer, trust_proxy).map(|ip| ip.to_canonical())
}

fn received_ip(headers: &HeaderMap, peer: Option<IpAddr>, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy
        && let Some(ip) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .next_back()
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    peer
}

/// The rate-limit key of an address: an IPv6 client controls a whole /64, so that is the unit.
pub fn ip_key(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(IpAddr::V6(v6)) => {
            format!("ip:{}", v6.to_ipv4_mapped().map_or_else(|| v6.to_string(), |v4| v4.to_string()))
        }
        Some(IpAddr::V4(v4)) => format!("ip:{v4}"),
        None => "ip:unknown".to_owned(),
    }
}

/// Records who/where for the audit log and tags the request's tracing span.
pub async fn request_meta(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let meta = RequestMeta {
        ip: client_ip(
            req.headers(),
            req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()),
            st.security.trust_proxy,
        ),
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
        device: axum_extra::extract::cookie::CookieJar::from_headers(req.headers())
            .get(device_cookie_name(st.security.secure_cookies))
            .map(|c| c.value().to_owned()),
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
/// simply cleared, and an expired access cookie is renewed from the refresh cookie without the user noticing. A
/// database outage answers 503: it must not look like being signed out.
pub async fn authenticate(State(st): State<AppState>, jar: CookieJar, mut req: Request, next: Next) -> Response {
    if is_static(req.uri().path()) {
        return next.run(req).await;
    }
    let meta = req.extensions().get::<RequestMeta>().cloned().unwrap_or_default();
    let secure = st.security.secure_cookies;
    let mut set_cookies = Vec::new();
    let caller = if let Some(token) = bearer(req.headers()) {
        let result = if api_keys::is_api_key(token) {
            api_keys::authenticate(&st.pool, token).await.map(Caller::Machine)
        } else {
            st.auth.authenticate(&st.pool, token, &meta).await.map(Caller::User)
        };
        match result {
            Ok(c) => Some(c),
            // An operation that needs no caller ignores a credential that fails (it is served as without one); an
            // outage is still an outage.
            Err(e)
                if !matches!(e, nexus::Error::Unavailable(_) | nexus::Error::Internal(_))
                    && super::api::credential_optional(req.method(), req.uri().path()) =>
            {
                None
            }
            Err(e) => return AppError::from(e).into_response(),
        }
    } else {
        let mut caller = None;
        // Why the session the cookies name has ended, when it has: the sign-in page tells the user.
        let mut ended = None;
        if let Some(at) = jar.get(access_cookie_name(secure)) {
            match st.auth.authenticate(&st.pool, at.value(), &meta).await {
                Ok(u) => caller = Some(Caller::User(u)),
                Err(e @ (nexus::Error::Unavailable(_) | nexus::Error::Internal(_))) => {
                    return AppError::from(e).into_response();
                }
                Err(e) => ended = ending(&e, false),
            }
        }
        if caller.is_none()
            && let Some(rt) = jar.get(refresh_cookie_name(secure))
        {
            match st.auth.refresh(&st.pool, rt.value(), &meta).await {
                Ok(logged) => {
                    set_cookies.extend(session_cookies(&logged.tokens, secure));
                    caller = Some(Caller::User(logged.user));
                }
                Err(e @ (nexus::Error::Unavailable(_) | nexus::Error::Internal(_))) => {
                    return AppError::from(e).into_response();
                }
                Err(e) => ended = ending(&e, true).or(ended),
            }
        }
        if caller.is_none()
            && (jar.get(access_cookie_name(secure)).is_some() || jar.get(refresh_cookie_name(secure)).is_some())
        {
            match ended {
                Some(code) => set_cookies.extend(ended_session_cookies(code, secure)),
                None => set_cookies.extend(cleared_session_cookies(secure)),
            }
        }
        caller
    };
    if let Some(c) = &caller {
        let span = tracing::Span::current();
        match c {
            Caller::User(u) => {
                span.record("user_id", tracing::field::display(u.user_id));
                span.record("tenant_id", tracing::field::display(u.tenant_id));
            }
            Caller::Machine(m) => {
                span.record("api_key", tracing::field::display(m.key_id));
                span.record("tenant_id", tracing::field::display(m.tenant_id));
            }
        }
    }
    req.extensions_mut().insert(Authenticated(caller));
    let mut res = next.run(req).await;
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// The reason a failed credential gives that the user should hear: a session that ended. Not a malformed token, and
/// not an access token past its few minutes (routine: the refresh token decides then); from the refresh token,
/// "expired" is the session's own timeout (30 idle minutes, 12 hours).
fn ending(e: &nexus::Error, refresh: bool) -> Option<nexus::codes::ErrorCode> {
    use nexus::codes::ErrorCode as E;
    match e {
        nexus::Error::Unauthorized(
            code @ (E::SessionEnded | E::AccountDeactivated | E::OrganisationSuspended | E::RefreshReused),
        ) => Some(*code),
        nexus::Error::Unauthorized(E::SessionExpired) if refresh => Some(E::SessionExpired),
        _ => None,
    }
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

/// Keyed limiters: general traffic by user (or IP), login and registration by IP with a stricter quota. Each is the
/// instance's own (`governor`: smooth, in memory, refusing a flood without a database round trip) and, in a server,
/// also shared by every instance (`nexus::identity::service::rate_limits`: the same quota counted once across them).
pub struct Limits {
    general: DefaultKeyedRateLimiter<String>,
    /// Bearer-credential requests per address, counted before the credential is checked.
    credentials: DefaultKeyedRateLimiter<String>,
    auth: DefaultKeyedRateLimiter<String>,
    auth_paths: Vec<&'static str>,
    shared: Option<Shared>,
}

/// The same three limits, counted across instances.
struct Shared {
    general: SharedLimit,
    credentials: SharedLimit,
    auth: SharedLimit,
}

impl Limits {
    /// The instance's own limits and the shared ones (a server's).
    pub fn shared(pool: &nexus::db::PgPool, per_min: u32, auth_per_min: u32) -> Arc<Self> {
        let mut limits = Self::build(per_min, auth_per_min);
        limits.shared = Some(Shared {
            general: SharedLimit::new(pool.clone(), per_min),
            credentials: SharedLimit::new(pool.clone(), per_min),
            auth: SharedLimit::new(pool.clone(), auth_per_min),
        });
        Arc::new(limits)
    }

    /// The instance's own limits only.
    pub fn new(per_min: u32, auth_per_min: u32) -> Arc<Self> {
        Arc::new(Self::build(per_min, auth_per_min))
    }

    fn build(per_min: u32, auth_per_min: u32) -> Self {
        let q = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("non-zero"));
        Self {
            shared: None,
            general: RateLimiter::keyed(q(per_min)),
            credentials: RateLimiter::keyed(q(per_min)),
            auth: RateLimiter::keyed(q(auth_per_min)),
            auth_paths: vec![
                "/api/v1/auth/login",
                "/api/v1/auth/register",
                nexus_app::identity::login::Login::PATH,
                nexus_app::identity::register::Register::PATH,
                // An invitation's token is a credential too: guessing at it is throttled like a password.
                "/api/v1/invitations/accept",
                nexus_app::identity::invitations::AcceptInvitation::PATH,
                nexus_app::identity::invitations::Invitation::PATH,
            ],
        }
    }

    /// Drops keys whose quota is full again, so memory stays bounded by recent clients.
    pub fn prune(&self) {
        self.general.retain_recent();
        self.credentials.retain_recent();
        self.auth.retain_recent();
        if let Some(s) = &self.shared {
            s.general.prune();
            s.credentials.prune();
            s.auth.prune();
        }
    }
}

/// The most of a refused request's body read and dropped, and for how long, so its client gets the answer.
const DRAIN_MAX_BYTES: usize = 64 << 20;
const DRAIN_FOR: std::time::Duration = std::time::Duration::from_secs(15);

/// 429 with Retry-After, answered before the body is read. The body the client is still sending is read and dropped
/// in the background (up to [`DRAIN_MAX_BYTES`] or [`DRAIN_FOR`]): a server that closed the connection on unread data
/// would have the kernel reset it, and the client would see a broken pipe instead of the answer (issue 22).
fn limited(not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>, key: &str, req: Request) -> Response {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    tracing::info!(%key, "rate limited");
    drain(req.into_body());
    AppError::RateLimited { retry_after_secs }.into_response()
}

/// 429 for a key whose shared quota (across instances) is spent this minute.
fn shared_limited(limited: Limited, limit: &'static str, key: &str, req: Request) -> Response {
    tracing::info!(%key, limit, "rate limited (shared)");
    metrics::counter!("nexus_rate_limited_total", "limit" => limit).increment(1);
    drain(req.into_body());
    AppError::RateLimited { retry_after_secs: limited.retry_after_secs }.into_response()
}

fn drain(body: axum::body::Body) {
    use futures_util::StreamExt;
    tokio::spawn(async move {
        let mut stream = body.into_data_stream();
        let mut read = 0;
        let _ = tokio::time::timeout(DRAIN_FOR, async {
            while let Some(Ok(chunk)) = stream.next().await {
                read += chunk.len();
                if read > DRAIN_MAX_BYTES {
                    break;
                }
            }
        })
        .await;
    });
}

fn request_ip(req: &Request) -> Option<IpAddr> {
    req.extensions().get::<RequestMeta>().and_then(|m| m.ip)
}

/// Before authentication: a request presenting a bearer credential spends one of its address's requests, valid or not,
/// so a flood of made-up tokens meets 429 instead of a database lookup each.
pub async fn rate_limit_credentials(State(limits): State<Arc<Limits>>, req: Request, next: Next) -> Response {
    if bearer(req.headers()).is_some() {
        let key = ip_key(request_ip(&req));
        if let Err(not_until) = limits.credentials.check_key(&key) {
            return limited(not_until, &key, req);
        }
        if let Some(s) = &limits.shared
            && let Err(l) = s.credentials.check(&format!("cred:{key}")).await
        {
            return shared_limited(l, "credentials", &key, req);
        }
    }
    next.run(req).await
}

/// After authentication: general traffic per user, key or address; login and registration also per address, stricter.
pub async fn rate_limit(State(limits): State<Arc<Limits>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_static(path) {
        return next.run(req).await;
    }
    let ip = ip_key(request_ip(&req));
    let key = match req.extensions().get::<Authenticated>().and_then(|a| a.0.as_ref()) {
        Some(Caller::User(u)) => format!("user:{}", u.user_id),
        Some(Caller::Machine(m)) => format!("key:{}", m.key_id),
        None => ip.clone(),
    };
    if let Err(not_until) = limits.general.check_key(&key) {
        return limited(not_until, &key, req);
    }
    let strict = req.method() == Method::POST && limits.auth_paths.contains(&path);
    if strict && let Err(not_until) = limits.auth.check_key(&ip) {
        return limited(not_until, &ip, req);
    }
    if let Some(s) = &limits.shared {
        if let Err(l) = s.general.check(&key).await {
            return shared_limited(l, "general", &key, req);
        }
        if strict && let Err(l) = s.auth.check(&format!("auth:{ip}")).await {
            return shared_limited(l, "auth", &ip, req);
        }
    }
    next.run(req).await
}

/// Answers 503 "try again" (with Retry-After) when a request has no answer within the bound (`NEXUS_REQUEST_TIMEOUT_SECS`):
/// a frozen or saturated database, a lock held, never a hang. The bound covers producing the response's head: an
/// event stream's or a download's body flows on after it. Uploads (and other multipart bodies) are exempt: reading
/// a large file over a slow line and checking it row by row takes as long as it takes, with its own progress.
pub async fn time_limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    if multipart || req.uri().path().contains("/upload") {
        return next.run(req).await;
    }
    let (page, english) = wants_page(&req);
    match tokio::time::timeout(st.security.request_timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            metrics::counter!("nexus_requests_timed_out_total").increment(1);
            tracing::warn!(timeout_secs = st.security.request_timeout.as_secs(), "request timed out");
            if !page {
                return AppError::Unavailable.into_response();
            }
            let words = if english {
                ("Nexus is busy", "This took too long to answer. Nothing was lost; try again in a few seconds.")
            } else {
                (
                    "Nexus está ocupado",
                    "La respuesta tardó demasiado. No se perdió nada; vuelva a intentarlo en unos segundos.",
                )
            };
            failure_page(axum::http::StatusCode::SERVICE_UNAVAILABLE, english, words)
        }
    }
}

/// The HTTP status of a server function's error is the error's own, whichever way the function built it. Leptos
/// answers 500 for every error a server function returns unless the function set the status itself (`AppError`'s
/// `with_status`, which the core's errors pass through); an error made in the function (`AppError::field`) did not,
/// and a user's bad input came back as a 500 with a 422's body (issue 22, found by `tests/http/server_fns.rs`). A
/// 500 whose body is an `AppError` of another kind gets that kind's status (and Retry-After) here.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let server_fn = req.uri().path().starts_with("/api/ui/");
    let res = next.run(req).await;
    if !server_fn || res.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 << 10).await else {
        return AppError::Internal.into_response();
    };
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(e) if e.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR => {
            // The function's own headers (a cookie it set before failing) stay; the status is the error's.
            let mut fixed = e.into_response();
            for (name, value) in &parts.headers {
                if !matches!(*name, header::CONTENT_LENGTH | header::CONTENT_TYPE)
                    && !fixed.headers().contains_key(name)
                {
                    fixed.headers_mut().append(name.clone(), value.clone());
                }
            }
            fixed
        }
        _ => Response::from_parts(parts, axum::body::Body::from(bytes)),
    }
}

/// A request whose handler panics (a bug, never the user's input) gets an answer instead of a closed connection: the
/// panic is logged with its message and request id, and the client gets a 500 it can read, a page in its language
/// for a browser, the house's JSON error otherwise, with nothing of the panic in it.
pub async fn catch_panic(req: Request, next: Next) -> Response {
    use futures_util::FutureExt;
    let (page, english) = wants_page(&req);
    match std::panic::AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(res) => res,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(panic = %what, "the request panicked");
            if !page {
                return AppError::Internal.into_response();
            }
            let words = if english {
                ("Something went wrong", "The page could not be shown. Nothing you did caused it; it has been logged.")
            } else {
                ("Algo salió mal", "No pudimos mostrar la página. No es por nada que hiciera usted; quedó registrado.")
            };
            failure_page(axum::http::StatusCode::INTERNAL_SERVER_ERROR, english, words)
        }
    }
}

/// Whether a request is a browser's page load (not the API), and whether its reader chose English.
fn wants_page(req: &Request) -> (bool, bool) {
    let page = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
        && !req.uri().path().starts_with("/api/");
    let english = CookieJar::from_headers(req.headers()).get("i18n_pref_locale").is_some_and(|c| c.value() == "en");
    (page, english)
}

/// A plain page for a failure the app's own pages could not show: its title and what happened, in the reader's
/// language, with a link to try again.
fn failure_page(status: axum::http::StatusCode, english: bool, (title, body): (&str, &str)) -> Response {
    let (lang, again) = if english { ("en", "Try again") } else { ("es", "Reintentar") };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title} · Nexus</title></head><body><main>\
         <h1>{title}</h1><p>{body}</p><p><a href=\"\">{again}</a> · <a href=\"/\">Nexus</a></p></main></body></html>"
    );
    let mut res = (status, [(header::CACHE_CONTROL, "no-store")], axum::response::Html(html)).into_response();
    if status == axum::http::StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    res
}

/// The one page allowed the camera.
pub const COUNTER_PATH: &str = "/stock/counter";

/// Security headers on every response. HTML pages get their CSP (with the render's nonce) from the SSR context; this
/// adds a strict default to everything else.
pub async fn security_headers(State(st): State<AppState>, req: Request, next: Next) -> Response {
    // The stock room's counter scans with the camera where the browser offers it; no other page may use it. A
    // document keeps the policy it was loaded with, so links to the counter load it afresh (`rel="external"`).
    let camera = req.uri().path() == COUNTER_PATH;
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(if camera {
            "camera=(self), microphone=(), geolocation=()"
        } else {
            "camera=(), microphone=(), geolocation=()"
        }),
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn behind_a_proxy_the_client_is_the_right_most_forwarded_hop() {
        let peer = Some("10.0.0.1".parse().unwrap());
        let ip = |h: &HeaderMap, trust| client_ip(h, peer, trust).map(|i| i.to_string());
        // The client wrote "6.6.6.6"; our proxy appended the address it saw.
        assert_eq!(ip(&xff(&["6.6.6.6, 203.0.113.7"]), true).as_deref(), Some("203.0.113.7"));
        assert_eq!(ip(&xff(&["6.6.6.6", "203.0.113.8"]), true).as_deref(), Some("203.0.113.8"));
        // Not behind a proxy: the header is ignored.
        assert_eq!(ip(&xff(&["6.6.6.6"]), false).as_deref(), Some("10.0.0.1"));
        assert_eq!(ip(&xff(&["garbage"]), true).as_deref(), Some("10.0.0.1"));
        // An IPv4 client through a dual-stack socket or a proxy writing mapped addresses is its IPv4 address (the
        // audit log and sign-in throttling compare networks, and PostgreSQL never matches IPv4 within IPv6).
        let mapped = Some("::ffff:198.51.100.9".parse().unwrap());
        assert_eq!(client_ip(&HeaderMap::new(), mapped, false).map(|i| i.to_string()).as_deref(), Some("198.51.100.9"));
        assert_eq!(ip(&xff(&["::ffff:203.0.113.9"]), true).as_deref(), Some("203.0.113.9"));
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        let a = ip_key(Some("2001:db8:1:2:aaaa::1".parse().unwrap()));
        let b = ip_key(Some("2001:db8:1:2:bbbb::9".parse().unwrap()));
        let other = ip_key(Some("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_eq!(ip_key(Some("::ffff:192.0.2.1".parse().unwrap())), "ip:192.0.2.1");
        assert_eq!(ip_key(Some("192.0.2.1".parse().unwrap())), "ip:192.0.2.1");
    }

    /// A handler that panics answers 500 (a page in the browser's language, JSON for the API) instead of the closed
    /// connection the browser reported as `ERR_EMPTY_RESPONSE` (CI, stop 42).
    #[tokio::test]
    async fn a_panicking_handler_still_answers() {
        use tower::ServiceExt;
        async fn boom() -> Response {
            panic!("a bug")
        }
        let app = axum::Router::new()
            .route("/page", axum::routing::get(boom))
            .route("/api/v1/thing", axum::routing::get(boom))
            .layer(axum::middleware::from_fn(catch_panic));
        let ask = |path: &str, cookie: Option<&str>| {
            let mut b = Request::builder().uri(path).header(header::ACCEPT, "text/html,*/*");
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            b.body(axum::body::Body::empty()).unwrap()
        };
        let text = |res: Response| async move {
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        let res = app.clone().oneshot(ask("/page", None)).await.unwrap();
        assert_eq!(res.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let page = text(res).await;
        assert!(page.contains("lang=\"es\"") && page.contains("Algo salió mal") && !page.contains("a bug"), "{page}");
        let res = app.clone().oneshot(ask("/page", Some("i18n_pref_locale=en"))).await.unwrap();
        assert!(text(res).await.contains("Something went wrong"));
        let res = app.oneshot(ask("/api/v1/thing", None)).await.unwrap();
        assert_eq!(res.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = text(res).await;
        assert!(body.starts_with('{') && !body.contains("a bug"), "{body}");
    }
}
