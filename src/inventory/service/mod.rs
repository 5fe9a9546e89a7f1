//! Inventory flows: an upload's checked rows run against the bodega's inventory (dry run, commit).

pub mod read;
pub mod table;
pub mod upload;
pub mod workbook;
