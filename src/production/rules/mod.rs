//! Pure production rules: no IO. The OEE calculation (`oee`), the shift calendar (`calendar`), downtime gaps
//! (`downtime`), the check of an ingested batch (`ingest`), the dashboard's figures (`dashboard`), the plant's
//! settings (`settings`; a line's own rate for a product, `cycles`) and the area's vocabulary (`kinds`).

pub mod calendar;
pub mod cycles;
pub mod dashboard;
pub mod downtime;
pub mod ingest;
pub mod kinds;
pub mod oee;
pub mod settings;
pub mod stops;
