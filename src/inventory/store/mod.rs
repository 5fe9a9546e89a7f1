//! The inventory's SQL (private to the area).

pub(in crate::inventory) mod items;
