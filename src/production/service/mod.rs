//! Production flows: units in (`ingest`), stops found in their gaps (`downtime`), and the housekeeping of their
//! partitions (`maintenance`); the dashboards' setup, figures, drill-down, classification and export
//! (`dashboard`), the causes behind a figure as a CSV (`causes`); OEE per line and plant over a span (`oee`); units counted by people, for the MES facts (`people`); the stops for machines (`stops`); the demo plant
//! (`demo`).

pub mod causes;
pub mod dashboard;
pub mod demo;
pub mod downtime;
pub mod ingest;
pub mod live;
pub mod maintenance;
pub mod oee;
pub mod people;
pub mod report;
pub mod settings;
pub mod stops;

/// How the area's jobs run (the server's `NEXUS_PRODUCTION_KEEP_MONTHS` and `NEXUS_DOWNTIME_EVERY_SECS`).
#[derive(Debug, Clone, Copy)]
pub struct JobSettings {
    /// Whole months of raw units kept before the current one.
    pub keep_months: u32,
    /// Time between two rounds of the downtime job.
    pub downtime_every: std::time::Duration,
}

/// The area's background jobs (run by `crate::jobs`): the units' partitions hourly, the downtime job every
/// `downtime_every`.
pub fn jobs(settings: JobSettings) -> Vec<crate::jobs::Job> {
    use crate::jobs::Job;
    let keep = settings.keep_months;
    vec![
        Job::new("production_partitions", std::time::Duration::from_secs(3600), move |pool| async move {
            Ok(match maintenance::partitions(&pool, keep).await? {
                Some((made, dropped)) if made + dropped > 0 => {
                    Some(format!("production partitions: {made} made, {dropped} dropped"))
                }
                _ => None,
            })
        }),
        Job::new("production_downtime", settings.downtime_every, |pool| async move {
            Ok(downtime::run(&pool).await?.filter(|n| *n > 0).map(|n| format!("{n} production stops written")))
        }),
    ]
}
