//! Production flows: units in (`ingest`) and the housekeeping of their partitions (`maintenance`).

pub mod ingest;
pub mod maintenance;
