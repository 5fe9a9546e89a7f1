//! Inventory flows: the upload flow (`uploads`: receive, read again, commit, discard, history, rejected rows), a
//! file read as one table (`read`, `workbook`, `table`), and its checked rows run against the bodega's inventory
//! (`upload`: dry run, commit) with the catalog's number keys kept in memory
//! (`catalog_keys`).

pub mod catalog_keys;
pub mod demo;
pub mod read;
pub mod stock;
pub mod table;
pub mod upload;
pub mod uploads;
pub mod workbook;
