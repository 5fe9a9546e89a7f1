//! Fabrication's pages: the shop's parts (seed 004). `texts.rs`: the area's words.

pub mod texts;
