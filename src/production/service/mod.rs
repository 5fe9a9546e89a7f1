//! Production flows: units in (`ingest`), stops found in their gaps (`downtime`), and the housekeeping of their
//! partitions (`maintenance`); the dashboards' setup, figures, drill-down, classification and export
//! (`dashboard`); OEE per line and plant over a span (`oee`); the demo plant (`demo`).

pub mod dashboard;
pub mod demo;
pub mod downtime;
pub mod ingest;
pub mod live;
pub mod maintenance;
pub mod oee;
pub mod settings;
