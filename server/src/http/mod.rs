//! HTTP edges: the router shared by production and tests, the middleware pipeline, and the REST API (one module per
//! area under `api/`).

pub mod api;
pub mod metrics;
pub mod middleware;
pub mod read_after;
pub mod router;
