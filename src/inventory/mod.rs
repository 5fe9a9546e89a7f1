//! Bodega inventory: the spreadsheets bodegas upload, understood, previewed and committed as stock per location,
//! and the availability workshops see on a part's page. Tenant data (each bodega its own), under row-level security.
//!
//! `rules` holds the pure part (reading a file's encoding and delimiter, the mapping of columns to fields, what a row
//! must hold); `store` (behind `ssr`) matches staged rows to catalog items and counts or writes them set-based.

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;

#[cfg(all(test, feature = "ssr"))]
mod tests;
