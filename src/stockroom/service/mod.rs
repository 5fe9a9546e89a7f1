//! Stock room flows: its set-up (`setup`: departments, categories, items with barcodes and levels, people's
//! departments), moving stock (`ledger`), stocktakes (`stocktake`), low-stock alerts (`alerts`) and what they tell
//! people (`notices`); the movement history's exports in the background (`export`); printable labels (`labels`); the
//! items that are catalog parts (`shelf`: "en tu almacén"); the demo store room (`demo`).

pub mod alerts;
pub mod demo;
pub mod export;
pub mod import;
pub mod labels;
pub mod ledger;
mod notices;
pub mod setup;
pub mod shelf;
pub mod stocktake;

/// The area's background jobs (run by `crate::jobs`): the movement exports people asked for, every second.
pub fn jobs() -> Vec<crate::jobs::Job> {
    vec![crate::jobs::Job::new("stock.exports", std::time::Duration::from_secs(1), export::round)]
}
