//! Pure inventory rules: no IO. How an uploaded file is read (encoding, delimiter), which column holds what (the
//! mapping and the header row), and what a row must hold.

pub mod file;
pub mod mapping;
pub mod row;
pub mod sniff;
pub mod stock;
pub mod upload;
