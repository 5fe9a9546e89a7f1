//! The Nexus process: configuration, start-up, the HTTP router, the private PostgreSQL launcher and the CLI tools.

pub mod bench;
pub mod bench_catalog;
pub mod bench_inventory;
pub mod bench_production;
pub mod cli;
pub mod config;
pub mod http;
pub mod jobs;
pub mod pg;
pub mod simulate;
pub mod startup;
