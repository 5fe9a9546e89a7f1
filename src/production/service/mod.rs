//! Production flows: units in (`ingest`), stops found in their gaps (`downtime`), and the housekeeping of their
//! partitions (`maintenance`); OEE per line and plant over a span (`oee`); the demo plant (`demo`).

pub mod demo;
pub mod downtime;
pub mod ingest;
pub mod maintenance;
pub mod oee;
