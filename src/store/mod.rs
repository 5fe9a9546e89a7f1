//! PostgreSQL access, one module per aggregate. Functions take a pool or a transaction already scoped to a tenant (see
//! [`db`]) and return row types that stay inside the server.

pub mod api_keys;
pub mod audit;
pub mod db;
pub mod sessions;
pub mod tenants;
pub mod users;

/// The schema migrations, embedded at compile time from `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();
