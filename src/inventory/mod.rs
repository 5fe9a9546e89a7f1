//! Bodega inventory: the spreadsheets bodegas upload, understood, previewed and committed as stock per location, and
//! the availability workshops see on a part's page. Tenant data (each bodega its own), under row-level security.
//!
//! # Rules
//!
//! `rules` is pure: `file.rs` tells a file's format by its first bytes and names the reasons a whole file is refused;
//! `sniff.rs` a text file's encoding and delimiter; `mapping.rs` the target fields and their Spanish/English names, the
//! suggested mapping, the header row, the fingerprint saved mappings are found by; `row.rs` what a mapped row must hold
//! (with the reason when it does not), the upload's counts, the rows that may repeat another's key and location (by a
//! hash per pair); `upload.rs` an upload as the page and REST both see it (statuses, the mapping and where it came
//! from, preview rows raw and as read, rejects, progress; the saved mapping adapted to a changed header row: a
//! serde-shaped value the page and `/api/v1/inventory/uploads/*` send as it is); `stock.rs` the orders "my inventory"
//! sorts by and their keyset cursor (`<id>.<value>`: the last row's sort value, any text included).
//!
//! # The upload flow
//!
//! `service/uploads.rs` is the flow the page and `/api/v1/inventory/uploads` share:
//!
//! - `receive`: format by bytes, the table read once on a blocking thread, the mapping (chosen, else saved for the
//!   header fingerprint, else adapted from the most alike saved header row, else suggested), the upload and its file
//!   recorded, then the dry run, or with `defer` only the read so the page can follow the dry run's progress;
//! - `reread`: another sheet, header row or mapping;
//! - `commit`: the bodega's transaction-scoped advisory lock, else 409 `upload_busy`; the same file hash and mapping
//!   committed before, else 409 `upload_repeated` unless allowed; "committing" written in a short transaction of its
//!   own, then the file read again and written with the upload's record, the saved mapping and the audit entry in one
//!   transaction;
//! - `discard`, `history` (keyset on `(created_at, id)`), `rejects_csv` (the lines kept with their reason, their cells
//!   read back from the stored file, formula-safe);
//! - `fail_interrupted`: run at start and every five minutes as the job `fail_interrupted_uploads` (`service::jobs()`):
//!   a "committing" upload whose bodega lock is free was cut off by a stop; nothing of it was written.
//!
//! Files are stored in 1 MB parts (column compression lz4, migration `20261123000007`), and a UTF-8 text file is read
//! in place, so a 50 MB upload is not held several times over. `service/read.rs` reads text tables row by row (`csv`),
//! `service/workbook.rs` workbooks (`calamine`), after unpacking every entry of a zip-based one once, counting and
//! discarding, to refuse zip bombs by what they truly unpack to; `service/table.rs` makes any of them one table (header
//! found or chosen, preview, suggested mapping) and checks its data rows one at a time, handing them to
//! `upload::run_rows`, whose blocking producer streams them into COPY (a file never sits in memory as rows). Progress
//! is written every quarter second by a task of its own into `inventory_upload_progress`, outside the upload's
//! transaction (which holds the upload's row). A file refused as a whole is `Error::rejected(FileProblem)` (413, 415 or
//! 422 with the reason); one refused before it is recorded leaves nothing, one refused while its rows are read is
//! recorded as failed.
//!
//! `service/upload.rs` runs checked rows against a bodega's inventory inside the caller's transaction, matching each
//! row's number to its catalog item as it is read (`row::Match`: an OEM part, else an aftermarket product, else the
//! part a superseded/equivalent number names; a key the deciding list has several times is ambiguous) in
//! `service/catalog_keys.rs`: the catalog's three lists of number keys kept per process in `fst` maps (their size
//! measured in that module), read at server start, again on the `catalog_changed` notice, and whenever
//! `catalog_keys_version` differs (a value every statement changing what a key names sets to its transaction id, read
//! inside the upload's transaction after the catalog lock; migration `20261123000009`). It notes what later statements
//! need so none of them reads every row for it: the rows whose key and location another row may share
//! (`RepeatSuspects`), the parts superseded numbers named, whether any number is ambiguous, the locations named.
//!
//! `store/items.rs` stages the rows by COPY, already matched (rows the rules reject too, with their reason), names the
//! brands of ambiguous numbers, marks repeats among the noted rows and the rows of parts a superseded number named
//! (last line wins), counts the dry run, keeps the rejects by line and reason (no per-row foreign key to their upload:
//! a statement trigger deletes them with it, migration `20261123000010`), and writes the snapshot with one `MERGE` per
//! kind of item (a part's, a product's): items it changes updated, new ones inserted in the item index's order (one
//! commit per bodega at a time, under its commit lock).
//!
//! # Tables
//!
//! `inventory_items` has one row per item and location by the unique index `(part_id, aftermarket_manufacturer_id,
//! aftermarket_key, tenant_id, location) NULLS NOT DISTINCT`, which also finds a part's or product's stock for its
//! page, and no per-row foreign keys (they were 60 % of a commit): a part deleted from the catalog takes its items
//! through the statement-level trigger `inventory_forget_parts`, which first takes the catalog lock exclusively, while
//! a commit holds it shared from before it matches its rows (migration `20261123000007`). Items have no index by number
//! (it cost a third of the write); "my inventory" reads the bodega's items for every order, and uploads and their
//! rejects are found by the upload's id alone (migration `20261123000008`).
//!
//! # Stock and availability
//!
//! `service/stock.rs` lists a bodega's own items (part number infix compared on the key, location infix; any order,
//! keyset pages; `store/stock.rs` assembles the order from fixed column names and says which index serves which),
//! clears them (items and confirmed locations in one transaction, audited `inventory.cleared`), and reads a part's
//! `availability` for callers holding `AvailabilityRead` (a key: `catalog:read` and a creator whose role holds it,
//! `Caller::require_with`). Workshops read other bodegas' stock only through the SQL function
//! `inventory_availability(part)` (platform scope for its own duration, active bodegas, fixed columns).
//! `service/demo.rs`: on a demo start, once the demo catalog is in, Bodega Demo uploads a generated export through the
//! same flow, so workshops see offers from the first visit.
//!
//! Other areas' tables the store names in its SQL, as `tidy::MAY_NAME` allows: the catalog's (matching, the names shown
//! beside items) and identity's tenants, users and API keys (the demo bodega; who uploaded).

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;

#[cfg(all(test, feature = "ssr"))]
mod tests;
