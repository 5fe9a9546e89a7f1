//! The flows that combine domain rules with storage: what a server function or a REST handler calls. Each flow opens its
//! own transaction in the right scope, checks the caller's permission first, and writes its audit entry in the same
//! transaction as the change it records.

pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod caller;
pub mod demo;
pub mod error;
pub mod users;
