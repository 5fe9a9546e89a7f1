//! Production's command-line tools: `simulate.rs`, `nexus-server simulate` (the plant simulator, sending units through
//! the REST ingest), and `bench/`, `nexus-server bench production` (ingest, load, dashboard, live, downtime).

pub mod bench;
pub mod simulate;
