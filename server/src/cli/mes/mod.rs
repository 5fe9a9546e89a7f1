//! The floor's tools: `bench mes` (`bench.rs`).

pub mod bench;
