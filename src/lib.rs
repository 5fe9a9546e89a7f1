//! Nexus business core, one folder per product area (see ARCHITECTURE.md).
//!
//! Each area (`identity`, `catalog`, `inventory`, `production`, `stockroom`, `mes`, `fabrication`) keeps its pure rules in `rules`
//! (no IO: they compile to WebAssembly and are shared with the browser) and, behind the `ssr` feature, its SQL in a
//! private `store` and its flows in `service`, which is what the edges (`app`, `server`) call. Cross-cutting pieces sit
//! beside the areas: error codes, CSV safety, numbers as people write them and the one way to page a list (pure), and behind `ssr` the database
//! scoping (`db`), the core error (`error`), who is calling (`caller`), the audit trail (`audit`), the notification centre (`notify`, its rules pure), the workflow mechanism (`workflow`) and the one
//! background-job runner (`jobs`, each area listing its own) and outgoing e-mail (`mail`). The browser
//! bundle never links a database driver.

pub mod catalog;
pub mod codes;
pub mod csv_safe;
pub mod fabrication;
pub mod files;
pub mod identity;
pub mod ids;
pub mod inventory;
pub mod mes;
pub mod notify;
pub mod numbers;
pub mod paging;
pub mod production;
pub mod stockroom;
pub mod workflow;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod caller;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod error;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod mail;

#[cfg(feature = "ssr")]
pub use error::{Error, Result};

#[cfg(test)]
mod tidy;
