//! Pure production rules: no IO. The OEE calculation (`oee`), the shift calendar (`calendar`), downtime gaps
//! (`downtime`) and the check of an ingested batch (`ingest`).

pub mod calendar;
pub mod dashboard;
pub mod downtime;
pub mod ingest;
pub mod oee;
pub mod settings;
