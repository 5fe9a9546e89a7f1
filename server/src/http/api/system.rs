//! REST for the system itself: liveness and database reachability (for load balancers and monitors; open to all).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use nexus_app::state::AppState;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    status: &'static str,
    #[schema(example = "ok")]
    database: &'static str,
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn health(State(st): State<AppState>) -> Response {
    match nexus::db::ping(&st.pool).await {
        Ok(()) => Json(Health { status: "ok", database: "ok" }).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "degraded", database: "unreachable" }))
                .into_response()
        }
    }
}

#[derive(OpenApi)]
#[openapi(paths(health), components(schemas(Health)), tags((name = "system")))]
pub struct SystemApi;
