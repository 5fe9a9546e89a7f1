//! Identity: tenants, users, sessions, API keys and who may do what.
//!
//! `rules` holds the pure part (roles and the permission matrix, API scopes, tenant kinds and statuses, the password
//! and registration rules, access-token claims); `service` the flows (login, refresh rotation, registration, user
//! administration, API keys, demo seeding); `store` the SQL, private to this area.

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;

#[cfg(all(test, feature = "ssr"))]
mod tests;
