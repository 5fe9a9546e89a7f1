//! Production flows: units in (`ingest`), stops found in their gaps (`downtime`), and the housekeeping of their
//! partitions (`maintenance`).

pub mod downtime;
pub mod ingest;
pub mod maintenance;
