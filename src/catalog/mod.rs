//! Catalog: the auto-parts workshops search. OEM parts with their manufacturers and groups, the vehicles they fit,
//! aftermarket parts that replace them, and cross-references (other numbers for a part, superseded numbers included).
//! Platform data: no tenant owns it; admins load it, everyone signed in (and API keys with `catalog:read`) reads it.
//!
//! `rules` holds the pure part (part-number keys, how a search box query is understood, the legacy `AFT-` key rule,
//! the catalog's kinds); `service` and `store` (behind `ssr`) come with the import, search and migration flows.

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;

#[cfg(all(test, feature = "ssr"))]
mod tests;
