//! The Nexus process: configuration, start-up, the HTTP router, the private PostgreSQL launcher and the CLI tools
//! (`cli/<area>/`: the benches, the plant simulator, catalog administration).

pub mod cli;
pub mod config;
pub mod http;
pub mod jobs;
pub mod pg;
pub mod startup;
