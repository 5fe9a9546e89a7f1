//! Nexus business core.
//!
//! `domain` is pure logic that compiles to WebAssembly and is shared with the browser; `store` (PostgreSQL through sqlx)
//! and `services` (the flows that combine domain rules with storage) exist only with the `ssr` feature, so the browser
//! bundle never links a database driver.

pub mod domain;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "ssr")]
pub use services::error::{Error, Result};
