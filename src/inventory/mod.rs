//! Bodega inventory: the spreadsheets bodegas upload, understood, previewed and committed as stock per location,
//! and the availability workshops see on a part's page.

pub mod rules;
