//! Catalog flows: the import of catalog files, the generator that writes them, the legacy `AFT-` migration, the
//! search (and its cache), parts and vehicles.

pub mod cache;
pub mod generate;
pub mod import;
pub mod legacy;
pub mod parts;
pub mod search;
