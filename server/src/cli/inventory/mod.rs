//! Inventory's command-line tools: `bench.rs`, `nexus-server bench inventory` (a bodega's upload end to end).

pub mod bench;
