//! The production area's SQL (private to the area).

pub(in crate::production) mod dashboard;
pub(in crate::production) mod demo;
pub(in crate::production) mod downtime;
pub(in crate::production) mod ingest;
pub(in crate::production) mod oee;
pub(in crate::production) mod people;
pub(in crate::production) mod report;
pub(in crate::production) mod settings;
pub(in crate::production) mod stops;
