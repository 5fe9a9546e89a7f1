//! Catalog SQL, private to the area.

pub(in crate::catalog) mod import;
pub(in crate::catalog) mod legacy;
pub(in crate::catalog) mod parts;
pub(in crate::catalog) mod search;
