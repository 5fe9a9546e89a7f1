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
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
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
    Router::new()
        .nest("/api/v1", super::api::router())
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(from_fn_with_state(limits.clone(), mw::rate_limit))
        .layer(from_fn_with_state(state.clone(), mw::authenticate))
        .layer(from_fn_with_state(limits, mw::rate_limit_credentials))
        .layer(from_fn_with_state(state.clone(), mw::csrf))
        .layer(from_fn_with_state(state.clone(), mw::request_meta))
        .layer(from_fn_with_state(state.clone(), mw::security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &http::Request<_>| {
            let rid = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %rid,
                user_id = tracing::field::Empty, tenant_id = tracing::field::Empty, api_key = tracing::field::Empty)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
