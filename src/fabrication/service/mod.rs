//! Fabrication's flows: parts (`parts`: asked for, edited, listed, the board, a part's page), their workflow
//! actions (`actions`), drawings (`drawings`), statistics (`stats`), the set-up (`setup`), the claims' leases
//! (`leases`, a job) and Planta Demo's tool room (`demo`).

pub mod actions;
pub mod demo;
pub mod drawings;
pub mod leases;
pub mod live;
pub mod parts;
pub mod setup;
pub mod stats;

/// The area's background jobs (run by `crate::jobs`): claims past their lease expire, every 15 seconds.
pub fn jobs() -> Vec<crate::jobs::Job> {
    vec![crate::jobs::Job::new("fabrication.leases", std::time::Duration::from_secs(15), leases::round)]
}
