//! Command-line administration beside the server: `nexus-server catalog import|generate|migrate-legacy`. (The plant
//! simulator and the benches are modules of their own at the crate's root.)

pub mod catalog;
