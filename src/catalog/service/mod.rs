//! Catalog flows: the import of catalog files (and, to come, the legacy migration, the generator and search).

pub mod import;
