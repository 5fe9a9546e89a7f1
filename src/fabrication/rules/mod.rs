//! Fabrication's pure rules (also compiled to WebAssembly for the pages).

pub mod list;
pub mod parts;
pub mod views;
