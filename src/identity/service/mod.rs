//! The identity flows that the edges call. Each opens its own transaction in the right scope, checks the caller's
//! permission first, and writes its audit entry in the same transaction as the change it records.

pub mod api_keys;
pub mod auth;
pub mod demo;
pub mod maintenance;
mod passwords;
pub mod users;
