//! The inventory's SQL (private to the area).

pub(in crate::inventory) mod catalog_keys;
pub(in crate::inventory) mod demo;
pub(in crate::inventory) mod items;
pub(in crate::inventory) mod stock;
pub(in crate::inventory) mod uploads;
