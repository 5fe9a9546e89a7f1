//! The shop's tools: `bench fabrication`.

pub mod bench;
