//! Metrics in Prometheus' text format, on a listener of their own (`NEXUS_METRICS_ADDR`, never the app's address, so
//! a scraper needs no account and the internet never sees them). The recorder is `metrics-exporter-prometheus`; the
//! figures are recorded where things happen, through the `metrics` facade:
//! - here, every request: `nexus_http_request_duration_seconds{route, method, status}` (a histogram: its `_count`
//!   is the requests), the route as the router matched it (or the server function's path; `other` for the rest, so
//!   made-up paths never make new series);
//! - `nexus_db_begin_seconds{pool}` (waiting for a connection and BEGIN), `nexus_db_pool_connections{pool, state}`,
//!   `nexus_db_pool_max{pool}`, `nexus_db_replica_lag_seconds`, `nexus_db_replica_in_use` (the core's `db`);
//! - `nexus_job_rounds_total{job, outcome}`, `nexus_job_round_seconds{job}` (the job runner);
//! - `nexus_sse_streams_open`, `nexus_upload_rows_total{mode}`, `nexus_ingest_units_total`,
//!   `nexus_rate_limited_total{limit}`, `nexus_requests_timed_out_total`.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets (seconds): fine where the targets are (100 ms, 250 ms), coarse past a second.
const BUCKETS: &[f64] =
    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder (once per process) and serves `/metrics` on `addr`.
pub async fn serve(addr: SocketAddr) -> Result<()> {
    let handle = install()?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr} (metrics)"))?;
    let app = Router::new().route("/metrics", get(move || std::future::ready(handle.render())));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    // The recorder keeps histograms' samples until they are rendered: drain them even when nobody scrapes.
    let upkeep = HANDLE.get().cloned();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Some(h) = &upkeep {
                h.run_upkeep();
            }
        }
    });
    tracing::info!(%addr, "metrics at /metrics");
    Ok(())
}

/// Installs the Prometheus recorder as the process's (once).
pub fn install() -> Result<PrometheusHandle> {
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), BUCKETS)
        .context("the metrics' buckets")?
        .install_recorder()
        .context("installing the metrics recorder")?;
    Ok(HANDLE.get_or_init(|| handle).clone())
}

/// The route a request is counted under: the router's pattern, a server function's own path, or `other`.
fn route_of(req: &Request) -> String {
    if let Some(m) = req.extensions().get::<MatchedPath>() {
        let m = m.as_str();
        // Leptos' server functions share one wildcard route; their paths are a fixed set.
        if !m.contains('*') {
            return m.to_owned();
        }
    }
    let path = req.uri().path();
    if path.starts_with("/api/ui/") {
        return path.to_owned();
    }
    if path.starts_with("/pkg/") {
        return "/pkg".to_owned();
    }
    "other".to_owned()
}

/// Records each request's duration under its route, method and status.
pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_of(&req);
    let method = req.method().as_str().to_owned();
    let res = next.run(req).await;
    metrics::histogram!(
        "nexus_http_request_duration_seconds",
        "route" => route,
        "method" => method,
        "status" => res.status().as_u16().to_string()
    )
    .record(started.elapsed().as_secs_f64());
    res
}
