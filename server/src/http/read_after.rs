//! Read-your-writes across instances: a caller who writes gets the `nexus_wrote` cookie (when, in Unix ms; it lives
//! as long as the replica may lag, plus a margin), and each request carries it to the handlers as [`ReadAfter`], from
//! which the reads that tolerate lag pick their pool (`AppState::reads`): the replica only once it holds that write.
//! Any unsafe request of a browser (a page's form or server function) that succeeded counts as a write, unless its
//! handler declared itself a reader by picking a read pool (server functions are all POSTs); a GET never does. The
//! REST API sets no cookie: a client that must read its own write at once sends `Cache-Control: no-cache`, and that
//! read goes to the primary.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use http::{HeaderValue, Method, header};
use nexus_app::state::{AppState, ReadAfter};

/// The cookie's name.
pub const COOKIE: &str = "nexus_wrote";

pub async fn read_after(State(st): State<AppState>, jar: CookieJar, mut req: Request, next: Next) -> Response {
    let now = chrono::Utc::now().timestamp_millis();
    // A REST client that must see its own latest write asks for fresh data (`Cache-Control: no-cache`): as if it had
    // just written. REST clients get no cookie (they keep no jar, and an API answers none).
    let fresh = req
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-cache") || v.contains("max-age=0"));
    let wrote_at = if fresh { Some(now) } else { jar.get(COOKIE).and_then(|c| c.value().parse::<i64>().ok()) };
    let read_after = ReadAfter { wrote_at, ..ReadAfter::default() };
    let browser = !req.uri().path().starts_with("/api/v1/");
    let unsafe_method = browser && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    req.extensions_mut().insert(read_after.clone());
    let mut res = next.run(req).await;
    let wrote = unsafe_method
        && (res.status().is_success() || res.status().is_redirection())
        && !read_after.read_only.load(std::sync::atomic::Ordering::Relaxed);
    if wrote {
        let cookie = cookie::Cookie::build((COOKIE, now.to_string()))
            .path("/")
            .http_only(true)
            .secure(st.security.secure_cookies)
            .same_site(cookie::SameSite::Lax)
            .max_age(cookie::time::Duration::seconds(st.security.wrote_cookie_secs))
            .build();
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}
