//! Identity's command-line tools: `bench.rs`, `nexus-server bench` (login latency and the login page's
//! time-to-first-byte).

pub mod bench;
