//! HTTP edges: the router shared by production and tests, the middleware pipeline and the REST API.

pub mod middleware;
pub mod rest;
pub mod router;
