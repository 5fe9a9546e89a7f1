//! Catalog: the auto-parts workshops search. OEM parts with their manufacturers and groups, the vehicles they fit,
//! aftermarket parts that replace them, and cross-references (other numbers for a part, superseded numbers included).
//! Platform data: no tenant owns it; admins load it, everyone signed in (and API keys with `catalog:read`) reads it.
//!
//! # Rules
//!
//! `rules` is pure: part-number keys (`number.rs`), how the search box reads a query (`query.rs`), the search's shared
//! types and pure steps (`search.rs`: the request, the page of results, the word query with synonyms and corrections,
//! keyset cursors, marked matches), the part page's types (`part.rs`), the legacy `AFT-` key rule (`legacy.rs`), tiers,
//! fuels and cross-reference kinds (`kinds.rs`) and the import files' row rules (`import.rs`). The search and part
//! types are serde-shaped values built for the wire: the pages and `/api/v1/parts/*` send them as they are.
//!
//! # Import, generation, legacy migration
//!
//! `service/import.rs` streams each CSV file through COPY into a temporary staging table while a blocking thread parses
//! it, then `store/import.rs` upserts set-based by natural key, in key order, in one transaction per import. Into an
//! empty table it is a bulk load: its secondary indexes and foreign keys are set aside and rebuilt once before the
//! commit (`store::import::set_aside` / `put_back`, the one place that runs DDL, as the login role for those statements
//! only, then back to `nexus_app`). `service/generate.rs` writes deterministic, realistic import files (demo data and
//! benchmarks; the server's start-up loads a demo set in the background on a demo start with an empty catalog).
//! `service/legacy.rs` moves `AFT-` fake OEM parts to aftermarket rows set-based (`store/legacy.rs`).
//!
//! # Search
//!
//! `service/search.rs` is the one search box: what the words are, the closest catalog words for unknown ones, then the
//! search with its page, counts and groups. `store/search.rs` assembles the last from fragments so each filter's shape
//! gets its own plan, and names the index behind each step. A broad search (more than `BROAD_AT` candidates) is read
//! another way: its counts estimated from a sample of the catalog's pages, its page walked in rank order through
//! `catalog_parts_rank_idx` tier by tier (the walk's read-only transaction turns bitmap scans and sorts off); a narrow
//! one is fetched, ranked and counted exactly. `catalog_parts.vehicle_ids` (kept by the fitment import) lets the
//! vehicle filter meet the word index in one bitmap AND. `service/cache.rs` keeps search pages in memory (`moka`, in
//! the server's state, used by the page and REST); statement triggers on every catalog table notify `catalog_changed`
//! on commit and each instance's listener (`db::listen`) empties its cache. `service/parts.rs` serves the part page,
//! the vehicle cascade and the admin overview.
//!
//! # Data access
//!
//! Catalog tables are readable in every scope and writable only in `Scope::Platform` (RLS policies `catalog_read` /
//! `catalog_write`). Searches run on pooled connections without a transaction; a broad search's walk (and `explain`)
//! opens a read-only one of its own with `pool.begin()` for its planner settings (`explain`, for the bench, one it
//! rolls back): no scope is needed to read catalog rows, and a write outside `Scope::Platform` is still refused.
//! Unchecked SQL: `store/import.rs` and `store/legacy.rs` (staging tables that do not exist at compile time) and
//! `store/search.rs` (assembled); `store/parts.rs` is `query!`.

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;

#[cfg(all(test, feature = "ssr"))]
mod tests;
