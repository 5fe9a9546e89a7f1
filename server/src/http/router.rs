//! The application router: one `build_router` used by `main` and by every HTTP test, so tests exercise exactly the
//! production pipeline.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware::from_fn_with_state;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, ResponseOptions, generate_route_list};
use nexus_app::state::AppState;
use nexus_app::{App, shell};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use super::middleware::{self as mw, Limits};

pub fn build_router(state: AppState) -> Router {
    build_router_with_limits(
        state.clone(),
        Limits::new(state.security.rate_limit_per_min, state.security.auth_rate_limit_per_min),
    )
}

pub fn build_router_with_limits(state: AppState, limits: Arc<Limits>) -> Router {
    let routes = generate_route_list(App);
    let reload_port =
        (state.leptos_options.env == leptos::config::Env::DEV).then_some(state.leptos_options.reload_port);
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            // HTML pages: the CSP names this render's nonce, which Leptos puts on its hydration scripts.
            if let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
                && let Ok(v) = HeaderValue::from_str(&mw::page_csp(&nonce, reload_port))
            {
                res.insert_header(header::CONTENT_SECURITY_POLICY, v);
            }
        }
    };
    let app = Router::new()
        .nest("/api/v1", super::api::router(state.upload_limits))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(axum::middleware::from_fn(mw::catch_panic))
        .layer(axum::middleware::from_fn(mw::server_fn_status))
        .layer(from_fn_with_state(limits.clone(), mw::rate_limit))
        .layer(from_fn_with_state(state.clone(), super::read_after::read_after))
        .layer(from_fn_with_state(state.clone(), mw::authenticate))
        .layer(from_fn_with_state(limits, mw::rate_limit_credentials))
        .layer(from_fn_with_state(state.clone(), mw::csrf))
        .layer(from_fn_with_state(state.clone(), mw::request_meta))
        .layer(from_fn_with_state(state.clone(), mw::security_headers))
        .layer(from_fn_with_state(state.clone(), mw::time_limit))
        .layer(axum::middleware::from_fn(super::metrics::observe))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &http::Request<_>| {
            let rid = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %rid,
                user_id = tracing::field::Empty, tenant_id = tracing::field::Empty, api_key = tracing::field::Empty)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state.clone());
    // The built assets skip sessions and rate limits (a page needs several; they are public and cached), but keep
    // the security headers. Everything else is compressed on the fly when the browser accepts it.
    Router::new()
        .nest_service("/pkg", assets(&state.leptos_options))
        .layer(from_fn_with_state(state, mw::security_headers))
        .merge(app)
        .layer(CompressionLayer::new())
}

/// `/pkg`: the JS, WASM and CSS the build wrote, sent precompressed (brotli or gzip, whichever the browser accepts,
/// from the `.br`/`.gz` files the build made). A name carrying a content hash (`nexus.3f2a….wasm`) never changes
/// content, so browsers keep it for a year without asking; anything else is revalidated.
fn assets(options: &leptos::config::LeptosOptions) -> Router {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(axum::middleware::map_response(cache_policy))
}

async fn cache_policy(uri: http::Uri, mut res: axum::response::Response) -> axum::response::Response {
    let name = uri.path().rsplit('/').next().unwrap_or_default();
    let hashed = name.split('.').any(|part| part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()));
    let policy = if res.status().is_success() && hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    // The same URL is sent in three encodings: a shared cache must key on what the browser accepts.
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}
