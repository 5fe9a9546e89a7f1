//! REST for the system itself: liveness, database reachability and the replica's lag (for load balancers and monitors;
//! open to all).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use nexus::db::reads::ReplicaHealth;
use nexus_app::state::AppState;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` (503) when the primary database does not answer within 2 seconds.
    #[schema(example = "ok")]
    status: &'static str,
    /// The primary: `ok`, `unreachable`, or `slow` (no answer in time).
    #[schema(example = "ok")]
    database: &'static str,
    /// The streaming replica for reads that tolerate lag, when one is configured: whether it is in use, its lag
    /// and why it is out of use. Its absence or lag never makes the instance unhealthy (reads move to the primary).
    #[serde(skip_serializing_if = "Option::is_none")]
    replica: Option<ReplicaHealth>,
}

/// Longest the primary may take to answer the health check before the instance reports itself degraded.
const PING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Liveness, the primary database's reachability, and the replica's lag.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn health(State(st): State<AppState>) -> Response {
    let replica = st.reads.health();
    let database = match tokio::time::timeout(PING_TIMEOUT, nexus::db::ping(&st.pool)).await {
        Ok(Ok(())) => return Json(Health { status: "ok", database: "ok", replica }).into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "health check: database unreachable");
            "unreachable"
        }
        Err(_) => {
            tracing::error!("health check: the database did not answer in time");
            "slow"
        }
    };
    (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "degraded", database, replica })).into_response()
}

#[derive(OpenApi)]
#[openapi(paths(health), components(schemas(Health, ReplicaHealth)), tags((name = "system")))]
pub struct SystemApi;
